"""The loadbalancer module end to end: one-request create, no-op re-run, every updatable field, member
batches, L7 policies, check mode and diff, delete. Counts come from the proxy in front of Octavia."""
import copy
import uuid

import pytest

from lb_helpers import PREFIX, delete_lb, members, write_requests

pytestmark = pytest.mark.usefixtures('stack')


def tree(name, vip, web=None, api=None):
    return {
        'name': name, 'vip_subnet_id': vip, 'description': 'integration',
        'listeners': [
            {'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web',
             'l7policies': [{'name': 'api', 'action': 'REDIRECT_TO_POOL', 'redirect_pool': 'api',
                             'rules': [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/api'}]}]},
            {'name': 'tcp', 'protocol': 'TCP', 'protocol_port': 8443, 'default_pool': 'api'},
        ],
        'pools': [
            {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
             'members': web if web is not None else members(5),
             'healthmonitor': {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3, 'url_path': '/'}},
            {'name': 'api', 'protocol': 'HTTP', 'lb_algorithm': 'LEAST_CONNECTIONS',
             'members': api if api is not None else members(2, 8080, '2001:db8::'),
             'healthmonitor': {'type': 'TCP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}},
        ],
    }


def lb_task(spec, **extra):
    args = copy.deepcopy(spec)
    args.update(extra)
    return {'name': 'converge', 'lbaas.octavia.loadbalancer': args, 'register': 'out'}


@pytest.fixture(scope='module')
def name(sdk):
    lbname = PREFIX + 'tree-' + uuid.uuid4().hex[:6]
    yield lbname
    delete_lb(sdk, lbname)


def assert_self_count_matches(run):
    """What the module says it did is what the proxy saw."""
    res = run.result
    assert res['api_requests'] == run.counts['requests'], (res['api_requests'], run.counts['log'])
    assert res['api_writes'] == run.counts['writes']
    assert res['lock_cycles'] == run.counts['lock_cycles']


def test_create_is_one_request_and_one_lock_cycle(stack, octavia, name, vip_subnet_id):
    run = stack.play([lb_task(tree(name, vip_subnet_id))])
    assert run.rc == 0, run
    assert run.result['changed'] is True
    assert [(m, p.split('/lbaas')[1]) for m, p, _s in write_requests(run)] == [('POST', '/loadbalancers')]
    assert run.counts['lock_cycles'] == 1
    assert_self_count_matches(run)
    lb = octavia.lb(name)
    assert lb['provisioning_status'] == 'ACTIVE'
    listeners, pools = octavia.listeners(lb['id']), octavia.pools(lb['id'])
    assert sorted(listeners) == ['http', 'tcp'] and sorted(pools) == ['api', 'web']
    assert listeners['http']['default_pool_id'] == pools['web']['id']
    assert listeners['tcp']['default_pool_id'] == pools['api']['id']
    assert sorted(octavia.members(pools['web']['id'])) == ['192.0.2.%d:80' % i for i in range(1, 6)]
    assert sorted(octavia.members(pools['api']['id'])) == ['2001:db8::1:8080', '2001:db8::2:8080']
    assert octavia.hm(pools['web']['healthmonitor_id'])['type'] == 'HTTP'
    pols = octavia.policies(listeners['http']['id'])
    assert [(p['name'], p['redirect_pool_id']) for p in pols] == [('api', pools['api']['id'])]
    assert [(r['type'], r['value']) for r in octavia.rules(pols[0]['id'])] == [('PATH', '/api')]
    # the result is the tree as Octavia has it
    assert run.result['loadbalancer']['id'] == lb['id']
    assert len(run.result['loadbalancer']['pools']) == 2


def test_rerun_changes_nothing_with_zero_writes(stack, name, vip_subnet_id):
    run = stack.play([lb_task(tree(name, vip_subnet_id))])
    assert run.rc == 0, run
    assert run.result['changed'] is False
    assert run.counts['writes'] == 0
    assert run.counts['requests'] <= 10, run.counts['log']
    assert run.result['plan'] == []
    assert_self_count_matches(run)


def test_check_mode_writes_nothing_and_diffs_each_object(stack, octavia, name, vip_subnet_id):
    spec = tree(name, vip_subnet_id, web=members(4) + [{'address': '192.0.2.5', 'protocol_port': 80, 'weight': 7}])
    spec['description'] = 'previewed'
    run = stack.play([lb_task(spec)], check=True, diff=True)
    assert run.rc == 0, run
    res = run.result
    assert res['changed'] is True
    assert run.counts['writes'] == 0
    assert [(p['action'], p['kind']) for p in res['plan']] == [('update', 'loadbalancer'), ('batch', 'member')]
    diffs = dict((d['before_header'], d) for d in res['diff'])
    assert diffs['load balancer %s' % name]['before'] == {'description': 'integration'}
    assert diffs['load balancer %s' % name]['after'] == {'description': 'previewed'}
    assert diffs['members of pool web']['before'] == {'192.0.2.5:80': {'weight': 1}}
    assert diffs['members of pool web']['after'] == {'192.0.2.5:80': {'weight': 7}}
    assert res['planned_lock_cycles'] == 2
    lb = octavia.lb(name)
    assert lb['description'] == 'integration'
    assert octavia.members(octavia.pools(lb['id'])['web']['id'])['192.0.2.5:80']['weight'] == 1


UPDATED_WEB = [dict(m, name='web-%d' % i, weight=3, admin_state_up=False, backup=True,
                    monitor_address='198.18.0.%d' % i, monitor_port=9000, tags=['t%d' % i])
               for i, m in enumerate(members(5), 1)]


def updated(name, vip):
    spec = tree(name, vip, web=UPDATED_WEB)
    spec.update(description='all fields', admin_state_up=False, tags=['lb', 'it'])
    http = spec['listeners'][0]
    http.update(description='front', admin_state_up=False, connection_limit=1000,
                insert_headers={'X-Forwarded-For': True, 'X-Forwarded-Port': 'true'},
                timeout_client_data=11000, timeout_member_connect=2000, timeout_member_data=12000,
                timeout_tcp_inspect=10, allowed_cidrs=['10.1.0.0/16', '192.168.7.0/24'], tags=['l'],
                tls_versions=['TLSv1.3', 'TLSv1.2'], alpn_protocols=['h2', 'http/1.1'],
                tls_ciphers='ECDHE-RSA-AES128-GCM-SHA256', client_authentication='NONE')
    http['l7policies'][0].update(action='REDIRECT_TO_URL', redirect_url='https://example.com/api',
                                 redirect_http_code=301, description='moved', admin_state_up=False, tags=['p'])
    del http['l7policies'][0]['redirect_pool']
    http['l7policies'][0]['rules'] = [{'type': 'HEADER', 'compare_type': 'EQUAL_TO', 'key': 'X-Api', 'value': 'yes',
                                       'invert': True, 'admin_state_up': False, 'tags': ['r']}]
    web = spec['pools'][0]
    web.update(description='web pool', admin_state_up=False, lb_algorithm='SOURCE_IP',
               session_persistence={'type': 'APP_COOKIE', 'cookie_name': 'SID'}, tags=['w'],
               tls_enabled=True, tls_versions=['TLSv1.2'], tls_ciphers='ECDHE-RSA-AES256-GCM-SHA384',
               alpn_protocols=['http/1.1'])
    web['healthmonitor'].update(delay=7, resp_timeout=4, max_retries=5, max_retries_down=6, http_method='HEAD',
                                url_path='/healthz', expected_codes='204, 200', http_version=1.1,
                                domain_name='app.example.com', admin_state_up=False, name='hm-web', tags=['h'])
    return spec


def test_every_updatable_field_is_updated_in_place(stack, octavia, name, vip_subnet_id):
    before = octavia.lb(name)
    pools_before = octavia.pools(before['id'])
    run = stack.play([lb_task(updated(name, vip_subnet_id))])
    assert run.rc == 0, run
    assert_self_count_matches(run)
    kinds = [(p['action'], p['kind']) for p in run.result['plan']]
    assert kinds == [('update', 'loadbalancer'), ('update', 'pool'), ('batch', 'member'), ('update', 'healthmonitor'),
                     ('update', 'listener'), ('update', 'l7policy'), ('update', 'l7rule')]
    assert run.counts['lock_cycles'] == 7
    lb = octavia.lb(name)
    assert lb['id'] == before['id']
    assert (lb['description'], lb['admin_state_up'], sorted(lb['tags'])) == ('all fields', False, ['it', 'lb'])
    http = octavia.listeners(lb['id'])['http']
    assert (http['description'], http['admin_state_up'], http['connection_limit']) == ('front', False, 1000)
    assert http['insert_headers'] == {'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'true'}
    assert (http['timeout_client_data'], http['timeout_member_connect'], http['timeout_member_data'],
            http['timeout_tcp_inspect']) == (11000, 2000, 12000, 10)
    assert sorted(http['allowed_cidrs']) == ['10.1.0.0/16', '192.168.7.0/24']
    assert http['tags'] == ['l']
    assert (sorted(http['tls_versions']), sorted(http['alpn_protocols']), http['tls_ciphers']) == (
        ['TLSv1.2', 'TLSv1.3'], ['h2', 'http/1.1'], 'ECDHE-RSA-AES128-GCM-SHA256')
    web = octavia.pools(lb['id'])['web']
    assert web['id'] == pools_before['web']['id']
    assert (web['description'], web['admin_state_up'], web['lb_algorithm'], web['tags']) == (
        'web pool', False, 'SOURCE_IP', ['w'])
    assert web['session_persistence']['type'] == 'APP_COOKIE' and web['session_persistence']['cookie_name'] == 'SID'
    assert (web['tls_enabled'], web['tls_versions'], web['tls_ciphers'], web['alpn_protocols']) == (
        True, ['TLSv1.2'], 'ECDHE-RSA-AES256-GCM-SHA384', ['http/1.1'])
    for i, (key, member) in enumerate(sorted(octavia.members(web['id']).items()), 1):
        assert (member['name'], member['weight'], member['admin_state_up'], member['backup'],
                member['monitor_address'], member['monitor_port'], member['tags']) == (
            'web-%d' % i, 3, False, True, '198.18.0.%d' % i, 9000, ['t%d' % i]), key
    hm = octavia.hm(web['healthmonitor_id'])
    assert (hm['delay'], hm['timeout'], hm['max_retries'], hm['max_retries_down'], hm['http_method'], hm['url_path'],
            hm['expected_codes'], hm['http_version'], hm['domain_name'], hm['admin_state_up'], hm['name'],
            hm['tags']) == (7, 4, 5, 6, 'HEAD', '/healthz', '200,204', 1.1, 'app.example.com', False, 'hm-web', ['h'])
    pol = octavia.policies(http['id'])[0]
    assert (pol['action'], pol['redirect_url'], pol['redirect_http_code'], pol['redirect_pool_id'],
            pol['description'], pol['admin_state_up'], pol['tags']) == (
        'REDIRECT_TO_URL', 'https://example.com/api', 301, None, 'moved', False, ['p'])
    rule = octavia.rules(pol['id'])[0]
    assert (rule['type'], rule['compare_type'], rule['key'], rule['value'], rule['invert'], rule['admin_state_up'],
            rule['tags']) == ('HEADER', 'EQUAL_TO', 'X-Api', 'yes', True, False, ['r'])

    again = stack.play([lb_task(updated(name, vip_subnet_id))])
    assert again.rc == 0, again
    assert again.result['changed'] is False and again.counts['writes'] == 0


def test_members_added_and_updated_in_one_batch_and_removed_by_id(stack, octavia, name, vip_subnet_id):
    """Adds and changes in one additive_only batch; the member that goes is one DELETE of the one read
    (a whole-set batch would also delete members another run added meanwhile)."""
    web = UPDATED_WEB[:3] + [dict(UPDATED_WEB[3], weight=9)] + members(3, base='192.0.2.2')
    spec = updated(name, vip_subnet_id)
    spec['pools'][0]['members'] = web
    run = stack.play([lb_task(spec)])
    assert run.rc == 0, run
    lb = octavia.lb(name)
    web_id = octavia.pools(lb['id'])['web']['id']
    writes = [(m, p.split('/lbaas')[1].rsplit('/', 1)[0]) for m, p, _s in write_requests(run)]
    assert writes == [('PUT', '/pools/%s' % web_id), ('DELETE', '/pools/%s/members' % web_id)]
    assert run.result['plan'][0]['additive_only'] is True and run.result['plan'][0]['members'] == 4
    assert run.counts['lock_cycles'] == 2
    have = octavia.members(web_id)
    assert sorted(have) == sorted(['192.0.2.%d:80' % i for i in (1, 2, 3, 4, 21, 22, 23)])
    assert have['192.0.2.4:80']['weight'] == 9
    assert have['192.0.2.1:80']['name'] == 'web-1' and have['192.0.2.21:80']['weight'] == 1


def test_changing_ten_members_is_one_write(stack, octavia, name, vip_subnet_id):
    spec = updated(name, vip_subnet_id)
    spec['pools'][0]['members'] = members(12, base='10.9.0.')
    stack.play([lb_task(spec)])
    spec['pools'][0]['members'] = [dict(m, weight=5) if i < 10 else m for i, m in enumerate(members(12, base='10.9.0.'))]
    run = stack.play([lb_task(spec)])
    assert run.rc == 0, run
    assert run.counts['writes'] == 1 and run.counts['lock_cycles'] == 1
    assert run.result['plan'][0]['members'] == 10 and run.result['plan'][0]['additive_only'] is True


def test_l7_policies_are_placed_by_list_order(stack, octavia, name, vip_subnet_id):
    spec = updated(name, vip_subnet_id)
    http = spec['listeners'][0]
    http['l7policies'].insert(0, {'name': 'block', 'action': 'REJECT', 'rules': [
        {'type': 'HOST_NAME', 'compare_type': 'ENDS_WITH', 'value': '.bad.example'}]})
    http['l7policies'].append({'name': 'to-web', 'action': 'REDIRECT_TO_POOL', 'redirect_pool': 'web', 'rules': [
        {'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/static'}]})
    run = stack.play([lb_task(spec)])
    assert run.rc == 0, run
    lb = octavia.lb(name)
    listener = octavia.listeners(lb['id'])['http']
    assert [(p['name'], p['position']) for p in octavia.policies(listener['id'])] == [
        ('block', 1), ('api', 2), ('to-web', 3)]
    again = stack.play([lb_task(spec)])
    assert again.result['changed'] is False and again.counts['writes'] == 0
    # reverse the order: policies move, nothing is re-created
    http['l7policies'].reverse()
    run = stack.play([lb_task(spec)])
    assert run.rc == 0, run
    assert set(p['action'] for p in run.result['plan']) == {'update'}
    assert [p['name'] for p in octavia.policies(listener['id'])] == ['to-web', 'api', 'block']
    # and drop them all
    http['l7policies'] = []
    run = stack.play([lb_task(spec)])
    assert [p['action'] for p in run.result['plan']] == ['delete'] * 3
    assert octavia.policies(listener['id']) == []


def test_listeners_and_pools_not_listed_are_removed(stack, octavia, name, vip_subnet_id):
    spec = updated(name, vip_subnet_id)
    spec['listeners'] = [spec['listeners'][0]]
    spec['listeners'][0].pop('l7policies')
    spec['pools'] = [spec['pools'][0]]
    run = stack.play([lb_task(spec)])
    assert run.rc == 0, run
    # the L7 policies are gone already (previous test), so nothing refers to pool api any more
    assert [(p['action'], p['kind']) for p in run.result['plan']] == [('delete', 'listener'), ('delete', 'pool')]
    lb = octavia.lb(name)
    assert sorted(octavia.listeners(lb['id'])) == ['http'] and sorted(octavia.pools(lb['id'])) == ['web']


def test_empty_forms_clear_values_and_a_listener_is_renamed_in_place(stack, octavia, name, vip_subnet_id):
    lb = octavia.lb(name)
    before = octavia.listeners(lb['id'])['http']
    spec = {'name': name, 'description': '', 'tags': [],
            'listeners': [{'name': 'front', 'protocol': 'HTTP', 'protocol_port': 80, 'allowed_cidrs': [],
                           'default_pool': '', 'tags': []}],
            'pools': [{'name': 'web', 'session_persistence': {}}]}
    run = stack.play([lb_task(spec)])
    assert run.rc == 0, run
    after = octavia.listeners(lb['id'])
    assert list(after) == ['front'] and after['front']['id'] == before['id']
    assert not after['front']['allowed_cidrs'] and after['front']['default_pool_id'] is None
    assert after['front']['tags'] == []
    web = octavia.pools(lb['id'])['web']
    assert web['session_persistence'] is None
    lb = octavia.lb(name)
    assert (lb['description'], lb['tags']) == ('', [])
    again = stack.play([lb_task(spec)])
    assert again.result['changed'] is False and again.counts['writes'] == 0


def test_delete_then_delete_again(stack, octavia, name, vip_subnet_id):
    run = stack.play([lb_task({'name': name}, state='absent')])
    assert run.rc == 0, run
    assert run.result['changed'] is True
    assert [m for m, _p, _s in write_requests(run)] == ['DELETE']
    assert octavia.lb(name) is None
    again = stack.play([lb_task({'name': name}, state='absent')])
    assert again.result['changed'] is False and again.counts['writes'] == 0
