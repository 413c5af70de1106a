/**
 * The flat layout of a batch of Ed25519 checks, shared by `_verify_pool.ts`, its worker and
 * `ed25519.ts` (kept apart so that building a batch does not load `node:crypto`).
 *
 * @module
 */

/** A batch sent to a worker. Item i: `fixed[i*96..]` = key (32) || signature (64). */
export interface VerifyRequest {
  id: number;
  fixed: Uint8Array;
  messages: Uint8Array;
  ends: Uint32Array;
  count: number;
}

/** A worker's answer: bit i of the bitmap is set when item i verified. */
export type VerifyAnswer =
  | { id: number; bits: Uint8Array; error?: undefined }
  | { id: number; error: string; bits?: undefined };

/**
 * A batch of signature checks laid out flat for a worker: item i has `key || signature` at
 * `fixed[i*96 ..]` and its message at `messages[ends[i-1] .. ends[i]]`.
 */
export class VerifyBatch {
  fixed: Uint8Array;
  messages: Uint8Array;
  ends: Uint32Array;
  count = 0;

  /** @param capacity Items expected (the buffers grow past it). */
  constructor(capacity: number) {
    this.fixed = new Uint8Array(capacity * 96);
    this.messages = new Uint8Array(capacity * 64);
    this.ends = new Uint32Array(capacity);
  }

  /**
   * Adds one check; the bytes are copied.
   *
   * @param key The 32 raw public-key bytes.
   * @param message The signed bytes.
   * @param signature The 64-byte signature.
   * @returns The item's index.
   */
  add(key: Uint8Array, message: Uint8Array, signature: Uint8Array): number {
    const i = this.#slot(key, message.length);
    this.fixed.set(signature, i * 96 + 32);
    this.messages.set(message, this.#start(i));
    return i;
  }

  #start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1];
  }

  #slot(key: Uint8Array, messageLength: number): number {
    const i = this.count++;
    if ((i + 1) * 96 > this.fixed.length) {
      this.fixed = grow(this.fixed, (i + 1) * 96, i * 96);
      const ends = new Uint32Array(this.fixed.length / 96);
      ends.set(this.ends.subarray(0, i));
      this.ends = ends;
    }
    this.fixed.set(key.subarray(0, 32), i * 96);
    const start = this.#start(i);
    const end = start + messageLength;
    if (end > this.messages.length) this.messages = grow(this.messages, end, start);
    this.ends[i] = end;
    return i;
  }

  /**
   * The batch as a worker request.
   *
   * @param id The request id.
   * @returns Views of the used part of the buffers.
   */
  request(id: number): VerifyRequest {
    const n = this.count;
    return {
      id,
      fixed: this.fixed.subarray(0, n * 96),
      messages: this.messages.subarray(0, n === 0 ? 0 : this.ends[n - 1]),
      ends: this.ends.subarray(0, n),
      count: n,
    };
  }
}

function grow(buf: Uint8Array, atLeast: number, keep: number): Uint8Array {
  const out = new Uint8Array(Math.max(atLeast, buf.length * 2));
  out.set(buf.subarray(0, keep));
  return out;
}
