// An own build's measurement boot (`kernels measure NAME --kernel-image`, src/verify/build-facts.ts
// measureOwnBuild) is kept in the kernel cache by the build's files' sha256, and every profile built
// from those two files takes what it measured in place of the nearest lab build's sizes: Debian's
// 6.12 rt-arm64 build (PREEMPT_RT: rt_mutex spinlocks) has a pg_data_t 0x200 bytes larger than
// 6.12-arm64's, which moves every NODE_DATA and what memblock places after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { excerptFiles } from '../../src/kernel/build/excerpt.js';
import { ownMeasuredPath, profileFromFiles } from '../../src/kernel/build/store.js';
import { factsOfPackage } from '../../src/verify/build-facts.js';
import { getProfile } from '../../src/kernel/profiles/index.js';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { withEnv } from '../helpers/env.js';

const KERNEL = '6.12-arm64';

test("an own build's measured sizes, kept by its files' sha256, replace the lab build's in its profile", () => {
  const cache = mkdtempSync(join(tmpdir(), 'carveout-own-measured-'));
  withEnv({ CARVEOUT_CACHE: cache }, () => {
    const pkg = getProfile(KERNEL)!.debianPackage;
    const facts = factsOfPackage(KERNEL, pkg)!;
    const files = excerptFiles('mine', facts);
    writeFileSync(join(cache, 'config'), files.config.text);
    writeFileSync(join(cache, 'System.map'), files.systemMap.text);
    const build = () => profileFromFiles('mine', join(cache, 'config'), join(cache, 'System.map')).profile!;
    const before = build();
    const lab = facts.measured!;
    const labNode = BigInt(lab.sizes.find((s) => s.name === 'nodeDataSize')!.value as string);
    assert.equal(before.arm64!.numa.nodeDataSize, labNode);
    assert.match(before.provenance ?? '', /nodeDataSize.* from the lab's measurement of 6\.12-arm64/);
    // a measurement boot of the build that saw a larger pg_data_t, stored as measureOwnBuild stores it
    const bigger = labNode + 0x200n;
    const measured = {
      from: 'a memblock=debug boot of mine (Image) under QEMU virt (512 MiB)',
      sizes: lab.sizes.map((s) => (s.name === 'nodeDataSize' ? { ...s, value: `0x${bigger.toString(16)}` } : s)),
    };
    const store = (sha: string) => {
      mkdirSync(dirname(ownMeasuredPath(sha)), { recursive: true });
      writeFileSync(ownMeasuredPath(sha), JSON.stringify({ filesSha256: sha, measured }));
    };
    store('0'.repeat(64)); // another build's: not this one's
    assert.equal(build().arm64!.numa.nodeDataSize, labNode);
    store(before.filesSha256!);
    const after = build();
    assert.equal(after.arm64!.numa.nodeDataSize, bigger);
    assert.match(after.provenance ?? '', /nodeDataSize.* from a memblock=debug boot of mine/);
    // planned on two NUMA nodes: each NODE_DATA is the measured size, and what follows moves
    const board = loadBoard('examples/qemu-virt-cma.dts', {
      platform: 'qemu-virt',
      arch: 'arm64',
      ram: 1n << 30n,
      numa: [512n << 20n, 512n << 20n],
    });
    const nodeData = (p: ReturnType<typeof plan>) => p.log.map((l) => l.text).filter((t) => /^NODE_DATA\(\d\) allocated/.test(t));
    const a = nodeData(plan(board, { kernel: before }));
    const b = nodeData(plan(board, { kernel: after }));
    assert.equal(a.length, 2);
    const span = (t: string) => {
      const m = /\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]/.exec(t)!;
      return BigInt(m[2]!) - BigInt(m[1]!) + 1n;
    };
    assert.deepEqual(a.map(span), [labNode, labNode]);
    assert.deepEqual(b.map(span), [bigger, bigger]);
  });
});
