// Node module hook: `import module from "x.wasm"` yields a compiled WebAssembly.Module, as it does
// under wrangler and workerd, so bench scripts can run src/auth/password.ts in Node.
export async function load(url, context, nextLoad) {
  if (!url.endsWith(".wasm")) return nextLoad(url, context);
  return {
    format: "module",
    shortCircuit: true,
    source: `import { readFileSync } from "node:fs";
export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`,
  };
}
