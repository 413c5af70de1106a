import assert from "node:assert/strict";
import { generateSigningKey, signingKeyFromSeed } from "../crypto/keys.ts";
import { verifyWal } from "../verify/verify_wal.ts";
import { PayloadError } from "./payload.ts";
import { WalError } from "./errors.ts";
import { createWal, openWal } from "./writer.ts";

async function fresh(): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "spine-writer-" })}/audit`;
}

function segments(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".jsonl")).sort();
}

function records(dir: string): Record<string, unknown>[] {
  return segments(dir).flatMap((s) =>
    Deno.readTextFileSync(`${dir}/${s}`).split("\n").filter(Boolean).map((l) => JSON.parse(l))
  );
}

Deno.test("openWal({create}) then append() and appendMany() chain records 1..n that verify", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: key, create: { namespace: "t" } });
  const a = await wal.append({ event_type: "one" });
  const many = await wal.appendMany([{ n: 2 }, { n: 3 }, { n: 4 }]);
  await wal.close();
  assert.deepEqual([a, ...many].map((r) => r.seq), [1, 2, 3, 4]);
  assert.match(a.eventId, /^evt_[0-9a-f-]{36}$/);
  const report = await verifyWal(dir, {
    trustedKeys: [{ publicKey: key.publicKey }],
    strict: true,
  });
  assert.equal(report.valid, true, JSON.stringify(report));
  assert.equal(report.head_entry_hash, many[2].entryHash);
});

Deno.test("appendMany() refuses a whole batch when one payload is invalid, writing nothing", async () => {
  const dir = await fresh();
  const wal = await openWal(dir, { signingKey: await generateSigningKey(), create: true });
  assert.throws(
    () => wal.appendMany([{ ok: 1 }, { bad: 0.5 }]),
    (e) => e instanceof PayloadError && /payloads\[1\]/.test(e.message) && e.path === "$.bad",
  );
  await assert.rejects(wal.append([1, 2]), PayloadError);
  await wal.close();
  assert.equal(records(dir).length, 0);
});

Deno.test("two Wal instances on one directory interleave appends into one contiguous chain", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  await createWal(dir, { signingKey: key });
  const a = await openWal(dir, { signingKey: key, sync: "none" });
  const b = await openWal(dir, { signingKey: key, sync: "none" });
  await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).append({ i })));
  await Promise.all([a.close(), b.close()]);
  assert.deepEqual(records(dir).map((r) => r.seq), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.equal((await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] })).valid, true);
});

Deno.test("timestamps never go backwards even when the clock does", async () => {
  const dir = await fresh();
  let now = 1_800_000_000_000_000_000n;
  const wal = await openWal(dir, {
    signingKey: await generateSigningKey(),
    create: true,
    clock: () => now,
  });
  await wal.append({ n: 1 });
  now -= 5_000_000_000n;
  const r = await wal.append({ n: 2 });
  await wal.close();
  const [first, second] = records(dir);
  assert.equal(first.ts_client, second.ts_client);
  assert.equal(r.tsClient, first.ts_client);
});

Deno.test("segments roll over at segmentMaxBytes and a record larger than the limit gets its own segment", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  const wal = await openWal(dir, {
    signingKey: key,
    create: true,
    segmentMaxBytes: 1500,
    sync: "batch",
  });
  await wal.appendMany(Array.from({ length: 12 }, (_, i) => ({ i })));
  await wal.append({ big: "x".repeat(3000) });
  await wal.append({ after: true });
  await wal.close();
  const segs = segments(dir);
  assert.ok(segs.length >= 5);
  for (const s of segs) {
    const text = Deno.readTextFileSync(`${dir}/${s}`);
    assert.ok(text.length <= 1500 || text.split("\n").filter(Boolean).length === 1, s);
  }
  assert.deepEqual(records(dir).map((r) => r.seq), Array.from({ length: 14 }, (_, i) => i + 1));
  assert.equal(
    (await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }], strict: true })).valid,
    true,
  );
});

Deno.test("opening a WAL with a torn final line quarantines it and reports it in recovered", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  const w1 = await openWal(dir, { signingKey: key, create: true });
  await w1.append({ n: 1 });
  await w1.close();
  const seg = segments(dir).at(-1)!;
  await Deno.writeTextFile(`${dir}/${seg}`, '{"seq":2,"torn', { append: true });
  const w2 = await openWal(dir, { signingKey: key });
  assert.equal(w2.recovered.length, 1);
  const rec = w2.recovered[0];
  assert.equal(rec.kind, "torn_tail");
  if (rec.kind === "torn_tail") {
    assert.equal(rec.bytes, 14);
    assert.equal(Deno.readTextFileSync(`${dir}/${rec.file}`), '{"seq":2,"torn');
  }
  assert.equal((await w2.append({ n: 2 })).seq, 2);
  await w2.close();
  assert.equal(
    (await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }], strict: true })).valid,
    true,
  );
});

Deno.test("a missing, stale or invalid chain_state.json is rebuilt from the log", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  const w = await openWal(dir, { signingKey: key, create: true });
  const { entryHash } = await w.append({ n: 1 });
  await w.close();
  // Missing and behind (other writers appended since): rebuilt silently; ahead or unreadable: reported.
  for (
    const [bad, reported] of [
      [null, false],
      ['{"stream_id":"x","seq":0,"prev_hash":"00"}', false],
      ['{"stream_id":"x","seq":9,"prev_hash":"00"}', true],
      ["not json", true],
    ] as const
  ) {
    if (bad === null) await Deno.remove(`${dir}/chain_state.json`);
    else await Deno.writeTextFile(`${dir}/chain_state.json`, bad);
    const again = await openWal(dir, { signingKey: key });
    assert.equal(again.recovered.some((r) => r.kind === "chain_state_rebuilt"), reported);
    await again.close();
    const state = JSON.parse(await Deno.readTextFile(`${dir}/chain_state.json`));
    assert.equal(state.seq, 1);
    assert.equal(state.prev_hash, entryHash);
  }
});

Deno.test("rotateKey() switches to the new key and revokeKey() records a revocation the verifier enforces", async () => {
  const dir = await fresh();
  const root = await signingKeyFromSeed(new Uint8Array(32).fill(1));
  const next = await signingKeyFromSeed(new Uint8Array(32).fill(2));
  const other = await signingKeyFromSeed(new Uint8Array(32).fill(3));
  const wal = await openWal(dir, { signingKey: root, create: true });
  await wal.append({ n: 1 });
  const rot = await wal.rotateKey(next, { reason: "scheduled" });
  assert.equal(wal.signingKey, next);
  await wal.append({ n: 3 });
  await assert.rejects(wal.revokeKey(next.publicKey, { reason: "x" }), RangeError);
  const rev = await wal.revokeKey(other.publicKey, { reason: "lost" });
  await wal.close();
  const recs = records(dir);
  assert.deepEqual(recs[rot.seq - 1].payload, {
    effective_seq: 3,
    new_key_id: next.keyId,
    new_public_key: next.publicKey.hex,
    reason: "scheduled",
    type: "key_rotation",
  });
  assert.equal(recs[rot.seq - 1].public_key, root.publicKey.hex);
  assert.equal(recs[rev.seq - 1].public_key, next.publicKey.hex);
  const trusted = [{ publicKey: root.publicKey }, { publicKey: other.publicKey }];
  assert.equal((await verifyWal(dir, { trustedKeys: trusted })).valid, true);
  const late = await openWal(dir, { signingKey: other });
  await late.append({ n: 5 });
  await late.close();
  const report = await verifyWal(dir, { trustedKeys: trusted });
  assert.deepEqual(report.errors.map((e) => `${e.error_type}@${e.sequence}`), ["revoked_key@5"]);
});

Deno.test("a key rotated out by the last record may not append", async () => {
  const dir = await fresh();
  const root = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: root, create: true });
  await wal.rotateKey(await generateSigningKey());
  await wal.close();
  const stale = await openWal(dir, { signingKey: root });
  await assert.rejects(stale.append({ n: 1 }), WalError, "may no longer append");
  await stale.close();
});

Deno.test("openWal() refuses a missing directory, a non-WAL directory and bad options", async () => {
  const key = await generateSigningKey();
  const dir = await fresh();
  await assert.rejects(openWal(dir, { signingKey: key }), WalError, "does not exist");
  await Deno.mkdir(dir);
  await assert.rejects(openWal(dir, { signingKey: key }), WalError, "is not a Spine WAL");
  await assert.rejects(openWal(dir, { signingKey: key, sync: "sometimes" as "none" }), TypeError);
  await assert.rejects(openWal(dir, { signingKey: key, segmentMaxBytes: 0 }), RangeError);
  await assert.rejects(createWal(dir).then(() => createWal(dir)), WalError, "already a Spine WAL");
});

Deno.test("the writer refuses to chain onto a last record it cannot parse", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  await createWal(dir, { signingKey: key });
  await Deno.writeTextFile(`${dir}/${segments(dir)[0]}`, "garbage\n");
  await assert.rejects(
    openWal(dir, { signingKey: key }),
    WalError,
    "Cannot append after the last record",
  );
});

Deno.test("appends issued without awaiting are chained ahead, signed in the worker, and land in call order", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: key, create: true, sync: "batch" });
  const batches = Array.from(
    { length: 5 },
    (_, b) => Array.from({ length: 100 }, (_, i) => ({ b, i })),
  );
  const results = await Promise.all(batches.map((batch) => wal.appendMany(batch)));
  await wal.close();
  assert.deepEqual(
    results.flat().map((r) => r.seq),
    Array.from({ length: 500 }, (_, i) => i + 1),
  );
  const recs = records(dir);
  assert.deepEqual(recs.map((r) => (r.payload as { b: number }).b), batches.flat().map((p) => p.b));
  const report = await verifyWal(dir, {
    trustedKeys: [{ publicKey: key.publicKey }],
    strict: true,
  });
  assert.equal(report.valid, true, JSON.stringify(report.errors));
  assert.equal(report.head_entry_hash, results[4][99].entryHash);
});

Deno.test("a batch chained onto a head another writer has since moved is chained again onto the real head", async () => {
  const dir = await fresh();
  const key = await generateSigningKey();
  await createWal(dir, { signingKey: key });
  const a = await openWal(dir, { signingKey: key });
  const b = await openWal(dir, { signingKey: key });
  await b.appendMany(Array.from({ length: 70 }, (_, i) => ({ by: "b", i })));
  const fromA = await a.appendMany(Array.from({ length: 70 }, (_, i) => ({ by: "a", i })));
  await b.append({ by: "b", last: true });
  await Promise.all([a.close(), b.close()]);
  assert.deepEqual(fromA.map((r) => r.seq), Array.from({ length: 70 }, (_, i) => i + 71));
  assert.deepEqual(records(dir).map((r) => r.seq), Array.from({ length: 141 }, (_, i) => i + 1));
  assert.equal((await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] })).valid, true);
});

Deno.test("an append chained onto one that failed fails too; a later one is chained afresh", async () => {
  const dir = await fresh();
  const root = await generateSigningKey();
  await createWal(dir, { signingKey: root });
  const a = await openWal(dir, { signingKey: root });
  const b = await openWal(dir, { signingKey: root });
  await b.rotateKey(await generateSigningKey()); // `a` does not know yet
  const first = a.append({ n: 1 });
  const second = a.append({ n: 2 });
  await assert.rejects(first, WalError, "may no longer append");
  await assert.rejects(second, WalError, "an earlier append of this writer failed");
  await assert.rejects(a.append({ n: 3 }), WalError, "may no longer append");
  await Promise.all([a.close(), b.close()]);
  assert.equal(records(dir).length, 1);
});

Deno.test("an append issued right after rotateKey() is signed with the new key", async () => {
  const dir = await fresh();
  const root = await generateSigningKey();
  const next = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: root, create: true });
  const [rotation, after] = await Promise.all([wal.rotateKey(next), wal.append({ n: 2 })]);
  await wal.close();
  assert.equal(after.seq, rotation.seq + 1);
  assert.equal(records(dir)[after.seq - 1].public_key, next.publicKey.hex);
  assert.equal(
    (await verifyWal(dir, { trustedKeys: [{ publicKey: root.publicKey }] })).valid,
    true,
  );
});

Deno.test("await using closes the Wal at the end of its scope, also when the scope throws", async () => {
  const root = await Deno.makeTempDir({ prefix: "spine-writer-" });
  const dir = `${root}/audit`;
  try {
    const key = await generateSigningKey();
    {
      await using wal = await openWal(dir, { signingKey: key, create: true });
      await wal.append({ event_type: "one" });
    }
    const state = JSON.parse(await Deno.readTextFile(`${dir}/chain_state.json`));
    assert.equal(state.seq, 1);
    let closed: { append(p: unknown): Promise<unknown> } | undefined;
    await assert.rejects(async () => {
      await using wal = await openWal(dir, { signingKey: key });
      closed = wal;
      await wal.append({ event_type: "two" });
      throw new Error("boom");
    }, /boom/);
    await assert.rejects(() => closed!.append({ event_type: "three" }), WalError);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/chain_state.json`)).seq, 2);
    const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
    assert.equal(report.valid, true, JSON.stringify(report));
    assert.equal(report.events_verified, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
