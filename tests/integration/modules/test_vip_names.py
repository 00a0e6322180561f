"""The loadbalancer module's VIP by name and floating IP, against the lab's Octavia and Neutron.

Octavia's noop network driver (the lab's profile) makes no Neutron port for a VIP, and refuses a vip_port of
our own (it cannot read its addresses). So on noop the module's floating-IP step is checked to fail clearly
and write nothing, and the floating-IP layer (floating_ip.converge, the code the module runs after the load
balancer converged) is driven against the real Neutron with a real port on the demo subnet, the lab's
router and its external network 'public'. With a real network driver the whole module flow is checked.
"""
import os
import uuid

import pytest

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_AnsibleCollectionFinder(paths=[os.path.join(TOP, '.ansible', 'collections')])._install()

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import floating_ip as fipmod  # noqa: E402

NET, SUBNET, EXTERNAL = 'lbaas-demo-net', 'lbaas-demo-subnet', 'public'


@pytest.fixture(scope='module')
def neutron(sdk):
    net = sdk.network.find_network(NET)
    subnet = sdk.network.find_subnet(SUBNET, network_id=net.id if net else None)
    public = sdk.network.find_network(EXTERNAL)
    if not (net and subnet and public):
        pytest.skip('the lab network %s/%s and the external network %s are needed (roles/lab_neutron_l3)'
                    % (NET, SUBNET, EXTERNAL))
    return dict(net=net, subnet=subnet, public=public)


def marked(sdk, name):
    return list(sdk.network.ips(description=fipmod.marker(name), project_id=sdk.current_project_id))


def test_names_resolved_once_rerun_writes_nothing(stack, sdk, octavia, lbname, neutron):
    task = {'lbaas.octavia.loadbalancer': {'name': lbname, 'vip_network': NET, 'vip_subnet': SUBNET}}
    first = stack.play([task])
    assert first.rc == 0, first
    lb = octavia.lb(lbname)
    assert (lb['vip_subnet_id'], lb['vip_network_id']) == (neutron['subnet'].id, neutron['net'].id)
    again = stack.play([task])
    assert again.rc == 0 and again.result['changed'] is False, again
    assert again.counts['writes'] == 0
    # the same VIP by ID is the same load balancer: the name options are only another way to say it
    by_id = stack.play([{'lbaas.octavia.loadbalancer': {'name': lbname, 'vip_subnet_id': neutron['subnet'].id}}])
    assert by_id.rc == 0 and by_id.result['changed'] is False and by_id.counts['writes'] == 0, by_id


@pytest.mark.parametrize('opts,option', [
    ({'vip_subnet': 'lbaas-no-such-subnet'}, 'vip_subnet'),
    ({'vip_network': 'lbaas-no-such-net', 'vip_subnet': SUBNET}, 'vip_network'),
    ({'vip_subnet': SUBNET, 'vip_subnet_id': str(uuid.uuid4())}, 'vip_subnet'),
    ({'vip_subnet': SUBNET, 'floating_ip': {'network': 'lbaas-no-such-ext'}}, 'floating_ip.network'),
    ({'vip_subnet': SUBNET, 'floating_ip': {}}, 'floating_ip'),
])
def test_bad_names_fail_before_any_write(stack, octavia, lbname, neutron, opts, option):
    task = {'lbaas.octavia.loadbalancer': dict(opts, name=lbname)}
    run = stack.play([task])
    assert run.rc != 0 and run.result['msg'].startswith(option + ':'), run
    assert run.counts['writes'] == 0
    assert octavia.lb(lbname) is None


def test_floating_ip_through_the_module(stack, sdk, octavia, lbname, neutron):
    task = {'lbaas.octavia.loadbalancer': {'name': lbname, 'vip_subnet': SUBNET,
                                           'floating_ip': {'network': EXTERNAL}}}
    check = stack.play([task], check=True)
    assert check.rc == 0 and check.result['changed'] is True, check
    assert check.result['floating_ip'] == {'action': 'create'} and check.counts['writes'] == 0
    run = stack.play([task])
    lb = octavia.lb(lbname)
    assert lb is not None
    if sdk.network.find_port(lb['vip_port_id'], ignore_missing=True) is None:
        # noop network driver: the VIP port is a fake; the module says so and makes no floating IP
        assert run.rc != 0 and 'is not a Neutron port' in run.result['msg'], run
        assert run.result['changed'] is True  # the load balancer was created before the VIP port was known
        assert marked(sdk, lbname) == []
        return
    assert run.rc == 0 and run.result['floating_ip']['action'] == 'create', run
    address = run.result['floating_ip_address']
    assert [f.port_id for f in sdk.network.ips(floating_ip_address=address)] == [lb['vip_port_id']]
    again = stack.play([task])
    assert again.result['changed'] is False and again.result['neutron_writes'] == 0, again
    assert again.counts['writes'] == 0 and again.result['floating_ip_address'] == address
    gone = stack.play([{'lbaas.octavia.loadbalancer': {'name': lbname, 'state': 'absent',
                                                       'floating_ip': {'network': EXTERNAL}}}])
    assert gone.rc == 0 and gone.result['floating_ip']['released'] == [address], gone
    assert marked(sdk, lbname) == []


@pytest.fixture
def vip_port(sdk, neutron):
    """A real port on the demo subnet standing in for the VIP port the noop driver does not make."""
    port = sdk.network.create_port(network_id=neutron['net'].id, name='lbaas-it-vip-' + uuid.uuid4().hex[:8],
                                   fixed_ips=[{'subnet_id': neutron['subnet'].id}])
    yield port
    for fip in sdk.network.ips(port_id=port.id):
        sdk.network.delete_ip(fip.id, ignore_missing=True)
    sdk.network.delete_port(port.id, ignore_missing=True)


def test_floating_ip_layer_on_a_real_port(sdk, neutron, vip_port):
    name = 'lbaas-it-fip-' + uuid.uuid4().hex[:8]
    lb = {'vip_port_id': vip_port.id}
    want = {'network_id': neutron['public'].id, 'address': None}
    project = sdk.current_project_id
    try:
        changed, res, writes = fipmod.converge(sdk, lb, name, want, True, True, project)  # check mode
        assert (changed, res['floating_ip']['action'], writes) == (True, 'create', 0)
        assert marked(sdk, name) == []
        changed, res, writes = fipmod.converge(sdk, lb, name, want, True, False, project)
        assert (changed, res['floating_ip']['action'], writes) == (True, 'create', 1)
        address = res['floating_ip_address']
        on_port = list(sdk.network.ips(port_id=vip_port.id))
        assert [f.floating_ip_address for f in on_port] == [address]
        assert on_port[0].floating_network_id == neutron['public'].id
        # re-run: found on the port, nothing written
        changed, res, writes = fipmod.converge(sdk, lb, name, want, True, False, project)
        assert (changed, res['floating_ip_address'], writes) == (False, address, 0)
        # a different address asked for: an error, the one there stays
        with pytest.raises(fipmod.FloatingIPError):
            fipmod.converge(sdk, lb, name, dict(want, address='198.51.100.254'), True, False, project)
        # absent in check mode says what it would release and releases nothing
        changed, res, writes = fipmod.converge(sdk, None, name, want, False, True, project)
        assert (changed, res['floating_ip']['released'], writes) == (True, [address], 0)
        assert len(marked(sdk, name)) == 1
        changed, res, writes = fipmod.converge(sdk, None, name, want, False, False, project)
        assert (changed, writes) == (True, 1) and marked(sdk, name) == []
        assert list(sdk.network.ips(floating_ip_address=address)) == []
    finally:
        for fip in marked(sdk, name):
            sdk.network.delete_ip(fip.id, ignore_missing=True)


def test_a_users_floating_ip_is_associated_and_never_released(sdk, neutron, vip_port):
    name = 'lbaas-it-fip-' + uuid.uuid4().hex[:8]
    own = sdk.network.create_ip(floating_network_id=neutron['public'].id, description='made by the user')
    lb = {'vip_port_id': vip_port.id}
    want = {'network_id': None, 'address': own.floating_ip_address}
    project = sdk.current_project_id
    try:
        changed, res, writes = fipmod.converge(sdk, lb, name, want, True, False, project)
        assert (changed, res['floating_ip']['action'], res['floating_ip']['created_by_module'], writes) == (
            True, 'associate', False, 1)
        assert sdk.network.get_ip(own.id).port_id == vip_port.id
        changed, res, writes = fipmod.converge(sdk, lb, name, want, True, False, project)
        assert (changed, writes) == (False, 0)
        changed, res, writes = fipmod.converge(sdk, None, name, want, False, False, project)
        assert (changed, writes) == (False, 0)
        assert sdk.network.get_ip(own.id).description == 'made by the user'
    finally:
        sdk.network.delete_ip(own.id, ignore_missing=True)
