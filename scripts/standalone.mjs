// Writes dist/standalone.html: the whole page in one file (scripts bundled by esbuild, styles,
// the page's module, the SVG export's module and the digits inlined), which works opened from
// disk with no server and makes no request. Run by build.sh after www/pkg is built.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const text = async (options) => (await build({ write: false, bundle: true, minify: true, logLevel: 'warning', ...options })).outputFiles[0].text;
// Inside an inline <script>, "</script" would end it early.
const inlineScript = (js) => js.replace(/<\/script/gi, '<\\/script');

const js = await text({ entryPoints: ['www/app.js'], format: 'esm' });
const css = await text({ entryPoints: ['www/style.css'] });
const wasm = readFileSync('www/pkg/gradscape_web_bg.wasm').toString('base64');
const exporter = readFileSync('www/pkg/gradscape_export_bg.wasm').toString('base64');
const digits = readFileSync('crates/core/data/digits.csv.gz').toString('base64');

let html = readFileSync('index.html', 'utf8');
const swap = (pattern, replacement) => {
  const before = html;
  html = html.replace(pattern, () => replacement);
  if (html === before) throw new Error(`standalone: index.html has no ${pattern}`);
};
swap(/<link rel="stylesheet" href="www\/style.css">/, `<style>${css}</style>`);
swap(/\s*<link rel="modulepreload"[^>]*>/g, '');
swap(/<!-- Compiles the module[^\n]*\n\s*<script>window.gradscapeModule[^\n]*<\/script>/,
  `<script>window.gradscapeInline = { digits: "${digits}", exporter: "${exporter}" };
  window.gradscapeModule = WebAssembly.compile(Uint8Array.from(atob("${wasm}"), (c) => c.charCodeAt(0))).catch(() => null);</script>`);
swap(/<script type="module" src="www\/app.js"><\/script>/, `<script type="module">${inlineScript(js)}</script>`);
writeFileSync('dist/standalone.html', html);
console.log(`build: wrote dist/standalone.html (${Math.round(html.length / 1024)} KB)`);
