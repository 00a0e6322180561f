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
  owner=$(podman inspect --format '{{ index .Config.Labels "lbaas-octavia.inventory" }}' lbaas-lab-controller 2>/dev/null || true)
  if [ "$owner" != "$top/inventories/lab" ]; then
    echo "lab-test: the lab on this machine belongs to ${owner:-another checkout}, whose passwords this one does not" >&2
    echo "lab-test: have; remove it there (make lab-destroy) or with: podman rm -f \$(podman ps -aq --filter label=lbaas-octavia=lab)" >&2
    exit 1
  fi
  echo "lab-test: using the existing lab (kept at the end)"
fi
# What a failed run leaves before the lab is removed: the whole report in a file outside the checkout (CI's log keeps
# only its tail), and its most telling part printed last: the worker's, health manager's and OVS agent's last
# messages, the network node's OVS ports with their VLAN tags, the amphorae's consoles, the amphorae and every load
# balancer's status tree.
diagnose() {
  local os=(env OS_CLIENT_CONFIG_FILE="$top/inventories/lab/clouds.yaml" openstack --os-cloud lbaas-lab-admin)
  local dir=${LBAAS_LAB_TEST_REPORTS:-/var/tmp/lbaas-octavia/lab-test}
  local report lb server servers
  servers=$("${os[@]}" server list --all-projects -f value -c ID 2>/dev/null || true)
  install -d -m 0700 "$dir"  # journals may name hosts and users: root only
  report=$dir/failure-$(date -u +%Y%m%dT%H%M%SZ).log
  {
    echo "=== journals of the network node (whole, this boot)"
    podman exec lbaas-lab-network journalctl -u octavia-worker -u octavia-health-manager -u neutron-openvswitch-agent \
      -u neutron-dhcp-agent -u nova-compute -u 'octavia-hm-port*' --no-pager || true
    echo "=== OVS on the network node"
    podman exec lbaas-lab-network ovs-vsctl show || true
    podman exec lbaas-lab-network ovs-ofctl dump-flows br-int || true
    echo "=== ports (admin)"
    "${os[@]}" port list --long || true
    for server in $servers; do
      echo "=== console of server $server"
      "${os[@]}" console log show "$server" || true
    done
  } >"$report" 2>&1
  {
    echo "lab-test: the lab as the failure left it (whole report: $report)"
    podman exec lbaas-lab-network journalctl -u octavia-worker -u octavia-health-manager -u neutron-openvswitch-agent \
      -n 60 --no-pager || true
    podman exec lbaas-lab-network ovs-vsctl -f table --columns=name,tag list Port || true
    for server in $servers; do
      echo "--- console of server $server (last 25 lines)"
      "${os[@]}" console log show --lines 25 "$server" || true
    done
    "${os[@]}" loadbalancer amphora list || true
    for lb in $("${os[@]}" loadbalancer list -f value -c id 2>/dev/null); do
      "${os[@]}" loadbalancer status show "$lb" || true
    done
  } 2>&1 | tee -a "$report" >&2
}
cleanup() {
  rc=$?
  if [ "$rc" != 0 ] && [ "$made" = 1 ]; then diagnose; fi
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
# test_lb_mgmt last: its reboot-like restart (neutron-ovs-cleanup) unplugs every port on br-int, the amphora's and
# the demo's web servers' too, which the tests before it use.
lab_tests=()
for t in tests/lab/test_*.py; do [ "$t" = tests/lab/test_lb_mgmt.py ] || lab_tests+=("$t"); done
pytest -q --durations=12 -p no:cacheprovider "${lab_tests[@]}" tests/lab/test_lb_mgmt.py
echo "lab-test: the lab and its tests done at ${SECONDS} s"

# The modules' tests create and delete dozens of load balancers: with real amphorae (1-4 minutes each under TCG)
# they would take hours, so Octavia runs them with its noop drivers, then gets its profile back. The profile is the
# control plane's alone: its step playbook reads the lb-mgmt, image and flavor ids back from the cloud (tests/lab
# checks that), a few minutes less than site.yaml's every step.
octavia_profile() {
  local log
  log=$(mktemp)
  echo "lab-test: Octavia's $1 profile"
  LAB_OCTAVIA_PROFILE=$1 ansible-playbook -i inventories/lab playbooks/octavia_control_plane.yaml >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}
octavia_profile noop
if [ "$made" = 0 ]; then trap 'rc=$?; octavia_profile amphora || rc=1; (exit $rc); cleanup' EXIT; fi
echo "lab-test: the load-balancer modules against the lab's Octavia (at ${SECONDS} s)"
# The health-gate test plays an amphora: it sends signed heartbeats to the health manager, from the
# network node's network namespace (the health manager listens on the lb-mgmt network there).
hm_conf() {
  podman exec lbaas-lab-network cat /etc/octavia/octavia.conf | python3 -c 'import configparser, sys
c = configparser.ConfigParser(interpolation=None); c.read_string(sys.stdin.read())
print(c.get("health_manager", sys.argv[1]))' "$1"
}
LBAAS_TEST_HEARTBEAT="$(hm_conf bind_ip):$(hm_conf bind_port)"
LBAAS_TEST_HEARTBEAT_KEY=$(hm_conf heartbeat_key)
LBAAS_TEST_HEARTBEAT_NETNS=/proc/$(podman inspect --format '{{.State.Pid}}' lbaas-lab-network)/ns/net
export LBAAS_TEST_HEARTBEAT LBAAS_TEST_HEARTBEAT_KEY LBAAS_TEST_HEARTBEAT_NETNS
OS_CLIENT_CONFIG_FILE=$top/inventories/lab/clouds.yaml OS_CLOUD=lbaas-lab-demo LBAAS_TEST_ADMIN_CLOUD=lbaas-lab-admin \
  pytest -q -rs --durations=12 -p no:cacheprovider tests/integration
# Faults injected into the lab while the roles and modules work (tests/fault): each prints what it injected,
# what happened, seconds to recover and objects lost. One test per kind of fault here; the long ones (several
# minutes each: the secrets audit, restarts of whole services, the L3 router) run with make fault, for make test's
# time budget.
echo "lab-test: the fault-injection suite (make fault runs the long tests too; at ${SECONDS} s)"
OS_CLIENT_CONFIG_FILE=$top/inventories/lab/clouds.yaml OS_CLOUD=lbaas-lab-demo LBAAS_TEST_ADMIN_CLOUD=lbaas-lab-admin \
  pytest -q -rs -s --durations=12 -p no:cacheprovider -m "not long" tests/fault
