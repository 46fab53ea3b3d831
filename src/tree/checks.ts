// dtc's checks and fix-ups, run between parsing and writing: a table of named rules, each
// individually switchable with -W/-E, with prerequisites, exactly as dtc 1.6.1's checks.c
// (Debian's reference dtc). The fix-ups that dtc runs *as checks* live here too because their
// order matters for phandle numbering: explicit_phandles, phandle_references (assigns phandles on
// demand, livetree.c get_node_phandle), path_references, omit_unused_nodes.
//
// Where dtc 1.6.1 differs from newer dtc we follow 1.6.1: no interrupt_map check, the old
// interrupt_provider check ("Missing #address-cells in interrupt provider"), no dma-ranges in
// avoid_unnecessary_addr_size, no `break` after "too small for cell size". Where dtc 1.6.1
// crashes (assertion in propval_cell, NULL parent in graph_nodes, endless loop on a huge
// #x-cells), we report an error diagnostic (code `dtc-abort`) instead of crashing.
import { diag, type Diagnostic } from '../diagnostics.js';
import { childrenWithDeleted, getProp, hasLabelList, propsWithDeleted, type Marker, type Node, type Property, type Tree } from './types.js';
import { semanticChecks } from './checks-semantic.js';
import {
  DtcAbort,
  NODECHARS,
  PROPCHARS,
  TreeContext,
  dtcParent,
  putBe32,
  cStringBytes,
  cString,
  cellAt,
  checkIsString,
  latin1Bytes,
  fail,
  getMarkerLabel,
  getPropertyByLabel,
  insertAtMarker,
  phandleIsValid,
  strspn,
  type Check,
  type CheckDef,
  type CheckFlag,
  type CheckOptions,
} from './checks-core.js';

export * from './checks-core.js';

// ---------------------------------------------------------------------------------------------
// Structural checks and the reference fix-ups

const structuralChecks: CheckDef[] = [
  {
    name: 'duplicate_node_names',
    level: 'error',
    fn: (c, ctx, node) => {
      // Each live child against *every* later sibling, deleted ones included (child2 walks
      // next_sibling): a deleted duplicate is reported too, with a NULL fullpath. dtc reports
      // child2 once for every earlier child of the same name.
      const ch = childrenWithDeleted(node);
      if (ch.length < 2 || (ch.length > 16 && new Set(ch.map((x) => x.name)).size === ch.length)) return;
      for (let i = 0; i < ch.length; i++) {
        if (ch[i]!.deleted) continue;
        for (let j = i + 1; j < ch.length; j++) if (ch[i]!.name === ch[j]!.name) fail(c, ctx, ch[j]!, null, 'Duplicate node name');
      }
    },
  },
  {
    name: 'duplicate_property_names',
    level: 'error',
    fn: (c, ctx, node) => {
      const ps = node.props;
      if (ps.length < 2 || (ps.length > 16 && new Set(ps.map((x) => x.name)).size === ps.length)) return;
      for (let i = 0; i < ps.length; i++)
        for (let j = i + 1; j < ps.length; j++) if (ps[i]!.name === ps[j]!.name) fail(c, ctx, node, ps[i], 'Duplicate property name');
    },
  },
  {
    name: 'node_name_chars',
    level: 'error',
    data: NODECHARS,
    fn: (c, ctx, node) => {
      const n = strspn(node.name, c.data!);
      if (n < node.name.length) fail(c, ctx, node, null, `Bad character '${node.name[n]}' in node name`);
    },
  },
  {
    name: 'node_name_format',
    level: 'error',
    prereqs: ['node_name_chars'],
    fn: (c, ctx, node) => {
      if (ctx.unitname(node).includes('@')) fail(c, ctx, node, null, "multiple '@' characters in node name");
    },
  },
  {
    name: 'property_name_chars',
    level: 'error',
    data: PROPCHARS,
    fn: (c, ctx, node) => {
      for (const prop of node.props) {
        const n = strspn(prop.name, c.data!);
        if (n < prop.name.length) fail(c, ctx, node, prop, `Bad character '${prop.name[n]}' in property name`);
      }
    },
  },
  // (No byProp here: building the property index before phandle_references would be wasted.)
  { name: 'name_is_string', level: 'error', data: 'name', fn: checkIsString },
  {
    name: 'name_properties',
    level: 'error',
    prereqs: ['name_is_string'],
    fn: (c, ctx, node) => {
      // dtc walks node->proplist itself here, so a /delete-property/d "name" counts when it
      // comes first.
      const prop = propsWithDeleted(node).find((p) => p.name === 'name');
      if (!prop) return;
      const base = latin1Bytes(ctx.basename(node));
      let same = prop.value.length === base.length + 1;
      for (let k = 0; same && k < base.length; k++) if (prop.value[k] !== base[k]) same = false;
      // An empty value is a NULL val.val in dtc, which glibc prints as "(null)".
      const shown = prop.value.length ? cString(prop.value) : '(null)';
      if (!same) fail(c, ctx, node, null, `"name" property is incorrect ("${shown}" instead of base node name)`);
      // The name property is correct, and therefore redundant: dtc unlinks it.
      else {
        unlink(node.props, prop);
        if (node.withdel?.props) unlink(node.withdel.props, prop);
        ctx.treeChanged();
      }
    },
  },
  {
    name: 'node_name_vs_property_name',
    level: 'warn',
    prereqs: ['node_name_chars'],
    fn: (c, ctx, node) => {
      const parent = dtcParent(node);
      if (!parent) return;
      if (getProp(parent, node.name)) fail(c, ctx, node, null, 'node name and property name conflict');
    },
  },
  {
    name: 'duplicate_label',
    level: 'error',
    fn: (c, ctx, node) => {
      for (const l of node.labels) checkDuplicateLabel(c, ctx, l, node, null, null);
      for (const prop of node.props) {
        for (const l of prop.labels) checkDuplicateLabel(c, ctx, l, node, prop, null);
        for (const m of prop.markers) if (m.type === 'label' && m.ref !== undefined) checkDuplicateLabel(c, ctx, m.ref, node, prop, m);
      }
    },
  },
  {
    name: 'explicit_phandles',
    level: 'error',
    fn: (c, ctx, node) => {
      let phandle = checkPhandleProp(c, ctx, node, 'phandle');
      const linuxPhandle = checkPhandleProp(c, ctx, node, 'linux,phandle');
      if (!phandle && !linuxPhandle) return;
      if (linuxPhandle && phandle && phandle !== linuxPhandle)
        fail(c, ctx, node, null, "mismatching 'phandle' and 'linux,phandle' properties");
      if (linuxPhandle && !phandle) phandle = linuxPhandle;
      const other = ctx.nodeByPhandle(phandle);
      if (other && other !== node) {
        fail(c, ctx, node, null, `duplicated phandle 0x${phandle.toString(16)} (seen before at ${ctx.fullpath(other)})`);
        return;
      }
      ctx.setPhandle(node, phandle);
    },
  },
  {
    name: 'phandle_references',
    level: 'error',
    prereqs: ['duplicate_node_names', 'explicit_phandles'],
    fn: (c, ctx, node) => {
      for (const prop of node.props) {
        let copied = false;
        for (const m of prop.markers) {
          if (m.type !== 'ref-phandle') continue;
          const ref = m.ref ?? '';
          const target = ctx.nodeByRef(ref);
          if (!copied) {
            // Values may be shared with other properties; dtc's are private copies.
            prop.value = prop.value.slice();
            copied = true;
          }
          if (m.offset + 4 > prop.value.length)
            throw new DtcAbort(`${ctx.fullpath(node)}:${prop.name}: phandle reference past the end of the value`, prop.span);
          if (!target) {
            if (!ctx.plugin) fail(c, ctx, node, null, `Reference to non-existent node or label "${ref}"`);
            // In an overlay the entry stays unresolved for __fixups__.
            else putBe32(prop.value, m.offset, 0xffffffff);
            continue;
          }
          const ph = ctx.getNodePhandle(target);
          putBe32(prop.value, m.offset, ph);
          target.isReferenced = true;
        }
      }
    },
  },
  {
    name: 'path_references',
    level: 'error',
    prereqs: ['duplicate_node_names'],
    fn: (c, ctx, node) => {
      for (const prop of node.props) {
        for (let i = 0; i < prop.markers.length; i++) {
          const m = prop.markers[i]!;
          if (m.type !== 'ref-path') continue;
          const ref = m.ref ?? '';
          const target = ctx.nodeByRef(ref);
          if (!target) {
            fail(c, ctx, node, null, `Reference to non-existent node or label "${ref}"`);
            continue;
          }
          insertAtMarker(prop, i, cStringBytes(ctx.fullpath(target)));
          target.isReferenced = true;
        }
      }
    },
  },
  {
    name: 'omit_unused_nodes',
    level: 'error',
    prereqs: ['phandle_references', 'path_references'],
    fn: (_c, ctx, node) => {
      if (ctx.symbols && hasLabelList(node)) return;
      if (node.omitIfNoRef && !node.isReferenced) ctx.deleteNode(node);
    },
  },
];

function unlink<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

function describeLabel(ctx: TreeContext, node: Node, prop: Property | null, mark: Marker | null): string {
  return `${mark ? 'value of ' : ''}${prop ? `'${prop.name}' in ` : ''}${ctx.fullpath(node)}`;
}

function checkDuplicateLabel(c: Check, ctx: TreeContext, label: string, node: Node, prop: Property | null, mark: Marker | null): void {
  let othernode: Node | undefined = ctx.nodeByLabel(label);
  let otherprop: Property | null = null;
  let othermark: Marker | null = null;
  if (!othernode) {
    const r = getPropertyByLabel(ctx.root, label);
    if (r) {
      othernode = r.node;
      otherprop = r.prop;
    }
  }
  if (!othernode) {
    const r = getMarkerLabel(ctx.root, label);
    if (r) {
      othernode = r.node;
      otherprop = r.prop;
      othermark = r.mark;
    }
  }
  if (!othernode) return;
  if (othernode !== node || otherprop !== prop || othermark !== mark)
    fail(
      c,
      ctx,
      node,
      null,
      `Duplicate label '${label}' on ${describeLabel(ctx, node, prop, mark)} and ${describeLabel(ctx, othernode, otherprop, othermark)}`,
    );
}

/** checks.c check_phandle_prop: the explicit phandle value, 0 when none or invalid. */
function checkPhandleProp(c: Check, ctx: TreeContext, node: Node, propname: string): number {
  const prop = getProp(node, propname);
  if (!prop) return 0;
  if (prop.value.length !== 4) {
    fail(c, ctx, node, prop, `bad length (${prop.value.length}) ${prop.name} property`);
    return 0;
  }
  for (const m of prop.markers) {
    if (m.type !== 'ref-phandle') continue;
    if (node !== ctx.nodeByRef(m.ref ?? ''))
      // "Set this node's phandle equal to some other node's phandle": nonsensical.
      fail(c, ctx, node, null, `${prop.name} is a reference to another node`);
    // A reference to itself means "allocate a phandle for me"; filled in later.
    return 0;
  }
  const ph = cellAt(prop.value, 0);
  if (!phandleIsValid(ph)) {
    fail(c, ctx, node, prop, `bad value (0x${ph.toString(16)}) in ${prop.name} property`);
    return 0;
  }
  return ph;
}

// ---------------------------------------------------------------------------------------------
// The table, in dtc 1.6.1's check_table order (order decides phandle numbers and message order).

const TABLE_ORDER = [
  'duplicate_node_names',
  'duplicate_property_names',
  'node_name_chars',
  'node_name_format',
  'property_name_chars',
  'name_is_string',
  'name_properties',
  'node_name_vs_property_name',
  'duplicate_label',
  'explicit_phandles',
  'phandle_references',
  'path_references',
  'omit_unused_nodes',
  'address_cells_is_cell',
  'size_cells_is_cell',
  'device_type_is_string',
  'model_is_string',
  'status_is_string',
  'label_is_string',
  'compatible_is_string_list',
  'names_is_string_list',
  'property_name_chars_strict',
  'node_name_chars_strict',
  'addr_size_cells',
  'reg_format',
  'ranges_format',
  'dma_ranges_format',
  'unit_address_vs_reg',
  'unit_address_format',
  'pci_bridge',
  'pci_device_reg',
  'pci_device_bus_num',
  'simple_bus_bridge',
  'simple_bus_reg',
  'i2c_bus_bridge',
  'i2c_bus_reg',
  'spi_bus_bridge',
  'spi_bus_reg',
  'avoid_default_addr_size',
  'avoid_unnecessary_addr_size',
  'unique_unit_address',
  'unique_unit_address_if_enabled',
  'obsolete_chosen_interrupt_controller',
  'chosen_node_is_root',
  'chosen_node_bootargs',
  'chosen_node_stdout_path',
  'clocks_property',
  'clocks_is_cell',
  'cooling_device_property',
  'cooling_device_is_cell',
  'dmas_property',
  'dmas_is_cell',
  'hwlocks_property',
  'hwlocks_is_cell',
  'interrupts_extended_property',
  'interrupts_extended_is_cell',
  'io_channels_property',
  'io_channels_is_cell',
  'iommus_property',
  'iommus_is_cell',
  'mboxes_property',
  'mboxes_is_cell',
  'msi_parent_property',
  'msi_parent_is_cell',
  'mux_controls_property',
  'mux_controls_is_cell',
  'phys_property',
  'phys_is_cell',
  'power_domains_property',
  'power_domains_is_cell',
  'pwms_property',
  'pwms_is_cell',
  'resets_property',
  'resets_is_cell',
  'sound_dai_property',
  'sound_dai_is_cell',
  'thermal_sensors_property',
  'thermal_sensors_is_cell',
  'deprecated_gpio_property',
  'gpios_property',
  'interrupts_property',
  'interrupt_provider',
  'alias_paths',
  'graph_nodes',
  'graph_child_address',
  'graph_port',
  'graph_endpoint',
  'always_fail',
];

const alwaysFail: CheckDef = { name: 'always_fail', level: 'none', fn: (c, ctx, node) => fail(c, ctx, node, null, 'always_fail check') };

const ALL_DEFS: CheckDef[] = [...structuralChecks, ...semanticChecks, alwaysFail];

/** Names and default levels of every check, in table order (for docs, tests and `--help`). */
export const CHECK_TABLE: ReadonlyArray<{ name: string; level: 'warn' | 'error' | 'none'; prereqs: readonly string[] }> = TABLE_ORDER.map(
  (n) => {
    const d = ALL_DEFS.find((x) => x.name === n);
    if (!d) throw new Error(`check ${n} missing from the definitions`);
    return { name: d.name, level: d.level, prereqs: d.prereqs ?? [] };
  },
);

/**
 * The switches the kernel build passes to dtc by default (scripts/Makefile.dtbs in 6.12,
 * scripts/Makefile.lib in 6.1, without W=1/W=2): the "noisy" checks off.
 */
export const KERNEL_CHECK_FLAGS: readonly CheckFlag[] = [
  'unique_unit_address',
  'unit_address_vs_reg',
  'avoid_unnecessary_addr_size',
  'alias_paths',
  'graph_child_address',
  'simple_bus_reg',
].map((n) => ({ kind: 'W' as const, name: `no-${n}` }));

/** A fresh check table (checks carry run status, so each compile gets its own). */
export function makeCheckTable(): Check[] {
  const byName = new Map<string, Check>();
  for (const d of ALL_DEFS) {
    byName.set(d.name, {
      name: d.name,
      fn: d.fn,
      data: d.data,
      byProp: d.byProp,
      warn: d.level === 'warn',
      error: d.level === 'error',
      status: 'unchecked',
      inprogress: false,
      prereqs: [],
    });
  }
  for (const d of ALL_DEFS) {
    const c = byName.get(d.name)!;
    for (const p of d.prereqs ?? []) {
      const pc = byName.get(p);
      if (!pc) throw new Error(`check ${d.name}: unknown prerequisite ${p}`);
      c.prereqs.push(pc);
    }
  }
  return TABLE_ORDER.map((n) => byName.get(n)!);
}

function enableWarningError(c: Check, warn: boolean, error: boolean): void {
  // Raising the level also raises it for prerequisites.
  if ((warn && !c.warn) || (error && !c.error)) for (const p of c.prereqs) enableWarningError(p, warn, error);
  c.warn = c.warn || warn;
  c.error = c.error || error;
}

function disableWarningError(table: Check[], c: Check, warn: boolean, error: boolean): void {
  // Lowering the level also lowers it for the checks this one is a prerequisite of.
  if ((warn && c.warn) || (error && c.error)) {
    for (const cc of table) if (cc.prereqs.includes(c)) disableWarningError(table, cc, warn, error);
  }
  c.warn = c.warn && !warn;
  c.error = c.error && !error;
}

/** checks.c parse_checks_option; returns an error message for an unknown name (dtc dies, exit 1). */
export function applyCheckFlag(table: Check[], flag: CheckFlag): string | undefined {
  let name = flag.name;
  let enable = true;
  if (name.startsWith('no-') || name.startsWith('no_')) {
    name = name.slice(3);
    enable = false;
  }
  const c = table.find((x) => x.name === name);
  if (!c) return `Unrecognized check name "${name}"`;
  const warn = flag.kind === 'W';
  if (enable) enableWarningError(c, warn, !warn);
  else disableWarningError(table, c, warn, !warn);
  return undefined;
}

/**
 * checks.c check_nodes_props: the check on every node, pre-order; iterative (one frame per level
 * on an explicit stack), so nesting depth costs no JS stack.
 */
function checkNodesProps(c: Check, ctx: TreeContext, root: Node): void {
  const fn = c.fn;
  if (!fn) return;
  fn(c, ctx, root);
  const stack: { ch: Node[]; i: number; child?: Node }[] = [{ ch: root.children, i: 0 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.child) {
      // omit_unused_nodes may have deleted the child just visited: don't skip its successor.
      if (f.ch[f.i] === f.child) f.i++;
      f.child = undefined;
    }
    if (f.i >= f.ch.length) {
      stack.pop();
      continue;
    }
    const child = f.ch[f.i]!;
    f.child = child;
    fn(c, ctx, child);
    stack.push({ ch: child.children, i: 0 });
  }
}

/** checks.c run_check, including its short-circuit `error = error || run_check(prq)`. */
function runCheck(c: Check, ctx: TreeContext): boolean {
  let error = false;
  if (c.inprogress) throw new Error(`check ${c.name}: prerequisite cycle`);
  if (c.status === 'unchecked') {
    c.inprogress = true;
    for (const prq of c.prereqs) {
      error = error || runCheck(prq, ctx);
      if (prq.status !== 'passed') {
        c.status = 'prereq';
        ctx.report(c, null, null, `Failed prerequisite '${prq.name}'`);
      }
    }
    if (c.status === 'unchecked') {
      if (c.byProp !== undefined && c.fn) {
        // Only nodes with that property can fail; a snapshot, as the check may change the tree.
        for (const n of ctx.nodesWithProp(c.byProp).slice()) c.fn(c, ctx, n);
      } else checkNodesProps(c, ctx, ctx.root);
      if (c.status === 'unchecked') c.status = 'passed';
    }
  }
  c.inprogress = false;
  if (c.status !== 'passed' && c.error) error = true;
  return error;
}

export interface ChecksResult {
  /** True when an error-level check failed (dtc: "Input tree has errors"). */
  errors: boolean;
  /** dtc 1.6.1 would have crashed or hung; the tree is in an undefined state. */
  aborted: boolean;
  diagnostics: Diagnostic[];
  ctx: TreeContext;
}

/**
 * checks.c process_checks: run every enabled check in table order. Like dtc, once an
 * error-level check has failed the remaining checks are not run (`error = error || run_check()`).
 * Mutates the tree: resolves references, assigns phandles, deletes unused /omit-if-no-ref/ nodes
 * and redundant `name` properties.
 */
export function processChecks(tree: Tree, opts: CheckOptions = {}): ChecksResult {
  const ctx = new TreeContext(tree, opts);
  const table = makeCheckTable();
  for (const f of opts.checkFlags ?? []) {
    const err = applyCheckFlag(table, f);
    if (err) {
      ctx.diagnostics.push(diag('error', 'unknown-check', err));
      return { errors: true, aborted: false, diagnostics: ctx.diagnostics, ctx };
    }
  }
  let error = false;
  try {
    for (const c of table) if (c.warn || c.error) error = error || runCheck(c, ctx);
  } catch (e) {
    if (!(e instanceof DtcAbort)) throw e;
    ctx.diagnostics.push(diag('error', 'dtc-abort', e.message, e.span));
    return { errors: true, aborted: true, diagnostics: ctx.diagnostics, ctx };
  }
  return { errors: error, aborted: false, diagnostics: ctx.diagnostics, ctx };
}
