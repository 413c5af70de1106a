/**
 * Redaction and witness quorum, end to end through `verifyWal` and proof bundles.
 */

import assert from "node:assert/strict";
import { createCheckpoint } from "../src/checkpoint/log_checkpoint.ts";
import {
  formatVerifierKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
} from "../src/checkpoint/note.ts";
import { proveInclusion, verifyProofBundle } from "../src/checkpoint/proof_bundle.ts";
import { cosignCheckpoint } from "../src/checkpoint/witness.ts";
import { generateSigningKey, type SigningKey } from "../src/crypto/keys.ts";
import { verifyWal } from "../src/verify/verify_wal.ts";
import { redactRecord } from "../src/wal/redact.ts";
import { listSegments } from "../src/wal/segments.ts";
import { openWal } from "../src/wal/writer.ts";
import { findingKeys } from "./_helpers.ts";

async function makeLog(count: number, key?: SigningKey): Promise<{ dir: string; key: SigningKey }> {
  const dir = `${await Deno.makeTempDir({ prefix: "spine-redact-" })}/audit`;
  key ??= await generateSigningKey();
  const wal = await openWal(dir, { signingKey: key, sync: "none", create: true });
  await wal.appendMany(
    Array.from(
      { length: count },
      (_, i) => ({ event_type: "patient.visit", i, name: `Person ${i}` }),
    ),
  );
  await wal.close();
  return { dir, key };
}

const trust = (key: SigningKey) => ({ trustedKeys: [{ publicKey: key.publicKey }] });

Deno.test("a redacted record verifies as redacted, and the rest of the log, checkpoints and proofs still verify", async () => {
  const { dir, key } = await makeLog(12);
  const cp = await createCheckpoint(dir, key, "example.com/audit");
  await redactRecord(dir, 5, "GDPR erasure request 17", key);
  const text = await Deno.readTextFile(`${dir}/${(await listSegments(dir))[0]}`);
  assert.doesNotMatch(text, /Person 4"/, "the erased payload is gone from the segment");
  const report = await verifyWal(dir, trust(key));
  assert.deepEqual(report.errors, []);
  assert.deepEqual(findingKeys(report.warnings), ["redacted@5"]);
  assert.match(report.warnings[0].details, /GDPR erasure request 17/);
  assert.equal(report.valid, true);
  assert.equal((await verifyWal(dir, { ...trust(key), strict: true })).valid, false);
  // The old checkpoint still matches (leaves do not include the payload).
  const other = await verifyProofBundle(await proveInclusion(dir, 6, cp), [key.publicKey]);
  assert.equal(other.valid, true);
  const redacted = await verifyProofBundle(await proveInclusion(dir, 5, cp), [key.publicKey]);
  assert.equal(redacted.valid, true);
  assert.deepEqual(redacted.warnings.map((w) => w.warning_type), ["redacted"]);
});

Deno.test("a redaction marker signed by a key nobody trusts stays invalid_hash", async () => {
  const { dir, key } = await makeLog(4);
  await redactRecord(dir, 2, "trying to hide something", await generateSigningKey());
  const report = await verifyWal(dir, trust(key));
  assert.deepEqual(findingKeys(report.errors), ["invalid_hash@2"]);
  assert.match(report.errors[0].details, /no trusted key signed/);
});

Deno.test("a redaction signed by a key rotated in later is accepted", async () => {
  const { dir, key } = await makeLog(3);
  const next = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: key, sync: "none" });
  await wal.rotateKey(next, { reason: "scheduled" });
  await wal.close();
  await redactRecord(dir, 2, "erasure after rotation", next);
  const report = await verifyWal(dir, trust(key));
  assert.deepEqual(report.errors, []);
  assert.deepEqual(findingKeys(report.warnings), ["redacted@2"]);
});

Deno.test("redactRecord() refuses a missing record, a second redaction and an empty reason", async () => {
  const { dir, key } = await makeLog(3);
  await assert.rejects(() => redactRecord(dir, 9, "x", key), /No record with seq 9/);
  await redactRecord(dir, 1, "once", key);
  await assert.rejects(() => redactRecord(dir, 1, "twice", key), /already redacted/);
  await assert.rejects(() => redactRecord(dir, 2, " ", key), RangeError);
});

Deno.test("verifyWal() requires the witness quorum on every checkpoint", async () => {
  const { dir, key } = await makeLog(5);
  const cp = await createCheckpoint(dir, key, "example.com/audit");
  const witnesses = await Promise.all([generateSigningKey(), generateSigningKey()]);
  const vkeys = witnesses.map((w, i) =>
    parseVerifierKey(formatVerifierKey(`w${i}`, w.publicKey.bytes, SIG_TYPE_COSIGNATURE_V1))
  );
  const stateDir = await Deno.makeTempDir();
  let note = cp.text;
  const once = await cosignCheckpoint({
    stateDir,
    witnessKey: witnesses[0],
    witnessName: "w0",
    logKeys: [key.publicKey],
    checkpointNote: note,
  });
  await Deno.writeTextFile(cp.file, once.note);
  const needTwo = await verifyWal(dir, { ...trust(key), witnessKeys: vkeys, witnessQuorum: 2 });
  assert.deepEqual(findingKeys(needTwo.errors), ["insufficient_cosignatures@-"]);
  const needOne = await verifyWal(dir, { ...trust(key), witnessKeys: vkeys, witnessQuorum: 1 });
  assert.deepEqual(needOne.errors, []);
  note = (await cosignCheckpoint({
    stateDir: await Deno.makeTempDir(),
    witnessKey: witnesses[1],
    witnessName: "w1",
    logKeys: [key.publicKey],
    checkpointNote: once.note,
  })).note;
  await Deno.writeTextFile(cp.file, note);
  assert.deepEqual(
    (await verifyWal(dir, { ...trust(key), witnessKeys: vkeys, witnessQuorum: 2 })).errors,
    [],
  );
});

Deno.test("verifyWal() reports truncated when records were cut and chain_state.json rewound", async () => {
  const { dir, key } = await makeLog(9);
  await createCheckpoint(dir, key, "example.com/audit");
  const seg = `${dir}/${(await listSegments(dir))[0]}`;
  const lines = (await Deno.readTextFile(seg)).split("\n").filter((l) => l !== "");
  await Deno.writeTextFile(seg, lines.slice(0, 6).map((l) => l + "\n").join(""));
  // Rewind the state file as a careful attacker would: it now agrees with the cut log.
  const wal = await openWal(dir, { signingKey: key, sync: "none" });
  await wal.close();
  const report = await verifyWal(dir, trust(key));
  assert.deepEqual(findingKeys(report.errors), ["truncated@-"]);
  assert.equal(report.warnings.filter((w) => w.warning_type === "chain_state_mismatch").length, 0);
  assert.match(report.errors[0].details, /3 missing from the tail/);
});
