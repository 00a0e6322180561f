"""The waiter: the load balancer leaving PENDING_* (or gone), and the members coming ONLINE, each polled
with backoff within the task's deadline."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import waiter
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError

from . import fakes
from .fakes import Response

lb = fakes.lb_response
client = fakes.scripted_client
STATUS_PATH = '/lbaas/loadbalancers/L/status'


def test_wait_backs_off_and_returns_the_last_polled_lb():
    c, slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE'))] * 4 +
                      [('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))])
    assert waiter.wait_active(c, 'L')['provisioning_status'] == 'ACTIVE'
    assert len(slept) == 5
    assert all(b > a for a, b in zip(slept, slept[1:]))


def test_lb_in_error_fails_clearly():
    c, _slept = client([('GET', '/lbaas/loadbalancers/L', lb('ERROR'))])
    with pytest.raises(OctaviaModuleError, match='provisioning_status ERROR'):
        waiter.wait_active(c, 'L')


def test_wait_times_out_naming_the_status():
    c, _slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE'))] * 50, timeout=3)
    with pytest.raises(OctaviaModuleError, match=r'Timed out after 3s .* \(it is PENDING_UPDATE\)'):
        waiter.wait_active(c, 'L')


def test_delete_wait_ends_when_the_lb_is_gone():
    c, _slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_DELETE')),
                        ('GET', '/lbaas/loadbalancers/L', Response(404, {'faultstring': 'not found'}))])
    assert waiter.wait_active(c, 'L', deleting=True) is None


def _status(*member_statuses, **kw):
    members = [{'id': 'm%d' % i, 'address': '10.0.0.%d' % i, 'protocol_port': 80, 'operating_status': st}
               for i, st in enumerate(member_statuses, 1)]
    pool = {'id': 'P', 'name': kw.get('pool', 'web'), 'health_monitor': {'id': 'H'}, 'members': members}
    return Response(200, {'statuses': {'loadbalancer': {'id': 'L', 'listeners': [{'id': 'X', 'pools': [pool]}]}}})


def test_online_polls_the_status_tree_then_reads_the_lb_once():
    c, slept = client([('GET', STATUS_PATH, _status('OFFLINE', 'ONLINE')),
                       ('GET', STATUS_PATH, _status('OFFLINE', 'ONLINE')),
                       ('GET', STATUS_PATH, _status('ONLINE', 'ONLINE')),
                       ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))])
    assert waiter.wait_online(c, 'L')['provisioning_status'] == 'ACTIVE'
    assert slept == [c.poll_initial, c.poll_initial * c.poll_factor]
    assert c.counter.requests == 4


def test_online_times_out_naming_the_members_that_are_not():
    c, _slept = client([('GET', STATUS_PATH, _status('ONLINE', 'ERROR'))] * 50, timeout=3)
    with pytest.raises(OctaviaModuleError, match=r'Timed out after 3s .*pool web member 10.0.0.2:80 is ERROR') as err:
        waiter.wait_online(c, 'L')
    assert err.value.extra['unhealthy'] == ['pool web member 10.0.0.2:80 is ERROR']


def test_online_only_waits_for_the_members_the_filter_keeps():
    c, slept = client([('GET', STATUS_PATH, _status('ERROR', pool='other')),
                       ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))])
    waiter.wait_online(c, 'L', lambda pool, member: pool['name'] == 'web')
    assert slept == []


def test_a_locked_lb_is_waited_out_by_the_same_waiter():
    # the client's retry of a 409 waits through the waiter: one backoff, then polls without a first sleep
    c, slept = client([
        ('PUT', '/lbaas/pools/P/members', Response(409, {'faultstring': 'Load Balancer L is immutable'})),
        ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE')),
        ('PUT', '/lbaas/pools/P/members', Response(202))])
    c.batch_members('P', [], lb_id='L')
    assert len(slept) == 1 and c.counter.retries == 1


def test_a_wait_of_the_same_pace_sleeps_most_of_the_last_cycle_first():
    pending, active = ('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE')), ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))
    c, slept = client([pending] * 5 + [active] + [pending, active])
    waiter.wait_active(c, 'L', pace=('member', 'update'))
    first_cycle = sum(slept)
    assert c.paces[('L', ('member', 'update'))] == pytest.approx(first_cycle)
    assert c.counter.requests == 6
    del slept[:]
    waiter.wait_active(c, 'L', pace=('member', 'update'))
    # most of the last cycle at once, then the backoff from its start: 2 polls instead of 6
    assert slept[0] == pytest.approx(waiter.PACE_SHARE * first_cycle)
    assert len(slept) == 3 and slept[1] < slept[2] < 1.0
    assert c.counter.requests == 8


def test_a_pace_is_learned_per_load_balancer_and_kind():
    active = ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))
    c, slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE'))] * 3 + [active] * 3)
    waiter.wait_active(c, 'L', pace=('member', 'update'))
    del slept[:]
    waiter.wait_active(c, 'L', pace=('member', 'batch'))
    waiter.wait_active(c, 'L')
    # neither another kind of change nor a wait without a pace starts with the learned sleep
    assert len(slept) == 2 and all(s < 0.3 for s in slept)
    assert list(c.paces) == [('L', ('member', 'update')), ('L', ('member', 'batch'))]


def test_a_learned_sleep_never_passes_the_deadline():
    c, slept = client([('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))], timeout=600)
    c.paces[('L', ('member', 'update'))] = 500.0
    waiter.wait_active(c, 'L', deadline=c.now() + 10, pace=('member', 'update'))
    assert slept[0] == 10


def test_the_pace_is_the_shortest_cycle_seen():
    pending, active = ('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE')), ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))
    c, slept = client([pending] * 3 + [active] + [pending] * 6 + [active])
    key = ('member', 'update')
    waiter.wait_active(c, 'L', pace=key)
    short = c.paces[('L', key)]
    # a slower cycle (a busy worker) does not lengthen the next first sleep
    waiter.wait_active(c, 'L', pace=key)
    assert c.paces[('L', key)] == short
