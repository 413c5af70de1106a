import assert from "node:assert/strict";
import { testKey } from "./_test_keys.ts";
import { formatCheckpoint } from "./checkpoint.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { inclusionProof, leafHash, MerkleBuilder, verifyInclusion } from "./merkle.ts";
import { formatNote, signNote } from "./note.ts";
import { formatProof, parseProof } from "./tlog_proof.ts";

const log = await testKey("tlog_proof_test: log");
const leaves = Array.from({ length: 11 }, (_, i) => leafHash(new Uint8Array([i])));
const builder = new MerkleBuilder();
for (const l of leaves) builder.append(l);
const body = formatCheckpoint({ origin: "example.com/log", size: 11, root: builder.root() });
const note = formatNote(body, [await signNote(body, "example.com/log", log.sign, log.publicKey)]);

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointSyntaxError, String(e));
    assert.equal(e.code, code);
    return true;
  });
}

Deno.test("formatProof output parses back to the same index, hashes, extra and checkpoint", () => {
  for (const extra of [undefined, new Uint8Array([1, 2, 3])]) {
    const proof = inclusionProof(9, 11, (i) => leaves[i]);
    const text = formatProof({ extra, index: 9, proof, checkpoint: note });
    const parsed = parseProof(text);
    assert.equal(parsed.index, 9);
    assert.deepEqual(parsed.extra, extra);
    assert.deepEqual(parsed.proof, proof);
    assert.equal(parsed.checkpointText, note);
    assert.equal(parsed.checkpoint.size, 11);
    assert.ok(verifyInclusion(leaves[9], parsed.index, 11, parsed.proof, parsed.checkpoint.root));
    assert.equal(formatProof({ ...parsed, checkpoint: parsed.checkpointText }), text);
  }
});

Deno.test("parseProof rejects hostile proofs with a specific code", () => {
  const good = formatProof({
    index: 3,
    proof: inclusionProof(3, 11, (i) => leaves[i]),
    checkpoint: note,
  });
  const cases: [string | Uint8Array, string][] = [
    [good.replace("c2sp.org/tlog-proof@v1", "C2SP.org/tlog-proof@v1"), "invalid_header"],
    [good.replace("index 3", "index -3"), "invalid_index"],
    [good.replace("index 3", "index 3.0"), "invalid_index"],
    [good.replace("index 3", "index  3"), "invalid_index"],
    [good.replace("index 3", "index 99999999999999999999"), "invalid_index"],
    [good.replace("index 3", "index 11"), "index_out_of_range"],
    [good.replace("\nindex", "\nextra @@\nindex"), "invalid_extra"],
    [good.replace("index 3\n", "index 3\nAAAA\n"), "invalid_proof_hash"],
    [good.replace("index 3\n", "index 3\n" + "A".repeat(100) + "\n"), "invalid_proof_hash"],
    [
      good.replace(
        "index 3\n",
        "index 3\n" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".repeat(64),
      ),
      "too_many_proof_hashes",
    ],
    ["c2sp.org/tlog-proof@v1\nindex 3\n", "missing_line"],
    [good.replace("\n\u2014", "\n-"), "malformed_signature_line"],
    [good.replace("example.com/log\n11\n", "example.com/log\n011\n"), "invalid_tree_size"],
    [new Uint8Array([0xc0, 0x80]), "invalid_utf8"],
    ["x".repeat(10 * 1024 * 1024), "too_large"],
  ];
  for (const [text, code] of cases) assertCode(() => parseProof(text), code);
  assert.throws(() => parseProof({} as unknown as string), TypeError);
});

Deno.test("parseProof locates errors inside the embedded checkpoint on the proof's own lines", () => {
  const good = formatProof({
    index: 0,
    proof: inclusionProof(0, 11, (i) => leaves[i]),
    checkpoint: note,
  });
  const lines = good.split("\n");
  const sizeLine = lines.indexOf("11") + 1;
  assert.throws(
    () => parseProof(good.replace("\n11\n", "\n011\n"), { file: "x.tlog-proof" }),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointSyntaxError);
      assert.equal(e.line, sizeLine);
      assert.equal(e.file, "x.tlog-proof");
      return true;
    },
  );
});

Deno.test("formatProof refuses values it could not parse back", () => {
  const proof = inclusionProof(0, 11, (i) => leaves[i]);
  assert.throws(() => formatProof({ index: 11, proof, checkpoint: note }), RangeError);
  assert.throws(() => formatProof({ index: -1, proof, checkpoint: note }), RangeError);
  assert.throws(
    () => formatProof({ index: 0, proof, checkpoint: note, extra: new Uint8Array() }),
    RangeError,
  );
  assert.throws(
    () => formatProof({ index: 0, proof: [new Uint8Array(31)], checkpoint: note }),
    TypeError,
  );
  assert.throws(() => formatProof({ index: 0, proof, checkpoint: body }), CheckpointSyntaxError);
});
