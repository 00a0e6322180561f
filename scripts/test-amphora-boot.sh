#!/usr/bin/env bash
# The long amphora test (not in make test): build the amphora image with lbaas.octavia.amphora_image (or
# reuse the one built from the same inputs; the lab's settings: Debian, no partition table), boot it under
# QEMU (TCG, direct kernel boot) with a config drive holding an agent config rendered by Octavia's own
# templater, a server certificate issued by Octavia's own generator from the lab's server CA and the lab's
# client CA (inventories/lab/.state/octavia-pki, or a throwaway one, made by lbaas.octavia.certificates), then call the agent
# on 9443 with Octavia's own AmphoraAPIClient and our client certificate; a call without a client
# certificate must be refused. About 5 min of boot on 2 cores plus the build when it is not cached.
#   scripts/test-amphora-boot.sh [IMAGE.qcow2]     (AMPHORA_BOOT_TIMEOUT=900 seconds by default)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
pki=${AMPHORA_BOOT_PKI:-$top/inventories/lab/.state/octavia-pki}
bash scripts/setup-controller.sh >/dev/null
export ANSIBLE_COLLECTIONS_PATH=$top/.ansible/collections ANSIBLE_CONFIG=$top/ansible.cfg
PATH=$top/.venv/bin:$PATH
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v genisoimage >/dev/null || missing+=(genisoimage)
command -v debugfs >/dev/null || missing+=(e2fsprogs)
command -v qemu-img >/dev/null || missing+=(qemu-utils)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
octavia_venv=$(bash scripts/setup-octavia-venv.sh | tail -n1)
work=$(mktemp -d "${TMPDIR:-/tmp}/amphora-boot.XXXXXX")
# On failure the work dir stays (console log, the guest's disk overlay for debugfs) unless AMPHORA_BOOT_KEEP=0.
trap 'if [ "${rc:-1}" = 0 ] || [ "${AMPHORA_BOOT_KEEP:-1}" = 0 ]; then rm -rf "$work"; else echo "test-amphora-boot: kept $work" >&2; fi' EXIT

if [ ! -f "$pki/server_ca.cert.pem" ]; then
  # No lab (or no AMPHORA_BOOT_PKI): a throwaway PKI from the certificates role, gone with the work dir.
  pki=$work/pki
  ansible-playbook -i localhost, tests/boot/pki.yml -e amphora_boot_pki_dir="$pki"
fi
image=${1:-}
if [ -z "$image" ]; then
  start=$SECONDS
  ansible-playbook -i localhost, tests/boot/build.yml -e amphora_boot_image_path_file="$work/image-path"
  image=$(cat "$work/image-path")
  echo "test-amphora-boot: image $image ($((SECONDS - start))s to build or find)"
fi
# Direct kernel boot: the kernel and initrd from the image's filesystem (no partition table: debugfs reads it).
qemu-img convert -O raw "$image" "$work/root.raw"
kernel=$(debugfs -R 'ls -p /boot' "$work/root.raw" 2>/dev/null | awk -F/ '$6 ~ /^vmlinuz-/ {print $6}' | sort -V | tail -n1)
initrd=$(debugfs -R 'ls -p /boot' "$work/root.raw" 2>/dev/null | awk -F/ '$6 ~ /^initrd.img-/ {print $6}' | sort -V | tail -n1)
if [ -z "$kernel" ] || [ -z "$initrd" ]; then echo "no kernel/initrd in /boot of $image" >&2; exit 1; fi
debugfs -R "dump /boot/$kernel $work/vmlinuz" "$work/root.raw" 2>/dev/null
debugfs -R "dump /boot/$initrd $work/initrd" "$work/root.raw" 2>/dev/null
rm -f "$work/root.raw"
echo "test-amphora-boot: booting $image ($kernel) under QEMU/TCG; console in $work/console.log"
start=$SECONDS
rc=0
"$octavia_venv/bin/python" tests/boot/amphora_boot.py "$work" "$pki" "$image" "$work/vmlinuz" "$work/initrd" || rc=$?
echo "test-amphora-boot: $([ $rc = 0 ] && echo PASSED || echo FAILED) after $((SECONDS - start))s"
if [ $rc != 0 ]; then tail -n 60 "$work/console.log" || true; fi
exit $rc
