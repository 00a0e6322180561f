"""Bad input is refused before any request, with the option named."""
import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError

from . import fakes

POOL = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}


def refused(path, **kw):
    with pytest.raises(SpecError) as err:
        fakes.desired(**kw)
    assert err.value.path == path, err.value.msg
    return err.value.msg


def test_duplicate_members():
    msg = refused('pools[web].members[1]', pools=[dict(POOL, members=[
        {'address': '10.0.0.1', 'protocol_port': 80}, {'address': '10.0.0.01'.replace('01', '1'), 'protocol_port': 80}])])
    assert 'duplicate member 10.0.0.1 port 80' in msg


def test_duplicate_members_in_different_ip_spelling():
    refused('pools[web].members[1]', pools=[dict(POOL, members=[
        {'address': '2001:db8::1', 'protocol_port': 80}, {'address': '2001:DB8:0::1', 'protocol_port': 80}])])


def test_duplicate_pools_and_listeners():
    refused('pools[web]', pools=[POOL, POOL])
    refused('listeners[b]', pools=[POOL], listeners=[
        {'name': 'a', 'protocol': 'HTTP', 'protocol_port': 80}, {'name': 'b', 'protocol': 'HTTP', 'protocol_port': 80}])


def test_unknown_pool_referenced_in_the_tree():
    msg = refused('listeners[http].default_pool', pools=[POOL],
                  listeners=[{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'wbe'}])
    assert "'wbe' is not defined in pools (defined: web)" in msg


def test_protocol_combinations_octavia_rejects():
    refused('listeners[dns].default_pool', pools=[dict(POOL, protocol='TCP')],
            listeners=[{'name': 'dns', 'protocol': 'UDP', 'protocol_port': 53, 'default_pool': 'web'}])
    refused('pools[web].healthmonitor.type', pools=[dict(POOL, protocol='UDP', healthmonitor={'type': 'HTTPS'})])
    refused('pools[web].healthmonitor.url_path', pools=[dict(POOL, protocol='TCP', healthmonitor={
        'type': 'TCP', 'url_path': '/'})])
    refused('listeners[m]', listeners=[{'name': 'm', 'protocol': 'PROMETHEUS', 'protocol_port': 9100,
                                        'default_pool': 'web'}], pools=[POOL])
    refused('listeners[h].hsts_max_age', listeners=[{'name': 'h', 'protocol': 'HTTP', 'protocol_port': 80,
                                                     'hsts_max_age': 10}])


def test_wrong_values():
    refused('pools[web].members[0].address', pools=[dict(POOL, members=[{'address': 'app1', 'protocol_port': 80}])])
    refused('pools[web].members[0].protocol_port', pools=[dict(POOL, members=[{'address': '10.0.0.1',
                                                                               'protocol_port': 70000}])])
    refused('pools[web].members[0].weight', pools=[dict(POOL, members=[{'address': '10.0.0.1', 'protocol_port': 80,
                                                                        'weight': 300}])])
    refused('vip_subnet_id', vip_subnet_id='my-subnet')
    refused('listeners[h].allowed_cidrs', listeners=[{'name': 'h', 'allowed_cidrs': ['10.0.0.0/33']}])
    refused('pools[web].healthmonitor.expected_codes', pools=[dict(POOL, healthmonitor={'expected_codes': '2xx'})])
    refused('pools[web].healthmonitor.resp_timeout', pools=[dict(POOL, healthmonitor={'delay': 2, 'resp_timeout': 5})])


def test_empty_tls_versions_are_refused():
    msg = refused('pools[web].tls_versions', pools=[dict(POOL, tls_versions=[])])
    assert 'an empty list is refused by Octavia' in msg
    refused('listeners[h].alpn_protocols', listeners=[{'name': 'h', 'alpn_protocols': []}])


def test_l7_policy_requirements():
    lis = {'name': 'h', 'protocol': 'HTTP', 'protocol_port': 80}
    refused('listeners[h].l7policies[p].redirect_url', listeners=[dict(lis, l7policies=[
        {'name': 'p', 'action': 'REDIRECT_TO_URL'}])])
    refused('listeners[h].l7policies[p].rules[0].key', listeners=[dict(lis, l7policies=[
        {'name': 'p', 'action': 'REJECT', 'rules': [{'type': 'HEADER', 'compare_type': 'EQUAL_TO', 'value': 'x'}]}])])
    refused('listeners[h].l7policies[p].rules[1]', listeners=[dict(lis, l7policies=[
        {'name': 'p', 'action': 'REJECT', 'rules': [{'type': 'PATH', 'compare_type': 'EQUAL_TO', 'value': '/x'}] * 2}])])


def test_session_persistence():
    refused('pools[web].session_persistence.cookie_name', pools=[dict(POOL, session_persistence={'type': 'APP_COOKIE'})])
    refused('pools[web].session_persistence.type', pools=[dict(POOL, protocol='UDP',
                                                               session_persistence={'type': 'HTTP_COOKIE'})])


def test_version_gates_name_the_option_and_the_version():
    d = fakes.desired(pools=[dict(POOL, lb_algorithm='SOURCE_IP_PORT', tags=['a'])],
                      listeners=[{'name': 'h', 'protocol': 'HTTP', 'protocol_port': 80, 'allowed_cidrs': ['10.0.0.0/8']}])
    gates = spec.version_gates(d)
    spec.check_versions(gates, (2, 30))
    with pytest.raises(SpecError) as err:
        spec.check_versions(gates, (2, 10))
    assert err.value.path == 'pools[web].lb_algorithm'
    assert 'lb_algorithm SOURCE_IP_PORT needs Octavia API v2.13 or later; this cloud offers v2.10' in err.value.msg
    with pytest.raises(SpecError, match=r'; pools\[web\].tags: option tags needs v2.5'):
        spec.check_versions(gates, (2, 4))


def test_no_gates_for_plain_options():
    d = fakes.desired(pools=[POOL], listeners=[{'name': 'h', 'protocol': 'HTTP', 'protocol_port': 80}])
    assert spec.version_gates(d) == []


def test_tree_policies_get_their_list_position():
    d = fakes.desired(listeners=[{'name': 'h', 'l7policies': [{'name': 'a', 'action': 'REJECT'},
                                                              {'name': 'b', 'action': 'REJECT'}]}])
    assert [p['opts']['position'] for p in d['listeners'][0]['l7policies']] == [1, 2]


# ---- ranges and IDs: facts of the schema entries (schema.py), checked by spec.clean

def test_ranges_come_from_the_schema_entries():
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
    assert schema.fields('member')['weight']['range'] == (0, 256)
    msg = refused('pools[web].members[0].weight', pools=[dict(POOL, members=[
        {'address': '10.0.0.1', 'protocol_port': 80, 'weight': 257}])])
    assert msg.endswith('257 is out of range (0 to 256)')
    msg = refused('listeners[http].connection_limit', listeners=[
        {'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'connection_limit': -2}])
    assert msg.endswith('-2 is out of range (-1 to unlimited)')


def test_id_options_refuse_names():
    msg = refused('vip_subnet_id', vip_subnet_id='my-subnet')
    assert msg.endswith("'my-subnet' is not an ID (UUID); names are not looked up")
    msg = refused('additional_vips[0].subnet_id', vip_subnet_id=fakes.SUBNET,
                  additional_vips=[{'subnet_id': 'other', 'ip_address': None}])
    assert msg.endswith("'other' is not a subnet ID (UUID)")


def test_quota_limits_below_their_range_are_refused():
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin_quota
    with pytest.raises(SpecError, match='must be -1 .unlimited. or more, not -2'):
        admin_quota.desired({'pool': -2, 'state': 'present'})
