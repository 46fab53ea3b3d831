// src/tree/query.ts: the flat-tree readers behave like the kernel's (libfdt paths, strcasecmp
// compatibles, of_read_number folding, status, memory-region consumers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compatibleScore, findNode, isAvailable, memoryRegionConsumers, readCells, rootCells, strings } from '../../src/tree/query.js';
import { node, tree } from './rmem-fixtures.js';

test('findNode: a component without @ also matches name@unit (fdt_path_offset)', () => {
  const rm = node('reserved-memory@0', {}, [node('a@1')]);
  const t = tree(node('', {}, [node('chosen'), rm]));
  assert.equal(findNode(t, '/reserved-memory'), rm);
  assert.equal(findNode(t, '/reserved-memory@0/a'), rm.children[0]);
  assert.equal(findNode(t, '/reserved-memory@1'), undefined);
  assert.equal(findNode(t, 'chosen'), undefined);
});

test('findNode: a path without a leading / starts at an alias (fdt_path_offset_namelen), chains bounded', () => {
  const uart = node('pl011@9000000', {}, [node('port')]);
  const aliases = node('aliases', { serial0: '/pl011@9000000', console: 'serial0/port', loop: 'loop', ghost: '/nowhere' });
  const t = tree(node('', {}, [aliases, node('chosen'), uart]));
  assert.equal(findNode(t, 'serial0'), uart);
  assert.equal(findNode(t, 'serial0/port'), uart.children[0]);
  assert.equal(findNode(t, 'console'), uart.children[0]);
  assert.equal(findNode(t, 'serial1'), undefined);
  assert.equal(findNode(t, 'ghost'), undefined);
  // libfdt recurses on a self-referencing alias until its stack ends; here the chain stops
  assert.equal(findNode(t, 'loop'), undefined);
});

test('readCells keeps the low 64 bits like of_read_number; missing cells read as 0', () => {
  const b = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
  assert.equal(readCells(b, 0, 1), 1n);
  assert.equal(readCells(b, 0, 2), (1n << 32n) | 2n);
  assert.equal(readCells(b, 0, 3), (2n << 32n) | 3n);
  assert.equal(readCells(b, 8, 2), 3n << 32n);
  assert.equal(readCells(b, 0, 0x40000000), 0n);
});

test('status, compatible (case-insensitive, 1-based score), root cells defaults', () => {
  assert.equal(isAvailable(node('x')), true);
  assert.equal(isAvailable(node('x', { status: 'ok' })), true);
  assert.equal(isAvailable(node('x', { status: 'okay' })), true);
  assert.equal(isAvailable(node('x', { status: 'disabled' })), false);
  assert.equal(isAvailable(node('x', { status: 'okay-ish' })), false);
  const n = node('x', { compatible: ['vendor,pool', 'Shared-DMA-Pool'] });
  assert.equal(compatibleScore(n, 'shared-dma-pool'), 2);
  assert.equal(compatibleScore(n, 'shared-dma'), 0);
  assert.deepEqual(strings(n, 'compatible'), ['vendor,pool', 'Shared-DMA-Pool']);
  assert.deepEqual(rootCells(tree(node(''))), { addressCells: 1, sizeCells: 1 });
});

test('memoryRegionConsumers lists users with index and memory-region-names', () => {
  const region = node('r@0', { phandle: [7] });
  const other = node('o@0', { phandle: [8] });
  const dev = node('dev', { 'memory-region': [8, 7], 'memory-region-names': ['fw', 'pool'] });
  const off = node('dev2', { 'memory-region': [7], status: 'disabled' });
  const t = tree(node('', {}, [node('reserved-memory', {}, [region, other]), dev, off]));
  assert.deepEqual(memoryRegionConsumers(t, region), [
    { path: '/dev', index: 1, name: 'pool', available: true },
    { path: '/dev2', index: 0, available: false },
  ]);
});
