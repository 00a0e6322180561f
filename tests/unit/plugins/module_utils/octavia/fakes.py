"""Octavia objects as the API returns them, and a state that serves them from dicts (no network)."""
import itertools
import json

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec

_ids = itertools.count(1)
SUBNET = '5bbc9ac8-0758-4219-a5bd-cf018938f49c'


def uid(prefix):
    return '%s-%04d-0000-0000-000000000000' % (prefix[:8].ljust(8, '0'), next(_ids))


def lb(name='lb1', **kw):
    obj = {'id': uid('lb'), 'name': name, 'description': '', 'admin_state_up': True, 'provisioning_status': 'ACTIVE',
           'operating_status': 'ONLINE', 'vip_subnet_id': SUBNET, 'vip_address': '10.0.0.5', 'vip_network_id': uid('net'),
           'vip_port_id': uid('port'), 'provider': 'amphora', 'flavor_id': None, 'availability_zone': None,
           'vip_qos_policy_id': None, 'tags': [], 'vip_sg_ids': [], 'additional_vips': [], 'project_id': 'p1',
           'listeners': [], 'pools': []}
    obj.update(kw)
    return obj


def listener(name, protocol='HTTP', port=80, pool=None, **kw):
    obj = {'id': uid('lis'), 'name': name, 'description': '', 'admin_state_up': True, 'protocol': protocol,
           'protocol_port': port, 'default_pool_id': pool['id'] if pool else None, 'connection_limit': -1,
           'insert_headers': {}, 'timeout_client_data': 50000, 'timeout_member_connect': 5000,
           'timeout_member_data': 50000, 'timeout_tcp_inspect': 0, 'default_tls_container_ref': None,
           'sni_container_refs': [], 'client_authentication': 'NONE', 'client_ca_tls_container_ref': None,
           'client_crl_container_ref': None, 'allowed_cidrs': None, 'tls_ciphers': None, 'tls_versions': None,
           'alpn_protocols': None, 'hsts_max_age': None, 'hsts_include_subdomains': False, 'hsts_preload': False,
           'tags': [], 'l7policies': [], 'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE'}
    obj.update(kw)
    if pool is not None:
        # Octavia lists on a pool the listeners that use it
        pool.setdefault('listeners', []).append({'id': obj['id']})
    return obj


def pool(name, protocol='HTTP', algo='ROUND_ROBIN', hm=None, **kw):
    obj = {'id': uid('pool'), 'name': name, 'description': '', 'admin_state_up': True, 'protocol': protocol,
           'lb_algorithm': algo, 'session_persistence': None, 'tls_enabled': False, 'tls_container_ref': None,
           'ca_tls_container_ref': None, 'crl_container_ref': None, 'tls_ciphers': None, 'tls_versions': None,
           'alpn_protocols': None, 'tags': [], 'healthmonitor_id': hm['id'] if hm else None, 'members': [],
           'listeners': [], 'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE'}
    obj.update(kw)
    return obj


def member(address, port=80, **kw):
    obj = {'id': uid('mem'), 'name': '', 'address': address, 'protocol_port': port, 'weight': 1,
           'admin_state_up': True, 'backup': False, 'monitor_address': None, 'monitor_port': None,
           'subnet_id': None, 'tags': [], 'vnic_type': 'normal', 'provisioning_status': 'ACTIVE',
           'operating_status': 'ONLINE'}
    obj.update(kw)
    return obj


def hm(hm_type='HTTP', **kw):
    obj = {'id': uid('hm'), 'name': '', 'type': hm_type, 'delay': 5, 'timeout': 3, 'max_retries': 3,
           'max_retries_down': 3, 'http_method': 'GET' if hm_type in ('HTTP', 'HTTPS') else None,
           'url_path': '/' if hm_type in ('HTTP', 'HTTPS') else None,
           'expected_codes': '200' if hm_type in ('HTTP', 'HTTPS') else None, 'admin_state_up': True, 'tags': [],
           'http_version': None, 'domain_name': None, 'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE'}
    obj.update(kw)
    return obj


def policy(name, position, listener_obj, action='REJECT', **kw):
    obj = {'id': uid('l7p'), 'name': name, 'description': '', 'admin_state_up': True, 'action': action,
           'listener_id': listener_obj['id'], 'redirect_pool_id': None, 'redirect_url': None,
           'redirect_prefix': None, 'redirect_http_code': None, 'position': position, 'tags': [], 'rules': []}
    obj.update(kw)
    return obj


def rule(rule_type='PATH', compare='STARTS_WITH', value='/', key=None, **kw):
    obj = {'id': uid('rule'), 'type': rule_type, 'compare_type': compare, 'key': key, 'value': value,
           'invert': False, 'admin_state_up': True, 'tags': []}
    obj.update(kw)
    return obj


class FakeState(object):
    """LiveState's interface over plain dicts; reads are counted so tests can check what gets fetched."""

    def __init__(self, lb_obj=None, listeners=(), pools=(), members=None, hms=(), l7=None, rules=None):
        self.lb = lb_obj
        self._listeners = list(listeners)
        self._pools = list(pools)
        self._members = members or {}
        self._hms = dict((h['id'], h) for h in hms)
        self._l7 = l7 or {}
        self._rules = rules or {}
        self.reads = []

    @property
    def lb_id(self):
        return self.lb['id'] if self.lb else None

    def listeners(self):
        self.reads.append('listeners')
        return self._listeners

    def pools(self):
        self.reads.append('pools')
        return self._pools

    def members(self, pool_id):
        self.reads.append('members %s' % pool_id)
        return self._members.get(pool_id, [])

    def prefetch_healthmonitors(self, ids):
        pass

    def healthmonitor(self, hm_id):
        return self._hms.get(hm_id) if hm_id else None

    def l7policies(self, listener_id):
        return sorted(self._l7.get(listener_id, []), key=lambda p: p['position'])

    def rules(self, policy_id):
        return self._rules.get(policy_id, [])


def tree_params(**kw):
    """Parameters of the loadbalancer module as AnsibleModule would hand them over (unset = None)."""
    params = {'name': 'lb1', 'state': 'present', 'listeners': None, 'pools': None}
    params.update(kw)
    return params


def full(raw, fields):
    """An element of a list-of-dicts option with every sub-option present (None when unset)."""
    out = dict((f['name'], None) for f in fields)
    for f in fields:
        if f.get('default') is not None:
            out[f['name']] = f['default']
    out.update(raw)
    return out


def desired(**kw):
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
    params = tree_params(**kw)
    if params.get('pools') is not None:
        pools = []
        for p in params['pools']:
            p = full(p, schema.POOL_TREE)
            if p.get('members') is not None:
                p['members'] = [full(m, schema.MEMBER) for m in p['members']]
            if p.get('healthmonitor') is not None:
                p['healthmonitor'] = full(p['healthmonitor'], schema.HEALTH_MONITOR_TREE)
            pools.append(p)
        params['pools'] = pools
    if params.get('listeners') is not None:
        listeners = []
        for l in params['listeners']:
            l = full(l, schema.LISTENER_TREE)
            if l.get('l7policies') is not None:
                l['l7policies'] = [full(p, schema.L7_POLICY) for p in l['l7policies']]
                for p in l['l7policies']:
                    if p.get('rules') is not None:
                        p['rules'] = [full(r, schema.L7_RULE) for r in p['rules']]
            listeners.append(l)
        params['listeners'] = listeners
    for f in schema.LOADBALANCER:
        params.setdefault(f['name'], None)
    return spec.tree_from_params(params)


# ---- Octavia's API as a script, behind the proxy the client talks to

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


# SDK resource name of each kind, as the typed calls (create_pool, update_listener, ...) spell it
_SDK_NAMES = {'load_balancer': 'loadbalancer', 'listener': 'listener', 'pool': 'pool', 'member': 'member',
              'health_monitor': 'healthmonitor', 'l7_policy': 'l7policy', 'l7_rule': 'l7rule'}
_PATHS = {'loadbalancer': '/lbaas/loadbalancers', 'listener': '/lbaas/listeners', 'pool': '/lbaas/pools',
          'member': '/lbaas/pools/%s/members', 'healthmonitor': '/lbaas/healthmonitors',
          'l7policy': '/lbaas/l7policies', 'l7rule': '/lbaas/l7policies/%s/rules'}


class Proxy(object):
    """Answers from a script: a list of (method, path-prefix, Response or exception) consumed in order.

    Both ways the client writes go through request(): the adapter calls (get/put/post/delete) and the
    SDK's typed calls (create_pool, update_listener, ...), which raise the SDK's HttpException like
    openstacksdk does. seen records (method, url, params, json, timeout, connect_retries) of each request.
    """

    def __init__(self, script):
        self.script = list(script)
        self.seen = []
        self.typed = []  # (method, path) of the requests made through the SDK's typed calls

    def request(self, url, method, **kwargs):
        self.seen.append((method, url, kwargs.get('params'), kwargs.get('json'), kwargs.get('timeout'),
                          kwargs.get('connect_retries')))
        assert self.script, 'unexpected request %s %s' % (method, url)
        want_method, prefix, answer = self.script.pop(0)
        assert (method, url.startswith(prefix)) == (want_method, True), (method, url, want_method, prefix)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def get(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'GET', **kw)

    def put(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'PUT', **kw)

    def post(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'POST', **kw)

    def delete(self, url, **kw):
        kw.pop('raise_exc', None)
        return self.request(url, 'DELETE', **kw)

    def get_endpoint(self):
        return 'http://octavia.example:9876/v2.0'

    def _typed(self, method, kind, path, body=None):
        from openstack import exceptions as sdk_exceptions
        response = self.request(path, method, json={kind: body} if body is not None else None)
        if response.status_code >= 400:
            raise sdk_exceptions.HttpException(response=response)

        class Resource(object):
            id = ((response.json() or {}).get(kind) or {}).get('id') if response.text else None
        return Resource()

    def __getattr__(self, name):
        action, sdk_kind = (name.split('_', 1) + [''])[:2]
        if action not in ('create', 'update', 'delete') or sdk_kind not in _SDK_NAMES:
            raise AttributeError(name)
        kind = _SDK_NAMES[sdk_kind]

        def call(*args, **attrs):
            args = list(args)
            attrs.pop('ignore_missing', None)
            attrs.pop('cascade', None)
            obj_id = args.pop(0) if action != 'create' else None
            path = _PATHS[kind] % args.pop(0) if '%s' in _PATHS[kind] else _PATHS[kind]
            if obj_id:
                path = '%s/%s' % (path, obj_id)
            method = {'create': 'POST', 'update': 'PUT', 'delete': 'DELETE'}[action]
            self.typed.append((method, path))
            return self._typed(method, kind, path, attrs if action != 'delete' else None)
        return call


class Conn(object):
    def __init__(self, proxy):
        self.load_balancer = proxy
        self.current_project_id = 'p1'


def lb_response(status, lb_id='L'):
    return Response(200, {'loadbalancer': {'id': lb_id, 'name': 'x', 'provisioning_status': status}})


def scripted_client(script, timeout=60, api_timeout=None):
    """A Client on a scripted proxy with a fake clock; returns (client, list of the seconds slept)."""
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import Client
    clock = {'t': 0.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock['t'] += seconds

    c = Client(Conn(Proxy(script)), timeout=timeout, sleep=sleep, now=lambda: clock['t'], api_timeout=api_timeout)
    return c, slept


# ---- connection faults as keystoneauth raises them (the requests exception as their context)

def _raised(outer, inner):
    try:
        try:
            raise inner
        except Exception:  # pylint: disable=broad-except
            raise outer
    except Exception as exc:  # pylint: disable=broad-except
        return exc


def refused(url='http://octavia.example:9876/v2.0/lbaas'):
    """Nothing listens: the request never left."""
    import requests
    from keystoneauth1 import exceptions as ksa
    text = ("HTTPConnectionPool(host='octavia.example', port=9876): Max retries exceeded with url: /v2.0/lbaas "
            "(Caused by NewConnectionError('<urllib3.connection.HTTPConnection object>: Failed to establish a new "
            "connection: [Errno 111] Connection refused'))")
    return _raised(ksa.ConnectFailure('Unable to establish connection to %s: %s' % (url, text)),
                   requests.exceptions.ConnectionError(text))


def connect_timeout(url='http://octavia.example:9876/v2.0/lbaas'):
    """No connection within the timeout: the request never left."""
    import requests
    from keystoneauth1 import exceptions as ksa
    return _raised(ksa.ConnectTimeout('Request to %s timed out' % url),
                   requests.exceptions.ConnectTimeout('Connection to octavia.example timed out. (connect timeout=5)'))


def read_timeout(url='http://octavia.example:9876/v2.0/lbaas'):
    """Sent, then no answer: keystoneauth calls it ConnectTimeout as well."""
    import requests
    from keystoneauth1 import exceptions as ksa
    return _raised(ksa.ConnectTimeout('Request to %s timed out' % url),
                   requests.exceptions.ReadTimeout('Read timed out. (read timeout=60)'))


def reset(url='http://octavia.example:9876/v2.0/lbaas'):
    """Sent, then the connection was reset."""
    import requests
    from keystoneauth1 import exceptions as ksa
    text = "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
    return _raised(ksa.ConnectFailure('Unable to establish connection to %s: %s' % (url, text)),
                   requests.exceptions.ConnectionError(text))
