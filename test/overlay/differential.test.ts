// Differential property test: random bases and overlays (new nodes, property overrides, values of
// every length, references from the overlay to the base and within the overlay, labels in both,
// targets by label, by path, by alias and by name without unit address, /delete-*/ inside the
// overlay source) applied by carveout and by Debian's fdtoverlay must give the same bytes, or
// both fail with the same libfdt error. Inputs are compiled by carveout (byte-identical to dtc,
// see the corpus test), the base with -@ nine times in ten.
// Runs: 300 by default, 10,000 with CI set or CARVEOUT_OVERLAY_RUNS=N; CARVEOUT_OVERLAY_SEED=S
// repeats a run (the seed is printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compileString } from '../../src/compile.js';
import { applyOverlays } from '../../src/overlay/apply.js';
import { missingTools } from './fdtoverlay.js';

const skip = missingTools();
const runs = Number(process.env.CARVEOUT_OVERLAY_RUNS ?? (process.env.CI ? 10_000 : 300));

// The base always defines l0, l1, l2 (see baseDts); o0..o2 are overlay labels; l3/l4 exist nowhere
// (a fixup the base cannot resolve: both must fail).
const refLabel = fc.oneof(
  { arbitrary: fc.constantFrom('l0', 'l1', 'l2'), weight: 20 },
  { arbitrary: fc.constantFrom('o0', 'o1'), weight: 4 },
  { arbitrary: fc.constantFrom('l3', 'l4'), weight: 1 },
);
const label = fc.constantFrom('o0', 'o1', 'o2', 'l3');
const nodeName = fc.constantFrom('a', 'b', 'b@1', 'b@2', 'c@10', 'reserved-memory', 'n');
const propName = fc.constantFrom('status', 'reg', 'compatible', 'x', 'y', 'clocks', 'size', 'phandle-ref', 'z-long-property-name');
const value = fc.oneof(
  fc.constant(''),
  fc.constantFrom('"okay"', '"disabled"', '"a"', '"shared-dma-pool", "x"', '"a-longer-string-value"'),
  fc.array(fc.integer({ min: 0, max: 0x1000 }), { minLength: 1, maxLength: 4 }).map((a) => `<${a.join(' ')}>`),
  fc
    .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 7 })
    .map((a) => `[${a.map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`),
  refLabel.map((l) => `<&${l}>`),
  fc.tuple(fc.integer({ min: 0, max: 9 }), refLabel, refLabel).map(([n, a, b]) => `<${n} &${a}>, <&${b} 1>`),
);

interface GenNode {
  name: string;
  label?: string;
  props: [string, string][];
  deletes: string[];
  children: GenNode[];
}

const node: fc.Memo<GenNode> = fc.memo((depth) =>
  fc.record({
    name: nodeName,
    label: fc.option(label, { nil: undefined }),
    props: fc.uniqueArray(fc.tuple(propName, value), { maxLength: 4, selector: (p) => p[0] }),
    deletes: fc.array(propName, { maxLength: depth > 1 ? 1 : 0 }),
    children: depth > 1 ? fc.uniqueArray(node(depth - 1), { maxLength: 3, selector: (n) => n.name }) : fc.constant([]),
  }),
);

/** Labels kept: the first definition of each (dtc refuses a label defined twice). */
function keepLabels(n: GenNode, seen: Set<string>): void {
  if (n.label !== undefined) {
    if (seen.has(n.label)) n.label = undefined;
    else seen.add(n.label);
  }
  for (const c of n.children) keepLabels(c, seen);
}

/** DTS text of a node's contents; in the base (`defined` given), references to labels it lacks become numbers. */
function body(n: Omit<GenNode, 'name' | 'label'>, indent: string, defined?: Set<string>): string {
  let s = '';
  for (const [p, v0] of n.props) {
    const v = defined ? v0.replace(/&(\w+)/g, (m, l: string) => (defined.has(l) ? m : '7')) : v0;
    s += `${indent}${p}${v ? ` = ${v}` : ''};\n`;
  }
  for (const d of n.deletes) s += `${indent}/delete-property/ ${d};\n`;
  for (const c of n.children) s += `${indent}${c.label ? `${c.label}: ` : ''}${c.name} {\n${body(c, indent + '  ', defined)}${indent}};\n`;
  return s;
}

const target = fc.oneof(
  { arbitrary: fc.constantFrom('l0', 'l1', 'l2').map((t) => ({ kind: 'label' as const, t })), weight: 6 },
  { arbitrary: fc.constantFrom('/', '/a', '/a/b@1', '/a/b', '/reserved-memory').map((t) => ({ kind: 'path' as const, t })), weight: 6 },
  {
    arbitrary: fc.constantFrom('ser', 'ser/c@10', '/a/', '/a//b@1', 'p', 'p/b').map((t) => ({ kind: 'target-path' as const, t })),
    weight: 4,
  },
  {
    arbitrary: fc
      .constantFrom('/nothing', 'nope', 'o0')
      .map((t) => ({ kind: t === 'o0' ? ('label' as const) : ('target-path' as const), t })),
    weight: 1,
  },
);

const caseArb = fc.record({
  base: node(2),
  a: node(2),
  b: node(2),
  aliases: fc.boolean(),
  symbols: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
  overlays: fc.array(fc.array(fc.record({ target, body: node(3) }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** A fixed frame (labels l0, l1, l2; aliases ser and p) filled with the random nodes. */
function baseDts(c: Case): string {
  const defined = new Set(['l0', 'l1', 'l2']);
  // Their contents are written into the frame's nodes, whose names they must not repeat.
  c.base.children = c.base.children.filter((n) => n.name !== 'a' && n.name !== 'reserved-memory');
  c.a.children = c.a.children.filter((n) => n.name !== 'b@1');
  for (const n of [c.base, c.a, c.b]) {
    n.label = undefined;
    keepLabels(n, defined);
  }
  const aliases = c.aliases ? '  aliases { ser = &l1; p = "/a"; };\n' : '';
  return `/dts-v1/;\n/ {\n${body(c.base, '  ', defined)}  l0: a {\n${body(c.a, '    ', defined)}    l1: b@1 {\n${body(c.b, '      ', defined)}    };\n  };\n  l2: reserved-memory { };\n${aliases}};\n`;
}

function overlayDts(frags: Case['overlays'][number]): string {
  let s = '/dts-v1/;\n/plugin/;\n';
  const defined = new Set<string>();
  frags.forEach((f, i) => {
    f.body.label = undefined; // the fragment's contents are written, not the node
    keepLabels(f.body, defined);
    const b = body(f.body, '  ');
    if (f.target.kind === 'label') s += `&${f.target.t} {\n${b}};\n`;
    else if (f.target.kind === 'path') s += `&{${f.target.t}} {\n${b}};\n`;
    else s += `/ { ext@${i} { target-path = "${f.target.t}"; __overlay__ {\n${b}}; }; };\n`;
  });
  return s;
}

/** One case's inputs compiled by carveout; undefined when a generated source does not compile. */
function compileCase(c: Case): { base: Uint8Array; overlays: Uint8Array[]; text: string } | undefined {
  const baseText = baseDts(c);
  const ovTexts = c.overlays.map((o) => overlayDts(o));
  const base = compileString(baseText, { symbols: c.symbols, preprocess: false, quiet: 3 });
  const ovs = ovTexts.map((t) => compileString(t, { preprocess: false, quiet: 3 }));
  if (!base.dtb || ovs.some((o) => !o.dtb)) return undefined;
  return { base: base.dtb, overlays: ovs.map((o) => o.dtb!), text: [`base${c.symbols ? ' (-@)' : ''}:`, baseText, ...ovTexts].join('\n') };
}

/**
 * fdtoverlay on many cases from shell scripts (a process per case from Node is the slow part): each
 * case's files named by its index. (libfdt's endless NOSPACE retry on a bad __fixups__ offset
 * cannot come from dtc's output; the batch as a whole has a time limit.)
 */
function fdtoverlayBatch(cases: { base: Uint8Array; overlays: Uint8Array[] }[]): { blob?: Uint8Array; error?: string; stderr: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'carveout-ovdiff-'));
  try {
    // Two shells, one per core: fdtoverlay's start-up is most of the time.
    const scripts = ['', ''];
    cases.forEach((c, i) => {
      writeFileSync(join(dir, `${i}.dtb`), c.base);
      const ovs = c.overlays.map((o, j) => {
        writeFileSync(join(dir, `${i}-${j}.dtbo`), o);
        return `${i}-${j}.dtbo`;
      });
      scripts[i % 2] += `fdtoverlay -i ${i}.dtb -o ${i}.out ${ovs.join(' ')} 2>${i}.err; echo $? >${i}.rc\n`;
    });
    scripts.forEach((text, k) => writeFileSync(join(dir, `run${k}.sh`), text));
    const r = spawnSync('sh', ['-c', 'sh run0.sh & sh run1.sh & wait'], { cwd: dir, timeout: 1_800_000 });
    assert.equal(r.status, 0, String(r.error ?? r.stderr));
    return cases.map((_, i) => {
      const rc = Number(readFileSync(join(dir, `${i}.rc`), 'utf8'));
      const stderr = readFileSync(join(dir, `${i}.err`), 'utf8');
      if (rc === 0) return { blob: new Uint8Array(readFileSync(join(dir, `${i}.out`))), stderr };
      return { error: /: (FDT_ERR_\w+)/.exec(stderr)?.[1], stderr };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`differential: carveout applyOverlays = fdtoverlay on ${runs} random base/overlay sets`, { skip }, () => {
  const seed = Number(process.env.CARVEOUT_OVERLAY_SEED ?? Date.now() % 2 ** 31);
  const cases = fc.sample(caseArb, { numRuns: runs, seed });
  const seen = { identical: 0, bothFail: 0, skipped: 0 };
  const failures: string[] = [];
  for (let from = 0; from < cases.length; from += 500) {
    const batch = cases.slice(from, from + 500).flatMap((c, k) => {
      const compiled = compileCase(c);
      if (!compiled) seen.skipped++;
      return compiled ? [{ ...compiled, index: from + k }] : [];
    });
    const refs = fdtoverlayBatch(batch);
    batch.forEach((c, k) => {
      const ref = refs[k]!;
      const ours = applyOverlays(
        c.base,
        c.overlays.map((blob, i) => ({ name: `ov${i}.dtbo`, blob })),
      );
      const msg = ours.diagnostics.find((d) => d.severity === 'error')?.message ?? '';
      let why: string | undefined;
      if (ref.blob) {
        if (!ours.blob) why = `fdtoverlay applied it, carveout: ${msg}`;
        else if (!Buffer.from(ours.blob).equals(Buffer.from(ref.blob))) why = 'blobs differ';
        else seen.identical++;
      } else if (ours.blob) why = `fdtoverlay failed (${ref.stderr.trim()}), carveout applied it`;
      else if (!msg.endsWith(`(libfdt: ${ref.error})`)) why = `fdtoverlay: ${ref.stderr.trim()} — carveout: ${msg}`;
      else seen.bothFail++;
      if (why && failures.length < 5) failures.push(`case ${c.index} (seed ${seed}): ${why}\n${c.text}`);
    });
  }
  process.stderr.write(
    `differential (seed ${seed}): ${runs} cases: ${seen.identical} identical, ${seen.bothFail} both failed with the same libfdt error, ${seen.skipped} not compilable\n`,
  );
  assert.deepEqual(failures, []);
  assert.ok(seen.identical > runs / 5, `too few successful applications: ${JSON.stringify(seen)}`);
});
