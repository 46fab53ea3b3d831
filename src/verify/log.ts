// `carveout verify board.dts --log dmesg.txt`: a boot log captured on the board itself is the
// judge. The log is read by the lab's console parser (observation.ts parseConsole) — with or
// without printk timestamps, with or without memblock=debug — after the prefixes that dmesg -r,
// syslog and journalctl put before each message are taken off. The kernel build and the command
// line come from the log's `Linux version` and `Kernel command line:` lines when it has them;
// then the board is planned as loaded (src/board.ts) and compared as the QEMU path compares.
import { diag, hasErrors, type Diagnostic } from '../diagnostics.js';
import type { Board } from '../board.js';
import { plan, resolveProfile } from '../kernel/plan.js';
import { profileIds } from '../kernel/profiles/index.js';
import { seriesForVersion } from '../kernel/versions/index.js';
import type { KernelProfile } from '../kernel/profiles/types.js';
import { profileOfPackage, readBuildFacts } from './build-facts.js';
import { parseConsole, type Observation } from './observation.js';
import { observedRegions } from './regions.js';
import { compareWithPlan, memoryDifferences, predictionOf, type VerifyResult } from './verify.js';

export interface LogVerifyOptions {
  /** Kernel ID (a profile, or a name `kernels add` stored) or a profile (a build's own, --kernel-config/--system-map); default: the one the log's `Linux version` line names. */
  kernel?: string | KernelProfile;
  /** Replaces the command line the log shows. */
  bootargs?: string;
  /** Name of the log for messages (`dmesg.txt`, `<stdin>`). */
  logName?: string;
}

export interface LogVerifyResult extends VerifyResult {
  /** The profile the plan ran. */
  profile?: string;
  /** The log's `Linux version` release (`6.12.95+deb12-arm64`). */
  release?: string;
}

/**
 * One message per line as the kernel printed it: `<6>` levels (dmesg -r, /dev/kmsg), syslog and
 * journalctl `Mon DD HH:MM:SS host kernel: ` prefixes and `kernel: ` alone are removed; printk
 * timestamps stay (the parser reads them).
 */
export function normalizeBootLog(text: string): string {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) =>
      l
        .replace(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: /, '')
        .replace(/^kernel: /, '')
        .replace(/^<\d+>/, ''),
    )
    .join('\n');
}

/**
 * The profile a release string names: the version layer's series, and the Debian flavour the
 * release ends with (`6.1.0-27-armmp-lpae` → 6.1-armmp-lpae); undefined when no profile has both.
 */
export function profileForRelease(release: string): string | undefined {
  const s = seriesForVersion(release);
  if ('error' in s || !s.exact) return undefined;
  const ids = profileIds.filter((id) => id.startsWith(`${s.series.name}-`) && release.endsWith(`-${id.slice(s.series.name.length + 1)}`));
  return ids.sort((a, b) => b.length - a.length)[0];
}

/** The kernel release a Debian package holds: linux-image-6.12.95+deb12-arm64-unsigned → 6.12.95+deb12-arm64. */
const packageRelease = (pkg: string): string | undefined => /^linux-(?:image|binary)-(\S+?)(?:-unsigned)?(?:\s|$)/.exec(pkg)?.[1];

/**
 * A log of another upload of the profile's build than the built-in one (6.12.118's arm64 beside
 * the lab's 6.12.95): the stored facts of that package when data/lab holds them (its own config,
 * System.map and measured sizes); else the built-in build's facts with the series' layer at the
 * log's release (its point releases applied), and a warning that the build's own sizes may differ.
 */
function profileAtRelease(profile: KernelProfile, release: string, res: LogVerifyResult): KernelProfile {
  const builtin = packageRelease(profile.debianPackage);
  if (builtin === undefined || builtin === release || profileForRelease(release) !== profile.id) return profile;
  const stored = readBuildFacts(profile.id)?.builds.find((b) => packageRelease(b.package) === release);
  const own = stored && profileOfPackage(profile.id, stored.package);
  if (own) {
    res.notes.push(`the log is from Linux ${release}: planned with the facts data/lab stores of ${stored.package}`);
    return own;
  }
  // profileForRelease named this profile: the release is of its series, which has a layer
  const s = seriesForVersion(release);
  if ('error' in s) return profile;
  const applied = (s.series.applied ?? []).map((p) => p.release);
  res.diagnostics.push(
    diag(
      'warning',
      'release-not-stored',
      `${res.log?.name ?? 'the log'} is from Linux ${release}, ${profile.id}'s built-in build is ${builtin}: planned with that build's facts and the ${s.series.name} layer at ${release}${applied.length ? ` (point releases ${applied.join(', ')} applied)` : ''}; what the build itself decides (sizes, handlers) may differ`,
      undefined,
      "give the build's own --kernel-config and --system-map",
    ),
  );
  return { ...profile, series: s.series };
}

/** Compare a board's plan with a boot log of that board. */
export function verifyLog(board: Board, logText: string, o: LogVerifyOptions = {}): LogVerifyResult {
  const memory = board.memory.reduce((a, b) => a + b.size, 0n);
  const res: LogVerifyResult = { ram: memory, regions: [], differences: [], notes: [], diagnostics: [...board.diagnostics], exitCode: 2 };
  const logName = o.logName ?? 'the log';
  const obs: Observation = parseConsole(typeof o.kernel === 'string' ? o.kernel : (o.kernel?.id ?? ''), normalizeBootLog(logText));
  const release = /^Linux version (\S+)/.exec(obs.linuxVersion ?? '')?.[1];
  res.log = { name: logName };
  if (release) res.release = res.log.release = release;
  const fromLog = release ? profileForRelease(release) : undefined;
  const kernel = o.kernel ?? fromLog;
  if (!kernel) {
    res.diagnostics.push(
      diag(
        'error',
        'unknown-kernel',
        release ? `${logName} is from Linux ${release}, which no kernel profile matches` : `${logName} has no 'Linux version' line`,
        undefined,
        `say which kernel with --kernel ID (${profileIds.join(', ')})`,
      ),
    );
    return res;
  }
  const named = resolveProfile(kernel);
  if (!named) {
    res.diagnostics.push(
      diag('error', 'unknown-kernel', `unknown kernel '${String(kernel)}'`, undefined, `known: ${profileIds.join(', ')}`),
    );
    return res;
  }
  const profile = release ? profileAtRelease(named, release, res) : named;
  res.profile = res.log.profile = profile.id;
  obs.kernel = profile.id;
  if (release && o.kernel) {
    const s = seriesForVersion(release);
    const sameSeries = !('error' in s) && s.series.name === profile.series.name;
    if (!sameSeries || (fromLog !== undefined && fromLog !== profile.id))
      res.diagnostics.push(
        diag(
          'warning',
          'kernel-mismatch',
          `${logName} is from Linux ${release}${fromLog ? ` (${fromLog})` : ''}, --kernel says ${profile.id}: the plan runs ${profile.id}`,
        ),
      );
  }
  if (obs.log.length === 0 && obs.memblock.length === 0 && !obs.memblockDump) {
    res.diagnostics.push(
      diag(
        'error',
        'empty-log',
        `${logName} has no kernel message about memory (no 'OF: reserved mem:', 'Memory:', 'Kernel command line:' …)`,
      ),
    );
    return res;
  }
  // Every boot prints `Linux version` among its first lines (init/main.c start_kernel): a log
  // without it does not start at boot (dmesg's ring buffer wrapped on a board that has been up a
  // while, a capture begun late). What it has is the end of what the kernel printed: compared as
  // the end of the plan's lines, the lines before it unseen, as around a console's gap.
  if (obs.linuxVersion === undefined && !obs.gaps?.some((g) => g.log === 0 && g.memblock === 0)) {
    (obs.gaps ??= []).unshift({ messages: 0, log: 0, memblock: 0, cut: true });
    res.notes.push(
      `${logName} does not start at boot (no 'Linux version' line): its lines are compared as the end of what the plan predicts`,
    );
  }
  res.observation = obs;
  if (!board.tree || hasErrors(res.diagnostics)) return res;
  const bootargs = o.bootargs ?? obs.commandLine;
  if (o.bootargs !== undefined && obs.commandLine !== undefined && o.bootargs !== obs.commandLine)
    res.notes.push(`--bootargs replaces the command line the log shows: ${obs.commandLine}`);
  if (bootargs !== undefined) res.append = bootargs;
  else
    res.notes.push(
      "the log does not show the kernel's command line (no 'Kernel command line:'): planned with the tree's /chosen/bootargs; --bootargs gives it",
    );
  res.regions = observedRegions(obs, board.tree);
  const p = plan(board, { kernel: profile, ...(bootargs !== undefined ? { bootargs } : {}) });
  const planErrors: Diagnostic[] = p.diagnostics.filter((d) => d.severity === 'error' && !board.diagnostics.includes(d));
  res.diagnostics.push(...p.diagnostics.filter((d) => !board.diagnostics.includes(d)));
  if (p.exitCode === 2 && planErrors.length) return res;
  res.prediction = predictionOf(p);
  // mem_init prints `Memory:` after every early reservation: a log without it stops before the
  // end of what the plan predicts (a boot that hung or died, a capture cut short).
  const prefix = obs.memoryLine === undefined;
  if (prefix) res.notes.push("the log ends before mem_init's 'Memory:' line: only the lines it has are compared");
  res.differences = compareWithPlan(res.regions, res.prediction, obs, { prefix, unknownParams: !!profile.params.builtIn });
  // The Memory line and memblock's tables also follow from what a log does not show (the initrd's
  // size, where the loader put the kernel and the DTB, what firmware kept): shown, not judged
  const mem = memoryDifferences(obs, res.prediction, prefix);
  if (mem.length)
    res.notes.push(
      `not judged, as they also depend on what the log does not show (the initrd's size, where the loader put the kernel and the DTB: --initrd-size, --kernel-at, --dtb-at): ${mem.join('; ')}`,
    );
  else if (obs.memoryLine || obs.memblockDump) {
    const seen = [obs.memoryLine ? "the 'Memory:' line" : '', obs.memblockDump ? "memblock's tables (MEMBLOCK configuration)" : ''];
    res.notes.push(`${seen.filter(Boolean).join(' and ')} ${obs.memoryLine && !obs.memblockDump ? 'agrees' : 'agree'} with the plan`);
  }
  res.exitCode = res.differences.length ? 1 : 0;
  if (obs.panicked) {
    // As the QEMU path: what the kernel did before is compared and shown, but it did not boot.
    res.diagnostics.push(
      diag('error', 'boot-failed', `the kernel panicked: ${obs.panicMessage ?? ''} — what it printed before is compared`),
    );
    res.exitCode = 2;
  }
  return res;
}
