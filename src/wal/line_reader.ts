/**
 * A byte-level line splitter over a readable stream, in constant memory.
 *
 * Lines are split on LF only (Spine records are LF-terminated). A line longer than the cap is not
 * buffered: it is reported as oversized with its length, and reading goes on after it.
 *
 * @module
 */

/** One line of a file, without its LF. */
export interface Line {
  /** The line's bytes; a view valid only until the next line is requested (copy to keep it). */
  bytes: Uint8Array;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** Whether the line ended with LF (false only for a final line: a torn tail). */
  terminated: boolean;
  /** Set when the line exceeded the cap: its full length; `bytes` is then empty. */
  oversizedLength?: number;
}

/** Default cap on one line: 4 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

const LF = 0x0a;

/**
 * Splits a byte stream into lines.
 *
 * @param stream Bytes, e.g. `file.readable`.
 * @param maxLineBytes Lines longer than this are reported as oversized, not buffered.
 * @returns An async iterator of lines; each `bytes` view is valid until the next step.
 * @throws {RangeError} If `maxLineBytes` is not a positive integer.
 * @example
 * ```ts
 * import { readLines } from "./line_reader.ts";
 * const stream = ReadableStream.from([new TextEncoder().encode("a\nbc")]);
 * const lines = [];
 * for await (const l of readLines(stream)) lines.push([new TextDecoder().decode(l.bytes), l.terminated]);
 * console.assert(JSON.stringify(lines) === '[["a",true],["bc",false]]');
 * ```
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes <= 0) {
    throw new RangeError(`Line cap ${maxLineBytes} is not a positive integer`);
  }
  let pending: Uint8Array[] = []; // pieces of the current line from earlier chunks
  let pendingLength = 0;
  let oversized = false;
  let lineNo = 0;
  let lineStart = 0; // file offset of the current line
  let fileOffset = 0; // file offset of the current chunk
  for await (const chunk of stream) {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      const end = nl === -1 ? chunk.length : nl;
      const pieceLength = end - pos;
      if (!oversized && pendingLength + pieceLength > maxLineBytes) {
        oversized = true;
        pending = [];
      }
      if (!oversized && nl !== -1 && pendingLength === 0) {
        // Fast path: the whole line lies in this chunk, no copy.
        lineNo++;
        yield {
          bytes: chunk.subarray(pos, end),
          line: lineNo,
          offset: lineStart,
          terminated: true,
        };
      } else if (nl !== -1) {
        lineNo++;
        if (oversized) {
          yield {
            bytes: new Uint8Array(0),
            line: lineNo,
            offset: lineStart,
            terminated: true,
            oversizedLength: pendingLength + pieceLength,
          };
        } else {
          pending.push(chunk.slice(pos, end));
          yield {
            bytes: concat(pending, pendingLength + pieceLength),
            line: lineNo,
            offset: lineStart,
            terminated: true,
          };
        }
      } else {
        if (!oversized) pending.push(chunk.slice(pos, end));
        pendingLength += pieceLength;
        break;
      }
      pending = [];
      pendingLength = 0;
      oversized = false;
      pos = end + 1;
      lineStart = fileOffset + pos;
    }
    fileOffset += chunk.length;
  }
  if (pendingLength > 0 || oversized) {
    lineNo++;
    yield oversized
      ? {
        bytes: new Uint8Array(0),
        line: lineNo,
        offset: lineStart,
        terminated: false,
        oversizedLength: pendingLength,
      }
      : {
        bytes: concat(pending, pendingLength),
        line: lineNo,
        offset: lineStart,
        terminated: false,
      };
  }
}

function concat(pieces: Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A run of complete lines read in one piece, or one line that needs to be handled alone. */
export type LineBlock =
  | {
    kind: "block";
    /** Complete LF-terminated lines; a view of a buffer that holds nothing else of use. */
    bytes: Uint8Array<ArrayBuffer>;
    /** 1-based number of the block's first line. */
    firstLine: number;
    /** How many lines the block holds. */
    lines: number;
    /** File offset just past the block. */
    end: number;
  }
  | {
    kind: "line";
    /** An oversized line, or a final line without LF. */
    line: Line;
    /** File offset just past the line. */
    end: number;
  };

/**
 * Reads a file as blocks of whole lines, for handing them to workers: each block is a fresh
 * buffer (transferable) of about `blockBytes`, cut after an LF. Lines over the cap are not
 * buffered; they come alone with their length, as do final lines without LF. A line over the
 * cap can also lie inside a block (it then fits the buffer): the consumer checks line lengths.
 *
 * @param reader A file or anything with `read`.
 * @param blockBytes Bytes to read at once (default 1 MiB).
 * @param maxLineBytes The line size cap.
 * @returns An async iterator of blocks and single lines, in file order.
 * @throws {RangeError} If a size is not a positive integer.
 * @example
 * ```ts
 * import { readLineBlocks } from "./line_reader.ts";
 * const data = new TextEncoder().encode("a\nb\nc");
 * let at = 0;
 * const reader = {
 *   read(p: Uint8Array) {
 *     if (at >= data.length) return Promise.resolve(null);
 *     const n = Math.min(p.length, data.length - at);
 *     p.set(data.subarray(at, at + n));
 *     at += n;
 *     return Promise.resolve(n);
 *   },
 * };
 * const kinds = [];
 * for await (const b of readLineBlocks(reader)) kinds.push(b.kind === "block" ? b.lines : "torn");
 * console.assert(JSON.stringify(kinds) === '[2,"torn"]');
 * ```
 */
export async function* readLineBlocks(
  reader: { read(p: Uint8Array): Promise<number | null> },
  blockBytes: number = 1 << 20,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<LineBlock> {
  for (const [name, v] of [["Block size", blockBytes], ["Line cap", maxLineBytes]] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`${name} ${v} is not a positive integer`);
    }
  }
  let carry = new Uint8Array(0);
  let oversized = -1; // length so far of a line over the cap being skipped, or -1
  let lineNo = 0;
  let offset = 0; // file offset of buf[0]
  for (;;) {
    const buf = new Uint8Array(carry.length + blockBytes);
    buf.set(carry);
    let filled = carry.length;
    // Fill the buffer (short reads happen), so blocks stay large.
    while (filled < buf.length) {
      const n = await reader.read(buf.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    if (filled === carry.length) break; // end of file
    const data = buf.subarray(0, filled);
    carry = new Uint8Array(0);
    let start = 0;
    if (oversized >= 0) {
      const lf = data.indexOf(LF);
      if (lf === -1) {
        oversized += data.length;
        offset += data.length;
        continue;
      }
      oversized += lf;
      lineNo++;
      yield {
        kind: "line",
        line: {
          bytes: new Uint8Array(0),
          line: lineNo,
          offset: offset + lf - oversized,
          terminated: true,
          oversizedLength: oversized,
        },
        end: offset + lf + 1,
      };
      oversized = -1;
      start = lf + 1;
    }
    const last = data.lastIndexOf(LF);
    if (last >= start) {
      carry = data.slice(last + 1);
      let lines = 0;
      for (let p = data.indexOf(LF, start); p !== -1 && p <= last; p = data.indexOf(LF, p + 1)) {
        lines++;
      }
      yield {
        kind: "block",
        bytes: buf.subarray(start, last + 1),
        firstLine: lineNo + 1,
        lines,
        end: offset + last + 1,
      };
      lineNo += lines;
      offset += last + 1;
    } else {
      carry = data.slice(start);
      offset += start;
    }
    if (carry.length > maxLineBytes) {
      oversized = carry.length;
      offset += carry.length;
      carry = new Uint8Array(0);
    }
  }
  if (oversized >= 0) {
    lineNo++;
    yield {
      kind: "line",
      line: {
        bytes: new Uint8Array(0),
        line: lineNo,
        offset: offset - oversized,
        terminated: false,
        oversizedLength: oversized,
      },
      end: offset,
    };
  } else if (carry.length > 0) {
    lineNo++;
    yield {
      kind: "line",
      line: { bytes: carry, line: lineNo, offset, terminated: false },
      end: offset + carry.length,
    };
  }
}
