import assert from "node:assert/strict";
import { testKey } from "./_test_keys.ts";
import { formatCheckpoint } from "./checkpoint.ts";
import { cosign, cosignatureMessage, verifyCosignature } from "./cosignature.ts";
import { CheckpointSyntaxError } from "./errors.ts";
import { formatNote, noteKeyId, parseNote, signNote, verifyNoteSignature } from "./note.ts";

const witness = await testKey("cosignature_test: witness");
const log = await testKey("cosignature_test: log");
const BODY = formatCheckpoint({
  origin: "example.com/log",
  size: 7,
  root: new Uint8Array(32).fill(3),
});
const W = "witness.example/w1";

Deno.test("cosignatureMessage prefixes the body with the header and time lines", () => {
  const text = new TextDecoder().decode(cosignatureMessage(BODY, 1679315147));
  assert.equal(text, "cosignature/v1\ntime 1679315147\n" + BODY);
  assert.throws(() => cosignatureMessage(BODY, -1), RangeError);
  assert.throws(() => cosignatureMessage(BODY, 1.5), RangeError);
  assert.throws(() => cosignatureMessage("not a checkpoint\n", 1), CheckpointSyntaxError);
});

Deno.test("cosign produces key ID type 0x04, a big-endian timestamp and a verifiable signature", async () => {
  const sig = await cosign(BODY, W, 1700000000, witness.sign, witness.publicKey);
  assert.equal(sig.keyId, noteKeyId(W, witness.publicKey, 0x04));
  assert.equal(sig.signature.length, 72);
  assert.equal(new DataView(sig.signature.buffer).getBigUint64(0), 1700000000n);
  const logSig = await signNote(BODY, "example.com/log", log.sign, log.publicKey);
  const note = parseNote(formatNote(BODY, [logSig, sig]));
  assert.deepEqual(await verifyCosignature(note, W, witness.publicKey), {
    valid: true,
    timestamp: 1700000000,
  });
  // The cosignature is not a plain note signature, and the log signature is not a cosignature.
  assert.equal(await verifyNoteSignature(note, W, witness.publicKey), false);
  assert.deepEqual(await verifyCosignature(note, "example.com/log", log.publicKey), {
    valid: false,
    reason: "no_signature",
  });
});

Deno.test("verifyCosignature reports bad, malformed and misplaced cosignatures", async () => {
  const sig = await cosign(BODY, W, 5, witness.sign, witness.publicKey);
  const tampered = parseNote(formatNote(BODY.replace("\n7\n", "\n8\n"), [sig]));
  assert.deepEqual(await verifyCosignature(tampered, W, witness.publicKey), {
    valid: false,
    reason: "bad_signature",
  });
  const short = parseNote(formatNote(BODY, [{ ...sig, signature: sig.signature.subarray(0, 71) }]));
  assert.deepEqual(await verifyCosignature(short, W, witness.publicKey), {
    valid: false,
    reason: "malformed_signature",
  });
  const huge = sig.signature.slice();
  huge.fill(0xff, 0, 8);
  assert.deepEqual(
    await verifyCosignature(
      parseNote(formatNote(BODY, [{ ...sig, signature: huge }])),
      W,
      witness.publicKey,
    ),
    { valid: false, reason: "malformed_signature" },
  );
  const notCheckpoint = parseNote(formatNote("hello\n", [sig]));
  assert.deepEqual(await verifyCosignature(notCheckpoint, W, witness.publicKey), {
    valid: false,
    reason: "not_a_checkpoint",
  });
  await assert.rejects(() => cosign(BODY, W, 5, log.sign, witness.publicKey), /does not verify/);
  await assert.rejects(() => verifyCosignature(tampered, W, new Uint8Array(3)), TypeError);
});
