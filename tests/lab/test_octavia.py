"""Octavia deployed by site.yaml on the lab: a demo user with load-balancer_member (and member) drives it
with the openstack CLI, as the issue's operator would, and site.yaml's units run where they belong."""
import json
import os
import subprocess
import sys
import uuid

from conftest import CLOUDS

BIN = os.path.dirname(sys.executable)
NAME = 'lab-cli-' + uuid.uuid4().hex[:6]


def cli(*args):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=CLOUDS, OS_CLOUD='lbaas-lab-demo')
    proc = subprocess.run([os.path.join(BIN, 'openstack')] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 0, (args, proc.stderr[-2000:])
    return proc.stdout


def test_demo_user_creates_an_active_load_balancer_with_the_cli(first_run, demo):
    subnet = demo.network.find_subnet('lbaas-demo-subnet')  # made by playbooks/demo.yaml
    assert subnet is not None
    lb = json.loads(cli('loadbalancer', 'create', '--name', NAME, '--vip-subnet-id', subnet.id, '--wait',
                        '-f', 'json'))
    try:
        assert lb['provisioning_status'] == 'ACTIVE', lb
        assert NAME in cli('loadbalancer', 'list', '-f', 'value', '-c', 'name').split()
    finally:
        cli('loadbalancer', 'delete', '--cascade', '--wait', NAME)
    assert NAME not in cli('loadbalancer', 'list', '-f', 'value', '-c', 'name').split()


def units(node):
    out = subprocess.run(['podman', 'exec', node, 'systemctl', 'list-units', '--state=running', '--no-legend',
                          'octavia-*'], stdout=subprocess.PIPE, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def test_services_run_where_they_belong(first_run):
    assert units('lbaas-lab-controller') == {'octavia-api.service'}
    assert {'octavia-worker.service', 'octavia-health-manager.service', 'octavia-housekeeping.service',
            'octavia-driver-agent.service'} <= units('lbaas-lab-network')
