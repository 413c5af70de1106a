/**
 * C2SP signed notes (c2sp.org/signed-note): strict parsing and formatting, Ed25519 key IDs,
 * signature verification through WebCrypto, signing through an injected signer, and vkeys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNote, parseNote, signNote, verifyNoteSignature } from "./note.ts";
 * const keys = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
 * const pub = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
 * const signer = async (msg: Uint8Array<ArrayBuffer>) =>
 *   new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, msg));
 * const sig = await signNote("hello\n", "example.com/log", signer, pub);
 * const note = parseNote(formatNote("hello\n", [sig]));
 * assert.ok(await verifyNoteSignature(note, "example.com/log", pub));
 * ```
 *
 * @module
 */

import { parsePublicKey, type PublicKey, verifySignature } from "../crypto/ed25519.ts";
import { sha256 } from "../deps/noble_hashes_sha2.ts";
import {
  concatBytes,
  decodeUtf8Strict,
  findControlCharacter,
  fromBase64Strict,
  toBase64,
  utf8,
  utf8Length,
} from "./_bytes.ts";
import { CheckpointSyntaxError } from "./errors.ts";

/** Signature type byte for plain Ed25519 note signatures. */
export const SIG_TYPE_ED25519 = 0x01;
/** Signature type byte for timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;
/** Default cap on a note's size in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 1 << 20;
/** Default cap on the number of signature lines (the spec requires accepting at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = "\u2014 ";
const ED25519_PUBLIC_KEY_SIZE = 32;

/**
 * Injected Ed25519 signing function: returns the 64-byte signature of `message`. Keeps private
 * keys out of this module (they may live in WebCrypto, an HSM or an agent).
 */
export type Ed25519Signer = (message: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;

/** One signature line of a note. */
export interface NoteSignature {
  /** Key name. */
  name: string;
  /** 32-bit key ID (big-endian uint32 of the first four signature bytes). */
  keyId: number;
  /** Signature bytes after the key ID (algorithm-specific). */
  signature: Uint8Array;
}

/** A parsed note. Signatures are unverified until checked against a trusted key. */
export interface Note {
  /** Note text, ending in a newline, without the separating blank line. */
  body: string;
  /** Signature lines in order of appearance, all unverified. */
  signatures: NoteSignature[];
}

/** Limits and context for {@link parseNote}. */
export interface ParseNoteOptions {
  /** File name for error messages. */
  file?: string;
  /** Maximum note size in UTF-8 bytes; default {@link MAX_NOTE_BYTES}. */
  maxBytes?: number;
  /** Maximum number of signatures; default {@link MAX_NOTE_SIGNATURES}. */
  maxSignatures?: number;
}

/** A trusted Ed25519 verifier: key name, type byte and 32-byte public key. */
export interface VerifierKey {
  /** Key name. */
  name: string;
  /** Signature type byte ({@link SIG_TYPE_ED25519} or {@link SIG_TYPE_COSIGNATURE_V1}). */
  type: number;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Key ID computed from name, type and key. */
  keyId: number;
}

/**
 * Parses a signed note strictly: valid UTF-8, no control characters other than newline, text
 * ending in a newline, a blank line, then one or more well-formed signature lines with distinct
 * (name, key ID) pairs. Signatures are returned unverified.
 *
 * @param input Note text, or its raw bytes (checked for valid UTF-8).
 * @param options File name for errors and size limits.
 * @returns The note body and its signature lines.
 * @throws {CheckpointSyntaxError} If the note is malformed or exceeds a limit.
 * @throws {TypeError} If `input` is neither a string nor a Uint8Array.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNote } from "./note.ts";
 * const note = parseNote("hi\n\n\u2014 k AAAAAAE=\n");
 * assert.ok(note.body === "hi\n" && note.signatures[0].keyId === 0);
 * ```
 */
export function parseNote(input: string | Uint8Array, options: ParseNoteOptions = {}): Note {
  const file = options.file;
  const maxBytes = options.maxBytes ?? MAX_NOTE_BYTES;
  const maxSignatures = options.maxSignatures ?? MAX_NOTE_SIGNATURES;
  let text: string;
  if (input instanceof Uint8Array) {
    if (input.length > maxBytes) {
      throw new CheckpointSyntaxError("too_large", `note is over ${maxBytes} bytes`, at(file));
    }
    const decoded = decodeUtf8Strict(input);
    if (decoded === undefined) {
      throw new CheckpointSyntaxError("invalid_utf8", "note is not valid UTF-8", at(file));
    }
    text = decoded;
  } else if (typeof input === "string") {
    // Each UTF-16 unit is at most 3 UTF-8 bytes: cheap pre-check before encoding.
    if (input.length > maxBytes || utf8Length(input) > maxBytes) {
      throw new CheckpointSyntaxError("too_large", `note is over ${maxBytes} bytes`, at(file));
    }
    if (!input.isWellFormed()) {
      throw new CheckpointSyntaxError("invalid_utf8", "note has a lone surrogate", at(file));
    }
    text = input;
  } else {
    throw new TypeError("Note must be a string or a Uint8Array");
  }
  checkControlCharacters(text, file);
  if (!text.endsWith("\n")) {
    throw new CheckpointSyntaxError("missing_newline", "note does not end in a newline", {
      file,
      line: countLines(text),
      offset: lineOffset(text, text.lastIndexOf("\n") + 1),
    });
  }
  // The text is separated from the signatures by the last blank line.
  const split = text.lastIndexOf("\n\n");
  if (split < 0) {
    throw new CheckpointSyntaxError(
      "missing_signatures",
      "note has no blank line before signatures",
      at(file),
    );
  }
  const body = text.slice(0, split + 1);
  const sigBlock = text.slice(split + 2);
  if (sigBlock.length === 0) {
    throw new CheckpointSyntaxError("missing_signatures", "note has no signature lines", {
      file,
      line: countLines(body) + 1,
      offset: utf8Length(body),
    });
  }
  const lines = sigBlock.slice(0, -1).split("\n");
  if (lines.length > maxSignatures) {
    throw new CheckpointSyntaxError(
      "too_many_signatures",
      `note has ${lines.length} signatures, over the limit of ${maxSignatures}`,
      at(file),
    );
  }
  const firstSigLine = countLines(body) + 2;
  let offset = utf8Length(body) + 1;
  const seen = new Set<string>();
  const signatures: NoteSignature[] = [];
  for (let i = 0; i < lines.length; i++) {
    const location = { file, line: firstSigLine + i, offset };
    const sig = parseSignatureLine(lines[i], location);
    const id = `${sig.name} ${sig.keyId}`;
    if (seen.has(id)) {
      throw new CheckpointSyntaxError(
        "duplicate_signature",
        `note has two signatures from key ${sig.name}+${hex32(sig.keyId)}`,
        location,
      );
    }
    seen.add(id);
    signatures.push(sig);
    offset += utf8Length(lines[i]) + 1;
  }
  return { body, signatures };
}

/**
 * Formats a signed note: body, blank line, one line per signature.
 *
 * @param body Note text; must end in a newline and contain no control characters but newline.
 * @param signatures At least one signature.
 * @returns The note text.
 * @throws {TypeError} If a key name is invalid, a key ID is not a uint32 or a signature is empty.
 * @throws {RangeError} If the body does not end in a newline, has control characters, or there
 * are no signatures.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNote } from "./note.ts";
 * const text = formatNote("hi\n", [{ name: "k", keyId: 0, signature: new Uint8Array([1]) }]);
 * assert.ok(text === "hi\n\n\u2014 k AAAAAAE=\n");
 * ```
 */
export function formatNote(body: string, signatures: readonly NoteSignature[]): string {
  assertBody(body);
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw new RangeError("A note needs at least one signature");
  }
  let out = body + "\n";
  for (const sig of signatures) out += formatSignatureLine(sig);
  return out;
}

/**
 * Key ID per c2sp.org/signed-note: `SHA-256(name || 0x0A || type || publicKey)[:4]` read as a
 * big-endian uint32.
 *
 * @param name Key name.
 * @param publicKey Public key bytes (32 bytes for Ed25519).
 * @param type Signature type byte; default {@link SIG_TYPE_ED25519}.
 * @returns The key ID.
 * @throws {TypeError} If the name is invalid, the key is not a Uint8Array or the type not a byte.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noteKeyId } from "./note.ts";
 * const id = noteKeyId("example.com/log", new Uint8Array(32));
 * assert.ok(Number.isInteger(id) && id >= 0 && id < 2 ** 32);
 * ```
 */
export function noteKeyId(
  name: string,
  publicKey: Uint8Array,
  type: number = SIG_TYPE_ED25519,
): number {
  assertKeyName(name);
  if (!(publicKey instanceof Uint8Array)) throw new TypeError("Public key must be a Uint8Array");
  if (!Number.isInteger(type) || type < 0 || type > 255) {
    throw new TypeError(`Signature type ${type} is not a byte`);
  }
  const digest = sha256(concatBytes(utf8(name), new Uint8Array([0x0a, type]), publicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

/**
 * Checks whether `note` carries a valid Ed25519 signature from the given key. Signature lines
 * whose name or key ID differ are ignored; if several lines match, all must verify.
 *
 * @param note Parsed note.
 * @param name Trusted key name.
 * @param publicKey Trusted 32-byte Ed25519 public key.
 * @returns `true` if at least one matching signature exists and every matching one verifies.
 * @throws {TypeError} If the name or the public key is malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNote, verifyNoteSignature } from "./note.ts";
 * const note = parseNote("hi\n\n\u2014 k AAAAAAE=\n");
 * assert.ok(!(await verifyNoteSignature(note, "k", new Uint8Array(32))));
 * ```
 */
export async function verifyNoteSignature(
  note: Note,
  name: string,
  publicKey: Uint8Array,
): Promise<boolean> {
  assertEd25519PublicKey(publicKey);
  const keyId = noteKeyId(name, publicKey, SIG_TYPE_ED25519);
  const matching = note.signatures.filter((s) => s.name === name && s.keyId === keyId);
  if (matching.length === 0) return false;
  const message = utf8(note.body);
  for (const sig of matching) {
    if (!(await ed25519Verify(publicKey, sig.signature, message))) return false;
  }
  return true;
}

/** Per-signature outcome of {@link verifyNote}. */
export type NoteSignatureStatus = "verified" | "invalid" | "unknown_key";

/** Result of {@link verifyNote}. */
export interface NoteVerification {
  /** True if at least one known key verified and no known key failed. */
  valid: boolean;
  /** Status of each signature line, in note order. */
  signatures: { name: string; keyId: number; status: NoteSignatureStatus }[];
}

/**
 * Verifies a note against a set of trusted plain Ed25519 keys (type 0x01). Signatures from
 * unknown keys are reported as `unknown_key` and otherwise ignored, as the spec requires.
 *
 * @param note Parsed note.
 * @param keys Trusted keys (from {@link parseVerifierKey} or built by hand).
 * @returns Per-signature statuses and an overall verdict.
 * @throws {TypeError} If a key is malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNote, verifyNote } from "./note.ts";
 * const report = await verifyNote(parseNote("hi\n\n\u2014 k AAAAAAE=\n"), []);
 * assert.ok(!report.valid && report.signatures[0].status === "unknown_key");
 * ```
 */
export async function verifyNote(
  note: Note,
  keys: readonly VerifierKey[],
): Promise<NoteVerification> {
  const message = utf8(note.body);
  const signatures: NoteVerification["signatures"] = [];
  let verified = 0;
  let invalid = 0;
  for (const sig of note.signatures) {
    const key = keys.find((k) =>
      k.type === SIG_TYPE_ED25519 && k.name === sig.name && k.keyId === sig.keyId
    );
    let status: NoteSignatureStatus = "unknown_key";
    if (key) {
      assertEd25519PublicKey(key.publicKey);
      status = (await ed25519Verify(key.publicKey, sig.signature, message))
        ? "verified"
        : "invalid";
    }
    if (status === "verified") verified++;
    if (status === "invalid") invalid++;
    signatures.push({ name: sig.name, keyId: sig.keyId, status });
  }
  return { valid: verified > 0 && invalid === 0, signatures };
}

/**
 * Signs a note body with an injected Ed25519 signer; this module never sees private keys. The
 * returned signature is checked against `publicKey` before it is returned.
 *
 * @param body Note text ending in a newline.
 * @param name Key name.
 * @param signer Produces a 64-byte Ed25519 signature over the message.
 * @param publicKey The signer's 32-byte public key (used for the key ID and the self-check).
 * @returns The signature line data, ready for {@link formatNote}.
 * @throws {RangeError} If the body is malformed.
 * @throws {TypeError} If the name or key is malformed.
 * @throws {Error} If the signer returns a signature that does not verify under `publicKey`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signNote } from "./note.ts";
 * const keys = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
 * const pub = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
 * const sig = await signNote("hi\n", "k", async (m) =>
 *   new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, m)), pub);
 * assert.ok(sig.signature.length === 64);
 * ```
 */
export async function signNote(
  body: string,
  name: string,
  signer: Ed25519Signer,
  publicKey: Uint8Array,
): Promise<NoteSignature> {
  assertBody(body);
  assertEd25519PublicKey(publicKey);
  const keyId = noteKeyId(name, publicKey, SIG_TYPE_ED25519);
  const message = utf8(body);
  const signature = await signer(message.slice());
  if (!(await ed25519Verify(publicKey, signature, message))) {
    throw new Error(`Signer output does not verify under the public key for ${name}`);
  }
  return { name, keyId, signature: signature.slice() };
}

/**
 * Parses a vkey `<name>+<8 hex digit key ID>+<base64(type || public key)>`, checking the key ID.
 * Only the Ed25519-based types 0x01 and 0x04 are supported.
 *
 * @param vkey Verifier key string.
 * @returns Name, type, public key and key ID.
 * @throws {CheckpointSyntaxError} If the vkey is malformed, of an unsupported type, or its key ID
 * does not match.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVerifierKey } from "./note.ts";
 * const k = parseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
 * assert.ok(k.name === "PeterNeumann" && k.keyId === 0xc74f20a3);
 * ```
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  const location = { line: 1, offset: 0 };
  if (typeof vkey !== "string" || vkey.length > 4096) {
    throw new CheckpointSyntaxError(
      "malformed_vkey",
      "vkey is not a string of sane length",
      location,
    );
  }
  const parts = vkey.split("+");
  // The base64 key may itself contain "+", so name and ID are the first two fields only.
  if (parts.length < 3) {
    throw new CheckpointSyntaxError("malformed_vkey", "vkey has fewer than three fields", location);
  }
  const [name, idHex] = parts;
  const keyB64 = parts.slice(2).join("+");
  if (!isValidKeyName(name)) {
    throw new CheckpointSyntaxError(
      "invalid_key_name",
      `vkey name ${JSON.stringify(name)} is not valid`,
      location,
    );
  }
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    throw new CheckpointSyntaxError(
      "malformed_vkey",
      "vkey key ID is not 8 lowercase hex digits",
      location,
    );
  }
  const raw = fromBase64Strict(keyB64);
  if (raw === undefined || raw.length < 1) {
    throw new CheckpointSyntaxError("invalid_base64", "vkey key is not canonical base64", location);
  }
  const type = raw[0];
  const publicKey = raw.slice(1);
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new CheckpointSyntaxError(
      "unsupported_key_type",
      `vkey type 0x${type.toString(16).padStart(2, "0")} is not supported`,
      location,
    );
  }
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw new CheckpointSyntaxError(
      "malformed_vkey",
      `vkey public key is ${publicKey.length} bytes, not 32`,
      location,
    );
  }
  const keyId = noteKeyId(name, publicKey, type);
  if (hex32(keyId) !== idHex) {
    throw new CheckpointSyntaxError(
      "key_id_mismatch",
      `vkey key ID ${idHex} does not match ${hex32(keyId)}`,
      location,
    );
  }
  return { name, type, publicKey, keyId };
}

/**
 * Formats a vkey `<name>+<hex key ID>+<base64(type || public key)>`.
 *
 * @param name Key name.
 * @param publicKey 32-byte Ed25519 public key.
 * @param type {@link SIG_TYPE_ED25519} (default) or {@link SIG_TYPE_COSIGNATURE_V1}.
 * @returns The vkey string.
 * @throws {TypeError} If the name, key or type is invalid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatVerifierKey, parseVerifierKey } from "./note.ts";
 * const vkey = formatVerifierKey("example.com/log", new Uint8Array(32).fill(7));
 * assert.ok(parseVerifierKey(vkey).name === "example.com/log");
 * ```
 */
export function formatVerifierKey(
  name: string,
  publicKey: Uint8Array,
  type: number = SIG_TYPE_ED25519,
): string {
  assertEd25519PublicKey(publicKey);
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new TypeError(`Signature type ${type} is not supported`);
  }
  const keyId = noteKeyId(name, publicKey, type);
  return `${name}+${hex32(keyId)}+${toBase64(concatBytes(new Uint8Array([type]), publicKey))}`;
}

/**
 * Verifies an Ed25519 signature with the project's strict verifier (`src/crypto/ed25519.ts`:
 * small-order and non-canonical keys refused, S < L, cofactorless equation). Returns `false` for
 * malformed keys or signatures instead of throwing.
 *
 * @param publicKey 32-byte public key.
 * @param signature Signature bytes (must be 64).
 * @param message Signed message.
 * @returns Whether the signature verifies.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ed25519Verify } from "./note.ts";
 * assert.ok(!(await ed25519Verify(new Uint8Array(32), new Uint8Array(64), new Uint8Array())));
 * ```
 */
export async function ed25519Verify(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  let key: PublicKey;
  try {
    key = parsePublicKey(publicKey);
  } catch {
    return false; // Malformed, non-canonical or small-order: never a trusted key.
  }
  return await verifySignature(key, message, signature);
}

function formatSignatureLine(sig: NoteSignature): string {
  assertKeyName(sig.name);
  if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) {
    throw new TypeError(`Key ID ${sig.keyId} is not a uint32`);
  }
  if (!(sig.signature instanceof Uint8Array) || sig.signature.length === 0) {
    throw new TypeError("Signature must be a non-empty Uint8Array");
  }
  const blob = new Uint8Array(4 + sig.signature.length);
  new DataView(blob.buffer).setUint32(0, sig.keyId, false);
  blob.set(sig.signature, 4);
  return `${SIG_PREFIX}${sig.name} ${toBase64(blob)}\n`;
}

// Key name rule: non-empty, no Unicode whitespace, no "+", no control characters.
function isValidKeyName(name: unknown): name is string {
  return typeof name === "string" && name.length > 0 && !/[\s+]/u.test(name) &&
    name.isWellFormed() && findControlCharacter(name, false) < 0;
}

function parseSignatureLine(
  line: string,
  location: { file: string | undefined; line: number; offset: number },
): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) {
    throw new CheckpointSyntaxError(
      "malformed_signature_line",
      "signature line does not start with an em dash and a space",
      location,
    );
  }
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(" ");
  if (space < 0 || rest.indexOf(" ", space + 1) >= 0) {
    throw new CheckpointSyntaxError(
      "malformed_signature_line",
      "signature line is not '\u2014 <name> <base64>'",
      location,
    );
  }
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) {
    throw new CheckpointSyntaxError(
      "invalid_key_name",
      `key name ${JSON.stringify(name)} is empty or has a space or plus`,
      location,
    );
  }
  const blob = fromBase64Strict(rest.slice(space + 1));
  if (blob === undefined) {
    throw new CheckpointSyntaxError(
      "invalid_base64",
      "signature is not canonical base64",
      location,
    );
  }
  if (blob.length < 5) {
    throw new CheckpointSyntaxError(
      "malformed_signature_line",
      "signature is shorter than a key ID plus one byte",
      location,
    );
  }
  const keyId = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, false);
  return { name, keyId, signature: blob.slice(4) };
}

function checkControlCharacters(text: string, file: string | undefined): void {
  const index = findControlCharacter(text, true);
  if (index >= 0) {
    const lineStart = text.lastIndexOf("\n", index) + 1;
    throw new CheckpointSyntaxError(
      "control_character",
      `note has control character U+${text.charCodeAt(index).toString(16).padStart(4, "0")}`,
      { file, line: countLines(text.slice(0, index)) + 1, offset: lineOffset(text, lineStart) },
    );
  }
}

function assertBody(body: string): void {
  if (typeof body !== "string") throw new TypeError("Note body must be a string");
  if (!body.endsWith("\n")) throw new RangeError("Note body must end in a newline");
  if (findControlCharacter(body, true) >= 0 || !body.isWellFormed()) {
    throw new RangeError("Note body must be well-formed text without control characters");
  }
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new TypeError(`Key name ${JSON.stringify(name)} is empty or has a space or plus`);
  }
}

function assertEd25519PublicKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw new TypeError("Ed25519 public key must be a 32-byte Uint8Array");
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function at(file: string | undefined): { file: string | undefined; line: number; offset: number } {
  return { file, line: 1, offset: 0 };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function lineOffset(text: string, index: number): number {
  return utf8Length(text.slice(0, index));
}
