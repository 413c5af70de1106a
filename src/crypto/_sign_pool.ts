/**
 * Batch signing off the calling thread: one dedicated worker (`_sign_worker.ts`) signs with
 * `node:crypto` while the caller goes on preparing the next batch (Deno's WebCrypto signs
 * Ed25519 synchronously on the calling thread).
 *
 * - A key's PKCS#8 bytes are sent to the worker once, on its first batch (the worker zeroes its
 *   copy after import); they never appear in a message, log or error.
 * - The worker is terminated after {@linkcode IDLE_MS} ms with nothing in flight (an unref'd
 *   timer) or by {@linkcode stopSignWorkerIfIdle}, so processes exit promptly.
 * - If the worker fails, the batches it held are signed by their `inline` fallback and the
 *   worker is not used again.
 *
 * @module
 */

/** Registers a key with the worker. */
export interface SignKeyRequest {
  type: "key";
  key: number;
  pkcs8: Uint8Array;
}

/** Signs `messages.length / length` messages laid end to end. */
export interface SignBatchRequest {
  type: "sign";
  id: number;
  key: number;
  messages: Uint8Array;
  length: number;
}

/** A message to the worker. */
export type SignRequest = SignKeyRequest | SignBatchRequest;

/** The worker's answer: 64 bytes of signature per message, or why it failed (no key material). */
export interface SignAnswer {
  id: number;
  signatures?: Uint8Array;
  error?: string;
}

/** Idle time after which the worker is terminated. */
const IDLE_MS = 200;

interface Job {
  resolve: (signatures: Uint8Array) => void;
  reject: (error: unknown) => void;
  inline: () => Promise<Uint8Array>;
}

let worker: Worker | undefined;
let broken = false;
let keyIds = new WeakMap<object, number>();
let nextKey = 0;
let nextJob = 0;
let idleTimer: number | undefined;
const jobs = new Map<number, Job>();

/**
 * Signs a batch in the worker, starting it if needed.
 *
 * @param owner The signing key object (identifies the key across calls).
 * @param pkcs8 Returns a fresh copy of the key's PKCS#8 DER (sent, then zeroed, once per worker).
 * @param messages The messages laid end to end (copied to the worker).
 * @param length Length of each message.
 * @param inline Signs the batch on this thread: used if the worker cannot be used.
 * @returns The signatures, 64 bytes each, in order.
 */
export function signInWorker(
  owner: object,
  pkcs8: () => Uint8Array<ArrayBuffer>,
  messages: Uint8Array,
  length: number,
  inline: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const w = startWorker();
  if (w === undefined) return inline();
  let key = keyIds.get(owner);
  if (key === undefined) {
    key = nextKey++;
    keyIds.set(owner, key);
    const der = pkcs8();
    w.postMessage({ type: "key", key, pkcs8: der } satisfies SignKeyRequest, [der.buffer]);
  }
  if (idleTimer !== undefined) {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  }
  const id = nextJob++;
  return new Promise<Uint8Array>((resolve, reject) => {
    jobs.set(id, { resolve, reject, inline });
    w.postMessage({ type: "sign", id, key, messages, length } satisfies SignBatchRequest);
  });
}

/**
 * Starts the worker ahead of the first batch, so that its start-up overlaps other work.
 *
 * @returns Whether a worker is running.
 */
export function warmSignWorker(): boolean {
  const w = startWorker();
  if (w !== undefined && jobs.size === 0) scheduleIdleStop();
  return w !== undefined;
}

/** Terminates the worker now if it holds no batch. */
export function stopSignWorkerIfIdle(): void {
  if (jobs.size === 0) stop();
}

function startWorker(): Worker | undefined {
  if (worker !== undefined || broken) return worker;
  try {
    const w = new Worker(new URL("./_sign_worker.ts", import.meta.url).href, { type: "module" });
    w.onmessage = (e: MessageEvent<SignAnswer>) => answered(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fail();
    };
    w.onmessageerror = () => fail();
    worker = w;
  } catch {
    broken = true;
  }
  return worker;
}

function answered(answer: SignAnswer): void {
  const job = jobs.get(answer.id);
  if (job === undefined) return;
  jobs.delete(answer.id);
  if (answer.signatures !== undefined) job.resolve(answer.signatures);
  else job.inline().then(job.resolve, job.reject);
  if (jobs.size === 0) scheduleIdleStop();
}

function scheduleIdleStop(): void {
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  const timer = setTimeout(stop, IDLE_MS) as unknown as number;
  Deno.unrefTimer(timer);
  idleTimer = timer;
}

function stop(): void {
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  idleTimer = undefined;
  worker?.terminate();
  worker = undefined;
  keyIds = new WeakMap();
}

/** The worker failed: sign what it held on this thread and do not use it again. */
function fail(): void {
  broken = true;
  stop();
  const held = [...jobs.values()];
  jobs.clear();
  for (const job of held) job.inline().then(job.resolve, job.reject);
}
