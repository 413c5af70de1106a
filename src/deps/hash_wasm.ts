/**
 * `hash-wasm` (WebAssembly BLAKE3 and SHA-256), pinned by full `npm:` specifier so that `mod.ts`
 * works when imported by path or from the published package, with no import map. Import it lazily
 * (`await import(".../deps/hash_wasm.ts")`) where a single append must not pay its load time.
 * Upgrade it here (and in `deno.lock`).
 *
 * @module
 */

export * from "npm:hash-wasm@4.13.0";
