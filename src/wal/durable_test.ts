import assert from "node:assert/strict";
import { syncDir, writeAll, writeFileAtomic } from "./durable.ts";

Deno.test("writeFileAtomic() replaces a file and leaves no temporary file behind", async () => {
  const dir = await Deno.makeTempDir();
  await writeFileAtomic(dir, "s.json", new TextEncoder().encode("one"));
  await writeFileAtomic(dir, "s.json", new TextEncoder().encode("two"), {
    mode: 0o600,
    sync: false,
  });
  assert.equal(await Deno.readTextFile(`${dir}/s.json`), "two");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["s.json"]);
  await assert.rejects(writeFileAtomic(dir, "a/b", new Uint8Array()), TypeError);
});

Deno.test("writeAll() writes every byte and syncDir() accepts a directory", async () => {
  const dir = await Deno.makeTempDir();
  const bytes = new Uint8Array(3 << 20).fill(7);
  {
    using f = await Deno.open(`${dir}/x`, { write: true, create: true });
    await writeAll(f, bytes);
  }
  assert.equal((await Deno.stat(`${dir}/x`)).size, bytes.length);
  await syncDir(dir);
  await assert.rejects(syncDir(`${dir}/missing`), Deno.errors.NotFound);
});
