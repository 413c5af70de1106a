/**
 * The verification report: findings as data, in the upstream JSON shape plus our fields.
 *
 * @module
 */

/** Integrity failures. Upstream names first, then ours. */
export type ErrorType =
  | "invalid_genesis"
  | "chain_break"
  | "sequence_gap"
  | "timestamp_regression"
  | "invalid_signature"
  | "invalid_hash"
  | "invalid_hash_format"
  | "parse_error"
  | "root_mismatch"
  | "duplicate_sequence"
  | "sequence_regression"
  | "untrusted_key"
  | "revoked_key"
  | "invalid_rotation"
  | "unsupported_version"
  | "unsupported_hash_alg"
  | "invalid_timestamp"
  | "truncated"
  | "checkpoint_mismatch"
  | "invalid_checkpoint"
  | "insufficient_cosignatures";

/** Conditions worth reporting that do not by themselves prove tampering. */
export type WarningType =
  | "unpinned_keys"
  | "torn_tail"
  | "blank_line"
  | "stream_id_changed"
  | "segment_order"
  | "nfc_key_collision"
  | "node_canonicalization"
  | "chain_state_mismatch"
  | "empty_log"
  | "findings_truncated"
  | "redacted";

/** One integrity error, located. */
export interface VerifyError {
  error_type: ErrorType;
  /** The record's sequence number, or null when the line has none. */
  sequence: number | null;
  details: string;
  /** Segment file name, or null for findings about the whole log. */
  file: string | null;
  /** 1-based line in `file`, or null. */
  line: number | null;
}

/** One warning, located where possible. */
export interface VerifyWarning {
  warning_type: WarningType;
  sequence: number | null;
  details: string;
  file: string | null;
  line: number | null;
}

/** Overall verdict. */
export type VerifyStatus = "VERIFIED" | "TAMPERED" | "FAILED_STRICT";

/** What `verify` reports. Field names follow the upstream `spine-cli` JSON report. */
export interface VerifyReport {
  /** True when there is no error (and, with `strict`, no warning). */
  valid: boolean;
  status: VerifyStatus;
  /** Complete record lines checked. */
  events_verified: number;
  /** Records whose signature verified under a key the verifier trusts (or, unpinned, its own key). */
  signatures_verified: number;
  /** Upstream CLI chain root: BLAKE3 over the concatenated entry-hash hex strings, or null if empty. */
  chain_root: string | null;
  /** Entry hash of the last record, or null if empty. */
  head_entry_hash: string | null;
  first_sequence: number | null;
  last_sequence: number | null;
  errors: VerifyError[];
  warnings: VerifyWarning[];
  /** Whether trust came from pinned keys (true) or from the records themselves (false). */
  pinned: boolean;
  /** Segment files read, in order. */
  segments: string[];
}
