/**
 * An independent checker of Spine v1 logs under the upstream Python reference semantics, written
 * from `NOTES.md` only (it shares no code with `src/`): its own canonical JSON (NFC, keys by code
 * point, Python `json.dumps(ensure_ascii=False)` escaping), microsecond timestamps as
 * `datetime.fromisoformat` reads them, `@noble/hashes` BLAKE3, and `@noble/ed25519` strict
 * verification (`zip215: false`), with trust starting from pinned keys and following
 * `key_rotation` (and our `key_revocation`) records.
 *
 * It parses lines with `JSON.parse`, which is exact only for the logs our writer produces (safe
 * integers only): it refuses any number it cannot reproduce instead of guessing.
 *
 * @module
 */

import { verifyAsync } from "../src/deps/noble_ed25519.ts";
import { blake3 } from "../src/deps/noble_hashes_blake3.ts";

/** The verdict of {@linkcode checkPythonSemantics}. */
export interface PythonCheck {
  ok: boolean;
  records: number;
  errors: string[];
  /** The last record's entry hash. */
  head?: string;
}

const enc = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Python's sorted() on str: by code point. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function pyString(s: string): string {
  let out = '"';
  for (const ch of s.normalize("NFC")) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

/** `json.dumps(nfc(v), sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. */
export function pyCanonical(v: unknown): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) {
      throw new TypeError(`Float values not allowed in canonical JSON: ${v}`);
    }
    return String(v);
  }
  if (typeof v === "string") return pyString(v);
  if (Array.isArray(v)) return "[" + v.map(pyCanonical).join(",") + "]";
  const obj = v as Record<string, unknown>;
  const entries = new Map<string, unknown>();
  for (const k of Object.keys(obj)) entries.set(k.normalize("NFC"), obj[k]);
  const keys = [...entries.keys()].sort(byCodePoint);
  return "{" + keys.map((k) => pyString(k) + ":" + pyCanonical(entries.get(k))).join(",") + "}";
}

/** `datetime.fromisoformat(ts)` to integer nanoseconds (microsecond precision). */
export function pyTimestampNs(ts: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(
    ts,
  );
  if (!m) throw new SyntaxError(`Invalid isoformat string: ${ts}`);
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const micros = BigInt((m[7] ?? "").slice(0, 6).padEnd(6, "0"));
  let off = 0;
  if (m[8] !== "Z") {
    off = (m[8][0] === "-" ? -1 : 1) * (+m[8].slice(1, 3) * 3600 + +m[8].slice(4, 6) * 60);
  }
  return (BigInt(ms) / 1000n - BigInt(off)) * 1_000_000_000n + micros * 1000n;
}

/** The v1 entry hash. */
export function pyEntryHash(seq: number, tsNs: bigint, prev: string, payloadHash: string): string {
  const buf = new Uint8Array(144);
  const view = new DataView(buf.buffer);
  view.setBigUint64(0, BigInt(seq), true);
  view.setBigInt64(8, tsNs, true);
  buf.set(enc.encode(prev), 16);
  buf.set(enc.encode(payloadHash), 80);
  return hex(blake3(buf));
}

/**
 * Checks every record of a WAL directory.
 *
 * @param dir The WAL directory.
 * @param rootKeys Hex public keys trusted from seq 1.
 * @returns The verdict.
 */
export async function checkPythonSemantics(dir: string, rootKeys: string[]): Promise<PythonCheck> {
  const names = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".jsonl") && e.name !== "receipts.jsonl")
    .map((e) => e.name)
    .sort(byCodePoint);
  // key hex -> [from, until, revokedFrom]
  const trust = new Map<string, { from: number; until: number; revokedFrom: number }>();
  for (const k of rootKeys) trust.set(k, { from: 1, until: Infinity, revokedFrom: Infinity });
  const errors: string[] = [];
  let prevSeq = 0;
  let prevHash = "0".repeat(64);
  let prevTs = -(2n ** 63n);
  let records = 0;
  for (const name of names) {
    const text = Deno.readTextFileSync(`${dir}/${name}`);
    if (text.length > 0 && !text.endsWith("\n")) errors.push(`${name}: torn tail`);
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const r = JSON.parse(line);
      records++;
      const seq: number = r.seq;
      const where = `${name} seq ${seq}`;
      if (r.format_version !== 1 || r.hash_alg !== "blake3") {
        errors.push(`${where}: format_version/hash_alg`);
      }
      if (seq !== prevSeq + 1) errors.push(`${where}: sequence gap after ${prevSeq}`);
      if (r.prev_hash !== prevHash) errors.push(`${where}: chain break`);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/.test(r.ts_client)) {
        errors.push(`${where}: ts_client ${r.ts_client} is not 6 digits +00:00`);
      }
      const ts = pyTimestampNs(r.ts_client);
      if (ts < prevTs) errors.push(`${where}: timestamp regression`);
      const canonical = pyCanonical(r.payload);
      if (hex(blake3(enc.encode(canonical))) !== r.payload_hash) {
        errors.push(`${where}: payload hash`);
      }
      if (!line.includes(`"payload":${canonical},"payload_hash"`)) {
        errors.push(`${where}: stored payload is not canonical`);
      }
      const entry = pyEntryHash(seq, ts, r.prev_hash, r.payload_hash);
      const t = trust.get(r.public_key);
      if (t === undefined || seq < t.from || seq >= t.until) errors.push(`${where}: untrusted key`);
      else if (seq >= t.revokedFrom) errors.push(`${where}: revoked key`);
      const ok = await verifyAsync(unhex(r.sig_client), enc.encode(entry), unhex(r.public_key), {
        zip215: false,
      });
      if (!ok) errors.push(`${where}: bad signature`);
      if (ok && t !== undefined && r.payload?.type === "key_rotation") {
        const eff = r.payload.effective_seq ?? seq + 1;
        t.until = Math.min(t.until, eff);
        trust.set(r.payload.new_public_key, { from: eff, until: Infinity, revokedFrom: Infinity });
      }
      if (ok && t !== undefined && r.payload?.type === "key_revocation") {
        const eff = r.payload.effective_seq ?? seq + 1;
        const rk = trust.get(r.payload.revoked_public_key) ??
          { from: Infinity, until: 0, revokedFrom: eff };
        rk.revokedFrom = Math.min(rk.revokedFrom, eff);
        trust.set(r.payload.revoked_public_key, rk);
      }
      prevSeq = seq;
      prevHash = entry;
      prevTs = ts;
    }
  }
  return { ok: errors.length === 0, records, errors, head: records > 0 ? prevHash : undefined };
}
