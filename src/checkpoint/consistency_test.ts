import assert from "node:assert/strict";
import { signingKeyFromSeed } from "../crypto/keys.ts";
import { formatCheckpoint } from "./checkpoint.ts";
import {
  CONSISTENCY_PROOF_HEADER,
  formatConsistencyProof,
  LogMismatchError,
  MAX_CONSISTENCY_HASHES,
  parseConsistencyProof,
  proveConsistency,
} from "./consistency.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { lineLeafHash } from "./leaf.ts";
import { MerkleBuilder, verifyConsistency } from "./merkle.ts";
import { formatNote, signNote } from "./note.ts";

const ORIGIN = "example.com/consistency-test";
const logKey = await signingKeyFromSeed(new Uint8Array(32).fill(11));
const H = (byte: number) => new Uint8Array(32).fill(byte);
const B64 = (byte: number) => H(byte).toBase64();

function lineText(i: number, tag = "a"): string {
  return JSON.stringify({ seq: i + 1, tag, payload: { i } });
}

async function writeLog(lines: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "spine-consistency-" });
  await Deno.writeTextFile(`${dir}/segment_0001.jsonl`, lines.map((l) => l + "\n").join(""));
  return dir;
}

function rootOf(lines: string[]): Uint8Array {
  const b = new MerkleBuilder();
  for (const l of lines) b.append(lineLeafHash(new TextEncoder().encode(l)));
  return b.root();
}

async function checkpointNote(lines: string[], origin = ORIGIN): Promise<string> {
  const body = formatCheckpoint({ origin, size: lines.length, root: rootOf(lines) });
  const sig = await signNote(body, origin, (m) => logKey.sign(m), logKey.publicKey.bytes);
  return formatNote(body, [sig]);
}

Deno.test("formatConsistencyProof() and parseConsistencyProof() round-trip every proof length", () => {
  for (
    const [oldSize, newSize, count] of [[0, 0, 0], [0, 5, 0], [3, 3, 0], [1, 2, 1], [
      7,
      9007199254740991,
      MAX_CONSISTENCY_HASHES,
    ]]
  ) {
    const proof = Array.from({ length: count }, (_, i) => H(i));
    const text = formatConsistencyProof({ oldSize, newSize, proof });
    assert.ok(text.startsWith(`${CONSISTENCY_PROOF_HEADER}\nold ${oldSize}\nnew ${newSize}\n`));
    assert.deepEqual(parseConsistencyProof(text), { oldSize, newSize, proof });
    assert.deepEqual(parseConsistencyProof(new TextEncoder().encode(text)), {
      oldSize,
      newSize,
      proof,
    });
  }
});

Deno.test("formatConsistencyProof() writes the header, one line per size and one line per hash", () => {
  const text = formatConsistencyProof({ oldSize: 1, newSize: 2, proof: [H(0)] });
  assert.equal(
    text,
    "spine.dev/consistency-proof@v1\nold 1\nnew 2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
  );
});

Deno.test("formatConsistencyProof() rejects bad sizes, too many hashes and short hashes", () => {
  assert.throws(() => formatConsistencyProof({ oldSize: 5, newSize: 4, proof: [] }), RangeError);
  assert.throws(() => formatConsistencyProof({ oldSize: -1, newSize: 4, proof: [] }), RangeError);
  assert.throws(() => formatConsistencyProof({ oldSize: 1.5, newSize: 4, proof: [] }), RangeError);
  assert.throws(
    () => formatConsistencyProof({ oldSize: 0, newSize: 2 ** 53, proof: [] }),
    RangeError,
  );
  assert.throws(
    () =>
      formatConsistencyProof({
        oldSize: 1,
        newSize: 2,
        proof: Array.from({ length: 64 }, () => H(1)),
      }),
    RangeError,
  );
  assert.throws(
    () => formatConsistencyProof({ oldSize: 1, newSize: 2, proof: [new Uint8Array(31)] }),
    TypeError,
  );
});

const HEAD = `${CONSISTENCY_PROOF_HEADER}\n`;
const MALFORMED: [string, string | Uint8Array, string, number][] = [
  ["empty text", "", "invalid_header", 1],
  ["a newline only", "\n", "invalid_header", 1],
  ["another version", "spine.dev/consistency-proof@v2\nold 1\nnew 2\n", "invalid_header", 1],
  ["the tlog-proof header", "c2sp.org/tlog-proof@v1\nold 1\nnew 2\n", "invalid_header", 1],
  [
    "a header with a trailing space",
    `${CONSISTENCY_PROOF_HEADER} \nold 1\nnew 1\n`,
    "invalid_header",
    1,
  ],
  ["CRLF line endings", `${CONSISTENCY_PROOF_HEADER}\r\nold 1\r\nnew 1\r\n`, "invalid_header", 1],
  ["a leading blank line", `\n${HEAD}old 1\nnew 1\n`, "invalid_header", 1],
  ["no trailing newline", `${HEAD}old 1\nnew 1`, "missing_newline", 3],
  ["no trailing newline after a hash", `${HEAD}old 1\nnew 2\n${B64(1)}`, "missing_newline", 4],
  ["the header only", HEAD, "missing_line", 2],
  ["no new line", `${HEAD}old 1\n`, "missing_line", 3],
  ["a leading zero in old", `${HEAD}old 01\nnew 2\n`, "invalid_tree_size", 2],
  ["a leading zero in new", `${HEAD}old 1\nnew 02\n`, "invalid_tree_size", 3],
  ["a negative size", `${HEAD}old -1\nnew 2\n`, "invalid_tree_size", 2],
  ["a plus sign", `${HEAD}old +1\nnew 2\n`, "invalid_tree_size", 2],
  ["a fraction", `${HEAD}old 1.0\nnew 2\n`, "invalid_tree_size", 2],
  ["an exponent", `${HEAD}old 1e1\nnew 20\n`, "invalid_tree_size", 2],
  ["two spaces", `${HEAD}old  1\nnew 2\n`, "invalid_tree_size", 2],
  ["a tab", `${HEAD}old\t1\nnew 2\n`, "invalid_tree_size", 2],
  ["an empty size", `${HEAD}old \nnew 2\n`, "invalid_tree_size", 2],
  ["a size of 2^53", `${HEAD}old 1\nnew 9007199254740992\n`, "invalid_tree_size", 3],
  ["a huge size", `${HEAD}old 1\nnew ${"9".repeat(400)}\n`, "invalid_tree_size", 3],
  ["swapped labels", `${HEAD}new 2\nold 1\n`, "invalid_tree_size", 2],
  ["upper-case labels", `${HEAD}OLD 1\nNEW 2\n`, "invalid_tree_size", 2],
  ["old larger than new", `${HEAD}old 3\nnew 2\n`, "invalid_tree_size", 3],
  [
    "a blank line between hashes",
    `${HEAD}old 1\nnew 3\n${B64(1)}\n\n${B64(2)}\n`,
    "invalid_proof_hash",
    5,
  ],
  ["an extra trailing newline", `${HEAD}old 1\nnew 2\n${B64(1)}\n\n`, "invalid_proof_hash", 5],
  ["a blank line after the sizes", `${HEAD}old 1\nnew 1\n\n`, "invalid_proof_hash", 4],
  [
    "a 31-byte hash",
    `${HEAD}old 1\nnew 2\n${new Uint8Array(31).toBase64()}\n`,
    "invalid_proof_hash",
    4,
  ],
  [
    "a 33-byte hash",
    `${HEAD}old 1\nnew 2\n${new Uint8Array(33).toBase64()}\n`,
    "invalid_proof_hash",
    4,
  ],
  ["missing padding", `${HEAD}old 1\nnew 2\n${B64(1).slice(0, -1)}\n`, "invalid_proof_hash", 4],
  ["non-zero pad bits", `${HEAD}old 1\nnew 2\n${"A".repeat(42)}B=\n`, "invalid_proof_hash", 4],
  ["the URL alphabet", `${HEAD}old 1\nnew 2\n${"_".repeat(43)}=\n`, "invalid_proof_hash", 4],
  ["a trailing space on a hash", `${HEAD}old 1\nnew 2\n${B64(1)} \n`, "invalid_proof_hash", 4],
  ["a hex hash", `${HEAD}old 1\nnew 2\n${"00".repeat(32)}\n`, "invalid_proof_hash", 4],
  ["a trailing extension line", `${HEAD}old 1\nnew 2\nextra AAAA\n`, "invalid_proof_hash", 4],
  ["a lone surrogate", `${HEAD}old 1\nnew 2\n\ud800\n`, "invalid_proof_hash", 4],
  [
    "64 hashes",
    `${HEAD}old 1\nnew 2\n${`${B64(1)}\n`.repeat(64)}`,
    "too_many_proof_hashes",
    67,
  ],
  ["text over the size cap", `${HEAD}old 1\nnew 2\n${"A".repeat(5000)}\n`, "too_large", 1],
  ["bytes over the size cap", new Uint8Array(4097).fill(0x41), "too_large", 1],
  ["10 MB of text", "A".repeat(10 * 1024 * 1024), "too_large", 1],
  [
    "invalid UTF-8",
    new Uint8Array([...new TextEncoder().encode(`${HEAD}old 1\nnew 2\n`), 0xff, 0x0a]),
    "invalid_utf8",
    1,
  ],
];

for (const [what, input, code, line] of MALFORMED) {
  Deno.test(`parseConsistencyProof() rejects ${what} with ${code} at line ${line}`, () => {
    assert.throws(
      () => parseConsistencyProof(input, { file: "p.txt" }),
      (e: unknown) => {
        assert.ok(e instanceof CheckpointSyntaxError, String(e));
        assert.equal(e.code, code, e.message);
        assert.equal(e.line, line, e.message);
        assert.equal(e.file, "p.txt");
        assert.match(e.message, /^Cannot parse p\.txt:\d+ \(byte \d+\): /);
        return true;
      },
    );
  });
}

Deno.test("parseConsistencyProof() reports the byte offset of the bad line", () => {
  assert.throws(
    () => parseConsistencyProof(`${HEAD}old 1\nnew x\n`),
    (e: unknown) => e instanceof CheckpointSyntaxError && e.offset === HEAD.length + 6,
  );
});

Deno.test("parseConsistencyProof() rejects a value that is neither text nor bytes with a TypeError", () => {
  assert.throws(() => parseConsistencyProof(42 as unknown as string), TypeError);
});

Deno.test("proveConsistency() returns a proof that verifies between the two checkpoints, across chunk boundaries", async () => {
  const lines = Array.from({ length: 600 }, (_, i) => lineText(i));
  const dir = await writeLog(lines);
  try {
    for (
      const [m, n] of [[0, 600], [1, 600], [255, 600], [256, 600], [257, 300], [600, 600], [3, 7]]
    ) {
      const text = await proveConsistency(
        dir,
        await checkpointNote(lines.slice(0, m)),
        await checkpointNote(lines.slice(0, n)),
      );
      const p = parseConsistencyProof(text);
      assert.deepEqual([p.oldSize, p.newSize], [m, n]);
      assert.ok(
        verifyConsistency(m, n, rootOf(lines.slice(0, m)), rootOf(lines.slice(0, n)), p.proof),
        `${m} -> ${n}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proveConsistency() names the fork when the log was rewritten below the old checkpoint", async () => {
  const original = Array.from({ length: 8 }, (_, i) => lineText(i));
  const oldNote = await checkpointNote(original.slice(0, 5));
  const rewritten = original.map((l, i) => (i === 2 ? lineText(i, "edited") : l));
  const dir = await writeLog(rewritten);
  try {
    await assert.rejects(
      proveConsistency(dir, oldNote, await checkpointNote(rewritten)),
      (e: unknown) => {
        assert.ok(e instanceof LogMismatchError);
        assert.equal(e.checkpoint, "old");
        assert.equal(e.size, 5);
        assert.equal(
          e.message,
          "Log root at size 5 differs from the old checkpoint: the log was rewritten",
        );
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proveConsistency() refuses a new checkpoint whose root the log does not have", async () => {
  const lines = Array.from({ length: 8 }, (_, i) => lineText(i));
  const other = lines.map((l, i) => (i === 6 ? lineText(i, "other") : l));
  const dir = await writeLog(lines);
  try {
    await assert.rejects(
      proveConsistency(dir, await checkpointNote(lines.slice(0, 4)), await checkpointNote(other)),
      (e: unknown) =>
        e instanceof LogMismatchError && e.checkpoint === "new" &&
        e.message === "Log root at size 8 differs from the new checkpoint: the log was rewritten",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proveConsistency() reports a log shorter than the new checkpoint as truncated", async () => {
  const lines = Array.from({ length: 8 }, (_, i) => lineText(i));
  const dir = await writeLog(lines.slice(0, 6));
  try {
    await assert.rejects(
      proveConsistency(dir, await checkpointNote(lines.slice(0, 4)), await checkpointNote(lines)),
      (e: unknown) =>
        e instanceof LogMismatchError && /Log has 6 records, fewer than .* size 8/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proveConsistency() refuses checkpoints of two origins, or in the wrong order", async () => {
  const lines = Array.from({ length: 8 }, (_, i) => lineText(i));
  const dir = await writeLog(lines);
  try {
    await assert.rejects(
      proveConsistency(
        dir,
        await checkpointNote(lines.slice(0, 4), "example.com/other"),
        await checkpointNote(lines),
      ),
      RangeError,
    );
    await assert.rejects(
      proveConsistency(dir, await checkpointNote(lines), await checkpointNote(lines.slice(0, 4))),
      /Old checkpoint size 8 is larger than new checkpoint size 4/,
    );
    await assert.rejects(
      proveConsistency(dir, "not a note\n", await checkpointNote(lines)),
      CheckpointSyntaxError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the literal example of spec/checkpoint.md is the published 6-to-8 consistency vector", async () => {
  const root = new URL("../../", import.meta.url);
  const vector = JSON.parse(
    await Deno.readTextFile(new URL("vectors/checkpoint/consistency_6_to_8.json", root)),
  );
  const text = formatConsistencyProof({
    oldSize: vector.old_size,
    newSize: vector.new_size,
    proof: vector.proof_hex.map((h: string) => Uint8Array.fromHex(h)),
  });
  const spec = await Deno.readTextFile(new URL("spec/checkpoint.md", root));
  assert.ok(spec.includes("```\n" + text + "```\n"), "spec example differs from the vector");
  const p = parseConsistencyProof(text);
  assert.ok(
    verifyConsistency(
      6,
      8,
      Uint8Array.fromHex(vector.old_root_hex),
      Uint8Array.fromHex(vector.new_root_hex),
      p.proof,
    ),
  );
});
