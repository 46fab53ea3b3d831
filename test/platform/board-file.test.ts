// Platform files (`--platform ./board.json`): the format of docs/boards.md, its errors at the
// file's line and column, and flags over the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../src/board.js';
import { loadBoardFile } from '../../src/platform/board-file.js';
import { plan } from '../../src/kernel/plan.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'carveout-board-file-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const example = join(import.meta.dirname, '../../examples/platform/u-boot-2g.json');
const board = join(import.meta.dirname, '../../examples/qemu-virt-cma.dts');

test('the example: u-boot with its own environment, in place; tf-a carve-out; RAM from the file', () => {
  const b = loadBoard(board, { platform: example, arch: 'arm64' });
  assert.deepEqual(
    b.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(b.platform, 'u-boot');
  assert.deepEqual(b.memory, [{ base: 0x40000000n, size: 2n << 30n }]);
  // booti: ALIGN(0x40480000, 2 MiB); the 64-bit all-ones fdt_high/initrd_high keep both in place
  assert.equal(b.placements.kernelLoad, 0x40600000n);
  assert.deepEqual(b.placements.initrd, { base: 0x48000000n, size: 16n << 20n });
  assert.equal(b.placements.dtb?.base, 0x47f00000n);
  assert.deepEqual(b.placements.extra, [{ name: 'tf-a', base: 0x40000000n, size: 2n << 20n }]);
  assert.ok(b.files.includes(example));
  const p = plan(b, { kernel: '6.12-arm64' });
  assert.equal(p.exitCode, 0);
  assert.ok(p.loader.edits.some((e) => /bootargs = "console=ttyAMA0 earlycon"/.test(e)));
});

test('flags given with the file override it', () => {
  const b = loadBoard(board, { platform: example, arch: 'arm64', memory: [{ base: 0x40000000n, size: 1n << 30n }] });
  assert.deepEqual(b.memory, [{ base: 0x40000000n, size: 1n << 30n }]);
});

test('errors carry the line and column of the value at fault', () => {
  const f = write('bad.json', '{\n  "platform": "u-boot",\n  "memory": "0x80000000",\n  "uboot": { "env": { "loadaddr": "0x1" } }\n}\n');
  const r = loadBoardFile(f);
  assert.equal(r.options, undefined);
  const at = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
  assert.equal(at.length, 2, at.join('\n'));
  assert.match(at[0]!, /^3:13 memory: expects BASE\+SIZE/);
  assert.match(at[1]!, /^4:23 uboot\.env: unknown key "loadaddr"/);
  const syntax = loadBoardFile(write('syntax.json', '{\n  "platform": "u-boot",\n  "ram" 2G\n}'));
  assert.equal(syntax.diagnostics[0]?.code, 'platform-file-syntax');
  assert.equal(`${syntax.diagnostics[0]?.line}:${syntax.diagnostics[0]?.column}`, '3:9');
  assert.match(syntax.diagnostics[0]!.message, /expected ':', found '2'/);
});

test("cpu: the board's arm64 core, when its tree does not say it; an unknown one at its line", () => {
  const f = write('cpu.json', '{\n  "ram": "1G",\n  "cpu": "cortex-a72"\n}\n');
  const b = loadBoard(board, { platform: f, arch: 'arm64' });
  assert.deepEqual(b.cpu, {
    name: 'cortex-a72',
    lpa2: false,
    lva: false,
    tgran16: false,
    from: 'option',
  });
  assert.ok(plan(b, { kernel: '6.12-arm64' }).diagnostics.some((d) => d.code === 'va-bits-min'));
  const bad = loadBoardFile(write('cpu-bad.json', '{\n  "cpu": "z80"\n}\n'));
  const d = bad.diagnostics[0]!;
  assert.equal(`${d.line}:${d.column}`, '2:10');
  assert.match(d.message, /cpu: unknown CPU 'z80'/);
});

test('a hostile platform file nested 200,000 levels deep is a diagnostic at the level past the bound, not a stack overflow', () => {
  const r = loadBoardFile(write('deep.json', `${'['.repeat(200_000)}${']'.repeat(200_000)}`));
  assert.equal(r.options, undefined);
  assert.equal(r.diagnostics[0]?.code, 'platform-file-syntax');
  assert.equal(`${r.diagnostics[0]?.line}:${r.diagnostics[0]?.column}`, '1:65');
  assert.match(r.diagnostics[0]!.message, /nested deeper than 64 levels/);
  const ok = loadBoardFile(write('shallow.json', '{ "memory": [[["x"]]] }'));
  assert.ok(!ok.diagnostics.some((d) => /nested deeper/.test(d.message)));
});

test('the CLI: a bad platform file is exit 2 with file:line:column; a missing one says so', () => {
  const f = write('unknown.json', '{ "platfrom": "u-boot" }');
  const r = runCli(['plan', board, '--kernel', '6.12-arm64', '--platform', f]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:3: error: platform file: unknown key "platfrom"`));
  const m = runCli(['plan', board, '--kernel', '6.12-arm64', '--platform', join(dir, 'none.json')]);
  assert.equal(m.status, 2);
  assert.match(m.stderr, /cannot open platform file/);
});

test('uefi.memoryMap: the UEFI memory map the kernel takes RAM from (efi_init), given in the file; bad entries at their line', () => {
  const f = write(
    'uefi-map.json',
    JSON.stringify(
      {
        platform: 'uefi',
        ram: '1G',
        uefi: {
          armVirtQemu: false,
          memoryMap: [
            { type: 'EFI_CONVENTIONAL_MEMORY', range: '0x40000000+0x3f000000', attributes: ['WB'] },
            { type: 'EFI_RUNTIME_SERVICES_DATA', range: '0x7f000000+16M', attributes: ['WB', 'RUNTIME'] },
            { type: 'EFI_MEMORY_MAPPED_IO', range: '0x04000000+64M', attributes: ['WC', 'RUNTIME'] },
          ],
          memattr: '0x7e000018+0x400',
        },
      },
      null,
      2,
    ),
  );
  const b = loadBoard(board, { platform: f, arch: 'arm64' });
  assert.deepEqual(
    b.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(b.placements.efi?.memoryMap.length, 3);
  assert.equal(b.placements.efi?.memoryMap[1]?.attribute, (1n << 63n) | 8n);
  assert.deepEqual(b.placements.efi?.memattr, { base: 0x7e000018n, size: 0x400n });
  // the kernel took its RAM from the map (efi_init → reserve_regions), the WC flash included
  const p = plan(b, { kernel: '6.12-arm64', bootargs: 'memblock=debug' });
  assert.equal(p.exitCode, 0);
  const calls = p.trace.events.flatMap((e) => {
    const d = e.detail as { kind?: string; caller?: string; base?: bigint; size?: bigint };
    return d.kind && d.base !== undefined ? [`${d.kind} ${d.caller} 0x${d.base.toString(16)}+0x${d.size?.toString(16)}`] : [];
  });
  const removed = calls.indexOf('memblock_remove reserve_regions 0x0+0xffffffffffffffff');
  assert.ok(removed > 0, calls.join('\n'));
  assert.deepEqual(calls.slice(removed - 1, removed + 4), [
    'memblock_reserve efi_memattr_init 0x7e000018+0x400',
    'memblock_remove reserve_regions 0x0+0xffffffffffffffff',
    'memblock_add early_init_dt_add_memory_arch 0x40000000+0x3f000000',
    'memblock_add early_init_dt_add_memory_arch 0x7f000000+0x1000000',
    'memblock_add early_init_dt_add_memory_arch 0x4000000+0x4000000',
  ]);

  const bad = loadBoardFile(
    write(
      'uefi-bad.json',
      '{\n  "platform": "uefi",\n  "uefi": { "memoryMap": [\n    { "type": "EFI_FREE", "range": "0x40000000+1G", "attributes": ["WB", "FAST"] }\n  ] }\n}\n',
    ),
  );
  assert.equal(bad.options, undefined);
  const at = bad.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
  assert.match(at[0]!, /^4:15 uefi\.memoryMap\[0\]\.type: unknown type 'EFI_FREE'/);
  assert.match(at[1]!, /^4:74 uefi\.memoryMap\[0\]\.attributes: unknown attribute 'FAST'/);
});
