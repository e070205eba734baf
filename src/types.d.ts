// Wrangler (and the vitest pool) import *.wasm files as compiled WebAssembly modules.
declare module "*.wasm" {
  const compiledModule: WebAssembly.Module;
  export default compiledModule;
}
