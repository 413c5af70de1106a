/**
 * A small pool of workers running the per-line checks on blocks of lines.
 *
 * @module
 */

import type { BlockRequest, BlockResult } from "./_block_protocol.ts";

interface Slot {
  worker: Worker;
  pending: number;
  /** Settles when the worker has loaded (messages sent earlier could be lost: top-level await). */
  ready: Promise<void>;
  onReady: () => void;
}

/** Sends blocks to the least busy worker; answers come back as promises. */
export class AnalyzePool {
  #slots: Slot[] = [];
  #waiting = new Map<
    number,
    { resolve: (r: BlockResult) => void; reject: (e: Error) => void; slot: Slot }
  >();
  #nextId = 0;

  /**
   * @param size Number of workers.
   */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./_analyze_worker.ts", import.meta.url).href, {
        type: "module",
      });
      let onReady = () => {};
      const ready = new Promise<void>((resolve) => (onReady = resolve));
      const slot: Slot = { worker, pending: 0, ready, onReady };
      worker.onmessage = (
        e: MessageEvent<BlockResult | { id: number; error: string } | "ready">,
      ) => {
        if (e.data === "ready") return slot.onReady();
        const w = this.#waiting.get(e.data.id);
        if (w === undefined) return;
        this.#waiting.delete(e.data.id);
        w.slot.pending--;
        if ("error" in e.data) w.reject(new Error(`Verification worker failed: ${e.data.error}`));
        else w.resolve(e.data);
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        const error = new Error(`Verification worker failed: ${e.message}`);
        for (const [id, w] of this.#waiting) {
          if (w.slot === slot) {
            this.#waiting.delete(id);
            w.reject(error);
          }
        }
      };
      this.#slots.push(slot);
    }
  }

  /**
   * Analyzes a block of complete lines. The buffer is transferred (unusable until the answer).
   *
   * @param buffer The buffer holding the block.
   * @param offset Where the block starts in it.
   * @param length The block's length; it ends with LF.
   * @param maxLineBytes The line size cap.
   * @returns The block's per-line columns, with the buffer.
   */
  analyze(
    buffer: ArrayBuffer,
    offset: number,
    length: number,
    maxLineBytes: number,
  ): Promise<BlockResult> {
    let slot = this.#slots[0];
    for (const s of this.#slots) if (s.pending < slot.pending) slot = s;
    slot.pending++;
    const id = this.#nextId++;
    const req: BlockRequest = { id, buffer, offset, length, maxLineBytes };
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, slot });
      slot.ready.then(() => slot.worker.postMessage(req, [buffer]));
    });
  }

  /** Stops the workers; answers still due are dropped (their promises never settle). */
  close(): void {
    for (const s of this.#slots) s.worker.terminate();
    this.#waiting.clear();
  }
}
