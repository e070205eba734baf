// Stands in for "@phi-ag/argon2/argon2.wasm" in Node: workerd and wrangler import a .wasm file as
// a compiled WebAssembly.Module, Node needs it compiled by hand.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const wasmPath = createRequire(import.meta.url).resolve("@phi-ag/argon2/argon2.wasm");

// @cloudflare/workers-types declares the constructor abstract: Workers cannot compile at run time. Node can.
const CompilableModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;

export default new CompilableModule(readFileSync(wasmPath));
