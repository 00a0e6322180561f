"""The client against a scripted proxy: counting, 409/503 retries, LB waits with backoff, pagination."""
import json

import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import Client
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError


class Response(object):
    def __init__(self, status, body=None):
        self.status_code = status
        self._body = body
        self.text = json.dumps(body) if body is not None else ''
        self.reason = ''
        self.headers = {'content-type': 'application/json'}

    def json(self):
        if self._body is None:
            raise ValueError('no body')
        return self._body


class Proxy(object):
    """Answers from a script: a list of (method, path-prefix, Response) consumed in order."""

    def __init__(self, script):
        self.script = list(script)
        self.seen = []

    def request(self, url, method, **kwargs):
        self.seen.append((method, url, kwargs.get('params'), kwargs.get('json')))
        want_method, prefix, response = self.script.pop(0)
        assert (method, url.startswith(prefix)) == (want_method, True), (method, url, want_method, prefix)
        return response

    def get(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'GET', **kw)

    def put(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'PUT', **kw)

    def post(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'POST', **kw)

    def get_endpoint(self):
        return 'http://octavia.example:9876/v2.0'


class Conn(object):
    def __init__(self, proxy):
        self.load_balancer = proxy


def lb(status):
    return Response(200, {'loadbalancer': {'id': 'L', 'name': 'x', 'provisioning_status': status}})


def client(script, timeout=60):
    clock = {'t': 0.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock['t'] += seconds

    c = Client(Conn(Proxy(script)), timeout=timeout, sleep=sleep, now=lambda: clock['t'])
    return c, slept


def test_busy_lb_is_waited_for_and_the_write_retried():
    c, _slept = client([
        ('PUT', '/lbaas/pools/P/members', Response(409, {'faultstring': 'Load Balancer L is immutable and cannot be updated.'})),
        ('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE')),
        ('GET', '/lbaas/loadbalancers/L', lb('ACTIVE')),
        ('PUT', '/lbaas/pools/P/members', Response(202)),
    ])
    c.batch_members('P', [{'address': '10.0.0.1', 'protocol_port': 80}], additive_only=True, lb_id='L')
    assert c.counter.as_dict() == {'api_requests': 4, 'api_writes': 2, 'lock_cycles': 1, 'api_retries': 1}
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


def test_wait_backs_off_and_returns_the_last_polled_lb():
    c, slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE'))] * 4 +
                      [('GET', '/lbaas/loadbalancers/L', lb('ACTIVE'))])
    assert c.wait_active('L')['provisioning_status'] == 'ACTIVE'
    assert len(slept) == 5
    assert all(b > a for a, b in zip(slept, slept[1:]))


def test_lb_in_error_fails_clearly():
    c, _slept = client([('GET', '/lbaas/loadbalancers/L', lb('ERROR'))])
    with pytest.raises(OctaviaModuleError, match='provisioning_status ERROR'):
        c.wait_active('L')


def test_wait_times_out_naming_the_status():
    c, _slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_UPDATE'))] * 50, timeout=3)
    with pytest.raises(OctaviaModuleError, match=r'Timed out after 3s .* \(it is PENDING_UPDATE\)'):
        c.wait_active('L')


def test_delete_wait_ends_when_the_lb_is_gone():
    c, _slept = client([('GET', '/lbaas/loadbalancers/L', lb('PENDING_DELETE')),
                        ('GET', '/lbaas/loadbalancers/L', Response(404, {'faultstring': 'not found'}))])
    assert c.wait_active('L', deleting=True) is None


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
