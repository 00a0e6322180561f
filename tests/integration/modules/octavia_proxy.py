"""A counting HTTP proxy in front of a real Octavia API.

Clients are pointed at it with `load_balancer_endpoint_override` in a clouds.yaml copy, so every request
any tool makes to Octavia (our modules, openstack.cloud's, the SDK) passes here and is counted by method
and path, independently of what the tools report about themselves. Keystone is not proxied.

With an endpoint override keystoneauth runs version discovery once per process (an unauthenticated GET /),
which it does not do with the catalog endpoint. Those requests exist only because of the proxy, so they
are counted apart ('discovery') and left out of 'requests'.

max_version: optionally present the versions document of an older Octavia (versions above it are left
out of GET /), to see how a tool behaves against an older API. Everything else is passed through as is.

Fault injection (tests/fault): set `proxy.faults` to a Faults object and requests to Octavia meet gateway
errors, connection resets and 409s in bursts, as a flaky load balancer or a busy Octavia would give them:
a 502/503/504 or 409 answered by the proxy itself (Octavia never sees the request), a reset before the
request is forwarded (nothing done) or after Octavia answered (done, but the client never hears so).
`proxy.hook(method, path, status)` is called after each forwarded request (e.g. to kill a playbook when
the POST of a pool has gone through). Both are off unless a test sets them.
"""
import http.client
import json
import random
import socket
import struct
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WRITES = ('POST', 'PUT', 'DELETE', 'PATCH')
HOP_HEADERS = ('connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection')


class Counts(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.log = []  # (method, path, status)
        self.discovery = []

    def add(self, method, path, status, discovery=False):
        with self.lock:
            if discovery:
                self.discovery.append((method, path, status))
            else:
                self.log.append((method, path, status))

    def mark(self):
        with self.lock:
            return len(self.log), len(self.discovery)

    def since(self, mark=(0, 0)):
        with self.lock:
            entries = list(self.log[mark[0]:])
            discovery = len(self.discovery) - mark[1]
        writes = [e for e in entries if e[0] in WRITES]
        return {
            'requests': len(entries),
            'writes': len(writes),
            # every mutation Octavia accepts puts the load balancer through one PENDING_* cycle
            'lock_cycles': len([e for e in writes if 200 <= e[2] < 300]),
            'discovery': discovery,
            'log': entries,
        }


class Faults(object):
    """Bursts of faults: after every `every` clean requests, `burst` requests in a row get a fault drawn
    (seeded, so a run can be repeated) from `kinds`: 502, 503, 504 (answered by the proxy), 409 (the load
    balancer immutable, answered by the proxy), 'reset' (connection reset before forwarding) and
    'reset-after' (forwarded, Octavia acted, then the connection is reset). Version discovery and
    Keystone are never faulted. `injected` lists (method, path, kind) of every fault given."""

    KINDS = (502, 503, 504, 409, 'reset', 'reset-after')

    def __init__(self, every=3, burst=2, kinds=KINDS, seed=13, limit=None):
        self.every = every
        self.burst = burst
        self.kinds = list(kinds)
        self.random = random.Random(seed)
        self.limit = limit
        self.lock = threading.Lock()
        self.count = 0
        self.injected = []

    def next(self, method, path):
        with self.lock:
            if self.limit is not None and len(self.injected) >= self.limit:
                return None
            self.count += 1
            if (self.count - 1) % (self.every + self.burst) < self.every:
                return None
            kind = self.random.choice(self.kinds)
            if kind == 409 and method not in WRITES:
                kind = 503  # Octavia's 409 immutable answers writes only
            self.injected.append((method, path, kind))
            return kind


def _reset(handler):
    """Close the client's connection with a TCP RST (SO_LINGER 0), as a crashed gateway would."""
    try:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        handler.connection.close()
    except OSError:
        pass
    handler.close_connection = True


class OctaviaProxy(object):

    def __init__(self, target, max_version=None):
        parsed = urllib.parse.urlsplit(target)
        self.target_host = parsed.hostname
        self.target_port = parsed.port or (443 if parsed.scheme == 'https' else 80)
        # an endpoint like https://cloud/load-balancer: clients talk to the proxy's root, the prefix is added here
        self.prefix = parsed.path.rstrip('/')
        self.https = parsed.scheme == 'https'
        self.max_version = max_version
        self.counts = Counts()
        self.faults = None
        self.hook = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                return

            def _forward(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else None
                headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in HOP_HEADERS)
                fault = None
                path = urllib.parse.urlsplit(self.path).path
                if proxy.faults is not None and 'x-auth-token' in (k.lower() for k in self.headers.keys()):
                    fault = proxy.faults.next(self.command, path)
                if fault in (502, 503, 504, 409):
                    message = ('Load Balancer is immutable and cannot be updated.' if fault == 409 else
                               'proxy: injected %s' % fault)
                    data = json.dumps({'faultstring': message}).encode()
                    proxy.counts.add(self.command, path, fault)
                    self.send_response(fault)
                    self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(data)))
                    self.send_header('Connection', 'close')
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if fault == 'reset':
                    proxy.counts.add(self.command, path, 0)
                    _reset(self)
                    return
                conn_cls = http.client.HTTPSConnection if proxy.https else http.client.HTTPConnection
                conn = conn_cls(proxy.target_host, proxy.target_port, timeout=600)
                try:
                    conn.request(self.command, proxy.prefix + self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    status = resp.status
                    out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_HEADERS]
                except (OSError, http.client.HTTPException) as exc:
                    # Octavia went away mid-request (e.g. restarted): answer as a gateway would, so the
                    # client sees an HTTP error it may retry instead of a dropped connection
                    data = json.dumps({'faultstring': 'proxy: upstream failed: %s' % exc}).encode()
                    status = 502
                    out_headers = [('Content-Type', 'application/json')]
                finally:
                    conn.close()
                if proxy.max_version and self.command == 'GET' and urllib.parse.urlsplit(self.path).path in ('', '/'):
                    data = proxy._older_versions(data)
                    out_headers = [(k, v) for k, v in out_headers if k.lower() != 'content-length']
                discovery = self.command == 'GET' and path.rstrip('/') in ('', '/v2', '/v2.0') and \
                    'x-auth-token' not in (k.lower() for k in self.headers.keys())
                proxy.counts.add(self.command, path, status, discovery)
                if proxy.hook is not None:
                    proxy.hook(self.command, path, status)
                if fault == 'reset-after':
                    _reset(self)
                    return
                self.send_response(status)
                for key, value in out_headers:
                    if key.lower() != 'content-length':
                        self.send_header(key, value)
                self.send_header('Content-Length', str(len(data)))
                self.send_header('Connection', 'close')
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _older_versions(self, data):
        doc = json.loads(data)
        limit = tuple(int(x) for x in self.max_version.lstrip('v').split('.'))
        keep = [v for v in doc.get('versions', [])
                if tuple(int(x) for x in v['id'].lstrip('v').split('.')) <= limit]
        for version in keep:
            version['status'] = 'SUPPORTED'
        if keep:
            keep[-1]['status'] = 'CURRENT'
        doc['versions'] = keep
        return json.dumps(doc).encode()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
