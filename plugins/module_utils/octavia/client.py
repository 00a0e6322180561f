# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Talking to Octavia: connection, every request counted and bounded in time, transient faults retried, LB waits.

Every request runs through Client._run, inside the task's one deadline (the module's timeout):
  - reads are retried with backoff on 502/503/504, connection failures and timeouts;
  - writes are retried only when Octavia certainly did not act on them: 409 immutable (the LB is locked),
    503 (project busy, or nothing behind the gateway), a connection refused or not established; except
    that a create of a child object refused with 409 raises Superseded once the LB is ACTIVE (the change
    that held it may have made the same object: the engine re-plans); a write
    that was sent and then went unanswered (read timeout, reset) or met a 502/504 raises AmbiguousWrite,
    and the engine reads the state again and re-plans;
  - each request gets a socket timeout (api_timeout, at most what is left of the deadline), so a stalled
    API cannot hold the task past its timeout.

Typed openstacksdk calls (conn.load_balancer.create_listener, ...) are used for writes whose fields the
SDK models; the SDK silently drops fields it does not model, so writes with any other field, the batch
member update, the status tree and all reads (which need every attribute) go through the same proxy
used as a keystoneauth adapter (conn.load_balancer.get/put/post/delete).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import waiter
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import (
    AmbiguousWrite, APIError, OctaviaModuleError, Superseded, is_busy)

try:
    import openstack
    from openstack import exceptions as sdk_exceptions
    from openstack.load_balancer.v2 import (
        health_monitor as sdk_hm, l7_policy as sdk_l7p, l7_rule as sdk_l7r, listener as sdk_listener,
        load_balancer as sdk_lb, member as sdk_member, pool as sdk_pool)
    from keystoneauth1 import exceptions as ksa_exceptions
    from requests import exceptions as requests_exceptions
    HAS_SDK = True
    SDK_IMPORT_ERROR = None
    CONNECTION_ERRORS = (ksa_exceptions.ConnectionError,)
    HTTP_ERRORS = (sdk_exceptions.HttpException,)
    NOT_RETRIED = (ksa_exceptions.SSLError,)
    REQUEST_NOT_SENT = (requests_exceptions.ConnectTimeout,)
except ImportError as exc:  # pragma: no cover - reported by the module front
    HAS_SDK = False
    SDK_IMPORT_ERROR = exc
    CONNECTION_ERRORS = HTTP_ERRORS = NOT_RETRIED = REQUEST_NOT_SENT = ()

WRITE_METHODS = ('POST', 'PUT', 'DELETE', 'PATCH')
# Answers of a gateway (or of Octavia itself, 503) worth another try.
TRANSIENT_STATUS = (502, 503, 504)
# Seconds one request may take when api_timeout is not given: Octavia answers in well under a second,
# even a whole-tree create; a request that takes this long is stalled.
DEFAULT_API_TIMEOUT = 60
# What urllib3 and the resolver say when no connection was made, i.e. nothing was sent.
NOT_SENT_MARKERS = ('Failed to establish a new connection', 'Connection refused', 'Name or service not known',
                    'Temporary failure in name resolution', 'nodename nor servname', 'No route to host')

# kind -> (collection path, body key of one object)
PATHS = {
    'loadbalancer': ('/lbaas/loadbalancers', 'loadbalancer'),
    'listener': ('/lbaas/listeners', 'listener'),
    'pool': ('/lbaas/pools', 'pool'),
    'member': ('/lbaas/pools/%(parent)s/members', 'member'),
    'healthmonitor': ('/lbaas/healthmonitors', 'healthmonitor'),
    'l7policy': ('/lbaas/l7policies', 'l7policy'),
    'l7rule': ('/lbaas/l7policies/%(parent)s/rules', 'rule'),
}


def _sdk_resources():
    return {
        'loadbalancer': sdk_lb.LoadBalancer, 'listener': sdk_listener.Listener, 'pool': sdk_pool.Pool,
        'member': sdk_member.Member, 'healthmonitor': sdk_hm.HealthMonitor, 'l7policy': sdk_l7p.L7Policy,
        'l7rule': sdk_l7r.L7Rule,
    }


def connect(params):
    """openstack.connect() from the auth options, exactly as openstack.cloud modules do it."""
    if not HAS_SDK:
        raise OctaviaModuleError('openstacksdk is required for this module: %s' % SDK_IMPORT_ERROR)
    cloud = params.get('cloud')
    if params.get('sdk_log_path'):
        debug = params.get('sdk_log_level') == 'DEBUG'
        openstack.enable_logging(debug=debug, http_debug=debug, path=params['sdk_log_path'])
    try:
        if isinstance(cloud, dict):
            for name in ('auth', 'region_name', 'validate_certs', 'ca_cert', 'client_cert', 'client_key',
                         'api_timeout', 'auth_type'):
                if params.get(name) is not None:
                    raise OctaviaModuleError('A cloud config dict was provided to the cloud parameter but also a '
                                             'value was provided for %s. If a cloud config dict is provided, %s '
                                             'should be excluded.' % (name, name))
            return openstack.connect(**cloud)
        return openstack.connect(
            cloud=cloud, auth_type=params.get('auth_type'), auth=params.get('auth'),
            region_name=params.get('region_name'), verify=params.get('validate_certs'),
            cacert=params.get('ca_cert'), key=params.get('client_key'), cert=params.get('client_cert'),
            api_timeout=params.get('api_timeout'), interface=params.get('interface') or 'public')
    except sdk_exceptions.SDKException as exc:
        raise OctaviaModuleError('Cannot connect to the cloud: %s' % exc)


def _fault(response):
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or '').strip()
    if isinstance(body, dict):
        for key in ('faultstring', 'message', 'description'):
            if body.get(key):
                return body[key]
        for value in body.values():
            if isinstance(value, dict) and value.get('message'):
                return value['message']
    return response.text


def _not_sent(exc):
    """True when a connection error certainly happened before the request left: refused, unresolvable,
    or the connection was never established. keystoneauth reports read timeouts as ConnectTimeout too,
    so the cause chain (the requests and urllib3 exceptions) decides."""
    seen, todo = set(), [exc]
    while todo:
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, REQUEST_NOT_SENT) or isinstance(err, ConnectionRefusedError):
            return True
        if any(marker in str(err) for marker in NOT_SENT_MARKERS):
            return True
        todo.extend([err.__cause__, err.__context__] + [a for a in getattr(err, 'args', ()) if isinstance(a, BaseException)])
    return False


class Counter(object):
    """Requests to Octavia made by this task (every one, reads and polls included)."""

    def __init__(self):
        self.requests = 0
        self.writes = 0
        self.lock_cycles = 0
        self.retries = 0
        self.replans = 0
        self.log = []

    def as_dict(self):
        return {'api_requests': self.requests, 'api_writes': self.writes, 'lock_cycles': self.lock_cycles,
                'api_retries': self.retries, 'api_replans': self.replans}


class Client(object):
    """One connection's view of Octavia. sleep/now are injectable for the unit tests."""

    poll_initial = 0.25
    poll_factor = 1.5
    poll_max = 5.0

    def __init__(self, conn, timeout=600, sleep=time.sleep, now=time.monotonic, api_timeout=None):
        self.conn = conn
        self.proxy = conn.load_balancer
        self.timeout = timeout
        self.api_timeout = api_timeout or DEFAULT_API_TIMEOUT
        self.sleep = sleep
        self.now = now
        self.counter = Counter()
        # (load balancer id, kind of change) -> seconds its last cycle took (waiter.wait_active's pace)
        self.paces = {}
        self._version = None
        # the whole task gets `timeout` seconds, whatever it waits for
        self.task_deadline = now() + timeout
        original = self.proxy.request

        def counted(url, method, *args, **kwargs):
            kwargs.setdefault('timeout', self.request_timeout())
            # the retries are ours: keystoneauth's would repeat a write that may have been carried out
            kwargs['connect_retries'] = 0
            self.counter.requests += 1
            if method.upper() in WRITE_METHODS:
                self.counter.writes += 1
            try:
                response = original(url, method, *args, **kwargs)
            except Exception as exc:
                self.counter.log.append('%s %s %s' % (method, url, type(exc).__name__))
                raise
            self.counter.log.append('%s %s %s' % (method, url, getattr(response, 'status_code', '?')))
            if method.upper() in WRITE_METHODS:
                # every accepted mutation puts the load balancer through one PENDING_* cycle
                if 200 <= getattr(response, 'status_code', 0) < 300:
                    self.counter.lock_cycles += 1
            return response

        self.proxy.request = counted

    def request_timeout(self):
        """Socket timeout of the next request: api_timeout, but never beyond the task's deadline."""
        return max(1.0, min(float(self.api_timeout), self.task_deadline - self.now()))

    # ---- one request, retried while that is safe
    def _run(self, method, label, func, lb_id=None, deadline=None, replan_on_busy=False):
        """func() (one request), again after transient faults with backoff until deadline (see the module doc).

        Reads raise the APIError of a non-transient answer (get() turns 404 into None); writes raise
        OctaviaModuleError naming label, or AmbiguousWrite. replan_on_busy (creates of child objects): a 409
        immutable raises Superseded once the load balancer is ACTIVE again, instead of repeating the create.
        """
        deadline = min(deadline or self.task_deadline, self.task_deadline)
        write = method.upper() in WRITE_METHODS
        delay = self.poll_initial
        attempts = 0
        while True:
            attempts += 1
            status = None
            try:
                return func()
            except NOT_RETRIED as exc:
                raise OctaviaModuleError('%s failed: %s' % (label, exc))
            except CONNECTION_ERRORS as exc:
                reason = '%s: %s' % (type(exc).__name__, exc)
                if write and not _not_sent(exc):
                    raise AmbiguousWrite(label, reason)
            except HTTP_ERRORS as exc:
                response = getattr(exc, 'response', None)
                status = getattr(exc, 'status_code', None) or getattr(response, 'status_code', None)
                err = APIError(status, _fault(response) if response is not None else str(exc), method, label)
                reason = self._refuse_or_reason(err, label, write)
            except APIError as err:
                status = err.status
                reason = self._refuse_or_reason(err, label, write)
            # the jittered pause itself must fit before the deadline
            pause = delay * random.uniform(0.8, 1.2)
            if self.now() + pause > deadline:
                raise OctaviaModuleError('%s failed: still %s after %d attempts in %ss (the task\'s timeout)'
                                         % (label, reason, attempts, self.timeout), status=status)
            self.counter.retries += 1
            self.sleep(pause)
            delay = min(delay * self.poll_factor, self.poll_max)
            if status == 409 and lb_id:
                # locked by another change: go on once the load balancer is ACTIVE again
                waiter.wait_active(self, lb_id, deadline, first_sleep=False)
                if replan_on_busy:
                    raise Superseded(label, reason)

    @staticmethod
    def _refuse_or_reason(err, label, write):
        """Raise for answers not worth another try; else say why the request is tried again."""
        busy = is_busy(err)
        if not busy and err.status not in TRANSIENT_STATUS:
            if not write:
                raise err
            raise OctaviaModuleError('%s failed: Octavia returned %s: %s' % (label, err.status, err.message),
                                     status=err.status)
        if write and not busy:
            # a gateway's 502/504: Octavia may have carried the write out
            raise AmbiguousWrite(label, 'HTTP %s: %s' % (err.status, err.message))
        return 'HTTP %s: %s' % (err.status, err.message)

    # ---- reads
    def _raw(self, method, path, **kwargs):
        response = getattr(self.proxy, method.lower())(path, raise_exc=False, **kwargs)
        if response.status_code >= 400:
            raise APIError(response.status_code, _fault(response), method, path)
        return response

    def _read(self, path, params=None):
        return self._run('GET', 'read %s' % path, lambda: self._raw('GET', path, params=params))

    def get(self, path, params=None):
        """A JSON document, or None for 404."""
        try:
            return self._read(path, params=params).json()
        except APIError as err:
            if err.status == 404:
                return None
            raise

    def list(self, kind_or_path, collection=None, **filters):
        """All objects of a collection matching server-side filters (pages followed). collection: the body's
        key, by default the last path element (loadbalancers, l7policies, members, rules, flavors)."""
        path = PATHS[kind_or_path][0] if kind_or_path in PATHS else kind_or_path
        collection = collection or path.rstrip('/').rsplit('/', 1)[-1]
        if '%(parent)s' in path:
            path = path % {'parent': filters.pop('parent')}
        items = []
        url, params = path, dict((k, v) for k, v in filters.items() if v is not None)
        while url:
            body = self._read(url, params=params).json()
            items.extend(body.get(collection) or [])
            url, params = None, None
            for link in body.get(collection + '_links') or []:
                if link.get('rel') == 'next':
                    url = link['href']
        return items

    def get_object(self, kind, obj_id, parent=None):
        path, key = PATHS[kind]
        if parent:
            path = path % {'parent': parent}
        body = self.get('%s/%s' % (path, obj_id))
        return body.get(key) if body else None

    def status_tree(self, lb_id):
        body = self.get('/lbaas/loadbalancers/%s/status' % lb_id)
        return (body or {}).get('statuses', {}).get('loadbalancer')

    def api_version(self):
        """The highest API version the cloud supports, from its versions document (cached)."""
        if self._version is None:
            endpoint = self.proxy.get_endpoint()
            root = endpoint.rsplit('/v2', 1)[0].rstrip('/') + '/'
            body = self._read(root).json()
            versions = [v for v in body.get('versions', []) if str(v.get('id', '')).startswith('v2')]
            if not versions:
                raise OctaviaModuleError('Cannot tell the Octavia API version from %s' % root)
            current = [v for v in versions if v.get('status') == 'CURRENT'] or versions

            def vt(v):
                major, minor = (v['id'].lstrip('v').split('.') + ['0'])[:2]
                return int(major), int(minor)
            self._version = max(vt(v) for v in current)
        return self._version

    # ---- writes
    def _typed(self, kind, body):
        """The body in the SDK's attribute names, when its typed call models every field we send (else None)."""
        mapping = _sdk_resources()[kind]._body_mapping()  # Octavia name -> SDK attribute
        if not all(k in mapping for k in body):
            return None
        return dict((mapping[k], v) for k, v in body.items())

    def _call(self, label, func, lb_id, deadline, method='POST', replan_on_busy=False):
        """Run one write (see _run): retried while the LB is locked or the project busy, never blindly."""
        return self._run(method, label, func, lb_id=lb_id, deadline=deadline, replan_on_busy=replan_on_busy)

    def create(self, kind, body, lb_id=None, parent=None, label=None, deadline=None):
        """POST one object; returns Octavia's representation of it (dict with at least the id)."""
        deadline = deadline or self.now() + self.timeout
        label = label or 'create %s' % kind
        path, key = PATHS[kind]
        # a create planned before another change to the same load balancer could duplicate what that
        # change made: after a 409 immutable the state is read again instead (see Superseded)
        fresh = kind != 'loadbalancer'
        attrs = self._typed(kind, body)
        if attrs is not None:
            proxy = self.proxy
            func = {
                'loadbalancer': lambda: proxy.create_load_balancer(**attrs),
                'listener': lambda: proxy.create_listener(**attrs),
                'pool': lambda: proxy.create_pool(**attrs),
                'member': lambda: proxy.create_member(parent, **attrs),
                'healthmonitor': lambda: proxy.create_health_monitor(**attrs),
                'l7policy': lambda: proxy.create_l7_policy(**attrs),
                'l7rule': lambda: proxy.create_l7_rule(parent, **attrs),
            }[kind]
            res = self._call(label, func, lb_id, deadline, replan_on_busy=fresh)
            return {'id': res.id}
        if parent:
            path = path % {'parent': parent}
        return self._call(label, lambda: self._raw('POST', path, json={key: body}).json().get(key, {}),
                          lb_id, deadline, replan_on_busy=fresh)

    def update(self, kind, obj_id, body, lb_id=None, parent=None, label=None, deadline=None):
        deadline = deadline or self.now() + self.timeout
        label = label or 'update %s %s' % (kind, obj_id)
        path, key = PATHS[kind]
        attrs = self._typed(kind, body)
        if attrs is not None:
            proxy = self.proxy
            func = {
                'loadbalancer': lambda: proxy.update_load_balancer(obj_id, **attrs),
                'listener': lambda: proxy.update_listener(obj_id, **attrs),
                'pool': lambda: proxy.update_pool(obj_id, **attrs),
                'member': lambda: proxy.update_member(obj_id, parent, **attrs),
                'healthmonitor': lambda: proxy.update_health_monitor(obj_id, **attrs),
                'l7policy': lambda: proxy.update_l7_policy(obj_id, **attrs),
                'l7rule': lambda: proxy.update_l7_rule(obj_id, parent, **attrs),
            }[kind]
            self._call(label, func, lb_id, deadline, method='PUT')
            return
        if parent:
            path = path % {'parent': parent}
        self._call(label, lambda: self._raw('PUT', '%s/%s' % (path, obj_id), json={key: body}), lb_id, deadline,
                   method='PUT')

    def delete(self, kind, obj_id, lb_id=None, parent=None, cascade=False, label=None, deadline=None):
        """DELETE one object; an object that is already gone is fine."""
        deadline = deadline or self.now() + self.timeout
        label = label or 'delete %s %s' % (kind, obj_id)
        proxy = self.proxy
        func = {
            'loadbalancer': lambda: proxy.delete_load_balancer(obj_id, ignore_missing=False, cascade=cascade),
            'listener': lambda: proxy.delete_listener(obj_id, ignore_missing=False),
            'pool': lambda: proxy.delete_pool(obj_id, ignore_missing=False),
            'member': lambda: proxy.delete_member(obj_id, parent, ignore_missing=False),
            'healthmonitor': lambda: proxy.delete_health_monitor(obj_id, ignore_missing=False),
            'l7policy': lambda: proxy.delete_l7_policy(obj_id, ignore_missing=False),
            'l7rule': lambda: proxy.delete_l7_rule(obj_id, parent, ignore_missing=False),
        }[kind]
        try:
            self._call(label, func, lb_id, deadline, method='DELETE')
        except OctaviaModuleError as err:
            if err.extra.get('status') != 404:
                raise
            return False
        return True

    def send(self, method, path, label, body=None, params=None, lb_id=None, deadline=None):
        """One write to an Octavia path the typed calls do not cover (admin objects, failover, the member
        batch), retried only while that is safe (see _run); returns the answer's JSON, None without one."""
        kwargs = dict((k, v) for k, v in (('json', body), ('params', params)) if v is not None)

        def call():
            response = self._raw(method, path, **kwargs)
            try:
                return response.json()
            except ValueError:
                return None
        return self._call(label, call, lb_id, deadline or self.now() + self.timeout, method=method)

    def batch_members(self, pool_id, members, additive_only=False, lb_id=None, label=None, deadline=None):
        """One PUT /pools/{id}/members: the whole member set (or, additive_only, just the ones to add/update)."""
        self.send('PUT', '/lbaas/pools/%s/members' % pool_id, label or 'batch update members of pool %s' % pool_id,
                  body={'members': members}, params={'additive_only': 'true'} if additive_only else None,
                  lb_id=lb_id, deadline=deadline)
