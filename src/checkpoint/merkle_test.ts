import assert from "node:assert/strict";
import { sha256 } from "../deps/noble_hashes_sha2.ts";
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  MerkleBuilder,
  nodeHash,
  type SubtreeSource,
  subtreeSourceFromLeaves,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

// Independent naive implementation of RFC 6962 §2.1: MTH, PATH and PROOF/SUBPROOF by recursion
// over leaf data, with SHA-256 taken directly from noble.
const naiveHash = (...parts: number[][]) => sha256(Uint8Array.from(parts.flat()));
const arr = (b: Uint8Array) => Array.from(b);
function kOf(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
// Memoized by (first leaf object, length) only to keep the exhaustive tests fast.
const memo = new Map<Uint8Array, Map<number, Uint8Array>>();
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return naiveHash([]);
  const byLength = memo.get(d[0]) ?? new Map<number, Uint8Array>();
  memo.set(d[0], byLength);
  const hit = byLength.get(d.length);
  if (hit) return hit;
  const result = mthUncached(d);
  byLength.set(d.length, result);
  return result;
}
function mthUncached(d: Uint8Array[]): Uint8Array {
  if (d.length === 1) return naiveHash([0], arr(d[0]));
  const k = kOf(d.length);
  return naiveHash([1], arr(mth(d.slice(0, k))), arr(mth(d.slice(k))));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const k = kOf(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const k = kOf(n);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const MAX = 70;
const data = Array.from(
  { length: MAX },
  (_, i) => Uint8Array.from({ length: 1 + (i % 5) }, (_, j) => i + j),
);
const leaves = data.map(leafHash);
const getLeaf = (i: number) => leaves[i];
const hex = (xs: Uint8Array[]) => xs.map((x) => x.toHex());
const naiveRoots = Array.from({ length: MAX + 1 }, (_, n) => mth(data.slice(0, n)));

Deno.test("leafHash and nodeHash use the RFC 6962 0x00 and 0x01 prefixes", () => {
  const d = new Uint8Array([1, 2, 3]);
  assert.deepEqual(leafHash(d), sha256(new Uint8Array([0, 1, 2, 3])));
  const l = leafHash(new Uint8Array([9])), r = leafHash(new Uint8Array([8]));
  assert.deepEqual(nodeHash(l, r), sha256(Uint8Array.from([1, ...l, ...r])));
  assert.deepEqual(emptyRoot(), sha256(new Uint8Array(0)));
});

Deno.test("MerkleBuilder root matches the naive MTH after every append up to 70 leaves", () => {
  const b = new MerkleBuilder();
  assert.equal(b.root().toHex(), naiveRoots[0].toHex());
  for (let n = 1; n <= MAX; n++) {
    b.append(leaves[n - 1]);
    assert.equal(b.size, n);
    assert.equal(b.root().toHex(), naiveRoots[n].toHex(), `size ${n}`);
  }
});

Deno.test("MerkleBuilder keeps one hash per set bit and resumes from a saved state", () => {
  const b = new MerkleBuilder();
  for (let n = 1; n <= MAX; n++) {
    b.append(leaves[n - 1]);
    const state = b.state();
    assert.equal(state.hashes.length, n.toString(2).split("1").length - 1);
    const resumed = MerkleBuilder.fromState(state);
    if (n < MAX) {
      resumed.append(leaves[n]);
      assert.equal(resumed.root().toHex(), naiveRoots[n + 1].toHex());
    }
  }
  assert.throws(() => MerkleBuilder.fromState({ size: 3, hashes: [leaves[0]] }), RangeError);
  assert.throws(
    () => MerkleBuilder.fromState({ size: 1, hashes: [new Uint8Array(31)] }),
    TypeError,
  );
});

Deno.test("inclusionProof equals naive PATH and verifies for every index of every size 1..70", () => {
  for (let n = 1; n <= MAX; n++) {
    for (let m = 0; m < n; m++) {
      const proof = inclusionProof(m, n, getLeaf);
      assert.deepEqual(hex(proof), hex(path(m, data.slice(0, n))), `PATH(${m}, ${n})`);
      assert.ok(verifyInclusion(leaves[m], m, n, proof, naiveRoots[n]), `verify ${m}/${n}`);
      // A valid proof proves nothing for another index, size or leaf.
      if (n > 1) {
        assert.ok(!verifyInclusion(leaves[m], (m + 1) % n, n, proof, naiveRoots[n]));
        assert.ok(!verifyInclusion(leaves[(m + 1) % n], m, n, proof, naiveRoots[n]));
      }
      if (n < MAX) assert.ok(!verifyInclusion(leaves[m], m, n + 1, proof, naiveRoots[n + 1]));
    }
  }
});

Deno.test("consistencyProof equals naive PROOF and verifies for every pair 1 <= m <= n <= 70", () => {
  for (let n = 1; n <= MAX; n++) {
    for (let m = 1; m <= n; m++) {
      const proof = consistencyProof(m, n, getLeaf);
      assert.deepEqual(hex(proof), hex(subproof(m, data.slice(0, n), true)), `PROOF(${m}, ${n})`);
      assert.ok(verifyConsistency(m, n, naiveRoots[m], naiveRoots[n], proof), `verify ${m}->${n}`);
      if (m < n) {
        assert.ok(
          !verifyConsistency(m, n, naiveRoots[m - 1] ?? naiveRoots[n], naiveRoots[n], proof),
        );
        assert.ok(!verifyConsistency(m, n, naiveRoots[m], naiveRoots[n - 1], proof));
        assert.ok(!verifyConsistency(m, n, naiveRoots[m], naiveRoots[n], proof.slice(1)));
      }
    }
  }
});

Deno.test("verifyConsistency treats the empty old tree and equal sizes as trivial cases", () => {
  assert.deepEqual(consistencyProof(0, 5, getLeaf), []);
  assert.ok(verifyConsistency(0, 5, emptyRoot(), naiveRoots[5], []));
  assert.ok(!verifyConsistency(0, 5, naiveRoots[1], naiveRoots[5], []));
  assert.ok(!verifyConsistency(0, 5, emptyRoot(), naiveRoots[5], [leaves[0]]));
  assert.ok(verifyConsistency(5, 5, naiveRoots[5], naiveRoots[5], []));
  assert.ok(!verifyConsistency(5, 5, naiveRoots[5], naiveRoots[4], []));
  assert.ok(!verifyConsistency(5, 5, naiveRoots[5], naiveRoots[5], [leaves[0]]));
  assert.ok(!verifyConsistency(6, 5, naiveRoots[5], naiveRoots[5], []));
});

Deno.test("proofs ask a SubtreeSource only for perfect subtrees or ranges ending at a tree size", () => {
  const calls: [number, number][] = [];
  const base = subtreeSourceFromLeaves(getLeaf);
  const source: SubtreeSource = {
    subtreeRoot(start, end) {
      calls.push([start, end]);
      return base.subtreeRoot(start, end);
    },
  };
  for (let n = 1; n <= MAX; n++) {
    for (let m = 0; m < n; m++) {
      calls.length = 0;
      assert.deepEqual(hex(inclusionProof(m, n, source)), hex(inclusionProof(m, n, getLeaf)));
      for (const [s, e] of calls) {
        const w = e - s;
        assert.ok((w & (w - 1)) === 0 && s % w === 0 || e === n, `inclusion asked [${s}, ${e})`);
      }
      calls.length = 0;
      consistencyProof(m + 1, n, source);
      for (const [s, e] of calls) {
        const w = e - s;
        assert.ok((w & (w - 1)) === 0 && s % w === 0 || e === n, `consistency asked [${s}, ${e})`);
      }
    }
  }
});

Deno.test("proof generators reject bad sizes and sources with RangeError or TypeError", () => {
  for (const bad of [NaN, -1, 1.5, Infinity, 2 ** 53, "3" as unknown as number]) {
    assert.throws(() => inclusionProof(bad, 5, getLeaf), RangeError);
    assert.throws(() => inclusionProof(0, bad, getLeaf), RangeError);
    assert.throws(() => consistencyProof(bad, 5, getLeaf), RangeError);
    assert.throws(() => consistencyProof(1, bad, getLeaf), RangeError);
  }
  assert.throws(() => inclusionProof(5, 5, getLeaf), RangeError);
  assert.throws(() => consistencyProof(6, 5, getLeaf), RangeError);
  assert.throws(() => inclusionProof(0, 2, {} as SubtreeSource), TypeError);
  assert.throws(() => inclusionProof(0, 2, () => new Uint8Array(31)), TypeError);
  assert.throws(() => new MerkleBuilder().append(new Uint8Array(33)), TypeError);
  assert.throws(() => leafHash("x" as unknown as Uint8Array), TypeError);
});

Deno.test("verifiers return false, never throw, for hostile inputs", () => {
  const root = naiveRoots[8];
  const proof = inclusionProof(3, 8, getLeaf);
  const hostile: unknown[] = [NaN, -1, 1.5, Infinity, 2 ** 53, null, undefined, "3", 10n];
  for (const bad of hostile) {
    const n = bad as number;
    assert.equal(verifyInclusion(leaves[3], n, 8, proof, root), false);
    assert.equal(verifyInclusion(leaves[3], 3, n, proof, root), false);
    assert.equal(verifyConsistency(n, 8, naiveRoots[3], root, proof), false);
    assert.equal(verifyConsistency(3, n, naiveRoots[3], root, proof), false);
  }
  assert.equal(
    verifyInclusion(leaves[3], 3, 8, [...proof.slice(0, 2), new Uint8Array(31)], root),
    false,
  );
  assert.equal(verifyInclusion(leaves[3], 3, 8, "abc" as unknown as Uint8Array[], root), false);
  assert.equal(verifyInclusion(new Uint8Array(0), 3, 8, proof, root), false);
  const long = Array.from({ length: 100 }, () => leaves[0]);
  assert.equal(verifyInclusion(leaves[3], 3, 8, long, root), false);
  assert.equal(verifyConsistency(3, 8, naiveRoots[3], root, long), false);
});

Deno.test("sizes above 2^32 use arithmetic, not 32-bit bit operations", () => {
  // A huge tree of one repeated leaf: perfect subtree roots are computable by repeated hashing.
  const levels = [leaves[0]];
  for (let i = 0; i < 40; i++) levels.push(nodeHash(levels[i], levels[i]));
  const source: SubtreeSource = {
    subtreeRoot(start, end) {
      // Decompose [start, end) into perfect subtrees left to right and fold them right to left.
      const hashes: Uint8Array[] = [];
      let s = start;
      while (s < end) {
        let w = 1;
        while (s % (w * 2) === 0 && s + w * 2 <= end) w *= 2;
        hashes.push(levels[Math.log2(w)]);
        s += w;
      }
      let r = hashes[hashes.length - 1];
      for (let i = hashes.length - 2; i >= 0; i--) r = nodeHash(hashes[i], r);
      return r;
    },
  };
  const size = 2 ** 33 + 5;
  const root = source.subtreeRoot(0, size);
  const index = 2 ** 32 + 3;
  const proof = inclusionProof(index, size, source);
  assert.ok(verifyInclusion(leaves[0], index, size, proof, root));
  const old = 2 ** 32 + 1;
  const cproof = consistencyProof(old, size, source);
  assert.ok(verifyConsistency(old, size, source.subtreeRoot(0, old), root, cproof));
});
