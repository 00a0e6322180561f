"""Helpers shared by the integration tests (plain functions; the fixtures are in conftest.py)."""
import time

PREFIX = 'lbaas-it-'


def lb_get(sdk, path, params=None):
    resp = sdk.load_balancer.get(path, params=params)
    return resp.json() if resp.status_code == 200 else None


def delete_lb(sdk, name_or_id):
    found = lb_get(sdk, '/lbaas/loadbalancers', {'name': name_or_id})['loadbalancers']
    for lb in found:
        for _attempt in range(240):
            cur = lb_get(sdk, '/lbaas/loadbalancers/%s' % lb['id'])
            if not cur:
                break
            if cur['loadbalancer']['provisioning_status'] in ('ACTIVE', 'ERROR'):
                sdk.load_balancer.delete('/lbaas/loadbalancers/%s' % lb['id'], params={'cascade': True})
            time.sleep(0.5)


def write_requests(run):
    return [e for e in run.counts['log'] if e[0] in ('POST', 'PUT', 'DELETE', 'PATCH')]


def members(n, port=80, base='192.0.2.', **extra):
    return [dict({'address': '%s%d' % (base, i + 1), 'protocol_port': port}, **extra) for i in range(n)]
