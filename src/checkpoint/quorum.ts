/**
 * Witness quorum: parse the witness keys a verifier pins, and count the distinct witnesses whose
 * c2sp.org/tlog-cosignature on a checkpoint note verifies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countCosignatures, parseWitnessKey } from "./quorum.ts";
 * import { parseNote } from "./note.ts";
 * const key = parseWitnessKey("w1=" + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
 * const note = parseNote("example.com/log\n0\n" + "A".repeat(43) + "=\n\n\u2014 example.com/log AAAAAAE=\n");
 * assert.deepEqual(await countCosignatures(note, [key]), { valid: 0, names: [] });
 * ```
 *
 * @module
 */

import { parsePublicKey } from "../crypto/ed25519.ts";
import { toHex } from "./_bytes.ts";
import { verifyCosignature } from "./cosignature.ts";
import {
  type Note,
  noteKeyId,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  type VerifierKey,
} from "./note.ts";

/** Result of {@link countCosignatures}. */
export interface CosignatureCount {
  /** Number of distinct witness keys with a valid cosignature. */
  valid: number;
  /** Their key names, in the order the keys were given. */
  names: string[];
}

/**
 * Counts the distinct witnesses that validly cosigned a checkpoint note. A witness is one public
 * key: a key listed twice (even under two names) counts once. Keys that are not cosignature keys
 * (type 0x04) are ignored, as are cosignatures that do not verify.
 *
 * @param note Parsed checkpoint note.
 * @param witnessKeys Pinned witness keys (from {@link parseWitnessKey}).
 * @returns How many distinct witnesses cosigned, and their names.
 * @throws {TypeError} If a key's name or public key is malformed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countCosignatures } from "./quorum.ts";
 * import { parseNote } from "./note.ts";
 * const note = parseNote("example.com/log\n0\n" + "A".repeat(43) + "=\n\n\u2014 example.com/log AAAAAAE=\n");
 * assert.equal((await countCosignatures(note, [])).valid, 0);
 * ```
 */
export async function countCosignatures(
  note: Note,
  witnessKeys: readonly VerifierKey[],
): Promise<CosignatureCount> {
  const counted = new Set<string>();
  const names: string[] = [];
  for (const key of witnessKeys) {
    if (key.type !== SIG_TYPE_COSIGNATURE_V1) continue;
    const id = toHex(key.publicKey);
    if (counted.has(id)) continue;
    const result = await verifyCosignature(note, key.name, key.publicKey);
    if (!result.valid) continue;
    counted.add(id);
    names.push(key.name);
  }
  return { valid: names.length, names };
}

/**
 * Parses a witness key for `verify --witness-key`: a C2SP vkey of type 0x04,
 * `<name>+<8 hex digit key ID>+<base64(0x04 || public key)>`, or for convenience
 * `<name>=<64 hex digit Ed25519 public key>`. Only public keys are read here.
 *
 * @param text The key text.
 * @returns The verifier key (type 0x04).
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If the text is neither form, the vkey is not type 0x04, its key ID does
 * not match, the name is invalid or the public key is not a usable Ed25519 key; the message
 * names the input.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWitnessKey } from "./quorum.ts";
 * import { formatVerifierKey } from "./note.ts";
 * const hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
 * const a = parseWitnessKey(`w.example=${hex}`);
 * const b = parseWitnessKey(formatVerifierKey("w.example", Uint8Array.fromHex(hex), 0x04));
 * assert.ok(a.keyId === b.keyId && a.type === 0x04);
 * assert.throws(() => parseWitnessKey("w.example"), RangeError);
 * ```
 */
export function parseWitnessKey(text: string): VerifierKey {
  if (typeof text !== "string") throw new TypeError("Witness key must be a string");
  const shown = JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text);
  const fail = (why: string) => new RangeError(`Witness key ${shown} is not usable: ${why}`);
  const plain = /^(.+)=([0-9a-fA-F]{64})$/.exec(text);
  if (plain !== null && !plain[1].includes("+")) {
    const [, name, hex] = plain;
    let publicKey: Uint8Array;
    try {
      publicKey = parsePublicKey(hex).bytes;
    } catch (e) {
      throw fail((e as Error).message);
    }
    let keyId: number;
    try {
      keyId = noteKeyId(name, publicKey, SIG_TYPE_COSIGNATURE_V1);
    } catch (e) {
      throw fail((e as Error).message);
    }
    return { name, type: SIG_TYPE_COSIGNATURE_V1, publicKey, keyId };
  }
  let key: VerifierKey;
  try {
    key = parseVerifierKey(text);
  } catch (e) {
    const detail = (e as { detail?: string }).detail ?? (e as Error).message;
    throw fail(`${detail} (expected NAME+KEYID+BASE64 vkey or NAME=HEX)`);
  }
  if (key.type !== SIG_TYPE_COSIGNATURE_V1) {
    throw fail(
      `vkey type 0x${key.type.toString(16).padStart(2, "0")} is not 0x04 (cosignature/v1)`,
    );
  }
  try {
    parsePublicKey(key.publicKey);
  } catch (e) {
    throw fail((e as Error).message);
  }
  return key;
}
