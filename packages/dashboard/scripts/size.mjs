// Prints the built dashboard's JavaScript and CSS sizes, raw and gzipped (run after `vite build`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const assets = fileURLToPath(new URL('../dist/assets', import.meta.url));
const totals = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
for (const name of readdirSync(assets)) {
  const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : undefined;
  if (kind === undefined) continue;
  const bytes = readFileSync(join(assets, name));
  totals[kind].raw += bytes.length;
  totals[kind].gzip += gzipSync(bytes, { level: 9 }).length;
}
for (const [kind, { raw, gzip }] of Object.entries(totals)) {
  process.stdout.write(`${kind}: ${raw} bytes, ${gzip} bytes gzipped (${(gzip / 1024).toFixed(1)} KiB)\n`);
}
