/**
 * Constant-time comparison of byte strings.
 *
 * @module
 */

/**
 * Compares two byte arrays in time that depends only on their lengths, not on where they differ
 * (for MACs, hashes and other values an attacker may probe byte by byte). Lengths are not secret:
 * arrays of different lengths return `false` at once.
 *
 * @param a First bytes.
 * @param b Second bytes.
 * @returns `true` when both hold the same bytes.
 * @throws {TypeError} If either argument is not a `Uint8Array`.
 * @example
 * ```ts
 * import { timingSafeEqual } from "./compare.ts";
 * import assert from "node:assert/strict";
 * assert.equal(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
 * assert.equal(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) {
    throw new TypeError("timingSafeEqual() expects two Uint8Array values");
  }
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
