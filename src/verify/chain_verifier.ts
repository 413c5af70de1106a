/**
 * The streaming verifier: feed it record lines in log order, read the report at the end.
 *
 * Memory stays constant whatever the log size: it keeps the previous record's state, a bounded
 * window of signature checks in flight, and the findings (capped). The numbered steps mirror
 * `spec/verification.md`.
 *
 * @module
 */

import type { PublicKey } from "../crypto/ed25519.ts";
import { checkRedactions, type PendingRedaction } from "./redactions.ts";
import { helpVerify, SignatureBatch } from "../crypto/ed25519.ts";
import { ChainRoot, GENESIS_PREV_HASH } from "../format/hashes.ts";
import { isJsonObject, type JsonValue } from "../format/json_value.ts";
import { analyzeLine, type LineAnalysis, show, STEP } from "./_analyze.ts";
import { asInteger, payloadString } from "./record_fields.ts";
import type { ErrorType, VerifyError, VerifyReport, VerifyWarning, WarningType } from "./report.ts";
import { type TrustedKey, TrustState } from "./trust.ts";

/** One line of a segment, as the verifier receives it. */
export interface RecordLine {
  /** The line without its LF. May be a view that is reused after `add` resolves. */
  bytes: Uint8Array;
  /** Segment file name. */
  file: string;
  /** 1-based line number in the file. */
  line: number;
  /** False when the line had no LF (the last line of a file). */
  terminated: boolean;
  /** Set when the line exceeded the size cap and was not read. */
  oversizedLength?: number;
}

/** Options of a verification. */
export interface VerifyOptions {
  /** Pinned keys. With none, trust is taken on first use and the report warns `unpinned_keys`. */
  trustedKeys?: TrustedKey[];
  /** Expected upstream chain root (BLAKE3 over concatenated entry hashes); mismatch is `root_mismatch`. */
  expectedRoot?: string;
  /** Stop at the first error. */
  failFast?: boolean;
  /** Treat every warning as a failure. */
  strict?: boolean;
  /** How many errors and warnings to keep in the report (default 10,000 each). */
  maxFindings?: number;
  /** Signature checks kept in flight at once (default 4,096). */
  window?: number;
}

/** Signature checks sent to the verification pool at once. */
const SIGNATURE_BATCH = 128;

/** Checks gathered for one batch, with where each verdict goes. */
interface PendingChecks {
  batch: SignatureBatch;
  order: number[];
  seq: bigint[];
  file: string[];
  at: number[];
}

interface Ordered<T> {
  order: number;
  finding: T;
}

/**
 * Verifies a Spine v1 log record by record.
 *
 * @example
 * ```ts
 * import { ChainVerifier } from "./chain_verifier.ts";
 * const v = new ChainVerifier({});
 * const report = await v.finish([]);
 * console.assert(report.events_verified === 0);
 * ```
 */
export class ChainVerifier {
  #opts: VerifyOptions;
  #trust: TrustState;
  #errors: Ordered<VerifyError>[] = [];
  #warnings: Ordered<VerifyWarning>[] = [];
  #errorCount = 0;
  #warningCount = 0;
  #ordinal = 0;
  #events = 0;
  #signatures = 0;
  #root = new ChainRoot();
  #first: bigint | null = null;
  #prevSeq: bigint | null = null;
  /** Recomputed entry hash of the previous record; null before the first, "" when unknown. */
  #prevEntry: string | null = null;
  #prevTs: bigint | null = null;
  #streamId: string | undefined;
  #pendingTorn: RecordLine | null = null;
  /** Signature checks gathered for the next batch. */
  #pending: PendingChecks | undefined;
  /** Batches submitted and not yet awaited, oldest first, and how many checks they hold. */
  #inflight: { verdicts: Promise<Uint8Array>; size: number; settled: boolean }[] = [];
  #inflightChecks = 0;
  #redactions: PendingRedaction[] = [];
  #window: number;
  #stopped = false;

  /**
   * @param options How to verify.
   */
  constructor(options: VerifyOptions) {
    this.#opts = options;
    this.#trust = new TrustState(options.trustedKeys ?? []);
    this.#window = options.window ?? 4096;
  }

  /** True once `failFast` saw an error: the caller may stop reading. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Keys trusted at this point of the log and never revoked (pinned, rotated in): the keys that
   * may sign what is made after the records, such as checkpoints.
   *
   * @returns The keys.
   */
  trustedKeys(): PublicKey[] {
    return this.#trust.unrevokedKeys();
  }

  /** Whether keys were pinned. */
  get pinned(): boolean {
    return this.#trust.pinned;
  }

  /** Entry hash of the last record seen, or null. */
  get head(): { seq: bigint; entryHash: string } | null {
    return this.#prevSeq === null || !this.#prevEntry
      ? null
      : { seq: this.#prevSeq, entryHash: this.#prevEntry };
  }

  /**
   * Records an error found outside the record stream (e.g. by directory-level checks).
   *
   * @param type The error type.
   * @param details What failed.
   * @param where Location, if any.
   */
  addError(
    type: ErrorType,
    details: string,
    where: { sequence?: bigint | null; file?: string | null; line?: number | null } = {},
  ): void {
    this.#error(
      Number.MAX_SAFE_INTEGER,
      type,
      where.sequence ?? null,
      details,
      where.file ?? null,
      where.line ?? null,
    );
  }

  /**
   * Records a warning found outside the record stream.
   *
   * @param type The warning type.
   * @param details What was seen.
   * @param where Location, if any.
   */
  addWarning(
    type: WarningType,
    details: string,
    where: { sequence?: bigint | null; file?: string | null; line?: number | null } = {},
  ): void {
    this.#warn(
      Number.MAX_SAFE_INTEGER,
      type,
      where.sequence ?? null,
      details,
      where.file ?? null,
      where.line ?? null,
    );
  }

  /**
   * Checks one line. Lines must come in log order.
   *
   * @param line The line; its bytes may be reused once the returned promise settles.
   * @returns Resolves when the line's synchronous checks are done (its signature may still be in flight).
   */
  add(line: RecordLine): Promise<void> {
    return this.feed(line) ?? Promise.resolve();
  }

  /**
   * Checks one line, like {@linkcode add}, without a promise per line: the hot loop of a whole
   * log. Lines must come in log order. The line's bytes are read before this returns.
   *
   * @param line The line.
   * @returns undefined when the next line may follow at once, else a promise to await first
   *   (too many signature checks in flight, or a key rotation waiting for its verdict).
   */
  feed(line: RecordLine): Promise<void> | undefined {
    if (this.#stopped) return;
    if (this.#pendingTorn !== null) {
      // An unterminated line that was not the last of the log: an ordinary (bad) line.
      const torn = this.#pendingTorn;
      this.#pendingTorn = null;
      const wait = this.#check(torn);
      if (wait !== undefined) {
        const copy = { ...line, bytes: line.bytes.slice() };
        return wait.then(() => this.feed(copy));
      }
    }
    if (!line.terminated) {
      this.#pendingTorn = { ...line, bytes: line.bytes.slice() };
      return;
    }
    return this.#check(line);
  }

  /**
   * Finishes: waits for signature checks, applies the end-of-log checks and builds the report.
   *
   * @param segments The segment files read, for the report.
   * @returns The report.
   */
  async finish(segments: string[]): Promise<VerifyReport> {
    if (this.#pendingTorn !== null) {
      const torn = this.#pendingTorn;
      this.#pendingTorn = null;
      // Step 12: a final line without LF was never completely written: a torn tail.
      this.#warn(
        this.#ordinal++ * 32,
        "torn_tail",
        null,
        `final line (${
          torn.oversizedLength ?? torn.bytes.length
        } bytes) has no line feed: an incomplete write, not counted as a record`,
        torn.file,
        torn.line,
      );
    }
    if (this.#pending !== undefined) this.#submit();
    await this.#settle(0);
    // Step 9, end: a redaction stands only if a key trusted at the end of the log signed it.
    for (const r of await checkRedactions(this.#redactions, this.#trust.unrevokedKeys())) {
      const { order, seq, file, line } = r.pending;
      if (r.accepted) this.#warn(order, "redacted", seq, r.details, file, line);
      else this.#error(order, "invalid_hash", seq, r.details, file, line);
    }
    this.#redactions = [];
    if (this.#events === 0) {
      this.#warn(Number.MAX_SAFE_INTEGER, "empty_log", null, "the log holds no record", null, null);
    }
    if (!this.#trust.pinned && this.#events > 0) {
      this.#warn(
        -1,
        "unpinned_keys",
        null,
        "no key pinned: signatures were checked against the records' own keys (internal consistency only)",
        null,
        null,
      );
    }
    const chainRoot = this.#events > 0 ? this.#root.digest() : null;
    const expected = this.#opts.expectedRoot?.toLowerCase();
    if (expected !== undefined && expected !== chainRoot) {
      this.#error(
        Number.MAX_SAFE_INTEGER,
        "root_mismatch",
        null,
        `chain root ${chainRoot ?? "(empty log)"} differs from the expected ${expected}`,
        null,
        null,
      );
    }
    const errors = sortFindings(this.#errors);
    const warnings = sortFindings(this.#warnings);
    const max = this.#opts.maxFindings ?? 10_000;
    if (this.#errorCount > errors.length || this.#warningCount > warnings.length) {
      warnings.push({
        warning_type: "findings_truncated",
        sequence: null,
        details:
          `${this.#errorCount} errors and ${this.#warningCount} warnings found; the first ${max} of each are listed`,
        file: null,
        line: null,
      });
    }
    const strictFail = this.#opts.strict === true && warnings.length > 0;
    const valid = errors.length === 0 && !strictFail;
    return {
      valid,
      status: errors.length > 0 ? "TAMPERED" : strictFail ? "FAILED_STRICT" : "VERIFIED",
      events_verified: this.#events,
      signatures_verified: this.#signatures,
      chain_root: chainRoot,
      head_entry_hash: this.#prevEntry || null,
      first_sequence: this.#first === null ? null : Number(this.#first),
      last_sequence: this.#prevSeq === null ? null : Number(this.#prevSeq),
      errors,
      warnings,
      pinned: this.#trust.pinned,
      segments,
    };
  }

  /**
   * Applies a line whose per-line checks already ran elsewhere (the worker pool of `verifyWal`).
   * Lines must come in log order, interleaved with `add` calls as they occur in the log.
   *
   * @param analysis What `analyzeLine` returned for the line.
   * @param file Segment file name.
   * @param line 1-based line number.
   * @param own The signature's verdict under the record's own `public_key`, when already known;
   *   used only if trust selects that very key (otherwise the signature is checked here).
   * @returns Resolves when the line is applied (a signature check may still be in flight).
   */
  async addAnalyzed(
    analysis: LineAnalysis,
    file: string,
    line: number,
    own?: boolean,
  ): Promise<void> {
    if (this.#stopped) return;
    if (this.#pendingTorn !== null) {
      const torn = this.#pendingTorn;
      this.#pendingTorn = null;
      await this.#check(torn);
    }
    await this.#apply(analysis, this.#ordinal++ * 32, file, line, own);
  }

  #check(line: RecordLine): Promise<void> | undefined {
    const base = this.#ordinal++ * 32;
    const { file } = line;
    const at = line.line;
    // Step 1: the line must be a JSON object within the size cap.
    if (line.oversizedLength !== undefined) {
      this.#error(
        base,
        "parse_error",
        null,
        `line of ${line.oversizedLength} bytes exceeds the size cap`,
        file,
        at,
      );
      return;
    }
    if (isBlank(line.bytes)) {
      this.#warn(base, "blank_line", null, "blank line skipped", file, at);
      return;
    }
    return this.#apply(analyzeLine(line.bytes), base, file, at, undefined);
  }

  /**
   * The sequential checks (steps 6 to 8 and 11), with the per-line findings in step order.
   * Returns a promise only when the caller must wait before the next line.
   */
  #apply(
    a: LineAnalysis,
    base: number,
    file: string,
    at: number,
    own: boolean | undefined,
  ): Promise<void> | undefined {
    // Steps 1 to 5 were checked per line.
    let i = 0;
    const findings = a.findings;
    for (; i < findings.length && findings[i].offset < STEP.sequence; i++) {
      this.#emit(base, a, i, file, at);
    }
    const seq = a.seq;
    if (seq === null) return;
    this.#events++;
    if (this.#first === null) this.#first = seq;
    const prevHash = a.prevHash;
    // Step 6: genesis, or sequence and link to the previous record.
    if (this.#prevSeq === null) {
      if (seq !== 1n) {
        this.#error(
          base + STEP.sequence,
          "invalid_genesis",
          seq,
          `log starts at seq ${seq}, not 1`,
          file,
          at,
        );
      } else if (prevHash !== undefined && prevHash !== GENESIS_PREV_HASH) {
        this.#error(
          base + STEP.sequence,
          "invalid_genesis",
          seq,
          "genesis prev_hash must be 64 zeros",
          file,
          at,
        );
      }
    } else {
      const expected = this.#prevSeq + 1n;
      if (seq > expected) {
        const last = seq - 1n;
        this.#error(
          base + STEP.sequence,
          "sequence_gap",
          seq,
          `missing sequence ${
            expected === last ? expected : `${expected}..${last}`
          } after ${this.#prevSeq}`,
          file,
          at,
        );
      } else if (seq === this.#prevSeq) {
        this.#error(
          base + STEP.sequence,
          "duplicate_sequence",
          seq,
          `seq ${seq} appears twice`,
          file,
          at,
        );
      } else if (seq < this.#prevSeq) {
        this.#error(
          base + STEP.sequence,
          "sequence_regression",
          seq,
          `seq ${seq} follows seq ${this.#prevSeq}`,
          file,
          at,
        );
      }
      if (prevHash !== undefined && this.#prevEntry && prevHash !== this.#prevEntry) {
        this.#error(
          base + STEP.chain,
          "chain_break",
          seq,
          `prev_hash ${prevHash} does not match the previous record's entry hash ${this.#prevEntry}`,
          file,
          at,
        );
      }
    }
    // Step 7: timestamps never go back in time (compared as instants, not text).
    const ts = a.ts;
    if (ts !== undefined && this.#prevTs !== null && ts < this.#prevTs) {
      this.#error(
        base + STEP.time,
        "timestamp_regression",
        seq,
        `${a.tsLabel} is earlier than the previous record's`,
        file,
        at,
      );
    }
    // Step 8: stream identity.
    if (a.streamId !== undefined) {
      if (this.#streamId !== undefined && a.streamId !== this.#streamId) {
        this.#warn(
          base + STEP.stream,
          "stream_id_changed",
          seq,
          `stream_id changed from ${this.#streamId} to ${a.streamId}`,
          file,
          at,
        );
      }
      this.#streamId = a.streamId;
    }
    // Step 9 was checked per line; a redaction marker waits for the end of the log.
    for (; i < findings.length; i++) this.#emit(base, a, i, file, at);
    const entry = a.entry;
    if (a.redaction !== undefined) {
      this.#redactions.push({
        ...a.redaction,
        seq,
        entryHash: entry,
        file,
        line: at,
        order: base + STEP.payload,
      });
    }
    // Step 10: the chain continues from this record's own recomputed entry hash.
    if (entry) this.#root.update(entry);
    this.#prevSeq = seq;
    this.#prevEntry = entry;
    if (ts !== undefined) this.#prevTs = ts;
    // Step 11: signature under a trusted key.
    if (entry) return this.#checkSignature(base + STEP.signature, a, seq, entry, file, at, own);
    return undefined;
  }

  #emit(base: number, a: LineAnalysis, i: number, file: string, at: number): void {
    const f = a.findings[i];
    if (f.error) this.#error(base + f.offset, f.type as ErrorType, f.seq, f.details, file, at);
    else this.#warn(base + f.offset, f.type as WarningType, f.seq, f.details, file, at);
  }

  #checkSignature(
    order: number,
    a: LineAnalysis,
    seq: bigint,
    entry: string,
    file: string,
    at: number,
    own: boolean | undefined,
  ): Promise<void> | undefined {
    if (a.sigHex === undefined) {
      this.#error(order, "invalid_signature", seq, a.sigProblem ?? "", file, at);
      return;
    }
    const signer = this.#trust.signerFor(seq, a.publicKeyText, a.keyId);
    if (!signer.ok) {
      this.#error(order, signer.type, seq, signer.details, file, at);
      return;
    }
    if (own !== undefined && this.#isOwnKey(a, signer.key)) {
      // Verified off-thread under the record's own key, which is the one trust selected.
      const ok = this.#verdict(own, order, seq, file, at);
      if (ok && a.trustType !== undefined) {
        this.#applyTrustRecord(a.trustType, a.payload!, signer.key, order + 1, seq, file, at);
      }
      return;
    }
    const checks = this.#pending ??= {
      batch: new SignatureBatch(SIGNATURE_BATCH),
      order: [],
      seq: [],
      file: [],
      at: [],
    };
    const index = checks.batch.size;
    checks.batch.addText(signer.key, entry, a.sigHex);
    checks.order.push(order);
    checks.seq.push(seq);
    checks.file.push(file);
    checks.at.push(at);
    if (a.trustType !== undefined) {
      // Trust changes apply before any later record is judged: wait for this verdict.
      const { trustType, payload } = a;
      return this.#submit().then((verdicts) => {
        if (verdicts[index] === 1) {
          this.#applyTrustRecord(trustType, payload!, signer.key, order + 1, seq, file, at);
        }
      });
    }
    if (checks.batch.size >= SIGNATURE_BATCH) this.#submit();
    return this.#inflightChecks > this.#window ? this.#settle(this.#window) : undefined;
  }

  /** Sends the gathered checks off as one batch; their verdicts are recorded as they come. */
  #submit(): Promise<Uint8Array> {
    const checks = this.#pending!;
    this.#pending = undefined;
    const entry = { verdicts: checks.batch.verify(), size: checks.batch.size, settled: false };
    entry.verdicts = entry.verdicts.then((v) => {
      entry.settled = true;
      for (let i = 0; i < v.length; i++) {
        this.#verdict(v[i] === 1, checks.order[i], checks.seq[i], checks.file[i], checks.at[i]);
      }
      return v;
    });
    this.#inflight.push(entry);
    this.#inflightChecks += entry.size;
    return entry.verdicts;
  }

  /**
   * Waits until at most `limit` signature checks are in flight. Rather than idle, this thread
   * verifies batches the worker has not reached yet, one at a time, handling the worker's
   * answers in between (so the worker is never left without work).
   */
  async #settle(limit: number): Promise<void> {
    while (this.#inflightChecks > limit) {
      const oldest = this.#inflight[0];
      if (!oldest.settled && helpVerify()) {
        await nextMacrotask();
        continue;
      }
      this.#inflight.shift();
      await oldest.verdicts;
      this.#inflightChecks -= oldest.size;
    }
  }

  #isOwnKey(a: LineAnalysis, key: PublicKey): boolean {
    if (a.publicKeyText === undefined) return false;
    const own = this.#trust.parseRecordKey(a.publicKeyText);
    return !(own instanceof Error) && own.hex === key.hex;
  }

  #verdict(ok: boolean, order: number, seq: bigint, file: string, at: number): boolean {
    if (ok) this.#signatures++;
    else {
      this.#error(
        order,
        "invalid_signature",
        seq,
        "sig_client does not verify over the recomputed entry hash",
        file,
        at,
      );
    }
    return ok;
  }

  #applyTrustRecord(
    type: string,
    payload: JsonValue,
    signer: PublicKey,
    order: number,
    seq: bigint,
    file: string,
    at: number,
  ): void {
    if (!isJsonObject(payload)) return;
    const effectiveRaw = payload.get("effective_seq");
    const effective = effectiveRaw === undefined ? seq + 1n : asInteger(effectiveRaw);
    if (effective === undefined || effective <= seq) {
      this.#error(
        order,
        "invalid_rotation",
        seq,
        `${type} effective_seq ${show(effectiveRaw)} must be an integer after seq ${seq}`,
        file,
        at,
      );
      return;
    }
    const field = type === "key_rotation" ? "new_public_key" : "revoked_public_key";
    const text = payloadString(payload, field);
    const key = text === undefined
      ? new Error(`${field} is missing`)
      : this.#trust.parseRecordKey(text);
    if (key instanceof Error) {
      this.#error(
        order,
        "invalid_rotation",
        seq,
        `${type} ${field} is not a usable key: ${key.message}`,
        file,
        at,
      );
      return;
    }
    if (type === "key_rotation") {
      this.#trust.rotate(signer, key, payloadString(payload, "new_key_id"), effective);
    } else this.#trust.revoke(key, effective);
  }

  #error(
    order: number,
    type: ErrorType,
    seq: bigint | null,
    details: string,
    file: string | null,
    line: number | null,
  ): void {
    this.#errorCount++;
    if (this.#opts.failFast) this.#stopped = true;
    if (this.#errors.length >= (this.#opts.maxFindings ?? 10_000)) return;
    this.#errors.push({
      order,
      finding: {
        error_type: type,
        sequence: seq === null ? null : Number(seq),
        details,
        file,
        line,
      },
    });
  }

  #warn(
    order: number,
    type: WarningType,
    seq: bigint | null,
    details: string,
    file: string | null,
    line: number | null,
  ): void {
    this.#warningCount++;
    if (this.#warnings.length >= (this.#opts.maxFindings ?? 10_000)) return;
    this.#warnings.push({
      order,
      finding: {
        warning_type: type,
        sequence: seq === null ? null : Number(seq),
        details,
        file,
        line,
      },
    });
  }
}

function sortFindings<T>(list: Ordered<T>[]): T[] {
  return list.map((x, i) => ({ ...x, i })).sort((a, b) => a.order - b.order || a.i - b.i).map((x) =>
    x.finding
  );
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** Resolves after pending events (such as worker messages) have been handled. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
