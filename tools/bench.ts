/**
 * `deno task bench`: the numbers of issue 5 in one run, each against a baseline measured in the
 * same run on the same machine (absolute rates move with machine load; ratios much less).
 *
 * - verify: `spine verify` as a subprocess (the `spine-verify` task's flags) on logs of realistic
 *   ~200-byte payloads (`bench/make_log.ts`, cached under the data directory), median events/s of
 *   the runs and peak RSS of the verifying process (`/usr/bin/time -f %M`, else VmHWM unknown);
 *   baselines: `openssl speed ed25519`, bare node:crypto verification on one thread measured
 *   right before each run (the native code spine uses; two cores can do at most twice it), and a
 *   `JSON.parse`-only scan of the same files.
 * - append: `spine append --stdin` events/s per `--sync` policy, and the median wall time of one
 *   `spine append --payload` process (skipped with a message if `spine append` is missing).
 *
 * Usage: deno task bench [--quick] [--sizes 100000,1000000] [--runs 3] [--data DIR]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { nodePublicKey, nodeVerify } from "../src/crypto/_node_ed25519.ts";
import { signingKeyFromSeed } from "../src/crypto/keys.ts";

const REPO = new URL("../", import.meta.url).pathname;
const MAIN = `${REPO}main.ts`;
// The flags of the deno.json tasks, which the compiled binaries get too.
const TASKS = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`)).tasks as Record<
  string,
  string
>;
const taskFlags = (task: string) => TASKS[task].split(/\s+/).filter((w) => w.startsWith("--"));
const SPINE_FLAGS = taskFlags("spine");
const VERIFY_FLAGS = taskFlags("spine-verify");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    sizes: { type: "string" },
    runs: { type: "string" },
    data: { type: "string" },
  },
});
const quick = values.quick;
const sizes = (values.sizes ?? (quick ? "20000,100000" : "100000,1000000")).split(",").map(Number);
const runs = Number(values.runs ?? (quick ? 1 : 3));
const dataDir = values.data ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/spine-bench`;
if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1) || !(runs >= 1)) {
  console.error("usage: bench.ts [--quick] [--sizes N,N] [--runs N] [--data DIR]");
  Deno.exit(2);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const decoder = new TextDecoder();

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

const TIME = (await exists("/usr/bin/time")) ? "/usr/bin/time" : undefined;

/** Runs a command; returns wall seconds, peak RSS in KiB (if measurable), exit code, output. */
async function timed(cmd: string, args: string[], stdin?: Uint8Array) {
  const [command, fullArgs]: [string, string[]] = TIME
    ? [TIME, ["-f", "SPINE_BENCH_RSS %M", cmd, ...args]]
    : [cmd, args];
  const t0 = performance.now();
  const child = new Deno.Command(command, {
    args: fullArgs,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Feed stdin while draining stdout: a full pipe either way would deadlock.
  const feeding = stdin
    ? (async () => {
      const w = child.stdin.getWriter();
      await w.write(stdin);
      await w.close();
    })()
    : Promise.resolve();
  const [out] = await Promise.all([child.output(), feeding]);
  const seconds = (performance.now() - t0) / 1000;
  const stderr = decoder.decode(out.stderr);
  const rss = /SPINE_BENCH_RSS (\d+)/.exec(stderr);
  return {
    seconds,
    rssKiB: rss ? Number(rss[1]) : undefined,
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: stderr.replace(/SPINE_BENCH_RSS \d+\n?/, ""),
  };
}

async function ensureLog(n: number): Promise<{ dir: string; key: string }> {
  const dir = `${dataDir}/log-${n}`;
  if (await exists(`${dir}/.key`)) {
    return { dir, key: (await Deno.readTextFile(`${dir}/.key`)).trim() };
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  console.log(`  generating ${fmt(n)} records in ${dir} ...`);
  const r = await timed(Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    `${REPO}bench/make_log.ts`,
    dir,
    String(n),
  ]);
  if (r.code !== 0) throw new Error(`make_log failed: ${r.stderr}`);
  const key = r.stdout.trim();
  await Deno.writeTextFile(`${dir}/.key`, key);
  return { dir, key };
}

async function segmentFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".jsonl")) names.push(e.name);
  return names.sort().map((n) => `${dir}/${n}`);
}

/** Baseline: read and `JSON.parse` every line, nothing else (lines/s). */
async function jsonParseScan(dir: string): Promise<number> {
  let lines = 0;
  const t0 = performance.now();
  for (const path of await segmentFiles(dir)) {
    const text = await Deno.readTextFile(path);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      JSON.parse(text.slice(start, nl));
      lines++;
      start = nl + 1;
    }
  }
  return lines / ((performance.now() - t0) / 1000);
}

async function openssl(): Promise<{ sign: number; verify: number } | undefined> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["speed", "-seconds", quick ? "1" : "3", "ed25519"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const m = /Ed25519\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/.exec(decoder.decode(out.stdout));
    return m ? { sign: Number(m[1]), verify: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

// Baseline in this process: bare Ed25519 verification on ONE thread with node:crypto, the native
// code `spine verify` uses (no parsing, hashing or checks). With 2 cores, 2x is the ceiling.
const floorSigner = await signingKeyFromSeed(new Uint8Array(32).fill(5));
const floorKey = nodePublicKey(floorSigner.publicKey.bytes);
const floorMessages = Array.from(
  { length: 500 },
  (_, i) => new TextEncoder().encode(i.toString(16).padStart(64, "0")),
);
const floorSignatures = await Promise.all(floorMessages.map((m) => floorSigner.sign(m)));

/** Bare verifies per second on this thread, over about half a second. */
function nativeVerifyRate(): number {
  let n = 0;
  const t0 = performance.now();
  do {
    for (let i = 0; i < floorMessages.length; i++) {
      if (!nodeVerify(floorKey, floorMessages[i], floorSignatures[i])) {
        throw new Error("baseline signature did not verify");
      }
    }
    n += floorMessages.length;
  } while (performance.now() - t0 < 500);
  return n / ((performance.now() - t0) / 1000);
}

console.log(
  `spine bench: Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ` +
    `${runs} run(s) per figure (median)${quick ? ", quick mode" : ""}`,
);
const ssl = await openssl();
console.log(
  ssl
    ? `openssl speed ed25519: verify ${fmt(ssl.verify)}/s, sign ${fmt(ssl.sign)}/s (one core)`
    : "openssl speed ed25519: not available (ratios omitted)",
);

console.log("\nverify (spine verify --trust-key K --format quiet, pinned key, all checks)");
for (const n of sizes) {
  const { dir, key } = await ensureLog(n);
  const rates: number[] = [];
  const rss: number[] = [];
  const scans: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < runs; i++) {
    floors.push(nativeVerifyRate()); // right before the run: machine speed drifts
    const r = await timed(Deno.execPath(), [
      "run",
      ...VERIFY_FLAGS,
      MAIN,
      "verify",
      "--wal",
      dir,
      "--trust-key",
      key,
      "--format",
      "quiet",
    ]);
    if (r.code !== 0) throw new Error(`spine verify exited ${r.code}: ${r.stderr}`);
    rates.push(n / r.seconds);
    if (r.rssKiB !== undefined) rss.push(r.rssKiB);
    scans.push(await jsonParseScan(dir));
  }
  const rate = median(rates);
  const scan = median(scans);
  const floor = median(floors);
  console.log(
    `  ${fmt(n).padStart(9)} records: ${fmt(rate).padStart(7)} events/s, peak RSS ${
      rss.length ? `${fmt(Math.max(...rss) / 1024)} MB` : "unknown"
    }` +
      (ssl ? `, ${(rate / ssl.verify).toFixed(2)}x openssl verify` : "") +
      `, ${(rate / floor).toFixed(2)}x bare node:crypto verify on one thread (${
        fmt(floor)
      }/s; 2 cores: 2x at most)` +
      `, ${(rate / scan * 100).toFixed(1)}% of a JSON.parse-only scan (${fmt(scan)} lines/s)`,
  );
}

console.log("\nappend");
const help = await timed(Deno.execPath(), ["run", ...SPINE_FLAGS, MAIN, "append", "--help"]);
if (help.code !== 0) {
  console.log("  skipped: `spine append` is not registered yet");
} else {
  const events = quick ? 5_000 : 20_000;
  const stdin = new TextEncoder().encode(
    Array.from({ length: events }, (_, i) =>
      JSON.stringify({
        event_type: "user.login",
        actor: `user-${i % 977}@example.com`,
        ip: `10.${i % 256}.${(i >> 8) % 256}.${i % 7}`,
        resource: `/projects/${i % 131}/documents/${i}`,
        outcome: "allowed",
        i,
      })).join("\n") + "\n",
  );
  const fresh = async () => {
    const dir = await Deno.makeTempDir({ dir: dataDir, prefix: "append-" });
    const wal = `${dir}/wal`;
    const init = await timed(Deno.execPath(), [
      "run",
      ...SPINE_FLAGS,
      MAIN,
      "init",
      "--wal",
      wal,
      "--key-file",
      `${dir}/key`,
    ]);
    if (init.code !== 0) throw new Error(`spine init exited ${init.code}: ${init.stderr}`);
    return { dir, wal, keyFile: `${dir}/key` };
  };
  for (const sync of ["none", "batch", "always"]) {
    const n = sync === "always" ? Math.min(events, quick ? 500 : 2_000) : events;
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { dir, wal, keyFile } = await fresh();
      const r = await timed(Deno.execPath(), [
        "run",
        ...SPINE_FLAGS,
        MAIN,
        "append",
        "--wal",
        wal,
        "--key-file",
        keyFile,
        "--stdin",
        "--sync",
        sync,
        "--format",
        "json",
      ], stdin.subarray(0, lineEnd(stdin, n)));
      await Deno.remove(dir, { recursive: true });
      if (r.code !== 0) throw new Error(`spine append exited ${r.code}: ${r.stderr}`);
      rates.push(n / r.seconds);
    }
    console.log(
      `  --stdin --sync ${sync.padEnd(6)}: ${fmt(median(rates)).padStart(7)} events/s (${
        fmt(n)
      } events, process start included)`,
    );
  }
  const { dir, wal, keyFile } = await fresh();
  const times: number[] = [];
  for (let i = 0; i < (quick ? 5 : 15); i++) {
    const r = await timed(Deno.execPath(), [
      "run",
      ...SPINE_FLAGS,
      MAIN,
      "append",
      "--wal",
      wal,
      "--key-file",
      keyFile,
      "--payload",
      `{"event_type":"bench","i":${i}}`,
    ]);
    if (r.code !== 0) throw new Error(`spine append exited ${r.code}: ${r.stderr}`);
    times.push(r.seconds * 1000);
  }
  const empty = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    empty.push((await timed(Deno.execPath(), ["eval", "0"])).seconds * 1000);
  }
  await Deno.remove(dir, { recursive: true });
  console.log(
    `  one --payload process (--sync always): median ${median(times).toFixed(1)} ms wall; ` +
      `an empty deno process: ${median(empty).toFixed(1)} ms`,
  );
}

/** Offset just past the n-th LF. */
function lineEnd(bytes: Uint8Array, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = bytes.indexOf(0x0a, at) + 1;
  return at;
}
