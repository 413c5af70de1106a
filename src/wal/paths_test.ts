import assert from "node:assert/strict";
import { resolve } from "node:path";
import { defaultKeyPath, defaultTrustPath, isWithin } from "./paths.ts";

Deno.test("companion files sit beside the WAL directory, never inside it", () => {
  assert.equal(defaultKeyPath("audit"), "audit.key");
  assert.equal(defaultKeyPath("/var/log/audit//"), "/var/log/audit.key");
  assert.equal(defaultTrustPath("data/audit"), "data/audit.trust.json");
  assert.equal(defaultKeyPath("."), `${resolve(".")}.key`);
  assert.throws(() => defaultKeyPath("/"), RangeError);
  assert.ok(!isWithin(defaultKeyPath("audit"), "audit"));
  assert.ok(isWithin("audit/sub/k.key", "audit/"));
});
