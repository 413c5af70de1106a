/**
 * Writes `vectors/ed25519/strict.json`: Ed25519 verification cases with the verdict a strict
 * verifier (this project's `verifySignature`: `@noble/ed25519` `verify(..., { zip215: false })`
 * and the cofactorless equation must both accept) must give.
 *
 * Deterministic: fixed inputs, constructed cases derive every secret from SHA-256 of a label.
 * Each case states the verdict we intend; the script checks it against noble strict and WebCrypto
 * and stops if they differ, so the file never records a value that was not cross-checked.
 *
 * Run: deno run --allow-write=vectors/ed25519 vectors/ed25519/generate.ts
 *
 * @module
 */

import * as ed from "../../src/deps/noble_ed25519.ts";
import { sha256, sha512 } from "../../src/deps/noble_hashes_sha2.ts";

ed.hashes.sha512 = sha512;
const { Point } = ed;
const { bytesToHex: toHex, hexToBytes: fromHex, concatBytes } = ed.etc;
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const enc = new TextEncoder();

interface Case {
  id: string;
  source: string;
  description: string;
  message_hex: string;
  public_key_hex: string;
  signature_hex: string;
  valid: boolean;
}

const leToNum = (b: Uint8Array) => BigInt("0x" + (toHex(b.slice().reverse()) || "0"));
const numToLe32 = (n: bigint) => fromHex(n.toString(16).padStart(64, "0")).reverse();
const modL = (b: Uint8Array) => leToNum(b) % L;
const label = (s: string) => sha256(enc.encode("spine-ed25519-vectors-v1:" + s));

const cases: Case[] = [];
const checks: Promise<void>[] = [];

/** Cofactorless RFC 8032 verification by the runtime (Deno WebCrypto). */
async function cofactorless(c: Omit<Case, "valid">): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("raw", fromHex(c.public_key_hex), { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify("Ed25519", key, fromHex(c.signature_hex), fromHex(c.message_hex));
  } catch {
    return false;
  }
}

/**
 * Records a case with its intended verdict, after checking it: strict means noble's strict mode
 * (canonical A and R, small-order A refused, S < L, cofactored equation) AND the cofactorless
 * equation, so a signature passes only if every common strict verifier accepts it.
 */
function add(c: Omit<Case, "valid">, valid: boolean): void {
  let nobleStrict: boolean;
  try {
    nobleStrict = ed.verify(fromHex(c.signature_hex), fromHex(c.message_hex), fromHex(c.public_key_hex), {
      zip215: false,
    });
  } catch {
    nobleStrict = false;
  }
  const at = cases.push({ ...c, valid }) - 1;
  checks.push(cofactorless(c).then((plain) => {
    const strict = nobleStrict && plain;
    if (strict !== valid) {
      throw new Error(`${c.id}: intended ${valid}, strict (noble ${nobleStrict}, cofactorless ${plain}) says ${strict}`);
    }
    cases[at] = { ...c, valid };
  }));
}

// --- RFC 8032 section 7.1 (TEST 1, 2, 3, SHA(abc)): all valid.
const RFC = "RFC 8032 section 7.1";
const rfc = [
  [
    "TEST 1",
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  ],
  [
    "TEST 2",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  ],
  [
    "TEST 3",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    "af82",
    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  ],
  [
    "TEST SHA(abc)",
    "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  ],
] as const;
for (const [name, pub, msg, sig] of rfc) {
  const id = "rfc8032-" + name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-$/, "");
  add({ id, source: RFC, description: `${name}: valid signature`, message_hex: msg, public_key_hex: pub, signature_hex: sig }, true);
}

// --- "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, SSR 2020), the 12 cases of
// github.com/novifinancial/ed25519-speccheck cases.txt (commit 2297da78dbbf8b2ace6b807208d09a3460ac67b8).
const SPECCHECK = "Taming the many EdDSAs (Chalkias, Garillot, Nikolaenko 2020), ed25519-speccheck cases.txt";
const speccheck: [string, boolean, string, string, string][] = [
  ["S = 0, small-order A, small-order R", false, "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"],
  ["0 < S < L, small-order A, mixed-order R", false, "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"],
  ["0 < S < L, mixed-order A, small-order R", true, "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e"],
  ["0 < S < L, mixed-order A, mixed-order R, passes both equations", true, "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009"],
  ["0 < S < L, mixed-order A, mixed-order R, passes the cofactored equation only", false, "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09"],
  ["0 < S < L, mixed-order A, prime-order R, passes the cofactored equation only", false, "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405"],
  ["S > L (S + L of a valid S)", false, "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514"],
  ["S >> L (high bits set)", false, "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22"],
  ["non-canonical R (y >= p), challenge hashed over the reduced R", false, "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f"],
  ["non-canonical R (y >= p), challenge hashed over the non-canonical R", false, "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908"],
  ["non-canonical A (y >= p), challenge hashed over the reduced A", false, "e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"],
  ["non-canonical A (y >= p), challenge hashed over the non-canonical A", false, "39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"],
];
speccheck.forEach(([description, valid, msg, pub, sig], i) => {
  add({ id: `speccheck-${i}`, source: SPECCHECK, description, message_hex: msg, public_key_hex: pub, signature_hex: sig }, valid);
});

// --- Constructed here. The signer knows its secret scalar and builds signatures by hand.
const CONSTRUCTED = "constructed by vectors/ed25519/generate.ts";
const T8 = Point.fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"); // order 8
const signer = ed.utils.getExtendedPublicKey(label("signer"));
const a = signer.scalar;
const A = signer.pointBytes;
const msg = enc.encode("0".repeat(64)); // Spine signs the 64 ASCII hex characters of an entry hash
const challenge = (r: Uint8Array, pub: Uint8Array) => modL(sha512(concatBytes(r, pub, msg)));
const sig = (r: Uint8Array, s: bigint) => toHex(concatBytes(r, numToLe32(s)));
type Given = Pick<Case, "id" | "description" | "signature_hex"> & Partial<Pick<Case, "message_hex" | "public_key_hex">>;
const base = (c: Given) => ({
  source: CONSTRUCTED,
  message_hex: toHex(msg),
  public_key_hex: toHex(A),
  ...c,
});

{
  const honest = ed.sign(msg, label("signer"));
  add(base({ id: "signer-valid", description: "valid signature by the constructed signer", signature_hex: toHex(honest) }), true);
  const s = leToNum(honest.subarray(32));
  add(base({ id: "signer-s-plus-l", description: "malleated: S + L of a valid signature (S >= L)", signature_hex: sig(honest.subarray(0, 32), s + L) }), false);
  add(base({ id: "signer-s-equals-l", description: "S = L exactly", signature_hex: sig(honest.subarray(0, 32), L) }), false);
  add(base({ id: "signer-wrong-message", description: "valid signature checked against another message", message_hex: toHex(enc.encode("1".repeat(64))), signature_hex: toHex(honest) }), false);
  add(base({ id: "signer-truncated-signature", description: "signature of 63 bytes", signature_hex: toHex(honest.subarray(0, 63)) }), false);
  add(base({ id: "signer-extended-signature", description: "signature of 65 bytes", signature_hex: toHex(concatBytes(honest, Uint8Array.of(0))) }), false);
}
{
  // R' = rB + T8: honest key, R with a torsion part. Only the cofactored equation holds.
  const r = modL(sha512(label("nonce-mixed-r")));
  const R = Point.BASE.multiply(r).add(T8).toBytes();
  const s = (r + challenge(R, A) * a) % L;
  add(base({ id: "signer-mixed-order-r", description: "prime-order key, R = rB + T (T of order 8): passes the cofactored equation only", signature_hex: sig(R, s) }), false);
}
{
  // R = T8 (small order), S = k*a: R - (SB - kA) = T8. Only the cofactored equation holds.
  const R = T8.toBytes();
  add(base({ id: "signer-small-order-r", description: "prime-order key, R of order 8, S = k*a: passes the cofactored equation only", signature_hex: sig(R, (challenge(R, A) * a) % L) }), false);
}
{
  const R = Point.ZERO.toBytes(); // 01 00..00
  add(base({ id: "signer-identity-r", description: "prime-order key, R = identity (canonical), S = k*a: passes both equations", signature_hex: sig(R, (challenge(R, A) * a) % L) }), true);
  const negZero = R.slice();
  negZero[31] |= 0x80; // x = 0 with the sign bit set
  add(base({ id: "signer-identity-r-negative-zero", description: "R = identity encoded with x = 0 and the sign bit set (non-canonical), S = k*a", signature_hex: sig(negZero, (challenge(negZero, A) * a) % L) }), false);
  const yPlusP = numToLe32(P + 1n); // identity with y = p + 1
  add(base({ id: "signer-identity-r-y-ge-p", description: "R = identity encoded with y = p + 1 (non-canonical), S = k*a", signature_hex: sig(yPlusP, (challenge(yPlusP, A) * a) % L) }), false);
}
{
  // A' = aB + T8: a mixed-order key whose owner knows a. S = r + k*a; [8] clears k*T8.
  const Amixed = Point.fromBytes(A).add(T8).toBytes();
  let i = 0;
  let r: bigint, R: Uint8Array, k: bigint;
  do { // pick a nonce whose challenge is odd, so the cofactorless equation fails
    r = modL(sha512(label("nonce-mixed-a-" + i++)));
    R = Point.BASE.multiply(r).toBytes();
    k = challenge(R, Amixed);
  } while (k % 8n === 0n);
  add(base({ id: "signer-mixed-order-a", description: "mixed-order key A = aB + T (T of order 8), S = r + k*a: passes the cofactored equation only", public_key_hex: toHex(Amixed), signature_hex: sig(R, (r + k * a) % L) }), false);
}
{
  // A key with y in [p, 2^255) that decodes (mod p) to a point of large order.
  let y = 2n;
  for (;; y++) {
    try {
      const pt = Point.fromBytes(numToLe32(y));
      if (!pt.isSmallOrder()) break;
    } catch { /* not on the curve */ }
  }
  add(base({ id: "noncanonical-a-large-order", description: `public key y = p + ${y} (non-canonical) of a large-order point`, public_key_hex: toHex(numToLe32(P + y)), signature_hex: sig(T8.toBytes(), 0n) }), false);
  let z = 2n;
  for (;; z++) {
    try {
      Point.fromBytes(numToLe32(z));
    } catch {
      break;
    }
  }
  add(base({ id: "a-not-on-curve", description: `public key y = ${z}: no x satisfies the curve equation`, public_key_hex: toHex(numToLe32(z)), signature_hex: sig(T8.toBytes(), 0n) }), false);
}

await Promise.all(checks);
const out = {
  source:
    "RFC 8032 section 7.1 (TEST 1, 2, 3, SHA(abc)); the 12 cases of 'Taming the many EdDSAs' " +
    "(Chalkias, Garillot, Nikolaenko 2020, github.com/novifinancial/ed25519-speccheck cases.txt at " +
    "commit 2297da78dbbf8b2ace6b807208d09a3460ac67b8); further cases constructed by " +
    "vectors/ed25519/generate.ts from fixed labels.",
  verdict:
    "valid = the verdict of a strict verifier: both @noble/ed25519 3.2.0 verify(signature, message, " +
    "public_key, { zip215: false }) (canonical A and R, small-order A refused, S < L, cofactored " +
    "equation) and the cofactorless RFC 8032 equation (Deno WebCrypto) accept. A public key that " +
    "parsePublicKey refuses counts as valid = false.",
  generator: "deno run --allow-write=vectors/ed25519 vectors/ed25519/generate.ts",
  cases,
};
await Deno.writeTextFile(new URL("./strict.json", import.meta.url), JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${cases.length} cases`);
