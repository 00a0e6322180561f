"""The member cost model: a few changes in a big pool go one request each, otherwise one batch."""
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import member_cost
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.planner import Planner

from . import fakes

HM = {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}


def test_the_model_reproduces_the_lab_measurements():
    # issue 15: a batch on a 500-member pool held the load balancer ~27 s, one single PUT 2.4 s
    assert abs(member_cost.batch_seconds(500) - 27) < 0.5
    assert member_cost.singles_seconds(1) == 2.4
    assert not member_cost.use_batch(5, 500) and not member_cost.use_batch(11, 500)
    assert member_cost.use_batch(12, 500)
    assert member_cost.use_batch(1, 3) and member_cost.use_batch(2, 50)
    assert not member_cost.use_batch(1, 20)


def big_pool(size, weights):
    members = [{'address': '10.1.%d.%d' % (i // 250, i % 250 + 1), 'protocol_port': 80} for i in range(size)]
    hm = fakes.hm('HTTP')
    web = fakes.pool('web', hm=hm, members=[{'id': 'x'}])
    current = [fakes.member(m['address']) for m in members]
    state = fakes.FakeState(fakes.lb('lb1'), [], [web], {web['id']: current}, [hm])
    wanted = [dict(m, weight=weights.get(i, 1)) for i, m in enumerate(members)]
    tree = dict(vip_subnet_id=fakes.SUBNET,
                pools=[{'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': wanted,
                        'healthmonitor': HM}])
    return Planner(fakes.desired(**tree), state, api_version=lambda: (2, 30)).run()


def test_a_few_changes_in_a_big_pool_are_single_member_updates():
    p = big_pool(500, dict((i, 5) for i in range(0, 500, 100)))
    assert [(o['action'], o['kind']) for o in p.ops] == [('update', 'member')] * 5
    assert all(o['body'] == {'weight': 5} for o in p.ops)


def test_many_changes_in_a_big_pool_are_one_batch():
    p = big_pool(500, dict((i, 5) for i in range(0, 60)))
    assert [(o['action'], o['additive']) for o in p.ops] == [('batch', True)]
    assert len(p.ops[0]['body']) == 60


def test_a_change_in_a_small_pool_stays_one_batch():
    p = big_pool(3, {0: 5})
    assert [(o['action'], o['additive']) for o in p.ops] == [('batch', True)]
