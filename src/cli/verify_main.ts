/**
 * Entry point of `spine-verify`, the auditor's read-only binary (compiled with `--allow-read`
 * only): `spine-verify --wal DIR [options]` is `spine verify --wal DIR [options]`.
 *
 * @module
 */

import { main } from "./main.ts";

if (import.meta.main) {
  const args = Deno.args[0] === "verify" ? Deno.args.slice(1) : Deno.args;
  Deno.exit(await main(["verify", ...args]));
}
