/**
 * `spine witness`: cosign a log's checkpoint after checking it is consistent with the last one
 * this witness cosigned (`cosign`), and print the witness's public vkey (`key`).
 *
 * @module
 */

import { noPositionals } from "./_command.ts";
import { parseArgs } from "node:util";
import { parseCheckpoint } from "../checkpoint/checkpoint.ts";
import { parseConsistencyProof } from "../checkpoint/consistency.ts";
import {
  formatVerifierKey,
  noteKeyId,
  parseNote,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from "../checkpoint/note.ts";
import { cosignCheckpoint, WitnessRefusal } from "../checkpoint/witness.ts";
import { parsePublicKey, type PublicKey } from "../crypto/ed25519.ts";
import { readKeyFile } from "../crypto/key_file.ts";
import type { SigningKey } from "../crypto/keys.ts";
import { parseTrustFile } from "../verify/trust.ts";
import { ioReason } from "../wal/errors.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine witness`. */
export const WITNESS_HELP = `Usage: spine witness <subcommand> [options]

Witness a log's checkpoints: verify the log's signature, check that the checkpoint only grew
since the last one this witness cosigned for that origin, and add a C2SP tlog-cosignature line.
A rollback (a smaller tree) or a fork (another root for a size already cosigned, or a tree that
does not extend it) is refused.

Subcommands:
  cosign --state DIR --key-file W --checkpoint FILE [--proof FILE]
         (--log-key KEY | --log-trust-file FILE)... [--name NAME] [--output FILE]
      Print (or write to FILE) the checkpoint note with this witness's cosignature added.
        --state DIR           The witness's own state directory, one file per origin
                              (created if missing; keep it: losing it forgets what was cosigned)
        --key-file W          The witness's signing key (hex seed or PKCS#8 PEM)
        --checkpoint FILE     The log's signed checkpoint note
        --proof FILE          Consistency proof from the last cosigned size to this one
                              ("spine prove --consistency"); required when the tree grew
        --log-key KEY         A trusted log public key: 64 hex, base64, or a vkey
                              NAME+KEYID+BASE64 whose name is the origin; repeatable
        --log-trust-file FILE Trust the keys of a trust file; repeatable
        --name NAME           The witness's key name (default: witness-<key id>)
        --output FILE         Write the cosigned note to FILE instead of standard output
  key --key-file W [--name NAME]
      Print the witness's vkey (type 0x04) for verifiers to pin with
      "spine verify --witness-key KEY --witness-quorum N". Use the same --name as for cosign.

Exit codes: 0 cosigned (or key printed), 1 refused (bad_signature, rollback, fork,
missing_proof, bad_proof), 2 usage or I/O error.
`;

/**
 * Runs `spine witness`.
 *
 * @param args Arguments after `witness`.
 * @param io Streams.
 * @returns The exit code: 0 cosigned or key printed, 1 refused, 2 usage error.
 * @throws {UsageError} For bad arguments or unreadable input files.
 * @throws {KeyFileError} If the witness key cannot be read.
 * @throws {CheckpointSyntaxError} If the checkpoint note or the proof is malformed.
 * @throws {WitnessStateError} If the witness state is unreadable, corrupt or cannot be written.
 * @example
 * ```ts ignore
 * import { runWitness } from "./witness.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exit(await runWitness(["key", "--key-file", "witness.key"], denoIo()));
 * ```
 */
export async function runWitness(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "-h" || sub === "--help" || sub === "help") {
    await io.out(WITNESS_HELP);
    return sub === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (sub === "cosign") return await runCosign(rest, io);
  if (sub === "key") return await runKey(rest, io);
  throw new UsageError(`Unknown subcommand ${JSON.stringify(sub)}; expected cosign or key`);
}

async function runCosign(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      state: { type: "string" },
      "key-file": { type: "string" },
      checkpoint: { type: "string" },
      proof: { type: "string" },
      "log-key": { type: "string", multiple: true },
      "log-trust-file": { type: "string", multiple: true },
      name: { type: "string" },
      output: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(WITNESS_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  if (values.state === undefined) throw new UsageError("witness cosign needs --state DIR");
  if (values["key-file"] === undefined) throw new UsageError("witness cosign needs --key-file W");
  if (values.checkpoint === undefined) {
    throw new UsageError("witness cosign needs --checkpoint FILE");
  }
  const logKeyArgs = values["log-key"] ?? [];
  const trustFiles = values["log-trust-file"] ?? [];
  if (logKeyArgs.length === 0 && trustFiles.length === 0) {
    throw new UsageError("witness cosign needs --log-key KEY or --log-trust-file FILE");
  }
  const checkpointPath = values.checkpoint;
  const checkpointNote = await readInput(checkpointPath, "checkpoint");
  // Parse here too, so syntax errors name the file; the origin selects vkeys by name.
  const origin = parseCheckpoint(
    parseNote(checkpointNote, { file: checkpointPath }).body,
    { file: checkpointPath },
  ).origin;
  const logKeys: PublicKey[] = [];
  for (const text of logKeyArgs) {
    const key = parseLogKey(text);
    // A vkey pins its origin too: a key for another log is not trusted for this one.
    if (key.name === undefined || key.name === origin) logKeys.push(key.publicKey);
  }
  for (const path of trustFiles) {
    const text = await readInput(path, "trust file");
    logKeys.push(...parseTrustFile(text, path).map((k) => k.publicKey));
  }
  let proof: string | undefined;
  if (values.proof !== undefined) {
    proof = await readInput(values.proof, "proof");
    parseConsistencyProof(proof, { file: values.proof });
  }
  const witnessKey = await readKeyFile(values["key-file"]);
  const witnessName = values.name ?? defaultName(witnessKey);
  checkName(witnessName);
  let result;
  try {
    result = await cosignCheckpoint({
      stateDir: values.state,
      witnessKey,
      witnessName,
      logKeys,
      checkpointNote,
      proof,
    });
  } catch (e) {
    if (e instanceof WitnessRefusal) {
      await io.err(`spine witness: refused (${e.reason}): ${e.message}\n`);
      return EXIT.INVALID;
    }
    throw e;
  }
  const { checkpoint, previous } = result;
  if (values.output !== undefined) {
    try {
      await Deno.writeTextFile(values.output, result.note);
    } catch (e) {
      throw new Error(`Cannot write ${values.output}: ${ioReason(e)}`, { cause: e });
    }
  } else {
    await io.out(result.note);
  }
  const how = previous === undefined
    ? "first sighting of this origin"
    : previous.size === checkpoint.size
    ? "same tree as last cosigned"
    : `consistent with the cosigned size ${previous.size}`;
  await io.err(
    `spine witness: cosigned ${checkpoint.origin} at size ${checkpoint.size} as ${witnessName} ` +
      `(${how})\n`,
  );
  return EXIT.OK;
}

async function runKey(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      "key-file": { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(WITNESS_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  if (values["key-file"] === undefined) throw new UsageError("witness key needs --key-file W");
  const key = await readKeyFile(values["key-file"]);
  const name = values.name ?? defaultName(key);
  checkName(name);
  await io.out(formatVerifierKey(name, key.publicKey.bytes, SIG_TYPE_COSIGNATURE_V1) + "\n");
  return EXIT.OK;
}

/** `witness-<key id>`: the default witness key name. */
function defaultName(key: SigningKey): string {
  return `witness-${key.keyId}`;
}

function checkName(name: string): void {
  try {
    noteKeyId(name, new Uint8Array(32), SIG_TYPE_COSIGNATURE_V1);
  } catch {
    throw new UsageError(
      `--name ${JSON.stringify(name)} is not a key name (non-empty, no spaces, "+" or controls)`,
    );
  }
}

/** A `--log-key`: a type 0x01 vkey (name = origin) or a bare public key (hex or base64). */
function parseLogKey(text: string): { name?: string; publicKey: PublicKey } {
  const shown = JSON.stringify(text.slice(0, 120));
  try {
    if (/^[^+]+\+[0-9a-f]{8}\+/.test(text)) {
      const vkey = parseVerifierKey(text);
      if (vkey.type !== SIG_TYPE_ED25519) {
        throw new RangeError(
          `vkey type 0x${vkey.type.toString(16).padStart(2, "0")} is not a log key (0x01)`,
        );
      }
      return { name: vkey.name, publicKey: parsePublicKey(vkey.publicKey) };
    }
    return { publicKey: parsePublicKey(text) };
  } catch (e) {
    const detail = (e as { detail?: string }).detail ?? (e as Error).message;
    throw new UsageError(`--log-key ${shown} is not usable: ${detail}`);
  }
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new UsageError(`Cannot read ${what} ${path}: ${ioReason(e)}`);
  }
}
