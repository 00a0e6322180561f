"""wait_for: online polls Octavia's status tree. Members of a pool without a health monitor count as
healthy when NO_MONITOR; members behind a monitor must be ONLINE, or the task fails naming them."""
from conftest import members


def tree(name, vip, monitored):
    pool = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': members(2)}
    if monitored:
        pool['healthmonitor'] = {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}
    return {'name': name, 'vip_subnet_id': vip, 'wait_for': 'online',
            'listeners': [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}],
            'pools': [pool]}


def test_unmonitored_members_pass_the_gate(stack, lbname, vip_subnet_id):
    run = stack.play([{'lbaas.octavia.loadbalancer': tree(lbname, vip_subnet_id, monitored=False)}])
    assert run.rc == 0, run
    assert any(p.endswith('/status') for _m, p, _s in run.counts['log'])


def test_members_not_online_fail_the_gate_by_name(stack, sdk, octavia, lbname, vip_subnet_id):
    stack.play([{'lbaas.octavia.loadbalancer': dict(tree(lbname, vip_subnet_id, monitored=True), wait_for='active')}])
    status = sdk.load_balancer.get('/lbaas/loadbalancers/%s/status' % octavia.lb(lbname)['id']).json()
    states = [m['operating_status'] for l in status['statuses']['loadbalancer']['listeners']
              for p in l['pools'] for m in p['members']]
    if all(s == 'ONLINE' for s in states):
        # a cloud with real amphorae and reachable members: the gate must pass
        run = stack.play([{'lbaas.octavia.loadbalancer': tree(lbname, vip_subnet_id, monitored=True)}])
        assert run.rc == 0, run
        return
    run = stack.play([{'lbaas.octavia.loadbalancer': dict(tree(lbname, vip_subnet_id, monitored=True), timeout=8)}])
    assert run.rc != 0, run
    msg = run.result['msg']
    assert 'Timed out after 8s waiting for members to be ONLINE' in msg
    assert 'pool web member 192.0.2.1:80 is' in msg and 'pool web member 192.0.2.2:80 is' in msg
    assert run.counts['writes'] == 0
