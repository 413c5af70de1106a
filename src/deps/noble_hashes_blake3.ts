/**
 * BLAKE3 of `@noble/hashes`, pinned by full `npm:` specifier so that `mod.ts` works when imported
 * by path or from the published package, with no import map. One module per entry point, so that
 * loading BLAKE3 does not load SHA-2. Upgrade it here, in the other `noble_hashes_*.ts` files and in
 * `deno.lock`.
 *
 * @module
 */

export * from "npm:@noble/hashes@2.4.0/blake3.js";
