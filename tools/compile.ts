/**
 * `deno task compile`: builds the release binaries, `dist/spine-<target>` and
 * `dist/spine-verify-<target>`, with `deno compile` for every target.
 *
 * {@linkcode BINARIES} is the one table of what each binary gets: entry point, permission and V8
 * flags, worker modules. deno.json's `spine` and `spine-verify` tasks (which the CLI tests run)
 * must be `deno run <flags> <entry>` with exactly these flags; `tools/compile_test.ts` checks it.
 * To let the CLI read another environment variable, add it to {@linkcode SPINE_ENV} and copy the
 * new `spine` task the test prints into deno.json.
 *
 * ```sh
 * deno task compile                      # every binary for every target, into dist/
 * deno task compile --dry-run            # print the deno compile commands only
 * deno task compile --target x86_64-unknown-linux-gnu --out-dir build
 * ```
 *
 * `deno compile` downloads the Deno runtime of each target, so building needs internet access.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The environment variables `spine` may read (`--allow-env=` of the task and the binary). */
export const SPINE_ENV: readonly string[] = ["SPINE_SIGNING_KEY"];

/**
 * V8 flags of both binaries: without a 1 MB semi-space, V8's young generation grows to tens of
 * megabytes under verification's allocation rate (README, Build binaries).
 */
const V8_FLAGS = "--v8-flags=--max-semi-space-size=1";

/** One program we ship. */
export interface Binary {
  /** Binary name, before `-<target>`; also the deno.json task that runs it from source. */
  name: "spine" | "spine-verify";
  /** Entry module, relative to the repository root. */
  entry: string;
  /** Runtime flags, in order: V8 flags, `--no-prompt`, permissions. */
  flags: readonly string[];
  /** Worker modules `deno compile` cannot discover (`--include`). */
  include: readonly string[];
}

/** Every binary and the flags it runs with: the single source of the permission flags. */
export const BINARIES: readonly Binary[] = [
  {
    name: "spine",
    entry: "main.ts",
    flags: [
      V8_FLAGS,
      "--no-prompt",
      "--allow-read",
      "--allow-write",
      `--allow-env=${SPINE_ENV.join(",")}`,
    ],
    include: [
      "src/verify/_analyze_worker.ts",
      "src/crypto/_verify_worker.ts",
      "src/crypto/_sign_worker.ts",
    ],
  },
  {
    // The auditor's verifier: reads, never writes, no environment.
    name: "spine-verify",
    entry: "src/cli/verify_main.ts",
    flags: [V8_FLAGS, "--no-prompt", "--allow-read"],
    include: ["src/verify/_analyze_worker.ts", "src/crypto/_verify_worker.ts"],
  },
];

/** The `deno compile --target` values we release for. */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/**
 * The deno.json task that runs a binary from source with the binary's flags.
 *
 * @param binary An entry of {@linkcode BINARIES}.
 * @returns `deno run <flags> <entry>`.
 * @example
 * ```ts
 * import { BINARIES, taskCommand } from "./compile.ts";
 * console.assert(taskCommand(BINARIES[1]) === "deno run " + BINARIES[1].flags.join(" ") + " src/cli/verify_main.ts");
 * ```
 */
export function taskCommand(binary: Binary): string {
  return ["deno", "run", ...binary.flags, binary.entry].join(" ");
}

/**
 * The file a build writes for a binary and a target.
 *
 * @param binary The binary.
 * @param target A `deno compile --target` value.
 * @param outDir The output directory.
 * @returns `<outDir>/<name>-<target>`, with `.exe` for Windows targets.
 * @example
 * ```ts
 * import { BINARIES, outputPath } from "./compile.ts";
 * console.assert(outputPath(BINARIES[0], "x86_64-pc-windows-msvc", "dist") === "dist/spine-x86_64-pc-windows-msvc.exe");
 * ```
 */
export function outputPath(binary: Binary, target: string, outDir: string): string {
  return `${outDir}/${binary.name}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The `deno compile` argument lists (without the `deno` executable) of a build.
 *
 * @param targets The targets to build for (default: all of {@linkcode TARGETS}).
 * @param outDir Where the binaries go (default `dist`).
 * @returns One argument list per binary and target, targets in the given order.
 * @throws {RangeError} If a target is not one of {@linkcode TARGETS}.
 * @example
 * ```ts
 * import { compileCommands } from "./compile.ts";
 * const commands = compileCommands(["aarch64-apple-darwin"]);
 * console.assert(commands.length === 2 && commands[0][0] === "compile");
 * ```
 */
export function compileCommands(
  targets: readonly string[] = TARGETS,
  outDir = "dist",
): string[][] {
  const commands: string[][] = [];
  for (const target of targets) {
    if (!TARGETS.includes(target)) {
      throw new RangeError(`Unknown target ${target}; expected one of ${TARGETS.join(", ")}`);
    }
    for (const binary of BINARIES) {
      commands.push([
        "compile",
        ...binary.flags,
        "--target",
        target,
        ...binary.include.flatMap((file) => ["--include", file]),
        "--output",
        outputPath(binary, target, outDir),
        binary.entry,
      ]);
    }
  }
  return commands;
}

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        "dry-run": { type: "boolean", default: false },
        target: { type: "string", multiple: true },
        "out-dir": { type: "string", default: "dist" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`compile: ${(e as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(
      "Usage: deno task compile [--dry-run] [--target TARGET]... [--out-dir DIR]\n" +
        `Targets: ${TARGETS.join(", ")}`,
    );
    return 0;
  }
  let commands: string[][];
  try {
    commands = compileCommands(values.target ?? TARGETS, values["out-dir"]);
  } catch (e) {
    console.error(`compile: ${(e as Error).message}`);
    return 2;
  }
  const root = new URL("../", import.meta.url).pathname;
  for (const command of commands) {
    console.log(["deno", ...command].join(" "));
    if (values["dry-run"]) continue;
    const { code } = await new Deno.Command(Deno.execPath(), { args: command, cwd: root })
      .spawn().status;
    if (code !== 0) {
      console.error(`compile: deno ${command.join(" ")} failed with exit code ${code}`);
      return 2;
    }
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
