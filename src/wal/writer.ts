/**
 * The Spine v1 writer: durable, concurrent and crash-safe appends to a WAL directory.
 *
 * - **Durability**: each batch is one `write` of complete lines to the current segment, then
 *   `FsFile.syncData()` before the append is acknowledged (`sync: "always"` and `"batch"`; never
 *   with `"none"`).
 * - **Concurrency**: every append batch runs under an exclusive OS lock on `DIR/.lock` (other
 *   processes) and an in-process mutex (other callers), and re-reads the head under the lock
 *   (a `stat` of the last segment; its tail only when it changed).
 * - **Pipelining**: a batch is chained (sequence numbers, timestamps, entry hashes, lines) and
 *   its signing started (in a worker thread when large) as soon as it is submitted, onto the head
 *   the writer expects; under the lock it is chained again if another writer moved the head. So
 *   batch N+1 is prepared and signed while batch N is written and synced.
 * - **Crash safety**: a torn final line is moved to a quarantine file before anything is
 *   appended (reported in {@linkcode Wal.recovered}); `chain_state.json` is a cache rebuilt from
 *   the log.
 *
 * See `spec/storage.md`.
 *
 * @module
 */

import type { PublicKey } from "../crypto/ed25519.ts";
import { keyIdFor, signBatch, type SigningKey, stopBatchSigning } from "../crypto/keys.ts";
import { entryHash, GENESIS_PREV_HASH, toHex } from "../format/hashes.ts";
import { nanosToTimestamp } from "../format/timestamp.ts";
import { syncDir, writeAll } from "./durable.ts";
import { ioReason, WalError } from "./errors.ts";
import { type HeadRecord, scanHead } from "./head.ts";
import { WalLock } from "./lock.ts";
import { DEFAULT_MAX_PAYLOAD_BYTES, type PreparedPayload, preparePayload } from "./payload.ts";
import type { QuarantinedTail } from "./quarantine.ts";
import {
  type EncodedLines,
  encodeRecordLines,
  type LineFieldsToWrite,
  writeSignatures,
} from "./record_line.ts";
import { nextSegmentName } from "./segment_name.ts";
import { listSegments } from "./segments.ts";
import {
  readChainState,
  readStreamMeta,
  type StreamMeta,
  writeChainState,
  writeStreamMeta,
} from "./state.ts";
import { uuidV7 } from "./uuid_v7.ts";

/** When appends reach the disk: per record, per batch, or when the OS decides. */
export type SyncPolicy = "always" | "batch" | "none";

/** Default segment size limit: 10 MiB, as the upstream Python SDK. */
export const DEFAULT_SEGMENT_MAX_BYTES = 10 * 1024 * 1024;

/** Largest record line the writer reads back (payload cap plus headroom). */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** Options of {@linkcode createWal}. */
export interface CreateWalOptions {
  /** The `namespace` of `stream.meta.json` (default `"default"`). */
  namespace?: string;
  /** The key that will sign the first records: its id goes to `initial_key_id`. */
  signingKey?: SigningKey;
}

/** Options of {@linkcode openWal}. */
export interface OpenWalOptions {
  /** The key that signs appended records. */
  signingKey: SigningKey;
  /** Durability policy (default `"always"`). */
  sync?: SyncPolicy;
  /** Roll over to a new segment when the current one would exceed this size (default 10 MiB). */
  segmentMaxBytes?: number;
  /** Cap on one payload's canonical size (default 1 MiB). */
  maxPayloadBytes?: number;
  /** Create the WAL (directory and `stream.meta.json`) if it does not exist yet. */
  create?: boolean | Omit<CreateWalOptions, "signingKey">;
  /** Clock in nanoseconds since the epoch (default: the system clock); for tests. */
  clock?: () => bigint;
  /**
   * Sign checkpoints automatically (`spec/checkpoint.md`): after an append crosses a multiple of
   * `every` records, and/or on `close()`. Each checkpoint scans the whole log once.
   */
  checkpoint?: { every?: number; onClose?: boolean; origin?: string };
}

/** What an append returns for each record. */
export interface AppendResult {
  /** The record's sequence number. */
  seq: number;
  /** Its entry hash (the next record's `prev_hash`). */
  entryHash: string;
  /** Its `event_id`. */
  eventId: string;
  /** Its `ts_client`. */
  tsClient: string;
}

/** Something the writer repaired while opening or appending. */
export type Recovery =
  | ({ kind: "torn_tail" } & QuarantinedTail)
  | { kind: "chain_state_rebuilt"; details: string };

/**
 * Creates a WAL: the directory (with parents), `stream.meta.json` (`stream_id` =
 * `stream_` + 16 random hex) and an empty first segment, so the new log verifies at once.
 *
 * @param dir The WAL directory; it may exist if it is empty of segments and metadata.
 * @param options Namespace and the initial key.
 * @returns The metadata written.
 * @throws {WalError} If the directory already holds a WAL (metadata or segments) or cannot be written.
 * @example
 * ```ts
 * import { createWal } from "./writer.ts";
 * const meta = await createWal(`${await Deno.makeTempDir()}/audit`, { namespace: "demo" });
 * console.assert(meta.stream_id.startsWith("stream_"));
 * ```
 */
export async function createWal(dir: string, options: CreateWalOptions = {}): Promise<StreamMeta> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new WalError(`Cannot create WAL directory ${dir}: ${ioReason(e)}`, { cause: e });
  }
  if ((await readStreamMeta(dir)) !== undefined) {
    throw new WalError(`${dir} is already a Spine WAL (stream.meta.json exists)`);
  }
  if ((await listSegments(dir)).length > 0) {
    throw new WalError(`${dir} already holds segment files; refusing to create a WAL over them`);
  }
  const meta: StreamMeta = {
    stream_id: "stream_" + toHex(crypto.getRandomValues(new Uint8Array(8))),
    created_at: nanosToTimestamp(systemClockNs()),
    initial_key_id: options.signingKey?.keyId ?? null,
    namespace: options.namespace ?? "default",
  };
  try {
    await writeStreamMeta(dir, meta);
    const segment = nextSegmentName(new Date(), undefined);
    (await Deno.open(`${dir}/${segment}`, { write: true, createNew: true, mode: 0o644 })).close();
    await syncDir(dir);
  } catch (e) {
    throw new WalError(`Cannot initialize WAL ${dir}: ${ioReason(e)}`, { cause: e });
  }
  return meta;
}

/**
 * Opens a WAL for appending: takes the lock once to read the head, quarantine a torn tail and
 * rebuild a missing or stale `chain_state.json`, then releases it (each append takes it again).
 *
 * @param dir The WAL directory.
 * @param options The signing key and policies.
 * @returns The open WAL; call `close()` when done.
 * @throws {WalError} If the directory is not a WAL (and `create` is not set), or cannot be used.
 * @throws {RangeError} If `segmentMaxBytes` or `maxPayloadBytes` is not a positive integer.
 * @throws {TypeError} If `sync` is not a policy name.
 * @example
 * ```ts
 * import { openWal } from "./writer.ts";
 * import { generateSigningKey } from "../crypto/keys.ts";
 * const wal = await openWal(`${await Deno.makeTempDir()}/audit`, {
 *   signingKey: await generateSigningKey(),
 *   create: true,
 * });
 * const { seq } = await wal.append({ event_type: "login", user: "alice" });
 * await wal.close();
 * console.assert(seq === 1);
 * ```
 */
export async function openWal(dir: string, options: OpenWalOptions): Promise<Wal> {
  const sync = options.sync ?? "always";
  if (sync !== "always" && sync !== "batch" && sync !== "none") {
    throw new TypeError(`Sync policy ${JSON.stringify(sync)} is not always, batch or none`);
  }
  const segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES;
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  for (
    const [name, v] of [["segmentMaxBytes", segmentMaxBytes], [
      "maxPayloadBytes",
      maxPayloadBytes,
    ]] as const
  ) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`${name} ${v} is not a positive integer`);
    }
  }
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new WalError(`Cannot read WAL directory ${dir}: ${ioReason(e)}`, { cause: e });
    }
  }
  if (info !== undefined && !info.isDirectory) {
    throw new WalError(`WAL path ${dir} is not a directory`);
  }
  let meta = info === undefined ? undefined : await readStreamMeta(dir);
  if (meta === undefined && options.create) {
    const hasSegments = info !== undefined && (await listSegments(dir)).length > 0;
    if (!hasSegments) {
      const createOptions = typeof options.create === "object" ? options.create : {};
      meta = await createWal(dir, { ...createOptions, signingKey: options.signingKey });
    }
  } else if (info === undefined) {
    throw new WalError(`WAL directory ${dir} does not exist; run "spine init --wal ${dir}"`);
  }
  let lock: WalLock;
  try {
    lock = await WalLock.open(dir);
  } catch (e) {
    throw new WalError(`Cannot open the lock file of ${dir}: ${ioReason(e)}`, { cause: e });
  }
  const wal = new Wal(dir, lock, meta, options.signingKey, {
    sync,
    segmentMaxBytes,
    maxPayloadBytes,
    clock: options.clock ?? systemClockNs,
    checkpoint: options.checkpoint,
  });
  try {
    await wal._open();
  } catch (e) {
    lock.close();
    throw e;
  }
  return wal;
}

interface WalSettings {
  sync: SyncPolicy;
  segmentMaxBytes: number;
  maxPayloadBytes: number;
  clock: () => bigint;
  checkpoint?: { every?: number; onClose?: boolean; origin?: string };
}

type PayloadSource = PreparedPayload | ((seq: bigint) => PreparedPayload);

/** One record of a chained batch. */
interface ChainedRecord extends LineFieldsToWrite {
  ts: bigint;
  /** Its entry hash. */
  hash: string;
}

/**
 * A batch chained ahead of the lock (see `Wal.appendPrepared`): sequence numbers, timestamps and
 * entry hashes assigned after `base`, lines laid out, signatures being computed.
 */
interface ChainedBatch {
  /** The record this batch chains onto (`null`: genesis). */
  base: HeadRecord | null;
  streamId: string;
  key: SigningKey;
  records: ChainedRecord[];
  /** The last payload's value (a rotation record changes who may append next). */
  lastPayload: PreparedPayload;
  lines: EncodedLines;
  signatures: Promise<Uint8Array>;
  /** The uncommitted batch of this writer it chains onto, if any. */
  after: ChainedBatch | undefined;
  state: "pending" | "committed" | "failed";
}

/**
 * An open WAL. Create with {@linkcode openWal}. Methods may be called concurrently: they are
 * serialized in call order.
 */
export class Wal {
  /** The WAL directory. */
  readonly dir: string;
  /** What the writer repaired (torn tails moved aside, state rebuilt), oldest first. */
  readonly recovered: Recovery[] = [];
  #streamId = "";
  #meta: StreamMeta | undefined;
  #key: SigningKey;
  readonly #lock: WalLock;
  readonly #s: WalSettings;
  #head: HeadRecord | null = null;
  /** The head after every batch chained so far (the head, when none is pending). */
  #tip: HeadRecord | null = null;
  /** The latest chained batch, until it is committed or fails. */
  #lastChained: ChainedBatch | undefined;
  #segment: string | undefined;
  #segmentSize = 0;
  #file: { name: string; file: Deno.FsFile } | undefined;
  #closed = false;

  /**
   * Internal: use {@linkcode openWal}.
   *
   * @param dir The directory.
   * @param lock Its lock.
   * @param meta Its metadata, if any.
   * @param key The signing key.
   * @param settings Policies.
   */
  constructor(
    dir: string,
    lock: WalLock,
    meta: StreamMeta | undefined,
    key: SigningKey,
    settings: WalSettings,
  ) {
    this.dir = dir;
    this.#lock = lock;
    this.#meta = meta;
    this.#key = key;
    this.#s = settings;
  }

  /** The `stream_id` records get (the head record's, else `stream.meta.json`'s). */
  get streamId(): string {
    return this.#streamId;
  }

  /** The key that signs the next record (changes after {@linkcode Wal.rotateKey}). */
  get signingKey(): SigningKey {
    return this.#key;
  }

  /** The last record this writer knows of: `{seq, entryHash}`, or `null` for an empty log. */
  get head(): { seq: number; entryHash: string } | null {
    return this.#head === null
      ? null
      : { seq: Number(this.#head.seq), entryHash: this.#head.entryHash };
  }

  /**
   * Internal: first head read and state rebuild, under the lock.
   *
   * @returns Resolves when done.
   */
  async _open(): Promise<void> {
    await this.#lock.hold(async () => {
      await this.#refresh(true);
      if (this.#head === null && this.#meta === undefined) {
        throw new WalError(
          `${this.dir} is not a Spine WAL (no stream.meta.json and no records); run "spine init"`,
        );
      }
      await this.#syncChainState(true);
      this.#tip = this.#head;
    });
  }

  /**
   * Appends one event.
   *
   * @param payload A JSON object: a plain object (safe integers, no floats) or a document-model `Map`.
   * @returns The new record's seq, entry hash and event id, once it is durable per the sync policy.
   * @throws {import("./payload.ts").PayloadError} If the payload is refused (nothing is written).
   * @throws {WalError} For I/O failures or an unusable log head.
   * @example
   * ```ts ignore
   * const { seq, entryHash } = await wal.append({ event_type: "login", user: "alice" });
   * ```
   */
  async append(payload: unknown): Promise<AppendResult> {
    const [r] = await this.appendMany([payload]);
    return r;
  }

  /**
   * Appends several events as one batch: one write and one fsync for all of them (per segment
   * touched); signatures are computed concurrently. Every payload is validated before anything
   * is written, so a refused payload writes none of the batch.
   *
   * @param payloads JSON objects, as for {@linkcode Wal.append}.
   * @returns One result per payload, in order, once the batch is durable per the sync policy.
   * @throws {import("./payload.ts").PayloadError} If a payload is refused (nothing is written);
   *   its index is in the message.
   * @throws {WalError} For I/O failures or an unusable log head.
   * @example
   * ```ts ignore
   * const results = await wal.appendMany([{ event_type: "a" }, { event_type: "b" }]);
   * ```
   */
  appendMany(payloads: readonly unknown[]): Promise<AppendResult[]> {
    const prepared = payloads.map((p, i) => {
      try {
        return preparePayload(p, this.#s.maxPayloadBytes);
      } catch (e) {
        if (payloads.length > 1 && e instanceof Error) e.message = `payloads[${i}]: ${e.message}`;
        throw e;
      }
    });
    return this.appendPrepared(prepared);
  }

  /**
   * Appends payloads already validated with `preparePayload` (the CLI prepares outside the lock).
   *
   * Pipelined: before this returns its promise, the batch is chained onto the head this writer
   * expects after its earlier, still pending batches (sequence numbers, timestamps, entry hashes,
   * lines), and its signing starts (in a worker thread for large batches). So a caller can chain
   * batch N+1 while batch N is signed, written and synced. Under the lock, if the log's head is
   * not the one the batch was chained onto (another writer appended), the batch is chained again
   * onto the real head; if an earlier batch it was chained onto failed, it fails too.
   *
   * @param prepared Prepared payloads.
   * @returns One result per payload, once they are durable per the sync policy.
   * @throws {WalError} For I/O failures, an unusable log head, a closed WAL, or an earlier
   *   pending append of this writer that failed.
   */
  async appendPrepared(prepared: readonly PayloadSource[]): Promise<AppendResult[]> {
    if (prepared.length === 0) return [];
    if (this.#closed) throw new WalError(`WAL ${this.dir} is closed`);
    const batch = this.#chain(prepared, this.#tip, this.#lastChained);
    this.#lastChained = batch;
    this.#tip = headAfter(batch);
    const results = await this.#lock.hold(() => this.#commit(batch, prepared));
    const every = this.#s.checkpoint?.every;
    if (every !== undefined && every > 0) {
      const first = results[0].seq;
      const last = results[results.length - 1].seq;
      if (Math.floor(last / every) > Math.floor((first - 1) / every)) await this.checkpoint();
    }
    return results;
  }

  /**
   * Signs a checkpoint of the whole log with this WAL's key and stores it in
   * `DIR/checkpoints/` (see `spec/checkpoint.md`).
   *
   * @returns The path of the checkpoint file.
   * @throws {WalError} If the log cannot be read or the checkpoint cannot be written.
   */
  async checkpoint(): Promise<string> {
    // Loaded on demand: plain appends need none of the Merkle code.
    const { createCheckpoint, defaultOrigin } = await import("../checkpoint/log_checkpoint.ts");
    const origin = this.#s.checkpoint?.origin ?? await defaultOrigin(this.dir);
    return (await createCheckpoint(this.dir, this.#key, origin)).file;
  }

  /**
   * Rotates the signing key: appends a `key_rotation` record signed by the current key with
   * `effective_seq` = its seq + 1, then signs later records with `newKey`.
   *
   * @param newKey The next key.
   * @param options `reason` is stored in the record.
   * @returns The rotation record's result.
   * @throws {RangeError} If `newKey` is the current key.
   * @throws {WalError} For I/O failures.
   * @example
   * ```ts ignore
   * await wal.rotateKey(await generateSigningKey(), { reason: "scheduled" });
   * ```
   */
  async rotateKey(newKey: SigningKey, options: { reason?: string } = {}): Promise<AppendResult> {
    if (newKey.publicKey.hex === this.#key.publicKey.hex) {
      throw new RangeError("The new key is the current key");
    }
    const [r] = await this.appendPrepared([(seq) =>
      preparePayload({
        type: "key_rotation",
        new_key_id: newKey.keyId,
        new_public_key: newKey.publicKey.hex,
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
        effective_seq: Number(seq + 1n),
      })]);
    this.#key = newKey;
    return r;
  }

  /**
   * Revokes a key: appends a `key_revocation` record (our extension) signed by the current key,
   * with `effective_seq` = its seq + 1. Verifiers then reject later records signed by that key.
   *
   * @param publicKey The key to revoke.
   * @param options `reason` (stored) and `keyId` (default `keyIdFor(publicKey)`).
   * @returns The revocation record's result.
   * @throws {RangeError} If `publicKey` is the current signing key.
   * @throws {WalError} For I/O failures.
   * @example
   * ```ts ignore
   * await wal.revokeKey(leakedKey.publicKey, { reason: "key leaked" });
   * ```
   */
  async revokeKey(
    publicKey: PublicKey,
    options: { reason: string; keyId?: string },
  ): Promise<AppendResult> {
    if (publicKey.hex === this.#key.publicKey.hex) {
      throw new RangeError("Refusing to revoke the key that signs this WAL; rotate it first");
    }
    const [r] = await this.appendPrepared([(seq) =>
      preparePayload({
        type: "key_revocation",
        revoked_key_id: options.keyId ?? keyIdFor(publicKey),
        revoked_public_key: publicKey.hex,
        reason: options.reason,
        effective_seq: Number(seq + 1n),
      })]);
    return r;
  }

  /**
   * Writes `chain_state.json` for the current head and closes the files. Idempotent.
   *
   * @returns Resolves when closed.
   * @throws {WalError} For I/O failures writing the state (the log itself is unaffected).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#s.checkpoint?.onClose && this.#head !== null) await this.checkpoint();
      await this.#lock.hold(async () => {
        await this.#refresh(false);
        await this.#syncChainState(false);
      });
    } finally {
      this.#closed = true;
      this.#file?.file.close();
      this.#file = undefined;
      this.#lock.close();
      stopBatchSigning();
    }
  }

  /**
   * Closes the WAL ({@linkcode Wal.close}) when an `await using` binding goes out of scope.
   *
   * @returns Resolves when closed.
   * @throws {WalError} As {@linkcode Wal.close}.
   * @example
   * ```ts
   * import { generateSigningKey, openWal } from "../../mod.ts";
   *
   * const dir = await Deno.makeTempDir();
   * try {
   *   {
   *     await using wal = await openWal(`${dir}/audit`, {
   *       signingKey: await generateSigningKey(),
   *       create: true,
   *     });
   *     await wal.append({ event_type: "user.login" });
   *   } // closed here: chain_state.json written, lock released
   *   await Deno.stat(`${dir}/audit/chain_state.json`);
   * } finally {
   *   await Deno.remove(dir, { recursive: true });
   * }
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Re-reads the head if the log changed since we last looked (under the lock). */
  async #refresh(force: boolean): Promise<void> {
    if (!force && this.#segment !== undefined) {
      const names = await listSegments(this.dir).catch((e) => {
        throw new WalError(`Cannot list WAL directory ${this.dir}: ${ioReason(e)}`, { cause: e });
      });
      if (names[names.length - 1] === this.#segment) {
        const info = await Deno.stat(`${this.dir}/${this.#segment}`);
        // Same size and, if we hold it open, the same file: a redaction renames a rewritten
        // segment over the old one, and appends must never go to the replaced inode.
        const sameFile = this.#file === undefined || info.ino === null ||
          (await this.#file.file.stat()).ino === info.ino;
        if (info.size === this.#segmentSize && sameFile) return;
      }
    }
    const scan = await scanHead(this.dir, MAX_LINE_BYTES);
    if (scan.quarantined !== undefined) {
      this.recovered.push({ kind: "torn_tail", ...scan.quarantined });
    }
    this.#head = scan.head;
    this.#segment = scan.lastSegment;
    this.#segmentSize = scan.lastSegmentSize;
    this.#streamId = scan.head?.streamId ?? this.#meta?.stream_id ?? "";
    // Someone else changed the log: reopen the segment by name before the next write.
    this.#file?.file.close();
    this.#file = undefined;
  }

  /** Rewrites chain_state.json when it does not name the head (the log is the truth). */
  async #syncChainState(reportStale: boolean): Promise<void> {
    if (this.#head === null) return;
    const state = await readChainState(this.dir);
    const head = this.#head;
    if (
      state && state.seq === head.seq && state.prevHash === head.entryHash &&
      state.streamId === this.#streamId
    ) {
      return;
    }
    // A state behind the log is normal (other writers appended since, or a crash came before
    // close): rebuilt silently. One ahead of the log, or unreadable, is worth a word.
    const behind = state !== null && state !== undefined && state.seq < head.seq;
    if (reportStale && state !== undefined && !behind) {
      this.recovered.push({
        kind: "chain_state_rebuilt",
        details: state === null
          ? "chain_state.json was not a valid state file"
          : `chain_state.json named seq ${state.seq}, the log ends at seq ${head.seq}`,
      });
    }
    try {
      await writeChainState(
        this.dir,
        { streamId: this.#streamId, seq: head.seq, prevHash: head.entryHash },
        nanosToTimestamp(this.#now()),
        this.#s.sync !== "none",
      );
    } catch (e) {
      throw new WalError(`Cannot write ${this.dir}/chain_state.json: ${ioReason(e)}`, { cause: e });
    }
  }

  #now(): bigint {
    const ns = this.#s.clock();
    return ns - (((ns % 1000n) + 1000n) % 1000n); // whole microseconds
  }

  /**
   * Steps 2 to 4 of `spec/storage.md` §2 for a batch, ahead of the lock: sequence numbers,
   * timestamps and entry hashes after `base`, signing started, lines laid out.
   */
  #chain(
    sources: readonly PayloadSource[],
    base: HeadRecord | null,
    after: ChainedBatch | undefined,
  ): ChainedBatch {
    const key = this.#key;
    // Step 2: entry hashes are sequential; timestamps never go backwards (a previous one with
    // sub-microsecond digits is rounded up).
    let seq = base?.seq ?? 0n;
    let prev = base?.entryHash ?? GENESIS_PREV_HASH;
    let ts = base === null
      ? -(2n ** 62n)
      : base.tsNs + ((1000n - (((base.tsNs % 1000n) + 1000n) % 1000n)) % 1000n);
    const now = this.#now();
    const records = new Array<ChainedRecord>(sources.length);
    const messages = new Uint8Array(sources.length * 64);
    let payload: PreparedPayload | undefined;
    let tsClient = "";
    let tsShown: bigint | undefined;
    for (let i = 0; i < sources.length; i++) {
      seq += 1n;
      const source = sources[i];
      payload = typeof source === "function" ? source(seq) : source;
      if (now > ts) ts = now;
      if (ts !== tsShown) {
        tsClient = nanosToTimestamp(ts);
        tsShown = ts;
      }
      const hash = entryHash(seq, ts, prev, payload.hash);
      for (let j = 0, at = i * 64; j < 64; j++) messages[at + j] = hash.charCodeAt(j);
      records[i] = {
        eventId: `evt_${uuidV7()}`,
        seq,
        prevHash: prev,
        ts,
        tsClient,
        payload: payload.canonical,
        payloadHash: payload.hash,
        hash,
      };
      prev = hash;
    }
    // Step 3: sign every entry hash (the 64 ASCII hex characters), while step 4 lays out lines.
    const signatures = signBatch(key, messages, 64);
    signatures.catch(() => {}); // awaited by #commit
    const lines = encodeRecordLines(
      { streamId: this.#streamId, keyId: key.keyId, publicKey: key.publicKey.hex },
      records,
    );
    return {
      base,
      streamId: this.#streamId,
      key,
      records,
      lastPayload: payload!,
      lines,
      signatures,
      after,
      state: "pending",
    };
  }

  /** Steps 1 and 5 to 7 of `spec/storage.md` §2, under the lock. */
  async #commit(chained: ChainedBatch, sources: readonly PayloadSource[]): Promise<AppendResult[]> {
    let batch = chained;
    try {
      if (this.#closed) throw new WalError(`WAL ${this.dir} is closed`);
      if (batch.after?.state === "failed") {
        throw new WalError(`Not appended to ${this.dir}: an earlier append of this writer failed`);
      }
      // Step 1: re-read the head.
      await this.#refresh(false);
      const head = this.#head;
      if (
        head?.payloadType === "key_rotation" && head.newPublicKey !== undefined &&
        head.newPublicKey !== this.#key.publicKey.hex
      ) {
        throw new WalError(
          `The last record of ${this.dir} rotated the signing key to ${
            head.newPublicKey.slice(0, 16)
          }…; ` +
            `key ${this.#key.keyId} may no longer append`,
        );
      }
      if (
        !sameRecord(head, batch.base) || batch.key !== this.#key ||
        batch.streamId !== this.#streamId
      ) {
        // Another writer appended (or the key changed) since the batch was chained: steps 2 to 4
        // again, onto the real head.
        batch = this.#chain(sources, head, undefined);
      }
      writeSignatures(batch.lines, await batch.signatures);
      // Steps 5 and 6: one write per segment, then fdatasync.
      await this.#writeLines(batch.lines);
      this.#head = headAfter(batch);
      chained.state = "committed";
    } catch (e) {
      chained.state = "failed";
      throw e;
    } finally {
      chained.after = undefined; // settled: no need to keep the chain of earlier batches
      if (this.#lastChained === chained) {
        this.#lastChained = undefined;
        this.#tip = this.#head;
      }
    }
    // Step 7: only now report the records.
    return batch.records.map((r) => ({
      seq: Number(r.seq),
      entryHash: r.hash,
      eventId: r.eventId,
      tsClient: r.tsClient,
    }));
  }

  /** Writes lines to the current segment, rolling over at the size limit; one write per segment. */
  async #writeLines({ bytes, ends }: EncodedLines): Promise<void> {
    const max = this.#s.segmentMaxBytes;
    let i = 0;
    let start = 0;
    while (i < ends.length) {
      let name = this.#segment;
      if (
        name === undefined ||
        (this.#segmentSize > 0 && this.#segmentSize + (ends[i] - start) > max)
      ) {
        name = await this.#newSegment();
      }
      const size = this.#segmentSize;
      let j = i + 1;
      while (j < ends.length && size + (ends[j] - start) <= max) j++;
      const end = ends[j - 1];
      const file = await this.#openSegment(name);
      try {
        await writeAll(file, bytes.subarray(start, end));
        if (this.#s.sync !== "none") await file.syncData();
      } catch (e) {
        // Leave no partial line behind: cut back to the last complete record.
        await file.truncate(size).catch(() => {});
        throw new WalError(`Cannot append to ${this.dir}/${name}: ${ioReason(e)}`, { cause: e });
      }
      this.#segmentSize = size + (end - start);
      start = end;
      i = j;
    }
  }

  async #newSegment(): Promise<string> {
    const name = nextSegmentName(new Date(Number(this.#now() / 1_000_000n)), this.#segment);
    try {
      (await Deno.open(`${this.dir}/${name}`, { write: true, createNew: true, mode: 0o644 }))
        .close();
      if (this.#s.sync !== "none") await syncDir(this.dir);
    } catch (e) {
      throw new WalError(`Cannot create segment ${this.dir}/${name}: ${ioReason(e)}`, { cause: e });
    }
    this.#segment = name;
    this.#segmentSize = 0;
    return name;
  }

  async #openSegment(name: string): Promise<Deno.FsFile> {
    if (this.#file?.name === name) return this.#file.file;
    this.#file?.file.close();
    this.#file = undefined;
    try {
      const file = await Deno.open(`${this.dir}/${name}`, { write: true, append: true });
      this.#file = { name, file };
      return file;
    } catch (e) {
      throw new WalError(`Cannot open segment ${this.dir}/${name}: ${ioReason(e)}`, { cause: e });
    }
  }
}

/** The head after a batch: its last record. */
function headAfter(batch: ChainedBatch): HeadRecord {
  const last = batch.records[batch.records.length - 1];
  const value = batch.lastPayload.value;
  const type = value instanceof Map ? value.get("type") : undefined;
  const newKey = type === "key_rotation"
    ? (value as Map<string, unknown>).get("new_public_key")
    : undefined;
  return {
    seq: last.seq,
    entryHash: last.hash,
    tsNs: last.ts,
    streamId: batch.streamId,
    payloadType: typeof type === "string" ? type : undefined,
    newPublicKey: typeof newKey === "string" ? newKey : undefined,
  };
}

/** Whether two heads are the same record. */
function sameRecord(a: HeadRecord | null, b: HeadRecord | null): boolean {
  return a === null || b === null
    ? a === b
    : a.seq === b.seq && a.entryHash === b.entryHash && a.tsNs === b.tsNs;
}

/** Wall-clock nanoseconds (microsecond resolution from `performance`). */
function systemClockNs(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
