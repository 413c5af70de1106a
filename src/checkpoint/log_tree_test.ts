import assert from "node:assert/strict";
import { lineLeafHash } from "./leaf.ts";
import { scanLogTree } from "./log_tree.ts";
import {
  consistencyProof,
  inclusionProof,
  MerkleBuilder,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

async function logOf(count: number): Promise<{ dir: string; lines: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "spine-tree-" });
  const lines = Array.from(
    { length: count },
    (_, i) => JSON.stringify({ seq: i + 1, payload: { i }, x: "y".repeat(i % 7) }),
  );
  // Two segments, to cross a file boundary.
  const half = Math.floor(count / 2);
  await Deno.writeTextFile(
    `${dir}/segment_a.jsonl`,
    lines.slice(0, half).map((l) => l + "\n").join(""),
  );
  await Deno.writeTextFile(
    `${dir}/segment_b.jsonl`,
    lines.slice(half).map((l) => l + "\n").join("") + '{"torn',
  );
  return { dir, lines };
}

function naiveRoot(lines: string[]): Uint8Array {
  const b = new MerkleBuilder();
  for (const l of lines) b.append(lineLeafHash(new TextEncoder().encode(l)));
  return b.root();
}

Deno.test("scanLogTree() builds the root of every complete line and skips the torn tail", async () => {
  const { dir, lines } = await logOf(600);
  try {
    const tree = await scanLogTree(dir, { rootsAt: [1, 256, 599, 600, 601] });
    assert.equal(tree.size, 600);
    assert.deepEqual(tree.root, naiveRoot(lines));
    assert.deepEqual([...tree.roots.keys()].sort((a, b) => a - b), [1, 256, 599, 600]);
    assert.deepEqual(tree.roots.get(599), naiveRoot(lines.slice(0, 599)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scanLogTree() serves inclusion and consistency proofs that verify, across chunk boundaries", async () => {
  const { dir, lines } = await logOf(1100);
  try {
    for (const index of [0, 255, 256, 700, 1099]) {
      for (const old of [1, 255, 257, 1024]) {
        const tree = await scanLogTree(dir, {
          linesAt: [index],
          chunksAt: [index, old - 1, old],
          rootsAt: [old],
        });
        const proof = inclusionProof(index, tree.size, tree.source);
        const leaf = lineLeafHash(new TextEncoder().encode(lines[index]));
        assert.ok(verifyInclusion(leaf, index, tree.size, proof, tree.root), `inclusion ${index}`);
        assert.equal(new TextDecoder().decode(tree.lines.get(index)), lines[index]);
        const cproof = consistencyProof(old, tree.size, tree.source);
        assert.ok(
          verifyConsistency(old, tree.size, tree.roots.get(old)!, tree.root, cproof),
          `consistency ${old}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lineLeafHash() binds every field but payload and receipt, and raw bytes of non-records", () => {
  const enc = new TextEncoder();
  const base = lineLeafHash(enc.encode('{"seq":1,"event_id":"a","payload":{"x":1}}'));
  assert.deepEqual(
    lineLeafHash(enc.encode('{"event_id":"a","payload":{"x":2},"seq":1,"receipt":null}')),
    base,
  );
  assert.notDeepEqual(lineLeafHash(enc.encode('{"seq":1,"event_id":"b","payload":{"x":1}}')), base);
  assert.notDeepEqual(lineLeafHash(enc.encode("garbage")), lineLeafHash(enc.encode("garbage!")));
});

Deno.test("recordLeafData() gives canonical JSON on every corpus line and on keys that sort around quotes", async () => {
  const { recordLeafData } = await import("./leaf.ts");
  const { canonicalJson } = await import("../format/canonical_json.ts");
  const { parseJson, parseJsonText } = await import("../format/json_parse.ts");
  const context = new TextEncoder().encode("spine.record/v1\n");
  const expected = (record: Map<string, never>) => {
    const bound = new Map([...record].filter(([k]) => k !== "payload" && k !== "receipt"));
    return new Uint8Array([...context, ...canonicalJson(bound)]);
  };
  let checked = 0;
  for (const dir of ["python-small", "node-small", "python-edge", "node-edge"]) {
    const base = new URL(`../../tests/testdata/corpus/${dir}/`, import.meta.url).pathname;
    for (const e of Deno.readDirSync(base)) {
      if (!e.name.endsWith(".jsonl")) continue;
      for (const line of Deno.readTextFileSync(base + e.name).split("\n")) {
        if (line === "") continue;
        const record = parseJson(new TextEncoder().encode(line)) as Map<string, never>;
        assert.deepEqual(recordLeafData(record), expected(record));
        checked++;
      }
    }
  }
  assert.ok(checked > 2000);
  for (
    const text of ['{"ab":1,"ab!":2,"a b":3,"a":-0}', '{"s":"caf\\u00e9","t":"x\\"y"}', '{"n":1.5}']
  ) {
    const record = parseJsonText(text) as Map<string, never>;
    let want: Uint8Array | Error;
    try {
      want = expected(record);
    } catch (e) {
      want = e as Error;
    }
    if (want instanceof Error) assert.throws(() => recordLeafData(record));
    else assert.deepEqual(recordLeafData(record), want);
  }
});

Deno.test("lineLeafHash() gives the strict leaf on every corpus line and every generated vector line", async () => {
  const { lineLeafHash, recordLeafData } = await import("./leaf.ts");
  const { leafHash } = await import("./merkle.ts");
  const { parseJson } = await import("../format/json_parse.ts");
  const enc = new TextEncoder();
  const lines: string[] = [];
  for (const dir of ["python-small", "node-small", "python-edge", "node-edge"]) {
    const base = new URL(`../../tests/testdata/corpus/${dir}/`, import.meta.url).pathname;
    for (const e of Deno.readDirSync(base)) {
      if (e.name.endsWith(".jsonl")) {
        lines.push(...Deno.readTextFileSync(base + e.name).split("\n"));
      }
    }
  }
  const vectors = new URL("../../vectors/verify/", import.meta.url).pathname;
  for (const e of Deno.readDirSync(vectors)) {
    lines.push(...JSON.parse(Deno.readTextFileSync(vectors + e.name)).lines);
  }
  let records = 0;
  for (const line of lines.filter((l) => l !== "")) {
    const bytes = enc.encode(line);
    let strict: Uint8Array;
    try {
      const doc = parseJson(bytes);
      if (!(doc instanceof Map)) throw new TypeError("not an object");
      strict = leafHash(recordLeafData(doc));
      records++;
    } catch {
      strict = leafHash(new Uint8Array([...enc.encode("spine.line/v1\n"), ...bytes]));
    }
    assert.deepEqual(lineLeafHash(bytes), strict, line.slice(0, 80));
  }
  assert.ok(records > 2000);
});

Deno.test("scanLogTree() gives an oversized line the leaf of its length, inside a block or alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spine-tree-" });
  try {
    const small = (i: number) => JSON.stringify({ seq: i, payload: { i } });
    const long = "z".repeat(300 * 1024); // longer than one read, so it comes alone
    const mid = "m".repeat(500); // over the cap below, but inside a block
    const lines = [small(1), mid, small(2), long, small(3)];
    await Deno.writeTextFile(`${dir}/segment_a.jsonl`, lines.map((l) => l + "\n").join("") + "{");
    const tree = await scanLogTree(dir, { maxLineBytes: 400, linesAt: [0, 1, 4] });
    const expected = lines.map((l) => l.length > 400 ? `oversized:${l.length}` : l);
    assert.equal(tree.size, 5);
    assert.deepEqual(tree.root, naiveRoot(expected));
    assert.equal(new TextDecoder().decode(tree.lines.get(1)), `oversized:${mid.length}`);
    assert.equal(new TextDecoder().decode(tree.lines.get(4)), small(3));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
