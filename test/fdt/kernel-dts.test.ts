// `carveout compile -O dts` on real kernel boards equals `cpp | dtc -I dts -O dts` (Debian dtc
// 1.6.1), on an even sample of arch/arm64 and arch/arm. (The whole corpus, DTB output and the
// decompile round trip are test/corpus/kernel-corpus.test.ts.)
// Opt-in locally like the corpus test: CARVEOUT_CORPUS=1; CI always runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { locateKernelSource } from '../helpers/kernel-source.js';
import { ensureDtc } from './dtc-helper.js';

const enabled = process.env.CARVEOUT_CORPUS === '1' || !!process.env.CI;
const SAMPLE = Number(process.env.CARVEOUT_DTS_SAMPLE ?? 150);

function boards(src: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.dts')) out.push(p);
    }
  };
  for (const arch of ['arm64', 'arm']) walk(join(src, 'arch', arch, 'boot', 'dts'));
  return out;
}

test(`compile -O dts equals cpp | dtc -O dts on ${SAMPLE} kernel boards`, {
  skip: enabled ? false : 'opt-in locally: set CARVEOUT_CORPUS=1',
}, async (t) => {
  const have = ensureDtc();
  if (have.why) return t.skip(have.why);
  const ks = await locateKernelSource('6.12');
  if (!ks.dir) {
    if (process.env.CI) assert.fail(ks.problem);
    return t.skip(ks.problem ?? 'no kernel source');
  }
  const src = ks.dir;
  const { compileFile } = await import('../../src/compile.js');
  const prefixes = join(src, 'scripts/dtc/include-prefixes');
  const all = boards(src);
  const step = Math.max(1, Math.floor(all.length / SAMPLE));
  let compared = 0;
  const bad: string[] = [];
  for (let i = 0; i < all.length && compared < SAMPLE; i += step) {
    const f = all[i]!;
    // scripts/Makefile.dtbs dtc_cpp_flags (the kernel's `$(HOSTCC) -E`).
    const pre = spawnSync('cpp', ['-nostdinc', '-I', prefixes, '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', f], {
      maxBuffer: 1 << 28,
    });
    if (pre.status !== 0) continue;
    const ref = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dts', '-i', dirname(f), '-i', prefixes, '-'], {
      input: pre.stdout,
      maxBuffer: 1 << 28,
    });
    if (ref.status !== 0) continue; // dtc rejects it: the corpus test covers agreement there
    compared++;
    const r = compileFile(f, { outputFormat: 'dts', includeDirs: [dirname(f), prefixes], quiet: 3 });
    // dtc prints string bytes >= 0x80 sign-extended ("\xffffffc2"), text that does not compile
    // back; we print "\xc2" (src/fdt/README.md).
    const want = ref.stdout.toString('latin1').replace(/\\xffffff([0-9a-f]{2})/g, '\\x$1');
    if (r.dts !== want)
      bad.push(
        f.slice(src.length + 1) +
          (r.dts === undefined ? ` (no output: ${r.diagnostics.find((d) => d.severity === 'error')?.message})` : ''),
      );
  }
  process.stdout.write(`# kernel -O dts: ${compared - bad.length}/${compared} boards identical to cpp | dtc -O dts\n`);
  assert.ok(compared >= Math.min(SAMPLE, 100), `only ${compared} boards compared`);
  assert.deepEqual(bad, []);
});
