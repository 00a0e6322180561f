"""Helpers for the functional tests: they run our playbooks and roles for real."""
import json
import os
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def ansible_env(**extra):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(TOP, ".ansible", "collections"),
        "ANSIBLE_CONFIG": os.path.join(TOP, "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PY_COLORS": "0",
    })
    env.update(extra)
    return env


def run_playbook(playbook, extra_vars=None, inventory="localhost,", verbosity=0, check=False, env=None):
    """Run ansible-playbook; return (rc, combined output)."""
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, playbook]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    if check:
        cmd += ["--check", "--diff"]
    proc = subprocess.run(cmd, cwd=TOP, env=ansible_env(**(env or {})), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    return proc.returncode, proc.stdout


def recap(output, host="localhost"):
    """The PLAY RECAP counters of one host, as a dict."""
    for line in output.splitlines():
        if line.startswith(host + " ") and "ok=" in line:
            return {k: int(v) for k, v in (kv.split("=") for kv in line.split(":", 1)[1].split())}
    raise AssertionError("no recap for %s in:\n%s" % (host, output[-3000:]))


@pytest.fixture(scope="session")
def octavia_python():
    """Python of a venv holding the real octavia package from PyPI."""
    out = subprocess.run(["bash", os.path.join(TOP, "scripts", "setup-octavia-venv.sh")], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
    return os.path.join(out, "bin", "python")
