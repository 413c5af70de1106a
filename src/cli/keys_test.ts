import assert from "node:assert/strict";
import type { CliIo } from "./io.ts";
import { KEYS_HELP, runKeys } from "./keys.ts";

function io(env: Record<string, string> = {}, stdin = ""): CliIo & { stdout: string } {
  const o = {
    stdout: "",
    out: (t: string) => Promise.resolve(void (o.stdout += t)),
    err: () => Promise.resolve(),
    stdin: ReadableStream.from([new TextEncoder().encode(stdin)]),
    stderrIsTerminal: false,
    env: (n: string) => env[n],
  };
  return o;
}

const SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

Deno.test("runKeys() prints help, and refuses unknown subcommands and missing flags", async () => {
  const h = io();
  assert.equal(await runKeys(["--help"], h), 0);
  assert.equal(h.stdout, KEYS_HELP);
  await assert.rejects(runKeys(["frobnicate"], io()), /Unknown keys subcommand/);
  await assert.rejects(runKeys(["generate"], io()), /needs --key-file/);
  await assert.rejects(runKeys(["revoke", "--wal", "w"], io()), /needs --revoke-public-key/);
  await assert.rejects(
    runKeys(["revoke", "--wal", "w", "--revoke-public-key", "00", "--reason", "r"], io()),
    /not a usable Ed25519/,
  );
});

Deno.test("keys show and export-public read SPINE_SIGNING_KEY and print only public material", async () => {
  const o = io({ SPINE_SIGNING_KEY: SEED });
  assert.equal(await runKeys(["show", "--format", "json"], o), 0);
  assert.equal(JSON.parse(o.stdout).public_key, PUB);
  const e = io({ SPINE_SIGNING_KEY: SEED });
  assert.equal(await runKeys(["export-public"], e), 0);
  assert.equal(JSON.parse(e.stdout).keys[0].public_key, PUB);
  assert.ok(!o.stdout.includes(SEED) && !e.stdout.includes(SEED));
});

Deno.test("keys import reads a hex seed from standard input into a new key file", async () => {
  const path = `${await Deno.makeTempDir()}/k.key`;
  const o = io({}, SEED + "\n");
  assert.equal(await runKeys(["import", "--key-file", path, "--format", "json"], o), 0);
  assert.equal(JSON.parse(o.stdout).public_key, PUB);
  await assert.rejects(
    runKeys(["import", "--key-file", path], io({}, SEED)),
    /refusing to overwrite/,
  );
  await assert.rejects(
    runKeys(["import", "--key-file", `${path}2`], io({}, "nope")),
    /holds no usable key/,
  );
});
