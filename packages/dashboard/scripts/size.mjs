// The built dashboard's JavaScript and CSS sizes, raw and gzipped (run after `vite build`).
// `--write` puts the figures into docs/dashboard.md between its size markers; `--check` exits 1
// when the figures there are not the ones measured (a test runs it on a fresh build).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const assets = fileURLToPath(new URL('../dist/assets', import.meta.url));
const doc = fileURLToPath(new URL('../../../docs/dashboard.md', import.meta.url));
const START = '<!-- size: written by `node packages/dashboard/scripts/size.mjs --write` -->';
const END = '<!-- /size -->';

const totals = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
for (const name of readdirSync(assets)) {
  const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : undefined;
  if (kind === undefined) continue;
  const bytes = readFileSync(join(assets, name));
  totals[kind].raw += bytes.length;
  totals[kind].gzip += gzipSync(bytes, { level: 9 }).length;
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const figures =
  `JavaScript ${kB(totals.js.gzip)} gzipped (${kB(totals.js.raw)} raw), ` +
  `CSS ${kB(totals.css.gzip)} gzipped (${kB(totals.css.raw)} raw).`;

const mode = process.argv[2];
if (mode === undefined) {
  process.stdout.write(`${figures}\n`);
} else if (mode === '--write' || mode === '--check') {
  const text = readFileSync(doc, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END, start);
  if (start < 0 || end < 0) {
    process.stderr.write(`docs/dashboard.md has no size markers (${START} … ${END})\n`);
    process.exit(1);
  }
  // Laid out as prettier lays it out, so that the written doc stays formatted.
  const updated = `${text.slice(0, start + START.length)}\n\n${figures}\n${text.slice(end)}`;
  if (mode === '--write') {
    writeFileSync(doc, updated);
    process.stdout.write(`docs/dashboard.md: ${figures}\n`);
  } else if (updated !== text) {
    const written = text.slice(start + START.length, end).trim();
    process.stderr.write(
      `docs/dashboard.md says "${written}" but the build measures "${figures}": ` +
        'run `node packages/dashboard/scripts/size.mjs --write` after building\n',
    );
    process.exit(1);
  }
} else {
  process.stderr.write('usage: node packages/dashboard/scripts/size.mjs [--write | --check]\n');
  process.exit(2);
}
