// Writes the page into dist/ from index.html and www/, after build.sh has built www/pkg:
// - dist/index.html with its styles inline and dist/www/app.js, the page's scripts bundled into
//   one file (esbuild) with a chunk of what the views share: fewer requests before the first
//   frame, which in a new browser context on localhost brings it about 60 ms sooner. The SVG
//   export's glue stays a file of its own, loaded at the first export, and so does each view
//   other than the surfaces (dist/www/network.js, graph.js, layers.js and view3d.js, with their modules'
//   glue), loaded when the view is first opened.
// - dist/standalone.html: the whole page in one file (scripts, styles, the page's module, the
//   SVG export's, the network view's, the Graph view's and the 3-D view's modules, the digits and the Korean and Japanese words
//   inlined), which works opened from disk with no server and makes no request.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

// The English words (www/i18n/en.json, one file for translators) in parts: the page's script
// carries those the surfaces view and the page's shell say; the scripts fetched later carry their
// own and add them (addEnglish in i18n.js):
// - the network and Graph views: their markup's and scripts' words, and the core's messages about
//   networks, data sets, layers and graphs;
// - the update rule's panel: its words, and the core's messages about explaining a step;
// - saving and sharing (www/outputs.js): the share dialog's status and the exports' messages.
// A part's key that a first-load script names stays with the page.
const english = JSON.parse(readFileSync('www/i18n/en.json', 'utf8'));
const sources = (files) => files.map((f) => readFileSync(f, 'utf8')).join('\n');
// The first load's scripts: app.js and the chunks it imports at once, as esbuild splits them (a
// first pass, with the catalog whole), each with the sources bundled into it.
const ENTRIES = ['www/app.js', 'www/network.js', 'www/graph.js', 'www/layers.js', 'www/view3d.js'];
const probe = await build({
  entryPoints: ENTRIES, bundle: true, format: 'esm', splitting: true, outdir: 'dist/www', write: false, metafile: true,
  logLevel: 'warning', loader: { '.html': 'text' }, external: ['./pkg/gradscape_export.js'],
});
const firstLoad = new Set();
const visit = (out) => {
  if (firstLoad.has(out)) return;
  firstLoad.add(out);
  for (const i of probe.metafile.outputs[out].imports) if (i.kind === 'import-statement') visit(i.path);
};
visit('dist/www/app.js');
const firstLoadFiles = [...firstLoad].flatMap((out) => Object.keys(probe.metafile.outputs[out].inputs)).filter((f) => f.endsWith('.js'));
const pageSources = sources(['index.html', ...firstLoadFiles]);
// The page's own messages (msg.page.*) are named in the scripts without their `msg.` (warning('tab',
// 'page.tab-kept', …)).
const quoted = (text, key) => [key, ...(key.startsWith('msg.page.') ? [key.slice(4)] : [])]
  .some((name) => text.includes(`'${name}'`) || text.includes(`"${name}"`));
const PARTS = [
  { name: 'views', importer: /[\\/](network|graph)\.js$/, text: sources(['network', 'graph', 'layers'].map((f) => `www/${f}.js`)),
    own: /^(net|graph|layers|land|gradcheck|data|msg\.(net|network|data|train|layers|graph|landscape))\./ },
  { name: 'rule', importer: /[\\/]rule\.js$/, text: sources(['www/rule.js']), own: /^(rule|msg\.explain)\./ },
  { name: 'outputs', importer: /[\\/]outputs\.js$/, text: sources(['www/outputs.js']), own: /^share\./ },
];
/** The part whose script says `key` ('page' for the first load's). */
function partOf(key) {
  if (quoted(pageSources, key)) return 'page';
  const part = PARTS.find((p) => p.own.test(key) || (key.startsWith('msg.page.') && quoted(p.text, key)));
  return part ? part.name : 'page';
}
// The words index.html carries as they are (a marked element's text, or an attribute that
// data-i18n-attr names) are left out of the page's part: i18n.js reads them from the page.
const inPage = new Set();
const html = readFileSync('index.html', 'utf8');
for (const [, , attrs, inner] of html.matchAll(/<(\w+)\b([^>]*)>([^<]*)<\/\1>/g)) {
  const key = /\sdata-i18n="([^"]+)"/.exec(attrs)?.[1];
  if (key && english[key] === inner) inPage.add(key);
}
for (const [, attrs] of html.matchAll(/<\w+\b([^>]*)>/g)) {
  for (const pair of /\sdata-i18n-attr="([^"]+)"/.exec(attrs)?.[1].split(';') ?? []) {
    const [attr, key] = pair.split(':').map((s) => s.trim());
    if (english[key] === new RegExp(`\\s${attr}="([^"]*)"`).exec(attrs)?.[1]) inPage.add(key);
  }
}
// Every part leaves out the words index.html carries, as i18n.js reads them from the page.
const englishPart = (name) => JSON.stringify(Object.fromEntries(Object.entries(english)
  .filter(([k]) => partOf(k) === name && !inPage.has(k))));
const splitEnglish = {
  name: 'split-english',
  setup(b) {
    b.onResolve({ filter: /\/i18n\/en\.json$/ }, (args) => ({
      path: PARTS.find((p) => p.importer.test(args.importer))?.name ?? 'page',
      namespace: 'english',
    }));
    b.onLoad({ filter: /.*/, namespace: 'english' }, (args) => ({ contents: englishPart(args.path), loader: 'json' }));
  },
};
// The views' markup (www/network.html, www/graph.html) is imported by their scripts as text.
const common = { bundle: true, minify: true, logLevel: 'warning', loader: { '.html': 'text' }, plugins: [splitEnglish] };
const text = async (options) => (await build({ write: false, ...common, ...options })).outputFiles[0].text;
// Inside an inline <script>, "</script" would end it early.
const inlineScript = (js) => js.replace(/<\/script/gi, '<\\/script');

const css = await text({ entryPoints: ['www/style.css'] });
const source = readFileSync('index.html', 'utf8');
/** index.html with each [pattern, replacement] applied; a pattern that matches nothing is an error. */
function rewrite(swaps) {
  let html = source;
  for (const [pattern, replacement] of swaps) {
    const before = html;
    html = html.replace(pattern, () => replacement);
    if (html === before) throw new Error(`pages: index.html has no ${pattern}`);
  }
  return html;
}
const styles = [/<link rel="stylesheet" href="www\/style.css">/, `<style>${css}</style>`];
const noPreloads = [/\s*<link rel="modulepreload"[^>]*>/g, ''];

// The page's script and each view's, built together: app.js is what the first load runs, and
// the views it imports when they are first needed (network.js with its module's glue, graph.js
// and layers.js with theirs) are files of their own; what they share with the page (the words,
// the optimizer panel) is a chunk that app.js loads, so each is started once. The SVG export's
// glue stays as wasm-bindgen wrote it, as it finds its module next to itself.
const { metafile } = await build({
  ...common,
  entryPoints: ENTRIES,
  format: 'esm',
  splitting: true,
  outdir: 'dist/www',
  chunkNames: 'chunk-[hash]',
  external: ['./pkg/gradscape_export.js'],
  metafile: true,
});
// What app.js imports at once (the shared chunk) is preloaded with it: otherwise the browser
// finds it only once app.js is parsed, about 60 ms later in a new browser context.
const preloads = metafile.outputs['dist/www/app.js'].imports
  .filter((i) => i.kind === 'import-statement')
  .map((i) => `  <link rel="modulepreload" href="${i.path.replace(/^dist\//, '')}">`)
  .join('\n');
const scriptPreloads = [/\s*<link rel="modulepreload"[^>]*>/g, ''];
writeFileSync('dist/index.html', rewrite([styles, scriptPreloads, [/<script type="module" src="www\/app.js"><\/script>/, `${preloads.trim()}\n  <script type="module" src="www/app.js"></script>`]]));

const js = await text({ entryPoints: ['www/app.js'], format: 'esm' });
const wasm = readFileSync('www/pkg/gradscape_web_bg.wasm').toString('base64');
const exporter = readFileSync('www/pkg/gradscape_export_bg.wasm').toString('base64');
const graph = readFileSync('www/pkg/gradscape_graph_bg.wasm').toString('base64');
const net = readFileSync('www/pkg/gradscape_net_bg.wasm').toString('base64');
const view3d = readFileSync('www/pkg/gradscape_3d_bg.wasm').toString('base64');
const rule = readFileSync('www/pkg/gradscape_rule_bg.wasm').toString('base64');
const digits = readFileSync('crates/core/data/digits.csv.gz').toString('base64');
// The catalogs as object literals (JSON is one), read back through JSON.parse so a bad one fails here.
const words = (lang) => inlineScript(JSON.stringify(JSON.parse(readFileSync(`www/i18n/${lang}.json`, 'utf8'))));
const standalone = rewrite([
  styles,
  noPreloads,
  [/<!-- Compiles the module[^\n]*\n\s*<script>window.gradscapeModule[^\n]*<\/script>/,
    `<script>window.gradscapeInline = { digits: "${digits}", exporter: "${exporter}", graph: "${graph}", net: "${net}", view3d: "${view3d}", rule: "${rule}", ko: ${words('ko')}, ja: ${words('ja')} };
  window.gradscapeModule = WebAssembly.compile(Uint8Array.from(atob("${wasm}"), (c) => c.charCodeAt(0))).catch(() => null);</script>`],
  [/<script type="module" src="www\/app.js"><\/script>/, `<script type="module">${inlineScript(js)}</script>`],
]);
writeFileSync('dist/standalone.html', standalone);
console.log(`build: wrote dist/index.html and dist/standalone.html (${Math.round(standalone.length / 1024)} KB)`);
