// The adaptive choice of a ladder's boots (src/verify/memory-ladder.ts nextLadderTarget), on made-up
// builds whose boots die below a chosen amount of free memory: the boundary is found and pinned
// within the resolution, deaths below it are seen, and the budget is never exceeded; and on the
// lab's measured builds, each started from another's bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLOCKS_BOOTS,
  DEFAULT_LADDER_BUDGET,
  nextBlocksTarget,
  nextLadderTarget,
  type BlocksProbe,
  type LadderBudget,
  type LadderProbe,
} from '../../src/verify/memory-ladder.js';
import { measuredBounds, OOM_LADDERS } from '../../src/kernel/oom.js';

/** Boot a made-up build that reaches /init with more than `needs` KiB free, until the choice says done. */
function ladder(needs: number, start: { died: number; lived: number }, budget: LadderBudget = DEFAULT_LADDER_BUDGET): LadderProbe[] {
  const probes: LadderProbe[] = [];
  for (let t = nextLadderTarget(probes, start, budget); t !== undefined; t = nextLadderTarget(probes, start, budget)) {
    assert.ok(!probes.some((p) => p.free === t), `${t} KiB chosen twice`);
    probes.push({ free: t, reached: t > needs });
  }
  return probes;
}

function bounds(probes: LadderProbe[]): { top: number; floor: number; under: number } {
  assert.ok(probes.some((p) => !p.reached) && probes.some((p) => p.reached), `a death and an /init: ${JSON.stringify(probes)}`);
  const top = Math.max(...probes.filter((p) => !p.reached).map((p) => p.free));
  const floor = Math.min(...probes.filter((p) => p.reached && p.free > top).map((p) => p.free));
  return { top, floor, under: probes.filter((p) => !p.reached && p.free < top).length };
}

test('a build like the one measured next to it: the boundary is pinned within the resolution, with deaths below it', () => {
  const probes = ladder(15000, { died: 13980, lived: 14492 });
  const b = bounds(probes);
  assert.ok(b.top <= 15000 && b.floor > 15000, JSON.stringify(probes));
  assert.ok(b.floor - b.top <= DEFAULT_LADDER_BUDGET.resolution, JSON.stringify(b));
  assert.ok(b.under >= DEFAULT_LADDER_BUDGET.below, JSON.stringify(probes));
  assert.ok(probes.length <= DEFAULT_LADDER_BUDGET.boots);
  // the first boot is the start's /init bound: on this build it dies, and the next steps out above it
  assert.deepEqual(probes[0], { free: 14492, reached: false });
  assert.ok(probes[1]!.free > 14492 && probes[1]!.reached);
});

test('a build that needs far less than the one measured next to it: steps down until a boot dies', () => {
  const probes = ladder(4000, { died: 17956, lived: 19940 });
  const b = bounds(probes);
  assert.ok(b.top <= 4000 && b.floor > 4000, JSON.stringify(probes));
  assert.ok(probes.length <= DEFAULT_LADDER_BUDGET.boots);
  // every boot before the first death reached /init, each lower than the one before
  const first = probes.findIndex((p) => !p.reached);
  for (let i = 1; i < first; i++) assert.ok(probes[i]!.free < probes[i - 1]!.free);
});

test('a build that needs far more: steps up until a boot reaches /init', () => {
  const probes = ladder(40000, { died: 13988, lived: 15972 });
  const b = bounds(probes);
  assert.ok(b.top <= 40000 && b.floor > 40000, JSON.stringify(probes));
});

test('a tiny budget: exactly that many boots, and the death and the /init it found bracket the boundary', () => {
  const budget = { ...DEFAULT_LADDER_BUDGET, boots: 3 };
  const probes = ladder(15000, { died: 13980, lived: 14492 }, budget);
  assert.equal(probes.length, 3);
  const b = bounds(probes);
  assert.ok(b.top <= 15000 && b.floor > 15000, JSON.stringify(probes));
});

test('boots already recorded count: a finished ladder asks for nothing more', () => {
  const probes = ladder(15000, { died: 13980, lived: 14492 });
  assert.equal(nextLadderTarget(probes, { died: 13980, lived: 14492 }, DEFAULT_LADDER_BUDGET), undefined);
  // a build that reaches /init with as little as can be squeezed: no death to find, it stops
  const never = ladder(0, { died: 2000, lived: 3000 });
  assert.ok(never.every((p) => p.reached) && never.length < DEFAULT_LADDER_BUDGET.boots, JSON.stringify(never));
  assert.equal(Math.min(...never.map((p) => p.free)), 512, 'the least free amount a ladder tries');
});

test("from each lab ladder's bounds, every other lab build's boundary is pinned within the default budget", () => {
  // each measured build stands in for a build being measured: a boot reaches /init above the
  // middle of its measured bracket; the start is another build's bracket, as startBounds picks one
  const brackets = Object.values(OOM_LADDERS)
    .flat()
    .map((l) => measuredBounds(l))
    .filter((b): b is { died: number; lived: number } => b.died !== undefined && b.lived !== undefined);
  assert.ok(brackets.length >= 10, `${brackets.length} lab ladders with a death and an /init`);
  let most = 0;
  for (const target of brackets)
    for (const start of brackets) {
      if (start === target) continue;
      const probes = ladder((target.died + target.lived) / 2, { died: start.died, lived: Math.max(start.died + 1024, start.lived) });
      const b = bounds(probes);
      assert.ok(b.floor - b.top <= DEFAULT_LADDER_BUDGET.resolution, JSON.stringify({ target, start, probes }));
      most = Math.max(most, probes.length);
    }
  assert.ok(most <= DEFAULT_LADDER_BUDGET.boots);
});

test("7.2's pool: fragment boots pin the fewest free 2 MiB blocks a build lives with, within the fragment budget", () => {
  // the lab's 7.2 builds live with 3 to 9; far beyond, the budget brackets the boundary
  for (const needs of [0, 1, 3, 6, 9, 14, 20]) {
    const probes: BlocksProbe[] = [];
    for (let t = nextBlocksTarget(probes); t !== undefined && probes.length < BLOCKS_BOOTS; t = nextBlocksTarget(probes)) {
      assert.ok(!probes.some((p) => p.blocks === t), `${t} blocks chosen twice`);
      probes.push({ blocks: t, reached: t >= needs });
    }
    const why = `needs ${needs}: ${JSON.stringify(probes)}`;
    const most = Math.max(-1, ...probes.filter((p) => !p.reached).map((p) => p.blocks));
    const least = Math.min(...probes.filter((p) => p.reached).map((p) => p.blocks));
    assert.ok(most < needs && least >= needs, why);
    if (needs <= 14) assert.deepEqual([most, least], [needs - 1, needs], why);
  }
});
