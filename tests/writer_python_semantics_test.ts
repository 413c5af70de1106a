/**
 * Logs written by the library, checked by the independent Python-semantics checker.
 *
 * @module
 */

import assert from "node:assert/strict";
import { generateSigningKey } from "../src/crypto/keys.ts";
import { parseJsonText } from "../src/format/json_parse.ts";
import { openWal } from "../src/wal/writer.ts";
import { checkPythonSemantics, pyCanonical, pyTimestampNs } from "./_python_semantics.ts";

Deno.test("the independent checker's canonical JSON matches Python's json.dumps on tricky keys", () => {
  assert.equal(
    pyCanonical({ "\uff61": 1, "\u{1F600}": 2, b: "\u0000\u007f\u2028" }),
    '{"b":"\\u0000\u007f\u2028","｡":1,"😀":2}',
  );
  assert.equal(pyTimestampNs("1970-01-01T00:00:01.1234569+00:00"), 1_123_456_000n);
});

Deno.test("library-written logs with hostile-but-valid payloads verify under Python semantics across rotation", async () => {
  const dir = `${await Deno.makeTempDir()}/audit`;
  const root = await generateSigningKey();
  const wal = await openWal(dir, { signingKey: root, create: true, segmentMaxBytes: 4096 });
  const payloads = [
    { "\uff61": 1, "\u{1F600}": 2, "e\u0301": "cafe\u0301" },
    { ctl: '\u0000\u0001\b\f\n\r\t"\\\u007f\u2028\u2029', n: -9007199254740991, z: 0 },
    { __proto__: null, nested: [[[]], {}, { a: [null, true, false] }] },
    parseJsonText('{"__proto__": {"x": 1}, "big": 9007199254740991}'),
  ];
  for (let i = 0; i < 30; i++) await wal.append(payloads[i % payloads.length]);
  await wal.rotateKey(await generateSigningKey(), { reason: "scheduled" });
  await wal.appendMany(payloads);
  await wal.rotateKey(await generateSigningKey());
  await wal.append({ last: true });
  await wal.close();
  const result = await checkPythonSemantics(dir, [root.publicKey.hex]);
  assert.deepEqual(result.errors, []);
  assert.equal(result.records, 37);
  assert.equal(result.head, wal.head?.entryHash);
});
