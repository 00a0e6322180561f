"""The lb-mgmt network and the health-manager port o-hm0 (playbooks/lb_mgmt.yaml, issue 5), on the lab's real Neutron
and agents: o-hm0 reaches the DHCP namespace; a reboot-like agent restart (agents stopped, neutron-ovs-cleanup, agents
started) that moves the network's local VLAN is followed within 60 s in vlan_refresh mode (our refresh unit) and in
agent_managed mode (the agent); a tag set wrong by hand is put back by the repair timer; the units we ship pass
`systemd-analyze verify` silently; a re-run changes nothing.

Runs after the session's first_run (lab.sh up, which runs site.yaml); converges playbooks/lb_mgmt.yaml itself once,
so it also works before site.yaml imports it. Restarts the network node's Neutron agents (twice, about 1.5 min each)."""
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

from conftest import TOP, recaps
from data_plane import wait_until

NODE = 'lbaas-lab-network'
AGENT_HOST = 'network'
NET_NAME = 'lb-mgmt-net'
HM_PORT = 'o-hm0'
UNITS = ['octavia-hm-port.service', 'octavia-hm-port-vlan-refresh.service', 'octavia-hm-port-repair.service',
         'octavia-hm-port-repair.timer']
CLEANUP = '/usr/local/sbin/neutron-ovs-cleanup'
PREFIX = 'lbmgmt-test-' + uuid.uuid4().hex[:6]
DEAD_VLAN = 4095


def playbook(*extra):
    """Run playbooks/lb_mgmt.yaml on the lab; return (rc, output, seconds)."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
               ANSIBLE_NOCOLOR='1', ANSIBLE_CONFIG=os.path.join(TOP, 'ansible.cfg'),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, '.ansible', 'collections'),
               OS_CLIENT_CONFIG_FILE=os.path.join(TOP, 'inventories', 'lab', 'clouds.yaml'))
    start = time.monotonic()
    proc = subprocess.run(['ansible-playbook', '-i', os.path.join(TOP, 'inventories', 'lab'),
                           os.path.join(TOP, 'playbooks', 'lb_mgmt.yaml')] + list(extra),
                          cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return proc.returncode, proc.stdout, time.monotonic() - start


def node(script, check=True, timeout=300):
    """Run a shell script on the network node; return its stdout (stderr folded in)."""
    proc = subprocess.run(['podman', 'exec', NODE, 'bash', '-c', script], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False, timeout=timeout)
    if check:
        assert proc.returncode == 0, '%s\n-> rc %d\n%s' % (script, proc.returncode, proc.stdout)
    return proc.stdout


def ping(address, count=2):
    return subprocess.run(['podman', 'exec', NODE, 'ping', '-c', str(count), '-W', '1', '-I', HM_PORT, address],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False).returncode == 0


def port_tag(name):
    out = node('ovs-vsctl --if-exists get Port %s tag' % name, check=False).strip()
    return int(out) if out.isdigit() else None


def valid(tag):
    return tag is not None and 0 < tag < DEAD_VLAN


VLAN_REFRESH = ('-e', 'health_manager_port_mode=vlan_refresh')


@pytest.fixture(scope='module')
def converged(first_run):
    # the lab runs agent_managed (with the native OVS firewall, amphorae cannot answer a vlan_refresh o-hm0:
    # docs/lb-mgmt.md); the refresh unit is tested here, then the lab's mode comes back
    rc, out, seconds = playbook(*VLAN_REFRESH)
    assert rc == 0, out[-6000:]
    print('lb_mgmt.yaml converged in %.0f s' % seconds)
    return out


@pytest.fixture(scope='module')
def lbmgmt(admin, converged):
    net = admin.network.find_network(NET_NAME, ignore_missing=False)
    dhcp = list(admin.network.ports(network_id=net.id, device_owner='network:dhcp'))
    assert dhcp, 'no DHCP port on %s' % NET_NAME
    return dict(net=net, dhcp=dhcp[0], dhcp_ip=dhcp[0].fixed_ips[0]['ip_address'],
                dhcp_tap='tap' + dhcp[0].id[:11])


def test_neutron_objects(admin, lbmgmt):
    net = lbmgmt['net']
    assert net.provider_network_type == 'vxlan'
    ports = list(admin.network.ports(network_id=net.id, device_owner='Octavia:health-mgr'))
    assert [p.binding_host_id for p in ports] == [AGENT_HOST], ports
    groups = {g.name: g for g in admin.network.security_groups(project_id=net.project_id)}
    assert set(ports[0].security_group_ids) == {groups['lb-health-mgr-sec-grp'].id}
    hm_rules = [(r['direction'], r['protocol'], r['port_range_min'])
                for r in groups['lb-health-mgr-sec-grp'].security_group_rules]
    assert ('ingress', 'udp', 5555) in hm_rules
    amp_rules = [(r['direction'], r['protocol'], r['port_range_min']) for r in groups['lb-mgmt-sec-grp'].security_group_rules]
    assert ('ingress', 'tcp', 9443) in amp_rules
    # o-hm0 carries the Neutron port's MAC and address
    link = node('ip -o link show %s; ip -o -4 addr show %s' % (HM_PORT, HM_PORT))
    assert ports[0].mac_address in link
    assert ports[0].fixed_ips[0]['ip_address'] + '/24' in link


def test_o_hm0_reaches_the_dhcp_namespace(lbmgmt):
    assert valid(port_tag(HM_PORT))
    assert port_tag(HM_PORT) == port_tag(lbmgmt['dhcp_tap'])
    assert ping(lbmgmt['dhcp_ip'], count=3)


def test_units_verify_silently(converged):
    paths = ' '.join('/etc/systemd/system/' + unit for unit in UNITS)
    proc = subprocess.run(['podman', 'exec', NODE, 'systemd-analyze', 'verify'] + paths.split(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout == '', proc.stdout
    wants = node('ls /etc/systemd/system/neutron-openvswitch-agent.service.wants/')
    assert 'octavia-hm-port-vlan-refresh.service' in wants.split()
    # the refresh unit tries again after it gave up; the repair timer runs in every mode
    assert node('systemctl show -p Restart --value %s' % UNITS[1]).strip() == 'on-failure'
    assert node('systemctl is-active %s' % UNITS[3]).strip() == 'active'


def test_hand_set_tag_is_repaired_in_vlan_refresh_mode(lbmgmt):
    # nothing announces this drift (no unit event): the repair timer finds it
    right = port_tag(lbmgmt['dhcp_tap'])
    wrong = 4000 if right != 4000 else 4001
    since = node('date +%s').strip()
    start = time.monotonic()
    node('ovs-vsctl set Port %s tag=%d' % (HM_PORT, wrong))
    assert not ping(lbmgmt['dhcp_ip'], count=1)
    assert wait_until(lambda: port_tag(HM_PORT) == right and ping(lbmgmt['dhcp_ip'], 1), 60), port_tag(HM_PORT)
    print('vlan_refresh: hand-set tag %d repaired to %d in %.0f s' % (wrong, right, time.monotonic() - start))
    log = node('journalctl -u %s --since @%s --no-pager -o cat' % (UNITS[2], since))
    assert 'changed: tag of o-hm0: %d -> %d (local VLAN of network' % (wrong, right) in log, log


def reboot_like_restart(admin, lbmgmt, fillers):
    """Agents stopped, neutron-ovs-cleanup, the OVS agent started, `fillers` VM-like ports of other networks bound
    and plugged first (they take the lowest free local VLANs, as os-vif's ports do at boot), then the DHCP agent
    (which re-plugs lb-mgmt's DHCP port). Returns (old VLAN, new VLAN, seconds from the DHCP agent's start until
    o-hm0 answers again, seconds of the whole restart)."""
    old = port_tag(lbmgmt['dhcp_tap'])
    assert valid(old)
    nets, plugged = [], []
    for i in range(fillers):
        nets.append(admin.network.create_network(name='%s-other%d' % (PREFIX, i), provider_network_type='vxlan'))
        admin.network.create_subnet(network_id=nets[-1].id, ip_version=4, cidr='198.18.%d.0/24' % i,
                                    enable_dhcp=False, name='%s-other%d' % (PREFIX, i))
    try:
        start = time.monotonic()
        node('systemctl stop neutron-dhcp-agent neutron-openvswitch-agent && %s >/dev/null 2>&1' % CLEANUP)
        assert port_tag(lbmgmt['dhcp_tap']) is None  # cleanup removed the agents' ports (not o-hm0)
        assert port_tag(HM_PORT) is not None
        since = node('date "+%Y-%m-%d %H:%M:%S"').strip()
        node('systemctl start neutron-openvswitch-agent')
        assert wait_until(lambda: 'iteration:0 completed' in node(
            'journalctl -u neutron-openvswitch-agent --since "%s" --no-pager -o cat' % since), 90), \
            'the OVS agent did not finish its first loop'
        for net in nets:
            port = admin.network.create_port(network_id=net.id, name=net.name, binding_host_id=AGENT_HOST,
                                             device_owner='compute:nova', device_id=PREFIX)
            tap = 'tap' + port.id[:11]
            node('ovs-vsctl --may-exist add-port br-int {tap} -- set Interface {tap} type=internal '
                 'external_ids:iface-id={id} external_ids:attached-mac={mac} external_ids:iface-status=active '
                 'external_ids:vm-uuid={vm}'.format(tap=tap, id=port.id, mac=port.mac_address, vm=PREFIX))
            plugged.append(tap)
            assert wait_until(lambda: valid(port_tag(tap)), 60), 'the agent did not tag %s' % tap
        dhcp_start = time.monotonic()
        node('systemctl start neutron-dhcp-agent')
        new = wait_until(lambda: port_tag(lbmgmt['dhcp_tap']) if valid(port_tag(lbmgmt['dhcp_tap'])) else None, 90)
        assert valid(new), 'the DHCP agent did not re-plug %s' % lbmgmt['dhcp_tap']
        answered = wait_until(lambda: port_tag(HM_PORT) == port_tag(lbmgmt['dhcp_tap']) and ping(lbmgmt['dhcp_ip'], 1),
                              60 - (time.monotonic() - dhcp_start))
        took = time.monotonic() - dhcp_start
        assert answered, 'o-hm0 (tag %s) does not reach %s (tag %s) %.0f s after the DHCP agent started' % (
            port_tag(HM_PORT), lbmgmt['dhcp_ip'], port_tag(lbmgmt['dhcp_tap']), took)
        return old, new, took, time.monotonic() - start
    finally:
        node('systemctl start neutron-openvswitch-agent neutron-dhcp-agent', check=False)
        for tap in plugged:
            node('ovs-vsctl --if-exists del-port br-int %s' % tap, check=False)
        for net in nets:
            for port in admin.network.ports(network_id=net.id):
                admin.network.delete_port(port, ignore_missing=True)
            admin.network.delete_network(net, ignore_missing=True)


def test_vlan_change_is_followed_in_vlan_refresh_mode(admin, lbmgmt):
    since = node('date "+%Y-%m-%d %H:%M:%S"').strip()
    old = port_tag(lbmgmt['dhcp_tap'])
    # enough other networks plugged first to take every VLAN up to lb-mgmt's current one: its VLAN must move
    old, new, took, total = reboot_like_restart(admin, lbmgmt, fillers=old)
    print('vlan_refresh: lb-mgmt local VLAN %s -> %s; o-hm0 answered %.0f s after the DHCP agent started '
          '(restart %.0f s)' % (old, new, took, total))
    assert new != old
    assert port_tag(HM_PORT) == new
    # the refresh unit (started with the agent) re-tags o-hm0, unless the repair timer's pass came first on a busy
    # host (one writer at a time, by a lock); journald may show the line a moment after the tag. CI-like run of
    # 2026-12-07, load 9: the tag right, no line in the refresh unit's journal (which of the two it was is unknown:
    # the failure report had no repair journal then)
    changed = re.compile(r'changed: tag of o-hm0: %d -> %d' % (old, new))

    def tagged_by():
        return [unit for unit in ('octavia-hm-port-vlan-refresh.service', 'octavia-hm-port-repair.service')
                if changed.search(node('journalctl -u %s --since "%s" --no-pager -o cat' % (unit, since)))]
    units = wait_until(tagged_by, 30)
    print('vlan_refresh: o-hm0 re-tagged by %s' % units)
    assert units, node('journalctl -u octavia-hm-port-vlan-refresh.service -u octavia-hm-port-repair.service '
                       '--since "%s" --no-pager -o cat' % since)
    # the refresh unit ends once the tag has settled, and the agent is unaffected
    assert wait_until(lambda: node('systemctl is-active octavia-hm-port-vlan-refresh.service', check=False).strip()
                      == 'active', 60)
    assert node('systemctl is-active neutron-openvswitch-agent', check=False).strip() == 'active'


def test_switch_to_agent_managed(admin, lbmgmt):
    rc, out, seconds = playbook('-e', 'health_manager_port_mode=agent_managed')
    assert rc == 0, out[-6000:]
    print('switch to agent_managed: %.0f s' % seconds)
    ids = node('ovs-vsctl get Interface %s external_ids' % HM_PORT)
    assert 'iface-id=' in ids and 'skip_cleanup="true"' in ids and 'iface-status=active' in ids
    assert node('test -e /etc/systemd/system/%s || echo gone' % UNITS[1]).strip() == 'gone'
    assert port_tag(HM_PORT) == port_tag(lbmgmt['dhcp_tap'])
    assert ping(lbmgmt['dhcp_ip'], count=3)
    # the agent has bound the health-manager port to o-hm0
    hm = list(admin.network.ports(network_id=lbmgmt['net'].id, device_owner='Octavia:health-mgr'))[0]
    assert wait_until(lambda: admin.network.get_port(hm.id).status == 'ACTIVE', 30), admin.network.get_port(hm.id)


def test_vlan_change_is_followed_in_agent_managed_mode(admin, lbmgmt):
    # o-hm0 survives neutron-ovs-cleanup (skip_cleanup) as a VIF of lb-mgmt, so the restarted agent restores the
    # network's VLAN from it; whatever it assigns, o-hm0 is tagged by the agent with the DHCP port's VLAN.
    old, new, took, total = reboot_like_restart(admin, lbmgmt, fillers=1)
    print('agent_managed: lb-mgmt local VLAN %s -> %s; o-hm0 answered %.0f s after the DHCP agent started '
          '(restart %.0f s)' % (old, new, took, total))
    assert port_tag(HM_PORT) == new


def test_switch_back_and_rerun_changes_nothing(lbmgmt):
    rc, out, seconds = playbook(*VLAN_REFRESH)
    assert rc == 0, out[-6000:]
    print('switch back to vlan_refresh: %.0f s' % seconds)
    assert node('ovs-vsctl --if-exists get Interface %s external_ids:iface-id' % HM_PORT).strip() == ''
    assert ping(lbmgmt['dhcp_ip'], count=3)
    rc, out, seconds = playbook()
    assert rc == 0, out[-6000:]
    print("the lab's mode again (agent_managed): %.0f s" % seconds)
    assert node('ovs-vsctl --if-exists get Interface %s external_ids:iface-id' % HM_PORT).strip() != ''
    rc, out, seconds = playbook()
    assert rc == 0, out[-6000:]
    print('re-run: %.0f s' % seconds)
    changed = [(host, counts['changed']) for host, counts in recaps(out) if counts['changed']]
    assert not changed, out[-8000:]
