/**
 * Reads pinned keys from `--trust-key` and `--trust-file` arguments (shared by the commands that
 * verify).
 *
 * @module
 */

import { parsePublicKey } from "../crypto/ed25519.ts";
import { parseTrustFile, type TrustedKey } from "../verify/trust.ts";
import { ioReason } from "../wal/errors.ts";
import { UsageError } from "./io.ts";

/**
 * Collects the pinned keys named on the command line.
 *
 * @param trustKeys Values of `--trust-key` (hex or base64).
 * @param trustFiles Values of `--trust-file`.
 * @returns The keys, flags first.
 * @throws {UsageError} If a key is unusable or a trust file cannot be read.
 * @throws {TrustFileError} If a trust file is malformed.
 */
export async function collectTrustedKeys(
  trustKeys: readonly string[] = [],
  trustFiles: readonly string[] = [],
): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const k of trustKeys) {
    try {
      keys.push({ publicKey: parsePublicKey(k) });
    } catch (e) {
      throw new UsageError(
        `--trust-key ${JSON.stringify(k.slice(0, 88))} is not usable: ${(e as Error).message}`,
      );
    }
  }
  for (const path of trustFiles) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new UsageError(`Cannot read trust file ${path}: ${ioReason(e)}`);
    }
    keys.push(...parseTrustFile(text, path));
  }
  return keys;
}
