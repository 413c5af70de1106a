import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createPublicKey, verify as nodeCryptoVerify } from "node:crypto";
import * as noble from "../deps/noble_ed25519.ts";
import {
  helpVerify,
  parsePublicKey,
  PublicKey,
  SignatureBatch,
  verifySignature,
} from "./ed25519.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${b64(der)}\n-----END ${label}-----\n`;

// RFC 8032 section 7.1, TEST 1.
const RFC1_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
// The same key as written by `openssl pkey -pubout`.
const RFC1_PEM = "-----BEGIN PUBLIC KEY-----\n" +
  "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n" +
  "-----END PUBLIC KEY-----\n";

interface StrictCase {
  id: string;
  source: string;
  description: string;
  message_hex: string;
  public_key_hex: string;
  signature_hex: string;
  valid: boolean;
}
const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../vectors/ed25519/strict.json", import.meta.url)),
) as { cases: StrictCase[] };

/** Our verdict: a key that parsePublicKey refuses counts as "does not verify". */
async function ourVerdict(c: StrictCase): Promise<boolean> {
  let key: PublicKey;
  try {
    key = parsePublicKey(c.public_key_hex);
  } catch (error) {
    assert.ok(error instanceof RangeError);
    return false;
  }
  return await verifySignature(key, hex(c.message_hex), hex(c.signature_hex));
}

async function nobleStrictVerdict(c: StrictCase): Promise<boolean> {
  try {
    return await noble.verifyAsync(
      hex(c.signature_hex),
      hex(c.message_hex),
      hex(c.public_key_hex),
      { zip215: false },
    );
  } catch {
    return false; // noble throws for a signature that is not 64 bytes
  }
}

async function rawWebCryptoVerdict(c: StrictCase): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      hex(c.public_key_hex),
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify("Ed25519", key, hex(c.signature_hex), hex(c.message_hex));
  } catch {
    return false;
  }
}

/** `node:crypto` (the backend of verifySignature) on the raw case; a thrown error counts as false. */
function nodeCryptoVerdict(c: StrictCase): boolean {
  try {
    const key = createPublicKey({
      key: Buffer.from("302a300506032b6570032100" + c.public_key_hex, "hex"),
      format: "der",
      type: "spki",
    });
    return nodeCryptoVerify(null, hex(c.message_hex), key, hex(c.signature_hex));
  } catch {
    return false;
  }
}

Deno.test("parsePublicKey() reads lowercase hex, uppercase hex, base64, raw bytes and PEM as one key", () => {
  const forms: (string | Uint8Array)[] = [
    RFC1_PUB,
    RFC1_PUB.toUpperCase(),
    b64(hex(RFC1_PUB)),
    hex(RFC1_PUB),
    RFC1_PEM,
    `  ${RFC1_PUB}\n`,
    RFC1_PEM.replaceAll("\n", "\r\n"),
  ];
  for (const form of forms) {
    const key = parsePublicKey(form);
    assert.equal(key.hex, RFC1_PUB);
    assert.deepEqual(key.bytes, hex(RFC1_PUB));
  }
});

Deno.test("parsePublicKey() copies raw input bytes and hands out copies", () => {
  const raw = hex(RFC1_PUB);
  const key = parsePublicKey(raw);
  raw[0] ^= 1;
  key.bytes[0] ^= 1;
  assert.equal(key.hex, RFC1_PUB);
  assert.deepEqual(key.bytes, hex(RFC1_PUB));
});

// The 8 small-order points in their 14 encodings (canonical, x = 0 with the sign bit, y >= p).
const SMALL_ORDER = [
  "0100000000000000000000000000000000000000000000000000000000000000", // identity
  "0100000000000000000000000000000000000000000000000000000000000080", // identity, -0
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2 (y = -1)
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // order 2, -0
  "0000000000000000000000000000000000000000000000000000000000000000", // order 4 (y = 0)
  "0000000000000000000000000000000000000000000000000000000000000080", // order 4
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p (= 0)
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = p, sign bit
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1 (= 1)
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // y = p + 1, sign bit
];

Deno.test("parsePublicKey() refuses all 14 encodings of the 8 small-order points", () => {
  assert.equal(new Set(SMALL_ORDER).size, 14);
  for (const enc of SMALL_ORDER) {
    // Sanity: a lax (ZIP-215) decoder sees a point of order dividing 8.
    assert.ok(noble.Point.fromBytes(hex(enc), true).isSmallOrder(), enc);
    assert.throws(() => parsePublicKey(enc), (e: unknown) => {
      assert.ok(e instanceof RangeError, enc);
      assert.match(e.message, /small-order|not canonical/);
      return true;
    });
  }
});

const p = 2n ** 255n - 19n;
const le32 = (n: bigint) => hex(n.toString(16).padStart(64, "0")).reverse();
const x25519Spki = hex("302a300506032b656e032100" + RFC1_PUB);

const HOSTILE_PUBLIC_KEYS: [string, unknown, RegExp][] = [
  ["the empty string", "", /0 characters/],
  ["63 hex characters", RFC1_PUB.slice(1), /63 characters/],
  ["65 hex characters", RFC1_PUB + "0", /65 characters/],
  ["64 characters with a non-hex one", "g" + RFC1_PUB.slice(1), /64 characters/],
  ["hex with 0x prefix", "0x" + RFC1_PUB, /66 characters/],
  ["base64 of 31 bytes", b64(hex(RFC1_PUB).subarray(1)), /44 characters/],
  ["base64 of 33 bytes", b64(new Uint8Array(33)), /44 characters/],
  ["base64url of 32 bytes", b64(hex(RFC1_PUB)).replaceAll("+", "-").replaceAll("/", "_"), /44/],
  ["base64 with non-zero trailing bits", b64(hex(RFC1_PUB)).slice(0, 42) + "B=", /44/],
  ["unpadded base64", b64(hex(RFC1_PUB)).slice(0, 43), /43 characters/],
  ["PEM of an X25519 key (wrong OID)", pem("PUBLIC KEY", x25519Spki), /not an Ed25519/],
  [
    "PEM with a private-key label",
    pem("PRIVATE KEY", hex("302a300506032b6570032100" + RFC1_PUB)),
    /label/,
  ],
  [
    "PEM with a truncated body",
    pem("PUBLIC KEY", hex("302a300506032b6570032100" + RFC1_PUB).subarray(0, 40)),
    /not an Ed25519/,
  ],
  [
    "PEM with mismatched labels",
    RFC1_PEM.replace("END PUBLIC KEY", "END PRIVATE KEY"),
    /malformed/,
  ],
  [
    "PEM with a garbage body",
    "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----",
    /malformed/,
  ],
  ["raw 31 bytes", new Uint8Array(31), /32 bytes, got 31/],
  ["raw 33 bytes", new Uint8Array(33), /32 bytes, got 33/],
  ["a 10 MB string", "a".repeat(10_000_000), /10000000 characters/],
  ["__proto__", "__proto__", /9 characters/],
  ["non-canonical y = p + 3 of a large-order point", toHex(le32(p + 3n)), /not canonical/],
  ["y = 2, which is not on the curve", toHex(le32(2n)), /not a point on the Ed25519 curve/],
];

for (const [name, input, message] of HOSTILE_PUBLIC_KEYS) {
  Deno.test(`parsePublicKey() refuses ${name} with a RangeError`, () => {
    assert.throws(() => parsePublicKey(input as string), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, message);
      assert.ok(e.message.length < 200, "the message does not echo the input");
      return true;
    });
  });
}

Deno.test("parsePublicKey() refuses non-string, non-bytes input with a TypeError", () => {
  for (const input of [undefined, null, 42, {}, [1, 2], new Uint16Array(16), new ArrayBuffer(32)]) {
    assert.throws(() => parsePublicKey(input as unknown as string), TypeError);
  }
});

Deno.test("PublicKey cannot be constructed except through parsePublicKey()", () => {
  assert.throws(() => new PublicKey(Symbol("forged"), new Uint8Array(32)), TypeError);
});

Deno.test("PublicKey prints as its hex in strings, JSON and Deno.inspect", () => {
  const key = parsePublicKey(RFC1_PUB);
  assert.equal(String(key), RFC1_PUB);
  assert.equal(JSON.stringify({ key }), `{"key":"${RFC1_PUB}"}`);
  assert.equal(Deno.inspect(key), `PublicKey(${RFC1_PUB})`);
  assert.ok(key.equals(parsePublicKey(RFC1_PEM)));
});

Deno.test("PublicKey.cryptoKey() imports once and shares the result between callers", async () => {
  const key = parsePublicKey(RFC1_PUB);
  assert.equal(key.cachedCryptoKey, undefined);
  const [a, b] = await Promise.all([key.cryptoKey(), key.cryptoKey()]);
  assert.equal(a, b);
  assert.equal(key.cachedCryptoKey, a);
  assert.equal(a.algorithm.name, "Ed25519");
  assert.deepEqual(a.usages, ["verify"]);
  assert.equal(a.extractable, false);
});

/** Cases noble's strict mode accepts (cofactored equation only) and a strict verifier refuses. */
const STRICTER_THAN_NOBLE = [
  "speccheck-4",
  "speccheck-5",
  "signer-mixed-order-r",
  "signer-small-order-r",
  "signer-mixed-order-a",
];

for (const c of vectors.cases) {
  Deno.test(`verifySignature() gives the strict verdict ${c.valid} for ${c.id} (${c.description})`, async () => {
    const ours = await ourVerdict(c);
    const strict = await nobleStrictVerdict(c);
    assert.equal(ours, c.valid, "our verdict matches the vector");
    // We are stricter than noble only where the cofactorless equation fails (torsion components).
    if (STRICTER_THAN_NOBLE.includes(c.id)) assert.deepEqual([strict, ours], [true, false]);
    else assert.equal(strict, c.valid, "noble strict matches the vector");
  });
}

Deno.test("raw WebCrypto differs from noble strict only on small-order keys (refused by parsePublicKey) and cofactored-only signatures", async () => {
  const differing: string[] = [];
  for (const c of vectors.cases) {
    if (await rawWebCryptoVerdict(c) !== await nobleStrictVerdict(c)) differing.push(c.id);
  }
  // WebCrypto accepts small-order keys (speccheck 0, 1) and checks the cofactorless equation, so it
  // rejects signatures that pass only the cofactored one.
  assert.deepEqual(differing, [
    "speccheck-0",
    "speccheck-1",
    "speccheck-4",
    "speccheck-5",
    "signer-mixed-order-r",
    "signer-small-order-r",
    "signer-mixed-order-a",
  ]);
});

Deno.test("node:crypto gives the same verdict as raw WebCrypto on every strict vector", async () => {
  for (const c of vectors.cases) {
    assert.equal(nodeCryptoVerdict(c), await rawWebCryptoVerdict(c), c.id);
  }
});

Deno.test("node:crypto gives our strict verdict on every vector whose key parsePublicKey accepts", async () => {
  let checked = 0;
  for (const c of vectors.cases) {
    try {
      parsePublicKey(c.public_key_hex);
    } catch {
      continue; // refused keys never reach a backend
    }
    assert.equal(nodeCryptoVerdict(c), await ourVerdict(c), c.id);
    checked++;
  }
  assert.ok(checked > vectors.cases.length / 2);
});

Deno.test("verifySignature() returns false without throwing for signatures of the wrong length", async () => {
  const key = parsePublicKey(RFC1_PUB);
  for (const length of [0, 1, 32, 63, 65, 128]) {
    assert.equal(await verifySignature(key, new Uint8Array(0), new Uint8Array(length)), false);
  }
});

Deno.test("verifySignature() throws a TypeError for arguments of the wrong type", async () => {
  const key = parsePublicKey(RFC1_PUB);
  const bytes = new Uint8Array(64);
  await assert.rejects(
    () => verifySignature(RFC1_PUB as unknown as PublicKey, bytes, bytes),
    TypeError,
  );
  await assert.rejects(() => verifySignature(key, "m" as unknown as Uint8Array, bytes), TypeError);
  await assert.rejects(() => verifySignature(key, bytes, [1] as unknown as Uint8Array), TypeError);
});

Deno.test("verifySignature() reads its inputs before the caller can reuse the buffers", async () => {
  const c = vectors.cases.find((v) => v.id === "rfc8032-test-3")!;
  const key = parsePublicKey(c.public_key_hex);
  const message = hex(c.message_hex);
  const signature = hex(c.signature_hex);
  const verdict = verifySignature(key, message, signature);
  message.fill(0);
  signature.fill(0);
  assert.equal(await verdict, true);
});

Deno.test("verifySignature() handles 2,000 calls in flight and flags exactly the tampered ones", async () => {
  const seed = new Uint8Array(32).fill(9);
  const key = parsePublicKey(await noble.getPublicKeyAsync(seed));
  const pkcs8 = new Uint8Array([...hex("302e020100300506032b657004220420"), ...seed]);
  const signer = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, [
    "sign",
  ]);
  const encoder = new TextEncoder();
  const messages = Array.from(
    { length: 2000 },
    (_, i) => encoder.encode(i.toString(16).padStart(64, "0")),
  );
  const signatures = await Promise.all(
    messages.map(async (m) => new Uint8Array(await crypto.subtle.sign("Ed25519", signer, m))),
  );
  for (let i = 0; i < signatures.length; i += 97) signatures[i][i % 64] ^= 0x40;
  const verdicts = await Promise.all(
    messages.map((m, i) => verifySignature(key, m, signatures[i])),
  );
  verdicts.forEach((ok, i) => assert.equal(ok, i % 97 !== 0, `message ${i}`));
});

Deno.test("verifySignature() batches calls under several keys and message lengths with per-call verdicts", async () => {
  const seeds = [new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)];
  const signers = await Promise.all(seeds.map((seed) =>
    crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array([...hex("302e020100300506032b657004220420"), ...seed]),
      { name: "Ed25519" },
      false,
      ["sign"],
    )
  ));
  const keys = await Promise.all(
    seeds.map(async (seed) => parsePublicKey(await noble.getPublicKeyAsync(seed))),
  );
  const items = await Promise.all(Array.from({ length: 700 }, async (_, i) => {
    const message = crypto.getRandomValues(new Uint8Array(i % 3 === 0 ? 64 : i % 300));
    const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", signers[i % 2], message));
    if (i % 11 === 0) signature[i % 64] ^= 0x01;
    const key = i % 13 === 0 ? keys[(i + 1) % 2] : keys[i % 2]; // the wrong key now and then
    return { message, signature, key, expected: i % 11 !== 0 && i % 13 !== 0 };
  }));
  const verdicts = await Promise.all(
    items.map((it) => verifySignature(it.key, it.message, it.signature)),
  );
  verdicts.forEach((ok, i) => assert.equal(ok, items[i].expected, `item ${i}`));
});

Deno.test("SignatureBatch gives every strict vector the verdict verifySignature gives", async () => {
  const batch = new SignatureBatch(4); // grows past its capacity
  const expected: boolean[] = [];
  for (const c of vectors.cases) {
    let key: PublicKey;
    try {
      key = parsePublicKey(c.public_key_hex);
    } catch {
      continue; // refused keys never reach a batch
    }
    batch.add(key, hex(c.message_hex), hex(c.signature_hex));
    expected.push(await verifySignature(key, hex(c.message_hex), hex(c.signature_hex)));
  }
  assert.ok(batch.size > 10);
  assert.deepEqual([...(await batch.verify())].map((v) => v === 1), expected);
  assert.ok(expected.includes(true) && expected.includes(false));
});

Deno.test("SignatureBatch.addText takes hex signatures and refuses malformed hex, S >= L and wrong lengths", async () => {
  const c = vectors.cases.find((v) => v.id === "rfc8032-test-1")!;
  const key = parsePublicKey(c.public_key_hex);
  // TEST 1 signs the empty message, so the text form is "".
  const batch = new SignatureBatch();
  batch.addText(key, "", c.signature_hex);
  batch.addText(key, "", c.signature_hex.toUpperCase()); // not lowercase hex
  batch.addText(key, "", c.signature_hex.slice(0, 126)); // too short
  batch.addText(key, "", `${c.signature_hex.slice(0, 126)}zz`);
  // S + L: the same signature with a non-canonical scalar.
  const s = hex(c.signature_hex);
  let carry = 0;
  const l = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  for (let i = 0; i < 32; i++) {
    const v = s[32 + i] + l[i] + carry;
    s[32 + i] = v & 0xff;
    carry = v >> 8;
  }
  batch.addText(key, "", toHex(s));
  batch.addText(key, "x", c.signature_hex); // another message
  assert.deepEqual([...(await batch.verify())], [1, 0, 0, 0, 0, 0]);
  assert.equal(await verifySignature(key, new Uint8Array(0), s), false);
});

Deno.test("SignatureBatch verdicts stay per item across many batches in flight, with this thread helping", async () => {
  const seed = new Uint8Array(32).fill(21);
  const key = parsePublicKey(await noble.getPublicKeyAsync(seed));
  const pkcs8 = new Uint8Array([...hex("302e020100300506032b657004220420"), ...seed]);
  const signer = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, [
    "sign",
  ]);
  const texts = Array.from({ length: 1600 }, (_, i) => i.toString(16).padStart(64, "0"));
  const sigs = await Promise.all(texts.map(async (t, i) => {
    const sig = new Uint8Array(
      await crypto.subtle.sign("Ed25519", signer, new TextEncoder().encode(t)),
    );
    if (i % 89 === 0) sig[5] ^= 0x10;
    return toHex(sig);
  }));
  const results: Promise<Uint8Array>[] = [];
  let helped = 0;
  for (let b = 0; b < 16; b++) {
    const batch = new SignatureBatch(100);
    for (let i = b * 100; i < (b + 1) * 100; i++) batch.addText(key, texts[i], sigs[i]);
    results.push(batch.verify());
    await Promise.resolve(); // the batch is submitted once the backend is loaded
    if (helpVerify()) helped++;
  }
  const verdicts = (await Promise.all(results)).flatMap((v) => [...v]);
  assert.equal(verdicts.length, 1600);
  verdicts.forEach((v, i) => assert.equal(v, i % 89 === 0 ? 0 : 1, `item ${i}`));
  assert.ok(helped > 0, "the calling thread verified some batches itself");
});

Deno.test("SignatureBatch verdicts stay per item with three verification workers", async () => {
  const pool = await import("./_verify_pool.ts");
  // Let a pool started by earlier tests stop (200 ms idle), so the next one starts with 3.
  for (let i = 0; i < 50 && pool.runningWorkers() > 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(pool.runningWorkers(), 0);
  const previous = pool.setPoolSize(3);
  try {
    const seed = new Uint8Array(32).fill(33);
    const key = parsePublicKey(await noble.getPublicKeyAsync(seed));
    const pkcs8 = new Uint8Array([...hex("302e020100300506032b657004220420"), ...seed]);
    const signer = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, [
      "sign",
    ]);
    const texts = Array.from({ length: 1200 }, (_, i) => i.toString(16).padStart(64, "0"));
    const sigs = await Promise.all(texts.map(async (t, i) => {
      const sig = new Uint8Array(
        await crypto.subtle.sign("Ed25519", signer, new TextEncoder().encode(t)),
      );
      if (i % 71 === 3) sig[40] ^= 0x02;
      return toHex(sig);
    }));
    const results: Promise<Uint8Array>[] = [];
    for (let b = 0; b < 12; b++) {
      const batch = new SignatureBatch(100);
      for (let i = b * 100; i < (b + 1) * 100; i++) batch.addText(key, texts[i], sigs[i]);
      results.push(batch.verify());
      await Promise.resolve();
    }
    assert.equal(pool.runningWorkers(), 3);
    const verdicts = (await Promise.all(results)).flatMap((v) => [...v]);
    verdicts.forEach((v, i) => assert.equal(v, i % 71 === 3 ? 0 : 1, `item ${i}`));
  } finally {
    pool.setPoolSize(previous);
  }
});
