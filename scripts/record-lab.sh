#!/usr/bin/env bash
# Re-record the kernel lab's observations (data/lab/<kernel>.jsonl.gz) from scratch or resume:
# fetches the five core Debian kernels, boots 300 generated cases (seed 1) on each under QEMU,
# three QEMUs at a time by default (JOBS=…).
# Every 5th case boots fully to /init (iomem, debugfs memblock, CmaTotal); the others stop once
# reserved memory is settled. Cached per case in $CARVEOUT_CACHE (default ~/.cache/carveout):
# a re-run only boots what is missing. Takes ~1-2 hours on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v qemu-system-aarch64 >/dev/null || { echo "record-lab: apt-get install qemu-system-arm" >&2; exit 2; }
exec npm run lab -- --cases "${CASES:-300}" --seed "${SEED:-1}" --jobs "${JOBS:-3}" --full-every "${FULL_EVERY:-5}" "$@"
