import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { type FlagSpec, parseFlags } from "./_args.ts";

const OPTIONS: Record<string, FlagSpec> = {
  wal: { type: "string" },
  field: { type: "string", multiple: true },
  stdin: { type: "boolean", default: false },
  sync: { type: "string", default: "always" },
  help: { type: "boolean", short: "h", default: false },
  output: { type: "string", short: "o" },
};

const CASES: string[][] = [
  [],
  ["--wal", "w", "--stdin"],
  ["--wal=w", "--wal", "v", "--field", "a=1", "--field=b=2", "pos", "--", "--stdin", "-h"],
  ["-h"],
  ["-ho", "x"],
  ["-oVALUE"],
  ["-o", "x", "y"],
  ["--payload", "{}"],
  ["--wal"],
  ["--wal", "--stdin"],
  ["--wal", "-"],
  ["--stdin=yes"],
  ["-x"],
  ["-hx"],
  ["--no-stdin"],
  ["--__proto__", "x"],
  ["-o"],
  ["-o", "-h"],
  ["--sync", "batch", "-"],
];

function outcome(run: () => unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(run()));
  } catch (e) {
    return {
      error: (e as Error).message,
      code: (e as { code?: string }).code,
      type: e instanceof TypeError,
    };
  }
}

Deno.test("parseFlags() gives node:util parseArgs' values, positionals and errors", () => {
  for (const args of CASES) {
    const ours = outcome(() => parseFlags(args, OPTIONS));
    const node = outcome(() =>
      parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true })
    );
    assert.deepEqual(ours, node, JSON.stringify(args));
  }
});
