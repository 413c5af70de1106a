import assert from "node:assert/strict";
import { formatCheckpoint, parseCheckpoint } from "./checkpoint.ts";
import { CheckpointSyntaxError } from "./errors.ts";

const ROOT = Uint8Array.from({ length: 32 }, (_, i) => i);
const ROOT_B64 = ROOT.toBase64();

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof CheckpointSyntaxError && e.code === code);
}

Deno.test("formatCheckpoint and parseCheckpoint round-trip with and without extensions", () => {
  for (const extensions of [[], ["a b c", "\u2603"]]) {
    const body = formatCheckpoint({
      origin: "example.com/log",
      size: 12345,
      root: ROOT,
      extensions,
    });
    const cp = parseCheckpoint(body);
    assert.equal(cp.origin, "example.com/log");
    assert.equal(cp.size, 12345);
    assert.deepEqual(cp.root, ROOT);
    assert.deepEqual(cp.extensions, extensions);
    assert.equal(formatCheckpoint(cp), body);
  }
  assert.equal(formatCheckpoint({ origin: "o", size: 0, root: ROOT }), `o\n0\n${ROOT_B64}\n`);
});

Deno.test("parseCheckpoint rejects hostile bodies with a specific code and line", () => {
  const cases: [string, string, number][] = [
    [`o\n01\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\n-1\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\n1e3\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\n 1\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\nNaN\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\n${"9".repeat(400)}\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\n\u0661\n${ROOT_B64}\n`, "invalid_tree_size", 2],
    [`o\n1\n${ROOT.subarray(1).toBase64()}\n`, "invalid_root_hash", 3],
    [`o\n1\n${ROOT_B64.replace(/=$/, "")}\n`, "invalid_root_hash", 3],
    [
      `o\n1\n${new Uint8Array(32).fill(0xff).toBase64({ alphabet: "base64url" })}\n`,
      "invalid_root_hash",
      3,
    ],
    [`o\n1\n\n`, "invalid_root_hash", 3],
    [`\n1\n${ROOT_B64}\n`, "empty_origin", 1],
    [`o\n1\n`, "missing_line", 3],
    [`o\n1\n${ROOT_B64}`, "missing_newline", 3],
    [`o\n1\n${ROOT_B64}\n\n`, "empty_extension_line", 4],
    [`o\t\n1\n${ROOT_B64}\n`, "control_character", 1],
    [`o\r\n1\n${ROOT_B64}\n`, "control_character", 1],
    [`o\ud800\n1\n${ROOT_B64}\n`, "invalid_utf8", 1],
    [`o\n1\n${ROOT_B64}\n${"x".repeat(10 * 1024 * 1024)}\n`, "too_large", 1],
  ];
  for (const [body, code, line] of cases) {
    assert.throws(() => parseCheckpoint(body), (e: unknown) => {
      assert.ok(e instanceof CheckpointSyntaxError, `${JSON.stringify(body.slice(0, 40))}`);
      assert.equal(e.code, code, JSON.stringify(body.slice(0, 40)));
      assert.equal(e.line, line, JSON.stringify(body.slice(0, 40)));
      return true;
    });
  }
  assertCode(() => parseCheckpoint(`o\n9007199254740992\n${ROOT_B64}\n`), "invalid_tree_size");
  assert.equal(parseCheckpoint(`o\n9007199254740991\n${ROOT_B64}\n`).size, 2 ** 53 - 1);
  assert.throws(() => parseCheckpoint(null as unknown as string), TypeError);
});

Deno.test("formatCheckpoint rejects fields that cannot be represented", () => {
  const ok = { origin: "o", size: 1, root: ROOT };
  assert.throws(() => formatCheckpoint({ ...ok, origin: "" }), RangeError);
  assert.throws(() => formatCheckpoint({ ...ok, origin: "a\nb" }), RangeError);
  for (const size of [-1, 1.5, NaN, 2 ** 53]) {
    assert.throws(() => formatCheckpoint({ ...ok, size }), RangeError);
  }
  assert.throws(() => formatCheckpoint({ ...ok, root: new Uint8Array(31) }), TypeError);
  assert.throws(() => formatCheckpoint({ ...ok, extensions: [""] }), RangeError);
  assert.throws(() => formatCheckpoint({ ...ok, extensions: ["a\nb"] }), RangeError);
});
