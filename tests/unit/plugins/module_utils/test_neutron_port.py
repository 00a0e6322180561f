"""Planning of lbaas.octavia.neutron_port: re-runs send nothing, drift sends only what differs."""
from ansible_collections.lbaas.octavia.plugins.module_utils import neutron_port as plan

S1 = '11111111-1111-1111-1111-111111111111'
S2 = '22222222-2222-2222-2222-222222222222'


def port(**kw):
    obj = dict(id='p1', name='hm', network_id='n1', project_id='pr', mac_address='fa:16:3e:00:00:01',
               fixed_ips=[dict(subnet_id=S1, ip_address='172.31.250.150')], binding_host_id='network',
               binding_vif_type='ovs', device_owner='Octavia:health-mgr', device_id='', security_group_ids=['sg1'],
               status='DOWN', description='', is_admin_state_up=True, is_port_security_enabled=True)
    obj.update(kw)
    return obj


def want(**kw):
    obj = dict(name='hm', network_id='n1', project_id=None, fixed_ips=[(S1, None)], security_group_ids=['sg1'],
               device_owner='Octavia:health-mgr', binding_host_id='network', admin_state_up=True)
    obj.update(kw)
    return obj


def test_fixed_ip_without_address_keeps_the_one_neutron_chose():
    assert plan.plan_fixed_ips([(S1, None)], [dict(subnet_id=S1, ip_address='172.31.250.150')]) is None


def test_fixed_ip_with_the_same_address_is_satisfied():
    assert plan.plan_fixed_ips([(S1, '172.31.250.150')], [dict(subnet_id=S1, ip_address='172.31.250.150')]) is None


def test_fixed_ip_with_another_address_is_sent():
    assert plan.plan_fixed_ips([(S1, '172.31.250.10')], [dict(subnet_id=S1, ip_address='172.31.250.150')]) == [
        dict(subnet_id=S1, ip_address='172.31.250.10')]


def test_missing_subnet_is_added_and_held_addresses_kept():
    assert plan.plan_fixed_ips([(S1, None), (S2, None)], [dict(subnet_id=S1, ip_address='172.31.250.150')]) == [
        dict(subnet_id=S1, ip_address='172.31.250.150'), dict(subnet_id=S2)]


def test_extra_address_is_removed():
    have = [dict(subnet_id=S1, ip_address='172.31.250.150'), dict(subnet_id=S1, ip_address='172.31.250.151')]
    assert plan.plan_fixed_ips([(S1, None)], have) == [dict(subnet_id=S1, ip_address='172.31.250.150')]


def test_exact_entries_claim_their_address_before_free_ones():
    have = [dict(subnet_id=S1, ip_address='172.31.250.150'), dict(subnet_id=S1, ip_address='172.31.250.151')]
    assert plan.plan_fixed_ips([(S1, None), (S1, '172.31.250.150')], have) is None


def test_rerun_plans_nothing():
    assert plan.plan_update(want(), port()) == {}


def test_unset_options_are_not_compared():
    assert plan.plan_update(dict(name='hm', network_id='n1'), port(device_owner='x', binding_host_id='')) == {}


def test_binding_host_drift_is_the_only_change_sent():
    assert plan.plan_update(want(), port(binding_host_id='other')) == {'binding_host_id': 'network'}


def test_empty_and_none_strings_are_equal():
    assert plan.plan_update(want(device_id=''), port(device_id=None)) == {}


def test_security_groups_compare_as_sets():
    assert plan.plan_update(want(security_group_ids=['b', 'a']), port(security_group_ids=['a', 'b'])) == {}
    assert plan.plan_update(want(security_group_ids=['a']), port(security_group_ids=['a', 'b'])) == {
        'security_group_ids': ['a']}


def test_create_body_uses_sdk_names_and_leaves_out_unset_options():
    body = plan.create_body(want(project_id='pr', admin_state_up=None))
    assert body == dict(name='hm', network_id='n1', project_id='pr', fixed_ips=[dict(subnet_id=S1)],
                        security_group_ids=['sg1'], device_owner='Octavia:health-mgr', binding_host_id='network')


def test_validate():
    assert plan.validate(dict(state='present', fixed_ips=[dict(subnet=S1, ip_address=None)])) == []
    assert plan.validate(dict(state='present', port_security_enabled=False, security_groups=['a']))
    twice = [dict(subnet=S1, ip_address='10.0.0.1'), dict(subnet=S2, ip_address='10.0.0.1')]
    assert plan.validate(dict(state='present', fixed_ips=twice))
    assert plan.validate(dict(state='absent', port_security_enabled=False, security_groups=['a'])) == []


def test_result_and_diff():
    assert set(plan.port_result(port())) == set(plan.RETURNED)
    assert plan.diff(port(), {'binding_host_id': 'network'}) == {
        'before': {'binding_host_id': 'network'}, 'after': {'binding_host_id': 'network'}}


def test_decide_each_path():
    assert plan.decide(want(), None, present=False).kind == 'none'
    gone = plan.decide(want(), port(), present=False)
    assert (gone.kind, gone.diff['after']) == ('delete', {})
    new = plan.decide(want(), None, present=True)
    assert (new.kind, new.result) == ('create', None) and new.body == new.diff['after']
    same = plan.decide(want(), port(), present=True)
    assert (same.kind, same.result['id']) == ('none', 'p1')
    drift = plan.decide(want(), port(binding_host_id='other'), present=True)
    assert (drift.kind, drift.body) == ('update', {'binding_host_id': 'network'})
    assert drift.diff == {'before': {'binding_host_id': 'other'}, 'after': {'binding_host_id': 'network'}}
