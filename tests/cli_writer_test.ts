/**
 * End-to-end tests of `spine init`, `append` and `keys`, spawning the CLI with exactly the
 * permissions of the `spine` task.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parsePublicKey } from "../src/crypto/ed25519.ts";
import { verifyWal } from "../src/verify/verify_wal.ts";
import { checkPythonSemantics } from "./_python_semantics.ts";
import { spine as spawnSpine } from "./_spine.ts";

const spine = (
  cwd: string,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
) => spawnSpine(args, { cwd, ...opts });

/** `spine verify --wal audit --trust-file audit.trust.json --format json --strict` in `cwd`. */
const verifyStrict = (cwd: string) =>
  spine(cwd, [
    "verify",
    "--wal",
    "audit",
    "--trust-file",
    "audit.trust.json",
    "--format",
    "json",
    "--strict",
  ]);

async function initWal(): Promise<{ cwd: string; publicKey: string }> {
  const cwd = await Deno.makeTempDir({ prefix: "spine-cli-" });
  const r = await spine(cwd, ["init", "--wal", "audit", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return { cwd, publicKey: JSON.parse(r.stdout).public_key };
}

Deno.test("spine init creates the WAL, a 0600 key beside it and a trust file, and prints the verify command", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "spine-cli-" });
  const r = await spine(cwd, ["init", "--wal", "audit", "--namespace", "payments"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^Created Spine WAL audit \(stream stream_[0-9a-f]{16}\)\n/);
  assert.match(r.stdout, /Key id: {7}kid_[0-9a-f]{16}\n/);
  assert.match(r.stdout, /\n {2}spine verify --wal audit --trust-file audit\.trust\.json\n/);
  const key = await Deno.readTextFile(`${cwd}/audit.key`);
  assert.ok(key.startsWith("-----BEGIN PRIVATE KEY-----"));
  assert.ok(!r.stdout.includes(key.split("\n")[1]), "the private key is never printed");
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(`${cwd}/audit.key`)).mode! & 0o777, 0o600);
  }
  const meta = JSON.parse(await Deno.readTextFile(`${cwd}/audit/stream.meta.json`));
  assert.deepEqual(Object.keys(meta), ["stream_id", "created_at", "initial_key_id", "namespace"]);
  assert.equal(meta.namespace, "payments");
  const trust = JSON.parse(await Deno.readTextFile(`${cwd}/audit.trust.json`));
  assert.equal(trust.spine_trust, 1);
  assert.equal(trust.keys[0].key_id, meta.initial_key_id);
  const v = await spine(cwd, [
    "verify",
    "--wal",
    "audit",
    "--trust-file",
    "audit.trust.json",
    "--format",
    "json",
  ]);
  assert.equal(v.code, 0, v.stdout);
});

Deno.test("spine init refuses to overwrite an existing key file or WAL", async () => {
  const { cwd } = await initWal();
  const again = await spine(cwd, ["init", "--wal", "audit"]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already a Spine WAL/);
  const other = await spine(cwd, ["init", "--wal", "other", "--key-file", "audit.key"]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /already exists; refusing to overwrite/);
  const inside = await spine(cwd, ["init", "--wal", "third", "--key-file", "third/k.key"]);
  assert.equal(inside.code, 2);
  assert.match(inside.stderr, /inside the WAL directory/);
});

Deno.test("spine init with SPINE_SIGNING_KEY uses that key and writes no key file", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "spine-cli-" });
  const seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  const r = await spine(cwd, ["init", "--wal", "audit", "--format", "json"], {
    env: { SPINE_SIGNING_KEY: seed },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    JSON.parse(r.stdout).public_key,
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
  );
  assert.equal(JSON.parse(r.stdout).key_file, null);
  assert.ok(!r.stdout.includes(seed));
  await assert.rejects(Deno.stat(`${cwd}/audit.key`), Deno.errors.NotFound);
  const a = await spine(cwd, ["append", "--wal", "audit", "--payload", '{"a":1}'], {
    env: { SPINE_SIGNING_KEY: seed },
  });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^seq 1 [0-9a-f]{64}\n$/);
});

Deno.test("init plus 1,000 appends (20 single CLI calls, 980 via --stdin) verifies pinned and under Python semantics", async () => {
  const { cwd, publicKey } = await initWal();
  for (let i = 0; i < 10; i++) {
    const r = await spine(cwd, [
      "append",
      "--wal",
      "audit",
      "--payload",
      JSON.stringify({ event_type: "single", i, "名前": "café" }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `seq ${i + 1} ${r.stdout.slice(-65, -1)}\n`);
  }
  for (let i = 0; i < 10; i++) {
    const r = await spine(cwd, [
      "append",
      "--wal",
      "audit",
      "--event-type",
      "flags",
      "--field",
      `user=u${i}`,
      "--field",
      `n:=${i}`,
      "--format",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.seq, 11 + i);
    assert.match(
      out.event_id,
      /^evt_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  }
  const lines = Array.from(
    { length: 980 },
    (_, i) =>
      JSON.stringify({
        event_type: "bulk",
        i,
        nested: { "\u{1F600}": [i, null, true], "\uff61": "x\u0000\n" },
      }),
  );
  const r = await spine(cwd, [
    "append",
    "--wal",
    "audit",
    "--stdin",
    "--sync",
    "batch",
    "--format",
    "json",
  ], {
    stdin: lines.join("\n") + "\n",
  });
  assert.equal(r.code, 0, r.stderr);
  const outLines = r.stdout.trimEnd().split("\n");
  assert.equal(outLines.length, 981);
  const summary = JSON.parse(outLines[980]);
  assert.equal(summary.appended, 980);
  assert.equal(summary.last_seq, 1000);
  const v = await verifyStrict(cwd);
  assert.equal(v.code, 0, v.stdout);
  const report = JSON.parse(v.stdout);
  assert.equal(report.events_verified, 1000);
  assert.equal(report.head_entry_hash, summary.head_entry_hash);
  const py = await checkPythonSemantics(`${cwd}/audit`, [publicKey]);
  assert.deepEqual(py.errors, []);
  assert.equal(py.records, 1000);
  assert.equal(py.head, summary.head_entry_hash);
});

Deno.test("spine append writes upstream field order, compact JSON and the canonical payload text", async () => {
  const { cwd } = await initWal();
  const r = await spine(cwd, [
    "append",
    "--wal",
    "audit",
    "--payload",
    '{"b": 2, "a": "e\\u0301"}',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const seg =
    [...Deno.readDirSync(`${cwd}/audit`)].find((e) => e.name.startsWith("segment_"))!.name;
  assert.match(seg, /^segment_\d{8}_\d{6}\.jsonl$/);
  const line = (await Deno.readTextFile(`${cwd}/audit/${seg}`)).trimEnd();
  assert.deepEqual(Object.keys(JSON.parse(line)), [
    "format_version",
    "event_id",
    "stream_id",
    "seq",
    "prev_hash",
    "ts_client",
    "payload",
    "payload_hash",
    "hash_alg",
    "sig_client",
    "key_id",
    "public_key",
  ]);
  assert.ok(line.includes('"payload":{"a":"é","b":2},'));
  assert.match(JSON.parse(line).ts_client, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  const state = JSON.parse(await Deno.readTextFile(`${cwd}/audit/chain_state.json`));
  assert.deepEqual(Object.keys(state), ["stream_id", "seq", "prev_hash", "updated_at"]);
  assert.equal(state.seq, 1);
  assert.equal(state.prev_hash, r.stdout.slice(6, 70));
});

Deno.test("spine append refuses invalid payloads, naming the field, and writes nothing", async () => {
  const { cwd } = await initWal();
  const cases: [string, RegExp][] = [
    ['{"a": 1.5}', /float values are not allowed at \$\.a: 1\.5/],
    ['{"a": [9007199254740992]}', /integer 9007199254740992 at \$\.a\[0\] is outside/],
    ['{"s": "\\ud800"}', /lone surrogate in string at \$\.s/],
    ['{"\\u00e9": 1, "e\\u0301": 2}', /equal "é" after NFC/],
    ["[1, 2]", /must be a JSON object, got an array/],
    ['{"a": 1', /not valid JSON/],
    ['{"a": 1, "a": 2}', /not valid JSON: Duplicate key/],
  ];
  for (const [payload, message] of cases) {
    const r = await spine(cwd, ["append", "--wal", "audit", "--payload", payload]);
    assert.equal(r.code, 2, payload);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, message);
  }
  const big = await spine(cwd, [
    "append",
    "--wal",
    "audit",
    "--payload",
    JSON.stringify({ s: "x".repeat(2000) }),
    "--max-payload-bytes",
    "1000",
  ]);
  assert.equal(big.code, 2);
  assert.match(big.stderr, /over the 1000-byte limit/);
  const v = await verifyWal(`${cwd}/audit`, {});
  assert.equal(v.events_verified, 0);
});

Deno.test("spine append --stdin keeps lines before a bad one, names its line and field, and exits 2", async () => {
  const { cwd } = await initWal();
  const r = await spine(cwd, ["append", "--wal", "audit", "--stdin", "--sync", "batch"], {
    stdin: '{"a":1}\n\n{"b":2}\n{"c":{"d":[1,2.5]}}\n{"e":5}\n',
  });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^seq 1 [0-9a-f]{64}\nseq 2 [0-9a-f]{64}\nappended 2 last_seq 2\n$/);
  assert.match(
    r.stderr,
    /^spine append: line 4: Payload refused: float values are not allowed at \$\.c\.d\[1\]: 2\.5; stopped after appending 2 records \(last seq 2\)\n$/,
  );
  const v = await verifyWal(`${cwd}/audit`, {});
  assert.equal(v.events_verified, 2);
});

Deno.test("spine append never takes a private key on argv and never prints one in errors", async () => {
  const { cwd } = await initWal();
  const seed = "ab".repeat(32);
  const r = await spine(cwd, ["append", "--wal", "audit", "--key", seed, "--payload", "{}"]);
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr + r.stdout, new RegExp(seed.slice(0, 40)));
  const bad = await spine(cwd, ["append", "--wal", "audit", "--payload", "{}"], {
    env: { SPINE_SIGNING_KEY: "zz" + seed },
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /SPINE_SIGNING_KEY holds no usable key/);
  assert.ok(!bad.stderr.includes(seed));
  const none = await spine(cwd, [
    "append",
    "--wal",
    "audit",
    "--key-file",
    "missing.key",
    "--payload",
    "{}",
  ]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Cannot read key file missing\.key/);
});

Deno.test("8 concurrent appending processes × 200 appends produce 1,600 contiguous records that verify", async () => {
  const { cwd, publicKey } = await initWal();
  const per = 200;
  const runs = await Promise.all(
    Array.from(
      { length: 8 },
      (_, p) =>
        spine(cwd, ["append", "--wal", "audit", "--stdin", "--format", "json"], {
          stdin: Array.from({ length: per }, (_, i) => JSON.stringify({ p, i })).join("\n") + "\n",
        }),
    ),
  );
  const seqs: number[] = [];
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    for (const l of lines.slice(0, -1)) seqs.push(JSON.parse(l).seq);
  }
  assert.deepEqual(seqs.sort((a, b) => a - b), Array.from({ length: 8 * per }, (_, i) => i + 1));
  const v = await verifyWal(`${cwd}/audit`, {
    trustedKeys: [{ publicKey: parsePublicKey(publicKey) }],
  });
  assert.equal(v.valid, true, JSON.stringify(v.errors));
  assert.equal(v.events_verified, 8 * per);
  assert.deepEqual(v.warnings, []);
  assert.deepEqual((await checkPythonSemantics(`${cwd}/audit`, [publicKey])).errors, []);
});

Deno.test("spine append rolls over segments at --segment-max-bytes with names that sort in write order", async () => {
  const { cwd, publicKey } = await initWal();
  const r = await spine(cwd, [
    "append",
    "--wal",
    "audit",
    "--stdin",
    "--sync",
    "none",
    "--segment-max-bytes",
    "2000",
  ], {
    stdin: Array.from({ length: 40 }, (_, i) => JSON.stringify({ i })).join("\n") + "\n",
  });
  assert.equal(r.code, 0, r.stderr);
  const segs = [...Deno.readDirSync(`${cwd}/audit`)].map((e) => e.name).filter((n) =>
    n.endsWith(".jsonl")
  ).sort();
  assert.ok(segs.length >= 5, segs.join());
  let expected = 1;
  for (const s of segs) {
    const text = await Deno.readTextFile(`${cwd}/audit/${s}`);
    assert.ok(text.length <= 2000);
    for (const line of text.split("\n").filter(Boolean)) {
      assert.equal(JSON.parse(line).seq, expected++);
    }
  }
  assert.equal(expected, 41);
  assert.deepEqual((await checkPythonSemantics(`${cwd}/audit`, [publicKey])).errors, []);
});

Deno.test("spine keys generate, show, export-public and import round-trip a key without printing it", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "spine-cli-" });
  const g = await spine(cwd, ["keys", "generate", "--key-file", "a.key", "--format", "json"]);
  assert.equal(g.code, 0, g.stderr);
  const { key_id, public_key } = JSON.parse(g.stdout);
  const s = await spine(cwd, ["keys", "show", "--key-file", "a.key", "--format", "json"]);
  assert.deepEqual(JSON.parse(s.stdout), { key_id, public_key });
  const e = await spine(cwd, ["keys", "export-public", "--key-file", "a.key"]);
  assert.deepEqual(JSON.parse(e.stdout), { spine_trust: 1, keys: [{ key_id, public_key }] });
  const pem = await Deno.readTextFile(`${cwd}/a.key`);
  const i = await spine(cwd, ["keys", "import", "--key-file", "b.key", "--format", "json"], {
    stdin: pem,
  });
  assert.equal(i.code, 0, i.stderr);
  assert.equal(JSON.parse(i.stdout).key_id, key_id);
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(`${cwd}/b.key`)).mode! & 0o777, 0o600);
  }
  const again = await spine(cwd, ["keys", "generate", "--key-file", "a.key"]);
  assert.equal(again.code, 2);
  assert.equal(await Deno.readTextFile(`${cwd}/a.key`), pem);
});

Deno.test("spine keys rotate archives the old key, later appends use the new key, and the log verifies from the root key", async () => {
  const { cwd, publicKey } = await initWal();
  assert.equal((await spine(cwd, ["append", "--wal", "audit", "--payload", '{"n":1}'])).code, 0);
  const oldShow = JSON.parse(
    (await spine(cwd, ["keys", "show", "--key-file", "audit.key", "--format", "json"])).stdout,
  );
  const rot = await spine(cwd, [
    "keys",
    "rotate",
    "--wal",
    "audit",
    "--reason",
    "scheduled",
    "--format",
    "json",
  ]);
  assert.equal(rot.code, 0, rot.stderr);
  const out = JSON.parse(rot.stdout);
  assert.equal(out.rotation_seq, 2);
  assert.equal(out.effective_seq, 3);
  assert.equal(out.old_key, `audit.key.old-${oldShow.key_id}`);
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(`${cwd}/${out.old_key}`)).mode! & 0o777, 0o600);
  }
  assert.equal((await spine(cwd, ["append", "--wal", "audit", "--payload", '{"n":3}'])).code, 0);
  const v = await verifyStrict(cwd);
  assert.equal(v.code, 0, v.stdout);
  assert.equal(JSON.parse(v.stdout).events_verified, 3);
  assert.deepEqual((await checkPythonSemantics(`${cwd}/audit`, [publicKey])).errors, []);
  // The rotated-out key can no longer append.
  const stale = await spine(cwd, [
    "append",
    "--wal",
    "audit",
    "--key-file",
    out.old_key,
    "--payload",
    "{}",
  ]);
  assert.equal(stale.code, 0, "the writer only guards right after a rotation record");
  const after = await verifyWal(`${cwd}/audit`, {
    trustedKeys: [{ publicKey: parsePublicKey(publicKey) }],
  });
  assert.deepEqual(after.errors.map((e) => `${e.error_type}@${e.sequence}`), ["untrusted_key@4"]);
});

Deno.test("spine keys rotate --destroy-old overwrites and removes the old key file", async () => {
  const { cwd, publicKey } = await initWal();
  const rot = await spine(cwd, [
    "keys",
    "rotate",
    "--wal",
    "audit",
    "--destroy-old",
    "--format",
    "json",
  ]);
  assert.equal(rot.code, 0, rot.stderr);
  assert.equal(JSON.parse(rot.stdout).old_key, "destroyed");
  const names = [...Deno.readDirSync(cwd)].map((e) => e.name).sort();
  assert.deepEqual(names, ["audit", "audit.key", "audit.trust.json"]);
  assert.equal((await spine(cwd, ["append", "--wal", "audit", "--payload", '{"n":2}'])).code, 0);
  assert.deepEqual((await checkPythonSemantics(`${cwd}/audit`, [publicKey])).errors, []);
});

Deno.test("spine keys revoke makes verify reject later records signed by the revoked key as revoked_key", async () => {
  const { cwd, publicKey } = await initWal();
  const g = await spine(cwd, ["keys", "generate", "--key-file", "second.key", "--format", "json"]);
  const second = JSON.parse(g.stdout).public_key;
  // Pin both keys; the second signs record 1, then the root revokes it.
  const trust = JSON.parse(await Deno.readTextFile(`${cwd}/audit.trust.json`));
  trust.keys.push({ key_id: JSON.parse(g.stdout).key_id, public_key: second });
  await Deno.writeTextFile(`${cwd}/both.trust.json`, JSON.stringify(trust));
  assert.equal(
    (await spine(cwd, [
      "append",
      "--wal",
      "audit",
      "--key-file",
      "second.key",
      "--payload",
      '{"n":1}',
    ])).code,
    0,
  );
  const rv = await spine(cwd, [
    "keys",
    "revoke",
    "--wal",
    "audit",
    "--revoke-public-key",
    second,
    "--reason",
    "leaked",
    "--format",
    "json",
  ]);
  assert.equal(rv.code, 0, rv.stderr);
  assert.deepEqual(JSON.parse(rv.stdout), {
    revoked_public_key: second,
    revocation_seq: 2,
    effective_seq: 3,
  });
  assert.equal((await spine(cwd, ["append", "--wal", "audit", "--payload", '{"n":3}'])).code, 0);
  const ok = await spine(cwd, ["verify", "--wal", "audit", "--trust-file", "both.trust.json"]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(
    (await spine(cwd, [
      "append",
      "--wal",
      "audit",
      "--key-file",
      "second.key",
      "--payload",
      '{"n":4}',
    ])).code,
    0,
  );
  const v = await spine(cwd, [
    "verify",
    "--wal",
    "audit",
    "--trust-file",
    "both.trust.json",
    "--format",
    "json",
  ]);
  assert.equal(v.code, 1);
  assert.deepEqual(
    JSON.parse(v.stdout).errors.map((e: { error_type: string; sequence: number }) =>
      `${e.error_type}@${e.sequence}`
    ),
    ["revoked_key@4"],
  );
  const py = await checkPythonSemantics(`${cwd}/audit`, [publicKey, second]);
  assert.equal(py.errors.length, 1);
  assert.match(py.errors[0], /^segment_\S+ seq 4: revoked key$/);
});

Deno.test("spine append moves a torn final line into a quarantine file and reports it", async () => {
  const { cwd, publicKey } = await initWal();
  assert.equal((await spine(cwd, ["append", "--wal", "audit", "--payload", '{"n":1}'])).code, 0);
  const seg =
    [...Deno.readDirSync(`${cwd}/audit`)].find((e) => e.name.startsWith("segment_"))!.name;
  await Deno.writeTextFile(`${cwd}/audit/${seg}`, '{"format_version":1,"seq":2,"pay', {
    append: true,
  });
  const r = await spine(cwd, ["append", "--wal", "audit", "--payload", '{"n":2}']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^seq 2 /);
  assert.match(
    r.stderr,
    new RegExp(
      `^spine append: warning: moved a torn final line \\(32 bytes at offset \\d+ of ${seg}\\) to ${seg}\\.torn-\\d{8}T\\d{9}Z\\n$`,
    ),
  );
  const q = [...Deno.readDirSync(`${cwd}/audit`)].find((e) => e.name.includes(".torn-"))!.name;
  assert.equal(await Deno.readTextFile(`${cwd}/audit/${q}`), '{"format_version":1,"seq":2,"pay');
  assert.deepEqual((await checkPythonSemantics(`${cwd}/audit`, [publicKey])).errors, []);
});
