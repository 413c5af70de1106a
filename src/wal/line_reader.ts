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
