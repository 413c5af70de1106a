/**
 * Reads the end of a segment file backwards: the last complete (LF-terminated) line and any torn
 * tail after it, without reading the rest of the file.
 *
 * @module
 */

const LF = 0x0a;
const FIRST_CHUNK = 64 * 1024;

/** What the end of a segment holds. */
export interface SegmentTail {
  /** File size in bytes when read. */
  size: number;
  /** Offset just after the last LF (0 when the file has no LF): where a torn tail starts. */
  completeEnd: number;
  /** The last complete line without its LF, or `undefined` if the file holds none. */
  lastLine?: Uint8Array;
  /** Offset of the first byte of `lastLine`. */
  lastLineOffset?: number;
}

/**
 * Reads the last complete line of a file and where its complete part ends.
 *
 * Reads 64 KiB from the end, doubling backwards until the last line's start (or the file start)
 * is found, up to `maxLineBytes` plus the torn part.
 *
 * @param path The segment file.
 * @param maxLineBytes Largest line accepted.
 * @returns The tail description.
 * @throws {RangeError} If the last complete line (or the torn tail) is longer than `maxLineBytes`.
 * @throws {Error} For I/O failures.
 * @example
 * ```ts
 * import { readSegmentTail } from "./tail.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/s.jsonl`, '{"a":1}\n{"b":2}\n{"c"');
 * const t = await readSegmentTail(`${dir}/s.jsonl`, 1 << 20);
 * console.assert(new TextDecoder().decode(t.lastLine) === '{"b":2}' && t.completeEnd === 16);
 * ```
 */
export async function readSegmentTail(path: string, maxLineBytes: number): Promise<SegmentTail> {
  using file = await Deno.open(path, { read: true });
  const size = (await file.stat()).size;
  if (size === 0) return { size, completeEnd: 0 };
  let want = Math.min(size, FIRST_CHUNK);
  for (;;) {
    const start = size - want;
    const buf = await readAt(file, start, want);
    const lastLf = buf.lastIndexOf(LF);
    if (lastLf === -1) {
      if (start === 0) return { size, completeEnd: 0 }; // only a torn tail
      if (want > 2 * maxLineBytes + 2) {
        throw new RangeError(
          `The unterminated end of ${path} is longer than ${maxLineBytes} bytes`,
        );
      }
      want = Math.min(size, want * 2);
      continue;
    }
    const completeEnd = start + lastLf + 1;
    const prevLf = buf.lastIndexOf(LF, lastLf - 1);
    if (prevLf !== -1 || start === 0) {
      const lineStart = prevLf + 1; // 0 when start === 0 and no earlier LF
      return {
        size,
        completeEnd,
        lastLine: buf.slice(lineStart, lastLf),
        lastLineOffset: start + lineStart,
      };
    }
    if (want > 2 * maxLineBytes + 2) {
      throw new RangeError(`The last line of ${path} is longer than ${maxLineBytes} bytes`);
    }
    want = Math.min(size, want * 2);
  }
}

async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  await file.seek(offset, Deno.SeekMode.Start);
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return buf.subarray(0, got);
}
