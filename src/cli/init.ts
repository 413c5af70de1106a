/**
 * `spine init`: create a WAL directory, its signing key and its public trust file.
 *
 * @module
 */

import { formatOf, noPositionals, requireWal } from "./_command.ts";
import { parseArgs } from "node:util";
import { KeyFileError, trustFileText, writeKeyFile } from "../crypto/key_file.ts";
import { generateSigningKey, parseSigningKey, type SigningKey } from "../crypto/keys.ts";
import { ioReason, WalError } from "../wal/errors.ts";
import { defaultKeyPath, defaultTrustPath, isWithin } from "../wal/paths.ts";
import { readStreamMeta } from "../wal/state.ts";
import { createWal } from "../wal/writer.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine init`. */
export const INIT_HELP = `Usage: spine init --wal DIR [options]

Create a Spine WAL directory, a new Ed25519 signing key and a public trust file.

Options:
  --wal DIR            WAL directory to create (required; may exist if empty)
  --key-file PATH      Where to store the new private key (default: DIR.key, beside DIR;
                       mode 0600; never inside DIR; an existing file is never overwritten)
  --trust-out PATH     Where to write the public trust file (default: DIR.trust.json)
  --namespace NS       The namespace recorded in stream.meta.json (default: default)
  --format FMT         text (default) or json
  -h, --help           Show this help

With SPINE_SIGNING_KEY set (64 hex seed or PKCS#8 PEM), that key is used and no key file is
written. The private key is never printed.

Exit codes: 0 success, 2 usage or I/O error.
`;

/**
 * Runs `spine init`.
 *
 * @param args Arguments after `init`.
 * @param io Streams and environment.
 * @returns The exit code: 0 success, 2 usage or I/O error.
 * @throws {UsageError} For bad arguments.
 * @throws {WalError} If the WAL exists already or cannot be created.
 * @throws {KeyFileError} If the key file exists or cannot be written.
 * @example
 * ```ts ignore
 * import { runInit } from "./init.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exit(await runInit(["--wal", "./audit_log"], denoIo()));
 * ```
 */
export async function runInit(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      wal: { type: "string" },
      "key-file": { type: "string" },
      "trust-out": { type: "string" },
      namespace: { type: "string" },
      format: { type: "string", default: "text" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    await io.out(INIT_HELP);
    return EXIT.OK;
  }
  noPositionals(positionals);
  const wal = requireWal(values.wal);
  const format = formatOf(values.format, ["text", "json"] as const);
  const envKey = io.env("SPINE_SIGNING_KEY");
  const fromEnv = envKey !== undefined && envKey.trim() !== "";
  if (fromEnv && values["key-file"] !== undefined) {
    throw new UsageError(
      "--key-file and SPINE_SIGNING_KEY both given: init writes a new key file only when SPINE_SIGNING_KEY is unset",
    );
  }
  let keyPath: string | undefined;
  let trustPath: string;
  try {
    keyPath = fromEnv ? undefined : values["key-file"] ?? defaultKeyPath(wal);
    trustPath = values["trust-out"] ?? defaultTrustPath(wal);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (keyPath !== undefined && isWithin(keyPath, wal)) {
    throw new UsageError(
      `Key file ${keyPath} is inside the WAL directory; keep private keys outside it`,
    );
  }
  // Refuse before writing anything.
  if ((await exists(wal)) && (await readStreamMeta(wal)) !== undefined) {
    throw new WalError(`${wal} is already a Spine WAL (stream.meta.json exists)`);
  }
  if (keyPath !== undefined && (await exists(keyPath))) {
    throw new KeyFileError(
      `Key file ${keyPath} already exists; refusing to overwrite it (use --key-file PATH, or SPINE_SIGNING_KEY to reuse a key)`,
    );
  }
  if (await exists(trustPath)) {
    throw new UsageError(
      `Trust file ${trustPath} already exists; choose another with --trust-out PATH`,
    );
  }
  let key: SigningKey;
  if (fromEnv) {
    try {
      key = await parseSigningKey(envKey);
    } catch (e) {
      throw new KeyFileError(`SPINE_SIGNING_KEY holds no usable key: ${(e as Error).message}`);
    }
  } else {
    key = await generateSigningKey();
    await writeKeyFile(keyPath!, key);
  }
  let streamId: string;
  try {
    streamId = (await createWal(wal, { namespace: values.namespace, signingKey: key })).stream_id;
  } catch (e) {
    if (keyPath !== undefined) await Deno.remove(keyPath).catch(() => {}); // never used: safe to drop
    throw e;
  }
  try {
    await Deno.writeTextFile(trustPath, trustFileText([key]), { createNew: true, mode: 0o644 });
  } catch (e) {
    throw new WalError(`Cannot write trust file ${trustPath}: ${ioReason(e)}`, { cause: e });
  }
  const verifyCommand = `spine verify --wal ${shellQuote(wal)} --trust-file ${
    shellQuote(trustPath)
  }`;
  if (format === "json") {
    await io.out(
      JSON.stringify({
        wal,
        stream_id: streamId,
        key_id: key.keyId,
        public_key: key.publicKey.hex,
        key_file: keyPath ?? null,
        trust_file: trustPath,
        verify_command: verifyCommand,
      }) + "\n",
    );
  } else {
    await io.out(
      [
        `Created Spine WAL ${wal} (stream ${streamId})`,
        `Key id:       ${key.keyId}`,
        `Public key:   ${key.publicKey.hex}`,
        keyPath !== undefined
          ? `Signing key:  ${keyPath} (mode 0600; keep it secret and backed up)`
          : "Signing key:  from SPINE_SIGNING_KEY (not stored)",
        `Trust file:   ${trustPath} (public; give it to auditors)`,
        "",
        "Verify with:",
        `  ${verifyCommand}`,
        "",
      ].join("\n"),
    );
  }
  return EXIT.OK;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Quotes a word for a POSIX shell when it holds anything but safe characters.
 *
 * @param s The word.
 * @returns The word, single-quoted if needed.
 */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
