// Shared by the corpus test and the bench: run GCC's cpp with the kernel's DTS flags and compare
// its output with ours as dtc's lexer would see it.
import { spawnSync } from 'node:child_process';

/** GCC's cpp with the kernel's flags (scripts/Makefile.dtbs dtc_cpp_flags, minus -Wp,-MMD). */
export function runGccCpp(file: string, includeDirs: string[], cwd: string): { text: string; ok: boolean; stderr: string } {
  const r = spawnSync(
    'cpp',
    ['-nostdinc', ...includeDirs.flatMap((d) => ['-I', d]), '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', file],
    { cwd, encoding: 'latin1', maxBuffer: 1 << 28 },
  );
  return { text: r.stdout ?? '', ok: r.status === 0, stderr: r.stderr ?? '' };
}

export interface PosWord {
  file: string;
  line: number;
  word: string;
}

/**
 * Split preprocessor output into white-space separated words, each with the file:line that dtc's
 * lexer would give it (from `# LINE "FILE" flags` linemarkers and newlines).
 */
export function mappedWords(text: string): PosWord[] {
  const out: PosWord[] = [];
  let file = '';
  let line = 1;
  const lines = text.split('\n');
  const marker = /^#\s*(?:line)?\s+(\d+)\s+"((?:[^"\\]|\\.)*)"(?:\s+\d+)*\s*$/;
  for (const l of lines) {
    if (l.startsWith('#')) {
      const m = marker.exec(l);
      if (m) {
        line = Number(m[1]);
        file = m[2]!.replace(/\\(.)/g, '$1');
        continue;
      }
    }
    for (const w of l.split(/[ \t\f\v\r]+/)) if (w) out.push({ file, line, word: w });
    line++;
  }
  return out;
}

/** First difference between two outputs, or undefined when dtc would see the same thing. */
export function compareOutputs(ours: string, theirs: string): string | undefined {
  const a = mappedWords(ours);
  const b = mappedWords(theirs);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!,
      y = b[i]!;
    if (x.word !== y.word || x.line !== y.line || x.file !== y.file) {
      return `word ${i}: ours ${JSON.stringify(x.word)} at ${x.file}:${x.line}, cpp ${JSON.stringify(y.word)} at ${y.file}:${y.line}`;
    }
  }
  if (a.length !== b.length) {
    const extra = a.length > b.length ? a[n]! : b[n]!;
    return `${a.length > b.length ? 'ours' : 'cpp'} has more words (${a.length} vs ${b.length}), first extra ${JSON.stringify(extra.word)} at ${extra.file}:${extra.line}`;
  }
  return undefined;
}
