/**
 * The worker pool of `verifyWal` against the in-process path, and the fast line scan against the
 * strict one: same reports, finding for finding.
 */

import assert from "node:assert/strict";
import { parsePublicKey } from "../crypto/ed25519.ts";
import { parseTrustFile, type TrustedKey } from "./trust.ts";
import { analyzeLine, analyzeLineStrict } from "./_analyze.ts";
import { scanCanonicalRecord } from "./_fast_record.ts";
import { verifyWal } from "./verify_wal.ts";
import { createWal, openWal } from "../wal/writer.ts";
import { signingKeyFromSeed } from "../crypto/keys.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const CORPUS = `${REPO}tests/testdata/corpus`;

async function dirs(): Promise<{ name: string; dir: string; trust: TrustedKey[] }[]> {
  const out = [];
  for (const base of [CORPUS, `${CORPUS}/tampered`]) {
    for await (const e of Deno.readDir(base)) {
      if (!e.isDirectory || e.name === "tampered") continue;
      const dir = `${base}/${e.name}`;
      let trust: TrustedKey[] = [];
      try {
        const path = `${dir}/keys.json`;
        trust = parseTrustFile(await Deno.readTextFile(path), path);
      } catch { /* no keys.json: unpinned */ }
      out.push({ name: e.name, dir, trust });
    }
  }
  return out.sort((a, b) => a.name < b.name ? -1 : 1);
}

for (const { name, dir, trust } of await dirs()) {
  Deno.test(`verifyWal() gives the same report with workers as without on corpus ${name}`, async () => {
    const inProcess = await verifyWal(dir, { trustedKeys: trust, workers: 0 });
    const pooled = await verifyWal(dir, { trustedKeys: trust, workers: 2 });
    assert.deepEqual(pooled, inProcess);
  });
}

const VECTORS = `${REPO}vectors/verify`;
for await (const e of Deno.readDir(VECTORS)) {
  if (!e.name.endsWith(".json")) continue;
  const v = JSON.parse(await Deno.readTextFile(`${VECTORS}/${e.name}`));
  Deno.test(`verifyWal() gives the same report with workers as without on vector ${e.name}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "spine-pool-" });
    try {
      const text = v.lines.join("\n") + (v.final_newline ? "\n" : "");
      await Deno.writeTextFile(`${dir}/segment_20260101_000000.jsonl`, text);
      const trustedKeys = v.trusted_keys.map((k: string) => ({ publicKey: parsePublicKey(k) }));
      const inProcess = await verifyWal(dir, { trustedKeys, workers: 0 });
      const pooled = await verifyWal(dir, { trustedKeys, workers: 2 });
      assert.deepEqual(pooled, inProcess);
      // Every line, alone, analyzes the same on the fast path as on the strict one.
      for (const line of v.lines as string[]) {
        const bytes = new TextEncoder().encode(line);
        assert.deepEqual(analyzeLine(bytes), analyzeLineStrict(bytes), line);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

const GOOD_HEAD = '{"format_version":1,"event_id":"e","stream_id":"s","seq":7,"prev_hash":"' +
  "a".repeat(64) + '","ts_client":"2026-01-01T00:00:00.000001+00:00","payload":';
const GOOD_TAIL = ',"payload_hash":"' + "b".repeat(64) + '","hash_alg":"blake3","sig_client":"' +
  "c".repeat(128) + '","key_id":"k","public_key":"' + "d".repeat(64) + '"}';

Deno.test("the fast line scan accepts only lines whose payload bytes are their canonical form", () => {
  const accepted = [
    '{"a":1}',
    "{}",
    '{"a":[true,false,null,-5,0],"b":{"c":"x\\n\\u001f"}}',
    '{"é":"ÿ"}',
  ];
  const refused = [
    '{"b":1,"a":2}', // unsorted
    '{"a":1,"a":2}', // duplicate
    '{"a":-0}',
    '{"a":1.5}',
    '{"a":1e3}',
    '{"a":"\\/"}', // stringify writes "/"
    '{"a":"\\u000a"}', // stringify writes "\n"
    '{"a":"\\u001F"}', // uppercase hex
    '{"a":"\\u00e9"}', // stringify writes "é"
    '{"a": 1}',
    '{"a":"\u0301"}', // not NFC-trivial
    '{"a":"\u2028"}',
    '{"type":"key_rotation"}',
    '{"type":"key_revocation","x":1}',
    '["a"]',
  ];
  for (const p of accepted) {
    const bytes = new TextEncoder().encode(GOOD_HEAD + p + GOOD_TAIL);
    assert.notEqual(scanCanonicalRecord(bytes), undefined, p);
  }
  for (const p of refused) {
    const bytes = new TextEncoder().encode(GOOD_HEAD + p + GOOD_TAIL);
    assert.equal(scanCanonicalRecord(bytes), undefined, p);
  }
  for (
    const line of [
      GOOD_HEAD.replace('"seq":7', '"seq":07') + "{}" + GOOD_TAIL,
      GOOD_HEAD.replace('"seq":7', '"sequence":7') + "{}" + GOOD_TAIL,
      GOOD_HEAD.replace('"seq":7', '"seq":7,"seq":7') + "{}" + GOOD_TAIL,
      GOOD_HEAD.replace('"format_version":1', '"format_version":2') + "{}" + GOOD_TAIL,
      GOOD_HEAD + "{}" + GOOD_TAIL.replace('"blake3"', '"md5"'),
      GOOD_HEAD + "{}" + GOOD_TAIL.replace("b".repeat(64), "B".repeat(64)),
      GOOD_HEAD + "{}" + GOOD_TAIL + " ",
      GOOD_HEAD + "{}" + GOOD_TAIL.replace(',"key_id":"k"', ',"extra":"k"'),
      GOOD_HEAD.replace('"seq":7', '"seq":9007199254740993') + "{}" + GOOD_TAIL,
    ]
  ) {
    assert.equal(scanCanonicalRecord(new TextEncoder().encode(line)), undefined, line);
  }
});

Deno.test("analyzeLine() agrees with the strict path on hostile lines", () => {
  const lines = [
    GOOD_HEAD + '{"a":1}' + GOOD_TAIL,
    GOOD_HEAD + '{"a":1.0}' + GOOD_TAIL,
    GOOD_HEAD + '{"b":1,"a":2}' + GOOD_TAIL,
    GOOD_HEAD + '{"type":"key_rotation","new_public_key":"x"}' + GOOD_TAIL,
    GOOD_HEAD.replace("2026-01-01", "2026-02-30") + "{}" + GOOD_TAIL,
    GOOD_HEAD.replace("2026-01-01T00:00:00.000001+00:00", "9999-12-31T23:59:59Z") + "{}" +
    GOOD_TAIL,
    GOOD_HEAD + "{}" + GOOD_TAIL.replace(',"public_key":"' + "d".repeat(64) + '"', ""),
    GOOD_HEAD.replace('"seq":7', '"seq":0') + "{}" + GOOD_TAIL,
    '{"seq":1}',
    "not json",
    GOOD_HEAD + "{}" + GOOD_TAIL.replace('"payload_hash"', '"hash"'),
  ];
  for (const line of lines) {
    const bytes = new TextEncoder().encode(line);
    assert.deepEqual(analyzeLine(bytes), analyzeLineStrict(bytes), line);
  }
});

Deno.test("verifyWal() reports progress up to the total size, with and without workers", async () => {
  const dir = `${CORPUS}/python-small`;
  const trustedKeys = parseTrustFile(await Deno.readTextFile(`${dir}/keys.json`), "keys.json");
  for (const workers of [0, 2]) {
    const seen: { bytesDone: number; bytesTotal: number; lines: number }[] = [];
    await verifyWal(dir, { trustedKeys, workers, onProgress: (p) => seen.push(p) });
    assert.ok(seen.length > 0, `workers ${workers}`);
    const last = seen[seen.length - 1];
    assert.ok(seen.every((p, i) => i === 0 || p.bytesDone >= seen[i - 1].bytesDone));
    assert.ok(last.bytesDone <= last.bytesTotal && last.bytesTotal > 0);
  }
});

Deno.test("verifyWal() reports the same findings whatever the window of signature checks in flight", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spine-window-" });
  try {
    const first = await signingKeyFromSeed(new Uint8Array(32).fill(1));
    const second = await signingKeyFromSeed(new Uint8Array(32).fill(2));
    await createWal(dir, { signingKey: first });
    let wal = await openWal(dir, { signingKey: first, sync: "none" });
    const event = (i: number) => ({ event_type: "t", i, note: "x".repeat(i % 50) });
    await wal.appendMany(Array.from({ length: 1300 }, (_, i) => event(i)));
    // A rotation in the middle of a batch: later records are judged under the new key.
    await wal.rotateKey(second);
    await wal.close();
    wal = await openWal(dir, { signingKey: second, sync: "none" });
    await wal.appendMany(Array.from({ length: 1200 }, (_, i) => event(i)));
    await wal.close();
    // Flip one hex digit of the signature of every 97th line (hex stays hex, lengths stay).
    const tampered: number[] = [];
    for (const e of [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".jsonl"))) {
      const lines = Deno.readTextFileSync(`${dir}/${e.name}`).split("\n");
      for (let i = 0; i < lines.length; i++) {
        const m = /"sig_client":"([0-9a-f])/.exec(lines[i]);
        if (m === null || i % 97 !== 5) continue;
        const at = m.index + m[0].length - 1;
        const digit = lines[i][at] === "0" ? "1" : "0";
        lines[i] = lines[i].slice(0, at) + digit + lines[i].slice(at + 1);
        tampered.push(JSON.parse(lines[i]).seq);
      }
      Deno.writeTextFileSync(`${dir}/${e.name}`, lines.join("\n"));
    }
    const trustedKeys = [{ publicKey: first.publicKey }];
    const wide = await verifyWal(dir, { trustedKeys });
    assert.deepEqual(
      wide.errors.map((e) => [e.error_type, e.sequence]),
      tampered.sort((a, b) => a - b).map((seq) => ["invalid_signature", seq]),
    );
    assert.equal(wide.events_verified, 2501);
    assert.equal(wide.signatures_verified, 2501 - tampered.length);
    for (const window of [1, 100, 129]) {
      assert.deepEqual(await verifyWal(dir, { trustedKeys, window }), wide, `window ${window}`);
    }
    assert.deepEqual(await verifyWal(dir, { trustedKeys, workers: 2 }), wide);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
