/**
 * Ed25519 backends on Spine-shaped messages (64 ASCII hex characters). Every iteration handles a
 * batch of 2,000 signatures, so events/s = 2000 / (time per iteration).
 *
 * Run: deno bench --allow-read bench/crypto_bench.ts
 *
 * @module
 */

import * as noble from "../src/deps/noble_ed25519.ts";
import { sha512 } from "../src/deps/noble_hashes_sha2.ts";
import { verifySignature } from "../src/crypto/ed25519.ts";
import { signingKeyFromSeed } from "../src/crypto/keys.ts";

noble.hashes.sha512 = sha512;

const BATCH = 2000;
const seed = new Uint8Array(32).fill(42);
const signer = await signingKeyFromSeed(seed);
const publicKey = signer.publicKey;
const cryptoKey = await publicKey.cryptoKey();
const rawPublicKey = publicKey.bytes;
const messages = Array.from(
  { length: BATCH },
  (_, i) => new TextEncoder().encode(i.toString(16).padStart(64, "0")),
);
const signatures = await Promise.all(messages.map((m) => signer.sign(m)));
// Invalid: a valid signature checked against the next message (same shape, wrong content).
const wrongMessages = messages.map((_, i) => messages[(i + 1) % BATCH]);

function expectAll(verdicts: boolean[], expected: boolean): void {
  if (verdicts.some((v) => v !== expected)) throw new Error(`expected every verdict ${expected}`);
}

Deno.bench({
  name: "WebCrypto verify, awaited one by one",
  group: "verify 2000",
  baseline: true,
  async fn() {
    const out: boolean[] = [];
    for (let i = 0; i < BATCH; i++) {
      out.push(await crypto.subtle.verify("Ed25519", cryptoKey, signatures[i], messages[i]));
    }
    expectAll(out, true);
  },
});

Deno.bench({
  name: "WebCrypto verify, 2000 in flight",
  group: "verify 2000",
  async fn() {
    const out = await Promise.all(
      messages.map((m, i) => crypto.subtle.verify("Ed25519", cryptoKey, signatures[i], m)),
    );
    expectAll(out, true);
  },
});

Deno.bench({
  name: "verifySignature (strict, ours), 2000 in flight",
  group: "verify 2000",
  async fn() {
    expectAll(
      await Promise.all(messages.map((m, i) => verifySignature(publicKey, m, signatures[i]))),
      true,
    );
  },
});

Deno.bench({
  name: "noble verify zip215:false, synchronous",
  group: "verify 2000",
  n: 5,
  warmup: 1,
  fn() {
    const out = messages.map((m, i) =>
      noble.verify(signatures[i], m, rawPublicKey, { zip215: false })
    );
    expectAll(out, true);
  },
});

Deno.bench({
  name: "verifySignature (strict, ours), 2000 invalid in flight (noble fallback)",
  group: "verify 2000 invalid",
  n: 5,
  warmup: 1,
  async fn() {
    const out = await Promise.all(
      wrongMessages.map((m, i) => verifySignature(publicKey, m, signatures[i])),
    );
    expectAll(out, false);
  },
});

Deno.bench({
  name: "WebCrypto verify, 2000 invalid in flight",
  group: "verify 2000 invalid",
  baseline: true,
  async fn() {
    const out = await Promise.all(
      wrongMessages.map((m, i) => crypto.subtle.verify("Ed25519", cryptoKey, signatures[i], m)),
    );
    expectAll(out, false);
  },
});

Deno.bench({
  name: "SigningKey.sign (WebCrypto), awaited one by one",
  group: "sign 2000",
  baseline: true,
  async fn() {
    for (const m of messages) await signer.sign(m);
  },
});

Deno.bench({
  name: "SigningKey.sign (WebCrypto), 2000 in flight",
  group: "sign 2000",
  async fn() {
    await Promise.all(messages.map((m) => signer.sign(m)));
  },
});

Deno.bench({
  name: "noble sign, synchronous",
  group: "sign 2000",
  n: 5,
  warmup: 1,
  fn() {
    for (const m of messages) noble.sign(m, seed);
  },
});
