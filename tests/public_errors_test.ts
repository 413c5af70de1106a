/**
 * Every error class the library throws is exported from mod.ts and carries a stable string
 * `code`, so that callers can catch by type or by code.
 */
import assert from "node:assert/strict";
import * as spine from "../mod.ts";

const root = new URL("../", import.meta.url);

/** `[class, code, a call through the public API that throws it (or an instance)]` */
const CASES: [string, string, () => Promise<unknown> | unknown][] = [
  ["WalError", "wal_error", () => spine.openWal("/nonexistent/spine-wal", { signingKey: key })],
  ["PayloadError", "payload_error", () => wal.append({ price: 1.5 })],
  ["JsonSyntaxError", "json_syntax_error", () => spine.parseJsonText('{"a":1,"a":2}')],
  ["TimestampSyntaxError", "timestamp_syntax_error", () => spine.timestampToNanos("yesterday")],
  [
    "CanonicalJsonError",
    "canonical_json_error",
    () => spine.canonicalJson(spine.parseJsonText('{"price":1.5}')),
  ],
  ["JsonValueTypeError", "json_value_type_error", () => spine.toJsonValue({ f: () => 1 })],
  ["JsonValueRangeError", "json_value_range_error", () => spine.toJsonValue({ n: 2 ** 60 })],
  ["KeyFileError", "key_file_error", () => spine.readKeyFile("/nonexistent/spine.key")],
  ["TrustFileError", "trust_file_error", () => spine.parseTrustFile("[]", "keys.json")],
  ["CheckpointSyntaxError", "missing_signatures", () => spine.readCheckpointFile(badCheckpoint)],
  ["LogMismatchError", "log_mismatch_error", () => new spine.LogMismatchError("old", 3, "x")],
  [
    "WitnessRefusal",
    "witness_refusal",
    () => new spine.WitnessRefusal("rollback", "example.com/log", "x"),
  ],
  ["WitnessStateError", "witness_state_error", () => new spine.WitnessStateError("x")],
];

let key: spine.SigningKey;
let wal: spine.Wal;
let badCheckpoint: string;

Deno.test("every error the public API throws is exported from mod.ts with a stable code", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spine-errors-" });
  try {
    key = await spine.generateSigningKey();
    wal = await spine.openWal(`${dir}/audit`, { signingKey: key, create: true });
    badCheckpoint = `${dir}/cp.txt`;
    await Deno.writeTextFile(badCheckpoint, "example.com/log\n1\nAAAA\n");
    for (const [name, code, call] of CASES) {
      const cls = (spine as Record<string, unknown>)[name];
      assert.equal(typeof cls, "function", `${name} is not exported from mod.ts`);
      let error: unknown;
      try {
        const made = await call();
        error = made instanceof Error ? made : undefined;
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof (cls as typeof Error), `${name}: got ${error}`);
      assert.equal((error as Error).name, name);
      assert.equal((error as { code?: unknown }).code, code, name);
    }
  } finally {
    await wal?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// Error classes that never leave the library: caught and reported by their callers.
const INTERNAL = new Set([
  "RecordShapeError", // caught by the head reader and the verifier, which report it
]);

Deno.test("every error class declared in src/ outside the CLI is exported from mod.ts or internal", async () => {
  const declared: string[] = [];
  const walk = async (dir: URL): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory && entry.name !== "cli") {
        await walk(new URL(`${entry.name}/`, dir));
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        const text = await Deno.readTextFile(new URL(entry.name, dir));
        for (const m of text.matchAll(/^export class (\w+) extends \w*Error\b/gm)) {
          declared.push(m[1]);
        }
      }
    }
  };
  await walk(new URL("src/", root));
  assert.ok(declared.length >= 14, `only ${declared.length} error classes found`);
  const tested = new Set(CASES.map(([name]) => name));
  for (const name of declared) {
    if (INTERNAL.has(name)) continue;
    assert.equal(
      typeof (spine as Record<string, unknown>)[name],
      "function",
      `${name} is thrown by the library but not exported from mod.ts`,
    );
    assert.ok(tested.has(name), `${name} has no case in this test's table`);
  }
});
