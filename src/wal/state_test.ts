import assert from "node:assert/strict";
import { WalError } from "./errors.ts";
import { readChainState, readStreamMeta, writeChainState, writeStreamMeta } from "./state.ts";

Deno.test("chain_state.json round-trips with the upstream field names and order", async () => {
  const dir = await Deno.makeTempDir();
  await writeChainState(
    dir,
    { streamId: "stream_ab", seq: 12n, prevHash: "c".repeat(64) },
    "2026-01-01T00:00:00.000000+00:00",
  );
  const doc = JSON.parse(await Deno.readTextFile(`${dir}/chain_state.json`));
  assert.deepEqual(Object.keys(doc), ["stream_id", "seq", "prev_hash", "updated_at"]);
  assert.deepEqual(await readChainState(dir), {
    streamId: "stream_ab",
    seq: 12n,
    prevHash: "c".repeat(64),
  });
  await Deno.writeTextFile(`${dir}/chain_state.json`, '{"seq": "x"}');
  assert.equal(await readChainState(dir), null);
});

Deno.test("stream.meta.json round-trips and a meta without stream_id is refused", async () => {
  const dir = await Deno.makeTempDir();
  const meta = {
    stream_id: "stream_00",
    created_at: "t",
    initial_key_id: "kid_1",
    namespace: "ns",
  };
  await writeStreamMeta(dir, meta);
  assert.deepEqual(await readStreamMeta(dir), meta);
  await Deno.writeTextFile(`${dir}/stream.meta.json`, "{}");
  await assert.rejects(readStreamMeta(dir), WalError);
});
