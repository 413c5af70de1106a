import assert from "node:assert/strict";
import { hasLoneSurrogate, JsonSyntaxError, parseJson, parseJsonText } from "./json_parse.ts";
import { JsonNumber, type JsonValue } from "./json_value.ts";

const encoder = new TextEncoder();
const CORPUS = new URL("../../tests/testdata/corpus/", import.meta.url);

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) => typeof p === "string" ? encoder.encode(p) : new Uint8Array(p));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The model as plain JavaScript, the way JSON.parse would build it. */
function toPlain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) Object.defineProperty(o, k, { value: toPlain(x), enumerable: true });
    return o;
  }
  return v;
}

function assertSyntaxError(input: Uint8Array, message: string | RegExp, offset?: number): void {
  assert.throws(() => parseJson(input), (e: unknown) => {
    assert.ok(e instanceof JsonSyntaxError, `expected JsonSyntaxError, got ${e}`);
    assert.ok(e instanceof SyntaxError);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    if (offset !== undefined) assert.equal(e.offset, offset);
    assert.ok(!e.message.endsWith("."));
    return true;
  });
}

Deno.test("parseJson() reads every JSON type into the document model", () => {
  const value = parseJsonText(
    ' {"s": "a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9", "n": [0, -0, 12, -3.5e+2, 1E-7], ' +
      '"t": true, "f": false, "z": null, "o": {}, "a": [[]]}\r\n\t',
  );
  assert.deepEqual(
    value,
    new Map<string, JsonValue>([
      ["s", 'a"b\\c/\b\f\n\r\té'],
      ["n", ["0", "-0", "12", "-3.5e+2", "1E-7"].map((t) => new JsonNumber(t))],
      ["t", true],
      ["f", false],
      ["z", null],
      ["o", new Map()],
      ["a", [[]]],
    ]),
  );
});

Deno.test("parseJson() keeps each number's exact source text", () => {
  const big = "18446744073709551616";
  const huge = "9".repeat(5000);
  assert.deepEqual(parseJsonText(`[${big}, -${huge}, 1e400, 1.10]`), [
    new JsonNumber(big),
    new JsonNumber(`-${huge}`),
    new JsonNumber("1e400"),
    new JsonNumber("1.10"),
  ]);
});

Deno.test("parseJson() decodes raw UTF-8 and escapes to the same strings as JSON.parse", () => {
  const text = '["café ｡ 😀 日本", "caf\\u00e9 \\uff61 \\ud83d\\ude00", "\\u0000\\u001f\u007f", ' +
    '"a\u2028b", "x😀\\ny", "' + "é\\n".repeat(300) + '"]';
  assert.deepEqual(parseJsonText(text), JSON.parse(text));
});

Deno.test("parseJson() keeps a lone surrogate produced by an escape and hasLoneSurrogate() finds it", () => {
  const value = parseJsonText('{"s": "x\\ud800y", "t": "\\udc00", "ok": "\\ud83d\\ude00"}') as Map<
    string,
    string
  >;
  assert.equal(value.get("s"), "x\ud800y");
  assert.equal(value.get("t"), "\udc00");
  assert.ok(hasLoneSurrogate(value.get("s")!));
  assert.ok(hasLoneSurrogate(value.get("t")!));
  assert.ok(!hasLoneSurrogate(value.get("ok")!));
  assert.ok(!hasLoneSurrogate("plain"));
});

Deno.test("parseJson() treats __proto__ as an ordinary key", () => {
  const value = parseJsonText('{"__proto__": {"x": 1}, "a": 1}') as Map<string, JsonValue>;
  assert.deepEqual([...value.keys()], ["__proto__", "a"]);
  assert.deepEqual(value.get("__proto__"), new Map([["x", new JsonNumber("1")]]));
  assert.equal(Object.getPrototypeOf(value), Map.prototype);
});

Deno.test("parseJson() reads every line of the upstream corpus as JSON.parse does", () => {
  let count = 0;
  for (const dir of ["python-small", "node-small", "python-edge", "node-edge"]) {
    for (const entry of Deno.readDirSync(new URL(dir, CORPUS))) {
      if (!entry.name.endsWith(".jsonl")) continue;
      const text = Deno.readTextFileSync(new URL(`${dir}/${entry.name}`, CORPUS));
      for (const line of text.split("\n")) {
        if (line === "") continue;
        assert.deepEqual(toPlain(parseJson(encoder.encode(line))), JSON.parse(line), line);
        count++;
      }
    }
  }
  assert.ok(count >= 2018, `only ${count} lines read`);
});

Deno.test("parseJson() accepts nesting up to maxDepth and rejects one level more", () => {
  const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
  assert.ok(Array.isArray(parseJsonText(nest(64))));
  assertSyntaxError(encoder.encode(nest(65)), "Nesting deeper than 64 levels at byte 64", 64);
  assert.ok(Array.isArray(parseJsonText(nest(3), { maxDepth: 3 })));
  assert.throws(() => parseJson(encoder.encode('{"a":{"b":{}}}'), { maxDepth: 2 }), {
    message: "Nesting deeper than 2 levels at byte 10",
  });
  assert.equal(parseJsonText("1", { maxDepth: 0 }) instanceof JsonNumber, true);
});

Deno.test("parseJson() refuses a maxDepth it cannot honour without deep recursion", () => {
  for (const maxDepth of [-1, 1.5, 1001, Infinity, NaN]) {
    assert.throws(() => parseJsonText("[]", { maxDepth }), RangeError);
  }
  assert.throws(() => parseJson("[]" as unknown as Uint8Array), TypeError);
});

Deno.test("parseJson() reports errors with byte offsets in sentence case", () => {
  assertSyntaxError(encoder.encode('{"a": 1, "a": 2}'), 'Duplicate key "a" at byte 9', 9);
  assertSyntaxError(encoder.encode('{"é": 1, "\\u00e9": 2}'), 'Duplicate key "é" at byte 10', 10);
  assertSyntaxError(
    encoder.encode('{"a": "xé'),
    "Unexpected end of input in string at byte 10",
    10,
  );
  assertSyntaxError(encoder.encode('{"a": '), "Unexpected end of input at byte 6", 6);
  assertSyntaxError(encoder.encode(""), "Unexpected end of input at byte 0", 0);
  assertSyntaxError(
    bytesOf('{"é": 1 é}'),
    "Expected ',' or '}' after object member, found character U+00E9 at byte 9",
    9,
  );
  assertSyntaxError(bytesOf('"ab', [0xc3, 0x28], '"'), "Invalid UTF-8 at byte 3", 3);
});

Deno.test("parseJson() rejects hostile and non-standard input", () => {
  const deep = 10_000;
  const table: [string, Uint8Array, RegExp, number?][] = [
    ["NaN token", bytesOf("NaN"), /^Unexpected character 'N' at byte 0$/, 0],
    ["Infinity token", bytesOf("[Infinity]"), /^Unexpected character 'I' at byte 1$/, 1],
    ["-Infinity token", bytesOf("-Infinity"), /^Invalid number/, 0],
    ["deep arrays", bytesOf("[".repeat(deep) + "]".repeat(deep)), /^Nesting deeper than 64/, 64],
    ["deep objects", bytesOf('{"a":'.repeat(deep) + "1" + "}".repeat(deep)), /^Nesting deeper/],
    ["unclosed deep arrays", bytesOf("[".repeat(deep)), /^Nesting deeper than 64/, 64],
    ["BOM", bytesOf([0xef, 0xbb, 0xbf], "{}"), /^Unexpected byte order mark at byte 0$/, 0],
    ["trailing comma in object", bytesOf('{"a":1,}'), /^Trailing comma in object at byte 7$/, 7],
    ["trailing comma in array", bytesOf("[1,]"), /^Trailing comma in array at byte 3$/, 3],
    ["empty array element", bytesOf("[,1]"), /^Unexpected character ','/, 1],
    ["leading zero", bytesOf("01"), /^Leading zero in number at byte 0$/, 0],
    ["negative leading zero", bytesOf("[-012]"), /^Leading zero in number at byte 1$/, 1],
    ["plus sign", bytesOf("+1"), /^Unexpected character '\+'/, 0],
    ["bare fraction", bytesOf(".5"), /^Unexpected character '\.'/, 0],
    ["missing fraction digits", bytesOf("1."), /^Invalid number \(no digit after '\.'\)/, 0],
    ["missing exponent digits", bytesOf("1e+"), /^Invalid number \(no digit in exponent\)/, 0],
    ["hex number", bytesOf("0x10"), /^Unexpected character 'x' after the JSON value at byte 1$/, 1],
    ["lone minus", bytesOf("-"), /^Unexpected end of input at byte 1$/, 1],
    [
      "raw NUL in string",
      bytesOf('"a', [0], '"'),
      /^Unescaped control character U\+0000 in string at byte 2$/,
      2,
    ],
    ["raw LF in string", bytesOf('"a\nb"'), /^Unescaped control character U\+000A/, 2],
    ["raw TAB in string", bytesOf('"a\tb"'), /^Unescaped control character U\+0009/, 2],
    ["raw U+001F in string", bytesOf('"', [0x1f], '"'), /^Unescaped control character U\+001F/, 1],
    ["invalid escape", bytesOf('"\\x"'), /^Invalid escape sequence in string at byte 1$/, 1],
    ["uppercase U escape", bytesOf('"\\U0041"'), /^Invalid escape sequence/, 1],
    ["short u escape", bytesOf('"\\u12G4"'), /^Invalid \\u escape in string at byte 1$/, 1],
    ["truncated u escape", bytesOf('"\\u12'), /^Unexpected end of input in string/],
    ["single quotes", bytesOf("{'a':1}"), /^Expected a string key at byte 1$/, 1],
    ["unquoted key", bytesOf("{a:1}"), /^Expected a string key/, 1],
    ["missing colon", bytesOf('{"a" 1}'), /^Expected ':' after object key, found character '1'/, 5],
    ["comment", bytesOf("[1 /* x */]"), /^Expected ',' or '\]' after array element/, 3],
    [
      "trailing garbage",
      bytesOf('{"a":1} x'),
      /^Unexpected character 'x' after the JSON value at byte 8$/,
      8,
    ],
    ["two values", bytesOf("1 2"), /^Unexpected character '2' after the JSON value/, 2],
    [
      "NUL after value",
      bytesOf("{}", [0]),
      /^Unexpected character U\+0000 after the JSON value/,
      2,
    ],
    ["form feed as whitespace", bytesOf("[1,\f2]"), /^Unexpected character U\+000C/, 3],
    ["vertical tab as whitespace", bytesOf("\v[]"), /^Unexpected character U\+000B/, 0],
    ["NBSP as whitespace", bytesOf("[\u00a01]"), /^Unexpected character U\+00A0 at byte 1$/, 1],
    ["truncated literal", bytesOf("tru"), /^Unexpected end of input at byte 3$/, 3],
    ["misspelled literal", bytesOf("nul1"), /^Invalid literal \(expected 'null'\)/, 0],
    ["capitalized literal", bytesOf("True"), /^Unexpected character 'T'/, 0],
    ["whitespace only", bytesOf(" \t\r\n"), /^Unexpected end of input at byte 4$/, 4],
    [
      "duplicate __proto__",
      bytesOf('{"__proto__":1,"__proto__":2}'),
      /^Duplicate key "__proto__"/,
      15,
    ],
    [
      "duplicate key spelled by escape",
      bytesOf('{"a":1,"\\u0061":2}'),
      /^Duplicate key "a" at byte 7$/,
      7,
    ],
    ["overlong 2-byte", bytesOf('"', [0xc0, 0x80], '"'), /^Invalid UTF-8 at byte 1$/, 1],
    ["overlong 2-byte C1", bytesOf('"', [0xc1, 0xbf], '"'), /^Invalid UTF-8 at byte 1$/, 1],
    ["overlong 3-byte", bytesOf('"', [0xe0, 0x80, 0xaf], '"'), /^Invalid UTF-8 at byte 1$/, 1],
    [
      "overlong 4-byte",
      bytesOf('"', [0xf0, 0x80, 0x80, 0xaf], '"'),
      /^Invalid UTF-8 at byte 1$/,
      1,
    ],
    [
      "UTF-8 encoded high surrogate",
      bytesOf('"', [0xed, 0xa0, 0x80], '"'),
      /^Invalid UTF-8 at byte 1$/,
      1,
    ],
    [
      "UTF-8 encoded low surrogate",
      bytesOf('"x', [0xed, 0xbf, 0xbf], '"'),
      /^Invalid UTF-8 at byte 2$/,
      2,
    ],
    ["above U+10FFFF", bytesOf('"', [0xf4, 0x90, 0x80, 0x80], '"'), /^Invalid UTF-8 at byte 1$/, 1],
    ["F5 lead byte", bytesOf('"', [0xf5, 0x80, 0x80, 0x80], '"'), /^Invalid UTF-8 at byte 1$/, 1],
    ["FF byte", bytesOf('"', [0xff], '"'), /^Invalid UTF-8 at byte 1$/, 1],
    ["stray continuation byte", bytesOf('"ab', [0x80], '"'), /^Invalid UTF-8 at byte 3$/, 3],
    ["truncated 2-byte at end", bytesOf('"', [0xc3]), /^Invalid UTF-8 at byte 1$/, 1],
    [
      "truncated 3-byte before quote",
      bytesOf('"', [0xe2, 0x82], '"'),
      /^Invalid UTF-8 at byte 1$/,
      1,
    ],
    ["truncated 4-byte at end", bytesOf('"', [0xf0, 0x9f, 0x98]), /^Invalid UTF-8 at byte 1$/, 1],
    ["invalid UTF-8 outside strings", bytesOf("[1,", [0xc3], "]"), /^Invalid UTF-8 at byte 3$/, 3],
  ];
  for (const [name, input, message, offset] of table) {
    try {
      assertSyntaxError(input, message, offset);
    } catch (e) {
      throw new Error(`case ${name}: ${(e as Error).message}`);
    }
  }
});

Deno.test("parseJson() accepts large but valid input in linear time", () => {
  const ten = 10 * 1024 * 1024;
  const started = performance.now();
  assert.equal((parseJsonText(`"${"x".repeat(ten)}"`) as string).length, ten);
  assert.equal((parseJsonText(`"${"é\\n".repeat(ten / 4)}"`) as string).length, ten / 2);
  assert.equal(
    (parseJsonText(`"${"\\u0041".repeat(ten / 6)}"`) as string).length,
    Math.floor(ten / 6),
  );
  const many = "[" + Array.from({ length: 200_000 }, (_, i) => `{"k${i}":${i}}`).join(",") + "]";
  assert.equal((parseJsonText(many) as JsonValue[]).length, 200_000);
  const wide = "{" + Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(",") + "}";
  assert.equal((parseJsonText(wide) as Map<string, JsonValue>).size, 100_000);
  assert.ok(performance.now() - started < 20_000);
});

Deno.test("parseJson() flags invalid UTF-8 exactly where the WHATWG decoder fails", () => {
  const fatal = new TextDecoder("utf-8", { fatal: true });
  const interesting = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf];
  interesting.push(0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  for (let round = 0; round < 20_000; round++) {
    const body = Array.from(
      { length: 1 + Math.floor(random() * 6) },
      () => interesting[Math.floor(random() * interesting.length)],
    );
    const input = bytesOf('"', body, '"');
    let valid = true;
    try {
      fatal.decode(input);
    } catch {
      valid = false;
    }
    if (valid) {
      assert.equal(parseJson(input), fatal.decode(input.subarray(1, -1)), `bytes ${body}`);
    } else {
      assert.throws(
        () => parseJson(input),
        /^JsonSyntaxError: Invalid UTF-8 at byte \d+$/,
        `bytes ${body}`,
      );
    }
  }
});

Deno.test("parseJsonText() refuses a lone surrogate in the text itself", () => {
  assert.throws(() => parseJsonText('["é\ud800"]'), {
    name: "JsonSyntaxError",
    message: "Lone surrogate in the text cannot be encoded as UTF-8 at byte 4",
  });
  assert.throws(() => parseJsonText(42 as unknown as string), TypeError);
});

Deno.test("JsonSyntaxError carries the reason without the offset", () => {
  try {
    parseJsonText("[1,]");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof JsonSyntaxError);
    assert.equal(e.name, "JsonSyntaxError");
    assert.equal(e.reason, "Trailing comma in array");
    assert.equal(e.offset, 3);
  }
});
