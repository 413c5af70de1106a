/**
 * `spine verify` as a user runs it: a subprocess with exactly the permission flags of the
 * `spine` task (the same as the compiled binary), in a temp dir, with no stdin and NO_COLOR=1.
 */

import assert from "node:assert/strict";
import { copyToTemp, testdata } from "./_helpers.ts";
import { spine as spawnSpine, taskFlags, TASKS as tasks } from "./_spine.ts";
import { compileCommands } from "../tools/compile.ts";

const spine = (args: string[], task: "spine" | "spine-verify" = "spine") =>
  spawnSpine(args, { task });

const PY = testdata("corpus", "python-small");
const PY_KEYS = `${PY}/keys.json`;

Deno.test("the compile task builds every target with the same permission and V8 flags the tests use", () => {
  assert.match(tasks.compile, /\btools\/compile\.ts$/);
  const compile = compileCommands().map((c) => c.join(" "));
  for (
    const target of [
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
      "x86_64-apple-darwin",
      "aarch64-apple-darwin",
      "x86_64-pc-windows-msvc",
    ]
  ) {
    assert.ok(compile.some((c) => c.includes(`--target ${target} `)), `compile misses ${target}`);
  }
  const spineFlags = taskFlags("spine").join(" ");
  assert.equal(
    compile.filter((c) => c.endsWith(" main.ts") && c.includes(`${spineFlags} --target`)).length,
    5,
  );
  const verifyFlags = taskFlags("spine-verify").join(" ");
  assert.equal(verifyFlags, "--v8-flags=--max-semi-space-size=1 --no-prompt --allow-read");
  assert.equal(
    compile.filter((c) =>
      c.endsWith(" src/cli/verify_main.ts") && c.includes(`${verifyFlags} --target`)
    ).length,
    5,
  );
  assert.equal(compile.length, 10);
});

Deno.test("spine verify prints a VERIFIED text report and exits 0 for a clean pinned log", async () => {
  const r = await spine(["verify", "--wal", PY, "--trust-file", PY_KEYS]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /SPINE WAL VERIFICATION REPORT/);
  assert.match(r.stdout, /Status: +VERIFIED/);
  assert.match(r.stdout, /Events verified: +1000/);
  assert.match(r.stdout, /Signatures verified: +1000/);
  assert.match(r.stdout, /Chain integrity: +OK/);
});

Deno.test("spine verify --format json prints the upstream fields and exits 1 for a tampered log", async () => {
  const dir = testdata("corpus", "tampered", "python-small-a-payload-modified-500");
  const r = await spine([
    "verify",
    "--wal",
    dir,
    "--trust-file",
    `${dir}/keys.json`,
    "--format",
    "json",
  ]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "");
  const report = JSON.parse(r.stdout);
  for (
    const field of [
      "valid",
      "events_verified",
      "signatures_verified",
      "chain_root",
      "first_sequence",
      "last_sequence",
      "errors",
      "warnings",
      "status",
      "head_entry_hash",
    ]
  ) {
    assert.ok(field in report, `missing ${field}`);
  }
  assert.equal(report.valid, false);
  assert.equal(report.status, "TAMPERED");
  assert.deepEqual(
    report.errors.map((e: { error_type: string; sequence: number }) =>
      `${e.error_type}@${e.sequence}`
    ),
    ["invalid_hash@500"],
  );
  assert.equal(report.errors[0].file, "segment_20261127_062214.jsonl");
  assert.equal(report.errors[0].line, 500);
});

Deno.test("spine verify --format quiet prints nothing and only sets the exit code", async () => {
  const ok = await spine(["verify", "--wal", PY, "--trust-file", PY_KEYS, "--format", "quiet"]);
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, "", ""]);
  const bad = testdata("corpus", "tampered", "node-small-b-record-deleted-500");
  const r = await spine([
    "verify",
    "--wal",
    bad,
    "--trust-file",
    `${bad}/keys.json`,
    "--format",
    "quiet",
  ]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, "", ""]);
});

Deno.test("spine verify --trust-key accepts hex and base64 and --expected-root checks the chain root", async () => {
  const node = testdata("corpus", "node-small");
  const keys = JSON.parse(await Deno.readTextFile(`${node}/keys.json`));
  const root =
    JSON.parse(await Deno.readTextFile(testdata("corpus", "expected.json"))).anchors["node-small"]
      .chain_root_cli_style;
  const hex = await spine([
    "verify",
    "--wal",
    node,
    "--trust-key",
    keys.keys[0].public_key_hex,
    "--expected-root",
    root,
    "--format",
    "quiet",
  ]);
  assert.equal(hex.code, 0, hex.stderr);
  const b64 = await spine([
    "verify",
    "--wal",
    node,
    "--trust-key",
    keys.keys[0].public_key_base64,
    "--expected-root",
    "ab".repeat(32),
    "--format",
    "json",
  ]);
  assert.equal(b64.code, 1);
  assert.deepEqual(JSON.parse(b64.stdout).errors.map((e: { error_type: string }) => e.error_type), [
    "root_mismatch",
  ]);
});

Deno.test("spine verify --strict fails an unpinned log and --output writes the report to a file", async () => {
  const dir = await copyToTemp(PY);
  try {
    const r = await spine([
      "verify",
      "--wal",
      dir,
      "--strict",
      "--format",
      "json",
      "--output",
      `${dir}.report.json`,
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const report = JSON.parse(await Deno.readTextFile(`${dir}.report.json`));
    assert.equal(report.status, "FAILED_STRICT");
    assert.deepEqual(report.warnings.map((w: { warning_type: string }) => w.warning_type), [
      "unpinned_keys",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(`${dir}.report.json`).catch(() => {});
  }
});

Deno.test("spine-verify, the read-only binary, verifies with --allow-read only", async () => {
  const r = await spine(
    ["--wal", PY, "--trust-file", PY_KEYS, "--format", "quiet"],
    "spine-verify",
  );
  assert.deepEqual([r.code, r.stderr], [0, ""]);
});

const BAD_INPUTS: [string, (dir: string) => string[] | Promise<string[]>, RegExp][] = [
  [
    "a missing directory",
    (d) => ["--wal", `${d}/nope`],
    /Cannot read WAL directory .*nope: no such file or directory/,
  ],
  ["a file instead of a directory", async (d) => {
    await Deno.writeTextFile(`${d}/file`, "x");
    return ["--wal", `${d}/file`];
  }, /is not a directory/],
  ["an empty directory", async (d) => {
    await Deno.mkdir(`${d}/empty`);
    return ["--wal", `${d}/empty`];
  }, /holds no segment file/],
  ["no --wal", () => [], /Missing --wal DIR/],
  ["an unknown option", (d) => ["--wal", d, "--frobnicate"], /Unknown option '--frobnicate'/],
  [
    "a bad --format",
    (d) => ["--wal", d, "--format", "xml"],
    /--format "xml" is not text, json or quiet/,
  ],
  [
    "a malformed --trust-key",
    (d) => ["--wal", d, "--trust-key", "abc"],
    /--trust-key "abc" is not usable/,
  ],
  [
    "a small-order --trust-key",
    (d) => ["--wal", d, "--trust-key", "01" + "00".repeat(31)],
    /--trust-key .* is not usable: .*small/i,
  ],
  [
    "a missing trust file",
    (d) => ["--wal", d, "--trust-file", `${d}/none.json`],
    /Cannot read trust file .*none.json/,
  ],
  ["a trust file that is not JSON", async (d) => {
    await Deno.writeTextFile(`${d}/t.json`, "{not json");
    return ["--wal", d, "--trust-file", `${d}/t.json`];
  }, /Cannot parse trust file .*t\.json/],
];

for (const [what, setup, message] of BAD_INPUTS) {
  Deno.test(`spine verify exits 2 with a clear message and no stack trace for ${what}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "spine-bad-" });
    try {
      const r = await spine(["verify", ...(await setup(dir))]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("spine verify turns a binary segment, invalid UTF-8 and a 100 MB line into findings, not crashes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spine-hostile-" });
  try {
    const random = new Uint8Array(4096);
    crypto.getRandomValues(random);
    await Deno.writeFile(`${dir}/segment_a.jsonl`, random.map((b) => (b === 0x0a ? 0x0b : b)));
    await Deno.writeFile(
      `${dir}/segment_b.jsonl`,
      new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
    );
    const big = await Deno.open(`${dir}/segment_c.jsonl`, { write: true, create: true });
    const chunk = new Uint8Array(1 << 20).fill(0x61);
    for (let i = 0; i < 100; i++) await big.write(chunk);
    await big.write(new Uint8Array([0x0a]));
    big.close();
    const r = await spine(["verify", "--wal", dir, "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.errors.map((e: { error_type: string; file: string }) => `${e.error_type}:${e.file}`),
      // segment_a's unterminated line is not the log's last line: garbage, not a torn tail.
      ["parse_error:segment_a.jsonl", "parse_error:segment_b.jsonl", "parse_error:segment_c.jsonl"],
    );
    assert.match(report.errors[1].details, /UTF-8/);
    assert.match(report.errors[2].details, /line of 104857600 bytes exceeds the size cap/);
    assert.deepEqual(report.warnings.map((w: { warning_type: string }) => w.warning_type), [
      "empty_log",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spine --help lists the commands and spine with an unknown command exits 2", async () => {
  const help = await spine(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /verify/);
  const verifyHelp = await spine(["verify", "--help"]);
  assert.equal(verifyHelp.code, 0);
  assert.match(
    verifyHelp.stdout,
    /Exit codes: 0 valid, 1 verification found problems, 2 usage or I\/O error/,
  );
  const unknown = await spine(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});
