#!/usr/bin/env bash
# Benchmark of `make lab`: the wall time of each phase for a first run from nothing and for a re-run,
# as one table. --cold also empties the lab's download caches first (pip and apt), as on a new machine.
# It removes the lab before and leaves it up after.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
state=inventories/lab/.state
if [ "${1:-}" = --cold ]; then LAB_PURGE=1 bash scripts/lab.sh destroy; else bash scripts/lab.sh destroy; fi
run() {  # run LABEL: one `lab.sh up`, its phases tagged with LABEL
  local start=$SECONDS
  bash scripts/lab.sh up > "/tmp/bench-lab-$1.log" 2>&1 || { echo "lab.sh up failed, see /tmp/bench-lab-$1.log" >&2; exit 1; }
  tail -n +2 "$state/timings.tsv" | sed "s/^/$1\t/" >> /tmp/bench-lab.tsv
  printf '%s\ttotal\t%s\tok\n' "$1" "$((SECONDS - start))" >> /tmp/bench-lab.tsv
}
printf 'run\tphase\tseconds\tresult\n' > /tmp/bench-lab.tsv
run "first$([ "${1:-}" = --cold ] && echo ' (cold caches)')"
run re-run
column -t -s $'\t' /tmp/bench-lab.tsv
