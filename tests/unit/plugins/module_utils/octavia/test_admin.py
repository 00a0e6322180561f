"""The admin objects' path (flavor profiles, flavors, availability zones and their profiles, quotas, failover,
providers) against a scripted Octavia: what is read, what is written, and what fails before any write."""
import json

import pytest

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, admin_quota, failover, info
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import AmbiguousWrite, APIError, SpecError

from . import fakes
from .fakes import Response

PROFILE_ID = '4c3e8e1a-50d1-4b8a-9f5b-9c0a2a7f3c11'
PROFILE = {'id': PROFILE_ID, 'name': 'single', 'provider_name': 'amphora',
           'flavor_data': json.dumps({'loadbalancer_topology': 'SINGLE'})}
FLAVOR = {'id': '0bd6e5e2-7f0c-4f4e-8c67-2b1bb3f8d5a4', 'name': 'small', 'description': '',
          'flavor_profile_id': PROFILE_ID, 'enabled': True}
PROVIDERS = Response(200, {'providers': [{'name': 'amphora', 'description': 'Amphora'},
                                         {'name': 'octavia', 'description': 'alias'}]})
CAPS = Response(200, {'flavor_capabilities': [{'name': 'loadbalancer_topology', 'description': ''},
                                              {'name': 'compute_flavor', 'description': ''}]})


def listing(collection, *objs):
    return Response(200, {collection: list(objs)})


def params(**kw):
    return dict(kw, state=kw.get('state', 'present'))


def writes(c):
    return [s[:2] for s in c.conn.load_balancer.seen if s[0] != 'GET']


def test_profile_created_with_its_data_as_json_after_the_provider_checks():
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles')),
        ('GET', '/lbaas/providers', PROVIDERS),
        ('GET', '/lbaas/providers/amphora/flavor_capabilities', CAPS),
        ('POST', '/lbaas/flavorprofiles', Response(201, {'flavorprofile': PROFILE})),
    ])
    out = admin.converge(c, 'flavor_profile', params(name='single', provider_name='amphora',
                                                     flavor_data={'loadbalancer_topology': 'SINGLE'}), False)
    assert out['operation'] == 'create' and out['flavor_profile']['id'] == PROFILE_ID
    body = c.conn.load_balancer.seen[-1][3]['flavorprofile']
    assert json.loads(body['flavor_data']) == {'loadbalancer_topology': 'SINGLE'}
    assert out['diff'] == {'before': {}, 'after': {'name': 'single', 'provider_name': 'amphora',
                                                   'flavor_data': {'loadbalancer_topology': 'SINGLE'}}}


def test_profile_rerun_reads_once_and_writes_nothing():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE))])
    out = admin.converge(c, 'flavor_profile', params(name='single', provider_name='amphora',
                                                     flavor_data={'loadbalancer_topology': 'SINGLE'}), False)
    assert out['changed'] is False and c.counter.requests == 1 and writes(c) == []


def test_unknown_provider_and_unknown_data_key_fail_before_any_write():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavorprofiles', listing('flavorprofiles')),
                                       ('GET', '/lbaas/providers', PROVIDERS)])
    with pytest.raises(SpecError, match=r"provider_name: Octavia offers no provider 'ovn' \(offered: amphora, octavia\)"):
        admin.converge(c, 'flavor_profile', params(name='x', provider_name='ovn', flavor_data={'a': 1}), False)
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavorprofiles', listing('flavorprofiles')),
                                       ('GET', '/lbaas/providers', PROVIDERS),
                                       ('GET', '/lbaas/providers/amphora/flavor_capabilities', CAPS)])
    with pytest.raises(SpecError, match='flavor_data.topology: provider amphora does not offer topology'):
        admin.converge(c, 'flavor_profile', params(name='x', provider_name='amphora',
                                                   flavor_data={'topology': 'SINGLE'}), False)
    assert writes(c) == []


def test_capabilities_the_caller_may_not_read_leave_the_check_to_octavia():
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles')),
        ('GET', '/lbaas/providers', PROVIDERS),
        ('GET', '/lbaas/providers/amphora/flavor_capabilities', Response(403, {'faultstring': 'Policy'})),
    ])
    out = admin.converge(c, 'flavor_profile', params(name='x', provider_name='amphora', flavor_data={'a': 1}), True)
    assert out['operation'] == 'create' and writes(c) == []


def test_a_profile_in_use_keeps_its_data_and_stays():
    used = dict(FLAVOR, name='small')
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE)),
                                       ('GET', '/lbaas/flavors', listing('flavors', used))])
    with pytest.raises(SpecError, match="flavor_data: flavor profile 'single' is used by small"):
        admin.converge(c, 'flavor_profile', params(name='single', flavor_data={'loadbalancer_topology': 'ACTIVE_STANDBY'}),
                       False)
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE)),
                                       ('GET', '/lbaas/flavors', listing('flavors', used))])
    with pytest.raises(SpecError, match="state: flavor profile 'single' is still used by small"):
        admin.converge(c, 'flavor_profile', params(name='single', state='absent'), False)
    assert writes(c) == []


def test_flavor_profile_by_name_and_create_needs_the_profile():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavors', listing('flavors'))])
    with pytest.raises(SpecError, match="flavor_profile: is required to create flavor 'small'"):
        admin.converge(c, 'flavor', params(name='small'), False)
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavors', listing('flavors')),
                                       ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles'))])
    with pytest.raises(SpecError, match="flavor_profile: flavor profile 'nope' not found"):
        admin.converge(c, 'flavor', params(name='small', flavor_profile='nope'), False)
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/flavors', listing('flavors')),
        ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE)),
        ('POST', '/lbaas/flavors', Response(201, {'flavor': FLAVOR})),
    ])
    out = admin.converge(c, 'flavor', params(name='small', flavor_profile='single', enabled=True), False)
    assert c.conn.load_balancer.seen[-1][3] == {'flavor': {'name': 'small', 'flavor_profile_id': PROFILE_ID,
                                                           'enabled': True}}
    assert out['flavor']['id'] == FLAVOR['id']


def test_flavor_update_sends_only_what_differs_and_refuses_another_profile():
    other = dict(PROFILE, id='9d1f0000-0000-0000-0000-000000000001', name='ha')
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavors', listing('flavors', FLAVOR)),
                                       ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', other))])
    with pytest.raises(SpecError, match="flavor_profile: flavor 'small' has flavor_profile %s; Octavia cannot change"
                                        % PROFILE_ID):
        admin.converge(c, 'flavor', params(name='small', flavor_profile='ha'), False)
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/flavors', listing('flavors', FLAVOR)),
        ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE)),
        ('PUT', '/lbaas/flavors/%s' % FLAVOR['id'], Response(200, {'flavor': dict(FLAVOR, enabled=False)})),
    ])
    out = admin.converge(c, 'flavor', params(name='small', flavor_profile='single', enabled=False, description=''),
                         False)
    assert c.conn.load_balancer.seen[-1][3] == {'flavor': {'enabled': False}}
    assert out['diff']['before']['enabled'] is True and out['diff']['after']['enabled'] is False


def test_check_mode_plans_the_delete_without_writing():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/flavors', listing('flavors', FLAVOR))])
    out = admin.converge(c, 'flavor', params(name='small', state='absent'), True)
    assert out['changed'] and out['operation'] == 'delete' and out['diff']['after'] == {} and writes(c) == []


def test_availability_zones_are_found_and_written_by_name():
    zone = {'name': 'az1', 'description': 'rack', 'availability_zone_profile_id': PROFILE_ID, 'enabled': True}
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/availabilityzones/az1', Response(200, {'availability_zone': zone})),
        ('PUT', '/lbaas/availabilityzones/az1', Response(200, {'availability_zone': dict(zone, description='x')})),
    ])
    out = admin.converge(c, 'availability_zone', params(name='az1', description='x'), False)
    assert out['availability_zone']['description'] == 'x'
    c, _slept = fakes.scripted_client([('GET', '/lbaas/availabilityzones/az2', Response(404, {'faultstring': 'nf'})),
                                       ('GET', '/lbaas/availabilityzoneprofiles',
                                        listing('availability_zone_profiles', dict(PROFILE, availability_zone_data='{}')))])
    out = admin.converge(c, 'availability_zone', params(name='az2', availability_zone_profile='single'), True)
    assert out['diff']['after']['availability_zone_profile'] == PROFILE_ID and writes(c) == []


def test_an_ambiguous_create_is_settled_by_reading_again():
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/flavors', listing('flavors')),
        ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE)),
        ('POST', '/lbaas/flavors', Response(504, {'faultstring': 'gateway'})),
        ('GET', '/lbaas/flavors', listing('flavors', FLAVOR)),
        ('GET', '/lbaas/flavorprofiles', listing('flavorprofiles', PROFILE)),
    ])
    out = admin.converge(c, 'flavor', params(name='small', flavor_profile='single'), False)
    assert out['changed'] is False and c.counter.replans == 1 and c.counter.writes == 1
    assert not isinstance(out, AmbiguousWrite)


def test_bad_json_and_empty_name_fail_without_a_cloud():
    with pytest.raises(SpecError, match='flavor_data: cannot be sent as JSON'):
        admin.desired('flavor_profile', params(name='x', flavor_data={'a': object()}))
    with pytest.raises(SpecError, match='name: must not be empty'):
        admin.desired('flavor', params(name=' '))


# ---- quotas

DEFAULTS = {'load_balancer': -1, 'listener': -1, 'pool': -1, 'member': -1, 'health_monitor': -1,
            'l7policy': -1, 'l7rule': -1}


class Identity(object):
    def __init__(self, projects):
        self.projects = projects

    def find_project(self, ref, ignore_missing=True):
        found = self.projects.get(ref)
        return type('Project', (), {'id': found}) if found else None


def quota_client(script, projects=None):
    c, _slept = fakes.scripted_client(script)
    c.conn.identity = Identity(projects or {})
    return c


def test_quota_sets_only_the_limits_that_differ_and_reruns_write_nothing():
    c = quota_client([('GET', '/lbaas/quotas/p2', Response(200, {'quota': DEFAULTS})),
                      ('PUT', '/lbaas/quotas/p2', Response(202, {'quota': dict(DEFAULTS, load_balancer=0)}))],
                     {'other': 'p2'})
    out = admin_quota.converge(c.conn, c, params(project='other', load_balancer=0, member=-1), False)
    assert c.conn.load_balancer.seen[-1][3] == {'quota': {'load_balancer': 0}}
    assert out['diff']['before']['load_balancer'] == -1 and out['quota']['load_balancer'] == 0
    c = quota_client([('GET', '/lbaas/quotas/p1', Response(200, {'quota': dict(DEFAULTS, load_balancer=0)}))])
    out = admin_quota.converge(c.conn, c, params(load_balancer=0), False)
    assert out['changed'] is False and writes(c) == [] and out['project_id'] == 'p1'


def test_quota_absent_resets_only_when_something_differs_from_the_defaults():
    c = quota_client([('GET', '/lbaas/quotas/p1', Response(200, {'quota': dict(DEFAULTS, pool=3)})),
                      ('GET', '/lbaas/quotas/defaults', Response(200, {'quota': DEFAULTS})),
                      ('DELETE', '/lbaas/quotas/p1', Response(202)),
                      ('GET', '/lbaas/quotas/p1', Response(200, {'quota': DEFAULTS}))])
    out = admin_quota.converge(c.conn, c, params(state='absent'), False)
    assert out['operation'] == 'reset' and out['quota']['pool'] == -1
    c = quota_client([('GET', '/lbaas/quotas/p1', Response(200, {'quota': DEFAULTS})),
                      ('GET', '/lbaas/quotas/defaults', Response(200, {'quota': DEFAULTS}))])
    assert admin_quota.converge(c.conn, c, params(state='absent'), False)['changed'] is False


def test_quota_input_errors_name_the_option():
    with pytest.raises(SpecError, match='member: must be -1 \\(unlimited\\) or more, not -2'):
        admin_quota.desired(params(member=-2))
    with pytest.raises(SpecError, match='pool: state=absent resets every limit'):
        admin_quota.desired(params(pool=1, state='absent'))
    c = quota_client([])
    with pytest.raises(SpecError, match="project: project 'ghost' not found"):
        admin_quota.converge(c.conn, c, params(project='ghost', pool=1), False)


def test_quota_l7_limits_need_api_2_19():
    c = quota_client([('GET', 'http://octavia.example:9876/', Response(200, {'versions': [
        {'id': 'v2.18', 'status': 'CURRENT'}]}))])
    with pytest.raises(SpecError, match='l7rule: option l7rule needs Octavia API v2.19'):
        admin_quota.converge(c.conn, c, params(l7rule=5), False)


# ---- failover

LB = {'id': 'L', 'name': 'web', 'provisioning_status': 'ACTIVE'}
AMP = {'id': 'A1', 'loadbalancer_id': 'L', 'role': 'STANDALONE'}


def test_failover_puts_once_and_waits_until_active():
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/loadbalancers', listing('loadbalancers', LB)),
        ('PUT', '/lbaas/loadbalancers/L/failover', Response(202)),
        ('GET', '/lbaas/loadbalancers/L', fakes.lb_response('PENDING_UPDATE')),
        ('GET', '/lbaas/loadbalancers/L', fakes.lb_response('ACTIVE')),
        ('GET', '/octavia/amphorae', listing('amphorae', AMP)),
    ])
    out = failover.run(c, {'name': 'web', 'wait': True}, False)
    assert out['loadbalancer']['provisioning_status'] == 'ACTIVE' and out['failed_over'] == 'loadbalancer'
    assert c.counter.writes == 1 and out['amphorae'] == [AMP]


def test_failover_of_a_foreign_amphora_or_a_missing_lb_fails_before_the_write():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/loadbalancers', listing('loadbalancers', LB)),
                                       ('GET', '/octavia/amphorae', listing('amphorae', AMP))])
    with pytest.raises(SpecError, match="amphora: amphora A2 is not one of load balancer 'web'"):
        failover.run(c, {'name': 'web', 'amphora': 'A2'}, False)
    c, _slept = fakes.scripted_client([('GET', '/lbaas/loadbalancers', listing('loadbalancers'))])
    with pytest.raises(SpecError, match="name: load balancer 'gone' not found"):
        failover.run(c, {'name': 'gone'}, False)
    assert c.counter.writes == 0


def test_failover_check_mode_says_what_would_fail_over():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/loadbalancers', listing('loadbalancers', LB)),
                                       ('GET', '/octavia/amphorae', listing('amphorae', AMP))])
    out = failover.run(c, {'name': 'web', 'amphora': 'A1'}, True)
    assert out['msg'] == 'would fail over amphora A1 of load balancer L (ACTIVE)' and c.counter.writes == 0


# ---- providers in loadbalancer_info

def test_providers_with_capabilities_and_null_where_the_caller_may_not_read_them():
    c, _slept = fakes.scripted_client([
        ('GET', '/lbaas/providers', Response(200, {'providers': [{'name': 'amphora', 'description': 'A'}]})),
        ('GET', '/lbaas/providers/amphora/flavor_capabilities', CAPS),
        ('GET', '/lbaas/providers/amphora/availability_zone_capabilities', Response(403, {'faultstring': 'no'})),
    ])
    out = info.providers(c)
    assert out[0]['flavor_capabilities'][0]['name'] == 'loadbalancer_topology'
    assert out[0]['availability_zone_capabilities'] is None


def test_check_mode_goes_on_with_a_profile_an_earlier_task_would_create():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/availabilityzones/az3', Response(404, {'faultstring': 'nf'})),
                                       ('GET', '/lbaas/availabilityzoneprofiles', listing('availability_zone_profiles'))])
    out = admin.converge(c, 'availability_zone', params(name='az3', availability_zone_profile='later'), True)
    assert out['operation'] == 'create' and out['diff']['after']['availability_zone_profile'] == '<not found: later>'
    assert out['warnings'][0].startswith("availability_zone_profile: availability zone profile 'later' not found")
    assert writes(c) == []


def test_a_collection_that_answers_404_is_an_error_not_an_empty_list():
    c, _slept = fakes.scripted_client([('GET', '/lbaas/loadbalancers', listing('loadbalancers', LB)),
                                       ('GET', '/octavia/amphorae', Response(404, {'faultstring': 'nf'}))])
    with pytest.raises(APIError, match='returned 404: no such collection'):
        failover.run(c, {'name': 'web', 'amphora': 'A1'}, False)
