"""Faults on the lab's network node, where the health-manager port o-hm0 joins lb-mgmt (docs/lb-mgmt.md; issue 13):

- o-hm0's tag set wrong by hand: the repair timer (octavia-hm-port-repair.timer) puts it back;
- Open vSwitch restarted: o-hm0, the lb-mgmt DHCP namespace and the health manager answer again by themselves
  (octavia-hm-port.service re-runs with Open vSwitch; lab-dhcp-netdev-recover.service gives the DHCP agent its ports
  back, which the userspace datapath re-creates outside their namespaces);
- the Neutron OVS agent restarted while o-hm0 is re-plugged: o-hm0 ends bound, on lb-mgmt's local VLAN.

Each test runs in the lab's own mode of the port (agent_managed; vlan_refresh's repair is in tests/lab/test_lb_mgmt.py
and the unit tests), holds the lab lock (/tmp/lbaas-lab.lock) while it breaks things, and prints injected / saw /
recovery seconds through the `fault` fixture. No Neutron or Octavia object is created or lost."""
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lab'))
from data_plane import NETWORK_NODE, sh, wait_until  # noqa: E402  pylint: disable=wrong-import-position

HM_PORT = 'o-hm0'
NET_NAME = 'lb-mgmt-net'
CONF = '/etc/lbaas-octavia/hm-port.env'
REPAIR_UNIT = 'octavia-hm-port-repair.service'
# the requirement: lb-mgmt answers again within this many seconds, by itself
WITHIN = 60


def node(script, check=True, timeout=120):
    return sh(NETWORK_NODE, script, check=check, timeout=timeout)


@pytest.fixture(scope='module')
def lbmgmt(admin):
    """lb-mgmt as the lab has it: the DHCP port (address, tap, namespace) and o-hm0's address and mode."""
    if node('test -r %s && echo yes || true' % CONF).strip() != 'yes':
        pytest.skip('no health-manager port on %s (%s missing): site.yaml first' % (NETWORK_NODE, CONF))
    net = admin.network.find_network(NET_NAME, ignore_missing=False)
    dhcp = list(admin.network.ports(network_id=net.id, device_owner='network:dhcp'))
    assert dhcp, 'no DHCP port on %s' % NET_NAME
    hm = list(admin.network.ports(network_id=net.id, device_owner='Octavia:health-mgr'))
    assert len(hm) == 1, hm
    settings = dict(re.findall(r'^(HM_PORT_\w+)=(.*)$', node('cat %s' % CONF), re.M))
    found = dict(net=net, dhcp_ip=dhcp[0].fixed_ips[0]['ip_address'], tap='tap' + dhcp[0].id[:11],
                 ns='qdhcp-' + net.id, hm_port=hm[0], hm_ip=hm[0].fixed_ips[0]['ip_address'],
                 mode=settings['HM_PORT_MODE'].strip("'"))
    # an earlier test (the L3 faults) may have restarted Open vSwitch a moment ago: lb-mgmt recovers from that by
    # itself in about 20-40 s, so give it 90 before calling the baseline broken
    assert wait_until(lambda: answers(found), 90, step=2), \
        'lb-mgmt does not answer before any fault: %s' % diagnose(found)
    return found


def port_tag(name):
    out = node('ovs-vsctl --if-exists get Port %s tag' % name, check=False).strip()
    return int(out) if out.isdigit() else None


def pings(lbmgmt):
    """o-hm0 -> the DHCP port and back (o-hm0's security group, agent_managed, lets in no ping: only replies)."""
    return node('ping -c 1 -W 1 -I %s %s >/dev/null && echo ok || true' % (HM_PORT, lbmgmt['dhcp_ip'])).strip() == 'ok'


def dhcp_serves(lbmgmt):
    """dnsmasq listens on 67/udp in the network's namespace, on a tap that is up with the port's address."""
    out = node('ip netns exec {ns} ss -H -lun "sport = :67"; ip -n {ns} -br -4 addr show dev {tap}'.format(
        ns=lbmgmt['ns'], tap=lbmgmt['tap']), check=False)
    live = r'%s\s+(UP|UNKNOWN)\s+%s/' % (re.escape(lbmgmt['tap']), re.escape(lbmgmt['dhcp_ip']))
    return ':67' in out and re.search(live, out) is not None


def hm_ready(lbmgmt):
    """o-hm0 has its address; the health manager (when it runs here) is bound to it on 5555/udp."""
    out = node('ip -br -4 addr show dev {hm}; systemctl is-active octavia-health-manager; ss -H -lun "sport = :5555"'
               .format(hm=HM_PORT), check=False)
    if '%s/' % lbmgmt['hm_ip'] not in out:
        return False
    return '\nactive' not in out or '%s:5555' % lbmgmt['hm_ip'] in out


def answers(lbmgmt):
    return pings(lbmgmt) and dhcp_serves(lbmgmt) and hm_ready(lbmgmt)


def diagnose(lbmgmt):
    return node('ovs-vsctl --columns=name,tag find Port other_config:net_uuid={net}; ovs-vsctl get Port {hm} tag; '
                'ip -br addr show dev {hm}; ip -n {ns} -br addr; systemctl --no-pager --failed; '
                'journalctl -u octavia-hm-port\\* -u lab-dhcp-netdev-recover -n 20 --no-pager -o cat'.format(
                    net=lbmgmt['net'].id, hm=HM_PORT, ns=lbmgmt['ns']), check=False)


def timed(start, predicate, seconds, step=1.0):
    """Seconds from `start` until predicate() held (within `seconds` of start), else None."""
    ok = wait_until(predicate, seconds - (time.monotonic() - start), step)
    return time.monotonic() - start if ok else None


def test_hand_set_tag_is_repaired(lbmgmt, fault, lab_lock):
    right = port_tag(lbmgmt['tap'])
    assert right and port_tag(HM_PORT) == right
    wrong = 4000 if right != 4000 else 4001
    since = node('date +%s').strip()
    start = fault.inject('ovs-vsctl set Port o-hm0 tag=%d (lb-mgmt is VLAN %d; mode %s)' % (wrong, right, lbmgmt['mode']))
    node('ovs-vsctl set Port %s tag=%d' % (HM_PORT, wrong))
    assert not pings(lbmgmt), 'the wrong tag did not cut o-hm0 off: the test would prove nothing'
    fault.saw('o-hm0 on VLAN %d cannot reach the DHCP port' % wrong)
    took = timed(start, lambda: port_tag(HM_PORT) == right and pings(lbmgmt), WITHIN)
    assert took is not None, 'o-hm0 still on tag %s after %d s: %s' % (port_tag(HM_PORT), WITHIN, diagnose(lbmgmt))
    fault.recovered(took)
    log = node('journalctl -u %s --since @%s --no-pager -o cat' % (REPAIR_UNIT, since))
    assert 'changed: tag of o-hm0: %d -> %d' % (wrong, right) in log, log
    fault.saw('the repair timer logged: tag of o-hm0: %d -> %d' % (wrong, right))
    fault.objects_lost(0)


def test_openvswitch_restart_recovers_by_itself(lbmgmt, fault, lab_lock):
    start = fault.inject('systemctl restart openvswitch-switch on %s' % NETWORK_NODE)
    node('systemctl restart openvswitch-switch', timeout=120)
    restarted = time.monotonic() - start
    times = {}

    def each():
        for name, check in (('o-hm0 and the health manager', hm_ready), ('DHCP', dhcp_serves),
                            ('o-hm0 -> DHCP port', pings)):
            if name not in times and check(lbmgmt):
                times[name] = time.monotonic() - start
        return len(times) == 3

    done = timed(start, each, WITHIN)
    fault.saw('restart took %.1f s; answering again after: %s' % (
        restarted, ', '.join('%s %.1f s' % kv for kv in sorted(times.items(), key=lambda kv: kv[1])) or 'nothing'))
    assert done is not None, 'not all of lb-mgmt answers %d s after the restart (%s): %s' % (
        WITHIN, times, diagnose(lbmgmt))
    fault.recovered(done)
    # nothing dead left in the namespace, o-hm0 on the DHCP port's VLAN
    assert port_tag(HM_PORT) == port_tag(lbmgmt['tap'])
    fault.objects_lost(0)


def test_agent_restart_while_o_hm0_is_replugged(admin, lbmgmt, fault, lab_lock):
    start = fault.inject('neutron-openvswitch-agent restarted while o-hm0 is deleted from br-int and plugged again')
    node('systemctl --no-block restart neutron-openvswitch-agent; sleep 1; ovs-vsctl del-port br-int %s; '
         'systemctl restart octavia-hm-port.service' % HM_PORT)
    fault.saw('o-hm0 re-plugged %.1f s in (tag now %s)' % (time.monotonic() - start, port_tag(HM_PORT)))

    def bound():
        tag = port_tag(HM_PORT)
        return tag is not None and 0 < tag < 4095 and tag == port_tag(lbmgmt['tap']) and pings(lbmgmt)

    # the agent ignores SIGTERM for its stop timeout (20 s) before it starts again
    took = timed(start, bound, 120, step=2)
    assert took is not None, 'o-hm0 not back on lb-mgmt 120 s later: %s' % diagnose(lbmgmt)
    fault.recovered(took)
    ids = node('ovs-vsctl get Interface %s external_ids' % HM_PORT)
    if lbmgmt['mode'] == 'agent_managed':
        assert 'iface-id="%s"' % lbmgmt['hm_port'].id in ids, ids
        assert wait_until(lambda: admin.network.get_port(lbmgmt['hm_port'].id).status == 'ACTIVE', 30)
        fault.saw('o-hm0 on VLAN %s, its Neutron port ACTIVE again' % port_tag(HM_PORT))
    assert node('systemctl is-active neutron-openvswitch-agent', check=False).strip() == 'active'
    fault.objects_lost(0)
