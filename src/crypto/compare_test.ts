import assert from "node:assert/strict";
import { timingSafeEqual } from "./compare.ts";

Deno.test("timingSafeEqual() is true for equal bytes, including two empty arrays", () => {
  assert.equal(timingSafeEqual(new Uint8Array(0), new Uint8Array(0)), true);
  assert.equal(timingSafeEqual(Uint8Array.of(0, 255, 7), Uint8Array.of(0, 255, 7)), true);
});

Deno.test("timingSafeEqual() is false when any single byte differs, first to last", () => {
  const a = new Uint8Array(64).fill(0xa5);
  for (let i = 0; i < a.length; i++) {
    const b = a.slice();
    b[i] ^= 0x01;
    assert.equal(timingSafeEqual(a, b), false, `byte ${i}`);
  }
});

Deno.test("timingSafeEqual() is false for arrays of different lengths with a common prefix", () => {
  assert.equal(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)), false);
  assert.equal(timingSafeEqual(new Uint8Array(0), Uint8Array.of(0)), false);
});

Deno.test("timingSafeEqual() compares views by their visible bytes only", () => {
  const buffer = Uint8Array.of(9, 1, 2, 9);
  assert.equal(timingSafeEqual(buffer.subarray(1, 3), Uint8Array.of(1, 2)), true);
});

Deno.test("timingSafeEqual() throws a TypeError for anything but two Uint8Arrays", () => {
  const ok = new Uint8Array(1);
  for (const bad of [undefined, null, "a", [1], new Uint16Array(1), new ArrayBuffer(1)]) {
    assert.throws(() => timingSafeEqual(ok, bad as unknown as Uint8Array), TypeError);
    assert.throws(() => timingSafeEqual(bad as unknown as Uint8Array, ok), TypeError);
  }
});
