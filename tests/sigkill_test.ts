/**
 * A short run of the SIGKILL crash trials (`tools/sigkill_trials.ts` runs the long one).
 *
 * @module
 */

import assert from "node:assert/strict";
import { mulberry32, runTrial } from "../tools/sigkill_trials.ts";

Deno.test("appenders killed with SIGKILL at random instants lose no acknowledged record and leave a log that verifies after the next open", async () => {
  const seed = Date.now() % 2 ** 31;
  const random = mulberry32(seed);
  let acknowledged = 0;
  for (let i = 0; i < 10; i++) {
    const r = await runTrial(random, 2);
    assert.deepEqual(r.problems, [], `trial ${i + 1} (seed ${seed})`);
    assert.ok(r.records >= r.acknowledged);
    acknowledged += r.acknowledged;
  }
  assert.ok(acknowledged > 0, "some appends were acknowledged before the kills");
});
