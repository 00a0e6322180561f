"""The lab's base cloud answers through its APIs, and converging it again changes nothing."""
import io
import os
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import yaml

from conftest import BIN, TOP, lab_up, recaps

with open(TOP + '/inventories/lab/hosts.yml') as _hosts:
    CONTROLLER_ADDRESS = yaml.safe_load(_hosts)['all']['children']['controller']['hosts']['lbaas-lab-controller'][
        'lab_node_address']

PREFIX = 'lab-test-' + uuid.uuid4().hex[:6]


def test_first_run_converged(first_run):
    assert recaps(first_run), first_run[-3000:]
    assert all(counts['failed'] == 0 and counts['unreachable'] == 0 for dummy, counts in recaps(first_run))


def test_tokens_for_admin_and_demo(admin, demo):
    assert admin.auth_token
    assert demo.auth_token
    assert demo.current_project.name == 'demo'


def test_catalog_has_the_base_services(admin):
    types = {service.type for service in admin.identity.services()}
    assert {'identity', 'image', 'network', 'compute', 'placement'} <= types


def test_compute_node_is_up_and_in_placement(admin):
    computes = [s for s in admin.compute.services() if s.binary == 'nova-compute']
    assert [(s.host, s.state, s.status) for s in computes] == [('network', 'up', 'enabled')], computes
    assert [h.name for h in admin.compute.hypervisors()] == ['network']
    providers = admin.placement.resource_providers()
    assert 'network' in [p.name for p in providers]


def test_endpoints_are_on_the_controller(admin):
    """The deployment host registers them while the controller installs the services: every endpoint must
    still name the controller's address, from every interface."""
    services = {service.id: service.type for service in admin.identity.services()}
    seen = {}
    for endpoint in admin.identity.endpoints():
        seen.setdefault(services[endpoint.service_id], set()).add(endpoint.interface)
        assert urlsplit(endpoint.url).hostname == CONTROLLER_ADDRESS, (services[endpoint.service_id], endpoint.url)
    for kind in ('image', 'network', 'compute', 'placement'):
        assert seen[kind] == {'public', 'internal', 'admin'}, (kind, seen[kind])


def test_network_subnet_and_port(demo):
    net = demo.network.create_network(name=PREFIX + '-net')
    try:
        assert net.provider_network_type in (None, 'vxlan')  # demo users do not see provider attributes
        subnet = demo.network.create_subnet(network_id=net.id, ip_version=4, cidr='192.0.2.0/24',
                                            name=PREFIX + '-subnet')
        port = demo.network.create_port(network_id=net.id, fixed_ips=[{'subnet_id': subnet.id}])
        assert port.fixed_ips[0]['ip_address'].startswith('192.0.2.')
        demo.network.delete_port(port)
        assert demo.network.find_port(port.id) is None
    finally:
        demo.network.delete_network(net, ignore_missing=True)
    assert demo.network.find_network(net.id) is None


def test_agents_alive_on_the_network_node(admin):
    agents = {agent.agent_type: agent for agent in admin.network.agents()}
    for kind in ('Open vSwitch agent', 'DHCP agent'):
        assert kind in agents, sorted(agents)
        assert agents[kind].is_alive, agents[kind]
        assert agents[kind].host == 'network'


def ovs_ports_of(net_id):
    out = subprocess.run(['podman', 'exec', 'lbaas-lab-network', 'ovs-vsctl', '--bare', '--columns=name,tag',
                          'find', 'Port', 'other_config:net_uuid=' + net_id],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    fields = out.split()
    return dict(zip(fields[0::2], fields[1::2]))


def test_dhcp_port_on_br_int_carries_a_local_vlan(admin):
    net = admin.network.create_network(name=PREFIX + '-dhcp', provider_network_type='vxlan')
    try:
        admin.network.create_subnet(network_id=net.id, ip_version=4, cidr='192.0.2.0/24', enable_dhcp=True)
        deadline = time.time() + 90
        ports = {}
        while time.time() < deadline:
            ports = ovs_ports_of(net.id)
            if any(name.startswith('tap') and tag.isdigit() and 0 < int(tag) < 4095 for name, tag in ports.items()):
                break
            time.sleep(2)
        assert any(name.startswith('tap') and tag.isdigit() and 0 < int(tag) < 4095
                   for name, tag in ports.items()), ports
    finally:
        admin.network.delete_network(net, ignore_missing=True)


def test_image_upload_and_list(admin):
    data = b'lbaas-lab-test\n' * 4096
    image = admin.image.create_image(name=PREFIX + '-img', data=io.BytesIO(data), disk_format='raw',
                                     container_format='bare', tags=[PREFIX], wait=True)
    try:
        # the object create_image returns predates the upload: read the image back
        image = admin.image.wait_for_status(admin.image.get_image(image.id), 'active', wait=60)
        assert [i.id for i in admin.image.images(tag=PREFIX)] == [image.id]
        assert image.size == len(data)
    finally:
        admin.image.delete_image(image)


def test_second_run_changes_nothing(first_run):
    """site.yaml and the demo's modules again: changed=0 on every host (the lab's own base is left out for make
    test's time budget; make lab runs it every time)."""
    rc, out = lab_up(skip_base=True)
    assert rc == 0, out[-6000:]
    changed = [(host, counts['changed']) for host, counts in recaps(out) if counts['changed']]
    assert not changed, out[-8000:]


def test_control_plane_playbook_alone_reads_the_ids_from_the_cloud(first_run):
    """Run without site.yaml's earlier plays, octavia_control_plane.yaml has none of the facts lb_mgmt_network and
    amphora_image publish: it reads them back from the cloud (their discover.yml) and finds octavia.conf as it is."""
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ['PATH'], ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', os.path.join(TOP, 'inventories', 'lab'),
                           os.path.join(TOP, 'playbooks', 'octavia_control_plane.yaml'), '--check', '--diff'],
                          cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-6000:]
    # both read back (not skipped: their checks ran)
    assert 'lb_mgmt_network : Check that lbaas.octavia.lb_mgmt has made them' in proc.stdout, proc.stdout[-6000:]
    assert 'amphora_image : Check that lbaas.octavia.amphora_image has made them' in proc.stdout, proc.stdout[-6000:]
    changed = [(host, counts['changed']) for host, counts in recaps(proc.stdout) if counts['changed']]
    assert not changed, proc.stdout[-8000:]
