/**
 * `spine witness` and `spine prove --consistency`: in-process through the `run*` functions with a
 * fake `CliIo`, and as a user runs them (a subprocess with the `spine` task's permission flags,
 * in a temp dir, no stdin, NO_COLOR=1) once `src/cli/main.ts` registers the commands.
 */

import assert from "node:assert/strict";
import { formatCheckpoint } from "../src/checkpoint/checkpoint.ts";
import { LogMismatchError, parseConsistencyProof } from "../src/checkpoint/consistency.ts";
import { lineLeafHash } from "../src/checkpoint/leaf.ts";
import { MerkleBuilder } from "../src/checkpoint/merkle.ts";
import { formatNote, formatVerifierKey, parseNote, signNote } from "../src/checkpoint/note.ts";
import { countCosignatures, parseWitnessKey } from "../src/checkpoint/quorum.ts";
import { trustFileText } from "../src/crypto/key_file.ts";
import { exportSeedHex, signingKeyFromSeed } from "../src/crypto/keys.ts";
import type { CliIo } from "../src/cli/io.ts";
import { UsageError } from "../src/cli/io.ts";
import { runProveConsistency } from "../src/cli/prove_consistency.ts";
import { runWitness, WITNESS_HELP } from "../src/cli/witness.ts";
import { spine } from "./_spine.ts";

const ORIGIN = "example.com/cli-witness";
const logKey = await signingKeyFromSeed(new Uint8Array(32).fill(21));
const witnessKey = await signingKeyFromSeed(new Uint8Array(32).fill(22));
const DEFAULT_NAME = `witness-${witnessKey.keyId}`;

function recordLine(i: number, tag = "main"): string {
  return JSON.stringify({ seq: i + 1, tag, payload: { i } });
}

function rootOf(lines: string[]): Uint8Array {
  const b = new MerkleBuilder();
  for (const l of lines) b.append(lineLeafHash(new TextEncoder().encode(l)));
  return b.root();
}

async function checkpointNote(lines: string[]): Promise<string> {
  const body = formatCheckpoint({ origin: ORIGIN, size: lines.length, root: rootOf(lines) });
  return formatNote(body, [
    await signNote(body, ORIGIN, (m) => logKey.sign(m), logKey.publicKey.bytes),
  ]);
}

/** A temp dir with `wal/` (lines and stored checkpoints), key files and checkpoint files. */
class Fixture {
  constructor(readonly dir: string) {}

  static async create(): Promise<Fixture> {
    const f = new Fixture(await Deno.makeTempDir({ prefix: "spine-cli-witness-" }));
    await Deno.mkdir(`${f.dir}/wal/checkpoints`, { recursive: true });
    await Deno.writeTextFile(`${f.dir}/witness.key`, exportSeedHex(witnessKey) + "\n");
    return f;
  }

  path(name: string): string {
    return `${this.dir}/${name}`;
  }

  /** Writes the log's lines and a checkpoint of them (in wal/checkpoints/ and at `name`). */
  async log(lines: string[], name: string): Promise<string> {
    await Deno.writeTextFile(
      `${this.dir}/wal/segment_0001.jsonl`,
      lines.map((l) => l + "\n").join(""),
    );
    const note = await checkpointNote(lines);
    await Deno.writeTextFile(this.path(name), note);
    const stored = `checkpoint_${String(lines.length).padStart(12, "0")}.txt`;
    await Deno.writeTextFile(`${this.dir}/wal/checkpoints/${stored}`, note);
    return note;
  }

  cosignArgs(checkpoint: string, ...extra: string[]): string[] {
    return [
      "cosign",
      "--state",
      this.path("state"),
      "--key-file",
      this.path("witness.key"),
      "--checkpoint",
      this.path(checkpoint),
      "--log-key",
      logKey.publicKey.hex,
      ...extra,
    ];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

function fakeIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    io: {
      out: (t) => {
        out += t;
        return Promise.resolve();
      },
      err: (t) => {
        err += t;
        return Promise.resolve();
      },
      stdin: new ReadableStream({ start: (c) => c.close() }),
      stderrIsTerminal: false,
      env: () => undefined,
    },
    out: () => out,
    err: () => err,
  };
}

async function witness(args: string[]) {
  const f = fakeIo();
  const code = await runWitness(args, f.io);
  return { code, stdout: f.out(), stderr: f.err() };
}

const main = Array.from({ length: 12 }, (_, i) => recordLine(i));
const forked = main.map((l, i) => (i >= 7 ? recordLine(i, "fork") : l));

Deno.test("runWitness key prints a type 0x04 vkey named witness-<key id> that verifiers can pin", async () => {
  await using f = await Fixture.create();
  const r = await witness(["key", "--key-file", f.path("witness.key")]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout, formatVerifierKey(DEFAULT_NAME, witnessKey.publicKey.bytes, 0x04) + "\n");
  const named = await witness(["key", "--key-file", f.path("witness.key"), "--name", "w.example"]);
  assert.equal(parseWitnessKey(named.stdout.trim()).name, "w.example");
});

Deno.test("runWitness cosign accepts a first sighting, then growth with a proof from runProveConsistency", async () => {
  await using f = await Fixture.create();
  const oldNote = await f.log(main.slice(0, 5), "old.txt");
  const first = await witness(f.cosignArgs("old.txt"));
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stdout.startsWith(oldNote));
  assert.equal(
    first.stderr,
    `spine witness: cosigned ${ORIGIN} at size 5 as ${DEFAULT_NAME} (first sighting of this origin)\n`,
  );

  await f.log(main, "new.txt");
  const p = fakeIo();
  const proveArgs = ["--wal", f.path("wal"), "--consistency", f.path("old.txt")];
  assert.equal(await runProveConsistency([...proveArgs, "--output", f.path("proof.txt")], p.io), 0);
  assert.equal(p.out(), "");
  assert.match(p.err(), /the log at size 12 extends the checkpoint of size 5; wrote .*proof\.txt/);
  const proof = parseConsistencyProof(await Deno.readTextFile(f.path("proof.txt")));
  assert.deepEqual([proof.oldSize, proof.newSize], [5, 12]);

  const missing = await witness(f.cosignArgs("new.txt"));
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /^spine witness: refused \(missing_proof\): .*size 5 .* size 12/);

  const grown = await witness(
    f.cosignArgs("new.txt", "--proof", f.path("proof.txt"), "--output", f.path("cosigned.txt")),
  );
  assert.equal(grown.code, 0, grown.stderr);
  assert.equal(grown.stdout, "");
  assert.match(grown.stderr, /at size 12 .*\(consistent with the cosigned size 5\)/);
  const cosigned = parseNote(await Deno.readTextFile(f.path("cosigned.txt")));
  const vkey = (await witness(["key", "--key-file", f.path("witness.key")])).stdout.trim();
  assert.deepEqual(await countCosignatures(cosigned, [parseWitnessKey(vkey)]), {
    valid: 1,
    names: [DEFAULT_NAME],
  });

  const same = await witness(f.cosignArgs("new.txt"));
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stderr, /\(same tree as last cosigned\)/);
});

Deno.test("runWitness cosign refuses a fork and a rollback with exit 1 and the reason on stderr", async () => {
  await using f = await Fixture.create();
  await f.log(main.slice(0, 5), "old.txt");
  await f.log(main, "new.txt");
  await Deno.writeTextFile(f.path("forked.txt"), await checkpointNote(forked));
  assert.equal((await witness(f.cosignArgs("new.txt"))).code, 0);

  const fork = await witness(f.cosignArgs("forked.txt"));
  assert.equal(fork.code, 1);
  assert.equal(fork.stdout, "");
  assert.match(fork.stderr, /^spine witness: refused \(fork\): .*size 12 .*the log forked\n$/);

  const rollback = await witness(f.cosignArgs("old.txt"));
  assert.equal(rollback.code, 1);
  assert.match(rollback.stderr, /^spine witness: refused \(rollback\): .*size 5 .*size 12/);
});

Deno.test("runWitness cosign trusts log keys from a trust file or an origin-named vkey only", async () => {
  await using f = await Fixture.create();
  await f.log(main.slice(0, 3), "cp.txt");
  await Deno.writeTextFile(f.path("trust.json"), trustFileText([logKey]));
  const base = [
    "cosign",
    "--state",
    f.path("state"),
    "--key-file",
    f.path("witness.key"),
    "--checkpoint",
    f.path("cp.txt"),
  ];
  const viaFile = await witness([...base, "--log-trust-file", f.path("trust.json")]);
  assert.equal(viaFile.code, 0, viaFile.stderr);
  const viaVkey = await witness([
    ...base,
    "--log-key",
    formatVerifierKey(ORIGIN, logKey.publicKey.bytes),
  ]);
  assert.equal(viaVkey.code, 0, viaVkey.stderr);
  const otherLog = await witness([
    ...base,
    "--log-key",
    formatVerifierKey("example.com/another-log", logKey.publicKey.bytes),
  ]);
  assert.equal(otherLog.code, 1);
  assert.match(otherLog.stderr, /^spine witness: refused \(bad_signature\): /);
  const wrongKey = await witness([...base, "--log-key", witnessKey.publicKey.hex]);
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /refused \(bad_signature\)/);
});

Deno.test("runWitness prints its help, and throws UsageError for usage mistakes", async () => {
  const help = await witness(["--help"]);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, WITNESS_HELP);
  assert.match(WITNESS_HELP, /Exit codes: 0 cosigned/);
  assert.equal((await witness(["cosign", "--help"])).code, 0);
  assert.equal((await witness([])).code, 2);
  await using f = await Fixture.create();
  await f.log(main.slice(0, 3), "cp.txt");
  const args = f.cosignArgs("cp.txt");
  const cases: [string, string[], RegExp][] = [
    ["an unknown subcommand", ["sign"], /Unknown subcommand "sign"/],
    ["no --state", args.filter((_, i) => i !== 1 && i !== 2), /--state DIR/],
    ["no --key-file", args.filter((_, i) => i !== 3 && i !== 4), /--key-file W/],
    ["no --checkpoint", args.filter((_, i) => i !== 5 && i !== 6), /--checkpoint FILE/],
    ["no log key", args.slice(0, 7), /--log-key KEY or --log-trust-file FILE/],
    ["a bad --log-key", [...args, "--log-key", "nonsense"], /--log-key "nonsense" is not usable/],
    ["a missing checkpoint file", f.cosignArgs("none.txt"), /Cannot read checkpoint .*none\.txt/],
    ["a bad --name", [...args, "--name", "a b"], /--name "a b" is not a key name/],
    ["a stray argument", [...args, "extra"], /Unexpected argument "extra"/],
    ["key without --key-file", ["key"], /--key-file W/],
  ];
  for (const [what, argv, message] of cases) {
    await assert.rejects(runWitness(argv, fakeIo().io), (e: unknown) => {
      assert.ok(e instanceof UsageError, `${what}: ${e}`);
      assert.match(e.message, message, what);
      return true;
    });
  }
  await assert.rejects(runWitness([...args, "--bogus"], fakeIo().io), TypeError);
});

Deno.test("runProveConsistency refuses a log rewritten below the old checkpoint", async () => {
  await using f = await Fixture.create();
  await f.log(main.slice(0, 5), "old.txt");
  const rewritten = main.map((l, i) => (i === 1 ? recordLine(i, "edited") : l));
  await f.log(rewritten, "new.txt");
  await assert.rejects(
    runProveConsistency(
      ["--wal", f.path("wal"), "--consistency", f.path("old.txt"), "--output", f.path("p.txt")],
      fakeIo().io,
    ),
    (e: unknown) =>
      e instanceof LogMismatchError &&
      e.message === "Log root at size 5 differs from the old checkpoint: the log was rewritten",
  );
  await assert.rejects(Deno.stat(f.path("p.txt")), Deno.errors.NotFound);
});

Deno.test("runProveConsistency takes --checkpoint over the newest stored one and checks usage", async () => {
  await using f = await Fixture.create();
  await f.log(main.slice(0, 2), "old.txt");
  await f.log(main.slice(0, 6), "mid.txt");
  await f.log(main, "new.txt");
  const base = ["--wal", f.path("wal"), "--consistency", f.path("old.txt")];
  const io = fakeIo();
  assert.equal(
    await runProveConsistency(
      [...base, "--checkpoint", f.path("mid.txt"), "--output", f.path("p.txt")],
      io.io,
    ),
    0,
  );
  assert.equal(parseConsistencyProof(await Deno.readTextFile(f.path("p.txt"))).newSize, 6);
  await assert.rejects(runProveConsistency(base, fakeIo().io), /Missing --output FILE/);
  await assert.rejects(
    runProveConsistency(["--consistency", f.path("old.txt"), "--output", "x"], fakeIo().io),
    /Missing --wal DIR/,
  );
  await assert.rejects(
    runProveConsistency(
      [
        ...base,
        "--checkpoint",
        f.path("old.txt"),
        "--consistency",
        f.path("new.txt"),
        "--output",
        "x",
      ],
      fakeIo().io,
    ),
    /size 2, below the old checkpoint's size 12/,
  );
  await Deno.remove(f.path("wal/checkpoints"), { recursive: true });
  await assert.rejects(
    runProveConsistency([...base, "--output", f.path("p.txt")], fakeIo().io),
    /No checkpoint of origin example\.com\/cli-witness/,
  );
  const help = fakeIo();
  assert.equal(await runProveConsistency(["--consistency", "x", "--help"], help.io), 0);
  assert.match(help.out(), /^Usage: spine prove --wal DIR --consistency OLD_CHECKPOINT/);
});

Deno.test({
  name: "spine witness cosign and key work as a subprocess, refusing a fork with exit 1",
  fn: async () => {
    await using f = await Fixture.create();
    await f.log(main, "new.txt");
    await Deno.writeTextFile(f.path("forked.txt"), await checkpointNote(forked));
    const key = await spine(["witness", "key", "--key-file", f.path("witness.key")]);
    assert.equal(key.code, 0, key.stderr);
    assert.equal(key.stderr, "");
    assert.equal(parseWitnessKey(key.stdout.trim()).name, DEFAULT_NAME);

    const ok = await spine(["witness", ...f.cosignArgs("new.txt")]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /first sighting/);
    const count = await countCosignatures(parseNote(ok.stdout), [
      parseWitnessKey(key.stdout.trim()),
    ]);
    assert.equal(count.valid, 1);

    const fork = await spine(["witness", ...f.cosignArgs("forked.txt")]);
    assert.equal(fork.code, 1);
    assert.equal(fork.stdout, "");
    assert.match(fork.stderr, /^spine witness: refused \(fork\): /);

    const usage = await spine(["witness", "cosign", "--key-file", f.path("witness.key")]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--state DIR/);
  },
});

Deno.test({
  name: "spine prove --consistency writes a proof as a subprocess and exits 2 for a rewritten log",
  fn: async () => {
    await using f = await Fixture.create();
    await f.log(main.slice(0, 4), "old.txt");
    await f.log(main, "new.txt");
    const args = ["prove", "--wal", f.path("wal"), "--consistency", f.path("old.txt")];
    const ok = await spine([...args, "--output", f.path("p.txt")]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(parseConsistencyProof(await Deno.readTextFile(f.path("p.txt"))).oldSize, 4);
    await f.log(main.map((l, i) => (i === 0 ? recordLine(i, "edited") : l)), "new.txt");
    const bad = await spine([...args, "--output", f.path("p2.txt")]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /Log root at size 4 differs from the old checkpoint: the log was rewritten/,
    );
  },
});
