/**
 * Messages between `verifyWal`'s worker pool and its workers (`_analyze_worker.ts`).
 *
 * @module
 */

/** What a line of a block turned out to be. */
export const KIND = {
  /** Anything but a clean record: the main thread checks the line itself. */
  main: 0,
  /** A record whose per-line checks all passed; its columns are filled. */
  record: 1,
} as const;

/** A block of complete LF-terminated lines, its buffer transferred to the worker. */
export interface BlockRequest {
  id: number;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
  maxLineBytes: number;
}

/** Per-line columns of a block, in line order; the buffer comes back with them. */
export interface BlockResult {
  id: number;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
  /** `KIND` of each line. */
  kind: Uint8Array;
  /** Offset of each line in the block, and one past the last line's LF. */
  starts: Uint32Array;
  seq: Float64Array;
  ts: BigInt64Array;
  /** Signature under the record's own `public_key`: 1 valid, 2 invalid, 0 not checked. */
  sigOk: Uint8Array;
  prevHash: string[];
  entry: string[];
  tsLabel: string[];
  streamId: (string | undefined)[];
  publicKey: (string | undefined)[];
  keyId: (string | undefined)[];
  /** The signature hex. */
  sig: string[];
}
