/**
 * Strict byte encodings shared by the crypto modules (private to `src/crypto/`): hex, standard
 * base64 and PEM. Every decoder re-encodes what it parsed and compares, so each value has exactly
 * one accepted spelling (apart from hex letter case).
 *
 * Error messages name what failed and never include the input text, which may be secret.
 *
 * @module
 */

const HEX_DIGITS = "0123456789abcdef";
const HEX_RE = /^[0-9a-fA-F]*$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  return out;
}

/** Tells whether `text` is only hex digits (either case) and of even length. */
export function isHex(text: string): boolean {
  return text.length % 2 === 0 && HEX_RE.test(text);
}

/**
 * Decodes hex (either case). The caller checks `isHex` first; this throws on anything else.
 * @throws {RangeError} If the text is not an even number of hex digits.
 */
export function hexToBytes(text: string): Uint8Array {
  if (!isHex(text)) throw new RangeError("Expected an even number of hex digits");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Encodes bytes as standard padded base64 (RFC 4648 section 4). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Decodes standard padded base64 strictly: alphabet, padding and zero trailing bits are checked
 * by re-encoding. Returns `undefined` for anything else (no partial results).
 */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const binary = atob(text);
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return bytesToBase64(out) === text ? out : undefined;
}

/** A decoded PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `PUBLIC KEY`. */
  label: string;
  /** The DER bytes of the body. */
  der: Uint8Array;
}

const PEM_RE =
  /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)\r?\n?-----END ([A-Z0-9 ]+)-----$/;

/**
 * Decodes exactly one PEM block (RFC 7468 strict form: no headers, base64 body in lines).
 * Returns `undefined` when the text is not one well-formed block; never echoes the input.
 *
 * @param text The block, surrounding whitespace already trimmed.
 */
export function decodePem(text: string): PemBlock | undefined {
  const m = PEM_RE.exec(text);
  if (m === null || m[1] !== m[3]) return undefined;
  const body = m[2].replace(/\r?\n/g, "");
  const der = base64ToBytes(body);
  if (der === undefined || der.length === 0) return undefined;
  return { label: m[1], der };
}

/** Encodes one PEM block with 64-character lines and a final newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const body = bytesToBase64(der).replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/** Tells whether `bytes` starts with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 key bytes follow. */
export const SPKI_PREFIX: Uint8Array = hexToBytes("302a300506032b6570032100");
