/**
 * Deterministic Ed25519 keys for tests only: WebCrypto keys derived from a fixed seed.
 *
 * @module
 */

// PKCS#8 wrapper for a raw 32-byte Ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Uint8Array.fromHex("302e020100300506032b657004220420");

/** A test key pair: raw public key and an injected-style signer. */
export interface TestKey {
  publicKey: Uint8Array;
  sign: (message: Uint8Array) => Promise<Uint8Array>;
}

/** Builds an Ed25519 key pair from a 32-byte seed. */
export async function testKeyFromSeed(seed: Uint8Array): Promise<TestKey> {
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, "Ed25519", true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" });
  return {
    publicKey,
    sign: async (message) =>
      new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, message.slice())),
  };
}

/** Builds a test key from a label: seed = SHA-256(label). */
export async function testKey(label: string): Promise<TestKey> {
  const seed = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(label)),
  );
  return testKeyFromSeed(seed);
}
