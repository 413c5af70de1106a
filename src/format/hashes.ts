/**
 * The Spine v1 hash formulas: payload hash, entry hash and the upstream CLI's chain root.
 *
 * @module
 */

import { blake3 } from "../deps/noble_hashes_blake3.ts";
import type { IHasher } from "../deps/hash_wasm.ts";
import { canonicalJson } from "./canonical_json.ts";
import type { JsonValue } from "./json_value.ts";

/** The `prev_hash` of the genesis record: 64 ASCII zeros. */
export const GENESIS_PREV_HASH: string = "0".repeat(64);

// BLAKE3 runs on @noble/hashes until `enableFastHashing()` loads hash-wasm's WebAssembly build:
// 3 to 5 times the small-input rate (README, Dependencies), but ~50 ms to load, which a single
// append does not repay. Verification and bulk appends enable it; the API stays synchronous.
let wasm: IHasher | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the WebAssembly BLAKE3 for the hashes that follow (idempotent). Worth it from a few
 * thousand hashes on; results are identical either way.
 *
 * @returns Resolves once loaded.
 * @example
 * ```ts
 * import { blake3Hex, enableFastHashing } from "./hashes.ts";
 * const before = blake3Hex(new Uint8Array([1]));
 * await enableFastHashing();
 * console.assert(blake3Hex(new Uint8Array([1])) === before);
 * ```
 */
export function enableFastHashing(): Promise<void> {
  loading ??= import("../deps/hash_wasm.ts").then(async (m) => {
    wasm = await m.createBLAKE3(256);
  });
  return loading;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lowercase hex of bytes.
 *
 * @param bytes Any bytes.
 * @returns Lowercase hex, two characters per byte.
 * @example
 * ```ts
 * import { toHex } from "./hashes.ts";
 * console.assert(toHex(new Uint8Array([0, 255])) === "00ff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** Matches exactly 64 lowercase hex characters (a Spine hash). */
export const HASH_HEX = /^[0-9a-f]{64}$/;

/**
 * BLAKE3-256 of bytes, as lowercase hex.
 *
 * @param bytes Input bytes.
 * @returns 64 lowercase hex characters.
 * @example
 * ```ts
 * import { blake3Hex } from "./hashes.ts";
 * console.assert(blake3Hex(new Uint8Array()).length === 64);
 * ```
 */
export function blake3Hex(bytes: Uint8Array): string {
  if (wasm === undefined) return toHex(blake3(bytes));
  wasm.init();
  wasm.update(bytes);
  return wasm.digest("hex");
}

/**
 * `payload_hash = hex(BLAKE3(canonical_json(payload)))`.
 *
 * @param payload The payload in the document model.
 * @returns 64 lowercase hex characters.
 * @throws {TypeError} If the payload cannot be canonicalized (floats, lone surrogates).
 * @example
 * ```ts
 * import { payloadHash } from "./hashes.ts";
 * console.assert(
 *   payloadHash(new Map([["event", "test"]])) ===
 *     "ba0ec9bd9cf1b301fae5608349497d6ac27dd1ea071ed9469b8894ba58f385b8",
 * );
 * ```
 */
export function payloadHash(payload: JsonValue): string {
  return blake3Hex(canonicalJson(payload));
}

const ENTRY_INPUT = new Uint8Array(144);
const ENTRY_VIEW = new DataView(ENTRY_INPUT.buffer);

/**
 * `entry_hash = hex(BLAKE3(u64le(seq) || i64le(ts_ns) || ascii(prev_hash) || ascii(payload_hash)))`.
 *
 * @param seq Record sequence number (1-based), an unsigned 64-bit integer.
 * @param timestampNs `ts_client` in nanoseconds since the epoch.
 * @param prevHashHex The record's `prev_hash`: 64 lowercase hex characters.
 * @param payloadHashHex The record's `payload_hash`: 64 lowercase hex characters.
 * @returns 64 lowercase hex characters.
 * @throws {RangeError} If `seq` is not a u64 or a hash is not 64 lowercase hex characters.
 * @example
 * ```ts
 * import { entryHash, GENESIS_PREV_HASH } from "./hashes.ts";
 * const h = entryHash(
 *   1n,
 *   1737720000000000000n,
 *   GENESIS_PREV_HASH,
 *   "ba0ec9bd9cf1b301fae5608349497d6ac27dd1ea071ed9469b8894ba58f385b8",
 * );
 * console.assert(h === "77adfc6abdc08c5e9e8f1da10b12f96f11a2609659e8bc5ea9d3854dd99c05db");
 * ```
 */
export function entryHash(
  seq: bigint,
  timestampNs: bigint,
  prevHashHex: string,
  payloadHashHex: string,
): string {
  if (seq < 0n || seq >= 2n ** 64n) {
    throw new RangeError(`Sequence ${seq} is not an unsigned 64-bit integer`);
  }
  // Validated while copied (a regular expression here cost a tenth of verification's own time).
  if (!copyHashHex(prevHashHex, 16)) {
    throw new RangeError("prev_hash is not 64 lowercase hex characters");
  }
  if (!copyHashHex(payloadHashHex, 80)) {
    throw new RangeError("payload_hash is not 64 lowercase hex characters");
  }
  ENTRY_VIEW.setBigUint64(0, seq, true);
  ENTRY_VIEW.setBigInt64(8, timestampNs, true);
  return blake3Hex(ENTRY_INPUT);
}

/** Copies 64 lowercase hex characters into `ENTRY_INPUT` at `at`; false if they are not. */
function copyHashHex(hex: string, at: number): boolean {
  if (hex.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = hex.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
    ENTRY_INPUT[at + i] = c;
  }
  return true;
}

/**
 * The upstream `spine-cli` chain root: BLAKE3 over the concatenation of every record's entry-hash
 * hex string, in order. Feed entry hashes one by one; read `digest()` at the end.
 *
 * @example
 * ```ts
 * import { ChainRoot } from "./hashes.ts";
 * const root = new ChainRoot();
 * root.update("00".repeat(32));
 * console.assert(root.digest().length === 64);
 * ```
 */
export class ChainRoot {
  // One long streaming hash (64 bytes per record). Entries are gathered into 16 KiB updates. The
  // first update picks the backend: hash-wasm when loaded (its state saved between updates, as it
  // is shared with `blake3Hex`), else @noble/hashes' incremental BLAKE3. On noble the root cost
  // about 2 us per record, a few percent of verification; on hash-wasm about 0.2 us.
  #noble: ReturnType<typeof blake3.create> | undefined;
  #wasmState: Uint8Array | undefined;
  #buffer = new Uint8Array(16 * 1024);
  #used = 0;

  /**
   * @param entryHashHex One record's entry hash (64 lowercase hex characters).
   */
  update(entryHashHex: string): void {
    if (this.#used + 64 > this.#buffer.length) this.#flush();
    const a = this.#buffer;
    const at = this.#used;
    for (let i = 0; i < 64; i++) a[at + i] = entryHashHex.charCodeAt(i);
    this.#used += 64;
  }

  /**
   * @param hexBytes Several entry hashes as their concatenated ASCII hex bytes, in log order.
   */
  updateBytes(hexBytes: Uint8Array): void {
    this.#flush();
    this.#absorb(hexBytes);
  }

  /**
   * @returns The chain root so far as 64 lowercase hex characters (more updates may follow).
   */
  digest(): string {
    this.#flush();
    if (this.#wasmState !== undefined) {
      wasm!.load(this.#wasmState);
      return wasm!.digest("hex");
    }
    this.#noble ??= blake3.create();
    return toHex(this.#noble.clone().digest());
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#absorb(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }

  #absorb(bytes: Uint8Array): void {
    if (this.#noble === undefined && wasm !== undefined) {
      if (this.#wasmState === undefined) wasm.init();
      else wasm.load(this.#wasmState);
      wasm.update(bytes);
      this.#wasmState = wasm.save();
      return;
    }
    this.#noble ??= blake3.create();
    this.#noble.update(bytes);
  }
}
