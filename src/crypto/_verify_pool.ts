/**
 * Batched Ed25519 verification: flat batches of checks go to a small pool of dedicated worker
 * threads that verify synchronously with `node:crypto` (see `_node_ed25519.ts`).
 *
 * - {@linkcode submitBatch} hands over a whole batch (the verifier's hot path: one promise per
 *   batch, not per signature). Each worker holds at most {@linkcode OUTSTANDING} batches; the
 *   rest wait here, and a caller about to block on one can verify it itself with
 *   {@linkcode helpOne}, so the calling thread verifies only when it has nothing else to do.
 * - {@linkcode queueVerify} queues one check (for `verifySignature`): single checks are
 *   gathered into batches, flushed when full or on the next macrotask.
 * - Workers start on the first batch of at least {@linkcode POOL_MIN_ITEMS} items (smaller work
 *   is verified inline) and are terminated after {@linkcode IDLE_MS} ms with nothing in flight
 *   (an unref'd timer), so a process exits promptly and tests leak nothing.
 * - Inside a worker (for example the verifier's analysis workers) everything runs inline: no
 *   nested pools.
 * - If a worker fails, its batches are verified inline and the pool is not used again.
 *
 * @module
 */

import { nodeVerifyBatch } from "./_node_ed25519.ts";
import { type VerifyAnswer, VerifyBatch } from "./_verify_batch.ts";

/** Single checks gathered per batch by `queueVerify` (flushed at once when full). */
const QUEUE_ITEMS = 64;
/** A batch this small, with no worker running, is verified inline. */
const POOL_MIN_ITEMS = 32;
/** Batches a worker holds at once; more wait in `pending` (and may be taken by `helpOne`). */
const OUTSTANDING = 4;
/** Idle time after which the workers are terminated. */
const IDLE_MS = 200;
/**
 * Worker threads: one per core beyond the calling thread's, at most 3 (each costs 20-30 MB of
 * RSS; past about 3 the calling thread's per-line work is the limit). On the 2-core bench machine:
 * one worker, the calling thread helping.
 */
let poolSize = Math.min(3, Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1));

/** Deno's main thread has no `WorkerGlobalScope`; inside a worker, verify inline. */
const IN_WORKER = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !==
  "undefined";

interface Job {
  batch: VerifyBatch;
  resolve: (bits: Uint8Array) => void;
}

interface Slot {
  worker: Worker;
  jobs: number;
}

let queue: VerifyBatch | undefined;
let queueResolvers: ((ok: boolean) => void)[] = [];
let flushTimer: number | undefined;
let idleTimer: number | undefined;
let slots: Slot[] = [];
let poolBroken = IN_WORKER;
let nextId = 0;
/** Submitted batches no worker holds yet, oldest first. */
const pending: Job[] = [];
const inFlight = new Map<number, { job: Job; slot: Slot }>();

/**
 * Verifies a batch off this thread when a worker can run (inline otherwise). The batch must not
 * be changed until the promise settles.
 *
 * @param batch The checks (the prechecks of `verifySignature` already passed).
 * @returns The bitmap: bit `i & 7` of byte `i >> 3` is set when item i verified.
 */
export function submitBatch(batch: VerifyBatch): Promise<Uint8Array> {
  if (batch.count === 0) return Promise.resolve(new Uint8Array(0));
  if (
    poolBroken || (slots.length === 0 && batch.count < POOL_MIN_ITEMS) || !startPool()
  ) {
    return Promise.resolve(verifyHere(batch));
  }
  if (idleTimer !== undefined) {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  }
  return new Promise<Uint8Array>((resolve) => {
    pending.push({ batch, resolve });
    dispatch();
  });
}

/**
 * Verifies on this thread the newest batch that no worker holds yet (each worker already has
 * {@linkcode OUTSTANDING} queued), so that the calling thread shares the work instead of letting
 * it pile up.
 *
 * @returns False when no batch was waiting.
 */
export function helpOne(): boolean {
  // The newest: the one a worker would reach last.
  const job = pending.pop();
  if (job === undefined) return false;
  job.resolve(verifyHere(job.batch));
  return true;
}

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
  queue ??= new VerifyBatch(QUEUE_ITEMS);
  queue.add(key, message, signature);
  const result = new Promise<boolean>((resolve) => queueResolvers.push(resolve));
  if (queue.count >= QUEUE_ITEMS) flush();
  else flushTimer ??= setTimeout(flush, 0) as unknown as number;
  return result;
}

function flush(): void {
  if (flushTimer !== undefined) {
    clearTimeout(flushTimer);
    flushTimer = undefined;
  }
  const batch = queue;
  const resolvers = queueResolvers;
  queue = undefined;
  queueResolvers = [];
  if (batch === undefined) return;
  submitBatch(batch).then((bits) => {
    for (let i = 0; i < resolvers.length; i++) {
      resolvers[i]((bits[i >> 3] & (1 << (i & 7))) !== 0);
    }
  });
}

/** Hands waiting batches to workers with room. */
function dispatch(): void {
  while (pending.length > 0) {
    let slot: Slot | undefined;
    for (const s of slots) {
      if (s.jobs < OUTSTANDING && (slot === undefined || s.jobs < slot.jobs)) slot = s;
    }
    if (slot === undefined) return;
    const job = pending.shift()!;
    slot.jobs++;
    const id = nextId++;
    inFlight.set(id, { job, slot });
    slot.worker.postMessage(job.batch.request(id));
  }
}

function startPool(): boolean {
  if (slots.length > 0) return true;
  try {
    for (let i = 0; i < poolSize; i++) {
      const worker = new Worker(new URL("./_verify_worker.ts", import.meta.url).href, {
        type: "module",
      });
      const slot: Slot = { worker, jobs: 0 };
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
  slot.jobs--;
  const { job } = entry;
  job.resolve(answer.bits ?? verifyHere(job.batch));
  dispatch();
  if (inFlight.size === 0 && pending.length === 0 && idleTimer === undefined) {
    idleTimer = setTimeout(stopPool, IDLE_MS) as unknown as number;
    Deno.unrefTimer(idleTimer);
  }
}

function stopPool(): void {
  idleTimer = undefined;
  if (inFlight.size > 0 || pending.length > 0) return;
  for (const s of slots) s.worker.terminate();
  slots = [];
}

/** A worker failed: verify everything it held or would have held inline; use no worker again. */
function breakPool(): void {
  poolBroken = true;
  for (const s of slots) s.worker.terminate();
  slots = [];
  const jobs = [...[...inFlight.values()].map((e) => e.job), ...pending.splice(0)];
  inFlight.clear();
  for (const job of jobs) job.resolve(verifyHere(job.batch));
}

/** Verifies a batch on this thread; returns its bitmap. */
function verifyHere(batch: VerifyBatch): Uint8Array {
  const r = batch.request(0);
  return nodeVerifyBatch(r.fixed, r.messages, r.ends, r.count);
}

/**
 * Sets how many workers the pool starts next time (tests; the default follows the core count).
 *
 * @param n Workers, at least 1.
 * @returns The previous setting.
 */
export function setPoolSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`Pool size ${n} is not a positive integer`);
  }
  const previous = poolSize;
  poolSize = n;
  return previous;
}

/** Workers running now. */
export function runningWorkers(): number {
  return slots.length;
}
