/**
 * Writes a realistic Spine v1 log for benchmarks: N records with ~200-byte payloads, signed by a
 * fixed key, in 10 MB segments. Deterministic except for nothing: fixed seed and fixed clock.
 *
 * Usage: deno run --allow-read --allow-write bench/make_log.ts DIR N
 * Prints the public key (hex) to pin.
 *
 * @module
 */

import { sha256 } from "../src/deps/noble_hashes_sha2.ts";
import { signingKeyFromSeed } from "../src/crypto/keys.ts";
import { canonicalJson } from "../src/format/canonical_json.ts";
import { blake3Hex, entryHash, GENESIS_PREV_HASH, toHex } from "../src/format/hashes.ts";
import { parseJsonText } from "../src/format/json_parse.ts";
import { nanosToTimestamp } from "../src/format/timestamp.ts";

const [dir, countText] = Deno.args;
const count = Number(countText);
if (!dir || !Number.isSafeInteger(count) || count < 1) {
  console.error("usage: make_log.ts DIR N");
  Deno.exit(2);
}
const encoder = new TextEncoder();
const key = await signingKeyFromSeed(sha256(encoder.encode("spine-bench-key")));
const T0 = 1_790_000_000_000_000_000n;
const ACTIONS = [
  "user.login",
  "user.logout",
  "config.update",
  "admin.role_change",
  "file.download",
];
const SEGMENT_BYTES = 10 * 1024 * 1024;
const BATCH = 4096;

await Deno.mkdir(dir, { recursive: true });
let prev = GENESIS_PREV_HASH;
let segmentNo = 0;
let file = await Deno.open(`${dir}/segment_${String(segmentNo).padStart(6, "0")}.jsonl`, {
  write: true,
  create: true,
  truncate: true,
});
let written = 0;

for (let start = 1; start <= count; start += BATCH) {
  const end = Math.min(count, start + BATCH - 1);
  const drafts: { head: string; tail: string; entry: string }[] = [];
  for (let seq = start; seq <= end; seq++) {
    const payloadText = JSON.stringify({
      event_type: ACTIONS[seq % ACTIONS.length],
      actor: `user-${seq % 977}@example.com`,
      ip: `10.${seq % 256}.${(seq >> 8) % 256}.${seq % 7}`,
      resource: `/projects/${seq % 131}/documents/${seq}`,
      outcome: seq % 17 === 0 ? "denied" : "allowed",
      request_id: toHex(sha256(encoder.encode(String(seq)))).slice(0, 24),
      i: seq,
    });
    const payload = canonicalJson(parseJsonText(payloadText));
    const ph = blake3Hex(payload);
    const ts = T0 + BigInt(seq) * 1000n;
    const entry = entryHash(BigInt(seq), ts, prev, ph);
    const head = `{"format_version":1,"event_id":"evt_${
      toHex(sha256(encoder.encode(`e${seq}`))).slice(0, 32)
    }","stream_id":"stream_00000000000000be","seq":${seq},"prev_hash":"${prev}","ts_client":"${
      nanosToTimestamp(ts)
    }","payload":${
      new TextDecoder().decode(payload)
    },"payload_hash":"${ph}","hash_alg":"blake3","sig_client":"`;
    drafts.push({
      head,
      tail: `","key_id":"${key.keyId}","public_key":"${key.publicKey.hex}"}\n`,
      entry,
    });
    prev = entry;
  }
  const sigs = await Promise.all(drafts.map((d) => key.sign(encoder.encode(d.entry))));
  const text = drafts.map((d, i) => d.head + toHex(sigs[i]) + d.tail).join("");
  const bytes = encoder.encode(text);
  if (written > 0 && written + bytes.length > SEGMENT_BYTES) {
    file.close();
    segmentNo++;
    file = await Deno.open(`${dir}/segment_${String(segmentNo).padStart(6, "0")}.jsonl`, {
      write: true,
      create: true,
      truncate: true,
    });
    written = 0;
  }
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
  written += bytes.length;
}
file.close();
console.log(key.publicKey.hex);
