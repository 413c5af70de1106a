/**
 * The byte utilities of `@noble/hashes` (used by tests as an independent hex encoder), pinned by
 * full `npm:` specifier. Upgrade it here, in the other `noble_hashes_*.ts` files and in
 * `deno.lock`.
 *
 * @module
 */

export * from "npm:@noble/hashes@2.4.0/utils.js";
