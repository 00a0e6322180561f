"""The load-balancer modules under API faults and other writers (issue 13), against the lab's real Octavia:

  a  gateway errors, resets and 409s in bursts from the counting proxy while a tree converges
  b  two converges of one tree at once (two ansible-playbook processes)
  c  a member added by someone else between a removal run's read and its writes
  d  a pool replace killed right after the new pool's POST, then the next run
  e  Octavia's API paused (SIGSTOP) for 20 s mid-converge; Octavia's API restarted mid-converge
  f  state=absent on a load balancer already PENDING_DELETE (Octavia's worker paused meanwhile)

Each checks on Octavia itself (through openstacksdk, not through the proxy) that the tree is complete, that
there are no duplicates, and that a re-run changes nothing. e and f stop services in the lab: they hold
/tmp/lbaas-lab.lock while they do.
"""
import os
import subprocess
import threading
import time
import uuid

import pytest

from background import Proc  # pylint: disable=import-error
from lb_helpers import lb_get, members  # pylint: disable=import-error
from octavia_proxy import Faults  # pylint: disable=import-error

CONTROLLER = 'lbaas-lab-controller'
NETWORK_NODE = 'lbaas-lab-network'


@pytest.fixture(scope='module')
def vip_subnet_id():
    # Octavia runs its noop drivers under make test: any UUID is a subnet to it
    return os.environ.get('LBAAS_TEST_VIP_SUBNET_ID') or str(uuid.uuid4())


@pytest.fixture(autouse=True)
def no_faults(stack):
    yield
    stack.proxy.faults = None
    stack.proxy.hook = None


def tree(name, vip, **extra):
    args = {
        'name': name, 'vip_subnet_id': vip, 'timeout': 300,
        'listeners': [
            {'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web',
             'l7policies': [{'name': 'api', 'action': 'REDIRECT_TO_POOL', 'redirect_pool': 'api',
                             'rules': [{'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/api'}]}]},
            {'name': 'tcp', 'protocol': 'TCP', 'protocol_port': 8443, 'default_pool': 'api'},
        ],
        'pools': [
            {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': members(4),
             'healthmonitor': {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3, 'url_path': '/'}},
            {'name': 'api', 'protocol': 'HTTP', 'lb_algorithm': 'LEAST_CONNECTIONS',
             'members': members(3, 8080, '198.18.0.'),
             'healthmonitor': {'type': 'TCP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}},
        ],
    }
    args.update(extra)
    return [{'name': 'converge', 'lbaas.octavia.loadbalancer': args}]


def bare(name, vip):
    """The load balancer alone: the converge that follows then has a dozen writes, one lock cycle each."""
    return [{'lbaas.octavia.loadbalancer': {'name': name, 'vip_subnet_id': vip}}]


def all_lbs(sdk, name):
    return lb_get(sdk, '/lbaas/loadbalancers', {'name': name})['loadbalancers']


def small(name, vip):
    """A smaller tree (4 writes on a bare load balancer: pool, members, monitor, listener)."""
    tasks = tree(name, vip)
    args = tasks[0]['lbaas.octavia.loadbalancer']
    args['pools'] = args['pools'][:1]
    args['listeners'] = [dict(args['listeners'][0], l7policies=[])]
    return tasks


def expected(tasks):
    """The objects a tree() task makes, as lost_and_dupes names them."""
    args = tasks[-1]['lbaas.octavia.loadbalancer']
    want = set()
    for pool in args['pools']:
        want |= {'pool %s' % pool['name'], 'hm %s' % pool['name']}
        want |= set('member %s %s' % (pool['name'], m['address']) for m in pool['members'])
    for lis in args['listeners']:
        want.add('listener %s' % lis['name'])
        for pol in lis.get('l7policies') or []:
            want |= {'l7 %s' % pol['name'], 'rule %s' % pol['name']}
    return want


def lost_and_dupes(sdk, name, tasks=None):
    """(objects of the tree missing, duplicates) on Octavia itself."""
    want = expected(tasks or tree(name, 'unused'))
    live = [lb for lb in all_lbs(sdk, name) if lb['provisioning_status'] not in ('PENDING_DELETE', 'DELETED')]
    if not live:
        return len(want), 0
    have, dupes = [], len(live) - 1
    lb_id = live[0]['id']
    listeners = lb_get(sdk, '/lbaas/listeners', {'loadbalancer_id': lb_id})['listeners']
    pools = lb_get(sdk, '/lbaas/pools', {'loadbalancer_id': lb_id})['pools']
    have += ['listener %s' % l['name'] for l in listeners] + ['pool %s' % p['name'] for p in pools]
    for pool in pools:
        have += ['member %s %s' % (pool['name'], m['address'])
                 for m in lb_get(sdk, '/lbaas/pools/%s/members' % pool['id'])['members']]
        if pool.get('healthmonitor_id'):
            have.append('hm %s' % pool['name'])
    for lis in listeners:
        for pol in lb_get(sdk, '/lbaas/l7policies', {'listener_id': lis['id']})['l7policies']:
            have.append('l7 %s' % pol['name'])
            have += ['rule %s' % pol['name'] for _r in lb_get(sdk, '/lbaas/l7policies/%s/rules' % pol['id'])['rules']]
    dupes += len(have) - len(set(have))
    return len(want - set(have)), dupes


def wait_gone_twins(sdk, name, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(lb['provisioning_status'] == 'ACTIVE' for lb in all_lbs(sdk, name)):
            return
        time.sleep(1)


def rerun_is_clean(stack, name, vip, tasks=None):
    again = stack.play(tasks or tree(name, vip))
    assert again.rc == 0, again
    assert again.result['changed'] is False and again.counts['writes'] == 0, again.counts['log']
    return again


def lab(container, *argv):
    return subprocess.run(['podman', 'exec', container] + list(argv), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=True, timeout=120).stdout


def api_answers(sdk):
    try:
        return sdk.load_balancer.get('/', raise_exc=False).status_code < 500
    except Exception:  # pylint: disable=broad-except
        return False


# ---- a: gateway faults in bursts

def test_a_tree_converges_through_bursts_of_gateway_errors_resets_and_409s(stack, sdk, fault, lbname, vip_subnet_id):
    faults = Faults(every=6, burst=2, seed=13)
    fault.inject('proxy: after every 6 clean requests 2 faulted, drawn from 502/503/504, 409 immutable (writes), '
                 'reset before forwarding, reset after Octavia answered')
    stack.proxy.faults = faults
    started = time.monotonic()
    run = stack.play(bare(lbname, vip_subnet_id) + tree(lbname, vip_subnet_id))
    seconds = time.monotonic() - started
    stack.proxy.faults = None
    kinds = {}
    for _m, _p, kind in faults.injected:
        kinds[str(kind)] = kinds.get(str(kind), 0) + 1
    writes = [(m, p) for m, p, _k in faults.injected if m != 'GET']
    fault.saw('%d faults (%s), %d of them on writes; rc %s; retries %s, re-plans %s'
              % (len(faults.injected), ', '.join('%s x%d' % kv for kv in sorted(kinds.items())), len(writes),
                 run.rc, [r.get('api_retries') for r in run.results], [r.get('api_replans') for r in run.results]))
    assert run.rc == 0, run
    fault.recovered(seconds)
    lost, dupes = lost_and_dupes(sdk, lbname)
    fault.objects_lost(lost, '(%d duplicates)' % dupes)
    assert (lost, dupes) == (0, 0)
    assert len(faults.injected) >= 10, faults.injected
    rerun_is_clean(stack, lbname, vip_subnet_id)


# ---- b: two converges at once

def test_b_two_converges_of_one_tree_at_once_leave_one_tree(stack, sdk, fault, lbname, vip_subnet_id):
    fault.inject('two ansible-playbook processes converge the same new tree at the same moment')
    started = time.monotonic()
    procs = [Proc(stack, tree(lbname, vip_subnet_id)) for _i in range(2)]
    for proc in procs:
        proc.start()
    runs = [proc.result() for proc in procs]
    seconds = time.monotonic() - started
    for index, run in enumerate(runs):
        res = run.result
        twins = [p for p in res.get('plan', []) if p['action'] == 'delete' and p['kind'] == 'loadbalancer']
        fault.saw('run %d: rc %s, changed %s, plan %s%s' % (
            index + 1, run.rc, res.get('changed'), [p['action'] + ' ' + p['kind'] for p in res.get('plan', [])],
            ', deleted its own twin %s' % twins[0]['id'] if twins else ''))
    ok = [run for run in runs if run.rc == 0]
    assert ok, runs
    for run in runs:
        if run.rc != 0:
            # a failure is allowed only if it changed nothing: its writes all refused
            assert run.result.get('lock_cycles', 0) == 0, run
    wait_gone_twins(sdk, lbname)
    fault.recovered(seconds)
    assert len(all_lbs(sdk, lbname)) == 1, all_lbs(sdk, lbname)
    lost, dupes = lost_and_dupes(sdk, lbname)
    fault.objects_lost(lost, '(%d duplicates)' % dupes)
    assert (lost, dupes) == (0, 0)
    rerun_is_clean(stack, lbname, vip_subnet_id)


# ---- c: a member added by another run during a removal

@pytest.mark.long
def test_c_a_member_added_during_a_removal_run_survives(stack, sdk, octavia, fault, lbname, vip_subnet_id):
    six = members(6)
    pool = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': six}
    assert stack.play([{'lbaas.octavia.loadbalancer': {'name': lbname, 'vip_subnet_id': vip_subnet_id,
                                                       'pools': [pool]}}]).rc == 0
    lb = octavia.lb(lbname)
    pool_id = octavia.pools(lb['id'])['web']['id']
    added = {}

    def hook(method, path, _status):
        # right after Octavia answered the removal run's read of the members, before the run gets the
        # answer: someone else registers a host, so the run's view is stale from its first write on
        if added or method != 'GET' or not path.endswith('/lbaas/pools/%s/members' % pool_id):
            return
        added['at'] = fault.inject('member 192.0.2.50:80 added through openstacksdk, directly to Octavia')
        resp = sdk.load_balancer.post('/lbaas/pools/%s/members' % pool_id,
                                      json={'member': {'address': '192.0.2.50', 'protocol_port': 80}})
        added['status'] = resp.status_code

    stack.proxy.hook = hook
    run = stack.play([{'lbaas.octavia.member': {'loadbalancer': lbname, 'pool': 'web', 'mode': 'exact',
                                                'members': six[:2], 'timeout': 300}}])
    stack.proxy.hook = None
    assert added.get('status') == 201, added
    fault.saw('removal run rc %s, writes %s, retries %s; the added member was %s'
              % (run.rc, [(m, p.rsplit('/', 2)[-2]) for m, p, _s in run.counts['log'] if m != 'GET'],
                 run.result.get('api_retries'), 'kept' if '192.0.2.50:80' in octavia.members(pool_id) else 'DELETED'))
    assert run.rc == 0, run
    fault.recovered(time.monotonic() - added['at'])
    have = sorted(octavia.members(pool_id))
    expected = sorted(['192.0.2.1:80', '192.0.2.2:80', '192.0.2.50:80'])
    fault.objects_lost(len(set(expected) - set(have)), 'of %s (have %s)' % (expected, have))
    assert have == expected


# ---- d: a replace killed half-way

@pytest.mark.long
def test_d_replace_killed_after_the_new_pools_post_is_repaired(stack, sdk, octavia, fault, lbname, vip_subnet_id):
    assert stack.play(tree(lbname, vip_subnet_id)).rc == 0
    replaced = tree(lbname, vip_subnet_id, replace=True)
    replaced[0]['lbaas.octavia.loadbalancer']['pools'][0]['protocol'] = 'PROXY'
    proc = Proc(stack, replaced)
    killed = {}

    def hook(method, path, status):
        if not killed and method == 'POST' and path.endswith('/lbaas/pools') and status == 201:
            killed['at'] = fault.inject('playbook killed (SIGKILL, its process group) as Octavia answered the new '
                                        'pool\'s POST')
            proc.kill()
            killed['mark'] = stack.proxy.counts.mark()

    stack.proxy.hook = hook
    proc.start()
    try:
        proc.proc.wait(timeout=300)
    finally:
        stack.proxy.hook = None
    assert killed, 'the replace never created its new pool'
    time.sleep(3)
    assert stack.proxy.counts.since(killed['mark'])['requests'] == 0, 'the killed run is still talking to Octavia'
    lb = octavia.lb(lbname)
    webs = [p for p in lb_get(sdk, '/lbaas/pools', {'loadbalancer_id': lb['id']})['pools'] if p['name'] == 'web']
    fault.saw('after the kill: %d pools named web (%s)' % (len(webs), ', '.join(p['protocol'] for p in webs)))
    assert len(webs) == 2
    run = stack.play(replaced)
    fault.saw('next run: rc %s, plan %s' % (run.rc, [p['label'] for p in run.result.get('plan', [])]))
    assert run.rc == 0, run
    fault.recovered(time.monotonic() - killed['at'])
    webs = [p for p in lb_get(sdk, '/lbaas/pools', {'loadbalancer_id': lb['id']})['pools'] if p['name'] == 'web']
    assert [p['protocol'] for p in webs] == ['PROXY']
    listeners = octavia.listeners(lb['id'])
    assert listeners['http']['default_pool_id'] == webs[0]['id']
    lost, dupes = lost_and_dupes(sdk, lbname)
    fault.objects_lost(lost, '(%d duplicates)' % dupes)
    assert (lost, dupes) == (0, 0)
    again = stack.play(replaced)
    assert again.rc == 0 and again.result['changed'] is False and again.counts['writes'] == 0, again


# ---- e: the API paused, the API restarted

def converge_while(stack, sdk, fault, lbname, vip_subnet_id, disrupt, after_writes=2):
    """Converge small() on a bare load balancer; after_writes writes in, run disrupt() in a thread."""
    assert stack.play(bare(lbname, vip_subnet_id)).rc == 0
    tasks = small(lbname, vip_subnet_id)
    tasks[0]['lbaas.octavia.loadbalancer']['api_timeout'] = 10
    seen = {'writes': 0}
    done = threading.Event()

    def hook(method, path, _status):
        if method != 'GET' and 'lbaas' in path:
            seen['writes'] += 1
            if seen['writes'] == after_writes:
                threading.Thread(target=lambda: (disrupt(), done.set()), daemon=True).start()

    stack.proxy.hook = hook
    started = time.monotonic()
    run = stack.play(tasks)
    seconds = time.monotonic() - started
    stack.proxy.hook = None
    assert done.wait(120), 'the disruption never ran or never ended'
    res = run.result
    fault.saw('converge rc %s in %.1f s (timeout 300 s): requests %s, retries %s, re-plans %s'
              % (run.rc, seconds, res.get('api_requests'), res.get('api_retries'), res.get('api_replans')))
    assert run.rc == 0, run
    assert seconds < 300
    fault.recovered(seconds)
    lost, dupes = lost_and_dupes(sdk, lbname, tasks)
    fault.objects_lost(lost, '(%d duplicates)' % dupes)
    assert lost == 0
    if dupes:
        # a write the paused API carried out after the task had given up on it and re-planned: the next run
        # repairs the duplicate pool
        fault.saw('%d duplicates left, repaired by the next run' % dupes)
        assert stack.play(tasks).rc == 0
        assert lost_and_dupes(sdk, lbname, tasks) == (0, 0)
    rerun_is_clean(stack, lbname, vip_subnet_id, tasks)


@pytest.mark.usefixtures('lab_lock')
def test_e_api_paused_20_s_mid_converge(stack, sdk, fault, lbname, vip_subnet_id):
    def pause():
        fault.inject('SIGSTOP to octavia-api for 20 s (after the converge\'s 2nd write), then SIGCONT')
        lab(CONTROLLER, 'systemctl', 'kill', '--signal=SIGSTOP', 'octavia-api')
        try:
            time.sleep(20)
        finally:
            lab(CONTROLLER, 'systemctl', 'kill', '--signal=SIGCONT', 'octavia-api')

    converge_while(stack, sdk, fault, lbname, vip_subnet_id, pause)


@pytest.mark.long
@pytest.mark.usefixtures('lab_lock')
def test_e_api_restarted_mid_converge(stack, sdk, fault, lbname, vip_subnet_id):
    def restart():
        fault.inject('systemctl restart octavia-api (after the converge\'s 2nd write)')
        began = time.monotonic()
        lab(CONTROLLER, 'systemctl', 'restart', 'octavia-api')
        while not api_answers(sdk) and time.monotonic() - began < 120:
            time.sleep(0.5)
        fault.saw('octavia-api answered again %.1f s after the restart began' % (time.monotonic() - began))

    converge_while(stack, sdk, fault, lbname, vip_subnet_id, restart)
    assert lab(CONTROLLER, 'systemctl', 'is-active', 'octavia-api').strip() == 'active'


# ---- f: absent on a load balancer someone else is deleting

@pytest.mark.long
@pytest.mark.usefixtures('lab_lock')
def test_f_absent_on_a_lb_being_deleted_waits_and_is_no_change(stack, sdk, octavia, fault, lbname, vip_subnet_id):
    assert stack.play(bare(lbname, vip_subnet_id)).rc == 0
    lb = octavia.lb(lbname)
    fault.inject('octavia-worker paused (SIGSTOP), the load balancer deleted by someone else (cascade)')
    lab(NETWORK_NODE, 'systemctl', 'kill', '--signal=SIGSTOP', 'octavia-worker')
    try:
        resp = sdk.load_balancer.delete('/lbaas/loadbalancers/%s' % lb['id'], params={'cascade': True})
        assert resp.status_code == 204, resp.text
        assert octavia.lb(lbname)['provisioning_status'] == 'PENDING_DELETE'
        proc = Proc(stack, [{'lbaas.octavia.loadbalancer': {'name': lbname, 'state': 'absent', 'timeout': 300}}])
        proc.start()
        time.sleep(8)
        assert proc.proc.poll() is None, 'the task did not wait for the delete under way'
        fault.saw('after 8 s the absent task is still waiting (the load balancer PENDING_DELETE)')
    finally:
        resumed = time.monotonic()
        lab(NETWORK_NODE, 'systemctl', 'kill', '--signal=SIGCONT', 'octavia-worker')
    run = proc.result()
    res = run.result
    fault.saw('absent task: rc %s, changed %s, writes %s, msg %r'
              % (run.rc, res.get('changed'), run.counts['writes'], res.get('msg')))
    assert run.rc == 0, run
    fault.recovered(time.monotonic() - resumed)
    assert res['changed'] is False and run.counts['writes'] == 0
    assert 'already being deleted' in res['msg']
    assert octavia.lb(lbname) is None
    fault.objects_lost(0)
