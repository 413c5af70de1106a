// Walks vectors/checkpoint/ and registers one Deno.test per vector file. Values come only from
// the vector files; the tests hold none.
import assert from "node:assert/strict";
import { parseCheckpoint } from "./checkpoint.ts";
import { verifyCosignature } from "./cosignature.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  MerkleBuilder,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";
import { parseNote, parseVerifierKey, verifyNoteSignature } from "./note.ts";
import { parseProof } from "./tlog_proof.ts";

const DIR = new URL("../../vectors/checkpoint/", import.meta.url);
// deno-lint-ignore no-explicit-any
type Vector = Record<string, any>;

const hexes = (xs: string[]) => xs.map((x) => Uint8Array.fromHex(x));

function assertSyntaxError(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointSyntaxError, `expected CheckpointSyntaxError, got ${e}`);
    assert.equal(e.code, code);
    return true;
  });
}

const runners: Record<string, (v: Vector) => Promise<void> | void> = {
  merkle_root(v) {
    const b = new MerkleBuilder();
    for (const leaf of hexes(v.leaves_hex)) b.append(leafHash(leaf));
    assert.equal(b.root().toHex(), v.expected.root_hex);
  },
  inclusion(v) {
    const leaf = leafHash(Uint8Array.fromHex(v.leaf_hex));
    const proof = hexes(v.proof_hex);
    const ok = verifyInclusion(leaf, v.index, v.size, proof, Uint8Array.fromHex(v.root_hex));
    assert.equal(ok, v.expected.valid);
    if (v.expected.valid) {
      const leaves = hexes(v.leaves_hex).map(leafHash);
      const made = inclusionProof(v.index, v.size, (i) => leaves[i]);
      assert.deepEqual(made.map((h) => h.toHex()), v.proof_hex);
    }
  },
  consistency(v) {
    const ok = verifyConsistency(
      v.old_size,
      v.new_size,
      Uint8Array.fromHex(v.old_root_hex),
      Uint8Array.fromHex(v.new_root_hex),
      hexes(v.proof_hex),
    );
    assert.equal(ok, v.expected.valid);
    if (v.expected.valid) {
      const leaves = hexes(v.leaves_hex).map(leafHash);
      const made = consistencyProof(v.old_size, v.new_size, (i) => leaves[i]);
      assert.deepEqual(made.map((h) => h.toHex()), v.proof_hex);
    }
  },
  async note(v) {
    if (v.expected.error) {
      assertSyntaxError(() => parseNote(v.note), v.expected.error);
      return;
    }
    const key = parseVerifierKey(v.vkey);
    const note = parseNote(v.note);
    assert.equal(await verifyNoteSignature(note, key.name, key.publicKey), v.expected.verified);
    if (v.expected.body !== undefined) assert.equal(note.body, v.expected.body);
  },
  vkey(v) {
    if (v.expected.error) {
      assertSyntaxError(() => parseVerifierKey(v.vkey), v.expected.error);
      return;
    }
    const key = parseVerifierKey(v.vkey);
    assert.equal(key.name, v.expected.name);
    assert.equal(key.type, v.expected.type);
    assert.equal(key.keyId.toString(16).padStart(8, "0"), v.expected.key_id_hex);
  },
  checkpoint(v) {
    if (v.expected.error) {
      assertSyntaxError(() => parseCheckpoint(v.body), v.expected.error);
      return;
    }
    const cp = parseCheckpoint(v.body);
    assert.equal(cp.origin, v.expected.origin);
    assert.equal(cp.size, v.expected.size);
    assert.equal(cp.root.toHex(), v.expected.root_hex);
    assert.deepEqual(cp.extensions, v.expected.extensions);
  },
  async cosignature(v) {
    const key = parseVerifierKey(v.vkey);
    const result = await verifyCosignature(parseNote(v.note), key.name, key.publicKey);
    assert.deepEqual(result, v.expected);
  },
  async tlog_proof(v) {
    if (v.expected.error) {
      assertSyntaxError(() => parseProof(v.text), v.expected.error);
      return;
    }
    const proof = parseProof(v.text);
    assert.equal(proof.index, v.expected.index);
    assert.equal(proof.extra?.toHex(), v.expected.extra_hex);
    const key = parseVerifierKey(v.log_vkey);
    const signed = await verifyNoteSignature(proof.note, key.name, key.publicKey);
    const included = verifyInclusion(
      leafHash(Uint8Array.fromHex(v.leaf_hex)),
      proof.index,
      proof.checkpoint.size,
      proof.proof,
      proof.checkpoint.root,
    );
    assert.equal(signed && included, v.expected.valid);
  },
};

const names = [...Deno.readDirSync(DIR)]
  .filter((e) => e.isFile && e.name.endsWith(".json"))
  .map((e) => e.name)
  .sort();

Deno.test("vectors/checkpoint/ holds vectors of every kind the tests know", () => {
  const kinds = new Set(
    names.map((n) => JSON.parse(Deno.readTextFileSync(new URL(n, DIR))).kind),
  );
  assert.deepEqual([...kinds].sort(), Object.keys(runners).sort());
});

for (const name of names) {
  const vector: Vector = JSON.parse(Deno.readTextFileSync(new URL(name, DIR)));
  Deno.test(`vector ${name} gives its expected result (${vector.description})`, async () => {
    const run = runners[vector.kind];
    assert.ok(run, `unknown vector kind ${vector.kind}`);
    await run(vector);
  });
}
