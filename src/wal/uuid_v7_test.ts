import assert from "node:assert/strict";
import { uuidV7 } from "./uuid_v7.ts";

Deno.test("uuidV7() encodes the millisecond timestamp, version 7 and variant 10", () => {
  const id = uuidV7(0x0123456789ab);
  assert.match(id, /^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.throws(() => uuidV7(-1), RangeError);
  assert.throws(() => uuidV7(2 ** 48), RangeError);
});

Deno.test("uuidV7() ids from one process sort in generation order within a millisecond", () => {
  const ids = Array.from({ length: 5000 }, () => uuidV7(1_800_000_000_000));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});
