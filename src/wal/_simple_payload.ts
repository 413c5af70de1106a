/**
 * The fast path of `parsePayload` for the common payload: JSON text in ASCII whose strings hold
 * no escape and no control character, and whose numbers are integers of at most 15 digits. Such
 * a text is canonicalized straight from its bytes: whitespace dropped, object members sorted by
 * key, every string, number and literal copied as is. That is byte for byte what
 * `canonicalJson(parseJson(text))` gives, since for these texts NFC changes nothing, code-point
 * order is byte order and `JSON.stringify` escapes nothing.
 *
 * Anything else (a byte over 0x7F, an escape, a float, a long or negative-zero number, a
 * duplicate key, nesting deeper than {@linkcode MAX_DEPTH}, a syntax error, a top level that is
 * not an object, a text over {@linkcode MAX_TEXT_BYTES}, a result over the size cap) is not
 * handled here: the caller takes the general
 * path, which accepts or refuses it with the exact error.
 *
 * @module
 */

/** Deepest nesting handled here (the general parser allows 64). */
const MAX_DEPTH = 32;
/** Longest integer handled here: 15 digits are always within ±(2^53−1). */
const MAX_DIGITS = 15;
/** Longest text handled here (the scratch buffers grow to twice this at most). */
const MAX_TEXT_BYTES = 64 * 1024;

const QUOTE = 0x22, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, ZERO = 0x30, NINE = 0x39;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;
const TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
const FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);
const NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);

const EMPTY = new Uint8Array(0);

/**
 * One canonicalization at a time (it is synchronous): state in fields of one reused instance,
 * scratch buffers kept between calls.
 */
class Canonicalizer {
  src: Uint8Array = EMPTY;
  pos = 0;
  out = new Uint8Array(1024);
  at = 0;
  scratch = new Uint8Array(1024);
  /** Per object member, from the enclosing objects down: start, end of key (past its quote), end. */
  spans = new Int32Array(768);
  nSpans = 0;
  /** Member indices being sorted (one object at a time). */
  order = new Int32Array(256);

  run(bytes: Uint8Array, maxBytes: number): Uint8Array | undefined {
    // The canonical form is never longer than the text: only whitespace is dropped.
    if (this.out.length < bytes.length) this.out = new Uint8Array(bytes.length * 2);
    this.src = bytes;
    this.pos = 0;
    this.at = 0;
    this.nSpans = 0;
    try {
      this.skipWhitespace();
      if (this.src[this.pos] !== OPEN_OBJECT || !this.object(1)) return undefined;
      this.skipWhitespace();
      if (this.pos !== bytes.length || this.at > maxBytes) return undefined;
      return this.out.slice(0, this.at);
    } finally {
      this.src = EMPTY;
    }
  }

  skipWhitespace(): void {
    const src = this.src;
    let pos = this.pos;
    while (pos < src.length) {
      const c = src[pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
    this.pos = pos;
  }

  value(depth: number): boolean {
    const c = this.src[this.pos];
    if (c === QUOTE) return this.string();
    if (c === OPEN_OBJECT) return this.object(depth + 1);
    if (c === OPEN_ARRAY) return this.array(depth + 1);
    if (c === 0x74) return this.literal(TRUE);
    if (c === 0x66) return this.literal(FALSE);
    if (c === 0x6e) return this.literal(NULL);
    return this.number();
  }

  /** A string of printable ASCII without escapes, copied with its quotes. */
  string(): boolean {
    const src = this.src;
    const out = this.out;
    let pos = this.pos + 1;
    let at = this.at;
    out[at++] = QUOTE;
    while (pos < src.length) {
      const c = src[pos++];
      out[at++] = c;
      if (c === QUOTE) {
        this.pos = pos;
        this.at = at;
        return true;
      }
      if (c < 0x20 || c === 0x5c || c > 0x7f) return false;
    }
    return false;
  }

  /** An integer `-?(0|[1-9][0-9]*)` of at most 15 digits, not `-0`, not followed by `.`/`e`. */
  number(): boolean {
    const src = this.src;
    const out = this.out;
    let pos = this.pos;
    let at = this.at;
    const negative = src[pos] === MINUS;
    if (negative) out[at++] = src[pos++];
    const first = pos;
    while (pos < src.length && src[pos] >= ZERO && src[pos] <= NINE) out[at++] = src[pos++];
    const digits = pos - first;
    if (digits === 0 || digits > MAX_DIGITS || (src[first] === ZERO && (digits > 1 || negative))) {
      return false;
    }
    const next = src[pos];
    if (next === 0x2e || next === 0x65 || next === 0x45) return false;
    this.pos = pos;
    this.at = at;
    return true;
  }

  literal(word: Uint8Array): boolean {
    const src = this.src;
    const pos = this.pos;
    for (let i = 0; i < word.length; i++) if (src[pos + i] !== word[i]) return false;
    this.out.set(word, this.at);
    this.pos += word.length;
    this.at += word.length;
    return true;
  }

  array(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    this.out[this.at++] = OPEN_ARRAY;
    this.pos++;
    this.skipWhitespace();
    if (this.src[this.pos] === CLOSE_ARRAY) {
      this.pos++;
      this.out[this.at++] = CLOSE_ARRAY;
      return true;
    }
    for (;;) {
      if (!this.value(depth)) return false;
      this.skipWhitespace();
      const c = this.src[this.pos++];
      if (c === CLOSE_ARRAY) {
        this.out[this.at++] = CLOSE_ARRAY;
        return true;
      }
      if (c !== COMMA) return false;
      this.out[this.at++] = COMMA;
      this.skipWhitespace();
    }
  }

  object(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    this.out[this.at++] = OPEN_OBJECT;
    this.pos++;
    this.skipWhitespace();
    if (this.src[this.pos] === CLOSE_OBJECT) {
      this.pos++;
      this.out[this.at++] = CLOSE_OBJECT;
      return true;
    }
    const first = this.nSpans;
    const regionStart = this.at;
    for (;;) {
      if (this.src[this.pos] !== QUOTE) return false;
      const memberStart = this.at;
      if (!this.string()) return false;
      const keyEnd = this.at;
      this.skipWhitespace();
      if (this.src[this.pos++] !== COLON) return false;
      this.out[this.at++] = COLON;
      this.skipWhitespace();
      if (!this.value(depth)) return false;
      if (this.nSpans + 3 > this.spans.length) {
        const grown = new Int32Array(this.spans.length * 2);
        grown.set(this.spans);
        this.spans = grown;
      }
      this.spans[this.nSpans++] = memberStart;
      this.spans[this.nSpans++] = keyEnd;
      this.spans[this.nSpans++] = this.at;
      this.skipWhitespace();
      const c = this.src[this.pos++];
      if (c === CLOSE_OBJECT) break;
      if (c !== COMMA) return false;
      this.out[this.at++] = COMMA;
      this.skipWhitespace();
    }
    if (!this.sortMembers(first, regionStart)) return false;
    this.nSpans = first;
    this.out[this.at++] = CLOSE_OBJECT;
    return true;
  }

  /**
   * Puts the members recorded from `spans[first]` in key order (rewriting `out` from
   * `regionStart`); false on a duplicate key.
   */
  sortMembers(first: number, regionStart: number): boolean {
    const n = (this.nSpans - first) / 3;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      const c = this.compareKeys(first + (i - 1) * 3, first + i * 3);
      if (c === 0) return false;
      if (c > 0) sorted = false;
    }
    if (sorted) return true;
    if (this.order.length < n) this.order = new Int32Array(n * 2);
    const order = this.order;
    // Insertion sort: objects are small, and this allocates nothing.
    for (let i = 0; i < n; i++) {
      const m = first + i * 3;
      let j = i;
      while (j > 0) {
        const c = this.compareKeys(order[j - 1], m);
        if (c === 0) return false;
        if (c < 0) break;
        order[j] = order[j - 1];
        j--;
      }
      order[j] = m;
    }
    const length = this.at - regionStart;
    if (this.scratch.length < length) this.scratch = new Uint8Array(length * 2);
    const scratch = this.scratch;
    const out = this.out;
    scratch.set(out.subarray(regionStart, this.at));
    let to = regionStart;
    for (let i = 0; i < n; i++) {
      if (i > 0) out[to++] = COMMA;
      const m = order[i];
      const end = this.spans[m + 2] - regionStart;
      for (let k = this.spans[m] - regionStart; k < end; k++) out[to++] = scratch[k];
    }
    return true;
  }

  /** Compares the keys of two recorded members by their bytes (code-point order for ASCII). */
  compareKeys(a: number, b: number): number {
    const spans = this.spans;
    const out = this.out;
    let i = spans[a] + 1;
    let j = spans[b] + 1;
    const aEnd = spans[a + 1] - 1;
    const bEnd = spans[b + 1] - 1;
    for (; i < aEnd && j < bEnd; i++, j++) {
      const d = out[i] - out[j];
      if (d !== 0) return d;
    }
    return (aEnd - i) - (bEnd - j);
  }
}

const canonicalizer = new Canonicalizer();

/**
 * Canonicalizes a simple payload text (see the module documentation).
 *
 * @param bytes The JSON text.
 * @param maxBytes Cap on the canonical size.
 * @returns The canonical bytes, or `undefined` when the text is not simple or the result would
 *   exceed `maxBytes` (then take the general path).
 * @example
 * ```ts
 * import { canonicalizeSimple } from "./_simple_payload.ts";
 * const c = canonicalizeSimple(new TextEncoder().encode('{"b": [1, true], "a": "x"}'), 1024);
 * console.assert(new TextDecoder().decode(c) === '{"a":"x","b":[1,true]}');
 * console.assert(canonicalizeSimple(new TextEncoder().encode('{"a": 1.5}'), 1024) === undefined);
 * ```
 */
export function canonicalizeSimple(bytes: Uint8Array, maxBytes: number): Uint8Array | undefined {
  if (bytes.length > MAX_TEXT_BYTES) return undefined;
  return canonicalizer.run(bytes, maxBytes);
}
