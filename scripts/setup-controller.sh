#!/usr/bin/env bash
# Build the controller toolchain: a Python >= 3.12 venv in .venv with the pinned
# requirements, and a collections path in which this checkout is lbaas.octavia.
# Idempotent: re-running only re-installs when requirements.txt changed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
venv=${LBAAS_VENV:-$top/.venv}

find_python() {
  local c v
  for c in "${LBAAS_PYTHON:-}" python3.13 python3.12 \
           "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
           /usr/local/bin/python3 /usr/bin/python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
    v=$("$c" -c 'import sys; print("%d%02d" % sys.version_info[:2])' 2>/dev/null) || continue
    if [ "$v" -ge 312 ]; then command -v "$c" 2>/dev/null || echo "$c"; return 0; fi
  done
  return 1
}

apt_install() {  # apt_install PKG...: install Debian packages, updating the lists first if they are stale
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "$@" >/dev/null \
    || { apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null && \
         DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "$@" >/dev/null; }
}

# Host tools the tests use besides Python (ansible-test sanity runs shellcheck when present).
if [ "$(id -u)" = 0 ] && ! command -v shellcheck >/dev/null; then
  apt_install shellcheck
fi

if [ ! -x "$venv/bin/python" ]; then
  py=$(find_python) || {
    cat >&2 <<MSG
ERROR: no Python >= 3.12 found (tried python3.13, python3.12, ~/.pyenv/versions/3.1[23]*, python3).
The pinned 'ansible' package (openstack.cloud 2.6) needs Python >= 3.12 on the controller.
Install one, e.g. 'pyenv install 3.12' or Debian trixie's python3.12, or set LBAAS_PYTHON=/path/to/python3.12.
MSG
    exit 1
  }
  echo "setup-controller: creating $venv with $py"
  "$py" -m venv "$venv"
fi

stamp=$venv/.requirements.sha256
want=$(sha256sum "$top/requirements.txt" | cut -d' ' -f1)
# pip here is configured with extra file:// indexes that may not exist; their warnings are noise.
pip_q() { "$venv/bin/pip" "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup-controller: installing requirements.txt into $venv"
  pip_q install -q --upgrade pip
  pip_q install -q -r "$top/requirements.txt"
  echo "$want" > "$stamp"
fi

# This checkout, seen by Ansible as the installed collection lbaas.octavia.
colls=$top/.ansible/collections/ansible_collections
mkdir -p "$colls/lbaas"
ln -sfn "$top" "$colls/lbaas/octavia"
# openvswitch.openvswitch left the ansible package after 10.x: take it from that release's wheel.
ovs_from=${LBAAS_OVS_COLLECTION_FROM:-ansible==10.7.0}
if [ ! -f "$colls/openvswitch/openvswitch/MANIFEST.json" ]; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/lbaas-octavia/wheels
  mkdir -p "$cache"
  whl=$(find "$cache" -maxdepth 1 -name "ansible-${ovs_from#ansible==}-*.whl" | head -1)
  if [ -z "$whl" ]; then
    echo "setup-controller: fetching openvswitch.openvswitch from $ovs_from"
    pip_q download -q --no-deps "$ovs_from" -d "$cache"
    whl=$(find "$cache" -maxdepth 1 -name "ansible-${ovs_from#ansible==}-*.whl" | head -1)
  fi
  tmp=$(mktemp -d)
  "$venv/bin/python" -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("ansible_collections/openvswitch/openvswitch/")])' "$whl" "$tmp"
  mkdir -p "$colls/openvswitch"
  rm -rf "$colls/openvswitch/openvswitch"
  mv "$tmp/ansible_collections/openvswitch/openvswitch" "$colls/openvswitch/openvswitch"
  rm -rf "$tmp"
fi

# The deployment host's module interpreter (inventories/*: lab_deployer_python): a venv on the system's python3.
# Every module that runs on localhost starts a Python and imports its libraries again; Debian's python3 is built
# with PGO and LTO, pyenv's builds are not, and an openstack.cloud module runs about a third faster on it
# (0.41 s against 0.63 s a call, measured in docs/lab.md). Skipped without a python3 >= 3.10 there: the
# inventories then fall back to the controller's venv.
dvenv=${LBAAS_DEPLOYER_VENV:-$top/.venv-deployer}
dpy=${LBAAS_DEPLOYER_PYTHON:-/usr/bin/python3}
if [ "$(id -u)" = 0 ] && [ "$dpy" = /usr/bin/python3 ] && [ -x "$dpy" ] && ! "$dpy" -c 'import ensurepip' 2>/dev/null; then
  apt_install python3-venv
fi
if [ -x "$dpy" ] && "$dpy" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  dwant=$(cat "$top/requirements-deployer.txt" "$top/requirements.txt" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$dvenv/.requirements.sha256" 2>/dev/null)" != "$dwant" ]; then
    echo "setup-controller: installing requirements-deployer.txt into $dvenv ($dpy)"
    [ -x "$dvenv/bin/python" ] || "$dpy" -m venv "$dvenv"
    "$dvenv/bin/pip" install -q -r "$top/requirements-deployer.txt" \
      2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
    echo "$dwant" > "$dvenv/.requirements.sha256"
  fi
else
  echo "setup-controller: no python3 >= 3.10 with venv at $dpy: modules on the deployment host use $venv"
fi

echo "setup-controller: $("$venv/bin/ansible" --version | head -1), python $("$venv/bin/python" -V | cut -d' ' -f2)"
