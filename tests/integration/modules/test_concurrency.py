"""Two tasks changing the same load balancer at the same time: the one that finds it locked (409 immutable)
waits for the load balancer and retries instead of failing, as openstack.cloud's modules would."""
import threading

from lb_helpers import members


def spec(name, vip, weight_web, weight_api):
    return {'name': name, 'vip_subnet_id': vip, 'pools': [
        {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': members(60, weight=weight_web)},
        {'name': 'api', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
         'members': members(60, base='198.18.0.', weight=weight_api)}]}


def member_task(name, pool, base, weight):
    return {'lbaas.octavia.member': {'loadbalancer': name, 'pool': pool, 'mode': 'exact',
                                     'members': members(60, base=base, weight=weight)}}


def test_parallel_changes_to_one_load_balancer_all_succeed(stack, octavia, lbname, vip_subnet_id):
    assert stack.play([{'lbaas.octavia.loadbalancer': spec(lbname, vip_subnet_id, 1, 1)}]).rc == 0
    retries = 0
    for weight in (2, 3, 4):
        runs = {}

        def go(pool, base, key, weight=weight):
            runs[key] = stack.play([member_task(lbname, pool, base, weight)])

        threads = [threading.Thread(target=go, args=('web', '192.0.2.', 'web')),
                   threading.Thread(target=go, args=('api', '198.18.0.', 'api'))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for run in runs.values():
            assert run.rc == 0, run
            assert run.result['lock_cycles'] == 1
            retries += run.result['api_retries']
        lb = octavia.lb(lbname)
        pools = octavia.pools(lb['id'])
        assert set(m['weight'] for m in octavia.members(pools['web']['id']).values()) == {weight}
        assert set(m['weight'] for m in octavia.members(pools['api']['id']).values()) == {weight}
        if retries:
            break
    assert retries >= 1, 'the two tasks never overlapped in three tries'
