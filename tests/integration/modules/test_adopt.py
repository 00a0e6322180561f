"""An existing load balancer, made without our modules, is read by loadbalancer_info and adopted as code:
the exported spec, given back to the loadbalancer module, changes nothing."""
import time

from lb_helpers import members


def test_loadbalancer_made_elsewhere_is_adopted_without_a_change(stack, sdk, octavia, lbname, vip_subnet_id):
    body = {'loadbalancer': {
        'name': lbname, 'vip_subnet_id': vip_subnet_id, 'description': 'made by hand',
        'listeners': [{'name': 'web', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': {'name': 'p1'},
                       'connection_limit': 500, 'insert_headers': {'X-Forwarded-For': 'true'},
                       'l7policies': [{'name': 'deny', 'action': 'REJECT', 'rules': [
                           {'type': 'HEADER', 'compare_type': 'EQUAL_TO', 'key': 'X-Block', 'value': '1'}]}]},
                      {'protocol': 'TCP', 'protocol_port': 5000, 'default_pool': {'name': 'p2'}}],
        'pools': [{'name': 'p1', 'protocol': 'HTTP', 'lb_algorithm': 'LEAST_CONNECTIONS',
                   'session_persistence': {'type': 'HTTP_COOKIE'},
                   'members': [dict(m, weight=2) for m in members(3)],
                   'healthmonitor': {'type': 'HTTP', 'delay': 10, 'timeout': 5, 'max_retries': 2, 'url_path': '/ok'}},
                  {'name': 'p2', 'protocol': 'TCP', 'lb_algorithm': 'SOURCE_IP',
                   'members': [{'address': '2001:db8::5', 'protocol_port': 5000, 'backup': True}]}]}}
    resp = sdk.load_balancer.post('/lbaas/loadbalancers', json=body)
    assert resp.status_code == 201, resp.text
    lb_id = resp.json()['loadbalancer']['id']
    for _attempt in range(240):
        if octavia.lb(lbname)['provisioning_status'] == 'ACTIVE':
            break
        time.sleep(0.5)

    info = stack.play([{'lbaas.octavia.loadbalancer_info': {'name': lbname}}])
    assert info.rc == 0, info
    assert info.counts['writes'] == 0
    found = info.result['loadbalancers']
    assert [lb['id'] for lb in found] == [lb_id]
    lb = found[0]
    assert lb['status']['provisioning_status'] == 'ACTIVE'
    assert lb['health']['members']['total'] == 4
    assert sorted(p['name'] for p in lb['pools']) == ['p1', 'p2']
    assert [len(p['members']) for p in sorted(lb['pools'], key=lambda p: p['name'])] == [3, 1]
    listener = [l for l in lb['listeners'] if l['name'] == 'web'][0]
    assert [r['key'] for r in listener['l7policies'][0]['rules']] == ['X-Block']

    spec = lb['spec']
    assert spec['name'] == lbname and spec['description'] == 'made by hand'
    unnamed = [l for l in spec['listeners'] if 'name' not in l][0]
    assert (unnamed['protocol'], unnamed['protocol_port'], unnamed['default_pool']) == ('TCP', 5000, 'p2')

    adopt = stack.play([{'lbaas.octavia.loadbalancer': spec}], diff=True)
    assert adopt.rc == 0, adopt
    assert adopt.result['changed'] is False, adopt.result.get('diff')
    assert adopt.counts['writes'] == 0

    # and from now on it is managed: a change to the adopted spec is applied
    spec['pools'][0]['members'].append({'address': '192.0.2.99', 'protocol_port': 80})
    change = stack.play([{'lbaas.octavia.loadbalancer': spec}])
    assert change.rc == 0 and change.counts['writes'] == 1, change


def test_info_lists_all_load_balancers_of_the_project(stack, lbname, vip_subnet_id):
    assert stack.play([{'lbaas.octavia.loadbalancer': {'name': lbname, 'vip_subnet_id': vip_subnet_id}}]).rc == 0
    run = stack.play([{'lbaas.octavia.loadbalancer_info': {'status_tree': False}}])
    assert run.rc == 0, run
    names = [lb['name'] for lb in run.result['loadbalancers']]
    assert lbname in names
    assert all('status' not in lb for lb in run.result['loadbalancers'])
    missing = stack.play([{'lbaas.octavia.loadbalancer_info': {'name': lbname + '-nope'}}])
    assert missing.rc == 0 and missing.result['loadbalancers'] == []
