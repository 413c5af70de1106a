/**
 * A strict command-line parser with the behaviour and error messages of `node:util`'s
 * `parseArgs({ strict: true, allowPositionals: true })`, for the subset our commands use (string
 * and boolean options, `multiple`, one-letter `short` aliases, defaults, `--name=value`, `--`).
 *
 * It exists because importing any `node:` module starts Deno's Node compatibility layer, about
 * 10 ms of a one-record `spine append` process.
 *
 * @module
 */

/** How one option is parsed. */
export interface FlagSpec {
  /** A string option takes a value; a boolean one does not. */
  type: "string" | "boolean";
  /** Collect every occurrence into an array (string options). */
  multiple?: boolean;
  /** A one-letter alias, used as `-x`. */
  short?: string;
  /** The value when the option is absent. */
  default?: string | boolean;
}

type FlagValue<S extends FlagSpec> = S["type"] extends "boolean" ? boolean
  : S["multiple"] extends true ? string[]
  : string;

/** The parsed values: an option with a default is always set. */
export type FlagValues<T extends Record<string, FlagSpec>> = {
  [K in keyof T]: T[K] extends { default: string | boolean } ? FlagValue<T[K]>
    : FlagValue<T[K]> | undefined;
};

/** A command-line syntax error; `code` is the matching `node:util` `ERR_PARSE_ARGS_*` code. */
export class FlagError extends TypeError {
  /** `ERR_PARSE_ARGS_UNKNOWN_OPTION` or `ERR_PARSE_ARGS_INVALID_OPTION_VALUE`. */
  readonly code: string;

  /**
   * @param message What is wrong, as `node:util` words it.
   * @param code The `node:util` error code.
   */
  constructor(message: string, code: string) {
    super(message);
    this.name = "FlagError";
    this.code = code;
  }
}

/**
 * Parses arguments strictly: unknown options, a missing or ambiguous value (`--wal --stdin`) and
 * a value given to a boolean option are errors; arguments after `--` are positional.
 *
 * @param args The arguments.
 * @param options The options, by long name.
 * @returns The values (defaults filled in) and the positional arguments.
 * @throws {FlagError} For a syntax error (message and `code` as `node:util` `parseArgs`).
 * @example
 * ```ts
 * import { parseFlags } from "./_args.ts";
 * import assert from "node:assert/strict";
 * const { values, positionals } = parseFlags(["--wal=w", "-h", "--field", "a=1", "x"], {
 *   wal: { type: "string" },
 *   field: { type: "string", multiple: true },
 *   help: { type: "boolean", short: "h", default: false },
 * });
 * assert.deepEqual(values, { wal: "w", field: ["a=1"], help: true });
 * assert.deepEqual(positionals, ["x"]);
 * ```
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  args: readonly string[],
  options: T,
): { values: FlagValues<T>; positionals: string[] } {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const set = (name: string, spec: FlagSpec, value: string | boolean) => {
    if (spec.multiple) ((values[name] ??= []) as string[]).push(value as string);
    else values[name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") {
      positionals.push(arg);
      continue;
    }
    if (arg[1] !== "-") {
      // -x, -xyz (boolean group), -xVALUE / -x VALUE (string)
      for (let j = 1; j < arg.length; j++) {
        const name = longName(options, arg[j]);
        const spec = name === undefined ? undefined : options[name];
        if (name === undefined || spec === undefined) throw unknown(`-${arg[j]}`);
        if (spec.type === "boolean") {
          set(name, spec, true);
          continue;
        }
        const inline = arg.slice(j + 1);
        if (inline !== "") set(name, spec, inline);
        else {
          set(name, spec, valueAfter(args, i++, `-${arg[j]}`, `-${arg[j]}, --${name}`, name));
        }
        break;
      }
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = Object.hasOwn(options, name) ? options[name] : undefined;
    if (spec === undefined) throw unknown(`--${name}`);
    if (spec.type === "boolean") {
      if (eq !== -1) {
        throw new FlagError(
          `Option '--${name}' does not take an argument`,
          "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
        );
      }
      set(name, spec, true);
    } else if (eq !== -1) {
      set(name, spec, arg.slice(eq + 1));
    } else {
      set(name, spec, valueAfter(args, i++, `--${name}`, `--${name}`));
    }
  }
  for (const [name, spec] of Object.entries(options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  return { values: values as FlagValues<T>, positionals };
}

function longName(options: Record<string, FlagSpec>, short: string): string | undefined {
  for (const [name, spec] of Object.entries(options)) if (spec.short === short) return name;
  return undefined;
}

function valueAfter(
  args: readonly string[],
  i: number,
  token: string,
  shown: string,
  shortOf?: string,
): string {
  const value = args[i + 1];
  if (value === undefined) {
    throw new FlagError(
      `Option '${shown} <value>' argument missing`,
      "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    );
  }
  if (value.length > 1 && value[0] === "-") {
    throw new FlagError(
      `Option '${token}' argument is ambiguous.\nDid you forget to specify the option argument ` +
        `for '${token}'?\nTo specify an option argument starting with a dash use ` +
        (shortOf === undefined ? `'${token}=-XYZ'.` : `'--${shortOf}=-XYZ' or '${token}-XYZ'.`),
      "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    );
  }
  return value;
}

function unknown(option: string): FlagError {
  return new FlagError(
    `Unknown option '${option}'. To specify a positional argument starting with a '-', place ` +
      `it at the end of the command after '--', as in '-- ${JSON.stringify(option)}`,
    "ERR_PARSE_ARGS_UNKNOWN_OPTION",
  );
}
