// The errno values the model's kernel functions return, negated as the C does
// (include/uapi/asm-generic/errno-base.h), and their names for reports.

/** Result of operations the kernel reports as 0 / -errno. */
export type Errno = number;

export const ENOENT = 2;
export const ENOMEM = 12;
export const EBUSY = 16;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;

export const errnoNames: Record<number, string> = {
  [ENOENT]: 'ENOENT',
  [ENOMEM]: 'ENOMEM',
  [EBUSY]: 'EBUSY',
  [ENODEV]: 'ENODEV',
  [EINVAL]: 'EINVAL',
  [ENOSPC]: 'ENOSPC',
};

/** `-EINVAL` style text for a return value (0 → `0`). */
export function errnoText(ret: number): string {
  if (ret === 0) return '0';
  const n = errnoNames[-ret];
  return n ? `-${n}` : String(ret);
}
