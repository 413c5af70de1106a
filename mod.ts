/**
 * spine: tamper-evident audit logs in the Spine WAL v1 format.
 *
 * Verify a WAL directory offline against a pinned key:
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
export { canonicalJson, CanonicalJsonError, toJsonValue } from "./src/format/canonical_json.ts";
export { JsonSyntaxError, parseJson, parseJsonText } from "./src/format/json_parse.ts";
export { JsonNumber, type JsonObject, type JsonValue } from "./src/format/json_value.ts";
export { ChainRoot, entryHash, GENESIS_PREV_HASH, payloadHash } from "./src/format/hashes.ts";
export { nanosToTimestamp, timestampToNanos } from "./src/format/timestamp.ts";

// Keys
export { parsePublicKey, PublicKey, verifySignature } from "./src/crypto/ed25519.ts";
export {
  generateSigningKey,
  keyIdFor,
  parseSigningKey,
  SigningKey,
  signingKeyFromSeed,
} from "./src/crypto/keys.ts";

// Errors of WAL access
export { WalError } from "./src/wal/errors.ts";
