"""The demo's tenant hosts (lbaas.octavia.lab_tenant_hosts, run by playbooks/demo.yaml): web-1 and web-2 serve HTTP
and client curls them, each a network namespace on the network node plugged into br-int on a real Neutron port of
the demo subnet. Works with the noop drivers as with amphorae: nothing here goes through the load balancer.

Checks: the ports are ACTIVE and bound to the network node; both backends answer with their names from the client's
namespace; stopping web-2's server makes it stop answering and starting it makes it answer again; the role repairs
plumbing broken by hand; re-running the role changes nothing. Runs after the session's first_run (lab.sh up, which
runs the demo)."""
import os
import subprocess
import sys

import pytest

from conftest import TOP, recaps
from data_plane import wait_until

NODE = 'lbaas-lab-network'
AGENT_HOST = 'network'
HOSTS = {'web-1': True, 'web-2': True, 'client': False}
PORT_PREFIX = 'lab-tenant-host-'
DEVICE_OWNER = 'compute:lab'
HTTP_UNIT = 'lab-tenant-http@%s.service'
HOST_UNIT = 'lab-tenant-host@%s.service'


def node(script, check=True, timeout=120):
    """Run a shell script on the network node; return (rc, stdout with stderr folded in)."""
    proc = subprocess.run(['podman', 'exec', NODE, 'bash', '-c', script], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False, timeout=timeout)
    if check:
        assert proc.returncode == 0, '%s\n-> rc %d\n%s' % (script, proc.returncode, proc.stdout)
    return proc.returncode, proc.stdout


def curl(address):
    """GET http://address/ from the client's namespace: (curl's rc, body)."""
    return node('ip netns exec client curl -s --max-time 5 http://%s/' % address, check=False)


def run_role():
    """The demo's tenant-hosts part alone (its network, subnet and the role: tag lab_tenant_hosts); (rc, output)."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
               ANSIBLE_NOCOLOR='1', ANSIBLE_CONFIG=os.path.join(TOP, 'ansible.cfg'),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, '.ansible', 'collections'),
               OS_CLIENT_CONFIG_FILE=os.path.join(TOP, 'inventories', 'lab', 'clouds.yaml'))
    proc = subprocess.run(['ansible-playbook', '-i', os.path.join(TOP, 'inventories', 'lab'),
                           os.path.join(TOP, 'playbooks', 'demo.yaml'), '--tags', 'lab_tenant_hosts'],
                          cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return proc.returncode, proc.stdout


@pytest.fixture(scope='module')
def ports(admin):
    """{host name: its Neutron port} (as admin: binding:host_id is an admin-only field)."""
    found = {p.name[len(PORT_PREFIX):]: p for p in admin.network.ports(device_owner=DEVICE_OWNER)
             if p.name.startswith(PORT_PREFIX)}
    assert set(HOSTS) <= set(found), 'tenant-host ports: %s' % sorted(found)
    return found


def address(port):
    return port.fixed_ips[0]['ip_address']


def test_ports_active_and_bound_to_the_network_node(admin, ports):
    demo_project = admin.identity.find_project('demo', ignore_missing=False)
    for name in HOSTS:
        port = admin.network.get_port(ports[name].id)
        assert port.status == 'ACTIVE', (name, port.status)
        assert port.binding_host_id == AGENT_HOST, (name, port.binding_host_id)
        assert port.binding_vif_type == 'ovs', (name, port.binding_vif_type)
        assert port.project_id == demo_project.id, name
        # the namespace holds the port's device with its MAC and address, and OVS tagged it with a local VLAN
        dev = 'tap' + port.id[:11]
        dummy, link = node('ip -n %s -o link show dev %s; ip -n %s -o -4 addr show dev %s' % (name, dev, name, dev))
        assert port.mac_address in link and address(port) + '/' in link, link
        dummy, tag = node('ovs-vsctl get Port %s tag' % dev)
        assert tag.strip().isdigit() and 0 < int(tag) < 4095, (name, tag)


def test_backends_answer_with_their_names_from_the_client(ports):
    for name, http in HOSTS.items():
        if http:
            rc, body = curl(address(ports[name]))
            assert rc == 0 and body == name + '\n', (name, rc, body)
    # and the client's firewall lets ICMP in (the security group), from a backend's namespace
    node('ip netns exec web-1 ping -c 1 -W 2 %s' % address(ports['client']))


def test_stopping_web2_stops_its_answers_and_starting_it_restores_them(ports):
    web2 = address(ports['web-2'])
    node('systemctl stop %s' % HTTP_UNIT % 'web-2')
    try:
        rc, body = curl(web2)
        assert rc != 0 and body == '', (rc, body)
        rc, body = curl(address(ports['web-1']))
        assert rc == 0 and body == 'web-1\n', (rc, body)
    finally:
        node('systemctl start %s' % HTTP_UNIT % 'web-2')
    assert wait_until(lambda: curl(web2) == (0, 'web-2\n'), 20), curl(web2)


def test_the_role_repairs_broken_plumbing(ports):
    dev = 'tap' + ports['web-1'].id[:11]
    node('ip -n web-1 addr flush dev %s' % dev)
    assert curl(address(ports['web-1']))[0] != 0
    rc, out = run_role()
    assert rc == 0, out[-6000:]
    assert 'lab-tenant-host@web-1.service' in out and 'add address' in out, out[-6000:]
    rc, body = curl(address(ports['web-1']))
    assert rc == 0 and body == 'web-1\n', (rc, body)


def test_units_verify_silently(ports):
    units = [HOST_UNIT % name for name in HOSTS] + [HTTP_UNIT % name for name, http in HOSTS.items() if http]
    rc, out = node('systemd-analyze verify %s' % ' '.join(units), check=False)
    assert rc == 0 and out == '', out


def test_rerun_changes_nothing(ports):
    rc, out = run_role()
    assert rc == 0, out[-6000:]
    found = recaps(out)
    assert found, out[-3000:]
    changed = {host: counts['changed'] for host, counts in found if counts['changed']}
    assert not changed, out[-6000:]
