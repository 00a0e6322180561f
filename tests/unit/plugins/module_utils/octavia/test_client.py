"""The client against a scripted proxy: counting, retries of transient faults (reads always, writes only when
safe), ambiguous writes, per-request timeouts, pagination."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import waiter
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import (
    AmbiguousWrite, OctaviaModuleError, Superseded)

from . import fakes
from .fakes import Response


lb = fakes.lb_response
client = fakes.scripted_client


def test_busy_lb_is_waited_for_and_the_write_retried():
    c, _slept = client([
        ('PUT', '/lbaas/pools/P/members', Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})),
        ('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE')),
        ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE')),
        ('PUT', '/lbaas/pools/P/members', Response(202)),
    ])
    c.batch_members('P', [{'address': '10.0.0.1', 'protocol_port': 80}], additive_only=True, lb_id='L')
    assert c.counter.as_dict() == {'api_requests': 4, 'api_writes': 2, 'lock_cycles': 1, 'api_retries': 1,
                                   'api_replans': 0}
    assert c.conn.load_balancer.seen[-1][2] == {'additive_only': 'true'}


def test_project_busy_503_is_retried_with_backoff():
    c, slept = client([
        ('PUT', '/lbaas/pools/P/members', Response(503, {'faultstring': 'Project busy'})),
        ('PUT', '/lbaas/pools/P/members', Response(503, {'faultstring': 'Project busy'})),
        ('PUT', '/lbaas/pools/P/members', Response(202)),
    ])
    c.batch_members('P', [], lb_id='L')
    assert len(slept) == 2 and slept[1] > slept[0]


def test_other_errors_fail_at_once_with_octavias_message():
    c, _slept = client([('PUT', '/lbaas/pools/P/members',
                         Response(400, {'faultstring': 'Member must be updated only once in the same request'}))])
    with pytest.raises(OctaviaModuleError, match='returned 400: Member must be updated only once'):
        c.batch_members('P', [], lb_id='L')


def test_api_version_from_the_versions_document():
    c, _slept = client([('GET', 'http://octavia.example:9876/', Response(200, {'versions': [
        {'id': 'v2.0', 'status': 'SUPPORTED'}, {'id': 'v2.29', 'status': 'SUPPORTED'},
        {'id': 'v2.30', 'status': 'CURRENT'}]}))])
    assert c.api_version() == (2, 30)
    assert c.api_version() == (2, 30)
    assert c.counter.requests == 1


def test_lists_follow_pages():
    c, _slept = client([
        ('GET', '/lbaas/l7policies', Response(200, {'l7policies': [{'id': 'a'}], 'l7policies_links': [
            {'rel': 'next', 'href': 'http://octavia.example:9876/v2.0/lbaas/l7policies?marker=a'}]})),
        ('GET', 'http://octavia.example:9876/v2.0/lbaas/l7policies?marker=a',
         Response(200, {'l7policies': [{'id': 'b'}], 'l7policies_links': []})),
    ])
    assert [p['id'] for p in c.list('l7policy', listener_id='X')] == ['a', 'b']


# ---- transient faults

LB_PATH = '/lbaas/loadbalancers/L'
POOL = {'loadbalancer_id': 'L', 'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}


@pytest.mark.parametrize('fault', [Response(502, {'faultstring': 'Bad Gateway'}), Response(503), Response(504),
                                   'reset', 'read_timeout', 'refused', 'connect_timeout'])
def test_reads_are_retried_with_backoff_on_every_transient_fault(fault):
    def answer():
        return getattr(fakes, fault)() if isinstance(fault, str) else fault
    c, slept = client([('GET', LB_PATH, answer()), ('GET', LB_PATH, answer()), ('GET', LB_PATH, lb('ACTIVE'))])
    assert c.get_object('loadbalancer', 'L')['provisioning_status'] == 'ACTIVE'
    assert len(slept) == 2 and slept[1] > slept[0]
    assert c.counter.retries == 2 and c.counter.requests == 3


def test_reads_give_up_at_the_deadline_naming_the_fault():
    c, slept = client([('GET', LB_PATH, Response(502, {'faultstring': 'Bad Gateway'}))] * 100, timeout=10)
    with pytest.raises(OctaviaModuleError, match=r'read /lbaas/loadbalancers/L failed: still HTTP 502: Bad Gateway '
                                                 r'after \d+ attempts in 10s'):
        c.get_object('loadbalancer', 'L')
    assert sum(slept) <= 10
    assert max(slept) <= c.poll_max * 1.2


def test_non_transient_read_errors_are_not_retried():
    c, slept = client([('GET', LB_PATH, Response(404, {'faultstring': 'not found'})),
                       ('GET', LB_PATH, Response(403, {'faultstring': 'Policy does not allow'}))])
    assert c.get_object('loadbalancer', 'L') is None
    with pytest.raises(OctaviaModuleError, match='returned 403'):
        c.get_object('loadbalancer', 'L')
    assert slept == [] and c.counter.retries == 0


@pytest.mark.parametrize('fault', ['refused', 'connect_timeout'])
def test_writes_that_never_left_are_retried(fault):
    c, slept = client([('PUT', '/lbaas/pools/P/members', getattr(fakes, fault)()),
                       ('PUT', '/lbaas/pools/P/members', Response(202))])
    c.batch_members('P', [], lb_id='L')
    assert len(slept) == 1 and c.counter.retries == 1 and c.counter.lock_cycles == 1


@pytest.mark.parametrize('fault', ['read_timeout', 'reset', Response(502), Response(504)])
def test_writes_of_unknown_outcome_are_not_repeated(fault):
    answer = getattr(fakes, fault)() if isinstance(fault, str) else fault
    c, slept = client([('PUT', '/lbaas/pools/P/members', answer)])
    with pytest.raises(AmbiguousWrite, match='batch update members of pool P: outcome unknown'):
        c.batch_members('P', [], lb_id='L')
    assert c.conn.load_balancer.script == [] and slept == [] and c.counter.writes == 1


def test_typed_sdk_writes_follow_the_same_rules():
    # 503 (busy) retried; 409 immutable waits for the LB, then an update is repeated; 504: unknown outcome
    c, slept = client([
        ('POST', '/lbaas/pools', Response(503, {'faultstring': 'Project busy'})),
        ('POST', '/lbaas/pools', Response(201, {'pool': {'id': 'P1'}})),
        ('PUT', '/lbaas/listeners/X', Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})),
        ('GET', LB_PATH, lb('ACTIVE')),
        ('PUT', '/lbaas/listeners/X', Response(200, {'listener': {'id': 'X'}})),
        ('POST', '/lbaas/pools', Response(504, {'faultstring': 'Gateway Timeout'})),
    ])
    assert c.create('pool', dict(POOL), lb_id='L') == {'id': 'P1'}
    c.update('listener', 'X', {'name': 'http'}, lb_id='L')
    assert len(slept) == 2 and c.counter.retries == 2
    with pytest.raises(AmbiguousWrite, match='HTTP 504'):
        c.create('pool', dict(POOL), lb_id='L')
    assert c.conn.load_balancer.script == []
    # every one of these went through the SDK's typed calls
    assert [m for m, _p in c.conn.load_balancer.typed] == ['POST', 'POST', 'PUT', 'PUT', 'POST']


def test_a_create_refused_by_another_change_is_not_repeated_but_superseded():
    """The create was planned before the change that held the LB; that change may have made the same
    object, so the engine must read again rather than the client repeat the POST."""
    c, _slept = client([
        ('POST', '/lbaas/pools', Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})),
        ('GET', LB_PATH, lb('PENDING_UPDATE')),
        ('GET', LB_PATH, lb('ACTIVE')),
    ])
    with pytest.raises(Superseded, match='create pool: refused while another change held the load balancer'):
        c.create('pool', dict(POOL), lb_id='L')
    assert c.counter.writes == 1 and c.conn.load_balancer.script == []


def test_typed_sdk_write_on_a_connection_reset_is_ambiguous_and_refused_is_retried():
    c, _slept = client([('PUT', '/lbaas/listeners/X', fakes.refused()),
                        ('PUT', '/lbaas/listeners/X', fakes.reset())])
    with pytest.raises(AmbiguousWrite, match='update listener X: outcome unknown .ConnectFailure'):
        c.update('listener', 'X', {'name': 'http'}, lb_id='L')
    assert c.counter.retries == 1 and c.counter.writes == 2


def test_409_on_an_active_lb_backs_off_instead_of_spinning():
    immutable = Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})
    c, slept = client([('PUT', '/lbaas/pools/P/members', immutable), ('GET', LB_PATH, lb('ACTIVE'))] * 4 +
                      [('PUT', '/lbaas/pools/P/members', Response(202))])
    c.batch_members('P', [], lb_id='L')
    assert len(slept) == 4
    assert all(b > a for a, b in zip(slept, slept[1:]))


def test_409_gives_up_at_the_deadline():
    immutable = Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})
    c, slept = client([('PUT', '/lbaas/pools/P/members', immutable), ('GET', LB_PATH, lb('ACTIVE'))] * 50, timeout=5)
    with pytest.raises(OctaviaModuleError, match='batch update members of pool P failed: still HTTP 409'):
        c.batch_members('P', [], lb_id='L')
    assert sum(slept) <= 5


def test_other_write_errors_fail_at_once_also_in_the_typed_path():
    c, slept = client([('POST', '/lbaas/pools', Response(400, {'faultstring': 'Invalid input for field/attribute'}))])
    with pytest.raises(OctaviaModuleError, match='create pool failed: Octavia returned 400: Invalid input'):
        c.create('pool', dict(POOL), lb_id='L')
    assert slept == []


def test_ssl_errors_are_not_retried():
    from keystoneauth1 import exceptions as ksa
    c, slept = client([('GET', LB_PATH, ksa.SSLError('certificate verify failed'))])
    with pytest.raises(OctaviaModuleError, match='certificate verify failed'):
        c.get_object('loadbalancer', 'L')
    assert slept == []


def test_every_request_is_bounded_by_api_timeout_and_the_deadline():
    c, _slept = client([('GET', LB_PATH, Response(502))] + [('GET', LB_PATH, lb('PENDING_UPDATE'))] * 30,
                       timeout=20, api_timeout=8)
    with pytest.raises(OctaviaModuleError, match='Timed out after 20s'):
        waiter.wait_active(c, 'L')
    seen = c.conn.load_balancer.seen
    assert all(s[5] == 0 for s in seen)          # keystoneauth never retries on its own
    timeouts = [s[4] for s in seen]
    assert timeouts[0] == 8 and all(1 <= t <= 8 for t in timeouts)
    assert timeouts[-1] < 8                      # what was left of the 20 s


def test_default_api_timeout_applies_when_none_is_given():
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import DEFAULT_API_TIMEOUT
    c, _slept = client([('GET', LB_PATH, lb('ACTIVE'))], timeout=600)
    c.get_object('loadbalancer', 'L')
    assert c.conn.load_balancer.seen[0][4] == DEFAULT_API_TIMEOUT


def test_send_is_one_counted_write_that_returns_the_answer_json_or_none():
    c, _slept = client([('POST', '/lbaas/flavors', Response(201, {'flavor': {'id': 'F'}})),
                        ('DELETE', '/lbaas/flavors/F', Response(204))])
    assert c.send('POST', '/lbaas/flavors', 'create flavor', body={'flavor': {'name': 'f'}}) == {'flavor': {'id': 'F'}}
    assert c.send('DELETE', '/lbaas/flavors/F', 'delete flavor') is None
    seen = c.conn.load_balancer.seen
    assert [(s[0], s[2], s[3]) for s in seen] == [('POST', None, {'flavor': {'name': 'f'}}), ('DELETE', None, None)]
    assert c.counter.writes == 2
