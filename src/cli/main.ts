#!/usr/bin/env node
// carveout's command line: a thin dispatcher. Each command lives in src/cli/commands/<name>.ts and
// exports `run(argv: string[]): Promise<number>` returning the exit code (0 ok, 1 problems, 2 bad input).
const commands: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  compile: { summary: 'compile DTS/DTB to DTB/DTS, like dtc', load: () => import('./commands/compile.js') },
  decompile: { summary: 'decompile a DTB to DTS', load: () => import('./commands/decompile.js') },
  apply: { summary: 'apply overlays to a DTB, like fdtoverlay', load: () => import('./commands/apply.js') },
  check: { summary: 'find reserved-memory mistakes before boot (bindings, and each --kernel)', load: () => import('./commands/check.js') },
  plan: { summary: 'predict what the kernel does with reserved memory', load: () => import('./commands/plan.js') },
  verify: { summary: 'boot a real kernel under QEMU and compare with the plan', load: () => import('./commands/verify.js') },
  kernels: { summary: 'list or fetch the kernels the lab knows', load: () => import('./commands/kernels.js') },
  map: { summary: 'draw where the kernel puts reserved memory (text, SVG, HTML)', load: () => import('./commands/map.js') },
  explain: { summary: 'why a region landed where it did, or what covers an address', load: () => import('./commands/explain.js') },
  diff: { summary: 'what changed between two boards, two kernels, or a plan and a boot log', load: () => import('./commands/diff.js') },
};

function usage(): string {
  const lines = ['usage: carveout <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', "run 'carveout <command> --help' for a command's options");
  return lines.join('\n');
}

// A reader that went away (`| head`) ends the output quietly, as coreutils do; any other failure to
// write standard output (a full disk, /dev/full) is said once, without a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.stderr.write(`carveout: write failed: standard output: ${e.code ?? e.message}\n`);
  process.exit(e.code === 'EPIPE' ? 0 : 2);
});

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write('carveout 0.1.0\n');
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`carveout: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Only bugs reach here: input problems are diagnostics with exit 2.
    process.stderr.write(`carveout: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
