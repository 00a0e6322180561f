"""Faults on the lab's L3 (role lab_neutron_l3): the demo's router to the external network answers again by itself.

- Open vSwitch restarted: the userspace datapath makes every internal port's tap anew, so br-ex loses its address
  and the router's qg-/qr- devices in its namespace go dead; lab-neutron-l3-bridge.service (bound to Open vSwitch)
  puts the address back, removes the dead devices and restarts the L3 agent, which plugs them again;
- the L3 agent restarted: the router keeps answering (the namespace and its devices stay; only the agent goes).

"Answers" is measured from the network node: the router's gateway on the external network (through br-ex), br-ex
from inside the router, and the router's interface from the tenant subnet's DHCP namespace. Each test holds the
lab lock while it breaks things. No Neutron object is created or lost."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lab'))
from data_plane import NETWORK_NODE, sh, wait_until  # noqa: E402  pylint: disable=wrong-import-position

ROUTER = 'lbaas-demo-router'
TENANT_SUBNET = 'lbaas-demo-subnet'
BRIDGE_ADDRESS = '198.51.100.1'
# the requirement: the router answers again within this many seconds, by itself
WITHIN = 90


def node(script, check=True, timeout=120):
    return sh(NETWORK_NODE, script, check=check, timeout=timeout)


def ping(address, namespace=None):
    prefix = 'ip netns exec %s ' % namespace if namespace else ''
    return node('%sping -c 1 -W 1 %s >/dev/null && echo yes || echo no' % (prefix, address)).strip().endswith('yes')


@pytest.fixture(scope='module')
def router(sdk):
    found = sdk.network.find_router(ROUTER)
    if found is None:
        pytest.skip('no router %s: the lab was made without lbaas_demo_router' % ROUTER)
    gateway = [f['ip_address'] for f in (found.external_gateway_info or {}).get('external_fixed_ips') or []][0]
    subnet = sdk.network.find_subnet(TENANT_SUBNET, ignore_missing=False)
    inside = [ip['ip_address'] for p in sdk.network.ports(device_id=found.id) for ip in p.fixed_ips
              if ip['subnet_id'] == subnet.id][0]
    checks = {
        'gateway %s from the node' % gateway: lambda: ping(gateway),
        'br-ex from inside the router': lambda: ping(BRIDGE_ADDRESS, 'qrouter-%s' % found.id),
        'interface %s from the tenant subnet' % inside: lambda: ping(inside, 'qdhcp-%s' % subnet.network_id),
    }
    return {'router': found, 'checks': checks, 'ports': len(list(sdk.network.ports(device_id=found.id)))}


def answering(router):
    return [name for name, check in router['checks'].items() if check()]


def diagnose(router):
    return node('ip -br addr show br-ex; ip -n qrouter-{r} -br addr; systemctl --no-pager --failed; '
                'journalctl -u lab-neutron-l3-bridge -n 20 --no-pager -o cat'.format(r=router['router'].id),
                check=False)


def recover(router, fault, start):
    times = {}

    def each():
        for name in answering(router):
            times.setdefault(name, time.monotonic() - start)
        return len(times) == len(router['checks'])

    done = wait_until(each, WITHIN - (time.monotonic() - start), step=1.0)
    fault.saw('answering again after: %s' % (
        ', '.join('%s %.1f s' % kv for kv in sorted(times.items(), key=lambda kv: kv[1])) or 'nothing'))
    assert done, 'the router does not answer %d s after the fault (%s): %s' % (WITHIN, times, diagnose(router))
    fault.recovered(max(times.values()))


@pytest.mark.long
def test_openvswitch_restart_router_answers_again(router, sdk, fault, lab_lock):
    assert len(answering(router)) == len(router['checks']), 'the router does not answer before the fault'
    start = fault.inject('systemctl restart openvswitch-switch on %s' % NETWORK_NODE)
    node('systemctl restart openvswitch-switch', timeout=120)
    fault.saw('restart took %.1f s' % (time.monotonic() - start))
    recover(router, fault, start)
    lost = router['ports'] - len(list(sdk.network.ports(device_id=router['router'].id)))
    fault.objects_lost(lost, 'router ports')
    assert lost == 0


@pytest.mark.long
def test_l3_agent_restart_router_keeps_answering(router, fault, lab_lock):
    start = fault.inject('systemctl restart neutron-l3-agent on %s' % NETWORK_NODE)
    node('systemctl restart neutron-l3-agent', timeout=120)
    missed = [name for name in router['checks'] if name not in answering(router)]
    fault.saw('right after the restart not answering: %s' % (', '.join(missed) or 'none'))
    recover(router, fault, start)
    fault.objects_lost(0)
