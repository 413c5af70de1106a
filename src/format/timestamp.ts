/**
 * RFC 3339 timestamps to integer nanoseconds since the Unix epoch, and back.
 *
 * Spine v1 hashes `ts_client` as a signed 64-bit count of nanoseconds. The conversion uses only
 * integer arithmetic: `Date` keeps milliseconds and floats lose nanoseconds.
 *
 * @module
 */

/** Thrown when a timestamp is not strict RFC 3339. */
export class TimestampSyntaxError extends SyntaxError {
  /** Stable machine-readable code, the same for every instance: `"timestamp_syntax_error"`. */
  readonly code: "timestamp_syntax_error" = "timestamp_syntax_error";
  /**
   * Creates a {@linkcode TimestampSyntaxError}.
   *
   * @param message What failed, naming the value.
   */
  constructor(message: string) {
    super(message);
    this.name = "TimestampSyntaxError";
  }
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's `days_from_civil`).
 *
 * @param y Year.
 * @param m Month 1..12.
 * @param d Day 1..31.
 * @returns Days since the epoch, negative before it.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/**
 * Converts an RFC 3339 timestamp with a mandatory offset to nanoseconds since the epoch.
 *
 * Up to 9 fractional digits are kept exactly; the offset may be `Z` or `±HH:MM`.
 *
 * @param text The timestamp, e.g. `2025-01-24T12:00:00.123456+00:00`.
 * @returns Nanoseconds since 1970-01-01T00:00:00Z as a bigint within the signed 64-bit range.
 * @throws {TimestampSyntaxError} If the text is not strict RFC 3339 or names an impossible date.
 * @throws {RangeError} If the instant does not fit a signed 64-bit nanosecond count.
 * @example
 * ```ts
 * import { timestampToNanos } from "./timestamp.ts";
 * console.assert(timestampToNanos("2025-01-24T13:00:00+01:00") === 1737720000000000000n);
 * ```
 */
export function timestampToNanos(text: string): bigint {
  const fast = sameSecondAsLast(text);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(text);
  if (m === null) {
    throw new TimestampSyntaxError(
      `Timestamp ${JSON.stringify(text)} is not RFC 3339 with an offset`,
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? "";
  const offset = m[8];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new TimestampSyntaxError(`Timestamp ${JSON.stringify(text)} names an impossible date`);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    throw new TimestampSyntaxError(`Timestamp ${JSON.stringify(text)} names an impossible time`);
  }
  let offsetSeconds = 0;
  if (offset !== "Z") {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) {
      throw new TimestampSyntaxError(`Timestamp ${JSON.stringify(text)} has an impossible offset`);
    }
    offsetSeconds = (oh * 3600 + om * 60) * (offset[0] === "-" ? -1 : 1);
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
    offsetSeconds;
  const base = BigInt(seconds) * 1_000_000_000n;
  const nanos = base + BigInt(fraction.padEnd(9, "0") || "0");
  if (nanos < I64_MIN || nanos > I64_MAX) {
    throw new RangeError(
      `Timestamp ${JSON.stringify(text)} is outside the signed 64-bit nanosecond range`,
    );
  }
  last = { head: text.slice(0, 19), offset, base };
  return nanos;
}

// Consecutive records mostly share their second: the last valid timestamp's date, time and offset,
// and its second in nanoseconds. A timestamp with the same first 19 characters and the same offset
// differs only in its fraction, so only that needs reading (the full path cost about 1.5 us).
let last: { head: string; offset: string; base: bigint } | undefined;

/** The value of `text` when it is the last valid timestamp's second with another fraction. */
function sameSecondAsLast(text: string): bigint | undefined {
  if (last === undefined || !text.startsWith(last.head)) return undefined;
  let i = 19;
  let fraction = 0;
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    const start = i;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) {
      fraction = fraction * 10 + (c - 0x30);
    }
    const digits = i - start;
    if (digits < 1 || digits > 9) return undefined;
    fraction *= 10 ** (9 - digits);
  }
  if (text.length - i !== last.offset.length || !text.endsWith(last.offset)) return undefined;
  const nanos = last.base + BigInt(fraction);
  return nanos < I64_MIN || nanos > I64_MAX ? undefined : nanos;
}

/**
 * Formats nanoseconds since the epoch as the timestamp Spine writers emit: UTC, exactly six
 * fractional digits and `+00:00` (what every upstream verifier reads without loss).
 *
 * @param nanos Nanoseconds since the epoch; must be a whole number of microseconds.
 * @returns The timestamp text, e.g. `2026-11-27T06:22:14.718622+00:00`.
 * @throws {RangeError} If `nanos` is not a whole number of microseconds or the year is outside 0..9999.
 * @example
 * ```ts
 * import { nanosToTimestamp } from "./timestamp.ts";
 * console.assert(nanosToTimestamp(1737720000123456000n) === "2025-01-24T12:00:00.123456+00:00");
 * ```
 */
export function nanosToTimestamp(nanos: bigint): string {
  if (nanos % 1000n !== 0n) {
    throw new RangeError(`Nanoseconds ${nanos} are not a whole number of microseconds`);
  }
  let seconds = nanos / 1_000_000_000n;
  let micros = (nanos % 1_000_000_000n) / 1000n;
  if (micros < 0n) {
    micros += 1_000_000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new RangeError(`Nanoseconds ${nanos} are outside the years 0..9999`);
  }
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ for years 0..9999
  return `${iso.slice(0, 19)}.${micros.toString().padStart(6, "0")}+00:00`;
}
