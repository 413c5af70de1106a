/**
 * Helpers shared by the integration tests.
 *
 * @module
 */

import { parseTrustFile, type TrustedKey } from "../src/verify/trust.ts";

/** Absolute path of a file under `tests/testdata/`. */
export function testdata(...parts: string[]): string {
  return new URL(["testdata", ...parts].join("/"), import.meta.url).pathname;
}

/** The pinned keys of a corpus directory's `keys.json` (the root key; rotated-in keys are not pinned). */
export async function corpusTrust(dir: string): Promise<TrustedKey[]> {
  return parseTrustFile(await Deno.readTextFile(`${dir}/keys.json`), `${dir}/keys.json`);
}

/** `type@seq` strings of a report's errors, sorted, as expected.json writes them. */
export function findingKeys(
  findings: { error_type?: string; warning_type?: string; sequence: number | null }[],
): string[] {
  return findings.map((f) => `${f.error_type ?? f.warning_type}@${f.sequence ?? "-"}`).sort();
}

/** Copies a directory tree into a new temporary directory, making the copies writable. */
export async function copyToTemp(src: string): Promise<string> {
  const dst = await Deno.makeTempDir({ prefix: "spine-test-" });
  await copyTree(src, dst);
  return dst;
}

async function copyTree(src: string, dst: string): Promise<void> {
  for await (const e of Deno.readDir(src)) {
    if (e.isDirectory) {
      await Deno.mkdir(`${dst}/${e.name}`);
      await copyTree(`${src}/${e.name}`, `${dst}/${e.name}`);
    } else if (e.isFile) {
      await Deno.writeFile(`${dst}/${e.name}`, await Deno.readFile(`${src}/${e.name}`), {
        mode: 0o644,
      });
    }
  }
}
