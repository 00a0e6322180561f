"""Results: health summary and the export that lets the loadbalancer module adopt a load balancer."""
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import tree

from . import fakes


def sample():
    hm = fakes.hm()
    web = fakes.pool('web', hm=hm, members=[{'id': 'm'}])
    http = fakes.listener('http', pool=web, connection_limit=100, l7policies=[{'id': 'p'}])
    pol = fakes.policy('rej', 1, http, rules=[{'id': 'r'}])
    members = [fakes.member('10.0.0.1', weight=3), fakes.member('10.0.0.2', operating_status='ERROR')]
    state = fakes.FakeState(fakes.lb('app'), [http], [web], {web['id']: members}, [hm], {http['id']: [pol]},
                            {pol['id']: [fakes.rule('HEADER', 'EQUAL_TO', 'x', key='X-Bad')]})
    return tree.full_tree(state)


def test_export_leaves_out_api_defaults_and_names_pools():
    spec, warnings = tree.export_spec(sample())
    assert warnings == []
    assert spec['name'] == 'app' and spec['vip_subnet_id'] == fakes.SUBNET and 'vip_port_id' not in spec
    rule = {'type': 'HEADER', 'compare_type': 'EQUAL_TO', 'key': 'X-Bad', 'value': 'x'}
    policy = {'name': 'rej', 'action': 'REJECT', 'position': 1, 'rules': [rule]}
    assert spec['listeners'] == [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'connection_limit': 100,
                                  'default_pool': 'web', 'l7policies': [policy]}]
    pool = spec['pools'][0]
    assert pool['members'] == [{'address': '10.0.0.1', 'protocol_port': 80, 'weight': 3},
                               {'address': '10.0.0.2', 'protocol_port': 80}]
    assert pool['healthmonitor'] == {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3,
                                     'http_method': 'GET', 'url_path': '/', 'expected_codes': '200'}


def test_health_names_what_is_wrong():
    health = tree.health(sample())
    assert health['healthy'] is False
    assert health['members'] == {'total': 2, 'healthy': 1, 'by_status': {'ONLINE': 1, 'ERROR': 1}}
    assert health['unhealthy'] == ['pool web member 10.0.0.2:80 is ERROR']


def test_status_tree_gate():
    unmonitored = {'address': '1.1.1.1', 'protocol_port': 1, 'operating_status': 'NO_MONITOR'}
    offline = {'address': '1.1.1.2', 'protocol_port': 1, 'operating_status': 'OFFLINE'}
    status = {'listeners': [{'pools': [{'name': 'a', 'health_monitor': None, 'members': [unmonitored]},
                                       {'name': 'b', 'health_monitor': {'id': 'h'}, 'members': [offline]}]}]}
    assert tree.unhealthy_members(status) == ['pool b member 1.1.1.2:1 is OFFLINE']
    assert tree.unhealthy_members(status, lambda pool, member: pool['name'] == 'a') == []
