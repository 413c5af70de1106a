/**
 * The streaming verifier: feed it record lines in log order, read the report at the end.
 *
 * Memory stays constant whatever the log size: it keeps the previous record's state, a bounded
 * window of signature checks in flight, and the findings (capped). The numbered steps mirror
 * `spec/verification.md`.
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import type { PublicKey } from "../crypto/ed25519.ts";
import { verifySignature } from "../crypto/ed25519.ts";
import { canonicalJson, canonicalJsonNode } from "../format/canonical_json.ts";
import {
  blake3Hex,
  ChainRoot,
  entryHash,
  GENESIS_PREV_HASH,
  HASH_HEX,
  toHex,
} from "../format/hashes.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, type JsonValue } from "../format/json_value.ts";
import { timestampToNanos } from "../format/timestamp.ts";
import { asInteger, payloadString, type RecordFields, recordFields } from "./record_fields.ts";
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
  /** Signature checks kept in flight at once (default 1,024). */
  window?: number;
}

const SIG_HEX = /^[0-9a-f]{128}$/;
const decoder = new TextDecoder();

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
  #inflight: Promise<void>[] = [];
  #window: number;
  #stopped = false;

  /**
   * @param options How to verify.
   */
  constructor(options: VerifyOptions) {
    this.#opts = options;
    this.#trust = new TrustState(options.trustedKeys ?? []);
    this.#window = options.window ?? 1024;
  }

  /** True once `failFast` saw an error: the caller may stop reading. */
  get stopped(): boolean {
    return this.#stopped;
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
  async add(line: RecordLine): Promise<void> {
    if (this.#stopped) return;
    if (this.#pendingTorn !== null) {
      // An unterminated line that was not the last of the log: an ordinary (bad) line.
      const torn = this.#pendingTorn;
      this.#pendingTorn = null;
      await this.#check(torn);
    }
    if (!line.terminated) {
      this.#pendingTorn = { ...line, bytes: line.bytes.slice() };
      return;
    }
    await this.#check(line);
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
    await Promise.all(this.#inflight);
    this.#inflight = [];
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

  async #check(line: RecordLine): Promise<void> {
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
    let doc: JsonValue;
    let f: RecordFields;
    try {
      doc = parseJson(line.bytes);
      if (!isJsonObject(doc)) throw new SyntaxError("line is not a JSON object");
      f = recordFields(doc);
    } catch (e) {
      this.#error(
        base,
        "parse_error",
        null,
        `cannot parse record: ${(e as Error).message}`,
        file,
        at,
      );
      return;
    }
    // Step 2: required fields and their types.
    const seq = asInteger(f.seq);
    if (seq === undefined) {
      this.#error(
        base,
        "parse_error",
        null,
        f.seq === undefined ? "record has no seq" : "seq is not an unsigned 64-bit integer",
        file,
        at,
      );
      return;
    }
    const missing = [["prev_hash", f.prevHash], ["ts_client", f.ts], ["payload", f.payload], [
      "payload_hash",
      f.payloadHash,
    ]]
      .filter(([, v]) => v === undefined).map(([n]) => n);
    if (missing.length > 0) {
      this.#error(base, "parse_error", seq, `record lacks ${missing.join(", ")}`, file, at);
      return;
    }
    this.#events++;
    if (this.#first === null) this.#first = seq;
    // Step 3: format version and hash algorithm.
    if (f.formatVersion !== undefined && asInteger(f.formatVersion) !== 1n) {
      this.#error(
        base + 1,
        "unsupported_version",
        seq,
        `format_version ${show(f.formatVersion)} is not 1`,
        file,
        at,
      );
    }
    const hashAlg = f.hashAlg === undefined ? "blake3" : f.hashAlg;
    if (hashAlg !== "blake3" && hashAlg !== "sha256") {
      this.#error(
        base + 2,
        "unsupported_hash_alg",
        seq,
        `hash_alg ${show(hashAlg)} is neither blake3 nor sha256`,
        file,
        at,
      );
    }
    // Step 4: hash formats.
    const prevHash = typeof f.prevHash === "string" && HASH_HEX.test(f.prevHash)
      ? f.prevHash
      : undefined;
    const storedPayloadHash = typeof f.payloadHash === "string" && HASH_HEX.test(f.payloadHash)
      ? f.payloadHash
      : undefined;
    if (prevHash === undefined) {
      this.#error(
        base + 3,
        "invalid_hash_format",
        seq,
        `prev_hash ${show(f.prevHash)} is not 64 lowercase hex characters`,
        file,
        at,
      );
    }
    if (storedPayloadHash === undefined) {
      this.#error(
        base + 3,
        "invalid_hash_format",
        seq,
        `payload_hash ${show(f.payloadHash)} is not 64 lowercase hex characters`,
        file,
        at,
      );
    }
    // Step 5: timestamp.
    let ts: bigint | undefined;
    try {
      ts = typeof f.ts === "string" && f.tsField !== "ts_ns" && f.tsField !== "timestamp_ns"
        ? timestampToNanos(f.ts)
        : asInteger(f.ts, -(2n ** 63n), 2n ** 63n - 1n);
      if (ts === undefined) {
        throw new RangeError(
          `${f.tsField} ${show(f.ts)} is neither RFC 3339 text nor integer nanoseconds`,
        );
      }
    } catch (e) {
      this.#error(base + 4, "invalid_timestamp", seq, (e as Error).message, file, at);
    }
    // Step 6: genesis, or sequence and link to the previous record.
    if (this.#prevSeq === null) {
      if (seq !== 1n) {
        this.#error(base + 5, "invalid_genesis", seq, `log starts at seq ${seq}, not 1`, file, at);
      } else if (prevHash !== undefined && prevHash !== GENESIS_PREV_HASH) {
        this.#error(
          base + 5,
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
          base + 5,
          "sequence_gap",
          seq,
          `missing sequence ${
            expected === last ? expected : `${expected}..${last}`
          } after ${this.#prevSeq}`,
          file,
          at,
        );
      } else if (seq === this.#prevSeq) {
        this.#error(base + 5, "duplicate_sequence", seq, `seq ${seq} appears twice`, file, at);
      } else if (seq < this.#prevSeq) {
        this.#error(
          base + 5,
          "sequence_regression",
          seq,
          `seq ${seq} follows seq ${this.#prevSeq}`,
          file,
          at,
        );
      }
      if (prevHash !== undefined && this.#prevEntry && prevHash !== this.#prevEntry) {
        this.#error(
          base + 6,
          "chain_break",
          seq,
          `prev_hash ${prevHash} does not match the previous record's entry hash ${this.#prevEntry}`,
          file,
          at,
        );
      }
    }
    // Step 7: timestamps never go back in time (compared as instants, not text).
    if (ts !== undefined && this.#prevTs !== null && ts < this.#prevTs) {
      this.#error(
        base + 7,
        "timestamp_regression",
        seq,
        `${f.tsField} ${show(f.ts)} is earlier than the previous record's`,
        file,
        at,
      );
    }
    // Step 8: stream identity.
    if (typeof f.streamId === "string") {
      if (this.#streamId !== undefined && f.streamId !== this.#streamId) {
        this.#warn(
          base + 8,
          "stream_id_changed",
          seq,
          `stream_id changed from ${this.#streamId} to ${f.streamId}`,
          file,
          at,
        );
      }
      this.#streamId = f.streamId;
    }
    // Step 9: payload hash.
    if (storedPayloadHash !== undefined && (hashAlg === "blake3" || hashAlg === "sha256")) {
      this.#checkPayload(base + 9, f.payload!, storedPayloadHash, hashAlg, seq, file, at);
    }
    // Step 10: entry hash; the chain continues from this record's own recomputed entry hash.
    const entry = prevHash !== undefined && storedPayloadHash !== undefined && ts !== undefined
      ? entryHash(seq, ts, prevHash, storedPayloadHash)
      : "";
    if (entry) this.#root.update(entry);
    this.#prevSeq = seq;
    this.#prevEntry = entry;
    if (ts !== undefined) this.#prevTs = ts;
    // Step 11: signature under a trusted key.
    if (entry) await this.#checkSignature(base + 10, f, seq, entry, file, at);
  }

  #checkPayload(
    order: number,
    payload: JsonValue,
    stored: string,
    hashAlg: "blake3" | "sha256",
    seq: bigint,
    file: string,
    at: number,
  ): void {
    const digest = hashAlg === "blake3" ? blake3Hex : (b: Uint8Array) => toHex(sha256(b));
    let specError: string | undefined;
    try {
      const collisions: string[] = [];
      const bytes = canonicalJson(payload, {
        onNfcCollision: (path, key) => collisions.push(`${path} key ${JSON.stringify(key)}`),
      });
      for (const c of collisions) {
        this.#warn(
          order,
          "nfc_key_collision",
          seq,
          `keys equal after NFC at ${c}: the last one is hashed`,
          file,
          at,
        );
      }
      if (digest(bytes) === stored) return;
    } catch (e) {
      specError = (e as Error).message;
    }
    // The Spine v1 form does not match: is this what the upstream Node SDK computed?
    const node = canonicalJsonNode(payload);
    if (node.divergences.length > 0 && digest(node.bytes) === stored) {
      const dropped = node.divergences.filter((d) => d.includes("__proto__"));
      if (dropped.length > 0) {
        this.#error(
          order,
          "invalid_hash",
          seq,
          `payload_hash matches only the Node SDK form, which ignores content: ${
            dropped.join("; ")
          }`,
          file,
          at,
        );
      } else {
        this.#warn(
          order,
          "node_canonicalization",
          seq,
          `payload_hash matches the upstream Node SDK's canonical form, not Spine v1's: ${
            node.divergences.join("; ")
          }`,
          file,
          at,
        );
      }
      return;
    }
    this.#error(
      order,
      "invalid_hash",
      seq,
      specError === undefined
        ? `payload_hash ${stored} does not match the payload`
        : `payload cannot be canonicalized: ${specError}`,
      file,
      at,
    );
  }

  async #checkSignature(
    order: number,
    f: RecordFields,
    seq: bigint,
    entry: string,
    file: string,
    at: number,
  ): Promise<void> {
    const publicKeyText = typeof f.publicKey === "string" ? f.publicKey : undefined;
    const keyId = typeof f.keyId === "string" ? f.keyId : undefined;
    if (f.sigClient === undefined) {
      this.#error(order, "invalid_signature", seq, "record has no sig_client", file, at);
      return;
    }
    if (typeof f.sigClient !== "string" || !SIG_HEX.test(f.sigClient)) {
      this.#error(
        order,
        "invalid_signature",
        seq,
        "sig_client is not 128 lowercase hex characters",
        file,
        at,
      );
      return;
    }
    const signer = this.#trust.signerFor(seq, publicKeyText, keyId);
    if (!signer.ok) {
      this.#error(order, signer.type, seq, signer.details, file, at);
      return;
    }
    const check = this.#verify(signer.key, entry, f.sigClient, order, seq, file, at);
    const type = payloadString(f.payload, "type");
    if (type === "key_rotation" || type === "key_revocation") {
      // Trust changes apply before any later record is judged.
      if (await check) {
        this.#applyTrustRecord(type, f.payload!, signer.key, order + 1, seq, file, at);
      }
      return;
    }
    this.#inflight.push(check.then(() => {}));
    if (this.#inflight.length >= this.#window) {
      const batch = this.#inflight;
      this.#inflight = [];
      await Promise.all(batch);
    }
  }

  async #verify(
    key: PublicKey,
    entry: string,
    sigHex: string,
    order: number,
    seq: bigint,
    file: string,
    at: number,
  ): Promise<boolean> {
    const ok = await verifySignature(key, asciiBytes(entry), hexBytes(sigHex));
    if (ok) this.#signatures++;
    else {this.#error(
        order,
        "invalid_signature",
        seq,
        "sig_client does not verify over the recomputed entry hash",
        file,
        at,
      );}
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

function show(v: JsonValue | undefined): string {
  if (v === undefined) return "(missing)";
  if (typeof v === "string") return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v !== null && typeof v === "object" && "text" in v) return v.text;
  return decoder.decode(
    new TextEncoder().encode(JSON.stringify(v instanceof Map ? "(object)" : v)),
  );
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
