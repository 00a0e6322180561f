"""Octavia deployed by site.yaml on the lab: a demo user with load-balancer_member (and member) drives it
with the openstack CLI, as the issue's operator would, and site.yaml's units run where they belong."""
import json
import os
import subprocess
import sys

import data_plane as dp
from conftest import CLOUDS

BIN = os.path.dirname(sys.executable)


def cli(*args):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=CLOUDS, OS_CLOUD='lbaas-lab-demo')
    proc = subprocess.run([os.path.join(BIN, 'openstack')] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 0, (args, proc.stderr[-2000:])
    return proc.stdout


def test_demo_user_reads_the_demo_load_balancer_with_the_cli(first_run, demo):
    # the demo's load balancer (playbooks/demo.yaml) is shared by the data-plane tests: a second one would boot a
    # second amphora. The CLI reads what the seed article shows: the load balancer, its status tree and its stats.
    lb = json.loads(cli('loadbalancer', 'show', 'demo-lb', '-f', 'json'))
    assert lb['provisioning_status'] == 'ACTIVE', lb
    assert 'demo-lb' in cli('loadbalancer', 'list', '-f', 'value', '-c', 'name').split()
    tree = json.loads(cli('loadbalancer', 'status', 'show', 'demo-lb'))['loadbalancer']
    members = [m for listener in tree['listeners'] for pool in listener['pools'] for m in pool['members']]
    assert len(members) == 2, tree
    if dp.octavia_profile() == 'amphora':  # noop drivers check no member
        assert tree['operating_status'] == 'ONLINE' and {m['operating_status'] for m in members} == {'ONLINE'}, tree
    stats = json.loads(cli('loadbalancer', 'stats', 'show', 'demo-lb', '-f', 'json'))
    assert {'active_connections', 'bytes_in', 'bytes_out', 'total_connections'} <= set(stats), stats


def units(node):
    out = subprocess.run(['podman', 'exec', node, 'systemctl', 'list-units', '--state=running', '--no-legend',
                          'octavia-*'], stdout=subprocess.PIPE, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def test_services_run_where_they_belong(first_run):
    assert units('lbaas-lab-controller') == {'octavia-api.service'}
    assert {'octavia-worker.service', 'octavia-health-manager.service', 'octavia-housekeeping.service',
            'octavia-driver-agent.service'} <= units('lbaas-lab-network')
