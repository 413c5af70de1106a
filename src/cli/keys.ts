/**
 * `spine keys`: generate, show, export, import, rotate and revoke signing keys.
 *
 * Private keys come from key files or `SPINE_SIGNING_KEY` (or standard input for `import`),
 * never from the command line, and are never printed.
 *
 * @module
 */

import { formatOf, noPositionals } from "./_command.ts";
import { parseArgs } from "node:util";
import { parsePublicKey, type PublicKey } from "../crypto/ed25519.ts";
import {
  KeyFileError,
  loadSigningKey,
  readKeyFile,
  replaceKeyFile,
  trustFileText,
  writeKeyFile,
} from "../crypto/key_file.ts";
import { generateSigningKey, parseSigningKey, type SigningKey } from "../crypto/keys.ts";
import { ioReason, WalError } from "../wal/errors.ts";
import { defaultKeyPath } from "../wal/paths.ts";
import { openWal } from "../wal/writer.ts";
import { type CliIo, EXIT, UsageError } from "./io.ts";

/** Help text of `spine keys`. */
export const KEYS_HELP = `Usage: spine keys <subcommand> [options]

Manage Ed25519 signing keys. Private keys are read from key files, SPINE_SIGNING_KEY or standard
input, never from the command line, and never printed. Key files are PKCS#8 PEM, mode 0600.

Subcommands:
  generate --key-file PATH                 Create a new key file (never overwrites)
  show [--key-file PATH] [--format json]   Print the key id and public key ({"key_id","public_key"})
  export-public [--key-file PATH] [--output FILE]
                                           Print (or write) the public trust file for auditors
  import --key-file PATH                   Store a key read from SPINE_SIGNING_KEY, else standard
                                           input (64 hex seed or PKCS#8 PEM), as a key file
  rotate --wal DIR [--key-file PATH] [--destroy-old] [--reason TEXT]
                                           Append a key_rotation record signed by the current key,
                                           put a new key in PATH (default DIR.key); the old key is
                                           archived as PATH.old-<key id> (mode 0600), or with
                                           --destroy-old overwritten and removed
  revoke --wal DIR [--key-file PATH] --revoke-public-key KEY --reason TEXT
                                           Append a key_revocation record signed by the current key:
                                           verify then rejects later records signed by KEY

show and export-public read SPINE_SIGNING_KEY when --key-file is not given.
Common options: --format text|json, -h/--help.

Exit codes: 0 success, 2 usage or I/O error.
`;

/**
 * Runs `spine keys`.
 *
 * @param args Arguments after `keys`.
 * @param io Streams and environment.
 * @returns The exit code: 0 success, 2 usage or I/O error.
 * @throws {UsageError} For bad arguments.
 * @throws {KeyFileError} If a key file cannot be read or written.
 * @throws {WalError} If the WAL cannot be appended to (rotate, revoke).
 * @example
 * ```ts ignore
 * import { runKeys } from "./keys.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exit(await runKeys(["show", "--key-file", "audit.key"], denoIo()));
 * ```
 */
export async function runKeys(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      "key-file": { type: "string" },
      wal: { type: "string" },
      output: { type: "string" },
      reason: { type: "string" },
      "destroy-old": { type: "boolean", default: false },
      "revoke-public-key": { type: "string" },
      format: { type: "string", default: "text" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (sub === undefined || sub === "-h" || sub === "--help" || values.help) {
    await io.out(KEYS_HELP);
    return sub === undefined ? EXIT.ERROR : EXIT.OK;
  }
  noPositionals(positionals);
  const format = formatOf(values.format, ["text", "json"] as const);
  const env = io.env("SPINE_SIGNING_KEY");
  const requireKeyFile = () => {
    if (values["key-file"] === undefined) throw new UsageError(`keys ${sub} needs --key-file PATH`);
    return values["key-file"];
  };
  const requireWal = () => {
    if (values.wal === undefined) throw new UsageError(`keys ${sub} needs --wal DIR`);
    return values.wal;
  };
  const currentKey = async (): Promise<{ key: SigningKey; path?: string }> => {
    if (values["key-file"] === undefined && (env === undefined || env.trim() === "")) {
      if (values.wal === undefined) {
        throw new UsageError(`keys ${sub} needs --key-file PATH (or SPINE_SIGNING_KEY)`);
      }
    }
    return await loadSigningKey(
      values["key-file"],
      env,
      values.wal !== undefined ? defaultKeyPath(values.wal) : "",
    );
  };
  const describe = (key: SigningKey, extra: Record<string, unknown> = {}) =>
    format === "json"
      ? JSON.stringify({ key_id: key.keyId, public_key: key.publicKey.hex, ...extra }) + "\n"
      : Object.entries({ key_id: key.keyId, public_key: key.publicKey.hex, ...extra })
        .map(([k, v]) =>
          `${(k[0].toUpperCase() + k.slice(1).replaceAll("_", " ") + ":").padEnd(15)}${v}\n`
        )
        .join("");

  switch (sub) {
    case "generate": {
      const path = requireKeyFile();
      const key = await generateSigningKey();
      await writeKeyFile(path, key);
      await io.out(describe(key, { key_file: path }));
      return EXIT.OK;
    }
    case "show": {
      const { key } = await currentKey();
      await io.out(describe(key));
      return EXIT.OK;
    }
    case "export-public": {
      const { key } = await currentKey();
      const text = trustFileText([key]);
      if (values.output === undefined) {
        await io.out(text);
      } else {
        try {
          await Deno.writeTextFile(values.output, text, { mode: 0o644 });
        } catch (e) {
          throw new WalError(`Cannot write ${values.output}: ${ioReason(e)}`, { cause: e });
        }
      }
      return EXIT.OK;
    }
    case "import": {
      const path = requireKeyFile();
      let text = env;
      if (text === undefined || text.trim() === "") text = await readAllText(io.stdin);
      if (text.trim() === "") {
        throw new UsageError(
          "keys import reads the key from SPINE_SIGNING_KEY or standard input; both are empty",
        );
      }
      let key: SigningKey;
      try {
        key = await parseSigningKey(text);
      } catch (e) {
        throw new KeyFileError(`The imported text holds no usable key: ${(e as Error).message}`);
      }
      await writeKeyFile(path, key);
      await io.out(describe(key, { key_file: path }));
      return EXIT.OK;
    }
    case "rotate": {
      const wal = requireWal();
      const path = values["key-file"] ?? defaultKeyPath(wal);
      const oldKey = await readKeyFile(path);
      const newKey = await generateSigningKey();
      const log = await openWal(wal, { signingKey: oldKey });
      let seq: number;
      try {
        seq = (await log.rotateKey(newKey, { reason: values.reason })).seq;
      } finally {
        await log.close();
      }
      const { archived } = await replaceKeyFile(path, oldKey, newKey, {
        destroyOld: values["destroy-old"],
      });
      await io.out(describe(newKey, {
        key_file: path,
        old_key_id: oldKey.keyId,
        old_key: archived ?? "destroyed",
        rotation_seq: seq,
        effective_seq: seq + 1,
      }));
      return EXIT.OK;
    }
    case "revoke": {
      const wal = requireWal();
      const revokeText = values["revoke-public-key"];
      if (revokeText === undefined) {
        throw new UsageError("keys revoke needs --revoke-public-key KEY");
      }
      if (values.reason === undefined) throw new UsageError("keys revoke needs --reason TEXT");
      let revoked: PublicKey;
      try {
        revoked = parsePublicKey(revokeText);
      } catch (e) {
        throw new UsageError(
          `--revoke-public-key is not a usable Ed25519 public key: ${(e as Error).message}`,
        );
      }
      const { key } = await loadSigningKey(values["key-file"], env, defaultKeyPath(wal));
      const log = await openWal(wal, { signingKey: key });
      let seq: number;
      try {
        seq = (await log.revokeKey(revoked, { reason: values.reason })).seq;
      } finally {
        await log.close();
      }
      await io.out(
        format === "json"
          ? JSON.stringify({
            revoked_public_key: revoked.hex,
            revocation_seq: seq,
            effective_seq: seq + 1,
          }) + "\n"
          : `Revoked ${revoked.hex} from seq ${seq + 1} (revocation record seq ${seq})\n`,
      );
      return EXIT.OK;
    }
    default:
      throw new UsageError(`Unknown keys subcommand ${JSON.stringify(sub)}`);
  }
}

async function readAllText(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of stream) {
    chunks.push(c);
    total += c.length;
    if (total > 64 * 1024) throw new UsageError("Standard input is too large to be a key");
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}
