import assert from "node:assert/strict";
import { blake3 } from "../deps/noble_hashes_blake3.ts";
import { ChainRoot, enableFastHashing, entryHash, GENESIS_PREV_HASH, toHex } from "./hashes.ts";

const ENTRIES = Array.from(
  { length: 1000 },
  (_, i) => toHex(blake3(new TextEncoder().encode(`entry ${i}`))),
);
const ALL = new TextEncoder().encode(ENTRIES.join(""));

/** Feeds entries [from, to) to a root, three at a time as bytes now and then. */
function feed(root: ChainRoot, from: number, to: number, midway?: (digest: string) => void): void {
  for (let i = from; i < to; i++) {
    if (i % 300 === 7 && i + 3 <= to) {
      root.updateBytes(new TextEncoder().encode(ENTRIES.slice(i, i + 3).join("")));
      i += 2;
    } else root.update(ENTRIES[i]);
    if (i === 500) midway?.(root.digest()); // a digest mid-way does not end the stream
  }
}

// The two tests run in this order: the first before hash-wasm is loaded, the second after.
const startedEarly = new ChainRoot();

Deno.test("ChainRoot on @noble/hashes is BLAKE3 of the concatenated entry hashes", () => {
  const root = new ChainRoot();
  let midway = "";
  feed(root, 0, ENTRIES.length, (d) => midway = d);
  assert.equal(root.digest(), toHex(blake3(ALL)));
  assert.equal(midway, toHex(blake3(ALL.subarray(0, 501 * 64))));
  feed(startedEarly, 0, 400);
});

Deno.test("ChainRoot on hash-wasm gives the same roots, and a root begun before it loaded stays right", async () => {
  await enableFastHashing();
  const root = new ChainRoot();
  let midway = "";
  feed(root, 0, ENTRIES.length, (d) => midway = d);
  assert.equal(root.digest(), toHex(blake3(ALL)));
  assert.equal(midway, toHex(blake3(ALL.subarray(0, 501 * 64))));
  feed(startedEarly, 400, ENTRIES.length);
  assert.equal(startedEarly.digest(), toHex(blake3(ALL)));
  // Two roots interleaved share the one WebAssembly hasher without mixing their states.
  const [a, b] = [new ChainRoot(), new ChainRoot()];
  for (let i = 0; i < ENTRIES.length; i++) {
    a.update(ENTRIES[i]);
    b.update(ENTRIES[ENTRIES.length - 1 - i]);
  }
  assert.equal(a.digest(), toHex(blake3(ALL)));
  assert.equal(b.digest(), toHex(blake3(new TextEncoder().encode(ENTRIES.toReversed().join("")))));
});

Deno.test("entryHash refuses hashes that are not 64 lowercase hex characters", () => {
  const ok = "ab".repeat(32);
  assert.equal(entryHash(1n, 0n, GENESIS_PREV_HASH, ok).length, 64);
  for (
    const bad of ["AB".repeat(32), "ab".repeat(31), `${"ab".repeat(31)}a`, `${"ab".repeat(31)}ag`]
  ) {
    assert.throws(() => entryHash(1n, 0n, bad, ok), RangeError);
    assert.throws(() => entryHash(1n, 0n, ok, bad), RangeError);
  }
});
