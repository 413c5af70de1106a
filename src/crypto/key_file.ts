/**
 * Signing-key files: PKCS#8 PEM written with mode 0600, never overwritten, read back as hex seed
 * or PEM; the file swap of a key rotation (archive or destroy the old key).
 *
 * Errors name the path and what failed, never the file's content.
 *
 * @module
 */

import { syncDir, writeAll } from "../wal/durable.ts";
import { ioReason } from "../wal/errors.ts";
import { exportSigningKeyPem, parseSigningKey, type SigningKey } from "./keys.ts";

/** A key file that cannot be read, parsed or written. */
export class KeyFileError extends Error {
  /** Stable machine-readable code, the same for every instance: `"key_file_error"`. */
  readonly code: "key_file_error" = "key_file_error";
  /**
   * Creates a {@linkcode KeyFileError}.
   *
   * @param message What failed, naming the path (never the key).
   * @param options The underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KeyFileError";
  }
}

/**
 * Reads a signing key from a file (64 hex characters of seed, or a PKCS#8 PEM block).
 *
 * @param path The key file.
 * @returns The key.
 * @throws {KeyFileError} If the file cannot be read or does not hold a key.
 * @example
 * ```ts
 * import { readKeyFile, writeKeyFile } from "./key_file.ts";
 * import { generateSigningKey } from "./keys.ts";
 * const path = `${await Deno.makeTempDir()}/k.key`;
 * const key = await generateSigningKey();
 * await writeKeyFile(path, key);
 * console.assert((await readKeyFile(path)).keyId === key.keyId);
 * ```
 */
export async function readKeyFile(path: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new KeyFileError(`Cannot read key file ${path}: ${ioReason(e)}`, { cause: e });
  }
  try {
    return await parseSigningKey(text);
  } catch (e) {
    throw new KeyFileError(`Key file ${path} holds no usable key: ${(e as Error).message}`);
  }
}

/**
 * Writes a signing key as PKCS#8 PEM to a new file with mode 0600, and fsyncs it and its
 * directory. Never overwrites: an existing file is an error.
 *
 * @param path The new key file.
 * @param key The key.
 * @returns Resolves when the file is on disk.
 * @throws {KeyFileError} If the file exists or cannot be written.
 * @example
 * ```ts
 * import { writeKeyFile } from "./key_file.ts";
 * import { generateSigningKey } from "./keys.ts";
 * const path = `${await Deno.makeTempDir()}/k.key`;
 * await writeKeyFile(path, await generateSigningKey());
 * console.assert(Deno.build.os === "windows" || ((await Deno.stat(path)).mode! & 0o777) === 0o600);
 * ```
 */
export async function writeKeyFile(path: string, key: SigningKey): Promise<void> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new KeyFileError(`Key file ${path} already exists; refusing to overwrite it`, {
        cause: e,
      });
    }
    throw new KeyFileError(`Cannot create key file ${path}: ${ioReason(e)}`, { cause: e });
  }
  try {
    await chmod600(path); // the umask cannot widen 0600, but an odd FS default might
    await writeAll(file, new TextEncoder().encode(exportSigningKeyPem(key)));
    await file.sync();
  } catch (e) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw new KeyFileError(`Cannot write key file ${path}: ${ioReason(e)}`, { cause: e });
  }
  file.close();
  await syncDir(dirOf(path));
}

/** Options of {@linkcode replaceKeyFile}. */
export interface ReplaceKeyFileOptions {
  /** Overwrite and remove the old key instead of archiving it. */
  destroyOld?: boolean;
}

/** Where a key rotation left the key files. */
export interface ReplacedKeyFiles {
  /** The archive of the old key (`PATH.old-<key id>`), or `undefined` if it was destroyed. */
  archived?: string;
}

/**
 * Puts `newKey` into `path` (which holds `oldKey`), archiving the old key as
 * `PATH.old-<old key id>` (mode 0600) or destroying it.
 *
 * Call order: (1) the new key is written to `PATH.new-<new key id>` (0600, fsync); (2) `path` is
 * renamed to `PATH.old-<old key id>`; (3) the new file is renamed to `path`; (4) the directory is
 * fsynced; (5) with `destroyOld`, the archive's bytes are overwritten with zeros, fsynced, and
 * the file removed, then the directory fsynced. A crash leaves each key in exactly one of these
 * named files. (Overwriting cannot reach copies a journaling or copy-on-write file system or an
 * SSD keeps elsewhere: `spec/keys.md`.)
 *
 * @param path The key file.
 * @param oldKey The key it holds now (for the archive name).
 * @param newKey The key to install.
 * @param options `destroyOld`.
 * @returns Where the old key went.
 * @throws {KeyFileError} If a step fails (the message says which files hold which key).
 * @example
 * ```ts
 * import { readKeyFile, replaceKeyFile, writeKeyFile } from "./key_file.ts";
 * import { generateSigningKey } from "./keys.ts";
 * const path = `${await Deno.makeTempDir()}/k.key`;
 * const oldKey = await generateSigningKey();
 * const newKey = await generateSigningKey();
 * await writeKeyFile(path, oldKey);
 * const { archived } = await replaceKeyFile(path, oldKey, newKey);
 * console.assert((await readKeyFile(path)).keyId === newKey.keyId && archived !== undefined);
 * ```
 */
export async function replaceKeyFile(
  path: string,
  oldKey: SigningKey,
  newKey: SigningKey,
  options: ReplaceKeyFileOptions = {},
): Promise<ReplacedKeyFiles> {
  const staged = `${path}.new-${newKey.keyId}`;
  const archive = `${path}.old-${oldKey.keyId}`;
  await writeKeyFile(staged, newKey); // step 1
  try {
    await Deno.rename(path, archive); // step 2
    await chmod600(archive);
  } catch (e) {
    throw new KeyFileError(
      `Cannot archive ${path} as ${archive}: ${ioReason(e)}; the new key is in ${staged}`,
      { cause: e },
    );
  }
  try {
    await Deno.rename(staged, path); // step 3
    await syncDir(dirOf(path)); // step 4
  } catch (e) {
    throw new KeyFileError(
      `Cannot move the new key from ${staged} to ${path}: ${
        ioReason(e)
      }; the old key is in ${archive}`,
      { cause: e },
    );
  }
  if (!options.destroyOld) return { archived: archive };
  await destroyFile(archive); // step 5
  return {};
}

/**
 * Overwrites a file's bytes with zeros, fsyncs, removes it and fsyncs its directory.
 *
 * @param path The file to destroy.
 * @returns Resolves when removed.
 * @throws {KeyFileError} If a step fails.
 * @example
 * ```ts
 * import { destroyFile } from "./key_file.ts";
 * const path = `${await Deno.makeTempDir()}/secret`;
 * await Deno.writeTextFile(path, "secret");
 * await destroyFile(path);
 * ```
 */
export async function destroyFile(path: string): Promise<void> {
  try {
    using file = await Deno.open(path, { write: true });
    const size = (await file.stat()).size;
    await writeAll(file, new Uint8Array(size));
    await file.sync();
  } catch (e) {
    throw new KeyFileError(`Cannot overwrite ${path}: ${ioReason(e)}`, { cause: e });
  }
  try {
    await Deno.remove(path);
    await syncDir(dirOf(path));
  } catch (e) {
    throw new KeyFileError(`Cannot remove ${path}: ${ioReason(e)}`, { cause: e });
  }
}

/**
 * Tells whether a key file's mode lets group or others read it (always `false` on Windows).
 *
 * @param path The key file.
 * @returns Whether the mode is wider than 0600.
 * @throws {Error} If the file cannot be stat'ed.
 * @example
 * ```ts ignore
 * if (await isKeyFileExposed("audit.key")) console.error("chmod 600 audit.key");
 * ```
 */
export async function isKeyFileExposed(path: string): Promise<boolean> {
  const mode = (await Deno.stat(path)).mode;
  return mode !== null && (mode & 0o077) !== 0;
}

async function chmod600(path: string): Promise<void> {
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i === -1 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * The public trust file for a set of keys: `{"spine_trust": 1, "keys": [{"key_id",
 * "public_key"}]}` (what `spine verify --trust-file` reads), pretty-printed.
 *
 * @param keys Keys to pin (signing keys: only their public halves are written).
 * @returns The file text, ending with a newline.
 * @example
 * ```ts
 * import { trustFileText } from "./key_file.ts";
 * import { generateSigningKey } from "./keys.ts";
 * const text = trustFileText([await generateSigningKey()]);
 * console.assert(JSON.parse(text).spine_trust === 1);
 * ```
 */
export function trustFileText(
  keys: readonly { keyId: string; publicKey: { hex: string } }[],
): string {
  return JSON.stringify(
    { spine_trust: 1, keys: keys.map((k) => ({ key_id: k.keyId, public_key: k.publicKey.hex })) },
    null,
    2,
  ) + "\n";
}

/** Where {@linkcode loadSigningKey} found the key. */
export interface LoadedKey {
  key: SigningKey;
  /** The key file path, or `undefined` when the key came from the environment variable. */
  path?: string;
  /** Set when the key file is readable by group or others. */
  exposed?: boolean;
}

/**
 * Loads the signing key from, in order: `keyFile` if given; else the environment variable's
 * value if set; else `defaultPath`. The key text is never part of an error message.
 *
 * @param keyFile The explicit key file, if any.
 * @param envValue The value of `SPINE_SIGNING_KEY`, if set.
 * @param defaultPath The default key file.
 * @returns The key and where it came from.
 * @throws {KeyFileError} If the chosen source does not hold a usable key.
 * @example
 * ```ts
 * import { loadSigningKey } from "./key_file.ts";
 * const { key, path } = await loadSigningKey(undefined, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "x.key");
 * console.assert(path === undefined && key.keyId.startsWith("kid_"));
 * ```
 */
export async function loadSigningKey(
  keyFile: string | undefined,
  envValue: string | undefined,
  defaultPath: string,
): Promise<LoadedKey> {
  if (keyFile === undefined && envValue !== undefined && envValue.trim() !== "") {
    try {
      return { key: await parseSigningKey(envValue) };
    } catch (e) {
      throw new KeyFileError(`SPINE_SIGNING_KEY holds no usable key: ${(e as Error).message}`);
    }
  }
  const path = keyFile ?? defaultPath;
  try {
    await Deno.stat(path);
  } catch (e) {
    if (keyFile === undefined && e instanceof Deno.errors.NotFound) {
      throw new KeyFileError(
        `No signing key: ${path} does not exist; pass --key-file PATH or set SPINE_SIGNING_KEY`,
      );
    }
  }
  const key = await readKeyFile(path);
  let exposed = false;
  try {
    exposed = await isKeyFileExposed(path);
  } catch { /* checked by readKeyFile already */ }
  return { key, path, exposed };
}
