"""The engine against other writers (issue 13): a create refused while another change held the load balancer
is re-planned, not repeated; two runs that created the same load balancer end with one; a load balancer
someone else is changing or deleting is waited for before anything is planned; transient faults inside a
plan are retried through the SDK's typed calls."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.engine import Run
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError

from . import fakes
from .fakes import Response
from .test_engine_replan import LB, WEB, lb_get, lbs, pools, run_with

IMMUTABLE = Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})


def seen(job, method=None):
    return [(m, u) for m, u, *_rest in job.client.conn.load_balancer.seen if method in (None, m)]


def test_a_create_refused_by_another_change_is_re_planned_and_not_duplicated():
    job = run_with([
        ('GET', '/lbaas/pools', pools()),                          # plan: web is missing
        ('POST', '/lbaas/pools', IMMUTABLE),                       # another run holds the LB...
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),        # ...until it is done
        ('GET', '/lbaas/loadbalancers', lbs('ACTIVE')),             # read again
        ('GET', '/lbaas/pools', pools('web')),                      # that run made web: nothing to do
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
    ], pools=[WEB])
    result = job.converge()
    assert seen(job, 'POST') == [('POST', '/lbaas/pools')]
    assert job.client.conn.load_balancer.typed == [('POST', '/lbaas/pools')]   # the SDK's typed create
    assert job.client.counter.replans == 1 and job.client.counter.lock_cycles == 0
    assert result['changed'] is True and [op['action'] for op in result['plan']] == ['create']
    assert job.client.conn.load_balancer.script == []


def test_transient_faults_inside_a_plan_are_retried_and_waited_out():
    job = run_with([
        ('GET', '/lbaas/pools', pools()),
        ('POST', '/lbaas/pools', Response(503, {'faultstring': 'Service Unavailable'})),   # not carried out
        ('POST', '/lbaas/pools', Response(201, {'pool': {'id': 'P-web'}})),
        ('GET', '/lbaas/loadbalancers/L', Response(502, {'faultstring': 'Bad Gateway'})),  # a poll: retried
        ('GET', '/lbaas/loadbalancers/L', lb_get('PENDING_UPDATE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
    ], pools=[WEB])
    job.converge()
    counts = job.client.counter
    assert (counts.writes, counts.lock_cycles, counts.retries, counts.replans) == (2, 1, 2, 0)
    assert job.client.conn.load_balancer.script == []


def twin(lb_id, created_at, status='ACTIVE'):
    return dict(LB, id=lb_id, created_at=created_at, provisioning_status=status)


def new_lb_job(script):
    job = run_with(script, lb=None, vip_subnet_id=fakes.SUBNET)
    job.state.lb = None
    return job


def test_the_run_whose_load_balancer_is_the_younger_twin_deletes_its_own_and_adopts_the_other():
    job = new_lb_job([
        ('POST', '/lbaas/loadbalancers', Response(201, {'loadbalancer': {'id': 'MINE'}})),
        ('GET', '/lbaas/loadbalancers/MINE', Response(200, {'loadbalancer': twin('MINE', 'T1')})),
        ('GET', '/lbaas/loadbalancers', Response(200, {'loadbalancers': [
            twin('MINE', '2026-12-06T12:00:01'), twin('THEIRS', '2026-12-06T12:00:00')]})),
        ('DELETE', '/lbaas/loadbalancers/MINE', Response(204)),
        ('GET', '/lbaas/loadbalancers/MINE', Response(200, {'loadbalancer': twin('MINE', 'T1', 'PENDING_DELETE')})),
        ('GET', '/lbaas/loadbalancers/MINE', Response(404, {'faultstring': 'not found'})),
        ('GET', '/lbaas/loadbalancers', Response(200, {'loadbalancers': [twin('THEIRS', '2026-12-06T12:00:00')]})),
        ('GET', '/lbaas/loadbalancers/THEIRS', Response(200, {'loadbalancer': twin('THEIRS', 'T0')})),
    ])
    slept, sleep = [], job.client.sleep
    job.client.sleep = lambda s: (slept.append(s), sleep(s))
    result = job.converge()
    assert job.state.lb_id == 'THEIRS'
    assert seen(job, 'DELETE') == [('DELETE', '/lbaas/loadbalancers/MINE')]   # only its own
    assert [(op['action'], op.get('id')) for op in result['plan']] == [('create', None), ('delete', 'MINE')]
    # the deciding list came twin_settle seconds after the create: the poll's pause, then the rest
    assert abs(sum(slept[:2]) - Run.twin_settle) < 1e-9
    assert job.client.conn.load_balancer.script == []


def test_the_run_whose_load_balancer_is_the_older_twin_keeps_it():
    job = new_lb_job([
        ('POST', '/lbaas/loadbalancers', Response(201, {'loadbalancer': {'id': 'MINE'}})),
        ('GET', '/lbaas/loadbalancers/MINE', Response(200, {'loadbalancer': twin('MINE', 'T1')})),
        ('GET', '/lbaas/loadbalancers', Response(200, {'loadbalancers': [
            twin('MINE', '2026-12-06T12:00:00'), twin('THEIRS', '2026-12-06T12:00:00', 'PENDING_CREATE'),
            twin('OLD', '2026-12-06T11:00:00', 'PENDING_DELETE')]})),       # being deleted: not a twin
        ('GET', '/lbaas/loadbalancers/MINE', Response(200, {'loadbalancer': twin('MINE', 'T1')})),
    ])
    job.converge()
    assert job.state.lb_id == 'MINE'
    assert seen(job, 'DELETE') == [] and job.client.counter.writes == 1


def test_absent_on_a_load_balancer_already_being_deleted_waits_for_it_and_changes_nothing():
    job = run_with([('GET', '/lbaas/loadbalancers/L', lb_get('PENDING_DELETE')),
                    ('GET', '/lbaas/loadbalancers/L', Response(404, {'faultstring': 'not found'}))],
                   state='absent')
    assert job.found(dict(LB, provisioning_status='PENDING_DELETE')) is None
    result = job.converge()
    assert result['changed'] is False and 'already being deleted' in result['msg']
    assert job.client.counter.writes == 0 and job.client.conn.load_balancer.script == []


def test_absent_in_check_mode_on_a_load_balancer_being_deleted_does_not_wait():
    job = run_with([], state='absent')
    job.module.check_mode = True
    assert job.found(dict(LB, provisioning_status='PENDING_DELETE')) is None
    result = job.converge()
    assert result['changed'] is False and 'would be gone' in result['msg']
    assert job.client.counter.requests == 0


def test_present_on_a_load_balancer_being_deleted_waits_then_creates_it_anew():
    job = run_with([
        ('GET', '/lbaas/loadbalancers/L', Response(404, {'faultstring': 'not found'})),
        ('POST', '/lbaas/loadbalancers', Response(201, {'loadbalancer': {'id': 'NEW'}})),
        ('GET', '/lbaas/loadbalancers/NEW', Response(200, {'loadbalancer': twin('NEW', 'T')})),
        ('GET', '/lbaas/loadbalancers', Response(200, {'loadbalancers': [twin('NEW', 'T')]})),
        ('GET', '/lbaas/loadbalancers/NEW', Response(200, {'loadbalancer': twin('NEW', 'T')})),
    ], vip_subnet_id=fakes.SUBNET)
    assert job.found(dict(LB, provisioning_status='PENDING_DELETE')) is None
    result = job.converge()
    assert result['changed'] is True and job.state.lb_id == 'NEW'
    assert job.client.conn.load_balancer.script == []


def test_a_load_balancer_another_change_holds_is_waited_for_before_planning():
    job = run_with([
        ('GET', '/lbaas/loadbalancers/L', lb_get('PENDING_UPDATE')),
        ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
        ('GET', '/lbaas/pools', pools('web')),                      # read only after the other change
    ], pools=[WEB])
    job.found(dict(LB, provisioning_status='PENDING_UPDATE'))
    assert job.converge()['changed'] is False
    assert job.client.conn.load_balancer.script == []


def test_superseded_re_plans_are_bounded():
    script = [('GET', '/lbaas/pools', pools())]
    for _attempt in range(Run.max_superseded + 1):
        script += [('POST', '/lbaas/pools', IMMUTABLE), ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
                   ('GET', '/lbaas/loadbalancers', lbs('ACTIVE')), ('GET', '/lbaas/pools', pools())]
    job = run_with(script[:-2], pools=[WEB])
    with pytest.raises(OctaviaModuleError, match='gave up after %d re-plans, each after another change'
                       % Run.max_superseded):
        job.converge()
    assert job.client.counter.writes == Run.max_superseded + 1


def test_ambiguous_writes_are_counted_in_a_row_so_progress_between_them_does_not_give_up():
    two = [dict(WEB, name=n) for n in ('a', 'b', 'c', 'd', 'e')]
    script = [('GET', '/lbaas/pools', pools())]
    made = []
    for name in ('a', 'b', 'c', 'd'):
        # each pool is created, then the next create's answer is lost: a re-plan after every step
        made.append(name)
        script += [('POST', '/lbaas/pools', Response(201, {'pool': {'id': 'P-' + name}})),
                   ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
                   ('POST', '/lbaas/pools', fakes.reset()),
                   ('GET', '/lbaas/loadbalancers', lbs('ACTIVE')),
                   ('GET', '/lbaas/pools', pools(*made))]
    script += [('POST', '/lbaas/pools', Response(201, {'pool': {'id': 'P-e'}})),
               ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE')),
               ('GET', '/lbaas/loadbalancers/L', lb_get('ACTIVE'))]
    job = run_with(script, pools=two)
    job.converge()
    assert job.client.counter.replans == 4 > Run.max_replans
    assert job.client.conn.load_balancer.script == []
