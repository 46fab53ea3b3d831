// How the plan and verify commands read one argument: GNU-style `--name=value` is `--name value`.
// Only an argument in option position is split, so a value that itself starts with `--` (a
// command line such as `--bootargs "-- init=/bin/sh"`) stays whole.
export function splitOption(arg: string): { name: string; inline?: string } {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 2 ? { name: arg.slice(0, eq), inline: arg.slice(eq + 1) } : { name: arg };
}

/**
 * A subcommand's own flags: `true` for a switch (`--lab`), else what its value is, for the error
 * when it is missing (`'a file'`: "--system-map needs a file").
 */
export type CommandFlags = Record<string, true | string>;

/** What parseCommandArgs read: the positional arguments in order, each value flag's last value, the switches given. */
export interface CommandArgs {
  positionals: string[];
  values: Partial<Record<string, string>>;
  switches: Set<string>;
}

/**
 * Read a subcommand's argv against its flags (`--name value` or `--name=value`): any number of
 * positional arguments, or at most `positionals.max` (`positionals.tooMany` is the error past them). The first
 * problem, in argv's order, is the error (a usage error: exit 2): an unknown option, a value flag
 * without a value (or an empty one), a switch given a value, one positional too many.
 */
export function parseCommandArgs(
  argv: string[],
  flags: CommandFlags,
  positionals?: { max: number; tooMany: string },
): CommandArgs | { error: string } {
  const out: CommandArgs = { positionals: [], values: {}, switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const { name, inline } = splitOption(argv[i]!);
    const kind = flags[name];
    if (kind === true) {
      if (inline !== undefined) return { error: `${name} takes no value` };
      out.switches.add(name);
    } else if (kind !== undefined) {
      const v = inline ?? argv[++i];
      if (!v) return { error: `${name} needs ${kind}` };
      out.values[name] = v;
    } else if (name.startsWith('-')) return { error: `unknown option '${argv[i]}'` };
    else if (positionals && out.positionals.length >= positionals.max) return { error: positionals.tooMany };
    else out.positionals.push(name);
  }
  return out;
}
