/**
 * A fast path for the common record line: the compact form Spine writers emit, whose payload is
 * already in canonical form. One pass over the bytes, no document model, no re-serialization.
 *
 * It only ever ACCEPTS lines on which the strict path (`parseJson`, `recordFields`,
 * `canonicalJson`) is known to agree, and returns undefined for everything else, which then takes
 * the strict path. Accepted lines:
 *
 * - are one JSON object without any whitespace, whose keys are among `format_version`,
 *   `event_id`, `stream_id`, `seq`, `prev_hash`, `ts_client`, `payload`, `payload_hash`,
 *   `hash_alg`, `sig_client`, `key_id`, `public_key`, each at most once (no aliases);
 * - have top-level strings of printable ASCII without escapes; `seq` a plain integer below 2^53;
 *   `format_version`, when present, exactly `1`; `hash_alg`, when present, `blake3` or `sha256`;
 *   `prev_hash` and `payload_hash` 64 and `sig_client` 128 lowercase hex characters; all of
 *   `seq`, `prev_hash`, `ts_client`, `payload`, `payload_hash`, `sig_client` present;
 * - have a payload object that is byte for byte its own canonical form: keys strictly increasing
 *   (so no duplicates; compared as bytes, which is code-point order for the characters allowed
 *   in keys), no whitespace, plain integers only (no `-0`), strings of characters below U+0300
 *   (NFC-stable) with exactly the escapes `JSON.stringify` writes, nesting at most 32 deep, and
 *   no top-level `type` of `key_rotation` or `key_revocation`.
 *
 * For such a line `canonical_json(payload)` is the payload's own bytes, so the caller hashes
 * them directly.
 *
 * @module
 */

/** The fields of an accepted line. */
export interface FastRecord {
  seq: number;
  prevHash: string;
  ts: string;
  /** The payload's bytes, which are its canonical form (a view into the line). */
  payloadBytes: Uint8Array;
  payloadHash: string;
  hashAlg: "blake3" | "sha256";
  sig: string;
  streamId?: string;
  keyId?: string;
  publicKey?: string;
  eventId?: string;
  /** Whether `format_version` (then exactly 1) and `hash_alg` were present in the line. */
  hasVersion: boolean;
  hasHashAlg: boolean;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const MAX_PAYLOAD_DEPTH = 32;

// Field slots, by key.
const F_VERSION = 0, F_EVENT = 1, F_STREAM = 2, F_SEQ = 3, F_PREV = 4, F_TS = 5, F_PAYLOAD = 6;
const F_PHASH = 7, F_ALG = 8, F_SIG = 9, F_KEYID = 10, F_PK = 11;
const KEYS: [string, number][] = [
  ["format_version", F_VERSION],
  ["event_id", F_EVENT],
  ["stream_id", F_STREAM],
  ["seq", F_SEQ],
  ["prev_hash", F_PREV],
  ["ts_client", F_TS],
  ["payload", F_PAYLOAD],
  ["payload_hash", F_PHASH],
  ["hash_alg", F_ALG],
  ["sig_client", F_SIG],
  ["key_id", F_KEYID],
  ["public_key", F_PK],
];
/** The keys as bytes, by length then first byte: found without making a string. */
const KEYS_BY_SHAPE = new Map<number, { bytes: Uint8Array; slot: number }>(
  KEYS.map(([key, slot]) => [
    key.length * 256 + key.charCodeAt(0),
    { bytes: Uint8Array.from(key, (c) => c.charCodeAt(0)), slot },
  ]),
);
if (KEYS_BY_SHAPE.size !== KEYS.length) {
  throw new Error("record keys must differ in length or first byte");
}

/** The field slot of the key at `b[start..end)`, or -1. */
function keySlot(b: Uint8Array, start: number, end: number): number {
  const known = KEYS_BY_SHAPE.get((end - start) * 256 + b[start]);
  if (known === undefined) return -1;
  const k = known.bytes;
  for (let i = 1; i < k.length; i++) if (b[start + i] !== k[i]) return -1;
  return known.slot;
}
const REQUIRED = (1 << F_SEQ) | (1 << F_PREV) | (1 << F_TS) | (1 << F_PAYLOAD) | (1 << F_PHASH) |
  (1 << F_SIG);

/** Printable ASCII other than quote and backslash: a plain string byte. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x7f; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;
/** Lowercase hex digits. */
const LOWER_HEX = new Uint8Array(256);
for (const c of "0123456789abcdef") LOWER_HEX[c.charCodeAt(0)] = 1;

/**
 * Scans a line on the fast path.
 *
 * @param b The line without its LF.
 * @returns The fields, or undefined when the line must take the strict path.
 */
export function scanCanonicalRecord(b: Uint8Array): FastRecord | undefined {
  const n = b.length;
  if (n < 2 || b[0] !== LBRACE || b[n - 1] !== RBRACE) return undefined;
  let text: string | undefined; // the line as a string, decoded on first need (ASCII: same offsets)
  const str = (from: number, to: number): string => {
    text ??= latin1(b);
    return text.slice(from, to);
  };
  let seen = 0;
  let seq = -1;
  let prevHash = "", ts = "", payloadHash = "", sig = "";
  let hashAlg: "blake3" | "sha256" = "blake3";
  let streamId: string | undefined, keyId: string | undefined, publicKey: string | undefined;
  let eventId: string | undefined;
  let payloadStart = 0, payloadEnd = 0;
  let pos = 1;
  for (;;) {
    // Key: a plain string.
    if (b[pos] !== QUOTE) return undefined;
    const keyStart = pos + 1;
    let k = keyStart;
    while (PLAIN[b[k]] === 1) k++;
    if (b[k] !== QUOTE || b[k + 1] !== COLON) return undefined;
    const slot = keySlot(b, keyStart, k);
    if (slot < 0 || (seen & (1 << slot)) !== 0) return undefined;
    seen |= 1 << slot;
    pos = k + 2;
    if (slot === F_PAYLOAD) {
      if (b[pos] !== LBRACE) return undefined;
      const end = canonicalValue(b, pos, 2, true);
      if (end < 0) return undefined;
      payloadStart = pos;
      payloadEnd = end;
      pos = end;
    } else if (slot === F_SEQ || slot === F_VERSION) {
      const start = pos;
      while (b[pos] >= 0x30 && b[pos] <= 0x39) pos++;
      const len = pos - start;
      if (len === 0 || len > 15 || (len > 1 && b[start] === 0x30)) return undefined;
      let v = 0;
      for (let i = start; i < pos; i++) v = v * 10 + (b[i] - 0x30);
      if (slot === F_VERSION) {
        if (v !== 1) return undefined;
      } else seq = v;
    } else {
      // A plain ASCII string.
      if (b[pos] !== QUOTE) return undefined;
      const start = pos + 1;
      let e = start;
      while (PLAIN[b[e]] === 1) e++;
      if (b[e] !== QUOTE) return undefined;
      pos = e + 1;
      const len = e - start;
      if (slot === F_PREV || slot === F_PHASH || slot === F_SIG) {
        if (len !== (slot === F_SIG ? 128 : 64)) return undefined;
        for (let i = start; i < e; i++) if (LOWER_HEX[b[i]] === 0) return undefined;
      }
      switch (slot) {
        case F_PREV:
          prevHash = str(start, e);
          break;
        case F_PHASH:
          payloadHash = str(start, e);
          break;
        case F_SIG:
          sig = str(start, e);
          break;
        case F_TS:
          ts = str(start, e);
          break;
        case F_ALG: {
          const alg = str(start, e);
          if (alg !== "blake3" && alg !== "sha256") return undefined;
          hashAlg = alg;
          break;
        }
        case F_STREAM:
          streamId = str(start, e);
          break;
        case F_KEYID:
          keyId = str(start, e);
          break;
        case F_PK:
          publicKey = str(start, e);
          break;
        case F_EVENT:
          eventId = str(start, e);
          break;
      }
    }
    const c = b[pos];
    if (c === COMMA) {
      pos++;
      continue;
    }
    if (c === RBRACE && pos === n - 1) break;
    return undefined;
  }
  if ((seen & REQUIRED) !== REQUIRED) return undefined;
  return {
    seq,
    prevHash,
    ts,
    payloadBytes: b.subarray(payloadStart, payloadEnd),
    payloadHash,
    hashAlg,
    sig,
    streamId,
    keyId,
    publicKey,
    eventId,
    hasVersion: (seen & (1 << F_VERSION)) !== 0,
    hasHashAlg: (seen & (1 << F_ALG)) !== 0,
  };
}

/**
 * Checks that the value at `pos` is in canonical form; returns the offset after it, or -1.
 * `top` marks the payload object itself (whose `type` may not name a trust record).
 */
function canonicalValue(b: Uint8Array, pos: number, depth: number, top = false): number {
  const c = b[pos];
  if (c === QUOTE) return canonicalString(b, pos, true);
  if (c === LBRACE) {
    if (depth > MAX_PAYLOAD_DEPTH) return -1;
    pos++;
    if (b[pos] === RBRACE) return pos + 1;
    let prevStart = -1, prevEnd = -1;
    for (;;) {
      if (b[pos] !== QUOTE) return -1;
      const keyEnd = canonicalString(b, pos, false);
      if (keyEnd < 0 || b[keyEnd] !== COLON) return -1;
      // Keys strictly increasing: sorted by code point and no duplicates.
      if (prevStart >= 0 && compareBytes(b, prevStart, prevEnd, pos + 1, keyEnd - 1) >= 0) {
        return -1;
      }
      prevStart = pos + 1;
      prevEnd = keyEnd - 1;
      const valueAt = keyEnd + 1;
      if (
        top && keyEnd - pos === 6 && b[pos + 1] === 0x74 && b[pos + 2] === 0x79 &&
        b[pos + 3] === 0x70 && b[pos + 4] === 0x65 && isTrustType(b, valueAt)
      ) return -1;
      pos = canonicalValue(b, valueAt, depth + 1);
      if (pos < 0) return -1;
      if (b[pos] === COMMA) pos++;
      else if (b[pos] === RBRACE) return pos + 1;
      else return -1;
    }
  }
  if (c === LBRACKET) {
    if (depth > MAX_PAYLOAD_DEPTH) return -1;
    pos++;
    if (b[pos] === RBRACKET) return pos + 1;
    for (;;) {
      pos = canonicalValue(b, pos, depth + 1);
      if (pos < 0) return -1;
      if (b[pos] === COMMA) pos++;
      else if (b[pos] === RBRACKET) return pos + 1;
      else return -1;
    }
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    const start = pos;
    if (c === 0x2d) pos++;
    if (b[pos] === 0x30) {
      if (c === 0x2d) return -1; // -0 is written 0 in canonical form
      pos++;
    } else if (b[pos] >= 0x31 && b[pos] <= 0x39) {
      while (b[pos] >= 0x30 && b[pos] <= 0x39) pos++;
    } else return -1;
    const next = b[pos];
    if (next === 0x2e || next === 0x65 || next === 0x45 || (next >= 0x30 && next <= 0x39)) {
      return -1; // floats are not canonical; a digit after a leading 0 is not JSON
    }
    return pos > start ? pos : -1;
  }
  if (c === 0x74) return literal(b, pos, "true");
  if (c === 0x66) return literal(b, pos, "false");
  if (c === 0x6e) return literal(b, pos, "null");
  return -1;
}

/**
 * A string whose decoded text `JSON.stringify` writes back as the same bytes: characters below
 * U+0300 (ASCII, or two-byte UTF-8 with lead byte C2 to CB), escapes only where stringify writes
 * them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other controls as lowercase `\u00xx`).
 * Keys (`escapes` false) may hold no escape, so that byte order is code-point order.
 */
function canonicalString(b: Uint8Array, pos: number, escapes: boolean): number {
  pos++;
  for (;;) {
    const c = b[pos];
    if (PLAIN[c] === 1) {
      pos++;
    } else if (c === QUOTE) {
      return pos + 1;
    } else if (c === BACKSLASH && escapes) {
      const e = b[pos + 1];
      if (
        e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e ||
        e === 0x72 || e === 0x74
      ) {
        pos += 2;
      } else if (e === 0x75) {
        // \u00xx for a control character without a short escape, lowercase hex.
        if (b[pos + 2] !== 0x30 || b[pos + 3] !== 0x30) return -1;
        const hi = b[pos + 4], lo = b[pos + 5];
        if (hi !== 0x30 && hi !== 0x31) return -1;
        if (LOWER_HEX[lo] !== 1) return -1;
        const v = (hi - 0x30) * 16 + (lo <= 0x39 ? lo - 0x30 : lo - 0x57);
        if (v === 0x08 || v === 0x09 || v === 0x0a || v === 0x0c || v === 0x0d) return -1;
        pos += 6;
      } else return -1;
    } else if (c >= 0xc2 && c <= 0xcb && (b[pos + 1] & 0xc0) === 0x80) {
      pos += 2; // U+0080..U+02FF: valid UTF-8, NFC-stable, written raw
    } else {
      return -1;
    }
  }
}

function isTrustType(b: Uint8Array, pos: number): boolean {
  return matches(b, pos, '"key_rotation"') || matches(b, pos, '"key_revocation"');
}

function matches(b: Uint8Array, pos: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[pos + i] !== s.charCodeAt(i)) return false;
  return true;
}

function literal(b: Uint8Array, pos: number, word: string): number {
  return matches(b, pos, word) ? pos + word.length : -1;
}

function compareBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): number {
  const n = Math.min(e1 - s1, e2 - s2);
  for (let i = 0; i < n; i++) {
    const d = b[s1 + i] - b[s2 + i];
    if (d !== 0) return d;
  }
  return (e1 - s1) - (e2 - s2);
}

const latin1Decoder = new TextDecoder("latin1");

/** The bytes as Latin-1 text: for the ASCII fields read here, the same characters at the same offsets. */
function latin1(b: Uint8Array): string {
  return latin1Decoder.decode(b);
}
