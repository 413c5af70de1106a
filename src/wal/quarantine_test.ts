import assert from "node:assert/strict";
import { quarantineTornTail } from "./quarantine.ts";

Deno.test("quarantineTornTail() copies the torn bytes beside the segment before truncating it", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/s.jsonl`, '{"a":1}\n{"partial');
  const when = new Date("2026-01-02T03:04:05.678Z");
  const q = await quarantineTornTail(dir, "s.jsonl", 8, when);
  assert.deepEqual(q, {
    segment: "s.jsonl",
    file: "s.jsonl.torn-20260102T030405678Z",
    bytes: 9,
    offset: 8,
  });
  assert.equal(await Deno.readTextFile(`${dir}/s.jsonl`), '{"a":1}\n');
  assert.equal(await Deno.readTextFile(`${dir}/${q!.file}`), '{"partial');
  // A second torn tail at the same instant gets its own file.
  await Deno.writeTextFile(`${dir}/s.jsonl`, "again", { append: true });
  const q2 = await quarantineTornTail(dir, "s.jsonl", 8, when);
  assert.equal(q2?.file, "s.jsonl.torn-20260102T030405678Z-1");
  assert.equal(await quarantineTornTail(dir, "s.jsonl", 8, when), undefined);
});
