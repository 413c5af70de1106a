/**
 * Batched Ed25519 verification for `verifySignature`: calls are queued and flushed as flat
 * batches to a small pool of dedicated worker threads that verify synchronously with
 * `node:crypto` (see `_node_ed25519.ts`), or verified on the calling thread when the workload is
 * small or no worker can run.
 *
 * - A batch is flushed when it reaches {@linkcode BATCH_ITEMS} items, else on the next macrotask
 *   (a `setTimeout(0)`), so a caller keeping many verifications in flight fills whole batches
 *   while a lone call is answered at once.
 * - Workers start on the first batch of at least {@linkcode POOL_MIN_ITEMS} items and are
 *   terminated after {@linkcode IDLE_MS} ms with nothing in flight (an unref'd timer), so a
 *   process exits promptly and tests leak nothing.
 * - Inside a worker (for example the verifier's analysis workers) everything runs inline: no
 *   nested pools.
 * - If a worker fails, its batches are verified inline and the pool is not used again.
 *
 * @module
 */

import { nodeVerifyBatch } from "./_node_ed25519.ts";

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

/** Items per batch (flushed at once when full). */
const BATCH_ITEMS = 64;
/** A flush this small, with no worker running, is verified inline. */
const POOL_MIN_ITEMS = 32;
/** A worker with this many items queued makes the calling thread verify the next batch. */
const SHARE_BACKLOG = 2 * BATCH_ITEMS;
/** Idle time after which the workers are terminated. */
const IDLE_MS = 200;
/** Worker threads (each costs about 30 MB of RSS; the calling thread verifies too). */
const POOL_SIZE = 1;

/** Deno's main thread has no `WorkerGlobalScope`; inside a worker, verify inline. */
const IN_WORKER = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !==
  "undefined";

class Batch {
  fixed = new Uint8Array(BATCH_ITEMS * 96);
  messages = new Uint8Array(BATCH_ITEMS * 64);
  ends = new Uint32Array(BATCH_ITEMS);
  count = 0;
  resolvers: ((ok: boolean) => void)[] = [];

  add(key: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const i = this.count++;
    this.fixed.set(key, i * 96);
    this.fixed.set(signature, i * 96 + 32);
    const start = i === 0 ? 0 : this.ends[i - 1];
    const end = start + message.length;
    if (end > this.messages.length) {
      const grown = new Uint8Array(Math.max(end, this.messages.length * 2));
      grown.set(this.messages.subarray(0, start));
      this.messages = grown;
    }
    this.messages.set(message, start);
    this.ends[i] = end;
    return new Promise<boolean>((resolve) => this.resolvers.push(resolve));
  }

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

  settle(bits: Uint8Array): void {
    for (let i = 0; i < this.count; i++) this.resolvers[i]((bits[i >> 3] & (1 << (i & 7))) !== 0);
  }

  verifyInline(): void {
    const r = this.request(0);
    this.settle(nodeVerifyBatch(r.fixed, r.messages, r.ends, r.count));
  }
}

interface Slot {
  worker: Worker;
  items: number;
}

let queue: Batch | undefined;
let flushTimer: number | undefined;
let idleTimer: number | undefined;
let slots: Slot[] = [];
let poolBroken = IN_WORKER;
let nextId = 0;
const inFlight = new Map<number, { batch: Batch; slot: Slot }>();

/**
 * Queues one verification (the prechecks of `verifySignature` already passed). The arguments are
 * copied before this returns.
 *
 * @param key The 32 raw public-key bytes.
 * @param message The signed bytes.
 * @param signature The 64-byte signature.
 * @returns Whether the cofactorless equation holds.
 */
export function queueVerify(
  key: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  queue ??= new Batch();
  const result = queue.add(key, message, signature);
  if (queue.count >= BATCH_ITEMS) flush();
  else flushTimer ??= setTimeout(flush, 0) as unknown as number;
  return result;
}

function flush(): void {
  if (flushTimer !== undefined) {
    clearTimeout(flushTimer);
    flushTimer = undefined;
  }
  const batch = queue;
  queue = undefined;
  if (batch === undefined || batch.count === 0) return;
  if (poolBroken || (slots.length === 0 && batch.count < POOL_MIN_ITEMS) || !startPool()) {
    batch.verifyInline();
    return;
  }
  if (idleTimer !== undefined) {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  }
  let slot = slots[0];
  for (const s of slots) if (s.items < slot.items) slot = s;
  if (slot.items >= SHARE_BACKLOG) {
    // Every worker has a backlog: this thread takes the batch, so all cores stay busy.
    batch.verifyInline();
    return;
  }
  slot.items += batch.count;
  const id = nextId++;
  inFlight.set(id, { batch, slot });
  slot.worker.postMessage(batch.request(id));
}

function startPool(): boolean {
  if (slots.length > 0) return true;
  try {
    for (let i = 0; i < POOL_SIZE; i++) {
      const worker = new Worker(new URL("./_verify_worker.ts", import.meta.url).href, {
        type: "module",
      });
      const slot: Slot = { worker, items: 0 };
      worker.onmessage = (e: MessageEvent<VerifyAnswer>) => answered(slot, e.data);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        breakPool();
      };
      worker.onmessageerror = () => breakPool();
      slots.push(slot);
    }
    return true;
  } catch {
    breakPool();
    return false;
  }
}

function answered(slot: Slot, answer: VerifyAnswer): void {
  const entry = inFlight.get(answer.id);
  if (entry === undefined) return;
  inFlight.delete(answer.id);
  slot.items -= entry.batch.count;
  if (answer.bits !== undefined) entry.batch.settle(answer.bits);
  else entry.batch.verifyInline();
  if (inFlight.size === 0 && queue === undefined && idleTimer === undefined) {
    idleTimer = setTimeout(stopPool, IDLE_MS) as unknown as number;
    Deno.unrefTimer(idleTimer);
  }
}

function stopPool(): void {
  idleTimer = undefined;
  if (inFlight.size > 0) return;
  for (const s of slots) s.worker.terminate();
  slots = [];
}

/** A worker failed: verify everything it held inline and stop using workers. */
function breakPool(): void {
  poolBroken = true;
  for (const s of slots) s.worker.terminate();
  slots = [];
  const pending = [...inFlight.values()];
  inFlight.clear();
  for (const { batch } of pending) batch.verifyInline();
}
