import assert from "node:assert/strict";
import { testKey } from "./_test_keys.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import {
  formatNote,
  formatVerifierKey,
  noteKeyId,
  parseNote,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  signNote,
  verifyNote,
  verifyNoteSignature,
} from "./note.ts";
import { sha256 } from "../deps/noble_hashes_sha2.ts";

const key = await testKey("note_test: log key");
const other = await testKey("note_test: other key");
const NAME = "example.com/log";
const BODY = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof CheckpointSyntaxError && e.code === code);
}

Deno.test("noteKeyId is the first four bytes of SHA-256(name || 0x0A || type || key)", () => {
  const digest = sha256(
    Uint8Array.from([...new TextEncoder().encode(NAME), 0x0a, 0x01, ...key.publicKey]),
  );
  const want = new DataView(digest.buffer).getUint32(0);
  assert.equal(noteKeyId(NAME, key.publicKey), want);
  assert.notEqual(noteKeyId(NAME, key.publicKey, SIG_TYPE_COSIGNATURE_V1), want);
});

Deno.test("signNote output round-trips through formatNote, parseNote and verifyNoteSignature", async () => {
  const sig = await signNote(BODY, NAME, key.sign, key.publicKey);
  const text = formatNote(BODY, [sig]);
  const note = parseNote(text);
  assert.equal(note.body, BODY);
  assert.equal(formatNote(note.body, note.signatures), text);
  assert.ok(await verifyNoteSignature(note, NAME, key.publicKey));
  assert.ok(!(await verifyNoteSignature(note, NAME, other.publicKey)));
  assert.ok(!(await verifyNoteSignature(note, "example.com/other", key.publicKey)));
  assert.ok(
    !(await verifyNoteSignature(parseNote(text.replace("\n1\n", "\n2\n")), NAME, key.publicKey)),
  );
});

Deno.test("parseNote accepts bytes and splits the body at the last blank line", async () => {
  const body = "line one\n\nline three\n";
  const sig = await signNote(body, NAME, key.sign, key.publicKey);
  const text = formatNote(body, [sig]);
  const note = parseNote(new TextEncoder().encode(text));
  assert.equal(note.body, body);
  assert.ok(await verifyNoteSignature(note, NAME, key.publicKey));
});

Deno.test("verifyNote marks unknown keys and fails the note when a known key does not verify", async () => {
  const good = await signNote(BODY, NAME, key.sign, key.publicKey);
  const stranger = await signNote(BODY, "witness.example", other.sign, other.publicKey);
  const trusted = [parseVerifierKey(formatVerifierKey(NAME, key.publicKey))];
  const report = await verifyNote(parseNote(formatNote(BODY, [good, stranger])), trusted);
  assert.equal(report.valid, true);
  assert.deepEqual(report.signatures.map((s) => s.status), ["verified", "unknown_key"]);
  const forged = { ...good, signature: good.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
  const bad = await verifyNote(parseNote(formatNote(BODY, [forged, stranger])), trusted);
  assert.equal(bad.valid, false);
  assert.deepEqual(bad.signatures.map((s) => s.status), ["invalid", "unknown_key"]);
  const none = await verifyNote(parseNote(formatNote(BODY, [stranger])), trusted);
  assert.equal(none.valid, false);
});

Deno.test("signNote rejects a signer whose output does not match the public key", async () => {
  await assert.rejects(() => signNote(BODY, NAME, other.sign, key.publicKey), /does not verify/);
  await assert.rejects(() => signNote("no newline", NAME, key.sign, key.publicKey), RangeError);
  await assert.rejects(() => signNote(BODY, "a b", key.sign, key.publicKey), TypeError);
});

Deno.test("parseNote reports the line and byte offset of a malformed signature line", () => {
  const text = "h\u00e9\n\n\u2014 k AAAAAAE=\n\u2014 bad\n";
  assert.throws(() => parseNote(text, { file: "cp.txt" }), (e: unknown) => {
    assert.ok(e instanceof CheckpointSyntaxError);
    assert.equal(e.code, "malformed_signature_line");
    assert.equal(e.file, "cp.txt");
    assert.equal(e.line, 4);
    assert.equal(e.offset, 20);
    assert.match(e.message, /^Cannot parse cp\.txt:4 \(byte 20\): /);
    return true;
  });
});

Deno.test("parseNote rejects hostile input with a specific code", () => {
  const sigLine = "\u2014 k AAAAAAE=\n";
  const cases: [string | Uint8Array, string][] = [
    [new Uint8Array([0x68, 0xff, 0x0a, 0x0a]), "invalid_utf8"],
    ["a\ud800\n\n" + sigLine, "invalid_utf8"],
    ["a\r\n\n" + sigLine, "control_character"],
    ["a\u0000\n\n" + sigLine, "control_character"],
    ["a\n\n" + sigLine.slice(0, -1), "missing_newline"],
    ["a\n" + sigLine, "missing_signatures"],
    ["a\n\n", "missing_signatures"],
    ["a\n\n\u2014 k AAAA\n", "malformed_signature_line"],
    ["a\n\n\u2014 k  AAAAAAE=\n", "malformed_signature_line"],
    ["a\n\n\u2014 \u00a0k AAAAAAE=\n", "invalid_key_name"],
    ["a\n\n\u2014 k AAAAAAE\n", "invalid_base64"],
    ["a\n\n\u2014 k AAAAAAF=\n", "invalid_base64"],
    ["a\n\n\u2014 k AAAA_AE=\n", "invalid_base64"],
    ["a\n\n" + sigLine + sigLine, "duplicate_signature"],
    [
      "a\n\n" + Array.from({ length: 101 }, (_, i) => `\u2014 k${i} AAAAAAE=\n`).join(""),
      "too_many_signatures",
    ],
    ["x".repeat(10 * 1024 * 1024) + "\n\n" + sigLine, "too_large"],
  ];
  for (const [input, code] of cases) assertCode(() => parseNote(input), code);
  assert.throws(() => parseNote(42 as unknown as string), TypeError);
  assert.equal(
    parseNote("a\n\n" + Array.from({ length: 16 }, (_, i) => `\u2014 k${i} AAAAAAE=\n`).join(""))
      .signatures.length,
    16,
  );
});

Deno.test("formatNote refuses bodies and signatures that would not parse back", () => {
  const sig = { name: "k", keyId: 1, signature: new Uint8Array([1]) };
  assert.throws(() => formatNote("no newline", [sig]), RangeError);
  assert.throws(() => formatNote("tab\t\n", [sig]), RangeError);
  assert.throws(() => formatNote("ok\n", []), RangeError);
  assert.throws(() => formatNote("ok\n", [{ ...sig, name: "a+b" }]), TypeError);
  assert.throws(() => formatNote("ok\n", [{ ...sig, keyId: 2 ** 32 }]), TypeError);
  assert.throws(() => formatNote("ok\n", [{ ...sig, signature: new Uint8Array() }]), TypeError);
});

Deno.test("formatVerifierKey and parseVerifierKey round-trip both Ed25519 types", () => {
  for (const type of [1, 4]) {
    const vkey = formatVerifierKey(NAME, key.publicKey, type);
    const parsed = parseVerifierKey(vkey);
    assert.equal(parsed.name, NAME);
    assert.equal(parsed.type, type);
    assert.deepEqual(parsed.publicKey, key.publicKey);
    assert.equal(parsed.keyId, noteKeyId(NAME, key.publicKey, type));
  }
  assert.throws(() => formatVerifierKey(NAME, key.publicKey, 2), TypeError);
  assert.throws(() => formatVerifierKey(NAME, new Uint8Array(31)), TypeError);
});

Deno.test("parseVerifierKey rejects hostile vkeys with a specific code", () => {
  const good = formatVerifierKey(NAME, key.publicKey);
  const cases: [string, string][] = [
    ["", "malformed_vkey"],
    [NAME, "malformed_vkey"],
    [good + "\n", "invalid_base64"],
    [good.replace(NAME, "a b"), "invalid_key_name"],
    [good.slice(0, -4) + "AAAA", "key_id_mismatch"],
    [`${NAME}+00000000+${new Uint8Array([1, ...new Uint8Array(31)]).toBase64()}`, "malformed_vkey"],
    ["x".repeat(10_000), "malformed_vkey"],
    [`__proto__+00000000+AQ==`, "malformed_vkey"],
  ];
  for (const [vkey, code] of cases) assertCode(() => parseVerifierKey(vkey), code);
  assertCode(() => parseVerifierKey(undefined as unknown as string), "malformed_vkey");
});
