"""The lab test: brings the lab up (scripts/lab.sh up) once for the session and hands the output to the
tests. scripts/lab-test.sh runs this, then the modules' integration tests against the same lab, then
removes the lab if it made it."""
import os
import re
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLOUDS = os.path.join(TOP, 'inventories', 'lab', 'clouds.yaml')
BIN = os.path.dirname(sys.executable)


def lab_up(skip_base=False):
    """Run `lab.sh up` (skip_base: site.yaml and the demo only); return (rc, output)."""
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ['PATH'], ANSIBLE_NOCOLOR='1', PY_COLORS='0',
               LAB_SKIP_BASE='1' if skip_base else '0')
    proc = subprocess.run(['bash', os.path.join(TOP, 'scripts', 'lab.sh'), 'up'], cwd=TOP, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return proc.returncode, proc.stdout


def recaps(output):
    """Every PLAY RECAP line of every playbook run: [(host, {counter: n})]."""
    found = []
    for line in output.splitlines():
        match = re.match(r'^(\S+)\s+:\s+(ok=.*)$', line)
        if match:
            found.append((match.group(1), {k: int(v) for k, v in (kv.split('=') for kv in match.group(2).split())}))
    return found


def connect(cloud):
    import openstack
    os.environ['OS_CLIENT_CONFIG_FILE'] = CLOUDS
    return openstack.connect(cloud=cloud)


def failures(output):
    """The failed tasks of a playbook's output, each with its task header, so that a failure early in a long
    run is not hidden behind the output's tail."""
    lines = output.splitlines()
    found = []
    for i, line in enumerate(lines):
        if re.match(r'^(fatal|failed): \[', line):
            task = next((lines[j] for j in range(i, -1, -1) if lines[j].startswith('TASK [')), '')
            found.append(task + '\n' + '\n'.join(lines[i:i + 12]))
    return '\n...\n'.join(found)


@pytest.fixture(scope='session')
def first_run():
    rc, out = lab_up()
    assert rc == 0, 'failed tasks:\n' + failures(out)[-8000:] + '\n\nthe end of the output:\n' + out[-4000:]
    return out


@pytest.fixture(scope='session')
def admin(first_run):
    return connect('lbaas-lab-admin')


@pytest.fixture(scope='session')
def demo(first_run):
    return connect('lbaas-lab-demo')
