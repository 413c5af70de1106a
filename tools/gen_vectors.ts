/**
 * Generates our own test vectors, deterministically (fixed seeds, fixed clock):
 *
 * - `vectors/verify/*.json`: one whole log per case, each with its exact expected findings;
 * - `vectors/canonical/*.json`: canonical JSON edge cases, each with its canonical bytes and
 *   payload hash, or the exact error.
 *
 * Run with `deno task vectors`. Tests walk both folders (`tests/vectors_test.ts`); they never copy
 * values out of vectors.
 *
 * @module
 */

import { sha256 } from "../src/deps/noble_hashes_sha2.ts";
import { lineLeafHash } from "../src/checkpoint/leaf.ts";
import { type SigningKey, signingKeyFromSeed } from "../src/crypto/keys.ts";
import { canonicalJson } from "../src/format/canonical_json.ts";
import { blake3Hex, entryHash, GENESIS_PREV_HASH, toHex } from "../src/format/hashes.ts";
import { parseJsonText } from "../src/format/json_parse.ts";
import { nanosToTimestamp, timestampToNanos } from "../src/format/timestamp.ts";

const OUT = new URL("../vectors/", import.meta.url).pathname;
const encoder = new TextEncoder();

/** A deterministic seed from a label: SHA-256 of "spine-vector-seed:" || label. */
function seedFor(label: string): Uint8Array {
  return sha256(encoder.encode(`spine-vector-seed:${label}`));
}

const KEY_A = await signingKeyFromSeed(seedFor("A"));
const KEY_B = await signingKeyFromSeed(seedFor("B"));
const KEY_EVIL = await signingKeyFromSeed(seedFor("attacker"));
const T0 = timestampToNanos("2026-01-01T00:00:00.000000+00:00");

/** Fields of one record before serialization; every field may be overridden by a case. */
interface Draft {
  seq: number;
  prev: string;
  tsNs: bigint;
  payload: string; // JSON text
  overrides: Record<string, string | undefined>; // field → raw JSON text (undefined: omit)
  key: SigningKey;
  /** Sign this entry hash instead of the record's own. */
  signOver?: string;
  /** Replace the stored payload text after hashing (tampering). */
  storedPayload?: string;
  /** Hash this payload text instead (for mismatches). */
  hashAlg?: "blake3" | "sha256";
}

async function line(d: Draft): Promise<{ text: string; entry: string }> {
  const payloadBytes = canonicalJson(parseJsonText(d.payload));
  const payloadHash = d.hashAlg === "sha256"
    ? toHex(sha256(payloadBytes))
    : blake3Hex(payloadBytes);
  const ts = nanosToTimestamp(d.tsNs);
  // Overrides change only the stored text: the signer signed the draft's own values.
  const entry = entryHash(BigInt(d.seq), d.tsNs, d.prev, payloadHash);
  const sig = toHex(await d.key.sign(encoder.encode(d.signOver ?? entry)));
  const fields: [string, string | undefined][] = [
    ["format_version", "1"],
    [
      "event_id",
      JSON.stringify(`evt_00000000-0000-7000-8000-${d.seq.toString().padStart(12, "0")}`),
    ],
    ["stream_id", JSON.stringify("stream_00000000000000aa")],
    ["seq", String(d.seq)],
    ["prev_hash", JSON.stringify(d.prev)],
    ["ts_client", JSON.stringify(ts)],
    ["payload", d.storedPayload ?? d.payload],
    ["payload_hash", JSON.stringify(payloadHash)],
    ["hash_alg", JSON.stringify(d.hashAlg ?? "blake3")],
    ["sig_client", JSON.stringify(sig)],
    ["key_id", JSON.stringify(d.key.keyId)],
    ["public_key", JSON.stringify(d.key.publicKey.hex)],
  ];
  const parts: string[] = [];
  for (const [name, value] of fields) {
    const v = name in d.overrides ? d.overrides[name] : value;
    if (v !== undefined) parts.push(`${JSON.stringify(name)}:${v}`);
  }
  for (const [name, value] of Object.entries(d.overrides)) {
    if (!fields.some(([n]) => n === name) && value !== undefined) {
      parts.push(`${JSON.stringify(name)}:${value}`);
    }
  }
  return { text: `{${parts.join(",")}}`, entry };
}

/** How a case changes record n (1-based position in the file). */
type Edit = Partial<Omit<Draft, "overrides">> & { overrides?: Record<string, string | undefined> };

/**
 * Builds a chain of `count` records, applying per-position edits. The chain links to each record's
 * real recomputed entry hash, as a writer (or a forger with the key) would.
 */
async function chain(
  count: number,
  edits: Record<number, Edit> = {},
  extra: { key?: SigningKey } = {},
): Promise<string[]> {
  const lines: string[] = [];
  let prev = GENESIS_PREV_HASH;
  let key = extra.key ?? KEY_A;
  for (let i = 1; i <= count; i++) {
    const e = edits[i] ?? {};
    const d: Draft = {
      seq: i,
      prev,
      tsNs: T0 + BigInt(i) * 1_000_000n,
      payload: JSON.stringify({ event_type: "user.login", i, user: `user-${i}` }),
      overrides: {},
      key,
      ...e,
    };
    d.overrides = { ...(e.overrides ?? {}) };
    const { text, entry } = await line(d);
    lines.push(text);
    prev = entry;
    if (e.key !== undefined && edits[i]?.payload?.includes("key_rotation")) key = e.key;
    if (d.payload.includes('"key_rotation"')) key = KEY_B;
  }
  return lines;
}

interface VerifyVector {
  description: string;
  /** Trusted public keys (hex); empty: unpinned. */
  trusted_keys: string[];
  /** Segment lines; the last one is written without LF when `final_newline` is false. */
  lines: string[];
  final_newline: boolean;
  expected: { valid: boolean; errors: string[]; warnings: string[]; events_verified: number };
}

const verifyCases: Record<
  string,
  () => Promise<Omit<VerifyVector, "trusted_keys" | "final_newline"> & Partial<VerifyVector>>
> = {
  "ok-three-records": async () => ({
    description: "three records signed by the pinned key",
    lines: await chain(3),
    expected: { valid: true, errors: [], warnings: [], events_verified: 3 },
  }),
  "ok-rotation": async () => ({
    description: "key A rotates to key B at seq 2 (effective 3); B signs 3 and 4; only A is pinned",
    lines: await chain(4, {
      2: {
        payload: JSON.stringify({
          type: "key_rotation",
          new_key_id: KEY_B.keyId,
          new_public_key: KEY_B.publicKey.hex,
          reason: "scheduled",
          effective_seq: 3,
        }),
      },
    }),
    expected: { valid: true, errors: [], warnings: [], events_verified: 4 },
  }),
  "ok-big-integers": async () => ({
    description: "payload integers beyond 64 bits hash from their exact source text",
    lines: await chain(2, {
      2: {
        payload:
          '{"big":18446744073709551616,"neg":-9223372036854775808,"huge":100000000000000000000000000001}',
      },
    }),
    expected: { valid: true, errors: [], warnings: [], events_verified: 2 },
  }),
  "ok-sha256-payload-hash": async () => ({
    description: "hash_alg sha256 hashes the payload with SHA-256 (the entry hash stays BLAKE3)",
    lines: await chain(2, { 2: { hashAlg: "sha256" } }),
    expected: { valid: true, errors: [], warnings: [], events_verified: 2 },
  }),
  "ok-aliases": async () => {
    const lines = await chain(2);
    const aliased = lines[1].replace('"seq":', '"sequence":').replace(
      '"prev_hash":',
      '"previous_hash":',
    )
      .replace('"ts_client":', '"timestamp":').replace('"sig_client":', '"signature":').replace(
        '"public_key":',
        '"pubkey":',
      );
    return {
      description:
        "upstream field aliases (sequence, previous_hash, timestamp, signature, pubkey) are read",
      lines: [lines[0], aliased],
      expected: { valid: true, errors: [], warnings: [], events_verified: 2 },
    };
  },
  "ok-base64-public-key": async () => {
    const lines = await chain(2);
    const b64 = btoa(String.fromCharCode(...KEY_A.publicKey.bytes));
    return {
      description: "a base64 public_key (as the Node SDK writes) selects the same pinned key",
      lines: lines.map((l) =>
        l.replace(`"public_key":"${KEY_A.publicKey.hex}"`, `"public_key":"${b64}"`)
      ),
      expected: { valid: true, errors: [], warnings: [], events_verified: 2 },
    };
  },
  "ok-unpinned": async () => ({
    description: "no pinned key: the genesis key is taken on first use, with a warning",
    trusted_keys: [],
    lines: await chain(2),
    expected: { valid: true, errors: [], warnings: ["unpinned_keys@-"], events_verified: 2 },
  }),
  "chain-break": async () => ({
    description: "record 2 is validly signed but links to a wrong prev_hash",
    lines: await chain(3, { 2: { prev: "ab".repeat(32) } }),
    expected: { valid: false, errors: ["chain_break@2"], warnings: [], events_verified: 3 },
  }),
  "sequence-gap": async () => ({
    description: "seq jumps from 1 to 3; the record links correctly",
    lines: await chain(2, { 2: { seq: 3 } }),
    expected: { valid: false, errors: ["sequence_gap@3"], warnings: [], events_verified: 2 },
  }),
  "duplicate-sequence": async () => ({
    description: "seq 2 appears twice, each linked to its predecessor",
    lines: await chain(3, { 3: { seq: 2 } }),
    expected: { valid: false, errors: ["duplicate_sequence@2"], warnings: [], events_verified: 3 },
  }),
  "sequence-regression": async () => ({
    description: "seq goes from 3 back to 2",
    lines: await chain(4, { 4: { seq: 2 } }),
    expected: { valid: false, errors: ["sequence_regression@2"], warnings: [], events_verified: 4 },
  }),
  "invalid-genesis-prev-hash": async () => ({
    description: "the genesis record's prev_hash is not 64 zeros",
    lines: await chain(2, { 1: { prev: "11".repeat(32) } }),
    expected: { valid: false, errors: ["invalid_genesis@1"], warnings: [], events_verified: 2 },
  }),
  "invalid-genesis-seq": async () => ({
    description: "the log starts at seq 5",
    lines: await chain(1, { 1: { seq: 5 } }),
    expected: { valid: false, errors: ["invalid_genesis@5"], warnings: [], events_verified: 1 },
  }),
  "timestamp-regression": async () => ({
    description: "record 3 is validly signed but one hour earlier than record 2",
    lines: await chain(3, { 3: { tsNs: T0 - 3_600_000_000_000n } }),
    expected: {
      valid: false,
      errors: ["timestamp_regression@3"],
      warnings: [],
      events_verified: 3,
    },
  }),
  "invalid-signature": async () => ({
    description: "record 2's signature is over another message",
    lines: await chain(3, { 2: { signOver: "00".repeat(32) } }),
    expected: { valid: false, errors: ["invalid_signature@2"], warnings: [], events_verified: 3 },
  }),
  "missing-signature": async () => ({
    description: "record 2 has no sig_client",
    lines: await chain(2, { 2: { overrides: { sig_client: undefined } } }),
    expected: { valid: false, errors: ["invalid_signature@2"], warnings: [], events_verified: 2 },
  }),
  "malleated-signature": async () => {
    const lines = await chain(2);
    const rec = JSON.parse(lines[1]);
    // S + L: same signature equation, non-canonical scalar; strict verifiers reject it.
    const sig = rec.sig_client as string;
    const s = BigInt("0x" + (sig.slice(64).match(/../g)!.reverse().join("")));
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const sPlusL = (s + L).toString(16).padStart(64, "0").match(/../g)!.reverse().join("");
    return {
      description: "record 2's signature with S replaced by S + L (malleability)",
      lines: [lines[0], lines[1].replace(sig, sig.slice(0, 64) + sPlusL)],
      expected: { valid: false, errors: ["invalid_signature@2"], warnings: [], events_verified: 2 },
    };
  },
  "invalid-hash": async () => ({
    description: "record 2's payload was edited after hashing",
    lines: await chain(3, {
      2: { storedPayload: JSON.stringify({ event_type: "user.login", i: 2, user: "mallory" }) },
    }),
    expected: { valid: false, errors: ["invalid_hash@2"], warnings: [], events_verified: 3 },
  }),
  "invalid-hash-format": async () => {
    const lines = await chain(2);
    const rec = JSON.parse(lines[1]);
    return {
      description: "record 2's payload_hash is upper-case hex",
      lines: [lines[0], lines[1].replace(rec.payload_hash, rec.payload_hash.toUpperCase())],
      expected: {
        valid: false,
        errors: ["invalid_hash_format@2"],
        warnings: [],
        events_verified: 2,
      },
    };
  },
  "parse-error-garbage-line": async () => {
    const lines = await chain(2);
    return {
      description: "a garbage line between two valid records",
      lines: [lines[0], "this is not json", lines[1]],
      expected: { valid: false, errors: ["parse_error@-"], warnings: [], events_verified: 2 },
    };
  },
  "parse-error-duplicate-key": async () => {
    const lines = await chain(2);
    return {
      description: "record 2 names seq twice",
      lines: [lines[0], lines[1].replace('"seq":2', '"seq":2,"seq":2')],
      expected: { valid: false, errors: ["parse_error@-"], warnings: [], events_verified: 1 },
    };
  },
  "parse-error-field-and-alias": async () => {
    const lines = await chain(2);
    return {
      description: "record 2 has both seq and its alias sequence",
      lines: [lines[0], lines[1].replace('"seq":2', '"seq":2,"sequence":3')],
      expected: { valid: false, errors: ["parse_error@-"], warnings: [], events_verified: 1 },
    };
  },
  "torn-tail": async () => {
    const lines = await chain(3);
    return {
      description: "a partial final line without LF (a crash mid-write) after two complete records",
      lines: [lines[0], lines[1], lines[2].slice(0, 100)],
      final_newline: false,
      expected: { valid: true, errors: [], warnings: ["torn_tail@-"], events_verified: 2 },
    };
  },
  "blank-line": async () => {
    const lines = await chain(2);
    return {
      description: "a blank line between records is skipped with a warning",
      lines: [lines[0], "", lines[1]],
      expected: { valid: true, errors: [], warnings: ["blank_line@-"], events_verified: 2 },
    };
  },
  "untrusted-key": async () => ({
    description: "record 2 is signed by a key nobody pinned",
    lines: await chain(3, { 2: { key: KEY_EVIL } }),
    expected: { valid: false, errors: ["untrusted_key@2"], warnings: [], events_verified: 3 },
  }),
  "old-key-after-rotation": async () => ({
    description: "after A rotated to B (effective 3), record 4 is signed by A again",
    lines: await chain(4, {
      2: {
        payload: JSON.stringify({
          type: "key_rotation",
          new_key_id: KEY_B.keyId,
          new_public_key: KEY_B.publicKey.hex,
          effective_seq: 3,
        }),
      },
      4: { key: KEY_A },
    }),
    expected: { valid: false, errors: ["untrusted_key@4"], warnings: [], events_verified: 4 },
  }),
  "rotation-by-untrusted-key": async () => ({
    description:
      "an attacker key signs a rotation to itself: neither the rotation nor later records are trusted",
    lines: await chain(3, {
      2: {
        key: KEY_EVIL,
        payload: JSON.stringify({
          type: "key_rotation",
          new_key_id: "x",
          new_public_key: KEY_EVIL.publicKey.hex,
          effective_seq: 3,
        }),
      },
      3: { key: KEY_EVIL },
    }),
    expected: {
      valid: false,
      errors: ["untrusted_key@2", "untrusted_key@3"],
      warnings: [],
      events_verified: 3,
    },
  }),
  "invalid-rotation-effective-seq": async () => ({
    description: "a rotation whose effective_seq is not after its own seq",
    lines: await chain(2, {
      2: {
        payload: JSON.stringify({
          type: "key_rotation",
          new_key_id: KEY_B.keyId,
          new_public_key: KEY_B.publicKey.hex,
          effective_seq: 2,
        }),
      },
    }),
    expected: { valid: false, errors: ["invalid_rotation@2"], warnings: [], events_verified: 2 },
  }),
  "invalid-rotation-small-order-key": async () => ({
    description: "a rotation to the small-order identity point",
    lines: await chain(2, {
      2: {
        payload: JSON.stringify({
          type: "key_rotation",
          new_key_id: "id",
          new_public_key: "01" + "00".repeat(31),
          effective_seq: 3,
        }),
      },
    }),
    expected: { valid: false, errors: ["invalid_rotation@2"], warnings: [], events_verified: 2 },
  }),
  "revoked-key": async () => ({
    description:
      "key A revokes key B from seq 3 after rotating to it... here: A pinned with B, B revoked at 3, record 3 signed by B",
    trusted_keys: [KEY_A.publicKey.hex, KEY_B.publicKey.hex],
    lines: await chain(3, {
      2: {
        payload: JSON.stringify({
          type: "key_revocation",
          revoked_key_id: KEY_B.keyId,
          revoked_public_key: KEY_B.publicKey.hex,
          reason: "laptop stolen",
          effective_seq: 3,
        }),
      },
      3: { key: KEY_B },
    }),
    expected: { valid: false, errors: ["revoked_key@3"], warnings: [], events_verified: 3 },
  }),
  "unsupported-version": async () => ({
    description: "record 2 claims format_version 2",
    lines: await chain(2, { 2: { overrides: { format_version: "2" } } }),
    expected: { valid: false, errors: ["unsupported_version@2"], warnings: [], events_verified: 2 },
  }),
  "unsupported-hash-alg": async () => ({
    description: "record 2 claims hash_alg md5",
    lines: await chain(2, { 2: { overrides: { hash_alg: '"md5"' } } }),
    expected: {
      valid: false,
      errors: ["unsupported_hash_alg@2"],
      warnings: [],
      events_verified: 2,
    },
  }),
  "invalid-timestamp": async () => ({
    description: "record 2's ts_client has no offset",
    lines: await chain(2, { 2: { overrides: { ts_client: '"2026-01-01T00:00:00"' } } }),
    expected: { valid: false, errors: ["invalid_timestamp@2"], warnings: [], events_verified: 2 },
  }),
  "stream-id-changed": async () => ({
    description: "record 2 carries another stream_id (not covered by the signature in v1)",
    lines: await chain(2, { 2: { overrides: { stream_id: '"stream_00000000000000bb"' } } }),
    expected: { valid: true, errors: [], warnings: ["stream_id_changed@2"], events_verified: 2 },
  }),
  "nfc-key-collision": async () => ({
    description: 'record 2\'s payload has keys equal after NFC ("café" composed and decomposed)',
    lines: await chain(2, { 2: { payload: '{"caf\\u00e9":1,"cafe\\u0301":2}' } }),
    expected: { valid: true, errors: [], warnings: ["nfc_key_collision@2"], events_verified: 2 },
  }),
};

interface CanonicalVector {
  description: string;
  /** The payload as JSON text (the exact source, numbers included). */
  input: string;
  expected: { canonical: string; payload_hash_blake3: string } | { error: string };
}

/** Name → [description, input JSON text, expected canonical text written by hand, or null: refused]. */
const canonicalCases: Record<string, [string, string, string | null]> = {
  "key-order-code-point": [
    "keys sort by code point: U+FF61 before U+1F600 (UTF-16 order differs)",
    '{"\\ud83d\\ude00":2,"\\uff61":1}',
    '{"\uff61":1,"\u{1f600}":2}',
  ],
  "key-order-ascii": [
    "ASCII keys sort bytewise; upper case first",
    '{"b":1,"B":2,"a":3,"_":4}',
    '{"B":2,"_":4,"a":3,"b":1}',
  ],
  "nfc-value": [
    "string values are NFC-normalized",
    '{"name":"cafe\\u0301"}',
    '{"name":"caf\u00e9"}',
  ],
  "nfc-key": [
    "keys are NFC-normalized before sorting (U+212B ANGSTROM SIGN becomes U+00C5)",
    '{"\\u212bngstr\\u00f6m":1,"A":2}',
    '{"A":2,"\u00c5ngstr\u00f6m":1}',
  ],
  "escapes-controls": [
    "controls escape as Python does: short forms, lowercase \\u00xx, DEL raw",
    '{"s":"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\\u007f"}',
    '{"s":"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\x7f"}',
  ],
  "escapes-quote-backslash": [
    "quote and backslash escape; slash does not",
    '{"s":"a\\"b\\\\c\\/d"}',
    '{"s":"a\\"b\\\\c/d"}',
  ],
  "raw-line-separators": [
    "U+2028 and U+2029 are written raw",
    '{"s":"\\u2028\\u2029"}',
    '{"s":"\u2028\u2029"}',
  ],
  "astral-raw": [
    "astral characters are written raw as UTF-8",
    '{"s":"\\ud834\\udd1e\\ud83d\\udc4d"}',
    '{"s":"\u{1d11e}\u{1f44d}"}',
  ],
  "big-integer": [
    "integers of any size keep their exact digits",
    '{"n":123456789012345678901234567890}',
    '{"n":123456789012345678901234567890}',
  ],
  "negative-zero": ["-0 is written 0, as Python's int", '{"n":-0}', '{"n":0}'],
  "nested": [
    "objects sort at every level; arrays keep their order",
    '{"z":[{"b":1,"a":2}],"a":{"d":{"c":true,"b":null}}}',
    '{"a":{"d":{"b":null,"c":true}},"z":[{"a":2,"b":1}]}',
  ],
  "empty-containers": [
    "empty containers",
    '{ "a" : { } , "b" : [ ] , "c" : "" }',
    '{"a":{},"b":[],"c":""}',
  ],
  "float-refused": ["a fraction is not canonical", '{"price":1.5}', null],
  "exponent-refused": ["an exponent is not canonical", '{"n":1e21}', null],
  "lone-surrogate-refused": [
    "a lone surrogate cannot be encoded as UTF-8",
    '{"s":"x\\ud800y"}',
    null,
  ],
};

/** Name → [description, line, expected leaf data written by hand (UTF-8 text)]. */
const leafCases: Record<string, [string, string, string]> = {
  "record-fields-sorted-payload-removed": [
    "a record: every member but payload and receipt, in canonical JSON, after the context line",
    '{"seq":1,"prev_hash":"00","payload":{"a":1},"event_id":"evt_1","receipt":null}',
    'spine.record/v1\n{"event_id":"evt_1","prev_hash":"00","seq":1}',
  ],
  "record-python-spacing": [
    "Python's spacing and escapes do not change the leaf",
    '{"seq": 1, "event_id": "evt_\\u00e9", "payload": {"x": 2}}',
    'spine.record/v1\n{"event_id":"evt_\u00e9","seq":1}',
  ],
  "record-alias-kept": [
    "aliases are bound under the name the line uses",
    '{"sequence":7,"payload":{}}',
    'spine.record/v1\n{"sequence":7}',
  ],
  "non-record-line": [
    "a line that is not a JSON object is bound byte for byte",
    "not json at all",
    "spine.line/v1\nnot json at all",
  ],
};

async function main(): Promise<void> {
  await Deno.remove(`${OUT}verify`, { recursive: true }).catch(() => {});
  await Deno.remove(`${OUT}canonical`, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${OUT}verify`, { recursive: true });
  await Deno.mkdir(`${OUT}canonical`, { recursive: true });
  for (const [name, make] of Object.entries(verifyCases)) {
    const c = await make();
    const v: VerifyVector = {
      description: c.description,
      trusted_keys: c.trusted_keys ?? [KEY_A.publicKey.hex],
      lines: c.lines,
      final_newline: c.final_newline ?? true,
      expected: {
        ...c.expected,
        errors: [...c.expected.errors].sort(),
        warnings: [...c.expected.warnings].sort(),
      },
    };
    await Deno.writeTextFile(`${OUT}verify/${name}.json`, JSON.stringify(v, null, 2) + "\n");
  }
  for (const [name, [description, input, canonical]] of Object.entries(canonicalCases)) {
    // The expectation is written by hand above; the generator only refuses to write a vector our
    // implementation disagrees with, so a wrong implementation cannot quietly become the vector.
    let ours: string;
    try {
      ours = new TextDecoder().decode(canonicalJson(parseJsonText(input)));
    } catch (e) {
      ours = `refused: ${(e as Error).name}`;
    }
    if (ours !== (canonical ?? "refused: CanonicalJsonError")) {
      throw new Error(
        `canonical vector ${name}: implementation gives ${JSON.stringify(ours)}, expected ${
          JSON.stringify(canonical)
        }`,
      );
    }
    const expected: CanonicalVector["expected"] = canonical === null
      ? { error: "CanonicalJsonError" }
      : { canonical, payload_hash_blake3: blake3Hex(encoder.encode(canonical)) };
    const v: CanonicalVector = { description, input, expected };
    await Deno.writeTextFile(`${OUT}canonical/${name}.json`, JSON.stringify(v, null, 2) + "\n");
  }
  await Deno.remove(`${OUT}leaf`, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${OUT}leaf`, { recursive: true });
  for (const [name, [description, line, data]] of Object.entries(leafCases)) {
    const dataBytes = encoder.encode(data);
    const expected = toHex(sha256(new Uint8Array([0, ...dataBytes])));
    // Written by hand above; refuse to write a vector our implementation disagrees with.
    const ours = toHex(lineLeafHash(encoder.encode(line)));
    if (ours !== expected) {
      throw new Error(`leaf vector ${name}: implementation gives ${ours}, expected ${expected}`);
    }
    const v = { description, line, expected: { leaf_data: data, leaf_hash: expected } };
    await Deno.writeTextFile(`${OUT}leaf/${name}.json`, JSON.stringify(v, null, 2) + "\n");
  }
  console.log(
    `wrote ${Object.keys(verifyCases).length} verify, ${
      Object.keys(canonicalCases).length
    } canonical and ${Object.keys(leafCases).length} leaf vectors`,
  );
}

if (import.meta.main) await main();
