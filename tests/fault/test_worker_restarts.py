"""Octavia's worker restarted again and again (systemctl restart: a graceful stop) while casts keep arriving: none
may be lost (issue 16: one member update of molecule/ha's rolling restart was never processed and left its load
balancer PENDING_UPDATE for good).

On the lab's Octavia with its noop drivers: LBS load balancers, each with a listener and a pool; one thread per load
balancer adds a member, waits until the load balancer is ACTIVE again, deletes it, waits, and so on; meanwhile the
worker is restarted RESTARTS times, each as soon as the one before consumes again. A change whose load balancer is
not ACTIVE again within STUCK seconds is a lost cast (a noop change takes about a second, a restart 10 to 20).

Measured on the lab (2026-12-07): with oslo.messaging's defaults each of three runs lost the 4 changes sent during
the first restart: the stopping worker's client deleted its fanout queue as it disconnected and, waiting for the
reply, read, acknowledged and dropped the casts RabbitMQ had delivered after it stopped reading (docs/ha.md). With
the role's octavia_control_plane_rabbitmq_queue_manager (on by default) 0 of 144 changes were lost in 21 restarts.
"""
import os
import sys
import threading
import time
import uuid

import pytest
import requests

from lab_lock import held_lab_lock  # conftest puts tests/fault on sys.path  # pylint: disable=import-error
from octavia_api import Api  # pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lab'))

from data_plane import CONTROLLER, NETWORK_NODE, sh, wait_until  # noqa: E402  pylint: disable=wrong-import-position

LBS = int(os.environ.get('LBAAS_TEST_RESTART_LBS', '4'))
RESTARTS = int(os.environ.get('LBAAS_TEST_RESTARTS', '3'))
STUCK = 120


class Octavia(Api):
    """Octavia's API with retries on 409 and 5xx, one token for every thread."""

    def call(self, method, path, body=None, ok=(200, 201, 202, 204)):
        for _attempt in range(30):
            try:
                resp = requests.request(method, self.url + path, headers=self.headers, json=body, timeout=30)
            except requests.RequestException:
                time.sleep(1)
                continue
            if resp.status_code in ok:
                return resp.json() if resp.content else None
            if resp.status_code not in (409, 500, 502, 503):
                raise AssertionError('%s %s: %s %s' % (method, path, resp.status_code, resp.text[:300]))
            time.sleep(1)
        raise AssertionError('%s %s: no answer in 30 attempts' % (method, path))

    def status(self, lb_id):
        return self.call('GET', '/lbaas/loadbalancers/%s' % lb_id)['loadbalancer']['provisioning_status']

    def wait_active(self, lb_id, seconds):
        return wait_until(lambda: self.status(lb_id) == 'ACTIVE', seconds, step=0.5)


def worker_channels():
    """The RabbitMQ channels consuming the worker's own queue (octavia_provisioning_v2.<host>)."""
    out = sh(CONTROLLER, 'rabbitmqctl -q list_consumers -p octavia queue_name channel_pid', check=False)
    rows = [line.split() for line in out.splitlines()[1:]]
    return {row[1] for row in rows if len(row) == 2 and row[0].startswith('octavia_provisioning_v2.')}


class Churn(threading.Thread):
    """Add a member, wait for ACTIVE, delete it, wait, ... on one load balancer until told to stop."""

    def __init__(self, api, lb_id, pool_id, index):
        super().__init__(daemon=True)
        self.api, self.lb_id, self.pool_id, self.index = api, lb_id, pool_id, index
        self.stop = threading.Event()
        self.sent = 0
        self.lost = []
        self.error = None

    def change(self, what, method, path, body=None):
        sent = time.monotonic()
        self.api.call(method, path, body)
        self.sent += 1
        if not self.api.wait_active(self.lb_id, STUCK):
            self.lost.append((what, sent, self.api.status(self.lb_id)))
            return False
        return True

    def run(self):
        try:
            serial = 0
            while not self.stop.is_set():
                serial += 1
                address = '10.%d.%d.%d' % (200 + self.index, serial // 250 % 250, serial % 250 + 1)
                if not self.change('add %s' % address, 'POST', '/lbaas/pools/%s/members' % self.pool_id,
                                   {'member': {'address': address, 'protocol_port': 80}}):
                    return
                member = self.api.call('GET', '/lbaas/pools/%s/members?address=%s' % (self.pool_id, address))
                member_id = member['members'][0]['id']
                if not self.change('delete %s' % address, 'DELETE',
                                   '/lbaas/pools/%s/members/%s' % (self.pool_id, member_id)):
                    return
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc


@pytest.fixture
def trees(sdk, lbname, subnet):
    api = Octavia(sdk)
    made = []
    for index in range(LBS):
        lb = api.call('POST', '/lbaas/loadbalancers', {'loadbalancer': {'name': '%s-%d' % (lbname, index),
                                                                        'vip_subnet_id': subnet}})['loadbalancer']
        made.append(lb['id'])
    for lb_id in made:
        assert api.wait_active(lb_id, 120), lb_id
    pools = []
    for lb_id in made:
        listener = api.call('POST', '/lbaas/listeners', {'listener': {
            'loadbalancer_id': lb_id, 'protocol': 'HTTP', 'protocol_port': 80}})['listener']
        assert api.wait_active(lb_id, 120), lb_id
        pool = api.call('POST', '/lbaas/pools', {'pool': {
            'listener_id': listener['id'], 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}})['pool']
        assert api.wait_active(lb_id, 120), lb_id
        pools.append((lb_id, pool['id']))
    yield api, pools
    for lb_id in made:
        if api.status(lb_id) in ('ACTIVE', 'ERROR'):
            api.call('DELETE', '/lbaas/loadbalancers/%s?cascade=true' % lb_id, ok=(204, 404))


@pytest.fixture
def subnet():
    conf = sh(NETWORK_NODE, 'cat /etc/octavia/octavia.conf')
    if 'compute_driver = compute_noop_driver' not in conf:
        pytest.skip('the lab runs real amphorae: this test needs LAB_OCTAVIA_PROFILE=noop')
    return os.environ.get('LBAAS_TEST_VIP_SUBNET_ID') or str(uuid.uuid4())


def test_worker_restarted_again_and_again_while_casts_arrive(trees, unstuck, fault):  # pylint: disable=unused-argument
    api, pools = trees
    churn = [Churn(api, lb_id, pool_id, index) for index, (lb_id, pool_id) in enumerate(pools)]
    started = time.monotonic()
    restarts = []
    with held_lab_lock():
        for thread in churn:
            thread.start()
        try:
            time.sleep(5)
            for _round in range(RESTARTS):
                if any(t.lost or t.error or not t.is_alive() for t in churn):
                    break
                fault.inject('systemctl restart octavia-worker (%d)' % (len(restarts) + 1))
                before = worker_channels()
                begun = time.monotonic()
                sh(NETWORK_NODE, 'systemctl restart octavia-worker')
                ended = time.monotonic()
                restarts.append((begun - started, ended - started))
                # a consumer on another channel than before: the new process is in (a queue's consumer count
                # can still show the old one for a moment)
                assert wait_until(lambda: worker_channels() - before, 90), 'the restarted worker does not consume'
                time.sleep(2)
        finally:
            for thread in churn:
                thread.stop.set()
            for thread in churn:
                thread.join(STUCK + 60)
    sent = sum(t.sent for t in churn)
    fault.saw('%d changes sent on %d load balancers, %d restarts (%s s)' % (
        sent, len(churn), len(restarts), ', '.join('%.0f-%.0f' % r for r in restarts)))
    lost = [(what, when - started, state) for t in churn for (what, when, state) in t.lost]
    for what, when, state in lost:
        fault.saw('lost: %s sent at %.1f s, load balancer still %s after %d s' % (what, when, state, STUCK))
    fault.objects_lost(len(lost), 'changes never processed')
    errors = [t.error for t in churn if t.error]
    assert not errors, errors
    assert not lost, lost
    assert len(restarts) == RESTARTS
