import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The control plane serves dist/ under a strict content security policy (script-src 'self',
// style-src 'self'): nothing may be inlined into index.html, so the preload polyfill stays out.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
