/**
 * Test helper of the examples: the payloads of a WAL's records, in order, read straight from
 * its segment files (a verified log's lines are complete JSON objects).
 *
 * @module
 */

/**
 * Reads every record's payload.
 *
 * @param dir The WAL directory.
 * @returns The payloads, in segment and line order.
 */
export async function payloads(dir: string): Promise<Record<string, unknown>[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".jsonl")) names.push(e.name);
  const out: Record<string, unknown>[] = [];
  for (const name of names.sort()) {
    for (const line of (await Deno.readTextFile(`${dir}/${name}`)).split("\n")) {
      if (line !== "") out.push(JSON.parse(line).payload);
    }
  }
  return out;
}
