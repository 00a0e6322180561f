"""Planning against a fake current state: what gets written, in which order, and what is refused."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import Ref
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.planner import Planner

from . import fakes

WEB_MEMBERS = [{'address': '192.0.2.%d' % i, 'protocol_port': 80} for i in range(1, 4)]
TREE = dict(
    vip_subnet_id=fakes.SUBNET,
    listeners=[{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}],
    pools=[{'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': WEB_MEMBERS,
            'healthmonitor': {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}}],
)


def plan(desired, state, **kw):
    kw.setdefault('api_version', lambda: (2, 30))
    return Planner(desired, state, **kw).run()


def existing(**over):
    """The cloud holding exactly TREE."""
    hm = fakes.hm('HTTP')
    web = fakes.pool('web', hm=hm, members=[{'id': 'x'}])
    http = fakes.listener('http', pool=web)
    members = [fakes.member('192.0.2.%d' % i) for i in range(1, 4)]
    state = fakes.FakeState(fakes.lb('lb1'), [http], [web], {web['id']: members}, [hm])
    return state, web, http, members, hm


def test_absent_lb_is_one_fully_populated_create():
    p = plan(fakes.desired(**TREE), fakes.FakeState())
    assert [(o['action'], o['kind']) for o in p.ops] == [('create', 'loadbalancer')]
    body = p.ops[0]['body']
    assert body['vip_subnet_id'] == fakes.SUBNET
    assert body['listeners'][0]['default_pool'] == {'name': 'web'}
    assert len(body['pools'][0]['members']) == 3
    assert body['pools'][0]['healthmonitor'] == {'type': 'HTTP', 'delay': 5, 'timeout': 3, 'max_retries': 3}


def test_create_needs_a_vip():
    with pytest.raises(SpecError, match='vip_subnet_id'):
        plan(fakes.desired(), fakes.FakeState())


def test_no_op_plans_nothing_and_reads_only_what_is_managed():
    state = existing()[0]
    p = plan(fakes.desired(**TREE), state)
    assert p.ops == []
    assert p.diffs == []


def test_every_listener_pool_and_hm_update_is_one_put():
    state, web, http, _m, hm = existing()
    tree = dict(TREE)
    tree['listeners'] = [dict(TREE['listeners'][0], connection_limit=100, timeout_client_data=1000,
                              insert_headers={'X-Forwarded-For': True}, allowed_cidrs=['10.0.0.1/8'])]
    tree['pools'] = [dict(TREE['pools'][0], lb_algorithm='LEAST_CONNECTIONS',
                          healthmonitor=dict(TREE['pools'][0]['healthmonitor'], delay=10, expected_codes='202, 200'))]
    p = plan(fakes.desired(description='x', **tree), state)
    ops = [(o['action'], o['kind'], o.get('id')) for o in p.ops]
    assert ops == [('update', 'loadbalancer', state.lb['id']), ('update', 'pool', web['id']),
                   ('update', 'healthmonitor', hm['id']), ('update', 'listener', http['id'])]
    assert p.ops[3]['body'] == {'connection_limit': 100, 'timeout_client_data': 1000,
                                'insert_headers': {'X-Forwarded-For': 'true'}, 'allowed_cidrs': ['10.0.0.0/8']}
    assert p.ops[2]['body'] == {'delay': 10, 'expected_codes': '200,202'}
    assert p.diffs[0] == {'before_header': 'load balancer lb1', 'after_header': 'load balancer lb1',
                          'before': {'description': ''}, 'after': {'description': 'x'}}


def test_member_weight_changes_are_one_additive_batch_with_only_the_changed_members():
    state = existing()[0]
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], members=[dict(m, weight=5) for m in WEB_MEMBERS[:2]] + WEB_MEMBERS[2:])]
    p = plan(fakes.desired(**tree), state)
    assert len(p.ops) == 1
    op = p.ops[0]
    assert (op['action'], op['additive']) == ('batch', True)
    assert [(m['address'], m['weight']) for m in op['body']] == [('192.0.2.1', 5), ('192.0.2.2', 5)]
    # the batch replaces each member whole: unmanaged fields go with their current values
    assert op['body'][0]['backup'] is False and op['body'][0]['admin_state_up'] is True


def test_old_api_creates_new_members_one_by_one_instead_of_a_whole_set():
    """Before API 2.11 a batch cannot be additive: it would delete members another run added meanwhile."""
    state = existing()[0]
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], members=WEB_MEMBERS + [{'address': '192.0.2.9', 'protocol_port': 80}])]
    p = plan(fakes.desired(**tree), state, api_version=lambda: (2, 10))
    assert [(o['action'], o['kind'], o['body']['address']) for o in p.ops] == [('create', 'member', '192.0.2.9')]


def test_removing_members_deletes_each_one_read_and_adds_the_new_ones_additively():
    state, web, _h, members, _hm = existing()
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], members=WEB_MEMBERS[:1] + [{'address': '2001:db8::1', 'protocol_port': 80}])]
    p = plan(fakes.desired(**tree), state)
    assert [(o['action'], o['additive'], o['id']) for o in p.ops] == [
        ('batch', True, None), ('delete', False, members[1]['id']), ('delete', False, members[2]['id'])]
    assert [m['address'] for m in p.ops[0]['body']] == ['2001:db8::1']
    assert all(o['parent'] == web['id'] for o in p.ops)


def test_removing_one_member_is_one_delete():
    state, web, _h, members, _hm = existing()
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], members=WEB_MEMBERS[:2])]
    p = plan(fakes.desired(**tree), state)
    assert [(o['action'], o['kind'], o['id'], o['parent']) for o in p.ops] == [
        ('delete', 'member', members[2]['id'], web['id'])]


def test_additive_mode_keeps_unlisted_members():
    state = existing()[0]
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], members=WEB_MEMBERS[:1], members_mode='additive')]
    assert plan(fakes.desired(**tree), state).ops == []


def test_ipv6_addresses_compare_canonically():
    hm = fakes.hm()
    web = fakes.pool('web', hm=hm)
    state = fakes.FakeState(fakes.lb(), [], [web], {web['id']: [fakes.member('2001:db8::1')]}, [hm])
    p = plan(fakes.desired(pools=[{'name': 'web', 'members': [{'address': '2001:0DB8:0:0::1', 'protocol_port': 80}]}]),
             state)
    assert p.ops == []


def test_subnet_change_of_a_member_is_create_only():
    state = existing()[0]
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], members=[dict(WEB_MEMBERS[0], subnet_id=fakes.SUBNET)] + WEB_MEMBERS[1:])]
    with pytest.raises(SpecError) as err:
        plan(fakes.desired(**tree), state)
    assert err.value.path == 'pools[web].members[0].subnet_id'
    p = plan(fakes.desired(**tree), state, replace=True)
    assert [o['action'] for o in p.ops] == ['delete', 'batch']


def test_named_member_moving_address_is_create_only():
    web = fakes.pool('web')
    state = fakes.FakeState(fakes.lb(), [], [web], {web['id']: [fakes.member('192.0.2.1', name='app1')]})
    d = fakes.desired(pools=[{'name': 'web', 'members': [{'address': '192.0.2.7', 'protocol_port': 80,
                                                         'name': 'app1'}]}])
    with pytest.raises(SpecError, match=r"pools\[web\].members\[0\].address: is create-only"):
        plan(d, state)


def test_listener_protocol_change_is_refused_naming_the_field():
    state = existing()[0]
    tree = dict(TREE)
    tree['listeners'] = [dict(TREE['listeners'][0], protocol='TCP')]
    with pytest.raises(SpecError) as err:
        plan(fakes.desired(**tree), state)
    assert err.value.path == 'listeners[http].protocol'
    assert 'replace=true' in err.value.msg


def test_listener_replacement_deletes_before_creating():
    state, web, http, _m, _hm = existing()
    tree = dict(TREE)
    tree['listeners'] = [dict(TREE['listeners'][0], protocol_port=8080)]
    p = plan(fakes.desired(**tree), state, replace=True)
    assert [(o['action'], o['kind']) for o in p.ops] == [('delete', 'listener'), ('create', 'listener')]
    assert p.ops[1]['body']['protocol_port'] == 8080
    assert p.ops[1]['body']['default_pool_id'] == web['id']


def test_pool_replacement_moves_listeners_then_deletes_the_old_pool():
    state, web, http, _m, _hm = existing()
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], protocol='PROXY')]
    with pytest.raises(SpecError, match=r'pools\[web\].protocol'):
        plan(fakes.desired(**tree), state)
    p = plan(fakes.desired(**tree), state, replace=True)
    assert [(o['action'], o['kind']) for o in p.ops] == [
        ('create', 'pool'), ('batch', 'member'), ('create', 'healthmonitor'), ('update', 'listener'),
        ('delete', 'pool')]
    assert p.ops[3]['body'] == {'default_pool_id': Ref('pool', 'web')}
    assert p.ops[4]['id'] == web['id']


def test_hm_type_change_is_create_only():
    state = existing()[0]
    tree = dict(TREE)
    tree['pools'] = [dict(TREE['pools'][0], healthmonitor={'type': 'TCP'})]
    with pytest.raises(SpecError, match=r'pools\[web\].healthmonitor.type: is create-only'):
        plan(fakes.desired(**tree), state)
    p = plan(fakes.desired(**tree), state, replace=True)
    assert [o['action'] for o in p.ops] == ['delete', 'create']
    assert 'url_path' not in p.ops[1]['body']


def test_new_pool_on_existing_lb_then_listener_switches_to_it_then_old_pool_goes():
    state, web, http, _m, _hm = existing()
    tree = {'listeners': [dict(TREE['listeners'][0], default_pool='web2')],
            'pools': [{'name': 'web2', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': WEB_MEMBERS}]}
    p = plan(fakes.desired(**tree), state)
    assert [(o['action'], o['kind']) for o in p.ops] == [
        ('create', 'pool'), ('batch', 'member'), ('update', 'listener'), ('delete', 'pool')]
    assert p.ops[2]['body'] == {'default_pool_id': Ref('pool', 'web2')}


def test_removed_listener_is_deleted_before_new_one_takes_its_port():
    state = existing()[0]
    tree = dict(TREE)
    tree['listeners'] = [{'name': 'tcp', 'protocol': 'TCP', 'protocol_port': 80, 'default_pool': 'web'}]
    p = plan(fakes.desired(**tree), state)
    assert [(o['action'], o['kind']) for o in p.ops] == [('delete', 'listener'), ('create', 'listener')]


def test_unlisted_collections_are_not_touched():
    state = existing()[0]
    p = plan(fakes.desired(description=''), state)
    assert p.ops == []
    assert 'listeners' not in state.reads and 'pools' not in state.reads


def test_l7_policies_converge_in_position_order_and_rules_update_in_place():
    web, api = fakes.pool('web'), fakes.pool('api')
    http = fakes.listener('http', pool=web)
    a = fakes.policy('a', 1, http)
    b = fakes.policy('b', 2, http)
    r = fakes.rule(value='/old')
    state = fakes.FakeState(fakes.lb(), [http], [web, api], l7={http['id']: [a, b]}, rules={b['id']: [r]})
    d = fakes.desired(listeners=[{'name': 'http', 'l7policies': [
        {'name': 'b', 'action': 'REJECT', 'rules': [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/new'}]},
        {'name': 'c', 'action': 'REDIRECT_TO_POOL', 'redirect_pool': 'api'},
        {'name': 'a', 'action': 'REJECT'},
    ]}])
    p = plan(d, state)
    ops = [(o['action'], o['kind'], (o['body'] or {}).get('position'), (o['body'] or {}).get('value')) for o in p.ops]
    assert ops == [('update', 'l7policy', 1, None), ('update', 'l7rule', None, '/new'),
                   ('create', 'l7policy', 2, None)]
    assert p.ops[2]['body']['redirect_pool_id'] == api['id']


def test_l7_policy_with_an_unknown_pool_is_refused():
    web = fakes.pool('web')
    http = fakes.listener('http', pool=web)
    state = fakes.FakeState(fakes.lb(), [http], [web])
    d = fakes.desired(listeners=[{'name': 'http', 'l7policies': [
        {'name': 'x', 'action': 'REDIRECT_TO_POOL', 'redirect_pool': 'nope'}]}])
    with pytest.raises(SpecError) as err:
        plan(d, state)
    assert err.value.path == 'listeners[http].l7policies[x].redirect_pool'
    assert "'nope' does not exist" in err.value.msg


def test_lb_vip_change_is_create_only_and_replacement_needs_the_whole_tree():
    state = existing()[0]
    with pytest.raises(SpecError, match='vip_address: is create-only'):
        plan(fakes.desired(vip_address='10.0.0.9'), state)
    with pytest.raises(SpecError, match='give listeners and pools'):
        plan(fakes.desired(vip_address='10.0.0.9'), state, replace=True)
    p = plan(fakes.desired(vip_address='10.0.0.9', **TREE), state, replace=True)
    assert [(o['action'], o['kind']) for o in p.ops] == [('delete', 'loadbalancer'), ('create', 'loadbalancer')]


def test_state_absent_is_one_cascade_delete():
    state = existing()[0]
    p = plan(fakes.desired(state='absent'), state)
    assert [(o['action'], o['cascade']) for o in p.ops] == [('delete', True)]
    assert plan(fakes.desired(state='absent'), fakes.FakeState()).ops == []


def test_listener_protocol_incompatible_with_existing_pool():
    web = fakes.pool('web', protocol='UDP')
    state = fakes.FakeState(fakes.lb(), [], [web])
    d = fakes.desired(listeners=[{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}])
    with pytest.raises(SpecError, match=r'listeners\[http\].default_pool: a HTTP listener cannot use a UDP pool'):
        plan(d, state)


def test_listener_replacement_keeps_what_the_task_leaves_out():
    state, web, http, _m, _hm = existing()
    http['connection_limit'] = 77
    p = plan(fakes.desired(listeners=[{'name': 'http', 'protocol_port': 8081}]), state, replace=True)
    assert [(o['action'], o['kind']) for o in p.ops] == [('delete', 'listener'), ('create', 'listener')]
    body = p.ops[1]['body']
    assert (body['protocol'], body['protocol_port'], body['connection_limit'], body['default_pool_id']) == (
        'HTTP', 8081, 77, web['id'])
    # defaults and empty values are not sent to the new listener
    assert 'tls_versions' not in body and 'timeout_client_data' not in body
