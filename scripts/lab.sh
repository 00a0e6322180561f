#!/usr/bin/env bash
# The lab: a real OpenStack in systemd containers, into which site.yaml deploys Octavia.
#   lab.sh up       create or converge the nodes and the base cloud, then site.yaml, then the demo
#                   (LAB_SKIP_BASE=1: site.yaml and the demo only, on the nodes as they are)
#   lab.sh destroy  remove the lab's containers, network and clouds.yaml (LAB_PURGE=1: also its
#                   download caches, the amphora image build's cache and images, and inventories/lab/.state,
#                   which holds its passwords and PKI)
# Every phase's wall time is printed at the end (and kept in inventories/lab/.state/timings.tsv).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
inv=$top/inventories/lab
state=$inv/.state
label=lbaas-octavia=lab
network=lbaas-lab
cache=/var/cache/lbaas-octavia/lab
amphora_cache=/var/cache/lbaas-octavia/amphora  # inventories/lab: amphora_image_cache_dir
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$top/.ansible/collections}
export ANSIBLE_CONFIG=$top/ansible.cfg
export OS_CLIENT_CONFIG_FILE=$inv/clouds.yaml
PATH=$top/.venv/bin:$PATH

timings=()
phase() {  # phase NAME CMD...: run CMD, record its wall time
  local name=$1 start=$SECONDS rc=0
  shift
  echo "=== lab: $name"
  "$@" || rc=$?
  timings+=("$name	$((SECONDS - start))	$([ $rc = 0 ] && echo ok || echo "failed ($rc)")")
  return $rc
}
report() {
  mkdir -p "$state"
  {
    printf 'phase\tseconds\tresult\n'
    printf '%s\n' "${timings[@]}"
  } > "$state/timings.tsv"
  echo
  column -t -s $'\t' "$state/timings.tsv"
}

up() {
  trap report EXIT
  # LAB_SKIP_BASE=1: the base cloud as it is (the lab test's second run checks the product's and the demo's
  # idempotence; the base's own second run costs 3 minutes of make test's budget)
  if [ "${LAB_SKIP_BASE:-0}" != 1 ]; then
    phase "nodes and base cloud (playbooks/lab.yaml)" ansible-playbook -i "$inv" playbooks/lab.yaml
  fi
  phase "Octavia (site.yaml)" ansible-playbook -i "$inv" site.yaml
  phase "demo (playbooks/demo.yaml)" ansible-playbook -i "$inv" playbooks/demo.yaml
  cat <<MSG

The lab is up. From this machine:
  source $top/.venv/bin/activate
  export OS_CLIENT_CONFIG_FILE=$inv/clouds.yaml
  OS_CLOUD=lbaas-lab-admin openstack catalog list      # admin
  OS_CLOUD=lbaas-lab-demo openstack token issue        # demo user, project demo
Nodes: podman exec -it lbaas-lab-controller bash | podman exec -it lbaas-lab-network bash
Remove it with: make lab-destroy
MSG
}

destroy() {
  local ids
  ids=$(podman ps -a -q --filter "label=$label")
  # shellcheck disable=SC2086
  [ -z "$ids" ] || podman rm -f -t 10 $ids >/dev/null
  if podman network exists "$network"; then podman network rm "$network" >/dev/null; fi
  rm -f "$inv/clouds.yaml"
  if [ "${LAB_PURGE:-0}" = 1 ]; then rm -rf "$cache" "$amphora_cache" "$state"; fi
  echo "lab: removed (containers, network $network, clouds.yaml$([ "${LAB_PURGE:-0}" = 1 ] && echo ", caches, state"))"
}

case ${1:-} in
  up) up ;;
  destroy) destroy ;;
  *) echo "usage: $0 up|destroy" >&2; exit 2 ;;
esac
