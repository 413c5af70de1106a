import assert from "node:assert/strict";
import { blake3 } from "../deps/noble_hashes_blake3.ts";
import { bytesToHex } from "../deps/noble_hashes_utils.ts";
import {
  canonicalJson,
  CanonicalJsonError,
  canonicalJsonNode,
  compareCodePoints,
  JsonValueRangeError,
  JsonValueTypeError,
  toJsonValue,
} from "./canonical_json.ts";
import { parseJson, parseJsonText } from "./json_parse.ts";
import { JsonNumber, type JsonObject, type JsonValue } from "./json_value.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const VECTORS = new URL("../../vectors/upstream/vectors.json", import.meta.url);
const CORPUS = new URL("../../tests/testdata/corpus/", import.meta.url);
const EDGE_CASES = new URL("../../tests/testdata/corpus/edge-cases.json", import.meta.url);

const text = (v: JsonValue) => decoder.decode(canonicalJson(v));
const nodeText = (v: JsonValue) => decoder.decode(canonicalJsonNode(v).bytes);
const obj = (v: JsonValue) => v as JsonObject;

/** Records (as the model) of every `*.jsonl` file of a corpus directory, in file order. */
function corpusRecords(dir: string): JsonObject[] {
  const records: JsonObject[] = [];
  const names = [...Deno.readDirSync(new URL(dir, CORPUS))].map((e) => e.name).sort();
  for (const name of names.filter((n) => n.endsWith(".jsonl"))) {
    const lines = Deno.readTextFileSync(new URL(`${dir}/${name}`, CORPUS)).split("\n");
    for (const line of lines.filter((l) => l !== "")) {
      records.push(obj(parseJson(encoder.encode(line))));
    }
  }
  return records;
}

function canonicalError(fn: () => unknown, message: string, path: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CanonicalJsonError, `expected CanonicalJsonError, got ${e}`);
    assert.ok(e instanceof TypeError);
    assert.equal(e.message, message);
    assert.equal(e.path, path);
    return true;
  });
}

Deno.test("canonicalJson() reproduces every canonical_json case of the upstream vectors", () => {
  const vectors = obj(parseJson(Deno.readFileSync(VECTORS)));
  const cases = obj(vectors.get("canonical_json")!).get("cases") as JsonObject[];
  let checked = 0;
  for (const c of cases) {
    if (!c.has("input")) continue; // documentation-only cases
    assert.equal(text(c.get("input")!), c.get("expected_utf8"), String(c.get("name")));
    checked++;
  }
  assert.ok(checked >= 17);
});

Deno.test("canonicalJson() reproduces every hash_payload case of the upstream vectors", () => {
  const vectors = obj(parseJson(Deno.readFileSync(VECTORS)));
  const cases = obj(vectors.get("hash_payload")!).get("cases") as JsonObject[];
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    const bytes = canonicalJson(c.get("payload")!);
    assert.equal(decoder.decode(bytes), c.get("expected_canonical"), String(c.get("name")));
    assert.equal(bytesToHex(blake3(bytes)), c.get("expected_hash_blake3"));
  }
});

Deno.test("canonicalJson() and canonicalJsonNode() match each SDK on the edge-case corpus", () => {
  const edge = JSON.parse(Deno.readTextFileSync(EDGE_CASES));
  const records = {
    "node-edge": corpusRecords("node-edge"),
    "python-edge": corpusRecords("python-edge"),
  };
  assert.equal(edge.records.length, 18);
  for (const r of edge.records) {
    const record = records[r.dir as keyof typeof records].find((x) =>
      (x.get("seq") as JsonNumber).text === String(r.seq)
    )!;
    const payload = record.get("payload")!;
    const where = `${r.dir} seq ${r.seq} (${r.case})`;
    if (r.python_sdk.canonical !== undefined) {
      assert.equal(text(payload), r.python_sdk.canonical, where);
      assert.equal(bytesToHex(blake3(canonicalJson(payload))), r.python_sdk.payload_hash, where);
    } else {
      assert.throws(() => canonicalJson(payload), CanonicalJsonError, where);
    }
    const node = canonicalJsonNode(payload);
    assert.equal(decoder.decode(node.bytes), r.node_sdk.canonical, where);
    assert.equal(bytesToHex(blake3(node.bytes)), r.node_sdk.payload_hash, where);
    const agrees = r.python_sdk.canonical === r.node_sdk.canonical;
    assert.equal(node.divergences.length === 0, agrees, `${where}: ${node.divergences}`);
  }
});

Deno.test("canonicalJsonNode() names each divergence of the Node SDK precisely", () => {
  const payloadOf = (dir: string, seq: number) =>
    corpusRecords(dir).find((x) => (x.get("seq") as JsonNumber).text === String(seq))!.get(
      "payload",
    )!;
  const divergences = (dir: string, seq: number) =>
    canonicalJsonNode(payloadOf(dir, seq)).divergences;
  assert.deepEqual(divergences("node-edge", 2), ["keys at $.k sorted by UTF-16 code units"]);
  assert.deepEqual(divergences("node-edge", 3), ["number 1e+21 at $.n is not a plain integer"]);
  assert.deepEqual(divergences("node-edge", 6), ["lone surrogate at $.s"]);
  assert.deepEqual(divergences("node-edge", 8), ['key "__proto__" at $.obj dropped']);
  assert.deepEqual(divergences("python-edge", 3), [
    "number 18446744073709551616 at $.n read by Node as 18446744073709552000",
  ]);
});

Deno.test("canonicalJson() hashes every Python-written corpus record to its payload_hash", () => {
  const records = corpusRecords("python-small");
  assert.equal(records.length, 1000);
  for (const record of records) {
    const hash = bytesToHex(blake3(canonicalJson(record.get("payload")!)));
    assert.equal(hash, record.get("payload_hash"), `seq ${(record.get("seq") as JsonNumber).text}`);
  }
});

Deno.test("canonicalJsonNode() hashes every Node-written corpus record to its payload_hash", () => {
  const records = corpusRecords("node-small");
  assert.equal(records.length, 1000);
  for (const record of records) {
    const { bytes, divergences } = canonicalJsonNode(record.get("payload")!);
    assert.equal(bytesToHex(blake3(bytes)), record.get("payload_hash"));
    if (divergences.length === 0) assert.deepEqual(canonicalJson(record.get("payload")!), bytes);
  }
});

Deno.test("canonicalJson() escapes every ASCII character as Python json.dumps does", () => {
  const named: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
  for (let c = 0; c < 0x80; c++) {
    const ch = String.fromCharCode(c);
    const expected = c === 0x22
      ? '\\"'
      : c === 0x5c
      ? "\\\\"
      : named[c] ?? (c < 0x20 ? `\\u00${c.toString(16).padStart(2, "0")}` : ch);
    assert.equal(text(`a${ch}b`), `"a${expected}b"`, `U+${c.toString(16)}`);
  }
  assert.equal(
    text("\u0080\u009f\u00a0\u2028\u2029\ufeff\uffff😀"),
    '"\u0080\u009f\u00a0\u2028\u2029\ufeff\uffff😀"',
  );
  assert.equal(text("/"), '"/"');
});

Deno.test("canonicalJson() NFC-normalizes strings and keys", () => {
  assert.equal(text(new Map([["cafe\u0301", "e\u0301\u212b"]])), '{"café":"éÅ"}');
  assert.equal(
    text(["\u1e0a\u0323", "q\u0307\u0323", "\ufb01"]),
    '["\u1e0c\u0307","q\u0323\u0307","\ufb01"]',
  );
});

Deno.test("canonicalJson() sorts keys by code point, not by UTF-16 code unit", () => {
  const value = new Map<string, JsonValue>([
    ["😀", null],
    ["\uff61", null],
    ["a", null],
    ["", null],
    ["\u00e9", null],
  ]);
  assert.equal(text(value), '{"":null,"a":null,"é":null,"｡":null,"😀":null}');
  assert.equal(nodeText(value), '{"":null,"a":null,"é":null,"😀":null,"｡":null}');
});

Deno.test("compareCodePoints() agrees with UTF-8 byte order for random ASCII, BMP and astral keys", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const pools = [[0x20, 0x7f], [0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xffff], [
    0x10000,
    0x10ffff,
  ]];
  const randomKey = () => {
    let s = "";
    const n = Math.floor(random() * 5);
    for (let i = 0; i < n; i++) {
      const [lo, hi] = pools[Math.floor(random() * pools.length)];
      s += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
    }
    return s;
  };
  const byUtf8 = (a: string, b: string) => {
    const x = encoder.encode(a), y = encoder.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  };
  for (let round = 0; round < 300; round++) {
    const keys = [...new Set(Array.from({ length: 20 }, randomKey))].map((k) => k.normalize("NFC"));
    const unique = [...new Set(keys)];
    const expected = [...unique].sort(byUtf8);
    assert.deepEqual([...unique].sort(compareCodePoints), expected);
    const map = new Map<string, JsonValue>(unique.map((k) => [k, null]));
    const written = [...obj(parseJsonText(text(map))).keys()];
    assert.deepEqual(written, expected);
    for (let i = 1; i < unique.length; i++) {
      assert.equal(
        Math.sign(compareCodePoints(unique[i - 1], unique[i])),
        Math.sign(byUtf8(unique[i - 1], unique[i])),
      );
    }
  }
});

Deno.test("canonicalJson() skips normalization only where it cannot change anything", () => {
  for (let c = 0; c < 0x300; c++) {
    const ch = String.fromCharCode(c);
    assert.equal(ch.normalize("NFC"), ch);
    for (let d = 0; d < 0x300; d += 7) {
      assert.equal((ch + String.fromCharCode(d)).normalize("NFC"), ch + String.fromCharCode(d));
    }
  }
});

Deno.test("canonicalJson() writes integers as in the source and -0 as 0", () => {
  const n = (t: string) => new JsonNumber(t);
  assert.equal(
    text([n("0"), n("-0"), n("-17"), n("18446744073709551616"), n("-9223372036854775808")]),
    "[0,0,-17,18446744073709551616,-9223372036854775808]",
  );
  assert.equal(text(n("9".repeat(5000))), "9".repeat(5000));
});

Deno.test("canonicalJson() refuses non-integers, naming the path", () => {
  const payload = obj(parseJsonText(
    '{"items": [1, 2, {"price": 1.5}], "n": 1e+21, "x": 1.0, "big": 1e400}',
  ));
  // Reported in canonical (sorted) order: "big" comes first.
  canonicalError(
    () => canonicalJson(payload),
    "Float values are not allowed in canonical JSON at $.big: 1e400",
    "$.big",
  );
  payload.delete("big");
  payload.delete("n");
  canonicalError(
    () => canonicalJson(payload),
    "Float values are not allowed in canonical JSON at $.items[2].price: 1.5",
    "$.items[2].price",
  );
  canonicalError(
    () => canonicalJson(parseJsonText('{"n": 1e+21}')),
    "Float values are not allowed in canonical JSON at $.n: 1e+21",
    "$.n",
  );
  canonicalError(
    () => canonicalJson(parseJsonText('{"a b": [1.0]}')),
    'Float values are not allowed in canonical JSON at $["a b"][0]: 1.0',
    '$["a b"][0]',
  );
  canonicalError(
    () => canonicalJson(parseJsonText("1e400")),
    "Float values are not allowed in canonical JSON at $: 1e400",
    "$",
  );
  canonicalError(() => canonicalJson(new JsonNumber("NaN")), "Invalid number text at $: NaN", "$");
});

Deno.test("canonicalJson() refuses lone surrogates in strings and keys", () => {
  canonicalError(
    () => canonicalJson(parseJsonText('{"s": "x\\ud800y"}')),
    "Lone surrogate cannot be encoded as UTF-8 in canonical JSON at $.s",
    "$.s",
  );
  canonicalError(
    () => canonicalJson(parseJsonText('{"o": {"\\udc00": 1}}')),
    'Lone surrogate cannot be encoded as UTF-8 in canonical JSON at $.o["\\udc00"]',
    '$.o["\\udc00"]',
  );
  assert.equal(
    nodeText(parseJsonText('{"s": "x\\ud800y", "\\udc00": 1}')),
    '{"s":"x\\ud800y","\\udc00":1}',
  );
});

Deno.test("canonicalJson() keeps the last of two keys equal after NFC and reports the collision", () => {
  const value = parseJsonText('{"o": {"caf\\u00e9": 1, "z": 0, "cafe\\u0301": 2}}');
  const seen: [string, string][] = [];
  const out = decoder.decode(
    canonicalJson(value, { onNfcCollision: (path, key) => seen.push([path, key]) }),
  );
  assert.equal(out, '{"o":{"café":2,"z":0}}');
  assert.deepEqual(seen, [["$.o", "café"]]);
  assert.equal(text(value), out);
  assert.throws(() =>
    canonicalJson(value, {
      onNfcCollision: (path) => {
        throw new RangeError(`NFC collision at ${path}`);
      },
    }), { name: "RangeError", message: "NFC collision at $.o" });
});

Deno.test("canonicalJson() keeps __proto__ as an ordinary key while the Node form drops it", () => {
  const value = parseJsonText('{"__proto__": {"x": 1}, "a": 1}');
  assert.equal(text(value), '{"__proto__":{"x":1},"a":1}');
  const node = canonicalJsonNode(value);
  assert.equal(decoder.decode(node.bytes), '{"a":1}');
  assert.deepEqual(node.divergences, ['key "__proto__" at $ dropped']);
  assert.throws(() => canonicalJsonNode(parseJsonText('{"__proto__": 1.5}')), CanonicalJsonError);
});

Deno.test("canonicalJsonNode() prints numbers as the Node SDK does and refuses what it refuses", () => {
  const node = canonicalJsonNode(parseJsonText("[1.0, 100, -0, 9007199254740993]"));
  assert.equal(decoder.decode(node.bytes), "[1,100,0,9007199254740992]");
  assert.deepEqual(node.divergences, [
    "number 1.0 at $[0] is not a plain integer (the Node SDK hashes 1)",
    "number 9007199254740993 at $[3] read by Node as 9007199254740992",
  ]);
  assert.throws(() => canonicalJsonNode(parseJsonText("[1.5]")), {
    message: "Float values are not allowed by the Node SDK at $[0]: 1.5",
  });
  assert.throws(() => canonicalJsonNode(parseJsonText("1e400")), {
    message: "Invalid number for the Node SDK at $: 1e400",
  });
});

Deno.test("canonicalJson() refuses values outside the model, deep nesting and cycles without crashing", () => {
  canonicalError(
    () => canonicalJson(1 as unknown as JsonValue),
    "Unsupported value of type number (convert it with toJsonValue) at $",
    "$",
  );
  canonicalError(
    () => canonicalJson(new Map([["a", [{ b: 1 }]]]) as unknown as JsonValue),
    "Unsupported value of type Object (convert it with toJsonValue) at $.a[0]",
    "$.a[0]",
  );
  let deep: JsonValue = [];
  for (let i = 0; i < 5000; i++) deep = [deep];
  assert.throws(() => canonicalJson(deep), CanonicalJsonError);
  assert.throws(() => canonicalJsonNode(deep), CanonicalJsonError);
  const cyclic: JsonObject = new Map();
  cyclic.set("self", cyclic);
  assert.throws(() => canonicalJson(cyclic), {
    name: "CanonicalJsonError",
    message: /^Nesting deeper than 1000 levels \(or a cycle\) at \$\.self\.self/,
  });
});

Deno.test("canonicalJson() handles a 10 MB string and a wide object", () => {
  const big = "é".repeat(5 * 1024 * 1024);
  assert.equal(canonicalJson(big).length, 10 * 1024 * 1024 + 2);
  const wide = new Map<string, JsonValue>(
    Array.from({ length: 50_000 }, (_, i) => [`k${49_999 - i}`, null]),
  );
  assert.ok(text(wide).startsWith('{"k0":null,"k1":null,"k10":null'));
});

Deno.test("toJsonValue() converts plain JavaScript values into the model", () => {
  const proto = JSON.parse('{"__proto__": 1}');
  const nullProto = Object.assign(Object.create(null), { b: false });
  assert.deepEqual(
    toJsonValue({
      s: "x",
      n: -0,
      i: Number.MAX_SAFE_INTEGER,
      b: 5n,
      a: [null, true],
      proto,
      nullProto,
      j: new JsonNumber("18446744073709551616"),
    }),
    new Map<string, JsonValue>([
      ["s", "x"],
      ["n", new JsonNumber("0")],
      ["i", new JsonNumber("9007199254740991")],
      ["b", new JsonNumber("5")],
      ["a", [null, true]],
      ["proto", new Map([["__proto__", new JsonNumber("1")]])],
      ["nullProto", new Map([["b", false]])],
      ["j", new JsonNumber("18446744073709551616")],
    ]),
  );
  assert.equal(text(toJsonValue({ b: 1, a: [2] })), '{"a":[2],"b":1}');
});

Deno.test("toJsonValue() rejects what has no exact canonical form, naming the path", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.me = cyclic;
  let deep: unknown = 1;
  for (let i = 0; i < 2000; i++) deep = [deep];
  class Point {
    x = 1;
  }
  const table: [string, unknown, typeof JsonValueTypeError | typeof JsonValueRangeError, string][] =
    [
      [
        "float",
        { a: { price: 1.5 } },
        JsonValueTypeError,
        "Float values are not allowed: 1.5 at $.a.price",
      ],
      ["NaN", [NaN], JsonValueTypeError, "NaN is not a JSON number at $[0]"],
      ["Infinity", { x: -Infinity }, JsonValueTypeError, "-Infinity is not a JSON number at $.x"],
      [
        "unsafe integer",
        { n: 2 ** 53 },
        JsonValueRangeError,
        "Integer 9007199254740992 is outside ±(2^53−1) and cannot be written exactly at $.n",
      ],
      [
        "big bigint",
        { n: -(2n ** 53n) },
        JsonValueRangeError,
        "Integer -9007199254740992 is outside ±(2^53−1) at $.n",
      ],
      [
        "float JsonNumber",
        [new JsonNumber("1.5")],
        JsonValueTypeError,
        "Float values are not allowed: 1.5 at $[0]",
      ],
      [
        "undefined",
        { u: undefined },
        JsonValueTypeError,
        "Unsupported value of type undefined at $.u",
      ],
      ["function", { f() {} }, JsonValueTypeError, "Unsupported value of type function at $.f"],
      ["symbol", [Symbol("s")], JsonValueTypeError, "Unsupported value of type symbol at $[0]"],
      ["symbol key", { [Symbol("k")]: 1 }, JsonValueTypeError, "Symbol keys are not allowed at $"],
      [
        "Date",
        { when: new Date(0) },
        JsonValueTypeError,
        "Unsupported object of class Date (only plain objects and arrays) at $.when",
      ],
      [
        "Map",
        new Map(),
        JsonValueTypeError,
        "Unsupported object of class Map (only plain objects and arrays) at $",
      ],
      [
        "class instance",
        { p: new Point() },
        JsonValueTypeError,
        "Unsupported object of class Point (only plain objects and arrays) at $.p",
      ],
      ["array hole", { a: [1, , 3] }, JsonValueTypeError, "Array hole at $.a[1]"],
      ["cycle", cyclic, JsonValueTypeError, "Circular reference at $.me"],
      [
        "deep nesting",
        deep,
        JsonValueRangeError,
        `Nesting deeper than 1000 levels at $${"[0]".repeat(1000)}`,
      ],
      [
        "odd key",
        { "a-b": [0.5] },
        JsonValueTypeError,
        'Float values are not allowed: 0.5 at $["a-b"][0]',
      ],
    ];
  for (const [name, input, type, message] of table) {
    assert.throws(() => toJsonValue(input), (e: unknown) => {
      assert.ok(e instanceof type, `${name}: ${e}`);
      assert.equal((e as Error).message, message, name);
      assert.ok(typeof (e as { path?: string }).path === "string");
      return true;
    });
  }
  assert.throws(() => toJsonValue({ x: 0.1 }, "payload"), {
    message: "Float values are not allowed: 0.1 at payload.x",
  });
});
