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

test('the CLI: a bad platform file is exit 2 with file:line:column; a missing one says so', () => {
  const f = write('unknown.json', '{ "platfrom": "u-boot" }');
  const r = runCli(['plan', board, '--kernel', '6.12-arm64', '--platform', f]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:3: error: platform file: unknown key "platfrom"`));
  const m = runCli(['plan', board, '--kernel', '6.12-arm64', '--platform', join(dir, 'none.json')]);
  assert.equal(m.status, 2);
  assert.match(m.stderr, /cannot open platform file/);
});
