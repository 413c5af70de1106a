/**
 * Walks our generated vectors (tools/gen_vectors.ts): one Deno.test per file.
 */

import assert from "node:assert/strict";
import { parsePublicKey } from "../src/crypto/ed25519.ts";
import { canonicalJson } from "../src/format/canonical_json.ts";
import { sha256 } from "../src/deps/noble_hashes_sha2.ts";
import { lineLeafHash } from "../src/checkpoint/leaf.ts";
import { blake3Hex, toHex } from "../src/format/hashes.ts";
import { parseJsonText } from "../src/format/json_parse.ts";
import { verifyWal } from "../src/verify/verify_wal.ts";
import { findingKeys } from "./_helpers.ts";

const VECTORS = new URL("../vectors/", import.meta.url).pathname;

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${VECTORS}${dir}`)) {
    if (e.name.endsWith(".json")) out.push(e.name);
  }
  return out.sort();
}

for (const name of await names("verify")) {
  const v = JSON.parse(await Deno.readTextFile(`${VECTORS}verify/${name}`));
  Deno.test(`verify vector ${name}: ${v.description}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "spine-vector-" });
    try {
      const text = v.lines.join("\n") + (v.final_newline ? "\n" : "");
      await Deno.writeTextFile(`${dir}/segment_20260101_000000.jsonl`, text);
      const report = await verifyWal(dir, {
        trustedKeys: v.trusted_keys.map((k: string) => ({ publicKey: parsePublicKey(k) })),
      });
      assert.deepEqual(findingKeys(report.errors), v.expected.errors);
      assert.deepEqual(findingKeys(report.warnings), v.expected.warnings);
      assert.equal(report.valid, v.expected.valid);
      assert.equal(report.events_verified, v.expected.events_verified);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const name of await names("canonical")) {
  const v = JSON.parse(await Deno.readTextFile(`${VECTORS}canonical/${name}`));
  Deno.test(`canonical vector ${name}: ${v.description}`, () => {
    const input = parseJsonText(v.input);
    if ("error" in v.expected) {
      assert.throws(() => canonicalJson(input), (e: Error) => e.name === v.expected.error);
    } else {
      const bytes = canonicalJson(input);
      assert.equal(new TextDecoder().decode(bytes), v.expected.canonical);
      assert.equal(blake3Hex(bytes), v.expected.payload_hash_blake3);
    }
  });
}

for (const name of await names("leaf")) {
  const v = JSON.parse(await Deno.readTextFile(`${VECTORS}leaf/${name}`));
  Deno.test(`leaf vector ${name}: ${v.description}`, () => {
    const enc = new TextEncoder();
    assert.equal(toHex(lineLeafHash(enc.encode(v.line))), v.expected.leaf_hash);
    // The leaf hash is SHA-256(0x00 || leaf data), with the data the vector states.
    assert.equal(
      toHex(sha256(new Uint8Array([0, ...enc.encode(v.expected.leaf_data)]))),
      v.expected.leaf_hash,
    );
  });
}
