import assert from "node:assert/strict";
import { JsonSyntaxError } from "../format/json_parse.ts";
import { parsePayload, PayloadError, preparePayload } from "./payload.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("preparePayload() canonicalizes plain objects: sorted keys, NFC, no whitespace", () => {
  const p = preparePayload({
    z: 1,
    "e\u0301": "caf\u0065\u0301",
    a: [true, null, -0],
    big: 2n ** 53n - 1n,
  });
  assert.equal(text(p.canonical), '{"a":[true,null,0],"big":9007199254740991,"z":1,"é":"café"}');
  assert.equal(p.hash.length, 64);
});

Deno.test("parsePayload() keeps the source text of integers and refuses hostile inputs with the field path", () => {
  const table: [string | Uint8Array, RegExp, string][] = [
    ['{"a":NaN}', /./, "syntax"],
    ['{"a":1e3}', /float values are not allowed at \$\.a: 1e3/, "$.a"],
    ['{"a":{"b":[0,-1.0]}}', /float values are not allowed at \$\.a\.b\[1\]/, "$.a.b[1]"],
    ['{"n":-9007199254740992}', /outside ±\(2\^53−1\)/, "$.n"],
    ['{"n":123456789012345678901234567890}', /outside ±\(2\^53−1\)/, "$.n"],
    ['{"\\udc00":1}', /lone surrogate in key/, '$["\\udc00"]'],
    ['{"s":["\\ud83d"]}', /lone surrogate in string at \$\.s\[0\]/, "$.s[0]"],
    ['{"\u00c5":1,"A\u030a":2}', /after NFC/, "$"],
    ['"just a string"', /must be a JSON object, got string/, "$"],
    ["null", /must be a JSON object, got null/, "$"],
    ['{"__proto__":1}', /^$/, "ok"],
    ['{"a":1,"a":2}', /./, "syntax"],
    [new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /./, "syntax"],
    ["[".repeat(100) + "]".repeat(100), /./, "syntax"],
  ];
  for (const [input, message, path] of table) {
    if (path === "ok") {
      assert.equal(text(parsePayload(input).canonical), '{"__proto__":1}');
    } else if (path === "syntax") {
      assert.throws(() => parsePayload(input), JsonSyntaxError, String(input));
    } else {
      assert.throws(
        () => parsePayload(input),
        (e) => e instanceof PayloadError && message.test(e.message) && e.path === path,
        String(input),
      );
    }
  }
});

Deno.test("preparePayload() refuses floats, unsafe integers, non-objects and oversized payloads from JavaScript values", () => {
  assert.throws(
    () => preparePayload({ a: { b: 0.1 } }),
    (e) => e instanceof PayloadError && e.path === "$.a.b",
  );
  assert.throws(
    () => preparePayload({ n: 2 ** 53 }),
    (e) => e instanceof PayloadError && e.path === "$.n",
  );
  assert.throws(() => preparePayload({ d: new Date(0) }), PayloadError);
  assert.throws(() => preparePayload([1]), /got an array/);
  assert.throws(() => preparePayload("x"), /got string/);
  assert.throws(() => preparePayload({ s: "x".repeat(100) }, 50), /over the 50-byte limit/);
  assert.throws(
    () => preparePayload({ s: "\ud800" }),
    (e) => e instanceof PayloadError && e.path === "$.s",
  );
});
