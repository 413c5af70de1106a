import assert from "node:assert/strict";
import { readSegmentTail } from "./tail.ts";

async function file(content: string | Uint8Array): Promise<string> {
  const path = `${await Deno.makeTempDir()}/s.jsonl`;
  await Deno.writeFile(
    path,
    typeof content === "string" ? new TextEncoder().encode(content) : content,
  );
  return path;
}
const dec = (b?: Uint8Array) => b === undefined ? undefined : new TextDecoder().decode(b);

Deno.test("readSegmentTail() finds the last complete line and where a torn tail starts", async () => {
  assert.deepEqual(await readSegmentTail(await file(""), 100), { size: 0, completeEnd: 0 });
  assert.deepEqual(await readSegmentTail(await file("torn"), 100), { size: 4, completeEnd: 0 });
  const one = await readSegmentTail(await file("a\n"), 100);
  assert.equal(dec(one.lastLine), "a");
  assert.equal(one.lastLineOffset, 0);
  const torn = await readSegmentTail(await file("a\nbb\ncc"), 100);
  assert.equal(dec(torn.lastLine), "bb");
  assert.equal(torn.completeEnd, 5);
  assert.equal(torn.size, 7);
});

Deno.test("readSegmentTail() reads backwards past 64 KiB for long last lines and refuses lines over the cap", async () => {
  const long = "x".repeat(200_000);
  const t = await readSegmentTail(await file(`a\n${long}\n`), 300_000);
  assert.equal(t.lastLine?.length, 200_000);
  assert.equal(t.lastLineOffset, 2);
  await assert.rejects(readSegmentTail(await file(`a\n${long}\n`), 50_000), RangeError);
});
