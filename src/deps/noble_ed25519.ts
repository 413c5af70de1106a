/**
 * `@noble/ed25519`, pinned by full `npm:` specifier so that `mod.ts` works when imported by path
 * or from the published package, with no import map. Upgrade it here (and in `deno.lock`).
 *
 * @module
 */

export * from "npm:@noble/ed25519@3.2.0";
