/**
 * spine: tamper-evident audit logs in the Spine WAL v1 format.
 *
 * Append events durably and verify the log offline against a pinned key:
 *
 * @example
 * ```ts
 * import { generateSigningKey, openWal, verifyWal } from "./mod.ts";
 *
 * const dir = `${await Deno.makeTempDir()}/audit`;
 * const key = await generateSigningKey();
 * {
 *   await using wal = await openWal(dir, { signingKey: key, create: true });
 *   await wal.append({ event_type: "user.login", user: "alice" });
 *   await wal.appendMany([{ event_type: "file.read", file: "a" }, { event_type: "file.read", file: "b" }]);
 * } // closed here
 * const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
 * console.assert(report.valid && report.events_verified === 3);
 * ```
 *
 * Verify a log written by the upstream Python SDK:
 *
 * @example
 * ```ts
 * import { parseTrustFile, verifyWal } from "./mod.ts";
 *
 * const dir = new URL("./tests/testdata/corpus/python-small", import.meta.url).pathname;
 * const trustedKeys = parseTrustFile(await Deno.readTextFile(`${dir}/keys.json`), "keys.json");
 * const report = await verifyWal(dir, { trustedKeys });
 * console.assert(report.valid && report.events_verified === 1000);
 * ```
 *
 * Every error the library throws on purpose is exported here and carries a stable `code`
 * (e.g. `WalError` has `"wal_error"`; `CheckpointSyntaxError`'s code names the exact reason).
 *
 * @module
 */

// Verification
export { verifyWal, type VerifyWalOptions } from "./src/verify/verify_wal.ts";
export { ChainVerifier, type RecordLine, type VerifyOptions } from "./src/verify/chain_verifier.ts";
export type {
  ErrorType,
  VerifyError,
  VerifyReport,
  VerifyStatus,
  VerifyWarning,
  WarningType,
} from "./src/verify/report.ts";
export { parseTrustFile, type TrustedKey, TrustFileError } from "./src/verify/trust.ts";

// Format core
export {
  canonicalJson,
  CanonicalJsonError,
  JsonValueRangeError,
  JsonValueTypeError,
  toJsonValue,
} from "./src/format/canonical_json.ts";
export { JsonSyntaxError, parseJson, parseJsonText } from "./src/format/json_parse.ts";
export { JsonNumber, type JsonObject, type JsonValue } from "./src/format/json_value.ts";
export { ChainRoot, entryHash, GENESIS_PREV_HASH, payloadHash } from "./src/format/hashes.ts";
export {
  nanosToTimestamp,
  TimestampSyntaxError,
  timestampToNanos,
} from "./src/format/timestamp.ts";

// Keys
export { parsePublicKey, PublicKey, verifySignature } from "./src/crypto/ed25519.ts";
export {
  generateSigningKey,
  keyIdFor,
  parseSigningKey,
  SigningKey,
  signingKeyFromSeed,
} from "./src/crypto/keys.ts";

// Writing
export {
  type AppendResult,
  createWal,
  type CreateWalOptions,
  DEFAULT_SEGMENT_MAX_BYTES,
  openWal,
  type OpenWalOptions,
  type Recovery,
  type SyncPolicy,
  Wal,
} from "./src/wal/writer.ts";
export { PayloadError } from "./src/wal/payload.ts";
export { KeyFileError, loadSigningKey, readKeyFile, writeKeyFile } from "./src/crypto/key_file.ts";
export { type Redaction, redactRecord } from "./src/wal/redact.ts";

// Checkpoints, proofs, witnesses
export {
  checkCheckpoints,
  createCheckpoint,
  defaultOrigin,
  listCheckpointFiles,
  readCheckpointFile,
  type StoredCheckpoint,
} from "./src/checkpoint/log_checkpoint.ts";
export {
  type ProofVerdict,
  proveInclusion,
  verifyProofBundle,
} from "./src/checkpoint/proof_bundle.ts";
export { LogMismatchError, proveConsistency } from "./src/checkpoint/consistency.ts";
export {
  cosignCheckpoint,
  WitnessRefusal,
  type WitnessRefusalReason,
  WitnessStateError,
} from "./src/checkpoint/witness.ts";
export { type CheckpointErrorCode, CheckpointSyntaxError } from "./src/checkpoint/errors.ts";

// Errors of WAL access
export { WalError } from "./src/wal/errors.ts";
