/**
 * Durable file primitives: complete writes, directory fsync, and atomic state-file replacement.
 *
 * The call order of {@linkcode writeFileAtomic} follows FiloSottile/sunlight `internal/durable`:
 *
 * 1. create `DIR/.NAME.tmp-<random>` (mode as asked, `createNew`), write all bytes;
 * 2. `fsync` the temporary file (its bytes are on disk before its name can be the real one);
 * 3. `rename` it over `DIR/NAME` (atomic: readers see the old or the new file, never a mix);
 * 4. `fsync` the directory (the rename itself is on disk).
 *
 * A crash before step 3 leaves the old file and a stray temporary file; after step 3 the new
 * file. See `spec/storage.md`.
 *
 * @module
 */

/**
 * Writes every byte of `bytes` to `file`, looping over short writes.
 *
 * @param file An open file.
 * @param bytes The bytes.
 * @returns Resolves when all bytes were handed to the OS.
 * @throws {Error} As `FsFile.write` throws.
 * @example
 * ```ts ignore
 * import { writeAll } from "./durable.ts";
 * using f = await Deno.open("x.txt", { write: true, create: true });
 * await writeAll(f, new TextEncoder().encode("hello\n"));
 * ```
 */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let rest = bytes;
  while (rest.length > 0) {
    const n = await file.write(rest);
    if (n <= 0) throw new Error("Write made no progress");
    rest = rest.subarray(n);
  }
}

/**
 * Flushes a directory's entries (creations, renames, removals) to disk: opens the directory
 * read-only and calls `FsFile.sync()` on it (`fsync(2)` on the directory descriptor).
 *
 * Where the platform cannot open or sync a directory (Windows), this is a no-op: there, NTFS
 * journals metadata and `rename` is as durable as the OS makes it. Any other failure is raised.
 *
 * @param dir The directory path.
 * @returns Resolves when the directory is synced (or cannot be on this platform).
 * @throws {Error} For I/O failures other than "cannot sync a directory here".
 * @example
 * ```ts
 * import { syncDir } from "./durable.ts";
 * await syncDir(await Deno.makeTempDir());
 * ```
 */
export async function syncDir(dir: string): Promise<void> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(dir, { read: true });
  } catch (e) {
    if (Deno.build.os === "windows" && !(e instanceof Deno.errors.NotFound)) return;
    throw e;
  }
  try {
    await f.sync();
  } catch (e) {
    // EINVAL/EBADF from file systems that do not support directory fsync: nothing more we can do.
    if (!(e instanceof Deno.errors.InvalidData) && !(e instanceof Deno.errors.NotSupported)) {
      if (Deno.build.os !== "windows") throw e;
    }
  } finally {
    f.close();
  }
}

/** Options of {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file (default 0o644). */
  mode?: number;
  /** Whether to fsync the file and the directory (default true). */
  sync?: boolean;
}

/**
 * Replaces `dir/name` atomically: temp file, fsync, rename, directory fsync (see the module doc).
 *
 * @param dir The directory holding the file.
 * @param name The file name (no slash).
 * @param bytes The complete new content.
 * @param options Mode and whether to fsync.
 * @returns Resolves when the new file is in place (and on disk, with `sync`).
 * @throws {TypeError} If `name` holds a path separator.
 * @throws {Error} For I/O failures; the temporary file is removed on failure.
 * @example
 * ```ts
 * import { writeFileAtomic } from "./durable.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(dir, "state.json", new TextEncoder().encode("{}\n"));
 * console.assert(Deno.readTextFileSync(`${dir}/state.json`) === "{}\n");
 * ```
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  bytes: Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  if (name.includes("/") || name.includes("\\")) {
    throw new TypeError(`File name ${JSON.stringify(name)} must not hold a path separator`);
  }
  const sync = options.sync ?? true;
  const rand = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const tmp = `${dir}/.${name}.tmp-${rand}`;
  // Step 1: create and fill the temporary file.
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: options.mode ?? 0o644 });
  try {
    try {
      await writeAll(file, bytes);
      // Step 2: its bytes reach the disk before its name can become the real one.
      if (sync) await file.sync();
    } finally {
      file.close();
    }
    // Step 3: atomic replacement.
    await Deno.rename(tmp, `${dir}/${name}`);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  // Step 4: the rename itself reaches the disk.
  if (sync) await syncDir(dir);
}
