/**
 * UUID version 7 (RFC 9562 section 5.7): a 48-bit Unix millisecond timestamp, then random bits,
 * so ids sort roughly by creation time.
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

let lastMs = -1;
let counter = 0;

/**
 * Generates a UUIDv7 string. Within one millisecond of one process, the 12-bit `rand_a` field is
 * a counter started at a random value (RFC 9562 section 6.2, method 1), so ids from one process
 * sort in generation order; when it overflows the timestamp is advanced by one millisecond.
 *
 * @param nowMs Unix time in milliseconds (default `Date.now()`); for tests.
 * @returns Lowercase `xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx`.
 * @throws {RangeError} If `nowMs` is not an integer in 0..2^48−1.
 * @example
 * ```ts
 * import { uuidV7 } from "./uuid_v7.ts";
 * const id = uuidV7();
 * console.assert(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id));
 * ```
 */
export function uuidV7(nowMs: number = Date.now()): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) {
    throw new RangeError(`Timestamp ${nowMs} ms is outside 0..2^48-1`);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = nowMs;
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      ms = lastMs + 1;
      counter = bytes[6] & 0x07; // restart low, leaving room to count
    }
  } else {
    counter = ((bytes[6] & 0x07) << 8) | bytes[7]; // random start in the lower half
  }
  lastMs = ms;
  // 48-bit big-endian timestamp (split: bit operators work on 32 bits).
  const hi = Math.floor(ms / 2 ** 16);
  bytes[0] = (hi >>> 24) & 0xff;
  bytes[1] = (hi >>> 16) & 0xff;
  bytes[2] = (hi >>> 8) & 0xff;
  bytes[3] = hi & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f); // version 7, rand_a high bits
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // variant 10
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += HEX[bytes[i]];
  }
  return s;
}
