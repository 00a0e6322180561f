#!/usr/bin/env bash
# Run every Molecule scenario (molecule/*/), one after the other, and destroy their
# containers whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'molecule destroy --all >/dev/null 2>&1 || true' EXIT
for s in molecule/*/molecule.yml; do
  name=$(basename "$(dirname "$s")")
  echo "=== molecule test -s $name"
  start=$SECONDS
  molecule test -s "$name"
  echo "=== molecule test -s $name passed in $((SECONDS - start)) s"
done
