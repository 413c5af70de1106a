import assert from "node:assert/strict";
import { nanosToTimestamp, TimestampSyntaxError, timestampToNanos } from "./timestamp.ts";

Deno.test("timestampToNanos() keeps all nine fractional digits exactly", () => {
  assert.equal(timestampToNanos("2026-11-27T06:22:14.718622123+00:00"), 1795760534718622123n);
  assert.equal(timestampToNanos("2026-11-27T06:22:14.7+00:00"), 1795760534700000000n);
});

Deno.test("timestampToNanos() reads Z and any offset as the same instant", () => {
  const utc = timestampToNanos("2026-11-27T06:22:14.148Z");
  assert.equal(timestampToNanos("2026-11-27T07:52:14.148+01:30"), utc);
  assert.equal(timestampToNanos("2026-11-26T23:22:14.148-07:00"), utc);
});

Deno.test("timestampToNanos() handles dates before the epoch and leap days", () => {
  assert.equal(timestampToNanos("1969-12-31T23:59:59.999999999+00:00"), -1n);
  assert.equal(timestampToNanos("2024-02-29T00:00:00Z"), 1709164800000000000n);
  assert.equal(
    timestampToNanos("2000-03-01T00:00:00Z") - timestampToNanos("2000-02-28T00:00:00Z"),
    2n * 86_400_000_000_000n,
  );
});

const BAD = [
  "",
  "2026-11-27T06:22:14",
  "2026-11-27 06:22:14Z",
  "2026-11-27T06:22:14.1234567890Z",
  "2026-02-29T00:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-11-27T24:00:00Z",
  "2026-11-27T23:59:60Z",
  "2026-11-27T06:22:14+24:00",
  "2026-11-27T06:22:14.Z",
  "１２３４-11-27T06:22:14Z",
  "2026-11-27T06:22:14Z\n",
];
for (const text of BAD) {
  Deno.test(`timestampToNanos() refuses ${JSON.stringify(text)}`, () => {
    assert.throws(() => timestampToNanos(text), TimestampSyntaxError);
  });
}

Deno.test("timestampToNanos() refuses instants outside the signed 64-bit nanosecond range", () => {
  assert.throws(() => timestampToNanos("2262-04-12T00:00:00Z"), RangeError);
  assert.throws(() => timestampToNanos("1677-09-21T00:00:00Z"), RangeError);
});

Deno.test("nanosToTimestamp() writes six fractional digits and +00:00, and round-trips", () => {
  for (const ns of [0n, 1737720000123456000n, -1000n, 4133980799999999000n]) {
    const text = nanosToTimestamp(ns);
    assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    assert.equal(timestampToNanos(text), ns);
  }
  assert.throws(() => nanosToTimestamp(1n), RangeError);
});

Deno.test("timestampToNanos() gives the same value and errors right after a timestamp of the same second", () => {
  const heads = ["2026-11-27T09:08:57", "1969-12-31T23:59:59", "2262-04-11T23:47:16"];
  const tails = [
    "Z",
    "+00:00",
    "-05:30",
    ".1Z",
    ".854775807Z",
    ".854775808Z", // past the signed 64-bit range for the last head
    ".000000001+00:00",
    ".123456789-05:30",
    ".1234567890Z", // ten digits
    ".Z",
    "Z ",
    "+0000",
    ".12+00:0",
    "z",
  ];
  const outcome = (text: string) => {
    try {
      return String(timestampToNanos(text));
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  for (const head of heads) {
    for (const tail of tails) {
      const text = head + tail;
      outcome("2000-01-01T00:00:00Z"); // another second: the full path
      const cold = outcome(text);
      for (const before of tails) {
        outcome(head + before); // maybe the same second: the shortcut
        assert.equal(outcome(text), cold, `${text} after ${head + before}`);
      }
    }
  }
  assert.equal(outcome("2026-11-27T09:08:57.5Z"), "1795770537500000000");
  assert.equal(outcome("2026-11-27T09:08:57.25+01:00"), "1795766937250000000");
});
