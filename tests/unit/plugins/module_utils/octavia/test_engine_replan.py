"""After a write of unknown outcome the engine reads the state again and re-plans, never repeats blindly."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.engine import Run
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.state import LiveState

from . import fakes
from .fakes import Response

LB = {'id': 'L', 'name': 'lb1', 'provisioning_status': 'ACTIVE', 'project_id': 'p1', 'vip_subnet_id': fakes.SUBNET}
WEB = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}


class Module(object):
    check_mode = False
    _diff = False

    def __init__(self, **params):
        self.params = dict(wait=True, timeout=600, replace=False)
        self.params.update(params)


def lbs(status):
    return Response(200, {'loadbalancers': [dict(LB, provisioning_status=status)]})


def lb_get(status):
    return Response(200, {'loadbalancer': dict(LB, provisioning_status=status)})


def pools(*names):
    return Response(200, {'pools': [fakes.pool(n, id='P-' + n) for n in names]})


def run_with(script, lb='existing', **desired):
    lb = dict(LB) if lb == 'existing' else lb
    job = Run(Module(), fakes.desired(**desired))
    job.client, _slept = fakes.scripted_client(script)
    job.project_id = 'p1'
    job.state = LiveState(job.client, lb)
    return job


def test_a_create_that_went_through_is_not_repeated():
    job = run_with([
        ('GET', '/lbaas/pools', pools()),                                  # plan: web is missing
        ('POST', '/lbaas/pools', fakes.read_timeout()),                    # sent, no answer
        ('GET', '/lbaas/loadbalancers', lbs('PENDING_UPDATE')),             # read again: the LB is busy...
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),    # ...so wait for it
        ('GET', '/lbaas/pools', pools('web')),                              # web exists: nothing left to do
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
    ], pools=[WEB])
    result = job.converge()
    assert result['changed'] is True
    assert [op['action'] for op in result['plan']] == ['create']
    assert [s[0] for s in job.client.conn.load_balancer.seen].count('POST') == 1
    assert job.client.counter.replans == 1
    assert job.client.conn.load_balancer.script == []


def test_a_create_that_did_not_go_through_is_planned_again():
    job = run_with([
        ('GET', '/lbaas/pools', pools()),
        ('POST', '/lbaas/pools', Response(502, {'faultstring': 'Bad Gateway'})),
        ('GET', '/lbaas/loadbalancers', lbs('ACTIVE')),
        ('GET', '/lbaas/pools', pools()),                                   # still missing
        ('POST', '/lbaas/pools', Response(201, {'pool': {'id': 'P-web'}})),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),    # the wait after the create
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
    ], pools=[WEB])
    result = job.converge()
    assert [op['action'] for op in result['plan']] == ['create', 'create']
    assert job.client.counter.replans == 1 and job.client.counter.lock_cycles == 1
    assert job.client.conn.load_balancer.script == []


def test_another_runs_change_is_seen_by_the_re_plan():
    """Pools are authoritative here: after the reset, the re-plan sees the pool another run added and the
    one we deleted already gone, so it deletes only what it read, once."""
    job = run_with([
        ('GET', '/lbaas/pools', pools('web', 'old')),
        ('DELETE', '/lbaas/pools/P-old', fakes.reset()),
        ('GET', '/lbaas/loadbalancers', lbs('ACTIVE')),
        ('GET', '/lbaas/pools', pools('web', 'new')),
        ('DELETE', '/lbaas/pools/P-new', Response(204)),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
    ], pools=[WEB])
    result = job.converge()
    assert [(op['action'], op['label']) for op in result['plan']] == [('delete', 'pool old'), ('delete', 'pool new')]
    deletes = [s[1] for s in job.client.conn.load_balancer.seen if s[0] == 'DELETE']
    assert deletes == ['/lbaas/pools/P-old', '/lbaas/pools/P-new']


def test_a_lb_create_of_unknown_outcome_finds_the_new_lb():
    job = run_with([
        ('POST', '/lbaas/loadbalancers', fakes.read_timeout()),
        ('GET', '/lbaas/loadbalancers', lbs('PENDING_CREATE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('PENDING_CREATE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
    ], lb=None, vip_subnet_id=fakes.SUBNET)
    result = job.converge()
    assert [op['action'] for op in result['plan']] == ['create']
    assert [s[0] for s in job.client.conn.load_balancer.seen].count('POST') == 1
    assert job.state.lb_id == 'L'


def test_re_plans_are_bounded():
    script = [('GET', '/lbaas/pools', pools())]
    for _attempt in range(Run.max_replans + 1):
        script += [('POST', '/lbaas/pools', Response(504)), ('GET', '/lbaas/loadbalancers', lbs('ACTIVE')),
                   ('GET', '/lbaas/pools', pools())]
    job = run_with(script[:-2], pools=[WEB])
    with pytest.raises(OctaviaModuleError, match=r'pool web: outcome unknown \(HTTP 504.*gave up after 3 re-plans'):
        job.converge()
    assert job.client.counter.replans == Run.max_replans + 1


def test_check_mode_never_writes_or_re_plans():
    job = run_with([('GET', '/lbaas/pools', pools())], pools=[WEB])
    job.module.check_mode = True
    result = job.converge()
    assert result['changed'] and job.client.counter.writes == 0
