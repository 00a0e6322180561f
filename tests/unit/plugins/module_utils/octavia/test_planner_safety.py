"""The planner never deletes what it did not read or what something it leaves alone still uses, repairs
duplicate pools (an interrupted replace, two runs at once), and refuses listener port conflicts before any
write (issue 13)."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.planner import Planner

from . import fakes

WEB = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}


def plan(desired, state, **kw):
    kw.setdefault('api_version', lambda: (2, 30))
    return Planner(desired, state, **kw).run()


def ops(p):
    return [(o['action'], o['kind'], o['id']) for o in p.ops]


# ---- 1. member removal deletes only members it read, by ID, never a whole set

def pool_with(n):
    web = fakes.pool('web')
    members = [fakes.member('192.0.2.%d' % (i + 1)) for i in range(n)]
    return web, members, fakes.FakeState(fakes.lb(), [], [web], {web['id']: members})


def test_exact_mode_removal_is_deletes_by_id_not_a_batch():
    web, members, state = pool_with(3)
    p = plan(fakes.desired(pools=[dict(WEB, members=[{'address': '192.0.2.1', 'protocol_port': 80}])]), state)
    assert ops(p) == [('delete', 'member', members[1]['id']), ('delete', 'member', members[2]['id'])]
    assert all(o['parent'] == web['id'] for o in p.ops)
    assert not [o for o in p.ops if o['action'] == 'batch' and not o['additive']]


def test_member_module_removal_deletes_only_the_listed_members():
    _web, members, state = pool_with(3)
    params = {'loadbalancer': 'lb1', 'pool': 'web', 'state': 'absent', 'mode': 'additive',
              'members': [fakes.full({'address': '192.0.2.2', 'protocol_port': 80}, _member_fields())]}
    p = plan(spec.member_module(params), state)
    assert ops(p) == [('delete', 'member', members[1]['id'])]


def _member_fields():
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
    return schema.MEMBER


def test_adds_with_removals_are_one_additive_batch_then_the_deletes():
    _web, members, state = pool_with(2)
    two = [{'address': '192.0.2.1', 'protocol_port': 80}, {'address': '192.0.2.7', 'protocol_port': 80}]
    p = plan(fakes.desired(pools=[dict(WEB, members=two)]), state)
    assert [(o['action'], o['additive']) for o in p.ops] == [('batch', True), ('delete', False)]
    assert p.ops[1]['id'] == members[1]['id']
    # one diff for the pool's members, not one per request
    assert len(p.diffs) == 1 and set(p.diffs[0]['before']) == {'192.0.2.2:80'}


def test_a_new_pools_members_go_in_an_additive_batch():
    """Another run may register a member in the new pool (by its name) between the POST and the batch."""
    state = fakes.FakeState(fakes.lb(), [], [])
    p = plan(fakes.desired(pools=[dict(WEB, members=[{'address': '192.0.2.1', 'protocol_port': 80}])]), state)
    assert [(o['action'], o['kind'], o['additive']) for o in p.ops] == [
        ('create', 'pool', False), ('batch', 'member', True)]


# ---- 2/3. several pools with one name: the one in use stays, the others are moved off and deleted

def test_interrupted_replace_leftover_is_deleted_and_the_pool_in_use_kept():
    old = fakes.pool('web', created_at='2026-01-01T10:00:00')
    new = fakes.pool('web', protocol='PROXY', created_at='2026-01-01T10:05:00')  # made, never switched to
    http = fakes.listener('http', pool=old)
    state = fakes.FakeState(fakes.lb(), [http], [old, new])
    p = plan(fakes.desired(pools=[WEB]), state)
    assert ops(p) == [('delete', 'pool', new['id'])]
    assert 'duplicate' in p.ops[0]['label']


def test_interrupted_replace_then_replace_again_completes_with_one_pool():
    old = fakes.pool('web', created_at='2026-01-01T10:00:00')
    new = fakes.pool('web', protocol='PROXY', created_at='2026-01-01T10:05:00')
    http = fakes.listener('http', pool=old)
    state = fakes.FakeState(fakes.lb(), [http], [old, new])
    p = plan(fakes.desired(pools=[dict(WEB, protocol='PROXY')]), state, replace=True)
    assert [(o['action'], o['kind']) for o in p.ops] == [
        ('create', 'pool'), ('update', 'listener'), ('delete', 'pool'), ('delete', 'pool')]
    assert sorted(o['id'] for o in p.ops if o['action'] == 'delete') == sorted([old['id'], new['id']])


def test_replace_interrupted_after_the_switch_keeps_the_new_pool():
    old = fakes.pool('web', created_at='2026-01-01T10:00:00')
    new = fakes.pool('web', protocol='PROXY', created_at='2026-01-01T10:05:00')
    http = fakes.listener('http', pool=new)
    state = fakes.FakeState(fakes.lb(), [http], [old, new])
    p = plan(fakes.desired(pools=[dict(WEB, protocol='PROXY')]), state, replace=True)
    assert ops(p) == [('delete', 'pool', old['id'])]


def test_two_unused_twins_keep_the_oldest_then_lowest_id_whichever_run_looks():
    a = fakes.pool('web', id='b-later-id', created_at='2026-01-01T10:00:00')
    b = fakes.pool('web', id='a-early-id', created_at='2026-01-01T10:00:00')
    for order in ([a, b], [b, a]):
        p = plan(fakes.desired(pools=[WEB]), fakes.FakeState(fakes.lb(), [], list(order)))
        assert ops(p) == [('delete', 'pool', 'b-later-id')]


def test_twins_both_in_use_the_oldest_stays_and_the_others_users_move_to_it():
    a = fakes.pool('web', created_at='2026-01-01T10:00:00')
    b = fakes.pool('web', created_at='2026-01-01T10:00:01')
    http = fakes.listener('http', pool=a)
    alt = fakes.listener('alt', port=81, pool=b)
    pol = fakes.policy('p', 1, http, action='REDIRECT_TO_POOL', redirect_pool_id=b['id'])
    b['listeners'].append({'id': http['id']})
    state = fakes.FakeState(fakes.lb(), [http, alt], [a, b], l7={http['id']: [pol]})
    p = plan(fakes.desired(pools=[WEB]), state)
    assert [(o['action'], o['kind'], o['id'], o['body']) for o in p.ops] == [
        ('update', 'listener', alt['id'], {'default_pool_id': a['id']}),
        ('update', 'l7policy', pol['id'], {'redirect_pool_id': a['id']}),
        ('delete', 'pool', b['id'], None)]


def test_duplicates_of_a_pool_the_task_only_names_are_still_refused():
    """The member module names a pool; it never deletes pools, so it cannot settle duplicates."""
    a, b = fakes.pool('web'), fakes.pool('web')
    params = {'loadbalancer': 'lb1', 'pool': 'web', 'state': 'present', 'mode': 'additive',
              'members': [fakes.full({'address': '192.0.2.2', 'protocol_port': 80}, _member_fields())]}
    with pytest.raises(SpecError, match="2 pools of this load balancer are named 'web'"):
        plan(spec.member_module(params), fakes.FakeState(fakes.lb(), [], [a, b]))


# ---- 4. a pool something unmanaged uses is never deleted

def test_pools_without_listeners_refuse_to_delete_an_unmanaged_listeners_default_pool():
    web, api = fakes.pool('web'), fakes.pool('api')
    http = fakes.listener('http', pool=api)
    state = fakes.FakeState(fakes.lb(), [http], [web, api])
    with pytest.raises(SpecError) as err:
        plan(fakes.desired(pools=[WEB]), state)
    assert err.value.path == 'pools'
    assert "pool 'api'" in err.value.msg and 'listener http (HTTP:80)' in err.value.msg


def test_absent_pool_still_redirected_to_by_an_l7_policy_is_refused_naming_the_policy():
    web, api = fakes.pool('web'), fakes.pool('api')
    http = fakes.listener('http', pool=web)
    pol = fakes.policy('to-api', 1, http, action='REDIRECT_TO_POOL', redirect_pool_id=api['id'])
    api['listeners'].append({'id': http['id']})
    state = fakes.FakeState(fakes.lb(), [http], [web, api], l7={http['id']: [pol]})
    with pytest.raises(SpecError) as err:
        plan(fakes.desired(pools=[WEB, {'name': 'api', 'state': 'absent'}]), state)
    assert err.value.path == 'pools[api]'
    assert 'L7 policy to-api of listener http (HTTP:80)' in err.value.msg


def test_pool_module_absent_refuses_a_pool_in_use():
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
    api = fakes.pool('api')
    http = fakes.listener('http', pool=api)
    state = fakes.FakeState(fakes.lb(), [http], [api])
    params = fakes.full({'loadbalancer': 'lb1', 'name': 'api', 'state': 'absent'}, schema.POOL)
    with pytest.raises(SpecError, match="pool 'api' .* listener http"):
        plan(spec.pool_module(params), state)


def test_a_pool_whose_listener_the_task_moves_or_deletes_may_go():
    web, api = fakes.pool('web'), fakes.pool('api')
    http = fakes.listener('http', pool=api)
    tcp = fakes.listener('tcp', protocol='TCP', port=81, pool=api)
    state = fakes.FakeState(fakes.lb(), [http, tcp], [web, api])
    p = plan(fakes.desired(pools=[WEB], listeners=[{'name': 'http', 'default_pool': 'web'}]), state)
    assert [(o['action'], o['kind']) for o in p.ops] == [
        ('delete', 'listener'), ('update', 'listener'), ('delete', 'pool')]


def test_unused_pools_cost_no_reads_of_listeners():
    web, api = fakes.pool('web'), fakes.pool('api')
    state = fakes.FakeState(fakes.lb(), [], [web, api])
    p = plan(fakes.desired(pools=[WEB]), state)
    assert ops(p) == [('delete', 'pool', api['id'])]
    assert 'listeners' not in state.reads


# ---- 5. listener port conflicts, before any write

def listener(name, protocol, port):
    return {'name': name, 'protocol': protocol, 'protocol_port': port}


@pytest.mark.parametrize('first,second', [('HTTP', 'TCP'), ('TERMINATED_HTTPS', 'HTTPS'), ('PROMETHEUS', 'HTTP')])
def test_tcp_family_listeners_on_one_port_are_refused_statically(first, second):
    with pytest.raises(SpecError) as err:
        fakes.desired(listeners=[listener('a', first, 80), listener('b', second, 80)])
    assert err.value.path == 'listeners[b].protocol_port'
    assert 'conflicts with listeners[a] (%s:80)' % first in err.value.msg


def test_udp_sctp_and_tcp_may_share_a_port_number():
    d = fakes.desired(listeners=[listener('a', 'TCP', 53), listener('b', 'UDP', 53), listener('c', 'SCTP', 53)])
    assert len(d['listeners']) == 3


def test_a_new_listener_on_a_port_a_kept_listener_uses_is_refused():
    http = fakes.listener('http', port=80)
    state = fakes.FakeState(fakes.lb(), [http], [])
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
    params = fakes.full({'loadbalancer': 'lb1', 'name': 'tcp', 'protocol': 'TCP', 'protocol_port': 80,
                         'state': 'present'}, schema.LISTENER)
    tree = spec.listener_module(params)
    with pytest.raises(SpecError, match='TCP:80 conflicts with existing listener http .HTTP:80., which this task keeps'):
        plan(tree, state)


def test_a_port_the_plan_frees_first_may_be_taken():
    http = fakes.listener('http', port=80)
    state = fakes.FakeState(fakes.lb(), [http], [])
    p = plan(fakes.desired(listeners=[listener('tcp', 'TCP', 80)]), state)
    assert [(o['action'], o['kind']) for o in p.ops] == [('delete', 'listener'), ('create', 'listener')]
