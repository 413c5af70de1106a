/**
 * `deno task demo`: the main job end to end on a temporary WAL, printing each command as a user
 * would type it and its real output (the CLI runs in-process).
 *
 * @module
 */

import { main } from "../src/cli/main.ts";
import { denoIo } from "../src/cli/io.ts";

const io = denoIo();
const repo = new URL("../", import.meta.url).pathname;

async function run(args: string[]): Promise<number> {
  console.log(`\n$ spine ${args.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : `'${a}'`)).join(" ")}`);
  const code = await main(args, io);
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

const tmp = await Deno.makeTempDir({ prefix: "spine-demo-" });
try {
  console.log(`Working in ${tmp}`);
  console.log("\n== 1. Verify a log written by the upstream Python SDK, with its root key pinned");
  const clean = `${tmp}/python-small`;
  await copyDir(`${repo}tests/testdata/corpus/python-small`, clean);
  const trust = `${clean}/keys.json`;
  const ok = await run(["verify", "--wal", clean, "--trust-file", trust]);

  console.log("\n== 2. Tamper with a copy: change one field of the payload of seq 500");
  const tampered = `${tmp}/python-small-tampered`;
  await copyDir(clean, tampered);
  const [segment] = [...Deno.readDirSync(tampered)].map((e) => e.name).filter((n) =>
    n.endsWith(".jsonl")
  );
  const lines = (await Deno.readTextFile(`${tampered}/${segment}`)).split("\n");
  lines[499] = lines[499].replace('"i": 500', '"i": 5000000');
  await Deno.writeTextFile(`${tampered}/${segment}`, lines.join("\n"));
  console.log(`edited ${segment} line 500: "i": 500 -> "i": 5000000`);
  const bad = await run(["verify", "--wal", tampered, "--trust-file", trust]);

  console.log("\n== 3. The same tampered log, as JSON for scripts");
  await run([
    "verify",
    "--wal",
    tampered,
    "--trust-file",
    trust,
    "--format",
    "json",
    "--output",
    `${tmp}/report.json`,
  ]);
  const report = JSON.parse(await Deno.readTextFile(`${tmp}/report.json`));
  console.log(
    `report.json: valid=${report.valid}, errors=${
      JSON.stringify(report.errors.map((e: { error_type: string; sequence: number }) =>
        `${e.error_type}@${e.sequence}`
      ))
    }`,
  );

  const success = ok === 0 && bad === 1;
  console.log(
    `\nDemo ${
      success
        ? "finished: the clean log verified (exit 0) and the tampered copy failed (exit 1)"
        : "FAILED"
    }`,
  );
  if (!success) Deno.exitCode = 1;
} finally {
  await Deno.remove(tmp, { recursive: true });
}
