/**
 * Crash-safety trials: appending `spine append` processes (exact task permissions,
 * `--stdin --sync always --format json`) are killed with SIGKILL at random instants; then the
 * WAL is opened once (which quarantines a torn tail and rebuilds `chain_state.json`) and
 * checked: every acknowledged record (printed seq and entry hash) is in the log, and
 * `verifyWal` with the pinned key finds no error and no warning.
 *
 * Usage: `deno run --allow-read --allow-write --allow-env --allow-run=deno tools/sigkill_trials.ts
 * [--trials 1000] [--writers 2] [--parallel 2] [--seed N]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeKeyFile } from "../src/crypto/key_file.ts";
import { generateSigningKey } from "../src/crypto/keys.ts";
import { entryHash } from "../src/format/hashes.ts";
import { timestampToNanos } from "../src/format/timestamp.ts";
import { verifyWal } from "../src/verify/verify_wal.ts";
import { createWal, openWal } from "../src/wal/writer.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const DENO =
  (await Deno.permissions.query({ name: "run", command: Deno.execPath() })).state === "granted"
    ? Deno.execPath()
    : "deno";

/** What one trial observed. */
export interface TrialResult {
  /** Records acknowledged on stdout before the kills. */
  acknowledged: number;
  /** Records in the log after recovery. */
  records: number;
  /** Torn tails moved aside by the recovery open. */
  tornTails: number;
  /** Problems found; empty when the trial passed. */
  problems: string[];
}

/**
 * Runs one trial in a fresh WAL.
 *
 * @param random A source of numbers in [0, 1).
 * @param writers How many appending processes to start and kill.
 * @returns What was observed.
 */
export async function runTrial(random: () => number, writers = 2): Promise<TrialResult> {
  const cwd = await Deno.makeTempDir({ prefix: "spine-kill-" });
  try {
    const key = await generateSigningKey();
    await writeKeyFile(`${cwd}/audit.key`, key);
    await createWal(`${cwd}/audit`, { signingKey: key });
    const acked = new Map<number, string>();
    const problems: string[] = [];
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      const child = new Deno.Command(DENO, {
        args: [
          "run",
          "--no-prompt",
          "--allow-read",
          "--allow-write",
          "--allow-env=SPINE_SIGNING_KEY",
          MAIN,
          "append",
          "--wal",
          "audit",
          "--stdin",
          "--sync",
          "always",
          "--format",
          "json",
        ],
        cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
        env: { NO_COLOR: "1" },
      }).spawn();
      const feeding = (async () => {
        const writer = child.stdin.getWriter();
        try {
          for (let i = 0; i < 100_000; i++) {
            await writer.write(
              new TextEncoder().encode(JSON.stringify({ w, i, pad: "x".repeat(i % 97) }) + "\n"),
            );
          }
          await writer.close();
        } catch { /* the process died */ }
      })();
      const reading = (async () => {
        let text = "";
        for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) text += chunk;
        for (const line of text.split("\n").slice(0, -1)) { // a partial last line was not acknowledged
          const r = JSON.parse(line);
          if (typeof r.seq === "number") {
            if (acked.has(r.seq)) problems.push(`seq ${r.seq} acknowledged twice`);
            acked.set(r.seq, r.entry_hash);
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 80 + random() * 700));
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await Promise.all([feeding, reading]);
    }));
    // The next open recovers.
    const wal = await openWal(`${cwd}/audit`, { signingKey: key });
    const tornTails = wal.recovered.filter((r) => r.kind === "torn_tail").length;
    await wal.close();
    const report = await verifyWal(`${cwd}/audit`, { trustedKeys: [{ publicKey: key.publicKey }] });
    for (const e of report.errors) {
      problems.push(`verify: ${e.error_type}@${e.sequence}: ${e.details}`);
    }
    for (const e of report.warnings) {
      if (e.warning_type === "empty_log" && acked.size === 0) continue; // killed before any append
      problems.push(`verify warning: ${e.warning_type}@${e.sequence}: ${e.details}`);
    }
    const logged = await entryHashes(`${cwd}/audit`);
    for (const [seq, hash] of acked) {
      if (logged.get(seq) !== hash) {
        problems.push(`acknowledged seq ${seq} is ${logged.has(seq) ? "different" : "missing"}`);
      }
    }
    return { acknowledged: acked.size, records: logged.size, tornTails, problems };
  } finally {
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}

async function entryHashes(dir: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".jsonl"))
    .sort();
  for (const n of names) {
    for (const line of (await Deno.readTextFile(`${dir}/${n}`)).split("\n")) {
      if (line === "") continue;
      const r = JSON.parse(line);
      out.set(
        r.seq,
        entryHash(BigInt(r.seq), timestampToNanos(r.ts_client), r.prev_hash, r.payload_hash),
      );
    }
  }
  return out;
}

/**
 * A small deterministic PRNG (mulberry32), so a failing run can be replayed with `--seed`.
 *
 * @param seed A 32-bit seed.
 * @returns A function giving numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      trials: { type: "string", default: "1000" },
      writers: { type: "string", default: "2" },
      parallel: { type: "string", default: "2" },
      seed: { type: "string", default: String(Date.now() % 2 ** 31) },
    },
  });
  const trials = Number(values.trials);
  const random = mulberry32(Number(values.seed));
  let next = 0, failed = 0, acknowledged = 0, records = 0, torn = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Number(values.parallel) }, async () => {
    while (next < trials) {
      const n = ++next;
      const r = await runTrial(random, Number(values.writers));
      acknowledged += r.acknowledged;
      records += r.records;
      torn += r.tornTails;
      if (r.problems.length > 0) {
        failed++;
        console.error(`trial ${n}: ${r.problems.join("; ")}`);
      }
      if (n % 50 === 0) console.error(`${n}/${trials} trials, ${failed} failed`);
    }
  }));
  console.log(JSON.stringify({
    seed: Number(values.seed),
    trials,
    writers_per_trial: Number(values.writers),
    failed,
    acknowledged_records: acknowledged,
    records_after_recovery: records,
    torn_tails_quarantined: torn,
    seconds: Math.round((performance.now() - t0) / 1000),
  }));
  Deno.exit(failed === 0 ? 0 : 1);
}
