import assert from "node:assert/strict";
import { encodeRecordLine, encodeRecordLines, writeSignatures } from "./record_line.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("encodeRecordLines() and writeSignatures() give encodeRecordLine()'s bytes for every line", () => {
  const shared = {
    streamId: 'stream_"x"\u00e9',
    keyId: "kid_0123456789abcdef",
    publicKey: "ab".repeat(32),
  };
  const records = Array.from({ length: 5 }, (_, i) => ({
    eventId: `evt_0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, "0")}`,
    seq: BigInt(i + 9_007_199_254_740_990),
    prevHash: String(i).repeat(64),
    tsClient: "2026-11-27T09:30:00.123456+00:00",
    payload: new TextEncoder().encode(i === 2 ? '{"name":"caf\u00e9","n":[1,2]}' : `{"i":${i}}`),
    payloadHash: "f".repeat(64),
  }));
  const signatures = crypto.getRandomValues(new Uint8Array(64 * records.length));
  const lines = encodeRecordLines(shared, records);
  writeSignatures(lines, signatures);
  const expected = records.map((r, i) =>
    encodeRecordLine({ ...r, ...shared, sigClient: hex(signatures.subarray(i * 64, i * 64 + 64)) })
  );
  let start = 0;
  for (let i = 0; i < records.length; i++) {
    assert.deepEqual(lines.bytes.subarray(start, lines.ends[i]), expected[i]);
    start = lines.ends[i];
  }
  assert.equal(start, lines.bytes.length);
});

Deno.test("encodeRecordLines() refuses fields that JSON would escape, and writeSignatures() a wrong count", () => {
  const record = {
    eventId: 'evt_"',
    seq: 1n,
    prevHash: "0".repeat(64),
    tsClient: "t",
    payload: new Uint8Array([0x7b, 0x7d]),
    payloadHash: "0".repeat(64),
  };
  const shared = { streamId: "s", keyId: "k", publicKey: "p" };
  assert.throws(() => encodeRecordLines(shared, [record]), TypeError);
  const lines = encodeRecordLines(shared, [{ ...record, eventId: "evt_x" }]);
  assert.throws(() => writeSignatures(lines, new Uint8Array(63)), RangeError);
});
