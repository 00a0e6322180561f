#!/usr/bin/env bash
# Benchmark of `make lab`: the wall time of each phase (the set-up scripts, then lab.sh's) for a first run from
# nothing and for re-runs, as one table.
#   bench-lab.sh [--cold] [--reruns N]
# --cold also empties the lab's download caches first (pip, apt, the amphora build's), as on a new machine;
# --reruns N re-runs N times (default 1), to show how much re-runs vary. It removes the lab before and leaves it
# up after.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
state=inventories/lab/.state
cold=0 reruns=1
while [ $# -gt 0 ]; do
  case $1 in
    --cold) cold=1; shift ;;
    --reruns) reruns=$2; shift 2 ;;
    *) echo "usage: $0 [--cold] [--reruns N]" >&2; exit 2 ;;
  esac
done
LAB_PURGE=$cold bash scripts/lab.sh destroy
run() {  # run LABEL: one `make lab` (its set-up, then `lab.sh up`), its phases tagged with LABEL
  local start=$SECONDS log="/tmp/bench-lab-$1.log"
  make -s setup-controller setup-podman > "$log" 2>&1 || { echo "set-up failed, see $log" >&2; exit 1; }
  printf '%s\tset-up (setup-controller, setup-podman)\t%s\tok\n' "$1" "$((SECONDS - start))" >> /tmp/bench-lab.tsv
  bash scripts/lab.sh up >> "$log" 2>&1 || { echo "lab.sh up failed, see $log" >&2; exit 1; }
  tail -n +2 "$state/timings.tsv" | sed "s/^/$1\t/" >> /tmp/bench-lab.tsv
  printf '%s\ttotal\t%s\tok\n' "$1" "$((SECONDS - start))" >> /tmp/bench-lab.tsv
}
printf 'run\tphase\tseconds\tresult\n' > /tmp/bench-lab.tsv
run "first$([ "$cold" = 1 ] && echo ' (cold caches)')"
for i in $(seq 1 "$reruns"); do run "re-run $i"; done
column -t -s $'\t' /tmp/bench-lab.tsv
