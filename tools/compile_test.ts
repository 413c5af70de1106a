import assert from "node:assert/strict";
import { taskFlags, TASKS } from "../tests/_spine.ts";
import { BINARIES, compileCommands, outputPath, TARGETS, taskCommand } from "./compile.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function compileTool(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskFlags("compile"), `${ROOT}tools/compile.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("deno.json's spine and spine-verify tasks run with exactly the flags of the binaries", () => {
  assert.deepEqual(BINARIES.map((b) => b.name), ["spine", "spine-verify"]);
  for (const binary of BINARIES) {
    assert.equal(
      TASKS[binary.name],
      taskCommand(binary),
      `deno.json task "${binary.name}" must be: ${taskCommand(binary)}`,
    );
  }
  // The auditor's verifier may read and nothing else.
  assert.deepEqual(
    BINARIES[1].flags.filter((f) => f.startsWith("--allow")),
    ["--allow-read"],
  );
});

Deno.test("every worker module in src/ is included in the spine binary", async () => {
  const workers: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
      if (e.isDirectory) await walk(`${dir}/${e.name}`);
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(`${ROOT}${dir}/${e.name}`);
        for (const m of text.matchAll(/new Worker\(new URL\("\.\/(\w+\.ts)"/g)) {
          workers.push(`${dir}/${m[1]}`);
        }
      }
    }
  };
  await walk("src");
  assert.ok(workers.length >= 3, workers.join(", "));
  for (const w of workers) {
    assert.ok(BINARIES[0].include.includes(w), `spine misses --include ${w}`);
  }
});

Deno.test("compile --dry-run prints one deno compile command per binary and target and builds nothing", async () => {
  const out = await Deno.makeTempDir({ prefix: "spine-compile-" });
  try {
    const r = await compileTool(["--dry-run", "--out-dir", `${out}/dist`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, BINARIES.length * TARGETS.length);
    assert.deepEqual(
      lines,
      compileCommands(TARGETS, `${out}/dist`).map((c) => `deno ${c.join(" ")}`),
    );
    for (const target of TARGETS) {
      for (const binary of BINARIES) {
        const line = lines.find((l) =>
          l.includes(` --output ${outputPath(binary, target, `${out}/dist`)} `)
        );
        assert.ok(line, `no command builds ${binary.name} for ${target}`);
        assert.ok(
          line.startsWith(`deno compile ${binary.flags.join(" ")} --target ${target} `),
          line,
        );
        assert.ok(line.endsWith(` ${binary.entry}`), line);
        for (const file of binary.include) assert.ok(line.includes(`--include ${file} `), line);
      }
    }
    assert.ok(lines.some((l) => l.includes("spine-x86_64-pc-windows-msvc.exe ")));
    assert.deepEqual([...Deno.readDirSync(out)], [], "a dry run wrote files");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile --target restricts the build, and an unknown target is a usage error (exit 2)", async () => {
  const one = await compileTool(["--dry-run", "--target", "aarch64-apple-darwin"]);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(
    one.stdout.trimEnd().split("\n").map((l) => l.split(" --output ")[1].split(" ")[0]),
    ["dist/spine-aarch64-apple-darwin", "dist/spine-verify-aarch64-apple-darwin"],
  );
  const bad = await compileTool(["--dry-run", "--target", "sparc-sun-solaris"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.match(
    bad.stderr,
    /Unknown target sparc-sun-solaris; expected one of x86_64-unknown-linux-gnu/,
  );
});

Deno.test("the release workflow tests, builds with tools/compile.ts on CI's Deno, writes SHA256SUMS and attests provenance", async () => {
  const yml = await Deno.readTextFile(`${ROOT}.github/workflows/release.yml`);
  const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
  const denoVersion = /^DENO_VERSION=(\S+)$/m.exec(ci)?.[1];
  assert.ok(denoVersion);
  assert.ok(
    yml.includes(`on:\n  push:\n    tags: ["v*"]\n`),
    "release.yml does not run on v* tags",
  );
  assert.match(yml, new RegExp(`deno-version: ${denoVersion.replaceAll(".", "\\.")}\\n`));
  const steps = ["run: .ci/run", "run: deno task compile", "sha256sum spine-* > SHA256SUMS"];
  steps.push("uses: actions/attest-build-provenance@", "gh release upload");
  let at = 0;
  for (const step of steps) {
    const found = yml.indexOf(step, at);
    assert.ok(found > at, `release.yml lacks "${step}" after the previous step`);
    at = found;
  }
  assert.match(yml, /id-token: write/);
  assert.match(yml, /attestations: write/);
});
