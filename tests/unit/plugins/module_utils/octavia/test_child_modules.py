"""The single-object modules build partial trees: only what they name is managed."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema, spec
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import Ref
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.planner import Planner

from . import fakes


def params(fields, **kw):
    out = dict((f['name'], f.get('default')) for f in fields)
    out.update(loadbalancer='lb1', state='present')
    out.update(kw)
    return out


def test_member_module_absent_never_removes_unlisted_members():
    p = params(schema.MODULE_FIELDS['member'], pool='web', members=None, mode='exact', state='absent',
               address='192.0.2.1', protocol_port=80)
    tree = spec.member_module(p)
    pool = tree['pools'][0]
    assert pool['members_mode'] == 'additive' and pool['skip_if_missing'] is True
    web = fakes.pool('web')
    state = fakes.FakeState(fakes.lb(), [], [web], {web['id']: [fakes.member('192.0.2.1'), fakes.member('192.0.2.2')]})
    ops = Planner(tree, state).run().ops
    assert [(o['action'], o['kind']) for o in ops] == [('delete', 'member')]


def test_member_module_missing_pool():
    p = params(schema.MODULE_FIELDS['member'], pool='nope', members=None, mode='additive',
               address='192.0.2.1', protocol_port=80)
    state = fakes.FakeState(fakes.lb(), [], [])
    with pytest.raises(SpecError, match="pool: pool 'nope' does not exist"):
        Planner(spec.member_module(p), state).run()
    p['state'] = 'absent'
    assert Planner(spec.member_module(p), state).run().ops == []


def test_listener_module_needs_an_identity():
    with pytest.raises(SpecError, match='name: give name, or protocol and protocol_port'):
        spec.listener_module(params(schema.MODULE_FIELDS['listener']))


def test_pool_module_only_touches_its_pool():
    web, api = fakes.pool('web'), fakes.pool('api')
    state = fakes.FakeState(fakes.lb(), [], [web, api])
    tree = spec.pool_module(params(schema.MODULE_FIELDS['pool'], name='web', lb_algorithm='SOURCE_IP'))
    ops = Planner(tree, state).run().ops
    assert [(o['action'], o['id'], o['body']) for o in ops] == [('update', web['id'], {'lb_algorithm': 'SOURCE_IP'})]


def test_l7_policy_module_finds_the_listener_by_protocol_and_port():
    web = fakes.pool('web')
    http = fakes.listener('front', pool=web)
    state = fakes.FakeState(fakes.lb(), [http], [web])
    tree = spec.l7_policy_module(params(schema.MODULE_FIELDS['l7_policy'], listener='HTTP:80', name='x',
                                        action='REDIRECT_TO_POOL', redirect_pool='web',
                                        rules=[dict((f['name'], f.get('default')) for f in schema.L7_RULE)
                                               | {'type': 'PATH', 'compare_type': 'EQUAL_TO', 'value': '/'}]))
    ops = Planner(tree, state).run().ops
    assert [(o['action'], o['kind']) for o in ops] == [('create', 'l7policy'), ('create', 'l7rule')]
    assert ops[0]['body']['listener_id'] == http['id'] and ops[0]['body']['position'] == 1
    assert ops[1]['parent'] == Ref('l7policy', ops[0]['key'][1])


def test_health_monitor_module_absent_on_a_pool_without_one():
    web = fakes.pool('web')
    state = fakes.FakeState(fakes.lb(), [], [web])
    tree = spec.health_monitor_module(params(schema.MODULE_FIELDS['health_monitor'], pool='web', state='absent'))
    assert Planner(tree, state).run().ops == []
