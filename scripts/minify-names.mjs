// Gives a built module's imports and exports one- or two-letter names, in the module and in its
// wasm-bindgen glue. wasm-bindgen names each import after its JS function plus a 16-digit hash
// (`__wbg_stroke_19fa3f3ec093bc25`) and each export after its Rust path (`viz_render_overlay`);
// the names are written in both files and random hashes do not compress, so they cost about
// 1.5 KB gzipped on the surfaces' module and its glue.
//
// binaryen's --minify-imports-and-exports-and-modules does the renaming in the module and prints
// the old and new names as JSON; this applies that map to the glue, where the imports are the
// keys of one object and the exports are read as `wasm.name`. Any name that is not found exactly
// where expected stops the build, so a change in wasm-bindgen's output cannot go unnoticed.
//
// usage: node scripts/minify-names.mjs www/pkg/NAME [--enable-FEATURE ...]
//   (NAME.js and NAME_bg.wasm, rewritten in place; the features are build.sh's, for wasm-opt)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [base, ...features] = process.argv.slice(2);
if (!base) throw new Error('usage: minify-names.mjs www/pkg/NAME [--enable-FEATURE ...]');
const wasmFile = `${base}_bg.wasm`;
const glueFile = `${base}.js`;

const before = new WebAssembly.Module(readFileSync(wasmFile));
const printed = execFileSync('node_modules/.bin/wasm-opt',
  [...features, '--minify-imports-and-exports-and-modules', wasmFile, '-o', wasmFile], { encoding: 'utf8' });
const map = JSON.parse(printed.slice(printed.indexOf('{')));
const after = new WebAssembly.Module(readFileSync(wasmFile));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `text` with every match of `pattern` replaced by `replacement` (a function), failing unless there are exactly `count`. */
function swap(text, pattern, replacement, count, what) {
  const found = text.match(pattern)?.length ?? 0;
  if (found !== count) throw new Error(`minify-names: ${glueFile} has ${what} ${found} times, not ${count}`);
  return text.replace(pattern, replacement);
}

let glue = readFileSync(glueFile, 'utf8');
// The imports: one module (the glue itself), each function a key of the object __wbg_get_imports makes.
const modules = new Set(WebAssembly.Module.imports(before).map((i) => i.module));
const newModules = new Set(WebAssembly.Module.imports(after).map((i) => i.module));
if (modules.size !== 1 || newModules.size !== 1) throw new Error(`minify-names: ${wasmFile} imports from ${[...modules]}, not one module`);
const [oldModule] = modules;
const [newModule] = newModules;
glue = swap(glue, new RegExp(`"${escape(oldModule)}": import0,`, 'g'), () => `"${newModule}": import0,`, 1, `the import module "${oldModule}"`);
for (const [, name, short] of map.imports) {
  glue = swap(glue, new RegExp(`^(\\s+)${escape(name)}: function`, 'gm'), (_, space) => `${space}${short}: function`, 1, `the import ${name}`);
}
// The exports, read from the instance's exports as wasm.name.
const exports = new Map(map.exports);
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  if (!exports.has(name)) throw new Error(`minify-names: ${glueFile} reads wasm.${name}, which the module does not export`);
  return `wasm.${exports.get(name)}`;
});
// Every import the module now asks for is a key of the glue's import object.
for (const { name } of WebAssembly.Module.imports(after)) {
  swap(glue, new RegExp(`^\\s+${escape(name)}: function`, 'gm'), (m) => m, 1, `the renamed import ${name}`);
}
writeFileSync(glueFile, glue);
