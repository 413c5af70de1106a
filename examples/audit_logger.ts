/**
 * An application logger whose events go to a tamper-evident audit log:
 * `audit.info("user.login", { user: "alice" })` appends one signed, hash-chained record.
 *
 * Run the demo (a fresh log and key in a temporary directory, then verified):
 *
 * ```sh
 * deno run --allow-read --allow-write examples/audit_logger.ts
 * ```
 *
 * @module
 */

import { type AppendResult, generateSigningKey, openWal, verifyWal, type Wal } from "../mod.ts";

/** How serious an audit event is; written as the event's `level` field. */
export type AuditLevel = "info" | "warn" | "error";

/** Options of {@linkcode createAuditLogger}. */
export interface AuditLoggerOptions {
  /**
   * Fields added to every event (e.g. `{ service: "billing", host: "web-1" }`); an event's own
   * fields may not repeat them.
   */
  context?: Record<string, unknown>;
}

/** Writes audit events; each method resolves once its event is durable. */
export interface AuditLogger {
  /**
   * Appends `{event_type, level: "info", ...context, ...fields}`.
   *
   * @param eventType What happened, e.g. `user.login`.
   * @param fields JSON fields of the event (integers, strings, booleans, null, arrays, objects).
   * @returns The record's `seq`, entry hash, `event_id` and `ts_client`.
   */
  info(eventType: string, fields?: Record<string, unknown>): Promise<AppendResult>;
  /** As {@linkcode AuditLogger.info}, with `level: "warn"`. */
  warn(eventType: string, fields?: Record<string, unknown>): Promise<AppendResult>;
  /** As {@linkcode AuditLogger.info}, with `level: "error"`. */
  error(eventType: string, fields?: Record<string, unknown>): Promise<AppendResult>;
}

const RESERVED = new Set(["event_type", "level"]);

/**
 * A logger over an open WAL. Calls may overlap: the WAL chains and signs them ahead, in call
 * order. Each call is one record, durable per the WAL's sync policy (with the default
 * `sync: "always"`, one fsync per call; write bursts with `wal.appendMany` for one fsync per
 * batch). Await a call before telling anyone its event is recorded.
 *
 * @param wal An open WAL ({@linkcode openWal}); close it when done, the logger does not.
 * @param options Fields added to every event.
 * @returns The logger.
 * @throws {TypeError} If `context` uses a reserved name (`event_type`, `level`).
 * @example
 * ```ts
 * import { generateSigningKey, openWal } from "../mod.ts";
 * import { createAuditLogger } from "./audit_logger.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using wal = await openWal(`${dir}/audit`, {
 *     signingKey: await generateSigningKey(),
 *     create: true,
 *   });
 *   const audit = createAuditLogger(wal, { context: { service: "billing" } });
 *   await audit.info("user.login", { user: "alice" });
 *   const { seq } = await audit.warn("payment.retry", { order: 42, attempt: 2 });
 *   console.assert(seq === 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function createAuditLogger(wal: Wal, options: AuditLoggerOptions = {}): AuditLogger {
  const context = { ...options.context };
  for (const name of Object.keys(context)) {
    if (RESERVED.has(name)) throw new TypeError(`Audit logger context may not set ${name}`);
  }
  const log = (level: AuditLevel) => (eventType: string, fields: Record<string, unknown> = {}) => {
    if (typeof eventType !== "string" || eventType === "") {
      return Promise.reject(new TypeError("Audit event type must be a non-empty string"));
    }
    for (const name of Object.keys(fields)) {
      if (RESERVED.has(name) || Object.hasOwn(context, name)) {
        return Promise.reject(
          new TypeError(`Audit event ${eventType} may not set ${name} (reserved or in context)`),
        );
      }
    }
    return wal.append({ event_type: eventType, level, ...context, ...fields });
  };
  return { info: log("info"), warn: log("warn"), error: log("error") };
}

if (import.meta.main) {
  const dir = `${await Deno.makeTempDir({ prefix: "spine-demo-" })}/audit`;
  const key = await generateSigningKey(); // a real service loads its key: loadSigningKey()
  {
    await using wal = await openWal(dir, { signingKey: key, create: true });
    const audit = createAuditLogger(wal, { context: { service: "demo" } });
    await audit.info("user.login", { user: "alice" });
    await audit.warn("user.password_failed", { user: "bob", attempts: 3 });
    await audit.error("export.denied", { user: "bob", dataset: "payroll" });
  }
  const report = await verifyWal(dir, { trustedKeys: [{ publicKey: key.publicKey }] });
  console.log(`${report.status}: ${report.events_verified} events in ${dir}`);
}
