"""The health_manager_port role's program (roles/health_manager_port/files/octavia-hm-port, Python, stdlib only), run
by our units at boot, on Open vSwitch and agent restarts and by the repair timer: its parsing of ovs-vsctl and ip
output and its decisions (what to plug, tag, set), without a lab. The lab side is tests/lab/test_lb_mgmt.py and
tests/fault/test_network_faults.py."""
import ast
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, 'roles', 'health_manager_port', 'files', 'octavia-hm-port')
NET = '5f0e6d2a-1b1c-4c1e-9d3e-0a1b2c3d4e5f'
PORT_ID = '9a8b7c6d-1111-2222-3333-444455556666'
MAC = 'fa:16:3e:16:7f:75'
SETTINGS = """# ansible managed
HM_PORT_MODE=vlan_refresh
HM_PORT_NAME=o-hm0
HM_PORT_BRIDGE=br-int
HM_PORT_MAC=FA:16:3E:16:7F:75
HM_PORT_ADDRESS=172.31.250.183
HM_PORT_PREFIX_LENGTH=24
HM_PORT_MTU=1450
HM_PORT_NETWORK_ID=%s
HM_PORT_NEUTRON_PORT_ID='%s'
HM_PORT_WAIT=60
HM_PORT_REFRESH_TIMEOUT=30
HM_PORT_REFRESH_SETTLE=5
""" % (NET, PORT_ID)


def load():
    sys.dont_write_bytecode = True  # no __pycache__ inside the role's files/
    loader = importlib.machinery.SourceFileLoader('octavia_hm_port', SCRIPT)
    spec = importlib.util.spec_from_loader('octavia_hm_port', loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


hm = load()


def settings(**over):
    found = hm.parse_settings(SETTINGS)
    found.update(over)
    return found


def table(headings, *rows):
    return json.dumps({'data': [list(r) for r in rows], 'headings': list(headings)})


def vsctl_output(tag=2, port=True, on_bridge=True, iface_type='internal', ids=None, other=None, mac=MAC, mtu=1450,
                 network=(('tap3f2a9c1e-7b', 2),)):
    """What Host.read_ovs's one ovs-vsctl call prints: Bridge, Port, Interface, and the network's ports."""
    ids = {'skip_cleanup': 'true'} if ids is None else ids
    ours = ['uuid', 'p-hm' if on_bridge else 'p-x']
    bridge = table(['_uuid', 'ports'], [['uuid', 'b-1'], ['set', [ours, ['uuid', 'p-2']]]])
    ports = table(['_uuid', 'name', 'tag', 'other_config'],
                  *([[['uuid', 'p-hm'], 'o-hm0', tag if tag is not None else ['set', []],
                      ['map', sorted((other or {}).items())]]] if port else []))
    ifaces = table(['name', 'type', 'mac', 'mtu_request', 'external_ids'],
                   *([['o-hm0', iface_type, mac if mac else ['set', []], mtu if mtu else ['set', []],
                       ['map', sorted(ids.items())]]] if port else []))
    found = table(['name', 'tag'], *[[name, t if t is not None else ['set', []]] for name, t in network])
    return '\n'.join([bridge, ports, ifaces, found]) + '\n'


def state(**kw):
    return hm.ovs_state(hm.parse_tables(vsctl_output(**kw)))


DEVICE = [{'ifindex': 9, 'ifname': 'o-hm0', 'flags': ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], 'mtu': 1450,
           'address': MAC, 'addr_info': [{'family': 'inet', 'local': '172.31.250.183', 'prefixlen': 24},
                                         {'family': 'inet6', 'local': 'fe80::1', 'prefixlen': 64}]}]


# ---- the program as a file --------------------------------------------------------------------------------------

def test_program_compiles_and_uses_the_standard_library_only():
    with open(SCRIPT) as handle:
        source = handle.read()
    # no #! line (ansible-test's shebang rule): the role writes the host's interpreter in front of it
    assert not source.startswith('#!') and not os.access(SCRIPT, os.X_OK)
    tree = ast.parse(source)
    imported = {alias.name.split('.')[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split('.')[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    with open(os.path.join(TOP, 'roles', 'health_manager_port', 'tasks', 'port.yml')) as handle:
        assert '''content: "#!{{ health_manager_port_python }}\\n{{ lookup('ansible.builtin.file', 'octavia-hm-port') }}''' \
            in handle.read()


def run_program(*args, conf):
    return subprocess.run([sys.executable, SCRIPT] + list(args), env=dict(os.environ, HM_PORT_CONF=str(conf)),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)


def test_program_refuses_to_run_without_its_settings(tmp_path):
    proc = run_program('up', '--check', conf=tmp_path / 'none')
    assert proc.returncode == 1 and 'cannot read' in proc.stdout


def test_program_usage(tmp_path):
    proc = run_program('down', conf=tmp_path / 'none')
    assert proc.returncode == 1 and 'usage: octavia-hm-port up|refresh|repair [--check]' in proc.stdout


# ---- settings ---------------------------------------------------------------------------------------------------

def test_settings_as_the_template_writes_them():
    found = hm.parse_settings(SETTINGS)
    assert found['HM_PORT_MAC'] == MAC and found['HM_PORT_NEUTRON_PORT_ID'] == PORT_ID
    assert found['HM_PORT_MTU'] == 1450 and found['HM_PORT_REPLUG_GRACE'] == 60


@pytest.mark.parametrize('edit, message', [
    (lambda t: t.replace('HM_PORT_MAC=FA:16:3E:16:7F:75\n', ''), 'missing settings: HM_PORT_MAC'),
    (lambda t: t.replace('vlan_refresh', 'bridge'), 'HM_PORT_MODE=bridge: must be one of'),
    (lambda t: t.replace('HM_PORT_MTU=1450', 'HM_PORT_MTU=big'), 'HM_PORT_MTU=big: must be an integer'),
    (lambda t: t + 'oops\n', 'is not KEY=VALUE'),
])
def test_bad_settings_are_named(edit, message):
    with pytest.raises(hm.Error, match=message):
        hm.parse_settings(edit(SETTINGS))


# ---- parsing ----------------------------------------------------------------------------------------------------

def test_parse_the_one_ovs_vsctl_call():
    found = state(tag=2, other={'net_uuid': NET, 'tag': '2'})
    assert found['bridge']['ports'] == ['p-hm', 'p-2']
    assert found['port']['tag'] == 2 and found['port']['other_config'] == {'net_uuid': NET, 'tag': '2'}
    assert found['iface']['mac'] == MAC and found['iface']['external_ids'] == {'skip_cleanup': 'true'}
    assert found['network_ports'] == [{'name': 'tap3f2a9c1e-7b', 'tag': 2}]


def test_parse_a_missing_port_and_empty_columns():
    found = state(port=False)
    assert found['port'] is None and found['iface'] is None
    found = state(tag=None, mac=None, mtu=None)
    assert hm.scalar(found['port']['tag']) is None and hm.scalar(found['iface']['mac']) is None


def test_a_set_of_one_is_the_bare_element():
    # OVSDB writes a one-port bridge's ports as ["uuid", x], not ["set", [...]]
    tables = hm.parse_tables(table(['_uuid', 'ports'], [['uuid', 'b'], ['uuid', 'p-hm']]))
    assert hm.as_list(tables[0][0]['ports']) == ['p-hm']


@pytest.mark.parametrize('ports, expected', [
    ([('tap1', 2)], 2),
    ([('tap1', 2), ('tap2', 2), ('o-hm0', 7)], 2),     # our own port never counts
    ([], None),                                         # no port of the network here
    ([('tap1', None)], None),                           # [] while the agent binds it
    ([('tap1', 4095)], None),                           # the dead VLAN
    ([('tap1', 2), ('tap2', 3)], None),                 # the agent is mid-change
    ([('tap1', 4095), ('tap2', 3)], 3),
])
def test_network_tag(ports, expected):
    rows = [{'name': n, 'tag': t if t is not None else []} for n, t in ports]
    assert hm.network_tag(rows, 'o-hm0')[0] == expected


def test_parse_device():
    dev = hm.parse_device(json.dumps(DEVICE))
    assert dev == {'mac': MAC, 'mtu': 1450, 'up': True, 'addresses': ['172.31.250.183/24']}
    assert hm.parse_device('') is None and hm.parse_device('[]') is None


# ---- decisions --------------------------------------------------------------------------------------------------

def descriptions(actions):
    return [action[0] for action in actions]


@pytest.mark.parametrize('mode', ['vlan_refresh', 'agent_managed'])
def test_a_missing_port_is_plugged_in_one_transaction(mode):
    (what, argv), = hm.plan_port(settings(HM_PORT_MODE=mode), state(port=False))
    assert what.startswith('add internal port o-hm0 to br-int')
    assert argv[:5] == ['ovs-vsctl', '--timeout=10', '--may-exist', 'add-port', 'br-int']
    assert 'type=internal' in argv and 'mac="%s"' % MAC in argv and 'mtu_request=1450' in argv
    assert 'external_ids:skip_cleanup="true"' in argv
    assert ('external_ids:iface-id="%s"' % PORT_ID in argv) == (mode == 'agent_managed')
    assert ('tag=4095' in argv) == (mode == 'vlan_refresh')


def test_mode_switches_replug():
    (what, argv), = hm.plan_port(settings(HM_PORT_MODE='agent_managed'), state())
    assert 'not the VIF of port %s' % PORT_ID in what and argv[2:6] == ['--', 'del-port', 'br-int', 'o-hm0']
    agent_ids = {'skip_cleanup': 'true', 'iface-id': PORT_ID, 'attached-mac': MAC, 'iface-status': 'active'}
    what = hm.plan_port(settings(), state(ids=agent_ids))[0][0]
    assert "carries the agent's external_ids:iface-id" in what


def test_somebody_elses_port_is_refused():
    with pytest.raises(hm.Error, match='on another bridge'):
        hm.plan_port(settings(), state(on_bridge=False))
    with pytest.raises(hm.Error, match="type 'patch', not internal"):
        hm.plan_port(settings(), state(iface_type='patch'))


def test_ovsdb_drift_is_listed_and_nothing_else():
    assert hm.plan_port(settings(), state()) == []
    found = descriptions(hm.plan_port(settings(), state(mac='fa:16:3e:00:00:01', mtu=None, ids={},
                                                        other={'net_uuid': NET, 'tag': '2'})))
    assert found == ['OVSDB mac of o-hm0: fa:16:3e:00:00:01 -> %s' % MAC, 'OVSDB mtu_request of o-hm0: none -> 1450',
                     'external_ids:skip_cleanup of o-hm0: none -> true',
                     'remove other_config:net_uuid (%s) of port o-hm0 (left by the agent)' % NET,
                     'remove other_config:tag (2) of port o-hm0 (left by the agent)']
    agent = settings(HM_PORT_MODE='agent_managed')
    ids = {'skip_cleanup': 'true', 'iface-id': PORT_ID, 'attached-mac': MAC, 'iface-status': 'active'}
    # in agent_managed mode the agent's other_config is its business
    assert hm.plan_port(agent, state(ids=ids, other={'net_uuid': NET, 'tag': '2'})) == []


def test_device_drift():
    dev = hm.parse_device(json.dumps(DEVICE))
    assert hm.plan_device(settings(), dev) == []
    lost = dict(dev, mac='02:00:00:00:00:01', mtu=1500, up=False, addresses=['10.0.0.5/8'])
    actions = hm.plan_device(settings(), lost)
    assert descriptions(actions) == [
        'MAC of device o-hm0: 02:00:00:00:00:01 -> %s' % MAC, 'MTU of device o-hm0: 1500 -> 1450',
        'bring device o-hm0 up', 'remove address 10.0.0.5/8 from o-hm0', 'add address 172.31.250.183/24 to o-hm0']
    assert actions[-1][1] == ['ip', 'addr', 'add', '172.31.250.183/24', 'dev', 'o-hm0']


def test_vlan_refresh_tag():
    action, problem = hm.plan_tag(settings(), state(tag=7, network=[('tap1', 3)]))
    assert problem is None and action[0].startswith('tag of o-hm0: 7 -> 3 (local VLAN of network')
    assert action[1][-3:] == ['Port', 'o-hm0', 'tag=3']
    assert hm.plan_tag(settings(), state(tag=3, network=[('tap1', 3)])) == (None, None)
    action, problem = hm.plan_tag(settings(), state(tag=3, network=[('tap1', 4095)]))
    assert action is None and 'no valid local VLAN for network %s on br-int (its ports there: tap1)' % NET in problem


def test_agent_managed_tag_goes_back_to_the_agents_record():
    agent = settings(HM_PORT_MODE='agent_managed')
    action, problem = hm.plan_tag(agent, state(tag=99, other={'net_uuid': NET, 'tag': '2'}))
    assert problem is None and action[0].startswith('tag of o-hm0: 99 -> 2 (the agent')
    assert hm.plan_tag(agent, state(tag=2, other={'net_uuid': NET, 'tag': '2'})) == (None, None)
    action, problem = hm.plan_tag(agent, state(tag=4095, other={}))
    assert action is None and 'has not bound o-hm0' in problem


def test_replug_due():
    assert not hm.replug_due(None, 1000, 60)
    assert not hm.replug_due(950, 1000, 60)
    assert hm.replug_due(940, 1000, 60)


# ---- the program's flow on a fake host --------------------------------------------------------------------------

class FakeHost(hm.Host):
    """The host's OVSDB and device as canned outputs; commands are recorded and change what is read next."""
    outputs = {}

    def __init__(self, s, check=False):
        super().__init__(s, check)
        self.ran, self.clock = [], 0.0
        self.ovs = dict(FakeHost.outputs['ovs'])
        self.device = list(FakeHost.outputs['device'])

    def run(self, argv):
        if argv[0] == 'ovs-vsctl' and '--format=json' in argv:
            return 0, vsctl_output(**self.ovs), ''
        if argv[:3] == ['ip', '-j', 'addr']:
            return (0, json.dumps(self.device), '') if self.device else (1, '', 'Device "o-hm0" does not exist.')
        self.ran.append(argv)
        if 'tag=3' in argv:
            self.ovs['tag'] = 3
        if argv[:3] == ['ip', 'addr', 'add']:
            self.device[0]['addr_info'].append({'family': 'inet', 'local': argv[3].split('/')[0], 'prefixlen': 24})
        return 0, '', ''

    def sleep(self, seconds):
        self.clock += seconds

    def now(self):
        return self.clock


@pytest.fixture
def fake(tmp_path, monkeypatch):
    conf = tmp_path / 'hm-port.env'
    conf.write_text(SETTINGS)
    monkeypatch.setenv('HM_PORT_CONF', str(conf))
    monkeypatch.setenv('HM_PORT_LOCK', str(tmp_path / 'lock'))
    monkeypatch.setenv('HM_PORT_STATE_DIR', str(tmp_path / 'run'))
    hosts = []

    def make(s, check=False):
        hosts.append(FakeHost(s, check))
        return hosts[-1]

    def run(args, ovs=None, device=None):
        FakeHost.outputs = {'ovs': ovs or {}, 'device': DEVICE if device is None else device}
        rc = hm.main(args, host_class=make)
        return rc, hosts[-1]
    return run


def test_repair_with_nothing_to_do_is_silent(fake, capsys):
    rc, host = fake(['repair'])
    assert rc == 0 and host.ran == [] and capsys.readouterr().out == ''


def test_repair_fixes_a_hand_set_tag_and_a_lost_address(fake, capsys):
    lost = [dict(DEVICE[0], addr_info=[])]
    rc, host = fake(['repair', '--check'], ovs={'tag': 7, 'network': [('tap1', 3)]}, device=lost)
    out = capsys.readouterr().out
    assert rc == 2 and host.ran == []
    assert 'would: add address 172.31.250.183/24 to o-hm0' in out and 'would: tag of o-hm0: 7 -> 3' in out
    rc, host = fake(['repair'], ovs={'tag': 7, 'network': [('tap1', 3)]}, device=lost)
    out = capsys.readouterr().out
    assert rc == 0 and 'changed: tag of o-hm0: 7 -> 3' in out and 'changed: add address' in out
    assert [argv[-1] for argv in host.ran] == ['o-hm0', 'tag=3']


def test_repair_fails_loudly_without_a_local_vlan(fake, capsys):
    rc = fake(['repair'], ovs={'network': [('tap1', 4095)]})[0]
    assert rc == 1 and 'error: no valid local VLAN' in capsys.readouterr().err


def test_up_plugs_a_missing_port_and_waits_for_its_device(fake, capsys):
    rc, host = fake(['up'], ovs={'port': False}, device=[])
    assert rc == 1 and 'device o-hm0 did not appear (after 60s)' in capsys.readouterr().err
    assert host.ran[0][2:4] == ['--may-exist', 'add-port'] and host.clock >= 60


def test_refresh_waits_for_the_vlan_then_settles(fake, capsys):
    rc, host = fake(['refresh'], ovs={'tag': 4095, 'network': [('tap1', 3)]})
    assert rc == 0 and host.ran[0][-1] == 'tag=3' and host.clock >= 5
    assert 'changed: tag of o-hm0: 4095 -> 3' in capsys.readouterr().out


def test_refresh_gives_up_at_its_timeout_naming_the_ports(fake, capsys):
    rc, host = fake(['refresh'], ovs={'tag': 4095, 'network': [('tap1', None)]})
    err = capsys.readouterr().err
    assert rc == 1 and host.clock >= 30 and '(its ports there: tap1) within 30s' in err and 'repair timer' in err


def test_refresh_is_for_vlan_refresh_only(fake, capsys, tmp_path):
    (tmp_path / 'hm-port.env').write_text(SETTINGS.replace('=vlan_refresh', '=agent_managed'))
    rc = fake(['refresh'])[0]
    assert rc == 1 and 'refresh is for vlan_refresh mode only' in capsys.readouterr().err


def agent_ids():
    return {'skip_cleanup': 'true', 'iface-id': PORT_ID, 'attached-mac': MAC, 'iface-status': 'active'}


def test_agent_managed_repair_restores_the_agents_tag(fake, capsys, tmp_path):
    (tmp_path / 'hm-port.env').write_text(SETTINGS.replace('=vlan_refresh', '=agent_managed'))
    rc, host = fake(['repair'], ovs={'tag': 9, 'ids': agent_ids(), 'other': {'net_uuid': NET, 'tag': '3'},
                                     'network': [('tap1', 3), ('o-hm0', 9)]})
    assert rc == 0 and host.ran[-1][-1] == 'tag=3'
    assert "changed: tag of o-hm0: 9 -> 3 (the agent's local VLAN" in capsys.readouterr().out


def test_agent_managed_replugs_a_port_the_agent_left_dead(fake, capsys, tmp_path, monkeypatch):
    (tmp_path / 'hm-port.env').write_text(SETTINGS.replace('=vlan_refresh', '=agent_managed'))
    dead = {'tag': 4095, 'ids': agent_ids(), 'other': {}, 'network': [('tap1', 3)]}
    clock = [1000.0]
    monkeypatch.setattr(hm.time, 'time', lambda: clock[0])
    rc, host = fake(['repair'], ovs=dead)
    assert rc == 0 and host.ran == []                     # first seen: wait for the agent
    clock[0] += 30
    rc, host = fake(['repair'], ovs=dead)
    assert rc == 0 and host.ran == []
    clock[0] += 31
    rc, host = fake(['repair'], ovs=dead)
    assert rc == 0 and host.ran[0][2:6] == ['--', 'del-port', 'br-int', 'o-hm0']
    assert 're-plug o-hm0 into br-int: the agent has not bound o-hm0 yet' in capsys.readouterr().out
    rc, host = fake(['repair'], ovs=dead)
    assert host.ran == []                                 # the grace starts again
