"""Octavia's API called with plain requests and a token taken beforehand, for the fault tests: Keystone shares
MariaDB (a probe must not need it) and the SDK's session is not shared across threads."""
import requests


class Api(object):
    """Octavia's API with a token taken beforehand: Keystone shares MariaDB, the probe must not need it."""

    def __init__(self, sdk):
        self.sdk = sdk
        self.url = sdk.load_balancer.get_endpoint().rstrip('/')
        if not self.url.endswith('/v2') and not self.url.endswith('/v2.0'):
            self.url += '/v2'
        self.headers = {'X-Auth-Token': sdk.session.get_token(), 'Content-Type': 'application/json'}

    def probe(self):
        """The status of a list request, or the exception's name."""
        try:
            return requests.get(self.url + '/lbaas/loadbalancers', params={'limit': 1}, headers=self.headers,
                                timeout=5).status_code
        except requests.RequestException as exc:
            return type(exc).__name__

    def create(self, name, subnet_id, timeout=30):
        try:
            resp = requests.post(self.url + '/lbaas/loadbalancers', headers=self.headers, timeout=timeout,
                                 json={'loadbalancer': {'name': name, 'vip_subnet_id': subnet_id}})
            return resp.status_code, resp.text[:200]
        except requests.RequestException as exc:
            return type(exc).__name__, str(exc)[:200]
