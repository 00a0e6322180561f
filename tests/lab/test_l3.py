"""The lab's L3 (role lab_neutron_l3, playbooks/demo.yaml): the L3 agent on the network node, the external flat
network "public" on br-ex, and the demo's router, which answers on both sides: at its gateway from the network
node (br-ex is the external subnet's gateway) and at its interface in the demo subnet from the client."""
import ipaddress

from data_plane import NETWORK_NODE, sh, wait_until  # pylint: disable=import-error

EXTERNAL = 'public'
ROUTER = 'lbaas-demo-router'
TENANT_SUBNET = 'lbaas-demo-subnet'


def ping(address, namespace=None, count=3):
    """True when `address` answers ping from the network node (in `namespace`, if given)."""
    prefix = 'ip netns exec %s ' % namespace if namespace else ''
    out = sh(NETWORK_NODE, '%sping -c %d -W 2 %s >/dev/null && echo yes || echo no' % (prefix, count, address))
    return out.strip().endswith('yes')


def test_l3_agent_alive_on_the_network_node(admin):
    agents = list(admin.network.agents(agent_type='L3 agent'))
    assert [(a.host, a.is_alive, a.is_admin_state_up) for a in agents] == [('network', True, True)], agents


def test_external_network_is_flat_on_public_with_a_test_net_subnet(admin):
    net = admin.network.find_network(EXTERNAL, ignore_missing=False)
    assert net.is_router_external and not net.is_shared
    assert (net.provider_network_type, net.provider_physical_network) == ('flat', 'public')
    subnets = [admin.network.get_subnet(s) for s in net.subnet_ids]
    assert [(s.cidr, s.gateway_ip, s.is_dhcp_enabled) for s in subnets] == [('198.51.100.0/24', '198.51.100.1', False)]
    # the OVS agent patched br-ex to br-int for the mapping public:br-ex
    ports = sh(NETWORK_NODE, 'ovs-vsctl --timeout=10 list-ports br-ex').split()
    assert any(p.startswith('phy-') for p in ports), ports


def test_router_answers_at_its_gateway_and_in_the_tenant_subnet(demo):
    router = demo.network.find_router(ROUTER, ignore_missing=False)
    assert router.status == 'ACTIVE'
    gateway = router.external_gateway_info or {}
    fixed = [f['ip_address'] for f in gateway.get('external_fixed_ips') or []]
    assert len(fixed) == 1 and ipaddress.ip_address(fixed[0]) in ipaddress.ip_network('198.51.100.0/24'), gateway
    # the agent builds the router's namespace and plugs its ports asynchronously: give it a moment
    assert wait_until(lambda: ping(fixed[0], count=1), 60, step=2), 'the router gateway %s does not answer' % fixed[0]
    assert ping(fixed[0]), 'router gateway %s from the network node' % fixed[0]
    assert wait_until(lambda: ping('198.51.100.1', namespace='qrouter-%s' % router.id, count=1), 30, step=2), \
        'br-ex (upstream) from inside the router'

    subnet = demo.network.find_subnet(TENANT_SUBNET, ignore_missing=False)
    inside = [p for p in demo.network.ports(device_id=router.id)
              if any(ip['subnet_id'] == subnet.id for ip in p.fixed_ips)]
    assert len(inside) == 1, inside
    address = [ip['ip_address'] for ip in inside[0].fixed_ips if ip['subnet_id'] == subnet.id][0]
    # from the tenant network's DHCP namespace: a port of the subnet that every lab has (tenant hosts or not)
    # (the router's port there may still be wiring up when the demo has just made it)
    assert wait_until(lambda: ping(address, namespace='qdhcp-%s' % subnet.network_id, count=1), 30, step=2), \
        'router interface %s, tenant side' % address
    assert ping(address, namespace='qdhcp-%s' % subnet.network_id), 'router interface %s, tenant side' % address
