#!/usr/bin/env bash
# The lab as the test cloud: bring it up (from nothing when there is none), check its services and
# that a second run changes nothing (tests/lab), run the load-balancer modules' integration tests
# against its Octavia (tests/integration), and remove it again if this script made it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
made=0
if [ -z "$(podman ps -a -q --filter label=lbaas-octavia=lab)" ]; then
  made=1
  echo "lab-test: no lab here: bringing one up from nothing (removed at the end)"
else
  echo "lab-test: using the existing lab (kept at the end)"
fi
cleanup() {
  rc=$?
  if [ "$made" = 1 ] && [ "${LBAAS_LAB_KEEP:-0}" != 1 ]; then
    bash scripts/lab.sh destroy
    left=$(podman ps -a -q --filter label=lbaas-octavia=lab)
    if [ -n "$left" ] || podman network exists lbaas-lab; then
      echo "lab-test: FAILED: lab.sh destroy left containers or the network behind" >&2
      rc=1
    fi
  fi
  exit $rc
}
trap cleanup EXIT
pytest -q -p no:cacheprovider tests/lab
echo "lab-test: the load-balancer modules against the lab's Octavia"
OS_CLIENT_CONFIG_FILE=$top/inventories/lab/clouds.yaml OS_CLOUD=lbaas-lab-demo \
  pytest -q -rs -p no:cacheprovider tests/integration
