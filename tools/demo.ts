/**
 * `deno task demo`: the main job end to end on a temporary WAL, printing each command as a user
 * would type it and its real output (the CLI runs in-process, with the same code paths).
 *
 * init → append (single events and a --stdin stream) → verify with the pinned key → tamper with
 * a copy → verify fails; then checkpoint → cut the tail → verify catches it; prove one record
 * and check the proof offline; finally verify a log written by the upstream Python SDK.
 *
 * @module
 */

import { type CliIo, denoIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";

const repo = new URL("../", import.meta.url).pathname;
const encoder = new TextEncoder();

function ioWithStdin(input?: string): CliIo {
  const io = denoIo();
  const stdin = ReadableStream.from(input === undefined ? [] : [encoder.encode(input)]);
  return { ...io, stdin, env: () => undefined };
}

async function run(args: string[], input?: string): Promise<number> {
  const shown = args.map((a) => (/^[\w./:=@,+-]+$/.test(a) ? a : `'${a}'`)).join(" ");
  console.log(`\n$ ${input === undefined ? "" : "printf '...' | "}spine ${shown}`);
  const code = await main(args, ioWithStdin(input));
  console.log(`(exit code ${code})`);
  return code;
}

async function copyDir(src: string, dst: string): Promise<void> {
  await Deno.mkdir(dst, { recursive: true });
  for await (const e of Deno.readDir(src)) {
    if (e.isFile) {
      await Deno.writeFile(`${dst}/${e.name}`, await Deno.readFile(`${src}/${e.name}`), {
        mode: 0o644,
      });
    }
  }
}

function segmentOf(dir: string): string {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".jsonl"))
    .sort();
  return `${dir}/${names[names.length - 1]}`;
}

const tmp = await Deno.makeTempDir({ prefix: "spine-demo-" });
const expect: [string, number, number][] = [];
const check = (what: string, got: number, want: number) => expect.push([what, got, want]);
try {
  Deno.chdir(tmp);
  console.log(`Working in ${tmp}`);

  console.log("\n== 1. Create a WAL with a new signing key (private key in audit.key, mode 0600)");
  check("init", await run(["init", "--wal", "audit"]), 0);

  console.log("\n== 2. Append events: one at a time, and a JSONL stream on stdin (group commit)");
  check(
    "append",
    await run(["append", "--wal", "audit", "--event-type", "user.login", "--field", "user=alice"]),
    0,
  );
  check(
    "append",
    await run([
      "append",
      "--wal",
      "audit",
      "--payload",
      '{"event_type":"role.grant","user":"bob","role":"admin"}',
    ]),
    0,
  );
  const stream = Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({ event_type: "file.read", user: "carol", file: `report-${i}.pdf` })).join(
      "\n",
    ) + "\n";
  check(
    "append --stdin",
    await run(["append", "--wal", "audit", "--stdin", "--sync", "batch"], stream),
    0,
  );

  console.log("\n== 3. Verify with the pinned key (the trust file init wrote for auditors)");
  check("verify", await run(["verify", "--wal", "audit", "--trust-file", "audit.trust.json"]), 0);

  console.log("\n== 4. Tamper with a copy: change who was granted admin in record 2");
  await copyDir("audit", "audit-tampered");
  const seg = segmentOf("audit-tampered");
  await Deno.writeTextFile(
    seg,
    (await Deno.readTextFile(seg)).replace('"user":"bob"', '"user":"eve"'),
  );
  console.log(`edited ${seg}: "user":"bob" -> "user":"eve"`);
  check(
    "verify tampered",
    await run(["verify", "--wal", "audit-tampered", "--trust-file", "audit.trust.json"]),
    1,
  );

  console.log(
    "\n== 5. Sign a checkpoint, then cut the last two records from a copy (and rewind chain_state.json)",
  );
  check("checkpoint", await run(["checkpoint", "--wal", "audit"]), 0);
  await copyDir("audit", "audit-cut");
  await Deno.mkdir("audit-cut/checkpoints");
  for (const e of Deno.readDirSync("audit/checkpoints")) {
    await Deno.copyFile(`audit/checkpoints/${e.name}`, `audit-cut/checkpoints/${e.name}`);
  }
  const cut = segmentOf("audit-cut");
  const lines = (await Deno.readTextFile(cut)).split("\n").filter((l) =>
    l !== ""
  );
  await Deno.writeTextFile(
    cut,
    lines.slice(0, -2).map((l) =>
      l + "\n"
    ).join(""),
  );
  await Deno.remove("audit-cut/chain_state.json").catch(() => {});
  console.log(`removed the last 2 lines of ${cut} and chain_state.json`);
  check(
    "verify cut",
    await run(["verify", "--wal", "audit-cut", "--trust-file", "audit.trust.json"]),
    1,
  );

  console.log("\n== 6. Prove one record to someone who does not have the log");
  check(
    "prove",
    await run(["prove", "--wal", "audit", "--seq", "2", "--output", "proof-2.txt"]),
    0,
  );
  check(
    "verify-proof",
    await run(["verify-proof", "proof-2.txt", "--trust-file", "audit.trust.json"]),
    0,
  );

  console.log(
    "\n== 7. A log written by the upstream Spine Python SDK verifies too (root key pinned)",
  );
  const py = `${repo}tests/testdata/corpus/python-small`;
  check(
    "verify upstream",
    await run([
      "verify",
      "--wal",
      py,
      "--trust-file",
      `${py}/keys.json`,
      "--format",
      "json",
      "--output",
      "report.json",
    ]),
    0,
  );
  const report = JSON.parse(await Deno.readTextFile("report.json"));
  console.log(
    `report.json: status=${report.status}, events=${report.events_verified}, signatures=${report.signatures_verified}`,
  );

  const failed = expect.filter(([, got, want]) => got !== want);
  console.log(
    failed.length === 0
      ? "\nDemo finished: every step gave the expected exit code (clean logs 0, tampered and cut copies 1)"
      : `\nDemo FAILED: ${failed.map(([w, g, e]) => `${w} exited ${g}, expected ${e}`).join("; ")}`,
  );
  if (failed.length > 0) Deno.exitCode = 1;
} finally {
  Deno.chdir(repo);
  await Deno.remove(tmp, { recursive: true });
}
