"""Issue 13 against a real Octavia: member removals are DELETEs of the members read, a pool something
unmanaged uses is not deleted, listener port conflicts are refused before any write, duplicate pools are
repaired. (`state: absent` on a load balancer already being deleted needs Octavia's worker paused: it is
in tests/fault/test_api_faults.py.) Every write is checked on the wire (the counting proxy)."""
from lb_helpers import lb_get, members, write_requests

WEB = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}
API = {'name': 'api', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}


def lb_task(name, vip, **tree):
    args = {'name': name, 'vip_subnet_id': vip}
    args.update(tree)
    return {'lbaas.octavia.loadbalancer': args}


def test_removing_members_deletes_each_one_by_id_and_never_sends_a_whole_set(stack, octavia, lbname, vip_subnet_id):
    assert stack.play([lb_task(lbname, vip_subnet_id, pools=[dict(WEB, members=members(3))])]).rc == 0
    keep_new = members(1) + [{'address': '192.0.2.9', 'protocol_port': 80}]
    run = stack.play([lb_task(lbname, vip_subnet_id, pools=[dict(WEB, members=keep_new)])])
    assert run.rc == 0, run
    writes = [(m, p.split('/lbaas')[1]) for m, p, _s in write_requests(run)]
    pool_id = octavia.pools(octavia.lb(lbname)['id'])['web']['id']
    assert writes[0] == ('PUT', '/pools/%s/members' % pool_id)
    assert sorted(m for m, _p in writes[1:]) == ['DELETE', 'DELETE']
    # the batch was additive_only: it could not delete anything
    batch = [p for p in run.result['plan'] if p['action'] == 'batch']
    assert batch and all(p['additive_only'] for p in batch)
    assert sorted(octavia.members(pool_id)) == ['192.0.2.1:80', '192.0.2.9:80']
    again = stack.play([lb_task(lbname, vip_subnet_id, pools=[dict(WEB, members=keep_new)])])
    assert again.rc == 0 and again.result['changed'] is False and again.counts['writes'] == 0


def test_a_pool_an_unmanaged_listener_uses_is_not_deleted(stack, octavia, lbname, vip_subnet_id):
    tree = {'pools': [WEB, API], 'listeners': [
        {'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'api'}]}
    assert stack.play([lb_task(lbname, vip_subnet_id, **tree)]).rc == 0
    run = stack.play([lb_task(lbname, vip_subnet_id, pools=[WEB])])
    assert run.rc != 0
    assert run.counts['writes'] == 0, run.counts['log']
    msg = run.result['msg']
    assert msg.startswith('pools: ') and "pool 'api'" in msg and 'listener http (HTTP:80)' in msg, msg
    lb = octavia.lb(lbname)
    assert octavia.listeners(lb['id'])['http']['default_pool_id'] == octavia.pools(lb['id'])['api']['id']


def test_listener_port_conflicts_are_refused_before_any_write(stack, octavia, lbname, vip_subnet_id):
    both = {'listeners': [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80},
                          {'name': 'tcp', 'protocol': 'TCP', 'protocol_port': 80}]}
    run = stack.play([lb_task(lbname, vip_subnet_id, **both)])
    assert run.rc != 0 and run.counts['requests'] == 0
    assert run.result['msg'].startswith('listeners[tcp].protocol_port: TCP:80 conflicts with listeners[http]')
    assert stack.play([lb_task(lbname, vip_subnet_id, listeners=both['listeners'][:1])]).rc == 0
    run = stack.play([{'lbaas.octavia.listener': {'loadbalancer': lbname, 'name': 'tcp', 'protocol': 'TCP',
                                                  'protocol_port': 80}}])
    assert run.rc != 0 and run.counts['writes'] == 0
    assert 'conflicts with existing listener http (HTTP:80)' in run.result['msg']
    # UDP has its own port space
    run = stack.play([{'lbaas.octavia.listener': {'loadbalancer': lbname, 'name': 'dns', 'protocol': 'UDP',
                                                  'protocol_port': 80}}])
    assert run.rc == 0, run
    assert sorted(octavia.listeners(octavia.lb(lbname)['id'])) == ['dns', 'http']


def test_a_duplicate_pool_nothing_uses_is_repaired(stack, sdk, octavia, lbname, vip_subnet_id):
    tree = {'pools': [dict(WEB, members=members(2))],
            'listeners': [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}]}
    assert stack.play([lb_task(lbname, vip_subnet_id, **tree)]).rc == 0
    lb = octavia.lb(lbname)
    used = octavia.pools(lb['id'])['web']['id']
    # what an interrupted replace leaves: a second 'web' no listener uses yet, without members
    resp = sdk.load_balancer.post('/lbaas/pools', json={'pool': dict(WEB, loadbalancer_id=lb['id'])})
    assert resp.status_code == 201, resp.text
    leftover = resp.json()['pool']['id']
    _wait_active(sdk, lb['id'])
    run = stack.play([lb_task(lbname, vip_subnet_id, **tree)])
    assert run.rc == 0, run
    assert [(m, p.split('/lbaas')[1]) for m, p, _s in write_requests(run)] == [('DELETE', '/pools/%s' % leftover)]
    pools = lb_get(sdk, '/lbaas/pools', {'loadbalancer_id': lb['id']})['pools']
    assert [p['id'] for p in pools] == [used]
    assert len(octavia.members(used)) == 2
    assert stack.play([lb_task(lbname, vip_subnet_id, **tree)]).result['changed'] is False


def _wait_active(sdk, lb_id, seconds=120):
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lb_get(sdk, '/lbaas/loadbalancers/%s' % lb_id)['loadbalancer']['provisioning_status'] == 'ACTIVE':
            return
        time.sleep(0.5)
    raise AssertionError('load balancer %s not ACTIVE after %ss' % (lb_id, seconds))
