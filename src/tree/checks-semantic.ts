// dtc 1.6.1's semantic and style checks (checks.c after "Semantic checks"): cell and string
// property types, #address-cells/#size-cells and reg/ranges formats, bus bridges (PCI,
// simple-bus, I2C, SPI), unit addresses, /chosen, phandle+args providers, GPIOs, interrupts,
// aliases and OF graph. Messages are dtc's words; the framework is in checks.ts.
import { childrenWithDeleted, getProp, type Node, type Property } from './types.js';
import {
  ALIASCHARS,
  PROPNODECHARSSTRICT,
  DtcAbort,
  cString,
  dtcParent,
  cellAt,
  checkIsCell,
  checkIsString,
  checkIsStringList,
  fail,
  getNodeByPath,
  phandleIsValid,
  propvalCell,
  strspn,
  type Check,
  type CheckDef,
  type CheckFn,
  type TreeContext,
} from './checks-core.js';

/**
 * dtc's node_addr_cells / node_size_cells: -1 (absent) means the defaults 2 and 1. They read the
 * value the addr_size_cells check stored in the node (0 before it runs), not the property, so
 * the checks keep these rather than query.ts's readers.
 */
function addrCells(ctx: TreeContext, n: Node): number {
  const v = ctx.nodeInfo(n).addrCells;
  return v === -1 ? 2 : v;
}
function sizeCells(ctx: TreeContext, n: Node): number {
  const v = ctx.nodeInfo(n).sizeCells;
  return v === -1 ? 1 : v;
}

/** checks.c is_multiple_of (int arithmetic). */
function isMultipleOf(multiple: number, divisor: number): boolean {
  divisor |= 0;
  if (divisor === 0) return multiple === 0;
  return multiple % divisor === 0;
}

/** The value as dtc's `cell_t *cells = prop->val.val`: NULL for an empty value. */
function cellsPtr(prop: Property | undefined): Uint8Array | null {
  return prop?.value.length ? prop.value : null;
}

function hex(v: number | bigint): string {
  return v.toString(16);
}

function strends(s: string, suffix: string): boolean {
  return s.length >= suffix.length && s.endsWith(suffix);
}

/** checks.c node_is_compatible: one of the NUL-separated strings of "compatible" equals `compat`. */
function nodeIsCompatible(node: Node, compat: string): boolean {
  const prop = getProp(node, 'compatible');
  if (!prop) return false;
  const v = prop.value;
  const n = compat.length;
  let start = 0;
  while (start < v.length) {
    let end = start;
    while (end < v.length && v[end] !== 0) end++;
    if (end - start === n) {
      let k = 0;
      while (k < n && v[start + k] === compat.charCodeAt(k)) k++;
      if (k === n) return true;
    }
    start = end + 1;
  }
  return false;
}

const isString = (name: string, propname: string): CheckDef => ({
  name,
  level: 'warn',
  data: propname,
  byProp: propname,
  fn: checkIsString,
});
const isCell = (name: string, propname: string): CheckDef => ({ name, level: 'warn', data: propname, byProp: propname, fn: checkIsCell });

// ---------------------------------------------------------------------------------------------

const checkRegFormat: CheckFn = (c, ctx, node) => {
  const prop = getProp(node, 'reg');
  if (!prop) return;
  const parent = dtcParent(node);
  if (!parent) {
    fail(c, ctx, node, null, 'Root node has a "reg" property');
    return;
  }
  if (prop.value.length === 0) fail(c, ctx, node, prop, 'property is empty');
  const a = addrCells(ctx, parent);
  const s = sizeCells(ctx, parent);
  const entrylen = ((a + s) * 4) | 0;
  if (!isMultipleOf(prop.value.length, entrylen))
    fail(c, ctx, node, prop, `property has invalid length (${prop.value.length} bytes) (#address-cells == ${a}, #size-cells == ${s})`);
};

const checkRangesFormat: CheckFn = (c, ctx, node) => {
  const ranges = c.data!;
  const prop = getProp(node, ranges);
  if (!prop) return;
  const parent = dtcParent(node);
  if (!parent) {
    fail(c, ctx, node, prop, `Root node has a "${ranges}" property`);
    return;
  }
  const pa = addrCells(ctx, parent);
  const ps = sizeCells(ctx, parent);
  const ca = addrCells(ctx, node);
  const cs = sizeCells(ctx, node);
  const entrylen = ((pa + ca + cs) * 4) | 0;
  const ppath = ctx.fullpath(parent);
  if (prop.value.length === 0) {
    if (pa !== ca) fail(c, ctx, node, prop, `empty "${ranges}" property but its #address-cells (${ca}) differs from ${ppath} (${pa})`);
    if (ps !== cs) fail(c, ctx, node, prop, `empty "${ranges}" property but its #size-cells (${cs}) differs from ${ppath} (${ps})`);
  } else if (!isMultipleOf(prop.value.length, entrylen)) {
    fail(
      c,
      ctx,
      node,
      prop,
      `"${ranges}" property has invalid length (${prop.value.length} bytes) (parent #address-cells == ${pa}, child #address-cells == ${ca}, #size-cells == ${cs})`,
    );
  }
};

const checkPciBridge: CheckFn = (c, ctx, node) => {
  let prop = getProp(node, 'device_type');
  if (!prop || cString(prop.value) !== 'pci') return;
  ctx.nodeInfo(node).bus = 'pci';
  const base = ctx.basename(node);
  if (base !== 'pci' && base !== 'pcie') fail(c, ctx, node, null, 'node name is not "pci" or "pcie"');
  prop = getProp(node, 'ranges');
  if (!prop) fail(c, ctx, node, null, 'missing ranges for PCI bridge (or not a bridge)');
  if (addrCells(ctx, node) !== 3) fail(c, ctx, node, null, 'incorrect #address-cells for PCI bridge');
  if (sizeCells(ctx, node) !== 2) fail(c, ctx, node, null, 'incorrect #size-cells for PCI bridge');
  prop = getProp(node, 'bus-range');
  if (!prop) return;
  if (prop.value.length !== 8) {
    fail(c, ctx, node, prop, 'value must be 2 cells');
    return;
  }
  if (cellAt(prop.value, 0) > cellAt(prop.value, 1)) fail(c, ctx, node, prop, '1st cell must be less than or equal to 2nd cell');
  if (cellAt(prop.value, 1) > 0xff) fail(c, ctx, node, prop, 'maximum bus number must be less than 256');
};

const checkPciDeviceBusNum: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent || ctx.nodeInfo(parent).bus !== 'pci') return;
  let prop = getProp(node, 'reg');
  if (!prop) return;
  const busNum = (cellAt(prop.value, 0) & 0x00ff0000) >>> 16;
  prop = getProp(parent, 'bus-range');
  let min = 0;
  let max = 0;
  if (prop) {
    min = cellAt(prop.value, 0);
    max = cellAt(prop.value, 1);
  }
  if (busNum < min || busNum > max) fail(c, ctx, node, prop, `PCI bus number ${busNum} out of range, expected (${min | 0} - ${max | 0})`);
};

const checkPciDeviceReg: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent || ctx.nodeInfo(parent).bus !== 'pci') return;
  const prop = getProp(node, 'reg');
  if (!prop) return;
  const unitname = ctx.unitname(node);
  if (cellAt(prop.value, 1) || cellAt(prop.value, 2)) fail(c, ctx, node, prop, 'PCI reg config space address cells 2 and 3 must be 0');
  const reg = cellAt(prop.value, 0);
  const dev = (reg & 0xf800) >>> 11;
  const func = (reg & 0x700) >>> 8;
  if (reg & 0xff000000) fail(c, ctx, node, prop, 'PCI reg address is not configuration space');
  if (reg & 0xff) fail(c, ctx, node, prop, 'PCI reg config space address register number must be 0');
  if (func === 0 && unitname === hex(dev)) return;
  const expected = `${hex(dev)},${hex(func)}`;
  if (unitname === expected) return;
  fail(c, ctx, node, null, `PCI unit address format error, expected "${expected}"`);
};

const checkSimpleBusBridge: CheckFn = (_c, ctx, node) => {
  if (nodeIsCompatible(node, 'simple-bus')) ctx.nodeInfo(node).bus = 'simple-bus';
};

const checkSimpleBusReg: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent || ctx.nodeInfo(parent).bus !== 'simple-bus') return;
  const unitname = ctx.unitname(node);
  let cells: Uint8Array | null = null;
  let first = 0;
  let prop = getProp(node, 'reg');
  if (prop) cells = cellsPtr(prop);
  else {
    prop = getProp(node, 'ranges');
    if (prop?.value.length) {
      // skip the child address
      cells = prop.value;
      first = addrCells(ctx, node);
    }
  }
  if (!cells) {
    if (dtcParent(parent) && ctx.nodeInfo(node).bus !== 'simple-bus') fail(c, ctx, node, null, 'missing or empty reg/ranges property');
    return;
  }
  let size = addrCells(ctx, parent) >>> 0;
  if (size > 4096)
    throw new DtcAbort(`${ctx.fullpath(node)}: dtc 1.6.1 reads ${size} cells past the value here (simple_bus_reg)`, node.span);
  let reg = 0n;
  for (let i = first; size--; i++) reg = ((reg << 32n) | BigInt(cellAt(cells, i))) & 0xffffffffffffffffn;
  const expected = hex(reg);
  if (unitname !== expected) fail(c, ctx, node, null, `simple-bus unit address format error, expected "${expected}"`);
};

const checkI2cBusBridge: CheckFn = (c, ctx, node) => {
  const info = ctx.nodeInfo(node);
  const base = ctx.basename(node);
  if (base === 'i2c-bus' || base === 'i2c-arb') {
    info.bus = 'i2c-bus';
  } else if (base === 'i2c') {
    // dtc compares the child's name prefix using the *parent's* basename length.
    for (const child of node.children) if (child.name.slice(0, info.basenamelen) === 'i2c-bus' && info.basenamelen === 7) return;
    info.bus = 'i2c-bus';
  } else return;
  if (childrenWithDeleted(node).length === 0) return; // `!node->children`: deleted ones count
  if (addrCells(ctx, node) !== 1) fail(c, ctx, node, null, 'incorrect #address-cells for I2C bus');
  if (sizeCells(ctx, node) !== 0) fail(c, ctx, node, null, 'incorrect #size-cells for I2C bus');
};

const I2C_OWN_SLAVE_ADDRESS = 1 << 30;
const I2C_TEN_BIT_ADDRESS = 0x80000000;

const checkI2cBusReg: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent || ctx.nodeInfo(parent).bus !== 'i2c-bus') return;
  const unitname = ctx.unitname(node);
  const prop = getProp(node, 'reg');
  const cells = cellsPtr(prop);
  if (!cells || !prop) {
    fail(c, ctx, node, null, 'missing or empty reg property');
    return;
  }
  let reg = (cellAt(cells, 0) & ~I2C_OWN_SLAVE_ADDRESS) >>> 0;
  const expected = hex(reg);
  if (unitname !== expected) fail(c, ctx, node, null, `I2C bus unit address format error, expected "${expected}"`);
  for (let len = prop.value.length, i = 0; len > 0; len -= 4, i++) {
    reg = (cellAt(cells, i) & ~I2C_OWN_SLAVE_ADDRESS) >>> 0;
    // dtc 1.6.1: a valid 10-bit address falls through to the 7-bit test (fixed in later dtc).
    if (reg & I2C_TEN_BIT_ADDRESS && (reg & ~I2C_TEN_BIT_ADDRESS) >>> 0 > 0x3ff)
      fail(c, ctx, node, prop, `I2C address must be less than 10-bits, got "0x${hex(reg)}"`);
    else if (reg > 0x7f)
      fail(
        c,
        ctx,
        node,
        prop,
        `I2C address must be less than 7-bits, got "0x${hex(reg)}". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property`,
      );
  }
};

const checkSpiBusBridge: CheckFn = (c, ctx, node) => {
  const info = ctx.nodeInfo(node);
  let spiAddrCells = 1;
  if (ctx.basename(node) === 'spi') {
    info.bus = 'spi-bus';
  } else {
    // Try to detect SPI buses which don't have a proper node name.
    if (addrCells(ctx, node) !== 1 || sizeCells(ctx, node) !== 0) return;
    outer: for (const child of node.children)
      for (const prop of child.props)
        if (prop.name.startsWith('spi-')) {
          info.bus = 'spi-bus';
          break outer;
        }
    if (info.bus === 'spi-bus' && getProp(node, 'reg')) fail(c, ctx, node, null, "node name for SPI buses should be 'spi'");
  }
  if (info.bus !== 'spi-bus' || childrenWithDeleted(node).length === 0) return;
  if (getProp(node, 'spi-slave')) spiAddrCells = 0;
  if (addrCells(ctx, node) !== spiAddrCells) fail(c, ctx, node, null, 'incorrect #address-cells for SPI bus');
  if (sizeCells(ctx, node) !== 0) fail(c, ctx, node, null, 'incorrect #size-cells for SPI bus');
};

const checkSpiBusReg: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent || ctx.nodeInfo(parent).bus !== 'spi-bus') return;
  if (getProp(parent, 'spi-slave')) return;
  const unitname = ctx.unitname(node);
  const cells = cellsPtr(getProp(node, 'reg'));
  if (!cells) {
    fail(c, ctx, node, null, 'missing or empty reg property');
    return;
  }
  const expected = hex(cellAt(cells, 0));
  if (unitname !== expected) fail(c, ctx, node, null, `SPI bus unit address format error, expected "${expected}"`);
};

const checkUnitAddressFormat: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (parent && ctx.nodeInfo(parent).bus) return;
  let unitname = ctx.unitname(node);
  if (!unitname) return;
  if (unitname.startsWith('0x')) {
    fail(c, ctx, node, null, 'unit name should not have leading "0x"');
    unitname = unitname.slice(2);
  }
  if (unitname[0] === '0' && /^[0-9a-fA-F]$/.test(unitname[1] ?? '')) fail(c, ctx, node, null, 'unit name should not have leading 0s');
};

const checkAvoidDefaultAddrSize: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent) return;
  if (!getProp(node, 'reg') && !getProp(node, 'ranges')) return;
  const p = ctx.nodeInfo(parent);
  if (p.addrCells === -1) fail(c, ctx, node, null, 'Relying on default #address-cells value');
  if (p.sizeCells === -1) fail(c, ctx, node, null, 'Relying on default #size-cells value');
};

const checkAvoidUnnecessaryAddrSize: CheckFn = (c, ctx, node) => {
  const i = ctx.nodeInfo(node);
  if (!dtcParent(node) || i.addrCells < 0 || i.sizeCells < 0) return;
  // dtc 1.6.1 does not yet look at dma-ranges here.
  if (getProp(node, 'ranges') || childrenWithDeleted(node).length === 0) return;
  const hasReg = node.children.some((ch) => getProp(ch, 'reg'));
  if (!hasReg) fail(c, ctx, node, null, 'unnecessary #address-cells/#size-cells without "ranges" or child "reg" property');
};

function nodeIsDisabled(node: Node): boolean {
  const prop = getProp(node, 'status');
  return !!prop && cString(prop.value) === 'disabled';
}

function uniqueUnitAddressCommon(c: Check, ctx: TreeContext, node: Node, disableCheck: boolean): void {
  const i = ctx.nodeInfo(node);
  if (i.addrCells < 0 || i.sizeCells < 0) return;
  // dtc compares every child with each earlier one (O(n²)); a map of earlier children by unit
  // address reports the same pairs in the same order.
  const earlier = new Map<string, Node[]>();
  for (const childa of node.children) {
    const addrA = ctx.unitname(childa);
    if (!addrA) continue;
    if (disableCheck && nodeIsDisabled(childa)) continue;
    const same = earlier.get(addrA);
    if (same) {
      for (const childb of same) fail(c, ctx, childb, null, `duplicate unit-address (also used in node ${ctx.fullpath(childa)})`);
      same.push(childa);
    } else earlier.set(addrA, [childa]);
  }
}

const checkObsoleteChosenInterruptController: CheckFn = (c, ctx, node) => {
  if (node !== ctx.root) return;
  const chosen = getNodeByPath(ctx.root, '/chosen');
  if (!chosen) return;
  const prop = getProp(chosen, 'interrupt-controller');
  if (prop) fail(c, ctx, node, prop, '/chosen has obsolete "interrupt-controller" property');
};

const checkChosenNodeIsRoot: CheckFn = (c, ctx, node) => {
  if (node.name !== 'chosen') return;
  if (dtcParent(node) !== ctx.root) fail(c, ctx, node, null, 'chosen node must be at root node');
};

const checkChosenNodeBootargs: CheckFn = (c, ctx, node) => {
  if (node.name !== 'chosen') return;
  const prop = getProp(node, 'bootargs');
  if (!prop) return;
  c.data = prop.name;
  checkIsString(c, ctx, node);
};

const checkChosenNodeStdoutPath: CheckFn = (c, ctx, node) => {
  if (node.name !== 'chosen') return;
  let prop = getProp(node, 'stdout-path');
  if (!prop) {
    prop = getProp(node, 'linux,stdout-path');
    if (!prop) return;
    fail(c, ctx, node, prop, "Use 'stdout-path' instead");
  }
  c.data = prop.name;
  checkIsString(c, ctx, node);
};

interface Provider {
  propName: string;
  cellName: string;
  optional: boolean;
}

/** checks.c check_property_phandle_args, 1.6.1 (no `break` after "too small"). */
function checkPropertyPhandleArgs(c: Check, ctx: TreeContext, node: Node, prop: Property, provider: Provider): void {
  const len = prop.value.length;
  if (!isMultipleOf(len, 4)) {
    fail(c, ctx, node, prop, `property size (${len}) is invalid, expected multiple of 4`);
    return;
  }
  const ncells = len / 4;
  let cellsize = 0;
  const seen = new Set<number>();
  // `cell` and `cellsize` are C unsigned ints: the increment wraps at 2^32.
  for (let cell = 0; cell < ncells; cell = (cell + cellsize + 1) >>> 0) {
    if (seen.has(cell))
      throw new DtcAbort(
        `${ctx.fullpath(node)}:${prop.name}: dtc 1.6.1 loops forever on this property (cell size ${cellsize} wraps around)`,
        prop.span,
      );
    seen.add(cell);
    const phandle = cellAt(prop.value, cell);
    // Some bindings use 0 or -1 to skip optional entries.
    if (!phandleIsValid(phandle)) {
      if (ctx.plugin) break; // an overlay with external references
      cellsize = 0;
      continue;
    }
    if (prop.markers.length) {
      const m = prop.markers.find((mk) => mk.type === 'ref-phandle' && mk.offset === cell * 4);
      if (!m) fail(c, ctx, node, prop, `cell ${cell} is not a phandle reference`);
    }
    const providerNode = ctx.nodeByPhandle(phandle);
    if (!providerNode) {
      fail(c, ctx, node, prop, `Could not get phandle node for (cell ${cell})`);
      break;
    }
    const cellprop = getProp(providerNode, provider.cellName);
    if (cellprop) cellsize = propvalCell(ctx, providerNode, cellprop);
    else if (provider.optional) cellsize = 0;
    else {
      fail(
        c,
        ctx,
        node,
        null,
        `Missing property '${provider.cellName}' in node ${ctx.fullpath(providerNode)} or bad phandle (referred from ${prop.name}[${cell}])`,
      );
      break;
    }
    const expected = ((cell + cellsize + 1) >>> 0) * 4;
    if (len < expected) fail(c, ctx, node, prop, `property size (${len}) too small for cell size ${cellsize | 0}`);
  }
}

function phandleCells(nm: string, propName: string, cellName: string, optional = false): CheckDef[] {
  const provider: Provider = { propName, cellName, optional };
  return [
    isCell(`${nm}_is_cell`, cellName),
    {
      name: `${nm}_property`,
      level: 'warn',
      byProp: propName,
      prereqs: [`${nm}_is_cell`, 'phandle_references'],
      fn: (c, ctx, node) => {
        const prop = getProp(node, provider.propName);
        if (prop) checkPropertyPhandleArgs(c, ctx, node, prop, provider);
      },
    },
  ];
}

function propIsGpio(prop: Property): boolean {
  // *-gpios and *-gpio can appear in property names, so skip over any false matches.
  if (strends(prop.name, ',nr-gpios')) return false;
  return strends(prop.name, '-gpios') || prop.name === 'gpios' || strends(prop.name, '-gpio') || prop.name === 'gpio';
}

function nodeIsInterruptProvider(node: Node): boolean {
  return !!getProp(node, 'interrupt-controller') || !!getProp(node, 'interrupt-map');
}

const checkInterruptsProperty: CheckFn = (c, ctx, node) => {
  const irqProp = getProp(node, 'interrupts');
  if (!irqProp) return;
  const len = irqProp.value.length;
  if (!isMultipleOf(len, 4)) fail(c, ctx, node, irqProp, `size (${len}) is invalid, expected multiple of 4`);
  let irqNode: Node | undefined;
  let parent: Node | null = node;
  let prop: Property | undefined;
  while (parent && !prop) {
    if (parent !== node && nodeIsInterruptProvider(parent)) {
      irqNode = parent;
      break;
    }
    prop = getProp(parent, 'interrupt-parent');
    if (prop) {
      const phandle = propvalCell(ctx, parent, prop);
      if (!phandleIsValid(phandle)) {
        // Give up if this is an overlay with external references.
        if (ctx.plugin) return;
        fail(c, ctx, parent, prop, 'Invalid phandle');
        continue;
      }
      irqNode = ctx.nodeByPhandle(phandle);
      if (!irqNode) {
        fail(c, ctx, parent, prop, 'Bad phandle');
        return;
      }
      if (!nodeIsInterruptProvider(irqNode)) fail(c, ctx, irqNode, null, 'Missing interrupt-controller or interrupt-map property');
      break;
    }
    parent = dtcParent(parent);
  }
  if (!irqNode) {
    fail(c, ctx, node, null, 'Missing interrupt-parent');
    return;
  }
  const cellsProp = getProp(irqNode, '#interrupt-cells');
  if (!cellsProp) return; // warned about by interrupt_provider
  const irqCells = propvalCell(ctx, irqNode, cellsProp);
  // cell_t * size_t handed to is_multiple_of(int, int): the low 32 bits, signed.
  if (!isMultipleOf(len, (irqCells * 4) | 0)) fail(c, ctx, node, cellsProp, `size is (${len}), expected multiple of ${(irqCells * 4) | 0}`);
};

/** dtc 1.6.1's interrupt_provider (before the '#interrupt-cells found' rework). */
const checkInterruptProvider: CheckFn = (c, ctx, node) => {
  if (!nodeIsInterruptProvider(node)) return;
  if (!getProp(node, '#interrupt-cells')) fail(c, ctx, node, null, 'Missing #interrupt-cells in interrupt provider');
  if (!getProp(node, '#address-cells')) fail(c, ctx, node, null, 'Missing #address-cells in interrupt provider');
};

const checkAliasPaths: CheckFn = (c, ctx, node) => {
  if (node.name !== 'aliases') return;
  for (const prop of node.props) {
    if (prop.name === 'phandle' || prop.name === 'linux,phandle') continue;
    const path = cString(prop.value);
    if (!prop.value.length || !getNodeByPath(ctx.root, path)) {
      fail(c, ctx, node, prop, `aliases property is not a valid node (${prop.value.length ? path : '(null)'})`);
      continue;
    }
    if (strspn(prop.name, ALIASCHARS) !== prop.name.length)
      fail(c, ctx, node, null, "aliases property name must include only lowercase and '-'");
  }
};

const checkGraphNodes: CheckFn = (_c, ctx, node) => {
  for (const child of node.children) {
    if (!(ctx.basename(child) === 'endpoint' || getProp(child, 'remote-endpoint'))) continue;
    const parent = dtcParent(node);
    if (!parent)
      // dtc 1.6.1 dereferences the root's NULL parent here (newer dtc warns instead).
      throw new DtcAbort(
        `${ctx.fullpath(node)}: dtc 1.6.1 crashes on a root node containing endpoint node '${child.name}' (potentially misplaced remote-endpoint property)`,
        child.span,
      );
    ctx.nodeInfo(node).bus = 'graph-port';
    // The parent of 'port' nodes can be either 'ports' or a device.
    const pinfo = ctx.nodeInfo(parent);
    if (!pinfo.bus && (parent.name === 'ports' || getProp(node, 'reg'))) pinfo.bus = 'graph-ports';
    break;
  }
};

const checkGraphChildAddress: CheckFn = (c, ctx, node) => {
  const info = ctx.nodeInfo(node);
  if (info.bus !== 'graph-ports' && info.bus !== 'graph-port') return;
  let cnt = 0;
  for (const child of node.children) {
    const prop = getProp(child, 'reg');
    // No error if we have any non-zero unit address.
    if (prop && propvalCell(ctx, child, prop) !== 0) return;
    cnt++;
  }
  if (cnt === 1 && info.addrCells !== -1)
    // dtc names node->children: the first child in its full list, possibly a deleted one.
    fail(
      c,
      ctx,
      node,
      null,
      `graph node has single child node '${childrenWithDeleted(node)[0]!.name}', #address-cells/#size-cells are not necessary`,
    );
};

function checkGraphReg(c: Check, ctx: TreeContext, node: Node): void {
  const prop = getProp(node, 'reg');
  if (!prop) return;
  if (prop.value.length !== 4) {
    fail(c, ctx, node, null, "graph node malformed 'reg' property");
    return;
  }
  const expected = hex(cellAt(prop.value, 0));
  if (ctx.unitname(node) !== expected) fail(c, ctx, node, null, `graph node unit address error, expected "${expected}"`);
  const parent = dtcParent(node);
  if (!parent) throw new DtcAbort(`${ctx.fullpath(node)}: dtc 1.6.1 dereferences this node's NULL parent (check_graph_reg)`, node.span);
  const p = ctx.nodeInfo(parent);
  if (p.addrCells !== 1) fail(c, ctx, node, getProp(node, '#address-cells'), `graph node '#address-cells' is ${p.addrCells}, must be 1`);
  if (p.sizeCells !== 0) fail(c, ctx, node, getProp(node, '#size-cells'), `graph node '#size-cells' is ${p.sizeCells}, must be 0`);
}

const checkGraphPort: CheckFn = (c, ctx, node) => {
  if (ctx.nodeInfo(node).bus !== 'graph-port') return;
  if (ctx.basename(node) !== 'port') fail(c, ctx, node, null, "graph port node name should be 'port'");
  checkGraphReg(c, ctx, node);
};

function getRemoteEndpoint(c: Check, ctx: TreeContext, endpoint: Node): Node | undefined {
  const prop = getProp(endpoint, 'remote-endpoint');
  if (!prop) return undefined;
  const phandle = propvalCell(ctx, endpoint, prop);
  // Give up if this is an overlay with external references.
  if (!phandleIsValid(phandle)) return undefined;
  const node = ctx.nodeByPhandle(phandle);
  if (!node) fail(c, ctx, endpoint, prop, 'graph phandle is not valid');
  return node;
}

const checkGraphEndpoint: CheckFn = (c, ctx, node) => {
  const parent = dtcParent(node);
  if (!parent || ctx.nodeInfo(parent).bus !== 'graph-port') return;
  if (ctx.basename(node) !== 'endpoint') fail(c, ctx, node, null, "graph endpoint node name should be 'endpoint'");
  checkGraphReg(c, ctx, node);
  const remote = getRemoteEndpoint(c, ctx, node);
  if (!remote) return;
  if (getRemoteEndpoint(c, ctx, remote) !== node)
    fail(c, ctx, node, null, `graph connection to node '${ctx.fullpath(remote)}' is not bidirectional`);
};

export const semanticChecks: CheckDef[] = [
  isCell('address_cells_is_cell', '#address-cells'),
  isCell('size_cells_is_cell', '#size-cells'),
  isString('device_type_is_string', 'device_type'),
  isString('model_is_string', 'model'),
  isString('status_is_string', 'status'),
  isString('label_is_string', 'label'),
  { name: 'compatible_is_string_list', level: 'warn', data: 'compatible', byProp: 'compatible', fn: checkIsStringList },
  {
    name: 'names_is_string_list',
    level: 'warn',
    fn: (c, ctx, node) => {
      for (const prop of node.props) {
        if (!strends(prop.name, '-names')) continue;
        c.data = prop.name;
        checkIsStringList(c, ctx, node);
      }
    },
  },
  {
    name: 'property_name_chars_strict',
    level: 'none',
    data: PROPNODECHARSSTRICT,
    fn: (c, ctx, node) => {
      for (const prop of node.props) {
        let name = prop.name;
        let n = strspn(name, c.data!);
        if (n === name.length) continue;
        // Certain names are whitelisted.
        if (name === 'device_type') continue;
        // '#' is only allowed at the beginning of property names not counting the vendor prefix.
        if (name[n] === '#' && (n === 0 || name[n - 1] === ',')) {
          name = name.slice(n + 1);
          n = strspn(name, c.data!);
        }
        if (n < name.length) fail(c, ctx, node, prop, `Character '${name[n]}' not recommended in property name`);
      }
    },
  },
  {
    name: 'node_name_chars_strict',
    level: 'none',
    data: PROPNODECHARSSTRICT,
    fn: (c, ctx, node) => {
      const n = strspn(node.name, c.data!);
      if (n < ctx.nodeInfo(node).basenamelen) fail(c, ctx, node, null, `Character '${node.name[n]}' not recommended in node name`);
    },
  },
  {
    name: 'addr_size_cells',
    level: 'warn',
    prereqs: ['address_cells_is_cell', 'size_cells_is_cell'],
    fn: (_c, ctx, node) => {
      const i = ctx.nodeInfo(node);
      i.addrCells = -1;
      i.sizeCells = -1;
      // `int` fields: 0xffffffff reads back as -1, i.e. "absent".
      let prop = getProp(node, '#address-cells');
      if (prop) i.addrCells = propvalCell(ctx, node, prop) | 0;
      prop = getProp(node, '#size-cells');
      if (prop) i.sizeCells = propvalCell(ctx, node, prop) | 0;
    },
  },
  { name: 'reg_format', level: 'warn', prereqs: ['addr_size_cells'], byProp: 'reg', fn: checkRegFormat },
  { name: 'ranges_format', level: 'warn', prereqs: ['addr_size_cells'], data: 'ranges', byProp: 'ranges', fn: checkRangesFormat },
  {
    name: 'dma_ranges_format',
    level: 'warn',
    prereqs: ['addr_size_cells'],
    data: 'dma-ranges',
    byProp: 'dma-ranges',
    fn: checkRangesFormat,
  },
  {
    name: 'unit_address_vs_reg',
    level: 'warn',
    fn: (c, ctx, node) => {
      // HACK (dtc's word): overlay fragments are a special case.
      if (node.children.some((ch) => ch.name === '__overlay__')) return;
      const unitname = ctx.unitname(node);
      let prop = getProp(node, 'reg');
      if (!prop) {
        prop = getProp(node, 'ranges');
        if (prop && !prop.value.length) prop = undefined;
      }
      if (prop) {
        if (!unitname) fail(c, ctx, node, null, 'node has a reg or ranges property, but no unit name');
      } else if (unitname) fail(c, ctx, node, null, 'node has a unit name, but no reg or ranges property');
    },
  },
  {
    name: 'unit_address_format',
    level: 'warn',
    prereqs: ['node_name_format', 'pci_bridge', 'simple_bus_bridge'],
    fn: checkUnitAddressFormat,
  },
  { name: 'pci_bridge', level: 'warn', prereqs: ['device_type_is_string', 'addr_size_cells'], byProp: 'device_type', fn: checkPciBridge },
  { name: 'pci_device_reg', level: 'warn', prereqs: ['reg_format', 'pci_bridge'], fn: checkPciDeviceReg },
  { name: 'pci_device_bus_num', level: 'warn', prereqs: ['reg_format', 'pci_bridge'], fn: checkPciDeviceBusNum },
  {
    name: 'simple_bus_bridge',
    level: 'warn',
    prereqs: ['addr_size_cells', 'compatible_is_string_list'],
    byProp: 'compatible',
    fn: checkSimpleBusBridge,
  },
  { name: 'simple_bus_reg', level: 'warn', prereqs: ['reg_format', 'simple_bus_bridge'], fn: checkSimpleBusReg },
  { name: 'i2c_bus_bridge', level: 'warn', prereqs: ['addr_size_cells'], fn: checkI2cBusBridge },
  { name: 'i2c_bus_reg', level: 'warn', prereqs: ['reg_format', 'i2c_bus_bridge'], fn: checkI2cBusReg },
  { name: 'spi_bus_bridge', level: 'warn', prereqs: ['addr_size_cells'], fn: checkSpiBusBridge },
  { name: 'spi_bus_reg', level: 'warn', prereqs: ['reg_format', 'spi_bus_bridge'], fn: checkSpiBusReg },
  { name: 'avoid_default_addr_size', level: 'warn', prereqs: ['addr_size_cells'], fn: checkAvoidDefaultAddrSize },
  { name: 'avoid_unnecessary_addr_size', level: 'warn', prereqs: ['avoid_default_addr_size'], fn: checkAvoidUnnecessaryAddrSize },
  {
    name: 'unique_unit_address',
    level: 'warn',
    prereqs: ['avoid_default_addr_size'],
    fn: (c, ctx, node) => uniqueUnitAddressCommon(c, ctx, node, false),
  },
  {
    name: 'unique_unit_address_if_enabled',
    level: 'none',
    prereqs: ['avoid_default_addr_size'],
    fn: (c, ctx, node) => uniqueUnitAddressCommon(c, ctx, node, true),
  },
  { name: 'obsolete_chosen_interrupt_controller', level: 'warn', fn: checkObsoleteChosenInterruptController },
  { name: 'chosen_node_is_root', level: 'warn', fn: checkChosenNodeIsRoot },
  { name: 'chosen_node_bootargs', level: 'warn', fn: checkChosenNodeBootargs },
  { name: 'chosen_node_stdout_path', level: 'warn', fn: checkChosenNodeStdoutPath },
  ...phandleCells('clocks', 'clocks', '#clock-cells'),
  ...phandleCells('cooling_device', 'cooling-device', '#cooling-cells'),
  ...phandleCells('dmas', 'dmas', '#dma-cells'),
  ...phandleCells('hwlocks', 'hwlocks', '#hwlock-cells'),
  ...phandleCells('interrupts_extended', 'interrupts-extended', '#interrupt-cells'),
  ...phandleCells('io_channels', 'io-channels', '#io-channel-cells'),
  ...phandleCells('iommus', 'iommus', '#iommu-cells'),
  ...phandleCells('mboxes', 'mboxes', '#mbox-cells'),
  ...phandleCells('msi_parent', 'msi-parent', '#msi-cells', true),
  ...phandleCells('mux_controls', 'mux-controls', '#mux-control-cells'),
  ...phandleCells('phys', 'phys', '#phy-cells'),
  ...phandleCells('power_domains', 'power-domains', '#power-domain-cells'),
  ...phandleCells('pwms', 'pwms', '#pwm-cells'),
  ...phandleCells('resets', 'resets', '#reset-cells'),
  ...phandleCells('sound_dai', 'sound-dai', '#sound-dai-cells'),
  ...phandleCells('thermal_sensors', 'thermal-sensors', '#thermal-sensor-cells'),
  {
    name: 'deprecated_gpio_property',
    level: 'none',
    fn: (c, ctx, node) => {
      for (const prop of node.props)
        if (propIsGpio(prop) && strends(prop.name, 'gpio')) fail(c, ctx, node, prop, "'[*-]gpio' is deprecated, use '[*-]gpios' instead");
    },
  },
  {
    name: 'gpios_property',
    level: 'warn',
    prereqs: ['phandle_references'],
    fn: (c, ctx, node) => {
      // Skip GPIO hog nodes which have a 'gpios' property.
      if (getProp(node, 'gpio-hog')) return;
      for (const prop of node.props) {
        if (!propIsGpio(prop)) continue;
        checkPropertyPhandleArgs(c, ctx, node, prop, { propName: prop.name, cellName: '#gpio-cells', optional: false });
      }
    },
  },
  // dtc passes &phandle_references as this check's *data*, not a prerequisite: it has none.
  { name: 'interrupts_property', level: 'warn', byProp: 'interrupts', fn: checkInterruptsProperty },
  { name: 'interrupt_provider', level: 'warn', fn: checkInterruptProvider },
  { name: 'alias_paths', level: 'warn', fn: checkAliasPaths },
  { name: 'graph_nodes', level: 'warn', fn: checkGraphNodes },
  { name: 'graph_child_address', level: 'warn', prereqs: ['graph_nodes'], fn: checkGraphChildAddress },
  { name: 'graph_port', level: 'warn', prereqs: ['graph_nodes'], fn: checkGraphPort },
  { name: 'graph_endpoint', level: 'warn', prereqs: ['graph_nodes'], fn: checkGraphEndpoint },
];
