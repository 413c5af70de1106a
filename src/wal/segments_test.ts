import assert from "node:assert/strict";
import { isSegmentName, listSegments } from "./segments.ts";

Deno.test("isSegmentName() takes *.jsonl and *.wal files and leaves side files out", () => {
  for (const n of ["segment_20261127_062214.jsonl", "segment_current.jsonl", "x.wal"]) {
    assert.ok(isSegmentName(n), n);
  }
  for (
    const n of [
      "receipts.jsonl",
      "dead_letters.jsonl",
      "chain_state.json",
      "seg.jsonl.torn-1",
      ".lock",
      ".hidden.jsonl",
    ]
  ) {
    assert.ok(!isSegmentName(n), n);
  }
});

Deno.test("listSegments() lists segment files sorted by name, ignoring directories", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const n of ["segment_2.jsonl", "segment_10.jsonl", "receipts.jsonl", "a.wal"]) {
      await Deno.writeTextFile(`${dir}/${n}`, "");
    }
    await Deno.mkdir(`${dir}/checkpoints.jsonl`);
    assert.deepEqual(await listSegments(dir), ["a.wal", "segment_10.jsonl", "segment_2.jsonl"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
