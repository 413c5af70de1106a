import assert from "node:assert/strict";
import { generateSigningKey, openWal, verifyWal } from "../mod.ts";
import { auditMiddleware } from "./audit_middleware.ts";
import { payloads } from "./_records.ts";

Deno.test("auditMiddleware() appends one verified event per request served by Deno.serve", async () => {
  const root = await Deno.makeTempDir({ prefix: "spine-middleware-" });
  const dir = `${root}/audit`;
  try {
    const key = await generateSigningKey();
    const wal = await openWal(dir, { signingKey: key, create: true });
    const app = async (request: Request): Promise<Response> => {
      const path = new URL(request.url).pathname;
      if (path === "/boom") throw new Error("handler failed");
      if (request.method === "POST") return new Response(await request.text(), { status: 201 });
      return path === "/hello" ? new Response("hello") : new Response("no", { status: 404 });
    };
    const server = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        onListen() {},
        onError: () => new Response("", { status: 500 }),
      },
      auditMiddleware(wal, app),
    );
    try {
      const base = `http://127.0.0.1:${server.addr.port}`;
      const send = async (path: string, init: RequestInit = {}) => {
        const res = await fetch(`${base}${path}`, init);
        return [res.status, await res.text()];
      };
      assert.deepEqual(await send("/hello", { headers: { "x-user": "alice" } }), [200, "hello"]);
      assert.deepEqual(
        await send("/orders?id=7", { method: "POST", body: "{}", headers: { "x-user": "bob" } }),
        [201, "{}"],
      );
      assert.deepEqual(await send("/missing"), [404, "no"]);
      assert.equal((await send("/boom", { headers: { "x-user": "carol" } }))[0], 500);
    } finally {
      await server.shutdown();
      await wal.close();
    }
    const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
    assert.equal(report.status, "VERIFIED", JSON.stringify(report.errors));
    assert.equal(report.events_verified, 4);
    const events = await payloads(dir);
    assert.deepEqual(
      events.map(({ latency_us: _, ...rest }) => rest),
      [
        { event_type: "http.request", method: "GET", path: "/hello", status: 200, user: "alice" },
        { event_type: "http.request", method: "POST", path: "/orders", status: 201, user: "bob" },
        { event_type: "http.request", method: "GET", path: "/missing", status: 404, user: null },
        { event_type: "http.request", method: "GET", path: "/boom", status: 500, user: "carol" },
      ],
    );
    for (const e of events) {
      assert.ok(
        Number.isSafeInteger(e.latency_us) && (e.latency_us as number) >= 0,
        `${e.latency_us}`,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("auditMiddleware() fails closed with 503 when the event cannot be appended", async () => {
  const root = await Deno.makeTempDir({ prefix: "spine-middleware-" });
  try {
    const wal = await openWal(`${root}/audit`, {
      signingKey: await generateSigningKey(),
      create: true,
    });
    await wal.close(); // appends now fail
    let served = false;
    const handler = auditMiddleware(wal, () => {
      served = true;
      return new Response("secret");
    });
    const info: Deno.ServeHandlerInfo = {
      remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
      completed: Promise.resolve(),
    };
    const res = await handler(new Request("http://localhost/data"), info);
    assert.equal(served, true);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), "Audit log unavailable\n");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
