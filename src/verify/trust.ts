/**
 * Pinned trust: which Ed25519 keys may sign which records.
 *
 * Trust starts from keys given to the verifier (flags or a trust file), never from the records.
 * A `key_rotation` record signed by a trusted key trusts the next key from its `effective_seq`
 * and retires the old one there; a `key_revocation` record revokes a key from its `effective_seq`.
 *
 * @module
 */

import { parsePublicKey, type PublicKey } from "../crypto/ed25519.ts";
import { parseJsonText } from "../format/json_parse.ts";
import { isJsonObject, type JsonValue } from "../format/json_value.ts";

/** A key the verifier was told to trust. */
export interface TrustedKey {
  publicKey: PublicKey;
  /** The label records carry in `key_id`, when known. */
  keyId?: string;
}

/** Thrown when a trust file cannot be used. */
export class TrustFileError extends SyntaxError {
  /** Stable machine-readable code, the same for every instance: `"trust_file_error"`. */
  readonly code: "trust_file_error" = "trust_file_error";
  /**
   * Creates a {@linkcode TrustFileError}.
   *
   * @param message What failed, naming the file.
   */
  constructor(message: string) {
    super(message);
    this.name = "TrustFileError";
  }
}

/**
 * Parses a trust file.
 *
 * Two shapes are read: ours, `{"spine_trust": 1, "keys": [{"key_id", "public_key"}]}`, and the
 * upstream corpus `keys.json`, `{"keys": [{"key_id", "public_key_hex", "role"}]}`. Keys whose
 * `role` is `"rotated-in"` are not pinned: they must be earned through a rotation record.
 *
 * @param text The file's text.
 * @param name The file name, used in error messages.
 * @returns The pinned keys, in file order.
 * @throws {TrustFileError} If the text is not such a file or a key is not a usable Ed25519 key.
 * @example
 * ```ts
 * import { parseTrustFile } from "./trust.ts";
 * const keys = parseTrustFile(
 *   '{"spine_trust":1,"keys":[{"key_id":"k","public_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}]}',
 *   "trust.json",
 * );
 * console.assert(keys.length === 1);
 * ```
 */
export function parseTrustFile(text: string, name: string): TrustedKey[] {
  let doc: JsonValue;
  try {
    doc = parseJsonText(text);
  } catch (e) {
    throw new TrustFileError(`Cannot parse trust file ${name}: ${(e as Error).message}`);
  }
  const keys = isJsonObject(doc) ? doc.get("keys") : undefined;
  if (!Array.isArray(keys)) {
    throw new TrustFileError(`Trust file ${name} has no "keys" array`);
  }
  const out: TrustedKey[] = [];
  keys.forEach((entry, i) => {
    if (!isJsonObject(entry)) {
      throw new TrustFileError(`Trust file ${name}: keys[${i}] is not an object`);
    }
    if (entry.get("role") === "rotated-in") return;
    const pk = entry.get("public_key") ?? entry.get("public_key_hex");
    if (typeof pk !== "string") {
      throw new TrustFileError(`Trust file ${name}: keys[${i}] has no public_key string`);
    }
    const keyId = entry.get("key_id");
    try {
      out.push({
        publicKey: parsePublicKey(pk),
        ...(typeof keyId === "string" ? { keyId } : {}),
      });
    } catch (e) {
      throw new TrustFileError(`Trust file ${name}: keys[${i}]: ${(e as Error).message}`);
    }
  });
  if (out.length === 0) throw new TrustFileError(`Trust file ${name} pins no key`);
  return out;
}

/** Why a record's key cannot be used, or the key to check its signature with. */
export type SignerVerdict =
  | { ok: true; key: PublicKey }
  | { ok: false; type: "untrusted_key" | "revoked_key" | "invalid_signature"; details: string };

interface KeyState {
  key: PublicKey;
  keyId?: string;
  /** First sequence number this key may sign. */
  from: bigint;
  /** First sequence number this key may no longer sign (rotated out), if any. */
  until?: bigint;
  /** First sequence number from which the key is revoked, if any. */
  revokedFrom?: bigint;
}

/**
 * The verifier's evolving trust: pinned keys, plus what rotation and revocation records changed.
 */
export class TrustState {
  readonly pinned: boolean;
  #keys = new Map<string, KeyState>();
  #parsed = new Map<string, PublicKey | Error>();

  /**
   * @param pinned Keys trusted from sequence 1. With none, the first record's own key is taken
   *   on first use and the report says so (`unpinned_keys`).
   */
  constructor(pinned: TrustedKey[]) {
    this.pinned = pinned.length > 0;
    for (const k of pinned) {
      this.#keys.set(k.publicKey.hex, { key: k.publicKey, keyId: k.keyId, from: 0n });
    }
  }

  /**
   * Parses a record's `public_key` text (hex or base64), caching the result.
   *
   * @param text The field's value.
   * @returns The key, or the error that made it unusable.
   */
  parseRecordKey(text: string): PublicKey | Error {
    let v = this.#parsed.get(text);
    if (v === undefined) {
      try {
        v = parsePublicKey(text);
      } catch (e) {
        v = e as Error;
      }
      if (this.#parsed.size > 1024) this.#parsed.clear();
      this.#parsed.set(text, v);
    }
    return v;
  }

  /**
   * Chooses the key that must have signed a record, per the trust rules.
   *
   * @param seq The record's sequence number.
   * @param publicKeyText The record's `public_key`, if any.
   * @param keyId The record's `key_id`, if any.
   * @returns The key to verify with, or the finding to report.
   */
  signerFor(
    seq: bigint,
    publicKeyText: string | undefined,
    keyId: string | undefined,
  ): SignerVerdict {
    let key: PublicKey | undefined;
    if (publicKeyText !== undefined) {
      const parsed = this.parseRecordKey(publicKeyText);
      if (parsed instanceof Error) {
        return {
          ok: false,
          type: "untrusted_key",
          details: `public_key is not usable: ${parsed.message}`,
        };
      }
      key = parsed;
    } else if (keyId !== undefined) {
      key = [...this.#keys.values()].find((s) => s.keyId === keyId)?.key;
      if (key === undefined) {
        return {
          ok: false,
          type: this.pinned || this.#keys.size > 0 ? "untrusted_key" : "invalid_signature",
          details: `record has no public_key and key_id ${
            JSON.stringify(keyId)
          } names no trusted key`,
        };
      }
    } else {
      return {
        ok: false,
        type: "invalid_signature",
        details: "record names no signing key (no public_key or key_id)",
      };
    }
    if (!this.pinned && this.#keys.size === 0) {
      // Trust on first use: the genesis signer becomes the root, and the report warns.
      this.#keys.set(key.hex, { key, keyId, from: 0n });
    }
    const state = this.#keys.get(key.hex);
    if (state === undefined) {
      return { ok: false, type: "untrusted_key", details: `key ${short(key.hex)} is not trusted` };
    }
    if (state.revokedFrom !== undefined && seq >= state.revokedFrom) {
      return {
        ok: false,
        type: "revoked_key",
        details: `key ${short(key.hex)} was revoked from seq ${state.revokedFrom}`,
      };
    }
    if (seq < state.from) {
      return {
        ok: false,
        type: "untrusted_key",
        details: `key ${short(key.hex)} is trusted only from seq ${state.from}`,
      };
    }
    if (state.until !== undefined && seq >= state.until) {
      return {
        ok: false,
        type: "untrusted_key",
        details: `key ${short(key.hex)} was rotated out at seq ${state.until}`,
      };
    }
    return { ok: true, key };
  }

  /**
   * Applies a verified rotation: `newKey` may sign from `effectiveSeq`, `oldKey` no longer.
   *
   * @param oldKey The key that signed the rotation record.
   * @param newKey The key being rotated in.
   * @param newKeyId Its label, if the record gave one.
   * @param effectiveSeq First sequence number the new key signs.
   */
  rotate(
    oldKey: PublicKey,
    newKey: PublicKey,
    newKeyId: string | undefined,
    effectiveSeq: bigint,
  ): void {
    const old = this.#keys.get(oldKey.hex);
    if (old !== undefined && (old.until === undefined || old.until > effectiveSeq)) {
      old.until = effectiveSeq;
    }
    const existing = this.#keys.get(newKey.hex);
    if (existing === undefined) {
      this.#keys.set(newKey.hex, { key: newKey, keyId: newKeyId, from: effectiveSeq });
    } else if (existing.until !== undefined && existing.until <= effectiveSeq) {
      // A key rotated back in: trusted again from the new effective sequence.
      existing.from = effectiveSeq;
      existing.until = undefined;
    }
  }

  /**
   * Every key trusted at some point of the log and never revoked: the keys that may sign what is
   * made after the records (checkpoints, redactions).
   *
   * @returns The keys, pinned ones first.
   */
  unrevokedKeys(): PublicKey[] {
    return [...this.#keys.values()].filter((s) => s.revokedFrom === undefined).map((s) => s.key);
  }

  /**
   * Applies a verified revocation of `key` from `effectiveSeq`.
   *
   * @param key The revoked key.
   * @param effectiveSeq First sequence number at which records signed by it are rejected.
   */
  revoke(key: PublicKey, effectiveSeq: bigint): void {
    const state = this.#keys.get(key.hex) ?? { key, from: 0n, until: 0n };
    if (state.revokedFrom === undefined || state.revokedFrom > effectiveSeq) {
      state.revokedFrom = effectiveSeq;
    }
    this.#keys.set(key.hex, state);
  }
}

function short(hex: string): string {
  return `${hex.slice(0, 16)}…`;
}
