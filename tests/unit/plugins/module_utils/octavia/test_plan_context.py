"""The sub-planners on their own: each gets a PlanContext (plan, state, pools, replace, API version) and
nothing else, so members and L7 policies can be planned without a Planner."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import Plan, Ref
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan_context import PlanContext, PoolIndex
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan_l7 import L7Planner
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan_members import MemberPlanner

from . import fakes


def context(state, desired=None, **kw):
    return PlanContext(desired or {}, state, Plan(), **kw)


def member_task(*members, **kw):
    return {'opts': {'name': 'web'}, 'members': [spec.member_spec(m, 'members[%d]' % i) for i, m in enumerate(members)],
            'members_mode': kw.get('mode', 'exact')}


def test_member_planner_plans_into_the_context_plan():
    web = fakes.pool('web')
    state = fakes.FakeState(fakes.lb(), [], [web], {web['id']: [fakes.member('10.0.0.1', weight=1)]})
    ctx = context(state, api_version=lambda: (2, 30))
    MemberPlanner(ctx).existing_pool(member_task({'address': '10.0.0.1', 'protocol_port': 80, 'weight': 3}), web)
    assert [(o['action'], o['kind'], o['body']) for o in ctx.plan.ops] == [('batch', 'member', [
        {'address': '10.0.0.1', 'protocol_port': 80, 'name': '', 'weight': 3, 'admin_state_up': True, 'backup': False,
         'monitor_address': None, 'monitor_port': None, 'tags': [], 'subnet_id': None}])]


def test_member_planner_reads_replace_from_the_context():
    web = fakes.pool('web')
    state = fakes.FakeState(fakes.lb(), [], [web], {web['id']: [fakes.member('10.0.0.1', subnet_id=fakes.uid('subnet'))]})
    task = member_task({'address': '10.0.0.1', 'protocol_port': 80, 'subnet_id': fakes.SUBNET})
    with pytest.raises(SpecError, match='create-only'):
        MemberPlanner(context(state)).existing_pool(task, web)
    ctx = context(state, replace=True)
    MemberPlanner(ctx).existing_pool(task, web)
    assert [(o['action'], o['kind']) for o in ctx.plan.ops] == [('delete', 'member'), ('create', 'member')]


def test_new_pool_members_are_additive_only_where_the_api_has_it():
    for version, additive in (((2, 10), False), ((2, 11), True)):
        ctx = context(fakes.FakeState(fakes.lb()), api_version=lambda v=version: v)
        MemberPlanner(ctx).new_pool('web', Ref('pool', 'web'), [{'address': '10.0.0.1', 'protocol_port': 80}])
        (op,) = ctx.plan.ops
        assert (op['action'], op['parent'], op['additive']) == ('batch', Ref('pool', 'web'), additive)


def test_pool_index_resolves_names_to_ids_refs_and_none():
    web = fakes.pool('web')
    pools = PoolIndex({}, fakes.FakeState(fakes.lb(), [], [web]))
    pools.target['new'] = Ref('pool', 'new')
    assert pools.resolve('web', 'p') == web['id']
    assert pools.resolve('new', 'p') == Ref('pool', 'new')
    assert pools.resolve('', 'p') is None
    assert pools.name_of(web['id']) == 'web'
    with pytest.raises(SpecError, match=r"pool 'gone' does not exist .*pools: new, web"):
        pools.resolve('gone', 'p')


def test_pool_index_protocol_prefers_the_task_over_the_cloud():
    web = fakes.pool('web', protocol='HTTP')
    desired = {'pools': [{'opts': {'name': 'web', 'protocol': 'PROXY'}}]}
    assert PoolIndex(desired, fakes.FakeState(fakes.lb(), [], [web])).protocol('web') == 'PROXY'
    assert PoolIndex({}, fakes.FakeState(fakes.lb(), [], [web])).protocol('web') == 'HTTP'
    assert PoolIndex({}, fakes.FakeState(fakes.lb(), [], [web])).protocol('other') is None


def test_l7_planner_resolves_redirect_pools_through_the_context():
    web = fakes.pool('web')
    http = fakes.listener('http')
    state = fakes.FakeState(fakes.lb(), [http], [web])
    ctx = context(state)
    ctx.pools.target['api'] = Ref('pool', 'api')
    pol = spec.l7policy_spec({'name': 'p', 'action': 'REDIRECT_TO_POOL', 'redirect_pool': 'api', 'position': 1,
                              'rules': [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/api'}]}, 'pol')
    listener = {'opts': {'name': 'http'}, 'l7policies': [pol], 'purge_l7policies': True}
    L7Planner(ctx).policies(listener, http['id'], [], http)
    ops = ctx.plan.ops
    assert [(o['action'], o['kind']) for o in ops] == [('create', 'l7policy'), ('create', 'l7rule')]
    assert ops[0]['body']['redirect_pool_id'] == Ref('pool', 'api')
    assert ops[0]['label'] == 'L7 policy p on listener http (HTTP:80)'


def test_l7_planner_carries_the_policies_of_a_listener_it_recreates():
    http = fakes.listener('http')
    pol = fakes.policy('p', 1, http, action='REDIRECT_TO_URL', redirect_url='https://example.org')
    state = fakes.FakeState(fakes.lb(), [http], [], l7={http['id']: [pol]},
                            rules={pol['id']: [fakes.rule(value='/x')]})
    (carried,) = L7Planner(context(state)).carried(http)
    assert carried['opts'] == {'name': 'p', 'action': 'REDIRECT_TO_URL', 'redirect_url': 'https://example.org',
                               'position': 1}
    assert carried['rules'] == [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/x'}]
