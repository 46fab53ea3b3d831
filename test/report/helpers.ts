// Shared by the report tests: a board with one range of every kind the map colours.
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';
import { mapData, type MapData } from '../../src/report/map-model.js';

export const manyDts = fileURLToPath(new URL('./fixtures/many.dts', import.meta.url));

export function manyMap(kernel = '6.12-arm64'): MapData {
  const board = loadBoard(manyDts, { arch: 'arm64' });
  const result = plan(board, { kernel });
  return mapData(result, { physAddrBits: 64, ...(board.tree ? { tree: board.tree } : {}) });
}
