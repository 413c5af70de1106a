import assert from "node:assert/strict";
import { signingKeyFromSeed } from "../crypto/keys.ts";
import { formatCheckpoint } from "./checkpoint.ts";
import { cosign } from "./cosignature.ts";
import {
  formatNote,
  formatVerifierKey,
  noteKeyId,
  type NoteSignature,
  parseNote,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  signNote,
  type VerifierKey,
} from "./note.ts";
import { countCosignatures, parseWitnessKey } from "./quorum.ts";

const ORIGIN = "example.com/quorum-test";
const logKey = await signingKeyFromSeed(new Uint8Array(32).fill(1));
const w1 = await signingKeyFromSeed(new Uint8Array(32).fill(2));
const w2 = await signingKeyFromSeed(new Uint8Array(32).fill(3));
const w3 = await signingKeyFromSeed(new Uint8Array(32).fill(4));
const body = formatCheckpoint({ origin: ORIGIN, size: 3, root: new Uint8Array(32).fill(5) });
const logSig = await signNote(body, ORIGIN, (m) => logKey.sign(m), logKey.publicKey.bytes);

async function cosig(key: typeof w1, name: string): Promise<NoteSignature> {
  return await cosign(body, name, 1700000000, (m) => key.sign(m), key.publicKey.bytes);
}

function vkey(key: typeof w1, name: string, type = SIG_TYPE_COSIGNATURE_V1): VerifierKey {
  const publicKey = key.publicKey.bytes;
  return { name, type, publicKey, keyId: noteKeyId(name, publicKey, type) };
}

Deno.test("countCosignatures() counts each witness with a valid cosignature", async () => {
  const note = parseNote(formatNote(body, [logSig, await cosig(w1, "w1"), await cosig(w2, "w2")]));
  const count = await countCosignatures(note, [vkey(w1, "w1"), vkey(w2, "w2"), vkey(w3, "w3")]);
  assert.deepEqual(count, { valid: 2, names: ["w1", "w2"] });
});

Deno.test("countCosignatures() counts a witness key listed twice only once", async () => {
  const note = parseNote(formatNote(body, [logSig, await cosig(w1, "w1")]));
  const count = await countCosignatures(note, [vkey(w1, "w1"), vkey(w1, "w1"), vkey(w1, "w1")]);
  assert.deepEqual(count, { valid: 1, names: ["w1"] });
});

Deno.test("countCosignatures() counts one key cosigning under two names only once", async () => {
  const note = parseNote(
    formatNote(body, [logSig, await cosig(w1, "w1"), await cosig(w1, "w1-alias")]),
  );
  const count = await countCosignatures(note, [vkey(w1, "w1"), vkey(w1, "w1-alias")]);
  assert.deepEqual(count, { valid: 1, names: ["w1"] });
});

Deno.test("countCosignatures() ignores keys of the wrong type, including the log's own signature", async () => {
  const note = parseNote(formatNote(body, [logSig, await cosig(w1, "w1")]));
  const count = await countCosignatures(note, [
    vkey(logKey, ORIGIN, SIG_TYPE_ED25519),
    vkey(w1, "w1", SIG_TYPE_ED25519),
    vkey(logKey, ORIGIN),
  ]);
  assert.deepEqual(count, { valid: 0, names: [] });
});

Deno.test("countCosignatures() does not count a tampered cosignature or one by another key", async () => {
  const bad = await cosig(w1, "w1");
  bad.signature[20] ^= 1;
  const note = parseNote(formatNote(body, [logSig, bad, await cosig(w3, "w2")]));
  const count = await countCosignatures(note, [vkey(w1, "w1"), vkey(w2, "w2")]);
  assert.deepEqual(count, { valid: 0, names: [] });
});

Deno.test("parseWitnessKey() reads a type 0x04 vkey and the NAME=HEX form to the same key", () => {
  const a = parseWitnessKey(formatVerifierKey("w1.example", w1.publicKey.bytes, 0x04));
  const b = parseWitnessKey(`w1.example=${w1.publicKey.hex}`);
  const c = parseWitnessKey(`w1.example=${w1.publicKey.hex.toUpperCase()}`);
  assert.deepEqual(a, vkey(w1, "w1.example"));
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  assert.deepEqual(parseWitnessKey(`a=b=${w1.publicKey.hex}`).name, "a=b");
});

const zeroKeyVkey = formatVerifierKey("w", new Uint8Array(32), 0x04);
const BAD_KEYS: [string, string, RegExp][] = [
  ["an empty string", "", /not usable/],
  ["a bare name", "w1.example", /fewer than three fields/],
  ["a bare hex key", w1.publicKey.hex, /fewer than three fields/],
  ["a log key vkey (type 0x01)", formatVerifierKey("log", w1.publicKey.bytes, 0x01), /0x01/],
  [
    "a wrong key ID",
    formatVerifierKey("w", w1.publicKey.bytes, 0x04).replace(/\+[0-9a-f]{8}\+/, "+00000000+"),
    /does not match/,
  ],
  ["a name with a space", `has space=${w1.publicKey.hex}`, /not usable/],
  ["an empty name", `=${w1.publicKey.hex}`, /not usable/],
  ["a short hex key", `w=${w1.publicKey.hex.slice(2)}`, /not usable/],
  ["the small-order identity key", `w=01${"00".repeat(31)}`, /small-order/],
  ["a vkey of the all-zero key", zeroKeyVkey, /not usable/],
  ["a 10 MB string", "x".repeat(10 * 1024 * 1024), /not usable/],
];

for (const [what, text, message] of BAD_KEYS) {
  Deno.test(`parseWitnessKey() rejects ${what} with a RangeError naming the input`, () => {
    assert.throws(
      () => parseWitnessKey(text),
      (e: unknown) => {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(e.message, message);
        assert.ok(e.message.startsWith('Witness key "'), e.message);
        assert.ok(e.message.includes(text.slice(0, 20)), e.message);
        assert.ok(e.message.length < 400, "the message stays short");
        return true;
      },
    );
  });
}

Deno.test("parseWitnessKey() rejects a value that is not a string with a TypeError", () => {
  assert.throws(() => parseWitnessKey(42 as unknown as string), TypeError);
});
