/**
 * Every case of the upstream Spine test vectors (vectors/upstream/vectors.json, Apache-2.0).
 * The file is read with our own strict parser, so numbers keep their exact source text.
 */

import assert from "node:assert/strict";
import { parsePublicKey, verifySignature } from "../src/crypto/ed25519.ts";
import { signingKeyFromSeed } from "../src/crypto/keys.ts";
import { canonicalJson } from "../src/format/canonical_json.ts";
import { entryHash, payloadHash, toHex } from "../src/format/hashes.ts";
import { parseJson, parseJsonText } from "../src/format/json_parse.ts";
import {
  isJsonObject,
  JsonNumber,
  type JsonObject,
  type JsonValue,
} from "../src/format/json_value.ts";
import { timestampToNanos } from "../src/format/timestamp.ts";
import { ChainVerifier } from "../src/verify/chain_verifier.ts";

const file = new URL("../vectors/upstream/vectors.json", import.meta.url);
const root = parseJsonText(await Deno.readTextFile(file)) as JsonObject;
const decoder = new TextDecoder();

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(isJsonObject(v));
  return v;
}
function str(v: JsonValue | undefined): string {
  assert.equal(typeof v, "string");
  return v as string;
}
function int(v: JsonValue | undefined): bigint {
  assert.ok(v instanceof JsonNumber);
  return BigInt(v.text);
}
function cases(section: string): JsonObject[] {
  return (obj(root.get(section)).get("cases") as JsonValue[]).map(obj);
}
function hex(s: string): Uint8Array {
  return new Uint8Array(s.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
}

for (const c of cases("canonical_json")) {
  const name = str(c.get("name"));
  if (c.get("_test_type") === "documentation_only") {
    Deno.test(`upstream canonical_json ${name}: NFC and NFD forms of a key canonicalize alike`, () => {
      const nfc = decoder.decode(canonicalJson(c.get("input_nfc")!));
      const nfd = decoder.decode(canonicalJson(c.get("input_nfd")!));
      assert.equal(nfc.replace(/:\d+\}$/, ""), nfd.replace(/:\d+\}$/, ""));
      assert.ok(nfc.startsWith(str(c.get("both_normalize_to")).replace("...}", "")));
    });
    continue;
  }
  Deno.test(`upstream canonical_json ${name}`, () => {
    assert.equal(decoder.decode(canonicalJson(c.get("input")!)), str(c.get("expected_utf8")));
  });
}

for (const c of cases("hash_payload")) {
  Deno.test(`upstream hash_payload ${str(c.get("name"))}`, () => {
    const payload = c.get("payload")!;
    assert.equal(decoder.decode(canonicalJson(payload)), str(c.get("expected_canonical")));
    assert.equal(payloadHash(payload), str(c.get("expected_hash_blake3")));
  });
}

for (const c of cases("entry_hash")) {
  Deno.test(`upstream entry_hash ${str(c.get("name"))}`, () => {
    // The payload_hash must agree with the referenced hash_payload case.
    const [, ref] = str(c.get("_payload_ref")).split(".");
    const referenced = cases("hash_payload").find((h) => h.get("name") === ref)!;
    assert.equal(payloadHash(referenced.get("payload")!), str(c.get("payload_hash")));
    assert.equal(
      entryHash(
        int(c.get("seq")),
        int(c.get("timestamp_ns")),
        str(c.get("prev_hash")),
        str(c.get("payload_hash")),
      ),
      str(c.get("expected_entry_hash")),
    );
  });
}

for (const c of cases("timestamp_conversion")) {
  Deno.test(`upstream timestamp_conversion ${str(c.get("name"))}`, () => {
    assert.equal(timestampToNanos(str(c.get("iso"))), int(c.get("expected_ns")));
  });
}

for (const c of cases("signature_verification")) {
  Deno.test(`upstream signature_verification ${str(c.get("name"))}`, async () => {
    const key = await signingKeyFromSeed(hex(str(c.get("private_key_hex"))));
    assert.equal(key.publicKey.hex, str(c.get("public_key_hex")));
    const message = hex(str(c.get("message_hex")));
    assert.equal(toHex(await key.sign(message)), str(c.get("signature_hex")));
    const pub = parsePublicKey(str(c.get("public_key_hex")));
    assert.equal(await verifySignature(pub, message, hex(str(c.get("signature_hex")))), true);
    const flipped = hex(str(c.get("signature_hex")));
    flipped[0] ^= 1;
    assert.equal(await verifySignature(pub, message, flipped), false);
  });
}

for (const c of cases("corrupted_wal")) {
  const name = str(c.get("name"));
  Deno.test(`upstream corrupted_wal ${name} is reported, never counted as a record`, async () => {
    const line = new TextEncoder().encode(str(c.get("line")));
    if (c.get("should_parse") === true) assert.ok(isJsonObject(parseJson(line)));
    const v = new ChainVerifier({});
    await v.add({ bytes: line, file: "segment.jsonl", line: 1, terminated: true });
    const report = await v.finish(["segment.jsonl"]);
    assert.equal(report.events_verified, 0);
    const blank = str(c.get("line")).trim() === "";
    if (blank) {
      assert.deepEqual(report.warnings.map((w) => w.warning_type).sort(), [
        "blank_line",
        "empty_log",
      ]);
      assert.deepEqual(report.errors, []);
    } else {
      assert.deepEqual(report.errors.map((e) => e.error_type), ["parse_error"]);
    }
  });
}

Deno.test("upstream error_cases each have a generated vector that expects that error", async () => {
  const expectedTypes = cases("error_cases").map((c) => str(c.get("expected_error_type")));
  const seen = new Set<string>();
  for await (const e of Deno.readDir(new URL("../vectors/verify/", import.meta.url))) {
    const v = JSON.parse(
      await Deno.readTextFile(new URL(`../vectors/verify/${e.name}`, import.meta.url)),
    );
    for (const f of v.expected.errors) seen.add(f.split("@")[0]);
  }
  for (const t of expectedTypes) assert.ok(seen.has(t), `no vector expects ${t}`);
});
