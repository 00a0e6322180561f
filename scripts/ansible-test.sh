#!/usr/bin/env bash
# ansible-test needs the collection at .../ansible_collections/<ns>/<name>: copy the tracked
# (and new, not ignored) files there and run it. Usage: scripts/ansible-test.sh sanity [args]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
venv=${LBAAS_VENV:-$top/.venv}
work=$top/.cache/ansible-test/ansible_collections/lbaas/octavia
rm -rf "$work"; mkdir -p "$work"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp -P --parents -t "$work")
# a git repo there makes ansible-test consider exactly these files
(cd "$work" && git init -q && git add -A)
# ansible-test bootstraps pip into its sanity venvs with a get-pip script from
# ci-files.testing.ansible.com, which is not reachable here. Stand in for it with the pip of
# our own venv, which installs the requested pip (from PyPI) into the sanity venv.
pipver=$("$venv/bin/python" -c 'import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text()
print(re.search(r"pip=.([0-9.]+).", src).group(1))')
getpip=$HOME/.ansible/test/cache/get_pip_${pipver//./_}.py
if [ ! -f "$getpip" ] || ! grep -q lbaas.octavia "$getpip"; then
  mkdir -p "$(dirname "$getpip")"
  cat > "$getpip" <<PY
# lbaas.octavia stand-in for get-pip.py: install pip and the given packages with the pip
# found in $venv.
import sys
sys.path.append("$("$venv/bin/python" -c 'import pip, os; print(os.path.dirname(os.path.dirname(pip.__file__)))')")
from pip._internal.cli.main import main
sys.exit(main(["install"] + [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]))
PY
fi

# openstack.cloud (a dependency in galaxy.yml) beside the collection: ansible-test looks for other
# collections only in the same collection root, and neutron_port imports its OpenStackModule
deps=$(dirname "$(dirname "$work")")/openstack
rm -rf "$deps"; mkdir -p "$deps"
cp -r "$("$venv/bin/python" -c 'import ansible_collections.openstack.cloud as c; print(list(c.__path__)[0])')" "$deps/cloud"
cd "$work"
export PATH=$venv/bin:$PATH
py=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
exec ansible-test "$@" --python "$py" --color no
