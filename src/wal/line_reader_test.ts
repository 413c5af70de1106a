import assert from "node:assert/strict";
import { readLines } from "./line_reader.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function collect(chunks: string[], cap?: number) {
  const out = [];
  for await (const l of readLines(ReadableStream.from(chunks.map((c) => enc.encode(c))), cap)) {
    out.push({
      text: dec.decode(l.bytes),
      line: l.line,
      offset: l.offset,
      terminated: l.terminated,
      over: l.oversizedLength,
    });
  }
  return out;
}

Deno.test("readLines() splits on LF across chunk boundaries with line numbers and byte offsets", async () => {
  const lines = await collect(["ab", "c\nde", "f\n\ngh\n"]);
  assert.deepEqual(lines.map((l) => [l.text, l.line, l.offset, l.terminated]), [
    ["abc", 1, 0, true],
    ["def", 2, 4, true],
    ["", 3, 8, true],
    ["gh", 4, 9, true],
  ]);
});

Deno.test("readLines() marks a final line without LF as unterminated", async () => {
  const lines = await collect(["a\nb"]);
  assert.deepEqual(lines.map((l) => [l.text, l.terminated]), [["a", true], ["b", false]]);
});

Deno.test("readLines() keeps CR bytes: only LF ends a line", async () => {
  const lines = await collect(["a\r\nb\n"]);
  assert.deepEqual(lines.map((l) => l.text), ["a\r", "b"]);
});

Deno.test("readLines() reports an oversized line by length without buffering it, then goes on", async () => {
  const lines = await collect(["x".repeat(10), "y".repeat(10), "\nok\n", "z".repeat(30)], 16);
  assert.deepEqual(lines.map((l) => [l.text, l.over, l.terminated]), [
    ["", 20, true],
    ["ok", undefined, true],
    ["", 30, false],
  ]);
});

Deno.test("readLines() yields nothing for an empty stream and refuses a bad cap", async () => {
  assert.deepEqual(await collect([]), []);
  await assert.rejects(() => collect(["a"], 0), RangeError);
});
