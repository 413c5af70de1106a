/**
 * Inclusion proof bundles: one record, its RFC 6962 inclusion proof and the signed checkpoint, in
 * the C2SP tlog-proof format, verifiable offline without the log.
 *
 * The record travels as the `extra` data, in canonical JSON (the whole record, payload included):
 * the verifier re-encodes it and refuses any other form, so every byte of the bundle is bound by a
 * hash, a signature or a canonical form.
 *
 * @module
 */

import type { PublicKey } from "../crypto/ed25519.ts";
import { canonicalJson } from "../format/canonical_json.ts";
import { parseJson } from "../format/json_parse.ts";
import { isJsonObject, type JsonValue } from "../format/json_value.ts";
import { ChainVerifier } from "../verify/chain_verifier.ts";
import type { VerifyError, VerifyWarning } from "../verify/report.ts";
import { WalError } from "../wal/errors.ts";
import { readLines } from "../wal/line_reader.ts";
import { listSegments } from "../wal/segments.ts";
import { bytesEqual, toHex } from "./_bytes.ts";
import { recordLeafData } from "./leaf.ts";
import { checkpointSigner, type StoredCheckpoint } from "./log_checkpoint.ts";
import { scanLogTree } from "./log_tree.ts";
import { inclusionProof, leafHash, verifyInclusion } from "./merkle.ts";
import { formatProof, parseProof } from "./tlog_proof.ts";

const decoder = new TextDecoder();

/**
 * Builds the inclusion proof bundle of the record with sequence number `seq`.
 *
 * @param dir The WAL directory.
 * @param seq The record's sequence number.
 * @param checkpoint A signed checkpoint of the log that includes the record.
 * @returns The bundle text.
 * @throws {WalError} If the record is not in the log or not covered by the checkpoint, or the log
 *   does not match the checkpoint.
 * @example
 * ```ts ignore
 * import { proveInclusion } from "./proof_bundle.ts";
 * const bundle = await proveInclusion("./audit_log", 42, checkpoint);
 * ```
 */
export async function proveInclusion(
  dir: string,
  seq: number,
  checkpoint: StoredCheckpoint,
): Promise<string> {
  const size = checkpoint.checkpoint.size;
  // Records we write sit at index seq - 1; otherwise search the log for the sequence number.
  let index = seq - 1;
  let tree = await scanLogTree(dir, {
    linesAt: [index],
    chunksAt: [index, size - 1],
    rootsAt: [size],
  });
  if (seqOf(tree.lines.get(index)) !== seq) {
    index = await findIndex(dir, seq, size);
    tree = await scanLogTree(dir, {
      linesAt: [index],
      chunksAt: [index, size - 1],
      rootsAt: [size],
    });
  }
  if (index >= size) {
    throw new WalError(
      `Record seq ${seq} is not covered by the checkpoint of size ${size}: make a newer checkpoint`,
    );
  }
  const rootAtSize = tree.roots.get(size);
  if (rootAtSize === undefined || !bytesEqual(rootAtSize, checkpoint.checkpoint.root)) {
    throw new WalError(
      `The log does not match checkpoint ${checkpoint.file}: refusing to prove against it`,
    );
  }
  const record = parseJson(tree.lines.get(index)!);
  const proof = inclusionProof(index, size, tree.source);
  return formatProof({ extra: canonicalJson(record), index, proof, checkpoint: checkpoint.text });
}

function seqOf(line: Uint8Array | undefined): number | undefined {
  if (line === undefined) return undefined;
  try {
    const doc = parseJson(line);
    const seq = isJsonObject(doc) ? doc.get("seq") ?? doc.get("sequence") : undefined;
    return seq !== null && typeof seq === "object" && "text" in seq ? Number(seq.text) : undefined;
  } catch {
    return undefined;
  }
}

/** The leaf index of the first complete line holding `seq`, streaming the log. */
async function findIndex(dir: string, seq: number, size: number): Promise<number> {
  let index = 0;
  for (const name of await listSegments(dir)) {
    const file = await Deno.open(`${dir}/${name}`, { read: true });
    for await (const line of readLines(file.readable)) {
      if (!line.terminated || index >= size) break;
      if (seqOf(line.bytes) === seq) return index;
      index++;
    }
  }
  throw new WalError(`No record with seq ${seq} among the first ${size} lines of ${dir}`);
}

/** The verdict on a bundle. */
export interface ProofVerdict {
  valid: boolean;
  /** Why it failed; empty when valid. */
  problems: string[];
  /** Record-level findings of the verifier (errors and warnings such as `redacted`). */
  errors: VerifyError[];
  warnings: VerifyWarning[];
  origin?: string;
  treeSize?: number;
  root?: string;
  index?: number;
  seq?: number;
  /** The verified record, when it parsed. */
  record?: JsonValue;
}

/**
 * Verifies a bundle offline: the checkpoint's signature by a trusted key, the record's canonical
 * form, its inclusion in the checkpointed tree, and the record itself (payload hash, signature by
 * a trusted key) as `verify` checks it.
 *
 * @param text The bundle text (or bytes).
 * @param keys Trusted keys.
 * @returns The verdict; never throws for bad bundle content.
 * @example
 * ```ts ignore
 * import { verifyProofBundle } from "./proof_bundle.ts";
 * const verdict = await verifyProofBundle(await Deno.readTextFile("proof.txt"), [key]);
 * ```
 */
export async function verifyProofBundle(
  text: string | Uint8Array,
  keys: readonly PublicKey[],
): Promise<ProofVerdict> {
  const fail = (problem: string, extra: Partial<ProofVerdict> = {}): ProofVerdict => ({
    valid: false,
    problems: [problem],
    errors: [],
    warnings: [],
    ...extra,
  });
  let bundle;
  try {
    bundle = parseProof(text);
  } catch (e) {
    return fail(`malformed bundle: ${(e as Error).message}`);
  }
  const { checkpoint, index, proof, extra } = bundle;
  const where = {
    origin: checkpoint.origin,
    treeSize: checkpoint.size,
    root: toHex(checkpoint.root),
    index,
  };
  // Step 1: the checkpoint is signed by a trusted key.
  const signer = await checkpointSigner(
    { file: "bundle", text: bundle.checkpointText, note: bundle.note, checkpoint },
    keys,
  );
  if (signer === undefined) return fail("the checkpoint is not signed by a trusted key", where);
  // Step 2: the record is present and in canonical form.
  if (extra === undefined) return fail("the bundle carries no record", where);
  let record: JsonValue;
  try {
    record = parseJson(extra);
    if (!isJsonObject(record)) throw new SyntaxError("the record is not a JSON object");
    if (!bytesEqual(canonicalJson(record), extra)) {
      throw new SyntaxError("the record is not in canonical form");
    }
  } catch (e) {
    return fail(`record: ${(e as Error).message}`, where);
  }
  const seq = seqOf(extra);
  // Step 3: the record's leaf is in the checkpointed tree.
  if (
    !verifyInclusion(
      leafHash(recordLeafData(record)),
      index,
      checkpoint.size,
      proof,
      checkpoint.root,
    )
  ) {
    return fail("the inclusion proof does not lead to the checkpoint's root", {
      ...where,
      seq,
      record,
    });
  }
  // Step 4: the record itself, as verify checks it (a lone record has no predecessor to link to).
  const verifier = new ChainVerifier({ trustedKeys: keys.map((publicKey) => ({ publicKey })) });
  await verifier.add({ bytes: extra, file: "bundle", line: 1, terminated: true });
  const report = await verifier.finish([]);
  const errors = report.errors.filter((e) => !(e.error_type === "invalid_genesis" && seq !== 1));
  const problems = errors.map((e) => `${e.error_type}: ${e.details}`);
  return {
    valid: problems.length === 0,
    problems,
    errors,
    warnings: report.warnings,
    ...where,
    seq,
    record,
  };
}

/**
 * Renders a bundle's record for display.
 *
 * @param verdict A verdict.
 * @returns One line: the record's canonical JSON.
 */
export function recordText(verdict: ProofVerdict): string {
  return verdict.record === undefined ? "" : decoder.decode(canonicalJson(verdict.record));
}
