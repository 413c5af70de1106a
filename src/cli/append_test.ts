import assert from "node:assert/strict";
import { JsonNumber } from "../format/json_value.ts";
import { APPEND_HELP, eventFromFlags, runAppend } from "./append.ts";
import type { CliIo } from "./io.ts";
import { runInit } from "./init.ts";

function io(stdin = ""): CliIo & { stdout: string; stderr: string } {
  const o = {
    stdout: "",
    stderr: "",
    out: (t: string) => Promise.resolve(void (o.stdout += t)),
    err: (t: string) => Promise.resolve(void (o.stderr += t)),
    stdin: ReadableStream.from([new TextEncoder().encode(stdin)]),
    stderrIsTerminal: false,
    env: () => undefined,
  };
  return o;
}

Deno.test("eventFromFlags() makes K=V strings and K:=JSON typed values, refusing repeats", () => {
  const obj = eventFromFlags("login", ["user=alice", "n:=42", "ok:=true", "eq=a=b"]);
  assert.deepEqual([...obj.keys()], ["event_type", "user", "n", "ok", "eq"]);
  assert.equal(obj.get("user"), "alice");
  assert.deepEqual(obj.get("n"), new JsonNumber("42"));
  assert.equal(obj.get("eq"), "a=b");
  assert.throws(() => eventFromFlags("x", ["event_type=y"]), /given twice/);
  assert.throws(() => eventFromFlags("x", ["novalue"]), /is not KEY=VALUE/);
  assert.throws(() => eventFromFlags("x", ["n:={"]), /invalid JSON/);
});

Deno.test("runAppend() requires exactly one input and valid policies", async () => {
  const h = io();
  assert.equal(await runAppend(["--help"], h), 0);
  assert.equal(h.stdout, APPEND_HELP);
  await assert.rejects(runAppend(["--wal", "w"], io()), /exactly one of/);
  await assert.rejects(
    runAppend(["--wal", "w", "--stdin", "--payload", "{}"], io()),
    /exactly one of/,
  );
  await assert.rejects(
    runAppend(["--wal", "w", "--payload", "{}", "--sync", "sometimes"], io()),
    /--sync/,
  );
  await assert.rejects(
    runAppend(["--wal", "w", "--payload", "{}", "--segment-max-bytes", "1.5"], io()),
    /positive integer/,
  );
  await assert.rejects(
    runAppend(["--wal", "w", "--payload", "{}", "--field", "a=b"], io()),
    /--field needs --event-type/,
  );
});

Deno.test("runAppend() in-process appends from stdin in batches and prints a JSON summary", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await runInit(["--wal", `${dir}/w`], io()), 0);
  const o = io(Array.from({ length: 3000 }, (_, i) => `{"i":${i}}`).join("\n"));
  assert.equal(
    await runAppend(["--wal", `${dir}/w`, "--stdin", "--sync", "batch", "--format", "json"], o),
    0,
  );
  const lines = o.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3001);
  assert.deepEqual(Object.keys(JSON.parse(lines[0])), ["seq", "entry_hash", "event_id"]);
  const summary = JSON.parse(lines[3000]);
  assert.equal(summary.appended, 3000);
  assert.equal(summary.last_seq, 3000);
  assert.equal(summary.head_entry_hash, JSON.parse(lines[2999]).entry_hash);
});
