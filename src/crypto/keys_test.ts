import assert from "node:assert/strict";
import * as noble from "../deps/noble_ed25519.ts";
import { parsePublicKey, verifySignature } from "./ed25519.ts";
import {
  exportSeedHex,
  exportSigningKeyPem,
  generateSigningKey,
  keyIdFor,
  parseSigningKey,
  signBatch,
  SigningKey,
  signingKeyFromSeed,
  stopBatchSigning,
} from "./keys.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${b64(der)}\n-----END ${label}-----\n`;

// RFC 8032 section 7.1, TEST 1, and the same seed as written by `openssl pkey` (PKCS#8 PEM).
const RFC1_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC1_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC1_OPENSSL_PEM = "-----BEGIN PRIVATE KEY-----\n" +
  "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n" +
  "-----END PRIVATE KEY-----\n";
const RFC_SEEDS = [
  [RFC1_SEED, RFC1_PUB],
  [
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  ],
  [
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
  ],
  [
    "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
  ],
];

const CORPUS = new URL("../../tests/testdata/corpus", import.meta.url).pathname;

interface CorpusKey {
  key_id: string;
  public_key_hex: string;
  public_key_base64?: string;
  seed_hex: string;
}

for (const corpus of ["node-small", "python-small"]) {
  Deno.test({
    name: `the ${corpus} corpus keys parse, and each seed derives its public key`,
    fn: async () => {
      const file = JSON.parse(await Deno.readTextFile(`${CORPUS}/${corpus}/keys.json`));
      const keys = file.keys as CorpusKey[];
      assert.equal(keys.length, 2);
      for (const k of keys) {
        const fromHex = parsePublicKey(k.public_key_hex);
        if (k.public_key_base64 !== undefined) {
          assert.ok(parsePublicKey(k.public_key_base64).equals(fromHex), k.key_id);
        }
        const signer = await parseSigningKey(k.seed_hex);
        assert.ok(signer.publicKey.equals(fromHex), k.key_id);
        const message = new TextEncoder().encode("f".repeat(64));
        assert.equal(await verifySignature(fromHex, message, await signer.sign(message)), true);
      }
    },
  });
}

Deno.test("signingKeyFromSeed() derives the RFC 8032 public keys", async () => {
  for (const [seed, pub] of RFC_SEEDS) {
    assert.equal((await signingKeyFromSeed(hex(seed))).publicKey.hex, pub);
  }
});

Deno.test("sign() output equals noble's deterministic signature byte for byte", async () => {
  const messages = [
    new Uint8Array(0),
    Uint8Array.of(0x72),
    new TextEncoder().encode("a".repeat(64)),
  ];
  const seeds = [
    ...RFC_SEEDS.map(([s]) => hex(s)),
    new Uint8Array(32),
    new Uint8Array(32).fill(255),
  ];
  for (const seed of seeds) {
    const key = await signingKeyFromSeed(seed);
    for (const message of messages) {
      assert.deepEqual(await key.sign(message), await noble.signAsync(message, seed));
    }
  }
});

Deno.test("sign() reproduces the RFC 8032 TEST 2 signature", async () => {
  const key = await signingKeyFromSeed(hex(RFC_SEEDS[1][0]));
  assert.equal(
    toHex(await key.sign(Uint8Array.of(0x72))),
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  );
});

Deno.test("a generated key signs a Spine message that verifies, and not a changed one", async () => {
  const key = await generateSigningKey();
  const message = new TextEncoder().encode("0123456789abcdef".repeat(4));
  const signature = await key.sign(message);
  assert.equal(signature.length, 64);
  assert.equal(await verifySignature(key.publicKey, message, signature), true);
  message[0] ^= 1;
  assert.equal(await verifySignature(key.publicKey, message, signature), false);
});

Deno.test("generateSigningKey() returns a different key each time", async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 16; i++) ids.add((await generateSigningKey()).keyId);
  assert.equal(ids.size, 16);
});

Deno.test("parseSigningKey() reads OpenSSL's PKCS#8 PEM and a hex seed in either case", async () => {
  const forms = [RFC1_SEED, RFC1_SEED.toUpperCase(), `\n  ${RFC1_SEED}\n`, RFC1_OPENSSL_PEM];
  for (const form of forms) {
    const key = await parseSigningKey(form);
    assert.equal(key.publicKey.hex, RFC1_PUB);
    assert.equal(exportSeedHex(key), RFC1_SEED);
  }
});

Deno.test("exportSigningKeyPem() writes the PEM OpenSSL writes, and it parses back", async () => {
  const key = await parseSigningKey(RFC1_SEED);
  assert.equal(exportSigningKeyPem(key), RFC1_OPENSSL_PEM);
  const fresh = await generateSigningKey();
  const again = await parseSigningKey(exportSigningKeyPem(fresh));
  assert.equal(again.keyId, fresh.keyId);
  assert.equal(exportSeedHex(again), exportSeedHex(fresh));
});

Deno.test("signingKeyFromSeed() copies the seed, so later changes to the caller's array do nothing", async () => {
  const seed = hex(RFC1_SEED);
  const key = await signingKeyFromSeed(seed);
  seed.fill(0);
  assert.equal(exportSeedHex(key), RFC1_SEED);
});

Deno.test("signingKeyFromSeed() refuses seeds that are not 32 bytes or not bytes", async () => {
  for (const length of [0, 31, 33, 64]) {
    await assert.rejects(() => signingKeyFromSeed(new Uint8Array(length)), RangeError);
  }
  await assert.rejects(() => signingKeyFromSeed(RFC1_SEED as unknown as Uint8Array), TypeError);
});

const pkcs8 = (prefix: string, seed = RFC1_SEED) => hex(prefix + seed);
const HOSTILE_SIGNING_KEYS: [string, string][] = [
  ["the empty string", ""],
  ["63 hex characters", RFC1_SEED.slice(1)],
  ["65 hex characters", RFC1_SEED + "0"],
  ["64 characters with a non-hex one", "z" + RFC1_SEED.slice(1)],
  ["a 128-hex expanded secret key", RFC1_SEED + RFC1_PUB],
  ["base64 of the seed", b64(hex(RFC1_SEED))],
  [
    "PEM of an X25519 key (wrong OID)",
    pem("PRIVATE KEY", pkcs8("302e020100300506032b656e04220420")),
  ],
  ["PEM with a PUBLIC KEY label", pem("PUBLIC KEY", pkcs8("302e020100300506032b657004220420"))],
  [
    "PEM labelled ENCRYPTED PRIVATE KEY",
    pem("ENCRYPTED PRIVATE KEY", pkcs8("302e020100300506032b657004220420")),
  ],
  [
    "PEM with a truncated seed",
    pem("PRIVATE KEY", pkcs8("302e020100300506032b657004220420", RFC1_SEED.slice(2))),
  ],
  [
    "PEM with a trailing byte",
    pem("PRIVATE KEY", pkcs8("302e020100300506032b657004220420", RFC1_SEED + "00")),
  ],
  [
    "PEM with version 1 and an attached public key",
    pem(
      "PRIVATE KEY",
      pkcs8("3051020101300506032b657004220420", RFC1_SEED + "8121" + "00" + RFC1_PUB),
    ),
  ],
  ["PEM with a broken base64 body", RFC1_OPENSSL_PEM.replace("MC4C", "MC$C")],
  ["PEM without its END line", RFC1_OPENSSL_PEM.split("-----END")[0]],
  ["a 10 MB string", "9".repeat(10_000_000)],
  ["__proto__", "__proto__"],
];

for (const [name, text] of HOSTILE_SIGNING_KEYS) {
  Deno.test(`parseSigningKey() refuses ${name} with a RangeError that does not quote the text`, async () => {
    await assert.rejects(() => parseSigningKey(text), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.ok(!e.message.includes(RFC1_SEED.slice(8, 24)), "no seed fragment in the message");
      assert.ok(!e.message.includes(RFC1_SEED.slice(8, 24).toUpperCase()));
      assert.ok(!e.message.includes("MC4CAQAw"), "no PEM body in the message");
      assert.ok(e.message.length < 200);
      return true;
    });
  });
}

Deno.test("parseSigningKey() refuses non-string input with a TypeError", async () => {
  for (const input of [undefined, null, 42, hex(RFC1_SEED)]) {
    await assert.rejects(() => parseSigningKey(input as unknown as string), TypeError);
  }
});

Deno.test("a SigningKey never shows its seed in strings, JSON, inspection or reflection", async () => {
  const key = await parseSigningKey(RFC1_SEED);
  const views = [
    String(key),
    `${key}`,
    JSON.stringify(key),
    JSON.stringify({ key }),
    Deno.inspect(key),
    Deno.inspect(key, { showHidden: true, depth: 10 }),
    Deno.inspect({ nested: [key] }),
    JSON.stringify(
      Object.getOwnPropertyNames(key).map((n) => (key as unknown as Record<string, unknown>)[n]),
    ),
    JSON.stringify(structuredClone({ ...key })),
  ];
  const seedB64 = b64(hex(RFC1_SEED));
  for (const view of views) {
    assert.ok(!view.toLowerCase().includes(RFC1_SEED.slice(0, 16)), view);
    assert.ok(!view.includes(seedB64.slice(0, 16)), view);
  }
  assert.equal(Deno.inspect(key), `SigningKey(${key.keyId})`);
  assert.deepEqual(JSON.parse(JSON.stringify(key)), { keyId: key.keyId, publicKey: RFC1_PUB });
});

Deno.test("SigningKey cannot be constructed except through the module's functions", () => {
  const pub = parsePublicKey(RFC1_PUB);
  assert.throws(() => new SigningKey(Symbol("forged"), new Uint8Array(32), pub), TypeError);
});

Deno.test("keyIdFor() is kid_ and 16 hex characters of SHA-256 over the prefixed public key", async () => {
  for (const [, pub] of RFC_SEEDS) {
    const input = new Uint8Array([...new TextEncoder().encode("spine-key-id-v1\0"), ...hex(pub)]);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
    assert.equal(keyIdFor(parsePublicKey(pub)), "kid_" + toHex(digest).slice(0, 16));
  }
  // Pinned, computed with `sha256sum`, so a change of formula is caught.
  assert.equal(keyIdFor(parsePublicKey(RFC1_PUB)), "kid_a742779f6e81a65d");
});

Deno.test("a SigningKey's keyId is keyIdFor() of its public key", async () => {
  const key = await generateSigningKey();
  assert.equal(key.keyId, keyIdFor(key.publicKey));
  assert.match(key.keyId, /^kid_[0-9a-f]{16}$/);
});

Deno.test("keyIdFor() and the export functions throw a TypeError for wrong argument types", () => {
  assert.throws(() => keyIdFor(RFC1_PUB as never), TypeError);
  assert.throws(() => keyIdFor({ hex: RFC1_PUB, bytes: hex(RFC1_PUB) } as never), TypeError);
  assert.throws(() => exportSigningKeyPem({} as never), TypeError);
  assert.throws(() => exportSeedHex(RFC1_SEED as never), TypeError);
});

Deno.test("signBatch() gives sign()'s bytes, inline for small batches and in the worker for large ones", async () => {
  const key = await generateSigningKey();
  try {
    for (const count of [1, 63, 64, 300]) {
      const messages = crypto.getRandomValues(new Uint8Array(count * 64));
      const signatures = await signBatch(key, messages, 64);
      assert.equal(signatures.length, count * 64);
      for (const i of [0, count - 1]) {
        assert.deepEqual(
          signatures.subarray(i * 64, i * 64 + 64),
          await key.sign(messages.subarray(i * 64, i * 64 + 64)),
          `count ${count}, message ${i}`,
        );
      }
    }
    // Two keys share the worker; each batch is signed with its own key.
    const other = await generateSigningKey();
    const messages = new Uint8Array(100 * 64).fill(0x61);
    const [a, b] = await Promise.all([
      signBatch(key, messages, 64),
      signBatch(other, messages, 64),
    ]);
    assert.deepEqual(a.subarray(0, 64), await key.sign(messages.subarray(0, 64)));
    assert.deepEqual(b.subarray(0, 64), await other.sign(messages.subarray(0, 64)));
    await assert.rejects(signBatch(key, new Uint8Array(65), 64), RangeError);
  } finally {
    stopBatchSigning();
  }
});
