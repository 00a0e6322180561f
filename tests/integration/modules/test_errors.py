"""Bad input fails before any write, naming the option: checked against the real Octavia through the proxy."""
import pytest

from lb_helpers import members


def lb(name, vip, **extra):
    args = {'name': name, 'vip_subnet_id': vip}
    args.update(extra)
    return {'lbaas.octavia.loadbalancer': args}


def failed(run, *fragments):
    assert run.rc != 0, run
    msg = run.result.get('msg', '')
    for fragment in fragments:
        assert fragment in msg, msg
    assert run.counts['writes'] == 0, run.counts['log']
    return msg


POOL = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}
HTTP = {'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80}


def test_unknown_pool_is_refused_without_a_single_request(stack, lbname, vip_subnet_id):
    run = stack.play([lb(lbname, vip_subnet_id, pools=[POOL], listeners=[dict(HTTP, default_pool='wbe')])])
    failed(run, 'listeners[http].default_pool', "'wbe' is not defined in pools (defined: web)")
    assert run.counts['requests'] == 0


def test_duplicate_members(stack, lbname, vip_subnet_id):
    pool = dict(POOL, members=members(2) + [{'address': '192.0.2.001'.replace('.001', '.1'), 'protocol_port': 80}])
    run = stack.play([lb(lbname, vip_subnet_id, pools=[pool])])
    failed(run, 'pools[web].members[2]', 'duplicate member 192.0.2.1 port 80')


def test_protocol_combinations_octavia_rejects(stack, lbname, vip_subnet_id):
    run = stack.play([lb(lbname, vip_subnet_id, pools=[dict(POOL, protocol='TCP')],
                         listeners=[{'name': 'dns', 'protocol': 'UDP', 'protocol_port': 53, 'default_pool': 'web'}])])
    failed(run, 'listeners[dns].default_pool', 'a UDP listener cannot use a TCP pool')
    run = stack.play([lb(lbname, vip_subnet_id, pools=[dict(POOL, protocol='UDP', healthmonitor={
        'type': 'HTTPS', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3})])])
    failed(run, 'pools[web].healthmonitor.type', 'a HTTPS health monitor cannot watch a UDP pool')


def test_wrong_types(stack, lbname, vip_subnet_id):
    run = stack.play([lb(lbname, vip_subnet_id, listeners=[dict(HTTP, protocol_port='eighty')])])
    msg = failed(run, 'protocol_port')
    assert 'listeners' in msg
    run = stack.play([lb(lbname, vip_subnet_id, pools=[dict(POOL, members=[{'address': 'web-1', 'protocol_port': 80}])])])
    failed(run, 'pools[web].members[0].address', "'web-1' is not an IPv4 or IPv6 address")
    run = stack.play([lb(lbname, 'my-subnet')])
    failed(run, 'vip_subnet_id', 'is not an ID')


def test_create_only_change_on_an_existing_lb(stack, octavia, lbname, vip_subnet_id):
    tree = dict(pools=[POOL], listeners=[dict(HTTP, default_pool='web')])
    assert stack.play([lb(lbname, vip_subnet_id, **tree)]).rc == 0
    run = stack.play([lb(lbname, vip_subnet_id, pools=[POOL], listeners=[dict(HTTP, protocol='TCP', default_pool='web')])])
    failed(run, 'listeners[http].protocol: is create-only', "has 'HTTP', the task asks for 'TCP'", 'replace=true')
    run = stack.play([lb(lbname, vip_subnet_id, pools=[dict(POOL, protocol='PROXY')])])
    failed(run, 'pools[web].protocol: is create-only')
    run = stack.play([lb(lbname, vip_subnet_id, vip_address='10.77.0.1')])
    failed(run, 'vip_address: is create-only')
    lb_now = octavia.lb(lbname)
    assert octavia.listeners(lb_now['id'])['http']['protocol'] == 'HTTP'


def test_replace_moves_listener_to_a_new_pool(stack, octavia, lbname, vip_subnet_id):
    tree = dict(pools=[dict(POOL, members=members(2))], listeners=[dict(HTTP, default_pool='web')])
    assert stack.play([lb(lbname, vip_subnet_id, **tree)]).rc == 0
    old = octavia.pools(octavia.lb(lbname)['id'])['web']
    tree['pools'][0]['protocol'] = 'PROXY'
    run = stack.play([lb(lbname, vip_subnet_id, replace=True, **tree)])
    assert run.rc == 0, run
    lb_now = octavia.lb(lbname)
    new = octavia.pools(lb_now['id'])['web']
    assert new['id'] != old['id'] and new['protocol'] == 'PROXY'
    assert octavia.listeners(lb_now['id'])['http']['default_pool_id'] == new['id']
    assert sorted(octavia.members(new['id'])) == ['192.0.2.1:80', '192.0.2.2:80']


def test_ipv6_cidr_on_an_ipv4_vip(stack, lbname, vip_subnet_id):
    assert stack.play([lb(lbname, vip_subnet_id, listeners=[HTTP])]).rc == 0
    run = stack.play([lb(lbname, vip_subnet_id, listeners=[dict(HTTP, allowed_cidrs=['2001:db8::/32'])])])
    failed(run, 'listeners[http].allowed_cidrs', 'CIDR 2001:db8::/32 is IPv6')


def test_options_newer_than_the_clouds_api(old_stack, lbname, vip_subnet_id):
    run = old_stack.play([lb(lbname, vip_subnet_id, listeners=[dict(HTTP, allowed_cidrs=['10.0.0.0/8'])],
                             pools=[dict(POOL, lb_algorithm='SOURCE_IP_PORT')])])
    failed(run, 'pools[web].lb_algorithm', 'needs Octavia API v2.13 or later; this cloud offers v2.10',
           'listeners[http].allowed_cidrs: option allowed_cidrs needs v2.12')
    # what the old API has is fine there
    run = old_stack.play([lb(lbname, vip_subnet_id, listeners=[dict(HTTP, timeout_client_data=1000)])])
    assert run.rc == 0, run


def test_module_fails_cleanly_without_the_cloud(stack, lbname, vip_subnet_id):
    run = stack.play([{'lbaas.octavia.loadbalancer': {'name': lbname, 'vip_subnet_id': vip_subnet_id,
                                                      'cloud': 'no-such-cloud'}}])
    failed(run, 'no-such-cloud')


@pytest.mark.parametrize('module,args,fragment', [
    ('member', {'pool': 'nope', 'address': '10.0.0.1', 'protocol_port': 80}, "pool: pool 'nope' does not exist"),
    ('l7_policy', {'listener': 'HTTP:81', 'name': 'x', 'action': 'REJECT'}, "listener: listener 'HTTP:81' does not exist"),
    ('listener', {'name': 'x', 'protocol': 'HTTP', 'protocol_port': 81, 'default_pool': 'nope'},
     "default_pool: pool 'nope' does not exist"),
])
def test_child_modules_name_what_is_missing(stack, lbname, vip_subnet_id, module, args, fragment):
    assert stack.play([lb(lbname, vip_subnet_id, listeners=[HTTP])]).rc == 0
    args = dict(args, loadbalancer=lbname)
    failed(stack.play([{'lbaas.octavia.%s' % module: args}]), fragment)


def test_replace_recreates_a_listener_with_what_it_had(stack, octavia, lbname, vip_subnet_id):
    policy = {'name': 'deny', 'action': 'REJECT', 'rules': [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/x'}]}
    tree = dict(pools=[POOL], listeners=[dict(HTTP, default_pool='web', connection_limit=77, l7policies=[policy])])
    assert stack.play([lb(lbname, vip_subnet_id, **tree)]).rc == 0
    old = octavia.listeners(octavia.lb(lbname)['id'])['http']
    # only the port is given: the unmanaged options and the L7 policies go to the new listener
    run = stack.play([lb(lbname, vip_subnet_id, replace=True, listeners=[{'name': 'http', 'protocol_port': 8081}])])
    assert run.rc == 0, run
    assert [(p['action'], p['kind']) for p in run.result['plan']] == [
        ('delete', 'listener'), ('create', 'listener'), ('create', 'l7policy'), ('create', 'l7rule')]
    lb_now = octavia.lb(lbname)
    new = octavia.listeners(lb_now['id'])['http']
    assert new['id'] != old['id']
    assert (new['protocol_port'], new['connection_limit'], new['default_pool_id']) == (
        8081, 77, octavia.pools(lb_now['id'])['web']['id'])
    pols = octavia.policies(new['id'])
    assert [p['name'] for p in pols] == ['deny'] and octavia.rules(pols[0]['id'])[0]['value'] == '/x'
