/**
 * Byte helpers private to `src/checkpoint/`: strict base64, hex, comparison, UTF-8.
 *
 * @module
 */

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Standard base64 (RFC 4648 §4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/**
 * Decodes canonical standard base64 (RFC 4648 §4): padding required, no whitespace, no URL
 * alphabet, zero pad bits. Returns `undefined` for anything else.
 */
export function fromBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  try {
    return Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return undefined;
  }
}

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return bytes.toHex();
}

/** Decodes even-length lowercase hex; `undefined` otherwise. */
export function fromHexStrict(text: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) return undefined;
  return Uint8Array.fromHex(text);
}

/** Constant-structure byte comparison (length first, then every byte). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** UTF-8 encodes a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decode; `undefined` on invalid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Number of UTF-8 bytes of `text` (for byte offsets in error messages). */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** True for a non-negative safe integer. */
export function isSize(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Parses ASCII decimal with no leading zeros (except "0") into a safe integer. */
export function parseDecimal(text: string): number | undefined {
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Index of the first ASCII control character (below U+0020) in `text`, or -1. Newline (U+000A)
 * is allowed when `allowNewline` is true.
 */
export function findControlCharacter(text: string, allowNewline: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return i;
  }
  return -1;
}
