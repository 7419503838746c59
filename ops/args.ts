/**
 * The command line: `cryo-ops [global flags] <command> [subcommand] [flags]`. Flags take their
 * value as the next argument or after `=`; repeated flags (--matcher) collect.
 */
import { UsageError } from "./errors";

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

/** Flags without a value. */
const BOOLEAN_FLAGS = new Set(["json", "follow", "help"]);

export function parseArgs(argv: string[], known: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.has(name)) throw new UsageError(`unknown flag --${name}`);
    let value: string;
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      value = "true";
    } else if (inline !== undefined) {
      value = inline;
    } else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  if (values && values.length > 1) throw new UsageError(`--${name} given more than once`);
  return values?.[0];
}

export function flags(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function has(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

/** "2h", "30m", "1h30m", "90s", "1d": seconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "") throw new UsageError(`bad duration "${text}" (examples: 30m, 2h, 1h30m, 1d)`);
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  const seconds = d * 86400 + h * 3600 + min * 60 + s;
  if (seconds <= 0) throw new UsageError(`duration "${text}" is not positive`);
  return seconds;
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** amtool's matcher syntax: name=value, name!=value, name=~regex, name!~regex. */
export function parseMatcher(text: string): Matcher {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(.*)$/.exec(text);
  if (!m || m[3] === "") {
    throw new UsageError(`bad matcher "${text}" (use name=value, name!=value, name=~regex or name!~regex)`);
  }
  const [, name, op, raw] = m;
  const value = raw.replace(/^"(.*)"$/, "$1");
  if (op.includes("~")) {
    try {
      new RegExp(value);
    } catch {
      throw new UsageError(`bad matcher "${text}": ${value} is not a regular expression`);
    }
  }
  return { name, value, isRegex: op.includes("~"), isEqual: !op.startsWith("!") };
}
