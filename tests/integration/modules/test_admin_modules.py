"""The admin modules against the lab's real Octavia: flavor profiles and flavors (used by a load balancer),
availability-zone profiles and zones, quotas (a create refused), failover (back to ACTIVE), and
loadbalancer_info's statistics and providers.

Admin objects need an admin: LBAAS_TEST_ADMIN_CLOUD names its clouds.yaml entry (default lbaas-lab-admin).
Every playbook goes through the counting proxy, so "0 writes on a re-run" is what Octavia saw, not what the
module says. Names start with lbaas-it-; what a test leaves behind is removed by its fixture.
"""
import copy
import os
import uuid

import pytest

from lb_helpers import PREFIX, lb_get  # pylint: disable=import-error
from stack import Stack, cloud_entry  # pylint: disable=import-error

ADMIN_CLOUD = os.environ.get('LBAAS_TEST_ADMIN_CLOUD', 'lbaas-lab-admin')


@pytest.fixture(scope='module')
def admin_sdk():
    import openstack
    return openstack.connect(cloud=ADMIN_CLOUD)


@pytest.fixture(scope='module')
def admin_stack(admin_sdk, octavia_root, tmp_path_factory):
    st = Stack(admin_sdk, octavia_root, str(tmp_path_factory.mktemp('octavia-admin')), entry=cloud_entry(ADMIN_CLOUD),
               label='admin')
    yield st
    st.proxy.stop()


def _get(sdk, path, key, **params):
    return (lb_get(sdk, path, params) or {}).get(key) or []


class Names(object):
    """Unique names for one test, and the removal of whatever of them is left at its end (users first)."""

    def __init__(self, sdk):
        self.sdk = sdk
        self.tag = uuid.uuid4().hex[:6]

    def __call__(self, what):
        return '%s%s-%s' % (PREFIX, what, self.tag)

    def cleanup(self):
        lb = self.sdk.load_balancer
        for name in [z['name'] for z in _get(self.sdk, '/lbaas/availabilityzones', 'availability_zones')
                     if self.tag in z['name']]:
            lb.delete('/lbaas/availabilityzones/%s' % name)
        for path, key in (('/lbaas/flavors', 'flavors'), ('/lbaas/flavorprofiles', 'flavorprofiles'),
                          ('/lbaas/availabilityzoneprofiles', 'availability_zone_profiles')):
            for obj in _get(self.sdk, path, key):
                if self.tag in (obj.get('name') or ''):
                    lb.delete('%s/%s' % (path, obj['id']))


@pytest.fixture
def names(admin_sdk):
    n = Names(admin_sdk)
    yield n
    n.cleanup()


def task(module, **args):
    return {'lbaas.octavia.%s' % module: args}


def writes(run):
    return [e for e in run.counts['log'] if e[0] in ('POST', 'PUT', 'DELETE', 'PATCH')]


def assert_rerun_writes_nothing(stack, tasks):
    again = stack.play(tasks)
    assert again.rc == 0, again
    assert all(r.get('changed') is False for r in again.results), again
    assert writes(again) == [], again


def test_flavor_profile_and_flavor_used_by_a_load_balancer(
        admin_stack, admin_sdk, stack, names, lbname, vip_subnet_id):
    profile, flavor = names('fp'), names('flavor')
    make_profile = task('flavor_profile', name=profile, provider_name='amphora',
                        flavor_data={'loadbalancer_topology': 'SINGLE'})
    make_flavor = task('flavor', name=flavor, description='one amphora', flavor_profile=profile)

    # check mode: the diff of a create, nothing written, nothing there
    dry = admin_stack.play([make_profile], check=True, diff=True)
    assert dry.rc == 0 and dry.result['changed'] and dry.result['operation'] == 'create', dry
    assert dry.result['diff']['after']['flavor_data'] == {'loadbalancer_topology': 'SINGLE'}
    assert writes(dry) == [] and not _get(admin_sdk, '/lbaas/flavorprofiles', 'flavorprofiles', name=profile)

    run = admin_stack.play([make_profile, make_flavor])
    assert run.rc == 0, run
    sent = writes(run)
    assert [e[0] for e in sent] == ['POST', 'POST'] and sent[0][1].endswith('/lbaas/flavorprofiles') \
        and sent[1][1].endswith('/lbaas/flavors'), run
    made = _get(admin_sdk, '/lbaas/flavors', 'flavors', name=flavor)
    assert len(made) == 1 and made[0]['flavor_profile_id'] == run.results[0]['flavor_profile']['id']
    assert_rerun_writes_nothing(admin_stack, [make_profile, make_flavor])

    # an update sends only what differs; check mode shows it first
    disable = task('flavor', name=flavor, enabled=False)
    dry = admin_stack.play([disable], check=True, diff=True)
    assert dry.result['diff'] == {'before': {'name': flavor, 'description': 'one amphora',
                                             'flavor_profile': made[0]['flavor_profile_id'], 'enabled': True},
                                  'after': {'name': flavor, 'description': 'one amphora',
                                            'flavor_profile': made[0]['flavor_profile_id'], 'enabled': False}}
    assert writes(dry) == []
    run = admin_stack.play([disable, task('flavor', name=flavor, enabled=True)])
    assert run.rc == 0 and [e[0] for e in writes(run)] == ['PUT', 'PUT'], run

    # the demo user's load balancer takes the flavor by name (the noop driver accepts SINGLE)
    make_lb = task('loadbalancer', name=lbname, vip_subnet_id=vip_subnet_id, flavor=flavor)
    run = stack.play([make_lb])
    assert run.rc == 0, run
    assert run.result['loadbalancer']['flavor_id'] == made[0]['id']
    assert_rerun_writes_nothing(stack, [make_lb])

    # what Octavia would refuse fails before any write, naming the option
    other = names('fp2')
    run = admin_stack.play([task('flavor_profile', name=other, provider_name='amphora', flavor_data={}),
                            task('flavor', name=flavor, flavor_profile=other)])
    assert run.rc != 0 and run.result['msg'].startswith('flavor_profile: flavor %r has flavor_profile' % flavor), run
    assert [e[0] for e in writes(run)] == ['POST'], run  # the second profile only
    run = admin_stack.play([task('flavor_profile', name=profile, flavor_data={'loadbalancer_topology': 'ACTIVE_STANDBY'})])
    assert run.rc != 0 and run.result['msg'] == (
        "flavor_data: flavor profile %r is used by %s; Octavia refuses to change its provider or data while it is "
        "in use" % (profile, flavor)), run
    run = admin_stack.play([task('flavor_profile', name=other, provider_name='amphora', flavor_data={'topology': 1})])
    assert run.rc != 0 and 'flavor_data.topology: provider amphora does not offer topology' in run.result['msg'], run
    assert writes(run) == []
    run = admin_stack.play([task('flavor_profile', name=other, provider_name='nope')])
    assert run.rc != 0 and run.result['msg'].startswith("provider_name: Octavia offers no provider 'nope'"), run

    # absent, in order; a re-run removes nothing more
    assert stack.play([task('loadbalancer', name=lbname, state='absent')]).rc == 0
    gone = [task('flavor', name=flavor, state='absent'), task('flavor_profile', name=profile, state='absent'),
            task('flavor_profile', name=other, state='absent')]
    run = admin_stack.play(gone)
    assert run.rc == 0 and [e[0] for e in writes(run)] == ['DELETE'] * 3, run
    assert not _get(admin_sdk, '/lbaas/flavors', 'flavors', name=flavor)
    assert_rerun_writes_nothing(admin_stack, gone)


def test_availability_zone_profile_and_zone(admin_stack, admin_sdk, stack, names, lbname, vip_subnet_id):
    profile, zone = names('azp'), names('az')
    tasks = [task('availability_zone_profile', name=profile, provider_name='amphora',
                  availability_zone_data={'compute_zone': 'nova'}),
             task('availability_zone', name=zone, description='lab zone', availability_zone_profile=profile)]
    dry = admin_stack.play(tasks, check=True, diff=True)
    assert dry.rc == 0 and [r['operation'] for r in dry.results] == ['create', 'create'] and writes(dry) == [], dry
    run = admin_stack.play(tasks)
    assert run.rc == 0 and [e[0] for e in writes(run)] == ['POST', 'POST'], run
    made = lb_get(admin_sdk, '/lbaas/availabilityzones/%s' % zone)['availability_zone']
    assert made['availability_zone_profile_id'] == run.results[0]['availability_zone_profile']['id']
    assert_rerun_writes_nothing(admin_stack, tasks)

    run = admin_stack.play([task('availability_zone', name=zone, description='changed')], diff=True)
    assert run.rc == 0 and run.result['diff']['after']['description'] == 'changed', run
    assert [e[0] for e in writes(run)] == ['PUT']

    # a load balancer in the zone (the noop compute driver accepts any compute_zone)
    make_lb = task('loadbalancer', name=lbname, vip_subnet_id=vip_subnet_id, availability_zone=zone)
    run = stack.play([make_lb])
    assert run.rc == 0 and run.result['loadbalancer']['availability_zone'] == zone, run
    assert stack.play([task('loadbalancer', name=lbname, state='absent')]).rc == 0

    run = admin_stack.play([task('availability_zone_profile', name=profile, state='absent')])
    assert run.rc != 0 and run.result['msg'] == ('state: availability zone profile %r is still used by %s (delete '
                                                 'those first)' % (profile, zone)), run
    assert writes(run) == []
    gone = [task('availability_zone', name=zone, state='absent'),
            task('availability_zone_profile', name=profile, state='absent')]
    run = admin_stack.play(gone)
    assert run.rc == 0 and [e[0] for e in writes(run)] == ['DELETE', 'DELETE'], run
    assert_rerun_writes_nothing(admin_stack, gone)


@pytest.fixture
def quota_project(admin_sdk):
    """A project of its own (quotas of the demo project would refuse other tests' load balancers), in which the
    admin user may act."""
    name = PREFIX + 'quota-' + uuid.uuid4().hex[:6]
    project = admin_sdk.identity.create_project(name=name, domain_id='default', description='lbaas.octavia test')
    role = admin_sdk.identity.find_role('admin', ignore_missing=False)
    admin_sdk.identity.assign_project_role_to_user(project, admin_sdk.current_user_id, role)
    yield project
    admin_sdk.load_balancer.delete('/lbaas/quotas/%s' % project.id)
    admin_sdk.identity.delete_project(project)


def test_quota_refuses_a_create_and_absent_resets_it(admin_stack, admin_sdk, quota_project, octavia_root,
                                                     tmp_path_factory, vip_subnet_id):
    limit = task('quota', project=quota_project.name, load_balancer=0, listener=5)
    dry = admin_stack.play([limit], check=True, diff=True)
    assert dry.rc == 0 and dry.result['changed'] and writes(dry) == [], dry
    assert dry.result['diff']['after']['load_balancer'] == 0 and dry.result['diff']['before']['load_balancer'] != 0
    run = admin_stack.play([limit])
    assert run.rc == 0 and [e[0] for e in writes(run)] == ['PUT'], run
    assert lb_get(admin_sdk, '/lbaas/quotas/%s' % quota_project.id)['quota']['load_balancer'] == 0
    assert_rerun_writes_nothing(admin_stack, [limit])

    # a user of that project cannot create a load balancer now: Octavia's refusal, nothing made
    entry = copy.deepcopy(cloud_entry(ADMIN_CLOUD))
    entry['auth'].pop('project_id', None)
    entry['auth'].update(project_name=quota_project.name, project_domain_name='Default')
    scoped = Stack(admin_sdk, octavia_root, str(tmp_path_factory.mktemp('octavia-quota')), entry=entry, label='quota')
    try:
        lbname = PREFIX + 'quota-lb-' + uuid.uuid4().hex[:6]
        refused = scoped.play([task('loadbalancer', name=lbname, vip_subnet_id=vip_subnet_id)])
        assert refused.rc != 0 and 'Quota has been met' in refused.result['msg'], refused
        assert not _get(admin_sdk, '/lbaas/loadbalancers', 'loadbalancers', name=lbname)
    finally:
        scoped.proxy.stop()

    reset = task('quota', project=quota_project.id, state='absent')
    run = admin_stack.play([reset], diff=True)
    assert run.rc == 0 and run.result['operation'] == 'reset' and [e[0] for e in writes(run)] == ['DELETE'], run
    defaults = lb_get(admin_sdk, '/lbaas/quotas/defaults')['quota']
    assert lb_get(admin_sdk, '/lbaas/quotas/%s' % quota_project.id)['quota']['load_balancer'] == \
        defaults['load_balancer']
    assert_rerun_writes_nothing(admin_stack, [reset])

    run = admin_stack.play([task('quota', project=quota_project.id, member=-5)])
    assert run.rc != 0 and run.result['msg'] == 'member: must be -1 (unlimited) or more, not -5', run
    assert run.counts['requests'] == 0
    run = admin_stack.play([task('quota', project=PREFIX + 'no-such-project', pool=1)])
    assert run.rc != 0 and run.result['msg'] == "project: project '%sno-such-project' not found" % PREFIX, run
    assert writes(run) == []


def test_failover_returns_the_load_balancer_to_active(admin_stack, stack, octavia, lbname, vip_subnet_id):
    assert stack.play([task('loadbalancer', name=lbname, vip_subnet_id=vip_subnet_id)]).rc == 0
    dry = admin_stack.play([task('loadbalancer_failover', name=lbname)], check=True)
    assert dry.rc == 0 and dry.result['msg'].startswith('would fail over load balancer') and writes(dry) == [], dry

    run = admin_stack.play([task('loadbalancer_failover', name=lbname)])
    assert run.rc == 0, run
    assert [e[0] for e in writes(run)] == ['PUT'] and writes(run)[0][1].endswith('/failover'), run
    assert run.result['loadbalancer']['provisioning_status'] == 'ACTIVE'
    assert octavia.lb(lbname)['provisioning_status'] == 'ACTIVE'
    print('failover of %s: ACTIVE again after %s s' % (lbname, run.result['seconds']))

    # the amphora provider keeps amphora records (made-up compute IDs) with the noop drivers too
    amphorae = [a for a in run.result['amphorae'] if a['status'] != 'DELETED']
    assert amphorae, run
    one = admin_stack.play([task('loadbalancer_failover', name=lbname, amphora=amphorae[0]['id'])])
    assert one.rc == 0 and one.result['failed_over'] == 'amphora', one
    assert [e[1].split('/v2', 1)[-1] for e in writes(one)] == ['/octavia/amphorae/%s/failover' % amphorae[0]['id']], one
    assert one.result['loadbalancer']['provisioning_status'] == 'ACTIVE'
    print('failover of amphora %s: ACTIVE again after %s s' % (amphorae[0]['id'], one.result['seconds']))
    run = admin_stack.play([task('loadbalancer_failover', name=lbname, amphora=str(uuid.uuid4()))])
    assert run.rc != 0 and run.result['msg'].startswith('amphora: amphora '), run
    assert writes(run) == []
    run = admin_stack.play([task('loadbalancer_failover', name=PREFIX + 'no-such-lb')])
    assert run.rc != 0 and run.result['msg'] == "name: load balancer '%sno-such-lb' not found" % PREFIX, run


def test_info_stats_and_providers(admin_stack, stack, lbname, vip_subnet_id):
    assert stack.play([task('loadbalancer', name=lbname, vip_subnet_id=vip_subnet_id)]).rc == 0
    run = stack.play([task('loadbalancer_info', name=lbname, include_stats=True, providers=True)])
    assert run.rc == 0 and writes(run) == [], run
    stats = run.result['loadbalancers'][0]['stats']
    assert set(stats) >= {'active_connections', 'bytes_in', 'bytes_out', 'request_errors', 'total_connections'}
    providers = dict((p['name'], p) for p in run.result['providers'])
    assert 'amphora' in providers, run
    # the demo user may list providers, not their capabilities
    assert providers['amphora']['flavor_capabilities'] is None

    run = admin_stack.play([task('loadbalancer_info', name='no-lb-' + uuid.uuid4().hex[:6], providers=True)])
    assert run.rc == 0 and run.result['loadbalancers'] == [], run
    amphora = dict((p['name'], p) for p in run.result['providers'])['amphora']
    assert 'loadbalancer_topology' in [c['name'] for c in amphora['flavor_capabilities']], run
    assert 'compute_zone' in [c['name'] for c in amphora['availability_zone_capabilities']], run
