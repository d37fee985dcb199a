// Shortens the names that tie a bundle's wasm to its JavaScript bindings, then minifies the bindings.
//
// wasm-bindgen names every import after the Rust item plus a 16-hex-digit hash
// (`__wbg_addEventListener_847fd86b8c33ec43`) and writes each name twice: in the wasm's import
// section and as a key in the JS. Hashes do not compress, so ~180 of them cost a phone ~3.5 KB
// brotli per bundle. `wasm-opt --minify-imports-and-exports-and-modules` renames them in the wasm
// and prints the old → new map; this script applies the same map to the JS, checks that every
// name the wasm now imports or the JS uses is accounted for, and minifies the JS with esbuild.
//
// Usage: node scripts/minify-bindings.mjs MAP.json BUNDLE.js BUNDLE_bg.wasm
// (MAP.json is wasm-opt's stdout; the .js is rewritten in place; the .wasm is the renamed module.)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [mapFile, jsFile, wasmFile] = process.argv.slice(2);
if (!mapFile || !jsFile || !wasmFile) {
  console.error("usage: minify-bindings.mjs MAP.json BUNDLE.js BUNDLE_bg.wasm");
  process.exit(2);
}
const fail = (message) => {
  console.error(`minify-bindings: ${jsFile}: ${message}`);
  process.exit(1);
};

const map = JSON.parse(readFileSync(mapFile, "utf8"));
let js = readFileSync(jsFile, "utf8");
const module = new WebAssembly.Module(readFileSync(wasmFile));

// The renamed wasm imports everything from one module; the bindings offer one import object.
const newModules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
const oldModules = [...new Set(map.imports.map(([mod]) => mod))];
if (newModules.length !== 1 || oldModules.length !== 1) {
  fail(`expected one import module, found ${oldModules} → ${newModules}`);
}
const moduleKey = `"${oldModules[0]}": import0,`;
if (!js.includes(moduleKey)) fail(`the import object is not registered as ${moduleKey}`);
js = js.replace(moduleKey, `${JSON.stringify(newModules[0])}: import0,`);

// Import keys: `        __wbg_x_0123456789abcdef: function(` → `        "a": function(`.
for (const [, oldName, newName] of map.imports) {
  const key = new RegExp(`^(\\s+)${oldName.replace(/\$/g, "\\$")}(: function\\()`, "m");
  if (!key.test(js)) fail(`no binding for the import ${oldName}`);
  js = js.replace(key, `$1${JSON.stringify(newName)}$2`);
}

// Export uses: `wasm.__wbindgen_malloc` → `wasm["$b"]`.
for (const [oldName, newName] of map.exports) {
  js = js.replaceAll(new RegExp(`\\bwasm\\.${oldName}\\b`, "g"), `wasm[${JSON.stringify(newName)}]`);
}
const unknown = js.match(/\bwasm\.[A-Za-z_$][\w$]*/g) ?? [];
if (unknown.length > 0) fail(`uses exports the map does not rename: ${[...new Set(unknown)]}`);
// Bindings left with their long names are ones the optimised wasm no longer imports (wasm-opt
// dropped the calls); they are harmless, and the renamed wasm's every import has its binding.
const imported = WebAssembly.Module.imports(module).map((i) => i.name);
const renamed = new Set(map.imports.map(([, , newName]) => newName));
const missing = imported.filter((name) => !renamed.has(name));
if (missing.length > 0) fail(`the wasm imports names the map does not give: ${missing}`);

// Minify; the bindings are an ES module loaded by the boot script.
const require = createRequire(path.resolve("frontend/package.json"));
const esbuild = require("esbuild");
const { code } = esbuild.transformSync(js, { minify: true, format: "esm", target: "es2020" });
writeFileSync(jsFile, code);
