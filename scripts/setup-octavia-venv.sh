#!/usr/bin/env bash
# A host-side venv with the real Octavia (PyPI), for tests that run Octavia's own code
# (certificate generator, amphora REST client TLS). Idempotent; prints the venv path.
set -euo pipefail
version=${LBAAS_OCTAVIA_VERSION:-19.0.0}
venv=${XDG_CACHE_HOME:-$HOME/.cache}/lbaas-octavia/venvs/octavia-$version
py=${LBAAS_OCTAVIA_PYTHON:-python3}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import octavia, pyroute2" 2>/dev/null; then
  echo "setup-octavia-venv: installing octavia==$version into $venv" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  # the octavia wheel does not declare pyroute2, which its amphora driver modules import
  "$venv/bin/pip" install -q "octavia==$version" pyroute2 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
fi
echo "$venv"
