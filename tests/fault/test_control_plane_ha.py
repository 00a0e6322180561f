"""The control plane's high availability on the single-controller lab (issue 16; docs/ha.md):

- the TaskFlow jobboard: the worker that claimed a load balancer's create is killed (SIGKILL) in the middle of
  the flow; the restarted worker claims the job again once the claim expires and finishes it;
- a rolling restart (a changed octavia.conf option) while a module converges a tree: no task fails, nothing is
  left PENDING_*, one host restarts at a time.

The three-controller proofs (a whole controller stopped, every worker killed in turn) are in molecule/ha.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid

import openstack.exceptions
import pytest

from lab_lock import held_lab_lock  # conftest puts tests/fault on sys.path  # pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lab'))

from data_plane import CONTROLLER, NETWORK_NODE, sh, wait_until  # noqa: E402  pylint: disable=wrong-import-position
from lb_helpers import delete_lb, members  # noqa: E402  pylint: disable=wrong-import-position

# A subnet id the noop network driver accepts as it is; with amphorae the tests need the lab's real subnet.
NOOP_SUBNET = str(uuid.UUID('6f1f4a5e-8f3c-4a2b-9d1e-0c5b7a3e2f10'))
# The worker's job claim lives octavia_control_plane_jobboard_expiration_time (30 s) after its worker died,
# then the restarted worker claims it: generous, since the lab shares 2 cores.
RESUME_SECONDS = 180


def octavia_conf():
    return sh(NETWORK_NODE, 'cat /etc/octavia/octavia.conf')


def conf_option(conf, section, option):
    """One option of an octavia.conf text (the role writes `key = value` lines under [section])."""
    body = re.search(r'^\[%s\]\n(.*?)(?=^\[|\Z)' % re.escape(section), conf, re.M | re.S)
    found = body and re.search(r'^%s = (.*)$' % re.escape(option), body.group(1), re.M)
    return found.group(1) if found else None


def require_noop_and_jobboard():
    conf = octavia_conf()
    if conf_option(conf, 'controller_worker', 'compute_driver') != 'compute_noop_driver':
        pytest.skip('the lab runs real amphorae: these tests need LAB_OCTAVIA_PROFILE=noop')
    # the lab's inventory turns the jobboard on: off here is a defect, not a reason to skip
    assert conf_option(conf, 'task_flow', 'jobboard_enabled') == 'True', 'the lab\'s worker runs without the jobboard'
    return conf


def waiting_for_amphora_lock():
    """Octavia sessions blocked on the amphora table (the worker's flow, in CreateAmphoraInDB)."""
    out = sh(CONTROLLER, "mariadb -N -e \"SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                         "WHERE DB='octavia' AND INFO LIKE 'INSERT INTO amphora %'\"")
    return int(out.strip() or 0)


class AmphoraTableLock(object):
    """Every row and gap of the amphora table locked (SELECT ... FOR UPDATE in an open transaction of its own): the
    create flow's amphora INSERT waits (up to innodb_lock_wait_timeout, 50 s), plain reads go on (the API's)."""

    def __init__(self):
        self.proc = subprocess.Popen(['podman', 'exec', '-i', CONTROLLER, 'mariadb', '--unbuffered', '-N', 'octavia'],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.proc.stdin.write("BEGIN; SELECT COUNT(*) FROM amphora FOR UPDATE; SELECT 'locked';\n")
        self.proc.stdin.flush()
        lines = [self.proc.stdout.readline().strip() for _line in range(2)]
        assert lines[-1] == 'locked', 'could not lock the amphora table: %r' % lines

    def release(self):
        if self.proc.poll() is None:
            self.proc.stdin.write('ROLLBACK;\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def worker_pids():
    return sh(NETWORK_NODE, 'systemctl show -p MainPID --value octavia-worker').strip()


def provisioning(sdk, lb_id):
    return sdk.load_balancer.get_load_balancer(lb_id).provisioning_status


def create_load_balancer(sdk, name, tries=3):
    """The create itself, retried on a 5xx: the shared lab's other fault tests restart MariaDB and the API."""
    for attempt in range(tries):
        try:
            return sdk.load_balancer.create_load_balancer(name=name, vip_subnet_id=NOOP_SUBNET)
        except openstack.exceptions.HttpException as error:
            if attempt == tries - 1 or (error.status_code or 0) < 500:
                raise
            print('create answered %s, again in 5 s' % error.status_code)
            time.sleep(5)
    return None


def test_worker_killed_mid_create_is_resumed(fault, admin, lbname, request):
    """In the admin project: the demo project's quota row may be held by another flow that the table lock stops."""
    sdk = admin
    require_noop_and_jobboard()
    request.addfinalizer(lambda: delete_lb(admin, lbname))
    with held_lab_lock():
        before = worker_pids()
        table = AmphoraTableLock()
        try:
            lb = create_load_balancer(sdk, lbname)
            # the claimed job's flow runs until its amphora INSERT waits for the table: mid-flow
            assert wait_until(waiting_for_amphora_lock, 60), 'the worker never reached the amphora table'
            fault.saw('create flow of %s waiting in the amphora INSERT (status %s)' % (lb.id, provisioning(sdk, lb.id)))
            started = fault.inject('SIGKILL to every octavia-worker process (MainPID %s) mid-flow' % before)
            sh(NETWORK_NODE, 'systemctl kill --signal=SIGKILL octavia-worker')
        finally:
            table.release()
        # systemd restarts it (Restart=on-failure)
        assert wait_until(lambda: worker_pids() not in ('0', '', before), 60), 'the worker did not come back'
        fault.saw('worker restarted as %s after %.1f s' % (worker_pids(), time.monotonic() - started))
        status = wait_until(lambda: provisioning(sdk, lb.id) in ('ACTIVE', 'ERROR') and provisioning(sdk, lb.id),
                            RESUME_SECONDS, step=2)
        seconds = time.monotonic() - started
    fault.saw('load balancer %s after %.1f s' % (status, seconds))
    lost = 0 if status == 'ACTIVE' else 1
    fault.objects_lost(lost, 'load balancer not ACTIVE')
    assert status == 'ACTIVE', 'the killed worker\'s job was not resumed: %s after %.0f s' % (status, seconds)
    fault.recovered(seconds)
    # the load balancer's amphora rows (noop: ALLOCATED) are not left PENDING either, and the worker's log
    amps = sh(CONTROLLER, "mariadb -N octavia -e \"SELECT status FROM amphora WHERE load_balancer_id='%s'\"" % lb.id)
    fault.saw('amphora rows of the load balancer: %s' % (amps.split() or 'none'))
    assert not [a for a in amps.split() if a.startswith('PENDING')], amps
    log = sh(NETWORK_NODE, 'journalctl -u octavia-worker --since @%d --no-pager -o cat' % int(time.time() - seconds - 5),
             check=False)
    fault.saw('worker log after the kill: %d lines name the load balancer' % log.count(lb.id))


def restart_events(container, since):
    """(unix time, host, unit, 'stop'|'start') of the Octavia units' restarts in a node's journal since `since`."""
    out = sh(container, "journalctl --since @%d --no-pager -o short-unix -t systemd | grep -E '(Stopping|Started) octavia-'"
                        % int(since), check=False)
    events = []
    for line in out.splitlines():
        found = re.match(r'^(\d+\.\d+) \S+ systemd\[\d+\]: (Stopping|Started) (octavia-[a-z-]+)\.service', line)
        if found:
            events.append((float(found.group(1)), container, found.group(3),
                           'stop' if found.group(2) == 'Stopping' else 'start'))
    return events


def host_windows(events):
    """Each host's restart window: (first stop, last start)."""
    windows = {}
    for when, host, _unit, _what in events:
        first, last = windows.get(host, (when, when))
        windows[host] = (min(first, when), max(last, when))
    return windows


def control_plane_playbook(extra_vars=None):
    """The control-plane step playbook on the lab, as an operator runs it; returns (rc, seconds, output)."""
    env = dict(os.environ, LAB_OCTAVIA_PROFILE='noop', ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, '.ansible', 'collections'))
    env.pop('ANSIBLE_STDOUT_CALLBACK', None)
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'inventories/lab',
           'playbooks/octavia_control_plane.yaml']
    if extra_vars:
        cmd += ['-e', json.dumps(extra_vars)]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=900)
    return proc.returncode, time.monotonic() - started, proc.stdout


def recap_changed(output):
    return {host: int(changed) for host, changed in re.findall(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)', output, re.M)}


@pytest.mark.long
def test_rolling_restart_while_a_module_converges(fault, stack, sdk, lbname):
    conf = require_noop_and_jobboard()
    assert conf_option(conf, 'DEFAULT', 'debug') == 'False', 'the lab runs with debug on: not the inventory\'s config'
    spec = {'name': lbname, 'vip_subnet_id': NOOP_SUBNET,
            'listeners': [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}],
            'pools': [{'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': members(20)}]}
    runs = []
    stop = threading.Event()

    def converge():
        weight = 1
        while not stop.is_set():
            weight = 3 - weight
            spec['pools'][0]['members'] = members(20, weight=weight)
            runs.append(stack.play([{'name': 'converge', 'lbaas.octavia.loadbalancer': dict(spec), 'register': 'out'}]))

    with held_lab_lock():
        thread = threading.Thread(target=converge)
        thread.start()
        try:
            since = time.time()
            started = fault.inject('octavia.conf changed ([DEFAULT] debug = True): control-plane playbook while a '
                                   'module converges a 20-member tree in a loop')
            rc, seconds, output = control_plane_playbook({'octavia_control_plane_debug': True})
            assert rc == 0, output[-4000:]
            fault.saw('rolling restart playbook rc 0 in %.0f s' % seconds)
            events = restart_events(CONTROLLER, since) + restart_events(NETWORK_NODE, since)
        finally:
            # and back to the inventory's configuration (a second rolling restart, still under the converges)
            back_rc, back_seconds, back_output = control_plane_playbook()
            stop.set()
            thread.join(timeout=600)
        rerun_rc, _s, rerun_output = control_plane_playbook()
    assert back_rc == 0, back_output[-4000:]
    fault.saw('configuration back in %.0f s' % back_seconds)
    # the re-run changes nothing on any host
    assert rerun_rc == 0, rerun_output[-4000:]
    changed = recap_changed(rerun_output)
    fault.saw('re-run changed: %s' % changed)
    assert changed and not any(changed.values()), changed
    # one host at a time: every host restarted, and the windows do not overlap
    windows = host_windows(events)
    fault.saw('restart windows: %s' % ', '.join(
        '%s %.1f-%.1f s' % (h, a - since, b - since) for h, (a, b) in sorted(windows.items(), key=lambda w: w[1])))
    assert set(windows) == {CONTROLLER, NETWORK_NODE}, events
    ordered = sorted(windows.values())
    assert all(ordered[i][1] <= ordered[i + 1][0] for i in range(len(ordered) - 1)), ordered
    # no converge failed, and the tree is there, nothing pending
    failed = [run for run in runs if run.rc != 0]
    fault.saw('%d converges during the restarts, %d failed' % (len(runs), len(failed)))
    assert len(runs) >= 2, 'the converges did not overlap the restarts'
    assert not failed, failed[0]
    lb = sdk.load_balancer.find_load_balancer(lbname)
    assert lb is not None and lb.provisioning_status == 'ACTIVE', lb
    pools = list(sdk.load_balancer.pools(loadbalancer_id=lb.id))
    got = list(sdk.load_balancer.members(pools[0].id)) if pools else []
    lost = 20 - len(got)
    fault.objects_lost(lost, 'members')
    assert lost == 0
    assert not [m for m in got if str(m.provisioning_status).startswith('PENDING')]
    fault.recovered(time.monotonic() - started)


def queue_kinds():
    """{queue: (type, durable)} of Octavia's vhost, and the exchange octavia's durability."""
    queues = json.loads(sh(CONTROLLER, 'rabbitmqctl -q list_queues -p octavia name type durable --formatter json'))
    exchanges = json.loads(sh(CONTROLLER, 'rabbitmqctl -q list_exchanges -p octavia name durable --formatter json'))
    found = {q['name']: (q['type'], q['durable']) for q in queues if q['name'].startswith('octavia_provisioning_v2')
             and '_fanout_' not in q['name']}
    return found, {e['name']: e['durable'] for e in exchanges}.get('octavia')


@pytest.mark.long
def test_queue_kind_migration_keeps_every_cast(fault, admin, lbname):
    """Transient queues -> quorum queues on a running control plane (tasks/queues.yml) while load balancers are being
    created: every create the API accepted goes ACTIVE, the queues end up quorum, the re-run changes nothing."""
    sdk = admin
    require_noop_and_jobboard()
    created, refused = [], []
    stop = threading.Event()

    def create_in_a_loop():
        index = 0
        while not stop.is_set():
            index += 1
            try:
                created.append(sdk.load_balancer.create_load_balancer(
                    name='%s-%d' % (lbname, index), vip_subnet_id=NOOP_SUBNET).id)
            except Exception as error:  # pylint: disable=broad-except
                refused.append(str(error)[:100])  # the API is stopped for the drain: refused, nothing made
            time.sleep(5)

    with held_lab_lock():
        try:
            rc, seconds, output = control_plane_playbook({'octavia_control_plane_rabbitmq_queue_kind': 'transient'})
            assert rc == 0, output[-4000:]
            queues, exchange_durable = queue_kinds()
            fault.saw('transient in %.0f s: %s, exchange durable %s' % (seconds, queues, exchange_durable))
            assert queues and all(kind == ('classic', False) for kind in queues.values()), queues
            thread = threading.Thread(target=create_in_a_loop)
            thread.start()
            started = fault.inject('queue kind transient -> quorum (control-plane playbook) while a load balancer '
                                   'is created every 5 s')
            try:
                rc, seconds, output = control_plane_playbook()
            finally:
                stop.set()
                thread.join(timeout=120)
            assert rc == 0, output[-4000:]
            assert 'migrating' in output, 'the playbook did not migrate the queues'
            queues, exchange_durable = queue_kinds()
            fault.saw('migrated in %.0f s: %s, exchange durable %s; %d creates accepted, %d refused' % (
                seconds, queues, exchange_durable, len(created), len(refused)))
            assert queues and all(kind == ('quorum', True) for kind in queues.values()), queues
            assert exchange_durable is True
            assert created, 'no create overlapped the migration'
            settled = wait_until(lambda: all(not provisioning(sdk, lb_id).startswith('PENDING') for lb_id in created),
                                 RESUME_SECONDS, step=3)
            states = {lb_id: provisioning(sdk, lb_id) for lb_id in created}
            lost = len([s for s in states.values() if s != 'ACTIVE'])
            fault.objects_lost(lost, 'load balancers accepted during the migration')
            assert settled and lost == 0, states
            fault.recovered(time.monotonic() - started)
            rerun_rc, _s, rerun_output = control_plane_playbook()
            changed = recap_changed(rerun_output)
            fault.saw('re-run changed: %s' % changed)
            assert rerun_rc == 0 and changed and not any(changed.values()), rerun_output[-4000:]
        finally:
            for lb_id in created:
                try:
                    sdk.load_balancer.delete_load_balancer(lb_id, cascade=True, ignore_missing=True)
                except Exception:  # pylint: disable=broad-except
                    pass
            # the deletes queue up on the worker: the next test's create would wait behind them
            wait_until(lambda: not [lb for lb in sdk.load_balancer.load_balancers() if lb.id in created],
                       RESUME_SECONDS, step=3)
