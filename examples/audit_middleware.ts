/**
 * An audit middleware for `Deno.serve`: one signed, hash-chained event per request (method,
 * path, status, user, latency), durable before the response leaves.
 *
 * Run the demo server on a fresh log in a temporary directory, with a fresh key (Ctrl-C to stop;
 * the log is closed and then verified against that key):
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write examples/audit_middleware.ts [PORT]
 * curl -H "x-user: alice" http://127.0.0.1:8000/hello
 * ```
 *
 * In an application, import the library from the published package (or by path, as here).
 *
 * @module
 */

import { type AppendResult, generateSigningKey, openWal, verifyWal, type Wal } from "../mod.ts";

/** Options of {@linkcode auditMiddleware}. */
export interface AuditMiddlewareOptions {
  /**
   * The request header that names the user (default `x-user`). Take it from a header your
   * authentication proxy sets, never from one the client controls.
   */
  userHeader?: string;
  /** The `event_type` of each event (default `http.request`). */
  eventType?: string;
  /** Called with each appended record (e.g. to expose its `seq`); for tests and metrics. */
  onAppend?: (result: AppendResult) => void;
}

/**
 * Wraps a `Deno.serve` handler so that every request appends one event to `wal`:
 * `{event_type, method, path, status, user, latency_us}`. `path` leaves out the query string
 * (it may carry secrets); `latency_us` is an integer (the format refuses floats): microseconds
 * until the handler returned its response.
 *
 * The response is returned only once its event is durable (per the WAL's sync policy). If the
 * event cannot be appended, the request fails closed with `503`; if the handler throws, a `500`
 * is recorded and the error is rethrown (`Deno.serve` answers 500).
 *
 * @param wal An open WAL ({@linkcode openWal}).
 * @param handler The application's handler.
 * @param options User header, event type, append callback.
 * @returns A handler for `Deno.serve`.
 * @example
 * ```ts
 * import { generateSigningKey, openWal } from "../mod.ts";
 * import { auditMiddleware } from "./audit_middleware.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using wal = await openWal(`${dir}/audit`, {
 *     signingKey: await generateSigningKey(),
 *     create: true,
 *   });
 *   const handler = auditMiddleware(wal, () => new Response("ok"));
 *   const info: Deno.ServeHandlerInfo = {
 *     remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
 *     completed: Promise.resolve(),
 *   };
 *   const res = await handler(new Request("http://localhost/hi"), info);
 *   console.assert(res.status === 200 && wal.head?.seq === 1);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function auditMiddleware(
  wal: Wal,
  handler: Deno.ServeHandler,
  options: AuditMiddlewareOptions = {},
): (request: Request, info: Deno.ServeHandlerInfo) => Promise<Response> {
  const userHeader = options.userHeader ?? "x-user";
  const eventType = options.eventType ?? "http.request";
  const record = async (request: Request, status: number, start: number) => {
    const result = await wal.append({
      event_type: eventType,
      method: request.method,
      path: new URL(request.url).pathname,
      status,
      user: request.headers.get(userHeader),
      latency_us: Math.round((performance.now() - start) * 1000),
    });
    options.onAppend?.(result);
  };
  return async (request, info) => {
    const start = performance.now();
    let response: Response;
    try {
      response = await handler(request, info);
    } catch (error) {
      await record(request, 500, start).catch(() => {});
      throw error;
    }
    try {
      await record(request, response.status, start);
    } catch {
      await response.body?.cancel();
      return new Response("Audit log unavailable\n", { status: 503 });
    }
    return response;
  };
}

if (import.meta.main) {
  const dir = `${await Deno.makeTempDir({ prefix: "spine-demo-" })}/audit`;
  const key = await generateSigningKey(); // a real service loads its key: loadSigningKey()
  const wal = await openWal(dir, { signingKey: key, create: true });
  const app = (request: Request) =>
    new URL(request.url).pathname === "/hello"
      ? new Response("hello\n")
      : new Response("not found\n", { status: 404 });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: Number(Deno.args[0] ?? 8000) },
    auditMiddleware(wal, app),
  );
  Deno.addSignalListener("SIGINT", () => server.shutdown());
  await server.finished;
  await wal.close();
  const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
  console.log(`${report.status}: ${report.events_verified} requests audited in ${dir}`);
}
