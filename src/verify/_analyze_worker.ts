/**
 * Worker of the verification pool: runs the per-line checks (`analyzeLine`) and the Ed25519
 * check under each record's own `public_key` on a block of complete lines, and answers with
 * compact columns, one entry per line, in order. Lines that are anything but a clean record are
 * marked for the main thread, which checks them itself with the full path.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { parsePublicKey, type PublicKey, verifySignature } from "../crypto/ed25519.ts";
import { enableFastHashing } from "../format/hashes.ts";
import { analyzeLine } from "./_analyze.ts";
import { type BlockRequest, type BlockResult, KIND } from "./_block_protocol.ts";

const keys = new Map<string, PublicKey | null>();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function ownKey(text: string): PublicKey | null {
  let key = keys.get(text);
  if (key === undefined) {
    try {
      key = parsePublicKey(text);
    } catch {
      key = null;
    }
    if (keys.size > 1024) keys.clear();
    keys.set(text, key);
  }
  return key;
}

const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 16; i++) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) {
    out[i] = (HEX_VALUE[hex.charCodeAt(2 * i)] << 4) | HEX_VALUE[hex.charCodeAt(2 * i + 1)];
  }
  return out;
}

async function analyzeBlock(req: BlockRequest): Promise<BlockResult> {
  const bytes = new Uint8Array(req.buffer, req.offset, req.length);
  let count = 0;
  for (let p = bytes.indexOf(0x0a); p !== -1; p = bytes.indexOf(0x0a, p + 1)) count++;
  const kind = new Uint8Array(count);
  const starts = new Uint32Array(count + 1);
  const seq = new Float64Array(count);
  const ts = new BigInt64Array(count);
  const sigOk = new Uint8Array(count);
  const prevHash: string[] = new Array(count).fill("");
  const entry: string[] = new Array(count).fill("");
  const tsLabel: string[] = new Array(count).fill("");
  const streamId: (string | undefined)[] = new Array(count).fill(undefined);
  const publicKey: (string | undefined)[] = new Array(count).fill(undefined);
  const keyId: (string | undefined)[] = new Array(count).fill(undefined);
  const sig: string[] = new Array(count).fill("");
  const checks: Promise<void>[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = bytes.indexOf(0x0a, start);
    starts[i] = start;
    const line = bytes.subarray(start, end);
    start = end + 1;
    kind[i] = KIND.main;
    if (line.length > req.maxLineBytes) continue;
    const a = analyzeLine(line);
    if (
      a.findings.length > 0 || a.seq === null || a.seq > MAX_SAFE ||
      a.trustType !== undefined || a.redaction !== undefined || a.sigHex === undefined ||
      a.prevHash === undefined ||
      a.ts === undefined || !a.entry
    ) continue;
    kind[i] = KIND.record;
    seq[i] = Number(a.seq);
    ts[i] = a.ts;
    prevHash[i] = a.prevHash;
    entry[i] = a.entry;
    tsLabel[i] = a.tsLabel;
    streamId[i] = a.streamId;
    publicKey[i] = a.publicKeyText;
    keyId[i] = a.keyId;
    const key = a.publicKeyText === undefined ? null : ownKey(a.publicKeyText);
    sig[i] = a.sigHex; // for the main thread, should trust select another key
    if (key === null) continue;
    const index = i;
    checks.push(
      verifySignature(key, ascii(a.entry), hexBytes(a.sigHex)).then((ok) => {
        sigOk[index] = ok ? 1 : 2;
      }),
    );
  }
  starts[count] = start;
  await Promise.all(checks);
  return {
    id: req.id,
    buffer: req.buffer,
    offset: req.offset,
    length: req.length,
    kind,
    starts,
    seq,
    ts,
    sigOk,
    prevHash,
    entry,
    tsLabel,
    streamId,
    publicKey,
    keyId,
    sig,
  };
}

await enableFastHashing();

self.onmessage = async (e: MessageEvent<BlockRequest>) => {
  try {
    const result = await analyzeBlock(e.data);
    const columns = [result.kind, result.starts, result.seq, result.ts, result.sigOk];
    self.postMessage(result, [result.buffer, ...columns.map((c) => c.buffer as ArrayBuffer)]);
  } catch (err) {
    self.postMessage({ id: e.data.id, error: String((err as Error)?.stack ?? err) });
  }
};
self.postMessage("ready");
