/**
 * Merkle tree benchmarks.
 *
 * `deno bench bench/merkle_bench.ts` runs the Deno.bench groups (10,000 leaves, baseline = bare
 * SHA-256 of the same number of 65-byte node inputs).
 * `deno run bench/merkle_bench.ts [leaves]` builds a 1,000,000-leaf tree (or `leaves`) and prints
 * leaves/s for leaf hashing plus tree building, and for tree building from precomputed leaf hashes.
 *
 * @module
 */

import { sha256 } from "../src/deps/noble_hashes_sha2.ts";
import { inclusionProof, leafHash, MerkleBuilder } from "../src/checkpoint/merkle.ts";

function leafData(i: number): Uint8Array {
  // A realistic-ish leaf: ~200 bytes of record JSON.
  return new TextEncoder().encode(
    `{"seq":${i},"ts":"2026-01-01T00:00:00Z","actor":"user-${i % 97}","action":"update",` +
      `"target":"doc/${i}","prev_hash":"${"0".repeat(64)}"}`,
  );
}

const SMALL = 10_000;
const smallHashes = Array.from({ length: SMALL }, (_, i) => leafHash(leafData(i)));

Deno.bench("sha256 of 65-byte inputs (baseline)", { group: "build 10k", baseline: true }, () => {
  const buf = new Uint8Array(65);
  for (let i = 0; i < SMALL; i++) sha256(buf);
});

Deno.bench("MerkleBuilder.append + root", { group: "build 10k" }, () => {
  const b = new MerkleBuilder();
  for (const h of smallHashes) b.append(h);
  b.root();
});

Deno.bench("inclusionProof from leaves (default source)", { group: "prove 10k" }, () => {
  inclusionProof(SMALL - 3, SMALL, (i) => smallHashes[i]);
});

if (import.meta.main) {
  const n = Number(Deno.args[0] ?? 1_000_000);
  const rate = (s: number) => Math.round(n / s).toLocaleString("en-US");

  // Streaming, as the log glue will do it: hash each record's leaf data, append, drop it.
  let t0 = performance.now();
  const b1 = new MerkleBuilder();
  for (let i = 0; i < n; i++) b1.append(leafHash(leafData(i)));
  const root1 = b1.root();
  const full = (performance.now() - t0) / 1000;

  // Tree building alone, from leaf hashes computed beforehand.
  const hashes = Array.from({ length: n }, (_, i) => leafHash(leafData(i)));
  t0 = performance.now();
  const b2 = new MerkleBuilder();
  for (const h of hashes) b2.append(h);
  const root2 = b2.root();
  const build = (performance.now() - t0) / 1000;

  if (root1.toHex() !== root2.toHex()) throw new Error("Roots differ between runs");
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`Deno ${Deno.version.deno}, ${n.toLocaleString("en-US")} leaves, load ${load}`);
  console.log(`root ${root1.toHex()}`);
  console.log(`leaf data -> leaf hash -> append: ${full.toFixed(2)} s, ${rate(full)} leaves/s`);
  console.log(`append precomputed leaf hashes: ${build.toFixed(2)} s, ${rate(build)} leaves/s`);
}
