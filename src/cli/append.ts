/**
 * `spine append`: append events to a WAL, durably, safely beside concurrent writers.
 *
 * @module
 */

import { parseFlags } from "./_args.ts";
import { formatOf, noPositionals, requireWal } from "./_command.ts";
import { enableFastHashing } from "../format/hashes.ts";
import { loadSigningKey } from "../crypto/key_file.ts";
import { warmBatchSigning } from "../crypto/keys.ts";
import { JsonSyntaxError, parseJsonText } from "../format/json_parse.ts";
import type { JsonObject, JsonValue } from "../format/json_value.ts";
import {
  parsePayload,
  PayloadError,
  type PreparedPayload,
  preparePayload,
} from "../wal/payload.ts";
import { type AppendResult, openWal, type SyncPolicy, type Wal } from "../wal/writer.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine append`. */
export const APPEND_HELP =
  `Usage: spine append --wal DIR (--payload JSON | --event-type T [--field K=V]... | --stdin) [options]

Append signed, hash-chained events to a Spine WAL. Exactly one input:
  --payload JSON         One event: a JSON object
  --event-type T         One event {"event_type": T, ...} built from --field flags:
  --field K=V              string field K with value V (repeatable)
  --field K:=JSON          field K with a typed JSON value (42, true, null, [..], {..})
  --stdin                One JSON object per line on standard input (blank lines skipped)

Options:
  --wal DIR              WAL directory (required; create it with spine init)
  --key-file PATH        Signing key file (default: SPINE_SIGNING_KEY if set, else DIR.key)
  --sync POLICY          always (default: fsync each record before reporting it),
                         batch (fsync per batch of up to 1024 --stdin lines), none (never)
  --segment-max-bytes N  Start a new segment file past N bytes (default 10485760)
  --checkpoint-every N   Sign a checkpoint into DIR/checkpoints/ each time the log crosses a
                         multiple of N records (each checkpoint reads the whole log once)
  --checkpoint-on-close  Sign a checkpoint when done
  --origin NAME          Checkpoint origin (default: spine.local/<stream_id>)
  --max-payload-bytes N  Refuse payloads whose canonical form exceeds N bytes (default 1048576)
  --format FMT           text (default: "seq <n> <entry_hash>" per record) or json
                         ({"seq","entry_hash","event_id"} per record); --stdin adds a summary line
                         (text: "appended <n> last_seq <s>"; json: {"appended","last_seq","head_entry_hash"})
  -h, --help             Show this help

Payloads must be JSON objects with integer numbers within ±(2^53-1), no lone surrogates, no keys
that collide after NFC. With --stdin, lines before a refused one stay appended; the error names
the line and field, and the summary says how many were appended.

Exit codes: 0 success, 2 usage error, refused input or I/O error.
`;

const BATCH_LINES = 1024;
/** Batches read ahead of the one being acknowledged: chained and signing while it is synced. */
const BATCHES_AHEAD = 2;

/**
 * Runs `spine append`.
 *
 * @param args Arguments after `append`.
 * @param io Streams and environment (`SPINE_SIGNING_KEY`).
 * @returns The exit code: 0 success, 2 usage error, refused input or I/O error.
 * @throws {UsageError} For bad arguments (a refused payload is reported and returns 2).
 * @example
 * ```ts ignore
 * import { runAppend } from "./append.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exit(await runAppend(["--wal", "./audit_log", "--payload", '{"event_type":"login"}'], denoIo()));
 * ```
 */
export async function runAppend(args: string[], io: CliIo): Promise<number> {
  // Not node:util's parseArgs: loading any node: module costs about 10 ms of a one-event append.
  const { values, positionals } = parseFlags(args, {
    wal: { type: "string" },
    "key-file": { type: "string" },
    payload: { type: "string" },
    "event-type": { type: "string" },
    field: { type: "string", multiple: true },
    stdin: { type: "boolean", default: false },
    sync: { type: "string", default: "always" },
    "segment-max-bytes": { type: "string" },
    "max-payload-bytes": { type: "string" },
    "checkpoint-every": { type: "string" },
    "checkpoint-on-close": { type: "boolean", default: false },
    origin: { type: "string" },
    format: { type: "string", default: "text" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    await io.out(APPEND_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  const inputs = [values.payload !== undefined, values["event-type"] !== undefined, values.stdin]
    .filter(Boolean);
  if (inputs.length !== 1) {
    throw new UsageError("Give exactly one of --payload, --event-type or --stdin");
  }
  if (values.field !== undefined && values["event-type"] === undefined) {
    throw new UsageError("--field needs --event-type");
  }
  const sync = values.sync as SyncPolicy;
  if (sync !== "always" && sync !== "batch" && sync !== "none") {
    throw new UsageError(`--sync ${JSON.stringify(values.sync)} is not always, batch or none`);
  }
  const format = formatOf(values.format, ["text", "json"] as const);
  const segmentMaxBytes = positiveInt(values["segment-max-bytes"], "--segment-max-bytes");
  const maxPayloadBytes = positiveInt(values["max-payload-bytes"], "--max-payload-bytes") ??
    1024 * 1024;

  // Validate a single event before touching the WAL: nothing invalid is ever written.
  let single: PreparedPayload | undefined;
  if (!values.stdin) {
    try {
      single = values.payload !== undefined
        ? parsePayload(values.payload, maxPayloadBytes)
        : preparePayload(
          eventFromFlags(values["event-type"]!, values.field ?? []),
          maxPayloadBytes,
        );
    } catch (e) {
      if (!(e instanceof PayloadError || e instanceof JsonSyntaxError)) throw e;
      await io.err(
        `spine append: ${values.payload !== undefined ? "--payload" : "event"}: ${
          inputMessage(e)
        }\n`,
      );
      return EXIT.ERROR;
    }
  }
  // Streams repay a signing worker and the WebAssembly BLAKE3; both start while the key loads.
  const stream = values.stdin && sync !== "always";
  const warming = stream ? Promise.all([warmBatchSigning(), enableFastHashing()]) : undefined;
  warming?.catch(() => {}); // awaited below
  const envKey = io.env("SPINE_SIGNING_KEY");
  let keyPath = "";
  if (values["key-file"] === undefined && (envKey === undefined || envKey.trim() === "")) {
    try {
      // Loaded only when used: node:path is costly to load (see above).
      keyPath = (await import("../wal/paths.ts")).defaultKeyPath(wal);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const loaded = await loadSigningKey(values["key-file"], envKey, keyPath);
  if (loaded.exposed) {
    await io.err(
      `spine append: warning: key file ${loaded.path} is readable by others; run chmod 600 on it\n`,
    );
  }
  const checkpointEvery = positiveInt(values["checkpoint-every"], "--checkpoint-every");
  const log = await openWal(wal, {
    signingKey: loaded.key,
    sync,
    segmentMaxBytes,
    maxPayloadBytes,
    checkpoint: checkpointEvery !== undefined || values["checkpoint-on-close"]
      ? { every: checkpointEvery, onClose: values["checkpoint-on-close"], origin: values.origin }
      : undefined,
  });
  let reported = 0;
  const reportRecoveries = async () => {
    for (; reported < log.recovered.length; reported++) {
      const r = log.recovered[reported];
      await io.err(
        r.kind === "torn_tail"
          ? `spine append: warning: moved a torn final line (${r.bytes} bytes at offset ${r.offset} of ${r.segment}) to ${r.file}\n`
          : `spine append: warning: rebuilt chain_state.json from the log (${r.details})\n`,
      );
    }
  };
  try {
    await reportRecoveries();
    if (single !== undefined) {
      const [r] = await log.appendPrepared([single]);
      await io.out(formatRecord(r, format));
      return EXIT.OK;
    }
    await (warming ?? enableFastHashing());
    return await appendStdin(log, io, format, sync, maxPayloadBytes);
  } finally {
    await log.close();
    await reportRecoveries();
  }
}

async function appendStdin(
  log: Wal,
  io: CliIo,
  format: "text" | "json",
  sync: SyncPolicy,
  maxPayloadBytes: number,
): Promise<number> {
  const batchLines = sync === "always" ? 1 : BATCH_LINES;
  let batch: PreparedPayload[] = [];
  let appended = 0;
  let last: AppendResult | undefined;
  // Pipelined: each batch is chained and its signing started at once (Wal.appendPrepared),
  // then written and synced under the lock in order, while the next batches are read and
  // chained. A batch is reported only after its own sync, strictly in order.
  let reported: Promise<void> = Promise.resolve();
  const window: Promise<void>[] = [];
  const submit = async () => {
    const prepared = batch;
    batch = [];
    const appending = log.appendPrepared(prepared);
    appending.catch(() => {}); // awaited in order below
    reported = reported.then(async () => {
      const results = await appending;
      appended += results.length;
      last = results[results.length - 1];
      await io.out(formatRecords(results, format));
    });
    reported.catch(() => {}); // rethrown by drain() or the window
    window.push(reported);
    if (window.length > BATCHES_AHEAD) await window.shift();
  };
  const drain = async () => {
    if (batch.length > 0) await submit();
    window.length = 0;
    await reported;
  };
  const summary = () =>
    format === "json"
      ? JSON.stringify({
        appended,
        last_seq: last?.seq ?? null,
        head_entry_hash: last?.entryHash ?? null,
      }) + "\n"
      : `appended ${appended} last_seq ${last?.seq ?? "-"}\n`;
  const { DEFAULT_MAX_LINE_BYTES, readLines } = await import("../wal/line_reader.ts");
  const cap = Math.max(DEFAULT_MAX_LINE_BYTES, maxPayloadBytes * 4);
  for await (const line of readLines(io.stdin, cap)) {
    let failure: string | undefined;
    if (line.oversizedLength !== undefined) {
      failure =
        `line ${line.line}: ${line.oversizedLength} bytes is over the ${cap}-byte line limit`;
    } else if (isBlank(line.bytes)) {
      continue;
    } else {
      try {
        batch.push(parsePayload(line.bytes, maxPayloadBytes));
      } catch (e) {
        if (!(e instanceof PayloadError || e instanceof JsonSyntaxError)) throw e;
        failure = `line ${line.line}: ${inputMessage(e)}`;
      }
    }
    if (failure !== undefined) {
      await drain(); // lines before the bad one stay appended
      await io.out(summary());
      await io.err(
        `spine append: ${failure}; stopped after appending ${appended} record${
          appended === 1 ? "" : "s"
        }` +
          `${last !== undefined ? ` (last seq ${last.seq})` : ""}\n`,
      );
      return EXIT.ERROR;
    }
    if (batch.length >= batchLines) await submit();
  }
  await drain();
  await io.out(summary());
  return EXIT.OK;
}

function formatRecord(r: AppendResult, format: "text" | "json"): string {
  return format === "json"
    // As JSON.stringify of the object: an entry hash (hex) and event id (evt_ and a UUID) need
    // no escaping.
    ? `{"seq":${r.seq},"entry_hash":"${r.entryHash}","event_id":"${r.eventId}"}\n`
    : `seq ${r.seq} ${r.entryHash}\n`;
}

function formatRecords(results: readonly AppendResult[], format: "text" | "json"): string {
  let out = "";
  for (const r of results) out += formatRecord(r, format);
  return out;
}

function inputMessage(e: PayloadError | JsonSyntaxError): string {
  return e instanceof JsonSyntaxError ? `not valid JSON: ${e.message}` : e.message;
}

/**
 * Builds `{"event_type": T, ...fields}` from `--field K=V` (string) and `--field K:=JSON` (typed).
 *
 * @param eventType The event type.
 * @param fields The `--field` values.
 * @returns The payload object.
 * @throws {UsageError} For a malformed field, a repeated key, or invalid JSON after `:=`.
 */
export function eventFromFlags(eventType: string, fields: string[]): JsonObject {
  const obj: JsonObject = new Map<string, JsonValue>([["event_type", eventType]]);
  for (const f of fields) {
    const eq = f.indexOf("=");
    if (eq <= 0 || (eq === 1 && f[0] === ":")) {
      throw new UsageError(`--field ${JSON.stringify(f)} is not KEY=VALUE or KEY:=JSON`);
    }
    const typed = f[eq - 1] === ":";
    const key = f.slice(0, typed ? eq - 1 : eq);
    const raw = f.slice(eq + 1);
    if (obj.has(key)) {
      throw new UsageError(`--field ${JSON.stringify(key)} is given twice (or repeats event_type)`);
    }
    let value: JsonValue = raw;
    if (typed) {
      try {
        value = parseJsonText(raw);
      } catch (e) {
        throw new UsageError(`--field ${key}:= holds invalid JSON: ${(e as Error).message}`);
      }
    }
    obj.set(key, value);
  }
  return obj;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a positive integer`);
  }
  return n;
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
