/**
 * Strict Ed25519 public keys and signature verification.
 *
 * A signature verifies only if every common strict verifier accepts it: `@noble/ed25519`
 * `verify(sig, msg, pub, { zip215: false })` (canonical encodings, small-order public keys
 * refused, cofactored equation) AND the cofactorless RFC 8032 equation (Deno WebCrypto, libsodium,
 * dalek `verify_strict`). Only native code checks the equation:
 *
 * 1. `parsePublicKey` refuses non-canonical encodings, points off the curve and the eight
 *    small-order points, so a trusted key is never one that "verifies anything".
 * 2. `verifySignature` refuses a signature of the wrong length, `S >= L` and a non-canonical `R`
 *    from the bytes, before any backend runs.
 * 3. `node:crypto` checks the cofactorless equation (the same verdict as WebCrypto on every
 *    strict vector; see the tests); its verdict is final. When it holds, the cofactored one holds
 *    too. The two differ only for signatures whose `R` or key carries a torsion component, which
 *    honest signers never produce: we refuse those, as libsodium does, so no log verifies here
 *    that a stricter tool would reject.
 *
 * Calls are batched to a worker thread (`_verify_pool.ts`): on the 2-core bench machine
 * node:crypto verified about 17.5k/s per thread synchronously, where WebCrypto's own thread pool
 * spent half its samples handing work over.
 *
 * @module
 */

import { Point } from "../deps/noble_ed25519.ts";
import {
  base64ToBytes,
  bytesToHex,
  decodePem,
  hexToBytes,
  isHex,
  SPKI_PREFIX,
  startsWith,
} from "./_encoding.ts";
import { VerifyBatch } from "./_verify_batch.ts";

/** Length in bytes of a raw Ed25519 public key. */
const PUBLIC_KEY_LENGTH = 32;
/** Length in bytes of an Ed25519 signature (`R || S`). */
const SIGNATURE_LENGTH = 64;
/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L_LE = hexToBytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");

const CONSTRUCT = Symbol("PublicKey.construct");

// The verification backend (node:crypto, worker threads) loads on the first verification only:
// importing node:crypto costs about 30 ms, which a process that only signs never pays.
let pool: typeof import("./_verify_pool.ts") | undefined;
let poolLoading: Promise<typeof import("./_verify_pool.ts")> | undefined;
/** Module-internal access to a key's bytes without a copy. */
const RAW_BYTES = Symbol("PublicKey.rawBytes");

/**
 * A validated Ed25519 public key: canonical, on the curve, not of small order. Create one with
 * {@linkcode parsePublicKey}.
 *
 * @example
 * ```ts
 * import { parsePublicKey } from "./ed25519.ts";
 * import assert from "node:assert/strict";
 * const key = parsePublicKey("D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A");
 * assert.equal(key.hex, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
 * ```
 */
export class PublicKey {
  /** The key as 64 lowercase hex characters. */
  readonly hex: string;
  readonly #bytes: Uint8Array<ArrayBuffer>;
  #cryptoKey: CryptoKey | undefined;
  #cryptoKeyPromise: Promise<CryptoKey> | undefined;

  /**
   * Internal: use {@linkcode parsePublicKey}.
   *
   * @param token A module-private token.
   * @param bytes The 32 validated key bytes (owned by the new object).
   * @throws {TypeError} When called from outside this module.
   */
  constructor(token: symbol, bytes: Uint8Array<ArrayBuffer>) {
    if (token !== CONSTRUCT) throw new TypeError("Create a PublicKey with parsePublicKey()");
    this.#bytes = bytes;
    this.hex = bytesToHex(bytes);
  }

  /**
   * Internal: the key bytes themselves (not a copy); never modify them.
   *
   * @returns The 32 key bytes.
   */
  [RAW_BYTES](): Uint8Array<ArrayBuffer> {
    return this.#bytes;
  }

  /** A copy of the 32 raw key bytes. */
  get bytes(): Uint8Array<ArrayBuffer> {
    return this.#bytes.slice();
  }

  /**
   * The WebCrypto verification key, imported on first use and then cached. Concurrent callers
   * share one import.
   *
   * @returns A non-extractable `Ed25519` `CryptoKey` usable for `verify`.
   */
  cryptoKey(): Promise<CryptoKey> {
    if (this.#cryptoKey !== undefined) return Promise.resolve(this.#cryptoKey);
    this.#cryptoKeyPromise ??= crypto.subtle
      .importKey("raw", this.#bytes, { name: "Ed25519" }, false, ["verify"])
      .then((k) => (this.#cryptoKey = k));
    return this.#cryptoKeyPromise;
  }

  /** The already imported `CryptoKey`, if any (lets hot loops skip one `await`). */
  get cachedCryptoKey(): CryptoKey | undefined {
    return this.#cryptoKey;
  }

  /**
   * Compares two keys by their bytes.
   *
   * @param other Another key.
   * @returns `true` when both are the same key.
   */
  equals(other: PublicKey): boolean {
    return other instanceof PublicKey && other.hex === this.hex;
  }

  /** @returns The key as 64 lowercase hex characters. */
  toString(): string {
    return this.hex;
  }

  /** @returns The key as 64 lowercase hex characters. */
  toJSON(): string {
    return this.hex;
  }

  /** Shows `PublicKey(<hex>)` in `console.log` and `Deno.inspect`. */
  [Symbol.for("Deno.customInspect")](): string {
    return `PublicKey(${this.hex})`;
  }
}

/**
 * Parses and validates an Ed25519 public key.
 *
 * Accepted forms: 64 hex characters (either case), standard padded base64 of the 32 bytes
 * (44 characters, as the upstream Node SDK writes), a PEM `PUBLIC KEY` block holding an Ed25519
 * SubjectPublicKeyInfo (RFC 8410), or the raw 32 bytes. Surrounding whitespace of text is ignored.
 *
 * Refused (RFC 8032 section 5.1.3 strictly, plus the small-order rule of libsodium and
 * noble's strict mode): an encoded y that is not below p = 2^255 - 19; x = 0 with the sign bit
 * set; a y with no matching x (not on the curve); any of the 8 small-order points (their 14
 * encodings), since a signature under such a key can be forged without a secret.
 *
 * @param input Key text or raw bytes.
 * @returns The validated key.
 * @throws {TypeError} If `input` is neither a string nor a `Uint8Array`.
 * @throws {RangeError} If the input is not one of the accepted forms or the key is refused; the
 *   message says why.
 * @example
 * ```ts
 * import { parsePublicKey } from "./ed25519.ts";
 * import assert from "node:assert/strict";
 * const a = parsePublicKey("3a5e10e188afcc40df6bfbd013dce1d02455354f9a2a111e8c2d0284317fcc1e");
 * const b = parsePublicKey("Ol4Q4YivzEDfa/vQE9zh0CRVNU+aKhEejC0ChDF/zB4=");
 * assert.ok(a.equals(b));
 * assert.throws(() => parsePublicKey("01" + "00".repeat(31)), RangeError); // the identity point
 * ```
 */
export function parsePublicKey(input: string | Uint8Array): PublicKey {
  const bytes = decodePublicKeyInput(input);
  // Step 1: canonical y (RFC 8032 5.1.3 step 1 with the y < p check).
  if (!isCanonicalY(bytes)) {
    throw new RangeError("Public key is not canonical: its y coordinate is not below 2^255 - 19");
  }
  // Step 2: decode x; this also rejects x = 0 with the sign bit set.
  let point: InstanceType<typeof Point>;
  try {
    point = Point.fromBytes(bytes, false);
  } catch {
    if (isNegativeZeroX(bytes)) {
      throw new RangeError("Public key is not canonical: x is zero but its sign bit is set");
    }
    throw new RangeError("Public key is not a point on the Ed25519 curve");
  }
  // Step 3: refuse the 8-torsion ([8]A = identity).
  if (point.isSmallOrder()) {
    throw new RangeError(
      "Public key is a small-order point, under which signatures can be forged without a secret",
    );
  }
  return new PublicKey(CONSTRUCT, bytes);
}

/**
 * Verifies an Ed25519 signature strictly (see the module documentation). Safe to call with
 * thousands of calls in flight: they are verified in batches, off the calling thread when many
 * are queued.
 *
 * Returns `false` (never throws) for a signature of the wrong length, `S >= L`, a non-canonical
 * `R` and any signature that does not verify.
 *
 * @param key A validated public key from {@linkcode parsePublicKey}.
 * @param message The signed bytes (in Spine v1, the 64 ASCII hex characters of the entry hash).
 * @param signature The 64-byte signature `R || S`.
 * @returns `true` exactly when both `@noble/ed25519` `verify(signature, message, key,
 *   { zip215: false })` and the cofactorless equation accept.
 * @throws {TypeError} If an argument has the wrong type.
 * @example
 * ```ts
 * import { parsePublicKey, verifySignature } from "./ed25519.ts";
 * import assert from "node:assert/strict";
 * const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));
 * const key = parsePublicKey("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
 * const sig = hex(
 *   "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
 *     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
 * ); // RFC 8032 section 7.1, TEST 2
 * assert.equal(await verifySignature(key, Uint8Array.of(0x72), sig), true);
 * assert.equal(await verifySignature(key, Uint8Array.of(0x73), sig), false);
 * ```
 */
export async function verifySignature(
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (!(key instanceof PublicKey)) throw new TypeError("verifySignature() expects a PublicKey");
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new TypeError("verifySignature() expects the message and signature as Uint8Array");
  }
  // Step 1: shape and canonical encodings, from the bytes.
  if (signature.length !== SIGNATURE_LENGTH || !passesPrechecks(signature)) return false;
  // Step 2: native cofactorless check (node:crypto, batched to worker threads). true here
  // implies the cofactored equation holds.
  // queueVerify copies the bytes before it returns: the caller may reuse its buffers at once.
  if (pool !== undefined) return await pool.queueVerify(key[RAW_BYTES](), message, signature);
  const [msg, sig] = [message.slice(), signature.slice()];
  pool = await (poolLoading ??= import("./_verify_pool.ts"));
  return await pool.queueVerify(key[RAW_BYTES](), msg, sig);
}

/**
 * Strict signature checks verified together: one promise for the whole batch instead of one
 * per signature, which is what lets `spine verify` keep both cores busy. Each item gets exactly
 * the verdict {@linkcode verifySignature} would give.
 *
 * @example
 * ```ts
 * import { parsePublicKey, SignatureBatch } from "./ed25519.ts";
 * import assert from "node:assert/strict";
 * const key = parsePublicKey("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
 * const sig = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
 *   "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"; // RFC 8032 7.1, TEST 2
 * const batch = new SignatureBatch();
 * batch.addText(key, "r", sig);
 * batch.addText(key, "s", sig);
 * assert.deepEqual([...(await batch.verify())], [1, 0]);
 * ```
 */
export class SignatureBatch {
  #items: VerifyBatch;
  /** Per added item: its index in `#items`, or -1 when a precheck already refused it. */
  #index: Int32Array;
  #size = 0;

  /** @param capacity Items expected (more may be added). */
  constructor(capacity: number = 256) {
    this.#items = new VerifyBatch(capacity);
    this.#index = new Int32Array(capacity);
  }

  /** Items added so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds one check; the bytes are copied.
   *
   * @param key A validated public key.
   * @param message The signed bytes.
   * @param signature The signature `R || S` (any length: a wrong one fails).
   */
  add(key: PublicKey, message: Uint8Array, signature: Uint8Array): void {
    const ok = signature.length === SIGNATURE_LENGTH && passesPrechecks(signature);
    this.#push(ok ? this.#items.add(key[RAW_BYTES](), message, signature) : -1);
  }

  /**
   * Adds one check given as text: an ASCII message (a Spine entry hash) and the signature as hex.
   *
   * @param key A validated public key.
   * @param message The signed text; every character below U+0080.
   * @param signatureHex The signature as 128 lowercase hex characters (anything else fails).
   */
  addText(key: PublicKey, message: string, signatureHex: string): void {
    if (message.length > TEXT_SCRATCH.length) {
      throw new RangeError(`addText() takes messages of at most ${TEXT_SCRATCH.length} characters`);
    }
    for (let i = 0; i < message.length; i++) TEXT_SCRATCH[i] = message.charCodeAt(i);
    const ok = signatureHex.length === 2 * SIGNATURE_LENGTH &&
      decodeHexInto(signatureHex, SIG_SCRATCH) &&
      passesPrechecks(SIG_SCRATCH);
    this.#push(
      ok
        ? this.#items.add(key[RAW_BYTES](), TEXT_SCRATCH.subarray(0, message.length), SIG_SCRATCH)
        : -1,
    );
  }

  #push(index: number): void {
    if (this.#size === this.#index.length) {
      const grown = new Int32Array(this.#index.length * 2 || 16);
      grown.set(this.#index);
      this.#index = grown;
    }
    this.#index[this.#size++] = index;
  }

  /**
   * Verifies every item, off the calling thread when a worker can run. Add nothing after this.
   *
   * @returns Verdicts in the order added: 1 when the item verified, else 0.
   */
  async verify(): Promise<Uint8Array> {
    const out = new Uint8Array(this.#size);
    if (this.#items.count > 0) {
      pool ??= await (poolLoading ??= import("./_verify_pool.ts"));
      const bits = await pool.submitBatch(this.#items);
      for (let i = 0; i < this.#size; i++) {
        const j = this.#index[i];
        if (j >= 0 && (bits[j >> 3] & (1 << (j & 7))) !== 0) out[i] = 1;
      }
    }
    return out;
  }
}

/**
 * For a caller about to wait on a {@linkcode SignatureBatch}: verifies one batch that no worker
 * holds yet on this thread, so both cores stay busy.
 *
 * @returns False when there was none.
 */
export function helpVerify(): boolean {
  return pool?.helpOne() ?? false;
}

const TEXT_SCRATCH = new Uint8Array(1024);
const SIG_SCRATCH = new Uint8Array(SIGNATURE_LENGTH);
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;

function decodeHexInto(hex: string, out: Uint8Array): boolean {
  for (let i = 0; i < out.length; i++) {
    const c1 = hex.charCodeAt(2 * i), c2 = hex.charCodeAt(2 * i + 1);
    if (c1 > 0x7f || c2 > 0x7f || HEX_VALUE[c1] < 0 || HEX_VALUE[c2] < 0) return false;
    out[i] = (HEX_VALUE[c1] << 4) | HEX_VALUE[c2];
  }
  return true;
}

/** Step 1 of `verifySignature` on a 64-byte signature: `S < L`, canonical `R`. */
function passesPrechecks(signature: Uint8Array): boolean {
  if (!isCanonicalScalar(signature.subarray(32))) return false;
  const r = signature.subarray(0, 32);
  return isCanonicalY(r) && !isNegativeZeroX(r);
}

function decodePublicKeyInput(input: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (input instanceof Uint8Array) {
    if (input.length !== PUBLIC_KEY_LENGTH) {
      throw new RangeError(`Public key must be 32 bytes, got ${input.length}`);
    }
    return input.slice();
  }
  if (typeof input !== "string") {
    throw new TypeError("Public key must be a string or a Uint8Array");
  }
  const text = input.trim();
  if (text.startsWith("-----BEGIN")) {
    const block = decodePem(text);
    if (block === undefined) throw new RangeError("Public key PEM block is malformed");
    if (block.label !== "PUBLIC KEY") {
      throw new RangeError(
        `Public key PEM block has label "${block.label}", expected "PUBLIC KEY"`,
      );
    }
    if (
      block.der.length !== SPKI_PREFIX.length + PUBLIC_KEY_LENGTH ||
      !startsWith(block.der, SPKI_PREFIX)
    ) {
      throw new RangeError(
        "Public key PEM block is not an Ed25519 SubjectPublicKeyInfo (OID 1.3.101.112)",
      );
    }
    return block.der.slice(SPKI_PREFIX.length);
  }
  if (text.length === 64 && isHex(text)) return hexToBytes(text) as Uint8Array<ArrayBuffer>;
  if (text.length === 44) {
    const bytes = base64ToBytes(text);
    if (bytes !== undefined && bytes.length === PUBLIC_KEY_LENGTH) {
      return bytes as Uint8Array<ArrayBuffer>;
    }
  }
  throw new RangeError(
    `Public key text of ${text.length} characters is not 64 hex characters, 44 base64 characters ` +
      "of 32 bytes, or a PEM PUBLIC KEY block",
  );
}

/** y (the low 255 bits, little-endian) < p = 2^255 - 19, i.e. not in [p, 2^255). */
function isCanonicalY(enc: Uint8Array): boolean {
  if ((enc[31] & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (enc[i] !== 0xff) return true;
  return enc[0] < 0xed;
}

/** The sign bit is set on a point with x = 0 (y = 1 or y = p - 1): refused by RFC 8032. */
function isNegativeZeroX(enc: Uint8Array): boolean {
  if ((enc[31] & 0x80) === 0) return false;
  let yIsOne = enc[0] === 0x01;
  let yIsMinusOne = enc[0] === 0xec; // p - 1 = 0x7fff...ffec
  for (let i = 1; i < 31; i++) {
    if (enc[i] !== 0x00) yIsOne = false;
    if (enc[i] !== 0xff) yIsMinusOne = false;
  }
  return (yIsOne && (enc[31] & 0x7f) === 0) || (yIsMinusOne && (enc[31] & 0x7f) === 0x7f);
}

/** S < L, comparing 32 little-endian bytes from the most significant end. */
function isCanonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i] !== L_LE[i]) return s[i] < L_LE[i];
  }
  return false; // S == L
}
