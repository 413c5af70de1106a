import assert from "node:assert/strict";
import { Mutex, WalLock } from "./lock.ts";

Deno.test("Mutex runs critical sections one at a time in call order, even after a failure", async () => {
  const m = new Mutex();
  const log: string[] = [];
  const slow = (name: string, fail = false) =>
    m.run(async () => {
      log.push(`${name}:in`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`${name}:out`);
      if (fail) throw new Error(name);
    });
  const results = await Promise.allSettled([slow("a"), slow("b", true), slow("c")]);
  assert.deepEqual(log, ["a:in", "a:out", "b:in", "b:out", "c:in", "c:out"]);
  assert.equal(results[1].status, "rejected");
});

Deno.test("two WalLock handles on one directory exclude each other", async () => {
  const dir = await Deno.makeTempDir();
  const a = await WalLock.open(dir);
  const b = await WalLock.open(dir);
  const log: string[] = [];
  let release!: () => void;
  const held = a.hold(async () => {
    log.push("a");
    await new Promise<void>((r) => (release = r));
    log.push("a done");
  });
  await new Promise((r) => setTimeout(r, 20));
  const waiting = b.hold(() => Promise.resolve(log.push("b")));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(log, ["a"]);
  release();
  await Promise.all([held, waiting]);
  assert.deepEqual(log, ["a", "a done", "b"]);
  a.close();
  b.close();
  await assert.rejects(a.hold(() => Promise.resolve()), /closed/);
});
