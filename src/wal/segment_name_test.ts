import assert from "node:assert/strict";
import { compareCodePoints } from "../format/canonical_json.ts";
import { baseSegmentName, nextSegmentName } from "./segment_name.ts";

const t = new Date("2026-11-27T06:22:14.999Z");

Deno.test("baseSegmentName() is segment_YYYYMMDD_HHMMSS.jsonl in UTC", () => {
  assert.equal(baseSegmentName(t), "segment_20261127_062214.jsonl");
});

Deno.test("nextSegmentName() always sorts after the last segment, even when the clock goes back", () => {
  const cases: [string | undefined, string][] = [
    [undefined, "segment_20261127_062214.jsonl"],
    ["segment_20261127_062213.jsonl", "segment_20261127_062214.jsonl"],
    ["segment_20261127_062214.jsonl", "segment_20261127_062214_001.jsonl"],
    ["segment_20261127_062214_001.jsonl", "segment_20261127_062214_002.jsonl"],
    ["segment_20301231_000000.jsonl", "segment_20301231_000000_001.jsonl"],
    ["segment_20261127_062214_999.jsonl", "segment_20261127_062214_999_001.jsonl"],
    ["segment_current.jsonl", "segment_current_001.jsonl"],
    ["zz.wal", "zz_001.jsonl"],
  ];
  for (const [last, expected] of cases) {
    const next = nextSegmentName(t, last);
    assert.equal(next, expected);
    if (last !== undefined) assert.ok(compareCodePoints(next, last) > 0, `${next} > ${last}`);
  }
});

Deno.test("a thousand rollovers in the same second give strictly increasing names", () => {
  let last: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const next = nextSegmentName(t, last);
    if (last !== undefined) assert.ok(compareCodePoints(next, last) > 0);
    last = next;
  }
});
