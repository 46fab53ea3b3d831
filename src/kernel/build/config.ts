// A kernel build's `.config` as Kconfig writes it (scripts/kconfig/confdata.c conf_write): a
// header comment naming the arch and release, then `CONFIG_X=value` and `# CONFIG_X is not set`
// lines. Only reading: what the values mean is profile.ts's.
import { diag, type Diagnostic } from '../../diagnostics.js';

export interface ConfigValue {
  value: string;
  line: number;
}

export interface KernelConfig {
  file: string;
  /** From `# Linux/<arch> <release> Kernel Configuration` (conf_write's header). */
  arch?: string;
  release?: string;
  headerLine?: number;
  /** Every `CONFIG_X=value` (name without `CONFIG_`); `is not set` lines are absent, as `n`. */
  values: Map<string, ConfigValue>;
  /** When set, the line of every value read through configEnabled/configNumber is added (an excerpt keeps those). */
  read?: Set<number>;
}

const HEADER = /^# Linux\/(\S+) (\S+) Kernel Configuration\s*$/;
const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# CONFIG_[A-Za-z0-9_]+ is not set\s*$/;

export function readKernelConfig(text: string, file: string): { config: KernelConfig; diagnostics: Diagnostic[] } {
  const config: KernelConfig = { file, values: new Map() };
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    const line = i + 1;
    const h = HEADER.exec(l);
    if (h && config.release === undefined) {
      config.arch = h[1]!;
      config.release = h[2]!;
      config.headerLine = line;
      return;
    }
    if (l.trim() === '' || UNSET.test(l) || l.startsWith('#')) return;
    const m = SET.exec(l);
    if (m) config.values.set(m[1]!, { value: m[2]!, line });
    else if (diagnostics.length < 10)
      diagnostics.push(
        diag('error', 'config-syntax', `not a .config line: ${JSON.stringify(l.slice(0, 60))}`, {
          file,
          line,
          column: 1,
          endLine: line,
          endColumn: l.length + 1,
        }),
      );
  });
  return { config, diagnostics };
}

/** Where a value sits, for diagnostics (the header when the option is absent). */
export function configSpan(
  c: KernelConfig,
  name?: string,
): { file: string; line: number; column: number; endLine: number; endColumn: number } {
  const line = (name !== undefined ? c.values.get(name)?.line : undefined) ?? c.headerLine ?? 0;
  return { file: c.file, line, column: line ? 1 : 0, endLine: line, endColumn: line ? 1 : 0 };
}

/** A value as the model reads it (noting its line when the reads are being collected). */
function value(c: KernelConfig, name: string): string | undefined {
  const v = c.values.get(name);
  if (v) c.read?.add(v.line);
  return v?.value;
}

/** `CONFIG_X=y` (a bool set) — `m` is not built in. */
export function configEnabled(c: KernelConfig, name: string): boolean {
  return value(c, name) === 'y';
}

/** The base page size an arm64 build chose (ARM64_{16K,64K}_PAGES, arch/arm64/Kconfig); 4 KiB otherwise, as on arm. */
export function configPageSize(c: KernelConfig): number {
  return configEnabled(c, 'ARM64_16K_PAGES') ? 16384 : configEnabled(c, 'ARM64_64K_PAGES') ? 65536 : 4096;
}

/** An int/hex option's value (Kconfig writes hex with 0x), or undefined when absent or not a number. */
export function configNumber(c: KernelConfig, name: string): bigint | undefined {
  const v = value(c, name);
  if (v === undefined || !/^(0[xX][0-9a-fA-F]+|-?[0-9]+)$/.test(v)) return undefined;
  return BigInt(v);
}
