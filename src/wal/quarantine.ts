/**
 * Moves a torn tail (a final line without LF, left by a crash mid-write) out of a segment into a
 * quarantine file beside it, so appending continues after the last complete record and the
 * partial bytes are kept for inspection, never silently deleted.
 *
 * Call order (see `spec/storage.md`):
 *
 * 1. read the torn bytes `[completeEnd, size)` of the segment;
 * 2. create `SEGMENT.torn-<UTC timestamp>` (`createNew`, a `-N` suffix if taken), write the
 *    bytes, `fsync` it, `fsync` the directory: the copy is on disk before anything is removed;
 * 3. truncate the segment to `completeEnd` and `fsync` it.
 *
 * A crash between 2 and 3 leaves the bytes in both places; the next open quarantines them again
 * into a second file. No crash loses them.
 *
 * @module
 */

import { syncDir, writeAll } from "./durable.ts";

/** A torn tail that was moved aside. */
export interface QuarantinedTail {
  /** The segment file name it was cut from. */
  segment: string;
  /** The quarantine file name (in the same directory). */
  file: string;
  /** How many bytes were moved. */
  bytes: number;
  /** Offset in the segment where the torn bytes started. */
  offset: number;
}

/**
 * Moves the bytes after `completeEnd` of `dir/segment` into a quarantine file.
 *
 * Must be called while holding the WAL lock.
 *
 * @param dir The WAL directory.
 * @param segment The segment file name.
 * @param completeEnd Offset just after the segment's last LF.
 * @param now The instant used in the quarantine file name (default: now).
 * @returns What was moved, or `undefined` if the segment ends at `completeEnd` already.
 * @throws {Error} For I/O failures; the segment is truncated only after the copy is durable.
 * @example
 * ```ts
 * import { quarantineTornTail } from "./quarantine.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/s.jsonl`, '{"a":1}\n{"b"');
 * const q = await quarantineTornTail(dir, "s.jsonl", 8);
 * console.assert(q !== undefined && Deno.readTextFileSync(`${dir}/${q.file}`) === '{"b"');
 * console.assert(Deno.readTextFileSync(`${dir}/s.jsonl`) === '{"a":1}\n');
 * ```
 */
export async function quarantineTornTail(
  dir: string,
  segment: string,
  completeEnd: number,
  now: Date = new Date(),
): Promise<QuarantinedTail | undefined> {
  using seg = await Deno.open(`${dir}/${segment}`, { read: true, write: true });
  const size = (await seg.stat()).size;
  if (size <= completeEnd) return undefined;
  // Step 1: the torn bytes.
  await seg.seek(completeEnd, Deno.SeekMode.Start);
  const torn = new Uint8Array(size - completeEnd);
  let got = 0;
  while (got < torn.length) {
    const n = await seg.read(torn.subarray(got));
    if (n === null) break;
    got += n;
  }
  // Step 2: a durable copy first.
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(".", "");
  let name = `${segment}.torn-${stamp}`;
  let q: Deno.FsFile | undefined;
  for (let i = 1; q === undefined; i++) {
    try {
      q = await Deno.open(`${dir}/${name}`, { write: true, createNew: true, mode: 0o644 });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists) || i > 1000) throw e;
      name = `${segment}.torn-${stamp}-${i}`;
    }
  }
  try {
    await writeAll(q, torn.subarray(0, got));
    await q.sync();
  } finally {
    q.close();
  }
  await syncDir(dir);
  // Step 3: only now cut the segment.
  await seg.truncate(completeEnd);
  await seg.sync();
  return { segment, file: name, bytes: got, offset: completeEnd };
}
