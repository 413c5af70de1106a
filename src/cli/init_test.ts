import assert from "node:assert/strict";
import type { CliIo } from "./io.ts";
import { INIT_HELP, runInit, shellQuote } from "./init.ts";

function io(env: Record<string, string> = {}): CliIo & { stdout: string; stderr: string } {
  const o = {
    stdout: "",
    stderr: "",
    out: (t: string) => Promise.resolve(void (o.stdout += t)),
    err: (t: string) => Promise.resolve(void (o.stderr += t)),
    stdin: ReadableStream.from<Uint8Array>([]),
    stderrIsTerminal: false,
    env: (n: string) => env[n],
  };
  return o;
}

Deno.test("runInit() prints help and refuses missing or contradictory arguments", async () => {
  const h = io();
  assert.equal(await runInit(["--help"], h), 0);
  assert.equal(h.stdout, INIT_HELP);
  await assert.rejects(runInit([], io()), /Missing --wal DIR/);
  await assert.rejects(runInit(["--wal", "x", "--format", "xml"], io()), /is not text or json/);
  await assert.rejects(
    runInit(["--wal", "x", "--key-file", "k"], io({ SPINE_SIGNING_KEY: "00".repeat(32) })),
    /both given/,
  );
});

Deno.test("runInit() in-process creates a WAL whose trust file pins the printed key", async () => {
  const dir = await Deno.makeTempDir();
  const o = io();
  assert.equal(await runInit(["--wal", `${dir}/a b`, "--format", "json"], o), 0);
  const out = JSON.parse(o.stdout);
  assert.equal(out.key_file, `${dir}/a b.key`);
  assert.equal(
    out.verify_command,
    `spine verify --wal '${dir}/a b' --trust-file '${dir}/a b.trust.json'`,
  );
  const trust = JSON.parse(await Deno.readTextFile(out.trust_file));
  assert.equal(trust.keys[0].public_key, out.public_key);
});

Deno.test("shellQuote() leaves safe words alone and single-quotes the rest", () => {
  assert.equal(shellQuote("audit_log/x.json"), "audit_log/x.json");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});
