import assert from "node:assert/strict";
import { generateSigningKey, openWal, PayloadError, verifyWal } from "../mod.ts";
import { createAuditLogger } from "./audit_logger.ts";
import { payloads } from "./_records.ts";

Deno.test("createAuditLogger() writes info, warn and error events that verify, in call order", async () => {
  const root = await Deno.makeTempDir({ prefix: "spine-logger-" });
  const dir = `${root}/audit`;
  try {
    const key = await generateSigningKey();
    {
      await using wal = await openWal(dir, { signingKey: key, create: true });
      const audit = createAuditLogger(wal, { context: { service: "billing" } });
      assert.equal((await audit.info("user.login", { user: "alice" })).seq, 1);
      // Un-awaited calls overlap and still land in call order.
      const burst = Array.from({ length: 10 }, (_, i) => audit.info("invoice.viewed", { n: i }));
      await Promise.all([
        ...burst,
        audit.warn("payment.retry", { order: 42 }),
        audit.error("export.denied", { user: "bob", dataset: "payroll" }),
      ]);
    }
    const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
    assert.equal(report.status, "VERIFIED", JSON.stringify(report.errors));
    assert.equal(report.events_verified, 13);
    const events = await payloads(dir);
    assert.deepEqual(events[0], {
      event_type: "user.login",
      level: "info",
      service: "billing",
      user: "alice",
    });
    assert.deepEqual(events.slice(1, 11).map((e) => e.n), Array.from({ length: 10 }, (_, i) => i));
    assert.deepEqual(events.slice(11), [
      { event_type: "payment.retry", level: "warn", service: "billing", order: 42 },
      {
        event_type: "export.denied",
        level: "error",
        service: "billing",
        user: "bob",
        dataset: "payroll",
      },
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("createAuditLogger() refuses reserved or context fields and invalid values, writing nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "spine-logger-" });
  const dir = `${root}/audit`;
  try {
    await using wal = await openWal(dir, { signingKey: await generateSigningKey(), create: true });
    assert.throws(() => createAuditLogger(wal, { context: { level: "x" } }), TypeError);
    const audit = createAuditLogger(wal, { context: { service: "billing" } });
    await assert.rejects(() => audit.info("x", { level: "debug" }), /may not set level/);
    await assert.rejects(() => audit.info("x", { service: "other" }), /may not set service/);
    await assert.rejects(() => audit.info(""), /non-empty string/);
    await assert.rejects(() => audit.info("price.set", { price: 9.99 }), PayloadError);
    assert.equal(wal.head, null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
