// How the plan and verify commands read one argument: GNU-style `--name=value` is `--name value`.
// Only an argument in option position is split, so a value that itself starts with `--` (a
// command line such as `--bootargs "-- init=/bin/sh"`) stays whole.
export function splitOption(arg: string): { name: string; inline?: string } {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 2 ? { name: arg.slice(0, eq), inline: arg.slice(eq + 1) } : { name: arg };
}
