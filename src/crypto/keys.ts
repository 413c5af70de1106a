/**
 * Ed25519 signing keys: generation, parsing of key files (hex seed or PKCS#8 PEM), export,
 * signing, and the key-id formula.
 *
 * The 32-byte seed lives in a private field: `String(key)`, `JSON.stringify(key)`,
 * `console.log(key)` and `Deno.inspect(key)` show only the key id (JSON adds the public key); no error
 * message ever includes key text.
 *
 * @module
 */

import { getPublicKeyAsync, signAsync as nobleSignAsync } from "../deps/noble_ed25519.ts";
import { sha256 } from "./_sha256.ts";
import { bytesToHex, decodePem, encodePem, hexToBytes, isHex, startsWith } from "./_encoding.ts";
import { parsePublicKey, PublicKey } from "./ed25519.ts";

const SEED_LENGTH = 32;
/** DER prefix of an Ed25519 PKCS#8 v1 PrivateKeyInfo (RFC 8410 section 7): the seed follows. */
const PKCS8_PREFIX = hexToBytes("302e020100300506032b657004220420");
/** Domain-separation prefix of the key-id hash: ASCII `spine-key-id-v1` and one zero byte. */
const KEY_ID_CONTEXT = new TextEncoder().encode("spine-key-id-v1\x00");

/** Batches of at least this many messages are signed in a worker thread (`_sign_pool.ts`). */
const WORKER_MIN_MESSAGES = 64;

// The batch-signing worker's module (and `node:crypto` in it) loads with the first large batch.
let pool: typeof import("./_sign_pool.ts") | undefined;

const CONSTRUCT = Symbol("SigningKey.construct");
let readSeed: (key: SigningKey) => Uint8Array<ArrayBuffer>;

/**
 * An Ed25519 signing key. Create one with {@linkcode generateSigningKey},
 * {@linkcode signingKeyFromSeed} or {@linkcode parseSigningKey}.
 *
 * @example
 * ```ts
 * import { generateSigningKey } from "./keys.ts";
 * import { verifySignature } from "./ed25519.ts";
 * import assert from "node:assert/strict";
 * const key = await generateSigningKey();
 * const message = new TextEncoder().encode("a".repeat(64));
 * const signature = await key.sign(message);
 * assert.equal(await verifySignature(key.publicKey, message, signature), true);
 * ```
 */
export class SigningKey {
  /** The matching public key. */
  readonly publicKey: PublicKey;
  /** The key id, `keyIdFor(publicKey)`. */
  readonly keyId: string;
  readonly #seed: Uint8Array<ArrayBuffer>;
  #webCryptoKey: Promise<CryptoKey | null> | undefined;

  static {
    readSeed = (key) => key.#seed.slice();
  }

  /**
   * Internal: use {@linkcode signingKeyFromSeed}.
   *
   * @param token A module-private token.
   * @param seed The 32-byte seed (owned by the new object).
   * @param publicKey The public key derived from `seed`.
   * @throws {TypeError} When called from outside this module.
   */
  constructor(
    token: symbol,
    seed: Uint8Array<ArrayBuffer>,
    publicKey: PublicKey,
    webCryptoKey?: CryptoKey,
  ) {
    if (token !== CONSTRUCT) throw new TypeError("Create a SigningKey with signingKeyFromSeed()");
    this.#seed = seed;
    this.publicKey = publicKey;
    this.keyId = keyIdFor(publicKey);
    if (webCryptoKey !== undefined) this.#webCryptoKey = Promise.resolve(webCryptoKey);
  }

  /**
   * Signs a message (RFC 8032 Ed25519, deterministic): native WebCrypto where the runtime
   * supports Ed25519 PKCS#8 import, otherwise `@noble/ed25519`. Both give identical bytes.
   *
   * @param message The bytes to sign (in Spine v1, the 64 ASCII hex characters of the entry hash).
   * @returns The 64-byte signature `R || S`.
   * @throws {TypeError} If `message` is not a `Uint8Array`.
   */
  async sign(message: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    if (!(message instanceof Uint8Array)) throw new TypeError("sign() expects a Uint8Array");
    const msg = message.slice();
    this.#webCryptoKey ??= crypto.subtle
      .importKey("pkcs8", pkcs8Der(this.#seed), { name: "Ed25519" }, false, ["sign"])
      .catch(() => null);
    const cryptoKey = await this.#webCryptoKey;
    if (cryptoKey !== null) {
      return new Uint8Array(await crypto.subtle.sign("Ed25519", cryptoKey, msg));
    }
    return new Uint8Array(await nobleSignAsync(msg, this.#seed));
  }

  /** @returns `SigningKey(<key id>)`; never the seed. */
  toString(): string {
    return `SigningKey(${this.keyId})`;
  }

  /** @returns The key id and public key; never the seed. */
  toJSON(): { keyId: string; publicKey: string } {
    return { keyId: this.keyId, publicKey: this.publicKey.hex };
  }

  /** Shows `SigningKey(<key id>)` in `console.log` and `Deno.inspect`; never the seed. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

/**
 * Signs many messages of one length, laid end to end (the WAL writer's entry hashes). Batches of
 * {@linkcode WORKER_MIN_MESSAGES} or more are signed in a worker thread with `node:crypto`, so
 * the caller can prepare the next batch meanwhile; smaller ones as {@linkcode SigningKey.sign}
 * does. The signatures are identical either way (RFC 8032 signing is deterministic).
 *
 * @param key The signing key.
 * @param messages `count * length` bytes: message i is `messages[i*length .. (i+1)*length]`.
 * @param length The length of each message (at least 1).
 * @returns `count * 64` bytes: signature i is `[i*64 .. (i+1)*64]`.
 * @throws {TypeError} If `key` is not a {@linkcode SigningKey} or `messages` not a `Uint8Array`.
 * @throws {RangeError} If `messages.length` is not a multiple of `length`.
 * @example
 * ```ts
 * import { generateSigningKey, signBatch } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const key = await generateSigningKey();
 * const messages = new TextEncoder().encode("a".repeat(64) + "b".repeat(64));
 * const signatures = await signBatch(key, messages, 64);
 * assert.deepEqual(signatures.subarray(64), await key.sign(messages.subarray(64)));
 * ```
 */
export async function signBatch(
  key: SigningKey,
  messages: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  if (!(key instanceof SigningKey)) throw new TypeError("signBatch() expects a SigningKey");
  if (!(messages instanceof Uint8Array)) throw new TypeError("signBatch() expects a Uint8Array");
  if (!Number.isSafeInteger(length) || length < 1 || messages.length % length !== 0) {
    throw new RangeError(
      `${messages.length} bytes are not a whole number of ${length}-byte messages`,
    );
  }
  const count = messages.length / length;
  const inline = async () => {
    const out = new Uint8Array(count * 64);
    const signatures = await Promise.all(
      Array.from(
        { length: count },
        (_, i) => key.sign(messages.subarray(i * length, (i + 1) * length)),
      ),
    );
    signatures.forEach((s, i) => out.set(s, i * 64));
    return out;
  };
  if (count < WORKER_MIN_MESSAGES) return await inline();
  pool ??= await import("./_sign_pool.ts");
  return await pool.signInWorker(
    key,
    () => {
      const seed = readSeed(key);
      const der = pkcs8Der(seed);
      seed.fill(0);
      return der;
    },
    messages,
    length,
    inline,
  );
}

/**
 * Starts the batch-signing worker of {@linkcode signBatch} ahead of its first batch, so that its
 * start-up (tens of milliseconds) overlaps other work. Optional.
 *
 * @returns Resolves once the worker is starting (or cannot run: batches are then signed inline).
 * @example
 * ```ts
 * import { stopBatchSigning, warmBatchSigning } from "./keys.ts";
 * await warmBatchSigning();
 * stopBatchSigning();
 * ```
 */
export async function warmBatchSigning(): Promise<void> {
  pool ??= await import("./_sign_pool.ts");
  pool.warmSignWorker();
}

/**
 * Stops the batch-signing worker now if it holds no batch (it also stops by itself after a short
 * idle time, on an unref'd timer).
 *
 * @example
 * ```ts
 * import { stopBatchSigning } from "./keys.ts";
 * stopBatchSigning();
 * ```
 */
export function stopBatchSigning(): void {
  pool?.stopSignWorkerIfIdle();
}

/**
 * Derives the key id of a public key:
 *
 * ```
 * key_id = "kid_" || hex(SHA-256("spine-key-id-v1" || 0x00 || public_key))[0..16]
 * ```
 *
 * where `public_key` is the 32 raw key bytes and the result is the first 16 lowercase hex
 * characters (64 bits) of the digest. It depends on the public key only (the upstream Node SDK
 * derives its ids from private-key bytes; we do not), and the prefix keeps it distinct from any
 * other hash of the key.
 *
 * @param publicKey A validated public key.
 * @returns `kid_` followed by 16 lowercase hex characters.
 * @throws {TypeError} If `publicKey` is not a {@linkcode PublicKey}.
 * @example
 * ```ts
 * import { keyIdFor } from "./keys.ts";
 * import { parsePublicKey } from "./ed25519.ts";
 * import assert from "node:assert/strict";
 * const id = keyIdFor(parsePublicKey("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
 * assert.equal(id, "kid_a742779f6e81a65d");
 * ```
 */
export function keyIdFor(publicKey: PublicKey): string {
  if (!(publicKey instanceof PublicKey)) {
    throw new TypeError("keyIdFor() expects a PublicKey");
  }
  const input = new Uint8Array(KEY_ID_CONTEXT.length + 32);
  input.set(KEY_ID_CONTEXT);
  input.set(publicKey.bytes, KEY_ID_CONTEXT.length);
  return "kid_" + bytesToHex(sha256(input)).slice(0, 16);
}

/**
 * Generates a new signing key from 32 bytes of `crypto.getRandomValues`.
 *
 * @returns A fresh key.
 * @example
 * ```ts
 * import { generateSigningKey } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const key = await generateSigningKey();
 * assert.match(key.keyId, /^kid_[0-9a-f]{16}$/);
 * ```
 */
export function generateSigningKey(): Promise<SigningKey> {
  return fromOwnedSeed(crypto.getRandomValues(new Uint8Array(SEED_LENGTH)));
}

/**
 * Builds a signing key from its 32-byte RFC 8032 seed (the "secret key" of RFC 8032, not the
 * 64-byte expanded form). The seed is copied.
 *
 * @param seed The 32-byte seed.
 * @returns The key, with its public key and key id derived.
 * @throws {TypeError} If `seed` is not a `Uint8Array`.
 * @throws {RangeError} If `seed` is not 32 bytes long.
 * @example
 * ```ts
 * import { signingKeyFromSeed } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const seed = new Uint8Array(32).fill(7);
 * const key = await signingKeyFromSeed(seed);
 * assert.equal(key.publicKey.hex.length, 64);
 * ```
 */
export async function signingKeyFromSeed(seed: Uint8Array): Promise<SigningKey> {
  if (!(seed instanceof Uint8Array)) throw new TypeError("Ed25519 seed must be a Uint8Array");
  if (seed.length !== SEED_LENGTH) {
    throw new RangeError(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  }
  return await fromOwnedSeed(seed.slice());
}

/**
 * Parses a signing-key file: 64 hex characters of seed (either case), or a PEM `PRIVATE KEY` block
 * holding an Ed25519 PKCS#8 v1 PrivateKeyInfo (RFC 8410: the 48-byte DER
 * `302e020100300506032b657004220420 || seed`, as `openssl genpkey -algorithm ed25519` writes).
 * Surrounding whitespace is ignored. Errors never include the text.
 *
 * @param text The key file's content.
 * @returns The key.
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If the text is neither form, or the PEM is not an Ed25519 PKCS#8 v1 key.
 * @example
 * ```ts
 * import { parseSigningKey, exportSigningKeyPem } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const key = await parseSigningKey(
 *   "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n",
 * ); // RFC 8032 section 7.1, TEST 1
 * assert.equal(key.publicKey.hex, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
 * const again = await parseSigningKey(exportSigningKeyPem(key));
 * assert.equal(again.keyId, key.keyId);
 * ```
 */
export async function parseSigningKey(text: string): Promise<SigningKey> {
  if (typeof text !== "string") throw new TypeError("Signing key text must be a string");
  return await fromOwnedSeed(decodeSigningKeyText(text.trim()));
}

/**
 * Exports a signing key as a PKCS#8 PEM `PRIVATE KEY` block (RFC 8410, 48-byte DER), readable by
 * OpenSSL and by {@linkcode parseSigningKey}. The result is secret: write it with mode 0600.
 *
 * @param key The key.
 * @returns The PEM text, ending with a newline.
 * @throws {TypeError} If `key` is not a {@linkcode SigningKey}.
 * @example
 * ```ts
 * import { exportSigningKeyPem, generateSigningKey } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const pem = exportSigningKeyPem(await generateSigningKey());
 * assert.ok(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
 * ```
 */
export function exportSigningKeyPem(key: SigningKey): string {
  if (!(key instanceof SigningKey)) {
    throw new TypeError("exportSigningKeyPem() expects a SigningKey");
  }
  return encodePem("PRIVATE KEY", pkcs8Der(readSeed(key)));
}

/**
 * Exports a signing key's seed as 64 lowercase hex characters. The result is secret.
 *
 * @param key The key.
 * @returns The seed in hex.
 * @throws {TypeError} If `key` is not a {@linkcode SigningKey}.
 * @example
 * ```ts
 * import { exportSeedHex, signingKeyFromSeed } from "./keys.ts";
 * import assert from "node:assert/strict";
 * const key = await signingKeyFromSeed(new Uint8Array(32).fill(1));
 * assert.equal(exportSeedHex(key), "01".repeat(32));
 * ```
 */
export function exportSeedHex(key: SigningKey): string {
  if (!(key instanceof SigningKey)) throw new TypeError("exportSeedHex() expects a SigningKey");
  return bytesToHex(readSeed(key));
}

async function fromOwnedSeed(seed: Uint8Array<ArrayBuffer>): Promise<SigningKey> {
  const { raw, webCryptoKey } = await derivePublicKey(seed);
  return new SigningKey(CONSTRUCT, seed, parsePublicKey(raw), webCryptoKey);
}

/**
 * The public key of a seed: native WebCrypto (import, export as JWK) where available, else
 * `@noble/ed25519`. Both give identical bytes; noble's first call builds its base-point tables
 * (about 40 ms), which dominated one `spine append` process. The imported key is kept for signing
 * (one import less per process); it lives in the key's private field, as the seed does.
 */
async function derivePublicKey(
  seed: Uint8Array<ArrayBuffer>,
): Promise<{ raw: Uint8Array; webCryptoKey?: CryptoKey }> {
  try {
    const key = await crypto.subtle.importKey("pkcs8", pkcs8Der(seed), { name: "Ed25519" }, true, [
      "sign",
    ]);
    const { x } = await crypto.subtle.exportKey("jwk", key);
    const raw = x === undefined ? undefined : base64UrlToBytes(x);
    if (raw !== undefined && raw.length === SEED_LENGTH) return { raw, webCryptoKey: key };
  } catch {
    // No native Ed25519: fall through.
  }
  return { raw: await getPublicKeyAsync(seed) };
}

function base64UrlToBytes(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function decodeSigningKeyText(text: string): Uint8Array<ArrayBuffer> {
  if (text.startsWith("-----BEGIN")) {
    const block = decodePem(text);
    if (block === undefined) throw new RangeError("Signing key PEM block is malformed");
    if (block.label !== "PRIVATE KEY") {
      throw new RangeError(
        `Signing key PEM block has label "${block.label}", expected "PRIVATE KEY"`,
      );
    }
    if (
      block.der.length !== PKCS8_PREFIX.length + SEED_LENGTH || !startsWith(block.der, PKCS8_PREFIX)
    ) {
      throw new RangeError(
        "Signing key PEM block is not a 48-byte Ed25519 PKCS#8 v1 key (OID 1.3.101.112, RFC 8410)",
      );
    }
    return block.der.slice(PKCS8_PREFIX.length);
  }
  if (text.length === 64 && isHex(text)) return hexToBytes(text) as Uint8Array<ArrayBuffer>;
  throw new RangeError(
    `Signing key text of ${text.length} characters is neither 64 hex characters of seed ` +
      "nor a PEM PRIVATE KEY block",
  );
}

function pkcs8Der(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  const der = new Uint8Array(PKCS8_PREFIX.length + SEED_LENGTH);
  der.set(PKCS8_PREFIX);
  der.set(seed, PKCS8_PREFIX.length);
  return der;
}
