"""The single-object modules, step by step, each change one request and one lock cycle; every task waits
on the load balancer, so the next one never meets a locked load balancer (no 409 retries); re-runs are
no-ops; teardown is idempotent."""
from lb_helpers import members

STEPS = [
    ('loadbalancer', {'name': '{lb}', 'vip_subnet_id': '{vip}'}),
    ('pool', {'loadbalancer': '{lb}', 'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}),
    ('pool', {'loadbalancer': '{lb}', 'name': 'api', 'protocol': 'HTTP', 'lb_algorithm': 'LEAST_CONNECTIONS'}),
    ('listener', {'loadbalancer': '{lb}', 'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80,
                  'default_pool': 'web'}),
    ('member', {'loadbalancer': '{lb}', 'pool': 'web', 'address': '10.0.0.1', 'protocol_port': 8080, 'name': 'one'}),
    ('member', {'loadbalancer': '{lb}', 'pool': 'web', 'members': members(3, 8080, '10.0.0.1')}),
    ('health_monitor', {'loadbalancer': '{lb}', 'pool': 'web', 'type': 'HTTP', 'delay': 5, 'resp_timeout': 3,
                        'max_retries': 3, 'url_path': '/hz'}),
    ('l7_policy', {'loadbalancer': '{lb}', 'listener': 'HTTP:80', 'name': 'api', 'action': 'REDIRECT_TO_POOL',
                   'redirect_pool': 'api', 'rules': [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/api'}]}),
]


def fill(value, **names):
    if isinstance(value, dict):
        return dict((k, fill(v, **names)) for k, v in value.items())
    if isinstance(value, list):
        return [fill(v, **names) for v in value]
    if isinstance(value, str):
        return value.format(**names)
    return value


def tasks(steps, lb, vip):
    return [{'lbaas.octavia.%s' % module: fill(args, lb=lb, vip=vip)} for module, args in steps]


def test_step_by_step_build_rerun_and_teardown(stack, octavia, lbname, vip_subnet_id):
    run = stack.play(tasks(STEPS, lbname, vip_subnet_id))
    assert run.rc == 0, run
    assert [r['changed'] for r in run.results] == [True] * len(STEPS)
    assert [r['lock_cycles'] for r in run.results] == [1, 1, 1, 1, 1, 1, 1, 2]  # the policy, then its rule
    assert [r['api_retries'] for r in run.results] == [0] * len(STEPS)
    assert run.counts['lock_cycles'] == 9
    lb = octavia.lb(lbname)
    pools, listeners = octavia.pools(lb['id']), octavia.listeners(lb['id'])
    assert listeners['http']['default_pool_id'] == pools['web']['id']
    web = octavia.members(pools['web']['id'])
    assert sorted(web) == sorted(['10.0.0.1:8080', '10.0.0.11:8080', '10.0.0.12:8080', '10.0.0.13:8080'])
    assert web['10.0.0.1:8080']['name'] == 'one'
    assert octavia.hm(pools['web']['healthmonitor_id'])['url_path'] == '/hz'
    pol = octavia.policies(listeners['http']['id'])[0]
    assert pol['redirect_pool_id'] == pools['api']['id']
    # results carry the object
    assert run.results[3]['listener']['id'] == listeners['http']['id']
    assert run.results[4]['member']['address'] == '10.0.0.1' and len(run.results[5]['members']) == 4
    assert run.results[7]['l7_policy']['rules'][0]['value'] == '/api'

    again = stack.play(tasks(STEPS, lbname, vip_subnet_id))
    assert [r['changed'] for r in again.results] == [False] * len(STEPS)
    assert again.counts['writes'] == 0

    # exact mode: only the listed members stay; each one that goes is one DELETE of the member read
    exact = stack.play(tasks([('member', {'loadbalancer': '{lb}', 'pool': 'web', 'mode': 'exact',
                                          'members': members(2, 8080, '10.0.0.1')})], lbname, vip_subnet_id))
    assert exact.rc == 0, exact
    assert [(m, p.rsplit('/', 2)[-2]) for m, p, _s in exact.counts['log'] if m != 'GET'] == [
        ('DELETE', 'members'), ('DELETE', 'members')], exact.counts['log']
    assert sorted(octavia.members(pools['web']['id'])) == ['10.0.0.11:8080', '10.0.0.12:8080']

    # updating a field of one step is one PUT of that object
    upd = stack.play(tasks([('listener', {'loadbalancer': '{lb}', 'name': 'http', 'connection_limit': 50})],
                           lbname, vip_subnet_id))
    assert upd.rc == 0 and [(m, p.split('/lbaas')[1]) for m, p, _s in upd.counts['log'] if m == 'PUT'] == [
        ('PUT', '/listeners/%s' % listeners['http']['id'])], upd

    teardown = [
        ('member', {'loadbalancer': '{lb}', 'pool': 'web', 'address': '10.0.0.11', 'protocol_port': 8080,
                    'state': 'absent'}),
        ('l7_policy', {'loadbalancer': '{lb}', 'listener': 'http', 'name': 'api', 'state': 'absent'}),
        ('health_monitor', {'loadbalancer': '{lb}', 'pool': 'web', 'state': 'absent'}),
        ('listener', {'loadbalancer': '{lb}', 'name': 'http', 'state': 'absent'}),
        ('pool', {'loadbalancer': '{lb}', 'name': 'web', 'state': 'absent'}),
        ('pool', {'loadbalancer': '{lb}', 'name': 'api', 'state': 'absent'}),
        ('loadbalancer', {'name': '{lb}', 'state': 'absent'}),
    ]
    down = stack.play(tasks(teardown, lbname, vip_subnet_id))
    assert down.rc == 0, down
    assert [r['changed'] for r in down.results] == [True] * len(teardown)
    assert octavia.lb(lbname) is None
    # everything is gone, including the load balancer: removing again changes nothing and does not fail
    again = stack.play(tasks(teardown, lbname, vip_subnet_id))
    assert again.rc == 0, again
    assert [r['changed'] for r in again.results] == [False] * len(teardown)


def test_member_check_mode_and_diff(stack, octavia, lbname, vip_subnet_id):
    setup = [('loadbalancer', {'name': '{lb}', 'vip_subnet_id': '{vip}', 'pools': [
        {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': members(2)}]})]
    assert stack.play(tasks(setup, lbname, vip_subnet_id)).rc == 0
    preview = stack.play(tasks([('member', {'loadbalancer': '{lb}', 'pool': 'web', 'address': '192.0.2.2',
                                            'protocol_port': 80, 'weight': 0})], lbname, vip_subnet_id),
                         check=True, diff=True)
    assert preview.rc == 0 and preview.result['changed'] is True
    assert preview.counts['writes'] == 0
    assert preview.result['diff'][0]['before'] == {'192.0.2.2:80': {'weight': 1}}
    assert preview.result['diff'][0]['after'] == {'192.0.2.2:80': {'weight': 0}}
    pool = octavia.pools(octavia.lb(lbname)['id'])['web']
    assert octavia.members(pool['id'])['192.0.2.2:80']['weight'] == 1
