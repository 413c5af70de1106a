/**
 * Writer exclusion: an exclusive OS lock on `DIR/.lock` (between processes) and an async mutex
 * (between callers of one process).
 *
 * The OS lock is `FsFile.lock(true)` (`flock(LOCK_EX)` on Unix, `LockFileEx` on Windows): a
 * waiting writer sleeps in the kernel, it does not spin. The lock dies with its process, so a
 * writer killed with SIGKILL never leaves the WAL locked.
 *
 * @module
 */

/** Name of the lock file inside a WAL directory. */
export const LOCK_FILE = ".lock";

/**
 * A FIFO async mutex: `run(fn)` calls `fn` after every earlier `run` has settled.
 *
 * @example
 * ```ts
 * import { Mutex } from "./lock.ts";
 * const m = new Mutex();
 * const order: number[] = [];
 * await Promise.all([m.run(async () => { order.push(1); }), m.run(async () => { order.push(2); })]);
 * console.assert(order.join() === "1,2");
 * ```
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs `fn` exclusively.
   *
   * @param fn The critical section.
   * @returns What `fn` returns.
   * @throws What `fn` throws (later callers still run).
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}

/**
 * The inter-process writer lock of one WAL directory. Open it once, then `hold(fn)` around
 * every read-head + append + sync.
 *
 * @example
 * ```ts
 * import { WalLock } from "./lock.ts";
 * const lock = await WalLock.open(await Deno.makeTempDir());
 * const n = await lock.hold(() => Promise.resolve(42));
 * lock.close();
 * console.assert(n === 42);
 * ```
 */
export class WalLock {
  readonly #file: Deno.FsFile;
  readonly #mutex = new Mutex();
  #closed = false;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Opens (creating if needed) `dir/.lock`. Does not lock yet.
   *
   * @param dir The WAL directory.
   * @returns The lock handle.
   * @throws {Error} If the lock file cannot be opened.
   */
  static async open(dir: string): Promise<WalLock> {
    const file = await Deno.open(`${dir}/${LOCK_FILE}`, {
      read: true,
      write: true,
      create: true,
      mode: 0o644,
    });
    return new WalLock(file);
  }

  /**
   * Runs `fn` while holding both the in-process mutex and the exclusive OS lock.
   *
   * @param fn The critical section.
   * @returns What `fn` returns.
   * @throws {Error} If the lock is closed, cannot be taken, or `fn` throws.
   */
  hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      if (this.#closed) throw new Error("WAL lock is closed");
      await this.#file.lock(true);
      try {
        return await fn();
      } finally {
        await this.#file.unlock();
      }
    });
  }

  /** Closes the lock file (releasing any lock). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}
