/**
 * Names of the segment files this writer creates: `segment_YYYYMMDD_HHMMSS.jsonl` (UTC, as the
 * upstream Python SDK), with a `_NNN` suffix when needed so a new name never collides and always
 * sorts (by code point, as readers order files) after every existing segment.
 *
 * @module
 */

import { compareCodePoints } from "../format/canonical_json.ts";

const SUFFIXED = /^(.*)_([0-9]{3})\.(jsonl|wal)$/;

/**
 * The base name for an instant: `segment_YYYYMMDD_HHMMSS.jsonl` in UTC.
 *
 * @param now The instant.
 * @returns The file name.
 * @throws {RangeError} If the date is invalid.
 * @example
 * ```ts
 * import { baseSegmentName } from "./segment_name.ts";
 * console.assert(baseSegmentName(new Date("2026-11-27T06:22:14Z")) === "segment_20261127_062214.jsonl");
 * ```
 */
export function baseSegmentName(now: Date): string {
  const iso = now.toISOString(); // throws RangeError for an invalid date
  return `segment_${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${
    iso.slice(14, 16)
  }${iso.slice(17, 19)}.jsonl`;
}

/**
 * Chooses the name of a new segment: the base name for `now` if it sorts after `last`, else a
 * name derived from `last` that sorts right after it:
 *
 * - `X_NNN.jsonl` (NNN < 999) becomes `X_<NNN+1>.jsonl`;
 * - any other `X.jsonl` / `X.wal` (including `X_999.jsonl`) becomes `X_001.jsonl`
 *   (`.` sorts before `_`, so `X.jsonl` < `X_001.jsonl`).
 *
 * @param now The current instant.
 * @param last The greatest existing segment name, if any.
 * @returns A name that sorts after `last`.
 * @throws {RangeError} If the date is invalid.
 * @example
 * ```ts
 * import { nextSegmentName } from "./segment_name.ts";
 * const t = new Date("2026-11-27T06:22:14Z");
 * console.assert(nextSegmentName(t, "segment_20261127_062214.jsonl") === "segment_20261127_062214_001.jsonl");
 * console.assert(nextSegmentName(t, undefined) === "segment_20261127_062214.jsonl");
 * ```
 */
export function nextSegmentName(now: Date, last: string | undefined): string {
  const base = baseSegmentName(now);
  if (last === undefined || compareCodePoints(base, last) > 0) return base;
  const m = SUFFIXED.exec(last);
  if (m !== null && m[2] !== "999") {
    return `${m[1]}_${String(Number(m[2]) + 1).padStart(3, "0")}.jsonl`;
  }
  const stem = last.replace(/\.(jsonl|wal)$/, "");
  return `${stem}_001.jsonl`;
}
