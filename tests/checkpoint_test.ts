/**
 * Signed checkpoints end to end: what a hash chain cannot see (a cut tail, edits to fields
 * outside the entry hash), and inclusion proof bundles checked offline.
 */

import assert from "node:assert/strict";
import {
  checkCheckpoints,
  createCheckpoint,
  listCheckpointFiles,
  readCheckpointFile,
} from "../src/checkpoint/log_checkpoint.ts";
import { proveInclusion, verifyProofBundle } from "../src/checkpoint/proof_bundle.ts";
import { generateSigningKey, type SigningKey } from "../src/crypto/keys.ts";
import { openWal } from "../src/wal/writer.ts";
import { listSegments } from "../src/wal/segments.ts";

async function makeLog(count: number): Promise<{ dir: string; key: SigningKey }> {
  const dir = `${await Deno.makeTempDir({ prefix: "spine-cp-" })}/audit`;
  const key = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: key, sync: "none", create: true });
  await wal.appendMany(
    Array.from({ length: count }, (_, i) => ({ event_type: "test", i, who: `user-${i}` })),
  );
  await wal.close();
  return { dir, key };
}

async function segmentLines(dir: string): Promise<{ path: string; lines: string[] }> {
  const [name] = await listSegments(dir);
  const path = `${dir}/${name}`;
  return { path, lines: (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "") };
}

async function check(dir: string, key: SigningKey) {
  const stored = await Promise.all((await listCheckpointFiles(dir)).map(readCheckpointFile));
  return await checkCheckpoints(dir, stored, [key.publicKey]);
}

Deno.test("a fresh checkpoint verifies against its own log", async () => {
  const { dir, key } = await makeLog(20);
  const cp = await createCheckpoint(dir, key, "example.com/audit");
  assert.equal(cp.checkpoint.size, 20);
  const { findings, verified } = await check(dir, key);
  assert.deepEqual(findings, []);
  assert.equal(verified.length, 1);
});

for (const k of [1, 2, 7, 20]) {
  Deno.test(`removing the last ${k} records cleanly is reported as truncated by the checkpoint`, async () => {
    const { dir, key } = await makeLog(20);
    await createCheckpoint(dir, key, "example.com/audit");
    const { path, lines } = await segmentLines(dir);
    await Deno.writeTextFile(path, lines.slice(0, 20 - k).map((l) => l + "\n").join(""));
    const { findings } = await check(dir, key);
    assert.deepEqual(findings.map((f) => f.type), ["truncated"]);
    assert.match(findings[0].details, new RegExp(`${k} missing from the tail`));
  });
}

for (const field of ["event_id", "stream_id", "key_id"]) {
  Deno.test(`editing ${field} of a checkpointed record makes the checkpoint fail`, async () => {
    const { dir, key } = await makeLog(10);
    await createCheckpoint(dir, key, "example.com/audit");
    const { path, lines } = await segmentLines(dir);
    const rec = JSON.parse(lines[4]);
    lines[4] = lines[4].replace(`"${field}":"${rec[field]}"`, `"${field}":"${rec[field]}x"`);
    await Deno.writeTextFile(path, lines.map((l) => l + "\n").join(""));
    const { findings } = await check(dir, key);
    assert.deepEqual(findings.map((f) => f.type), ["checkpoint_mismatch"]);
  });
}

Deno.test("editing any non-payload field of any checkpointed record makes the checkpoint fail", async () => {
  const { dir, key } = await makeLog(6);
  await createCheckpoint(dir, key, "example.com/audit");
  const { path, lines } = await segmentLines(dir);
  const original = lines.map((l) => l + "\n").join("");
  let cases = 0;
  for (let i = 0; i < lines.length; i++) {
    const rec = JSON.parse(lines[i]);
    for (const field of Object.keys(rec).filter((f) => f !== "payload")) {
      const value = JSON.stringify(rec[field]);
      // Change one character of the value's text, keeping it valid JSON of the same type.
      const edited = typeof rec[field] === "number"
        ? String(rec[field] + 1)
        : JSON.stringify(flip(rec[field]));
      const copy = [...lines];
      copy[i] = lines[i].replace(`"${field}":${value}`, `"${field}":${edited}`);
      assert.notEqual(copy[i], lines[i]);
      await Deno.writeTextFile(path, copy.map((l) => l + "\n").join(""));
      const { findings } = await check(dir, key);
      assert.deepEqual(
        findings.map((f) => f.type),
        ["checkpoint_mismatch"],
        `${field} of line ${i + 1}`,
      );
      cases++;
    }
  }
  await Deno.writeTextFile(path, original);
  assert.deepEqual((await check(dir, key)).findings, []);
  assert.equal(cases, 6 * 11);
});

function flip(s: string): string {
  const last = s.at(-1)!;
  return s.slice(0, -1) + (last === "0" ? "1" : last === "a" ? "b" : last === "Z" ? "Y" : "0");
}

Deno.test("a checkpoint signed by an unpinned key is an invalid_checkpoint", async () => {
  const { dir, key } = await makeLog(5);
  await createCheckpoint(dir, await generateSigningKey(), "example.com/audit");
  const { findings } = await check(dir, key);
  assert.deepEqual(findings.map((f) => f.type), ["invalid_checkpoint"]);
});

Deno.test("an inclusion proof bundle verifies offline, and every single-byte change fails it", async () => {
  const { dir, key } = await makeLog(37);
  const cp = await createCheckpoint(dir, key, "example.com/audit");
  const bundle = await proveInclusion(dir, 23, cp);
  const ok = await verifyProofBundle(bundle, [key.publicKey]);
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.valid, true);
  assert.equal(ok.seq, 23);
  assert.equal(ok.index, 22);
  const bytes = new TextEncoder().encode(bundle);
  let survived = 0;
  for (let i = 0; i < bytes.length; i++) {
    const changed = bytes.slice();
    changed[i] ^= 0x01;
    if ((await verifyProofBundle(changed, [key.publicKey])).valid) survived++;
  }
  assert.equal(survived, 0, "some single-byte change still verified");
  const stranger = await generateSigningKey();
  assert.equal((await verifyProofBundle(bundle, [stranger.publicKey])).valid, false);
});

Deno.test("the writer signs checkpoints every N records and on close, and they verify", async () => {
  const dir = `${await Deno.makeTempDir({ prefix: "spine-cp-auto-" })}/audit`;
  const key = await generateSigningKey();
  const wal = await openWal(dir, {
    signingKey: key,
    sync: "none",
    create: true,
    checkpoint: { every: 4, onClose: true },
  });
  for (let i = 0; i < 10; i++) await wal.append({ event_type: "tick", i });
  const beforeClose = (await Promise.all((await listCheckpointFiles(dir)).map(readCheckpointFile)))
    .map((c) => c.checkpoint.size);
  assert.deepEqual(beforeClose, [4, 8]);
  await wal.close();
  const stored = await Promise.all((await listCheckpointFiles(dir)).map(readCheckpointFile));
  assert.deepEqual(stored.map((c) => c.checkpoint.size), [4, 8, 10]);
  const { findings, verified } = await checkCheckpoints(dir, stored, [key.publicKey]);
  assert.deepEqual(findings, []);
  assert.equal(verified.length, 3);
});
