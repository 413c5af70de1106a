import assert from "node:assert/strict";
import { parsePublicKey } from "../crypto/ed25519.ts";
import { parseTrustFile, TrustFileError, TrustState } from "./trust.ts";

const A = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const B = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

Deno.test("parseTrustFile() reads our format and the corpus keys.json, skipping rotated-in keys", async () => {
  const ours = parseTrustFile(
    JSON.stringify({ spine_trust: 1, keys: [{ key_id: "a", public_key: A }] }),
    "t.json",
  );
  assert.deepEqual(ours.map((k) => [k.keyId, k.publicKey.hex]), [["a", A]]);
  const corpus = parseTrustFile(
    await Deno.readTextFile(
      new URL("../../tests/testdata/corpus/node-small/keys.json", import.meta.url),
    ),
    "keys.json",
  );
  assert.deepEqual(corpus.map((k) => k.keyId), ["node-key-A"]);
});

const BAD: [string, RegExp][] = [
  ["not json", /Cannot parse trust file t\.json/],
  ["[]", /has no "keys" array/],
  ['{"keys": [1]}', /keys\[0\] is not an object/],
  ['{"keys": [{"key_id": "x"}]}', /keys\[0\] has no public_key string/],
  ['{"keys": [{"public_key": "zz"}]}', /keys\[0\]: /],
  [`{"keys": [{"public_key": "01${"00".repeat(31)}"}]}`, /keys\[0\]: .*small/i],
  ['{"keys": []}', /pins no key/],
  [`{"keys": [{"public_key": "${A}"}], "keys": []}`, /Cannot parse trust file/],
];
for (const [text, message] of BAD) {
  Deno.test(`parseTrustFile() refuses ${text.slice(0, 40)} with a message naming the file`, () => {
    assert.throws(
      () => parseTrustFile(text, "t.json"),
      (e: Error) => e instanceof TrustFileError && message.test(e.message),
    );
  });
}

Deno.test("TrustState follows a rotation: the new key from effective_seq, the old one no longer", () => {
  const a = parsePublicKey(A);
  const b = parsePublicKey(B);
  const t = new TrustState([{ publicKey: a }]);
  assert.equal(t.signerFor(5n, A, undefined).ok, true);
  assert.equal(t.signerFor(5n, B, undefined).ok, false);
  t.rotate(a, b, "b", 10n);
  assert.equal(t.signerFor(9n, A, undefined).ok, true);
  assert.deepEqual(t.signerFor(10n, A, undefined), {
    ok: false,
    type: "untrusted_key",
    details: `key ${A.slice(0, 16)}… was rotated out at seq 10`,
  });
  assert.equal(t.signerFor(9n, B, undefined).ok, false);
  assert.equal(t.signerFor(10n, B, undefined).ok, true);
  assert.equal(t.signerFor(11n, undefined, "b").ok, true);
});

Deno.test("TrustState rejects records signed by a revoked key from the revocation on", () => {
  const a = parsePublicKey(A);
  const t = new TrustState([{ publicKey: a }]);
  t.revoke(a, 3n);
  assert.equal(t.signerFor(2n, A, undefined).ok, true);
  assert.equal((t.signerFor(3n, A, undefined) as { type: string }).type, "revoked_key");
});

Deno.test("TrustState without pinned keys trusts the first signer on first use only", () => {
  const t = new TrustState([]);
  assert.equal(t.pinned, false);
  assert.equal(t.signerFor(1n, A, undefined).ok, true);
  assert.equal((t.signerFor(2n, B, undefined) as { type: string }).type, "untrusted_key");
});

Deno.test("TrustState reports a record naming no key, and an unparseable record key", () => {
  const t = new TrustState([{ publicKey: parsePublicKey(A) }]);
  assert.equal(
    (t.signerFor(1n, undefined, undefined) as { type: string }).type,
    "invalid_signature",
  );
  assert.equal((t.signerFor(1n, "nothex", undefined) as { type: string }).type, "untrusted_key");
  assert.equal((t.signerFor(1n, undefined, "unknown") as { type: string }).type, "untrusted_key");
});
