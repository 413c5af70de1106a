/**
 * Runs the CLI as a user does: a subprocess with exactly the permission flags of a deno.json
 * task (the same flags the compiled binaries get), with NO_COLOR=1 and no other environment
 * unless given.
 *
 * @module
 */

const REPO = new URL("../", import.meta.url).pathname;
const tasks = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`)).tasks as Record<
  string,
  string
>;

/** The deno.json tasks, for tests that check them. */
export const TASKS: Readonly<Record<string, string>> = tasks;

/**
 * The permission flags of a deno.json task, e.g. `["--no-prompt", "--allow-read"]`.
 *
 * @param task The task name.
 * @returns Its `--` flags, in order.
 */
export function taskFlags(task: string): string[] {
  return tasks[task].split(/\s+/).filter((w) => w.startsWith("--"));
}

/**
 * `Deno.execPath()`, or `deno` when the runner may only spawn `deno` from PATH (an npm-installed
 * wrapper's real path differs from the one `--allow-run=deno` resolves).
 */
const DENO =
  (await Deno.permissions.query({ name: "run", command: Deno.execPath() })).state === "granted"
    ? Deno.execPath()
    : "deno";

/** The outcome of one CLI run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to run the CLI. */
export interface SpineOptions {
  /** Working directory (default: a fresh temporary directory, removed afterwards). */
  cwd?: string;
  /** Standard input text (default: none, `stdin: "null"`). */
  stdin?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Whose permission flags to use (default `spine`). */
  task?: "spine" | "spine-verify";
}

/**
 * Runs `spine ...args` (or `spine-verify ...args` with `task: "spine-verify"`).
 *
 * @param args CLI arguments.
 * @param options Working directory, stdin, environment, task.
 * @returns Exit code, stdout and stderr.
 */
export async function spine(args: string[], options: SpineOptions = {}): Promise<Run> {
  const task = options.task ?? "spine";
  const entry = task === "spine" ? "main.ts" : "src/cli/verify_main.ts";
  const cwd = options.cwd ?? await Deno.makeTempDir({ prefix: "spine-cli-" });
  try {
    const child = new Deno.Command(DENO, {
      args: ["run", ...taskFlags(task), `${REPO}${entry}`, ...args],
      cwd,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", ...options.env },
      clearEnv: true,
    }).spawn();
    if (options.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(options.stdin));
      await w.close();
    }
    const out = await child.output();
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  } finally {
    if (options.cwd === undefined) await Deno.remove(cwd, { recursive: true });
  }
}
