// One board loader: the CLI is argv → options → loadBoard + plan → report, so the same board gives
// the same plan through `carveout plan` and through the library, with and without QEMU's virt
// platform; and every command reads sizes the same way (memparse: a bare number is bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, runCli } from '../helpers/cli.js';
import { loadBoard, type LoadBoardOptions } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { loadHandlers } from '../../src/kernel/handler-api.js';
import { formatPlanJson } from '../../src/report/plan-json.js';

const mca = join(repoRoot, 'examples/mca/board.dts');
const mcaHandler = join(repoRoot, 'examples/mca/mca-handler.ts');
const cma = join(repoRoot, 'examples/qemu-virt-cma.dts');
const haveQemu = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

const cases: { name: string; file: string; kernel: string; args: string[]; options: LoadBoardOptions; handlers?: string; qemu?: string }[] =
  [
    { name: 'board alone, with a handler file', file: mca, kernel: '6.1-armmp', args: [], options: { arch: 'arm' }, handlers: mcaHandler },
    {
      name: 'qemu-virt (merged into QEMU’s own tree), 32-bit',
      file: mca,
      kernel: '6.1-armmp',
      args: ['--platform', 'qemu-virt', '--ram', '3G'],
      options: { arch: 'arm', platform: 'qemu-virt', ram: 3n << 30n },
      handlers: mcaHandler,
      qemu: 'qemu-system-arm',
    },
    {
      name: 'qemu-virt arm64 with an initrd, a reservation and bootargs',
      file: cma,
      kernel: '6.12-arm64',
      args: [
        '--platform',
        'qemu-virt',
        '--initrd-size',
        '16M',
        '--reserve',
        'tfa@0x7e000000+2M',
        '--bootargs',
        'cma=32M',
        '-I',
        join(repoRoot, 'examples'),
      ],
      options: {
        arch: 'arm64',
        platform: 'qemu-virt',
        initrdSize: 16n << 20n,
        reserve: [{ name: 'tfa', base: 0x7e000000n, size: 2n << 20n }],
        includeDirs: [join(repoRoot, 'examples')],
      },
      qemu: 'qemu-system-aarch64',
    },
  ];

for (const c of cases) {
  test(`the CLI and loadBoard + plan give the same plan: ${c.name}`, {
    skip: c.qemu && !haveQemu(c.qemu) ? `${c.qemu} not installed` : false,
  }, async () => {
    const handlerArgs = c.handlers ? ['--handlers', c.handlers] : [];
    const cli = runCli(['plan', c.file, '--kernel', c.kernel, ...c.args, ...handlerArgs, '--format', 'json']);
    const h = c.handlers ? await loadHandlers(c.handlers) : { handlers: [], earlyParams: [] };
    const bootargs = c.args.includes('--bootargs') ? { bootargs: c.args[c.args.indexOf('--bootargs') + 1]! } : {};
    const result = plan(loadBoard(c.file, c.options), { kernel: c.kernel, handlers: h.handlers, earlyParams: h.earlyParams, ...bootargs });
    assert.equal(cli.status, result.exitCode, cli.stderr);
    assert.equal(cli.stdout, formatPlanJson(result));
    assert.ok(result.regions.length > 0);
    if (c.options.platform === 'qemu-virt')
      assert.ok(!result.diagnostics.some((d) => d.code === 'qemu-virt-tree-unavailable'), 'planned on the merged tree');
  });
}

test('--ram 1073741824, --ram 1G and --ram 0x40000000 are the same RAM for plan and verify', () => {
  const ramOf = (args: string[]) => {
    const r = runCli(['plan', mca, '--kernel', '6.1-armmp', ...args, '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { memory: unknown }).memory;
  };
  const oneG = ramOf(['--ram', '1G']);
  assert.deepEqual(oneG, [{ base: '0x40000000', size: '0x40000000' }]);
  assert.deepEqual(ramOf(['--ram', '1073741824']), oneG);
  assert.deepEqual(ramOf(['--ram', '0x40000000']), oneG);
  assert.deepEqual(ramOf(['--ram=1G']), oneG);
  // verify: stop before the boot (no QEMU on PATH) and read back the RAM it would boot with.
  const dir = mkdtempSync(join(tmpdir(), 'carveout-sizes-'));
  const empty = join(dir, 'bin');
  mkdirSync(empty);
  const env = { ...process.env, PATH: empty, CARVEOUT_CACHE: join(dir, 'cache') };
  const verifyRam = (ram: string) => {
    const r = runCli(['verify', mca, '--kernel', '6.12-arm64', ...(ram.startsWith('--') ? [ram] : ['--ram', ram]), '--format', 'json'], {
      env,
    });
    assert.equal(r.status, 2);
    return JSON.parse(r.stdout) as { ram: string; diagnostics: { code: string }[] };
  };
  for (const ram of ['1G', '1073741824', '--ram=1G']) {
    const v = verifyRam(ram);
    assert.equal(v.ram, '0x40000000', ram);
    assert.deepEqual(
      v.diagnostics.map((d) => d.code),
      ['qemu-missing'],
    );
  }
  // A bare number is bytes (memparse), not MiB: 1024 is 1 KiB, below the lab's range.
  assert.deepEqual(
    verifyRam('1024').diagnostics.map((d) => d.code),
    ['bad-ram'],
  );
  for (const cmd of ['plan', 'verify']) assert.match(runCli([cmd, '--help']).stdout, /memparse: a number of bytes/);
});
