# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one path every module takes: check the spec, read, plan, (check mode stops here), apply, report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec as specmod, waiter
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.applier import apply
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import Client, connect
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import (
    AmbiguousWrite, OctaviaModuleError, SpecError, Superseded)
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.planner import Planner
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.state import (
    GOING, LiveState, find_loadbalancer, oldest)


def auth_argspec():
    """The openstack.cloud connection options (same names, types and aliases) plus wait/timeout."""
    return dict(
        cloud=dict(type='raw'),
        auth_type=dict(type='str'),
        auth=dict(type='dict', no_log=True),
        region_name=dict(type='str'),
        validate_certs=dict(type='bool', aliases=['verify']),
        ca_cert=dict(type='str', aliases=['cacert']),
        client_cert=dict(type='str', aliases=['cert']),
        client_key=dict(type='str', no_log=True, aliases=['key']),
        api_timeout=dict(type='int'),
        interface=dict(type='str', default='public', choices=['public', 'internal', 'admin'],
                       aliases=['endpoint_type']),
        sdk_log_path=dict(type='str'),
        sdk_log_level=dict(type='str', default='INFO', choices=['INFO', 'DEBUG']),
        wait=dict(type='bool', default=True),
        timeout=dict(type='int', default=600),
    )


def new_module(argument_spec, **kwargs):
    spec = auth_argspec()
    spec.update(argument_spec)
    kwargs.setdefault('supports_check_mode', True)
    return AnsibleModule(argument_spec=spec, **kwargs)


def fail(module, err):
    extra = dict(err.extra) if isinstance(err, OctaviaModuleError) else {}
    module.fail_json(msg=str(getattr(err, 'msg', err)), **extra)


def _resolve_flavor(client, ref):
    if specmod.UUID.match(ref or ''):
        return ref
    found = client.list('/lbaas/flavors', name=ref)
    if len(found) != 1:
        raise SpecError('flavor', 'Octavia flavor %r %s' % (ref, 'not found' if not found else 'is ambiguous'))
    return found[0]['id']


class Run(object):
    """One module invocation against one load balancer."""

    # Ambiguous writes in a row (no write carried out in between) before giving up: each re-plan starts
    # from what Octavia reports, so more than a few in a row means the API keeps failing, not that the
    # plan is wrong.
    max_replans = 3
    # Creates refused because another change held the load balancer (each waits for that change first,
    # so this bounds a task that keeps losing the race to other writers).
    max_superseded = 10
    # A load balancer created at the same time as ours has the same created_at second (Octavia stores
    # seconds): the list that decides which one stays is made at least this long after our create returned,
    # so every LB with a created_at up to ours is already visible then.
    twin_settle = 2.0

    def __init__(self, module, desired):
        self.module = module
        self.desired = desired
        self.client = None
        self.state = None
        self.plan = None
        self.project_id = None
        self.deleted_by_other = False  # the LB was PENDING_DELETE when found: another task's delete

    def connect(self):
        params = self.module.params
        gates = specmod.version_gates(self.desired)
        conn = connect(params)
        self.client = Client(conn, timeout=params.get('timeout') or 600, api_timeout=params.get('api_timeout'))
        if gates:
            specmod.check_versions(gates, self.client.api_version())
        try:
            self.project_id = conn.current_project_id
        except Exception:  # pylint: disable=broad-except
            self.project_id = None
        return self.found(find_loadbalancer(self.client, self.desired['lb_ref'], self.project_id))

    def found(self, lb):
        """The load balancer to plan on, once what is under way on it has ended."""
        self.deleted_by_other = False
        status = (lb or {}).get('provisioning_status') or ''
        if status in GOING:
            # another task or person is deleting it: whatever this task wants, it starts from nothing
            if not self.module.check_mode:
                waiter.wait_active(self.client, lb['id'], self.client.task_deadline, first_sleep=False, deleting=True)
            self.deleted_by_other = True
            lb = None
        elif status.startswith('PENDING_'):
            # another change is under way: plan on what it leaves, not on what it is changing
            lb = waiter.wait_active(self.client, lb['id'], self.client.task_deadline, first_sleep=False)
        self.state = LiveState(self.client, lb)
        return lb

    def _plan(self):
        params = self.module.params
        return Planner(self.desired, self.state, replace=params.get('replace') or False,
                       api_version=self.client.api_version,
                       flavor_id=lambda ref: _resolve_flavor(self.client, ref)).run()

    def reread(self):
        """The state after a write of unknown outcome: the load balancer found again (a create may have made
        it), once it has left PENDING_*, and its children read afresh."""
        client = self.client
        lb = find_loadbalancer(client, self.desired['lb_ref'], self.project_id)
        status = (lb or {}).get('provisioning_status') or ''
        if lb and status.startswith('PENDING_'):
            lb = waiter.wait_active(client, lb['id'], client.task_deadline, first_sleep=False,
                                    deleting=status == 'PENDING_DELETE')
        self.state = LiveState(client, lb)

    def converge(self):
        """Plan and (unless check mode) apply. Returns the base result.

        After a write of unknown outcome (AmbiguousWrite) the state is read again and the rest planned anew,
        rather than the write repeated: it may have been carried out, and another run may have changed the
        tree meanwhile. The result's plan lists the first plan's operations, then each re-plan's.
        """
        params = self.module.params
        self.plan = plan = self._plan()
        result = {'changed': bool(plan.ops), 'plan': plan.summary()}
        if self.module._diff:
            result['diff'] = plan.diffs
        if self.deleted_by_other and self.desired['state'] == 'absent':
            # gone, but not by this task: nothing changed here (see the module's state option)
            result['msg'] = 'load balancer %r was already being deleted; %s' % (
                self.desired['lb_ref'], 'it would be gone' if self.module.check_mode else 'waited until it was gone')
        if not plan.ops or self.module.check_mode:
            return result
        ambiguous = superseded = 0
        while True:
            try:
                created = self.client.now() if plan.lb_create else None
                lb_id = apply(self.client, plan, self.state.lb, wait=params.get('wait', True))
                if created is None or not self._lost_twin_race(lb_id, created, result):
                    break
                # ours was the duplicate and is gone: converge the one kept instead
                self.client.counter.replans += 1
            except AmbiguousWrite as err:
                # counted in a row: a write that went through since the last one resets the count, so a long
                # converge through a flaky gateway is not failed by a few unrelated blips
                ambiguous = 1 if err.extra.get('completed') else ambiguous + 1
                self.client.counter.replans += 1
                if ambiguous > self.max_replans:
                    raise OctaviaModuleError('%s; gave up after %d re-plans in a row, each from the state read '
                                             'again' % (err.msg, self.max_replans), **err.extra)
            except Superseded as err:
                superseded = 1 if err.extra.get('completed') else superseded + 1
                self.client.counter.replans += 1
                if superseded > self.max_superseded:
                    raise OctaviaModuleError('%s; gave up after %d re-plans, each after another change'
                                             % (err.msg, self.max_superseded), **err.extra)
            self.reread()
            plan = self._plan()
            result['plan'].extend(plan.summary())
            if not plan.ops:
                lb_id = self.state.lb_id
                break
        lb = self.client.get_object('loadbalancer', lb_id) if lb_id else None
        self.state = LiveState(self.client, lb)
        return result

    def _lost_twin_race(self, lb_id, created, result):
        """After creating the load balancer: did another run create one of the same name at the same time?
        Every run keeps the same one (oldest created_at, then lowest ID); a run whose LB is not that one
        deletes its own (nothing else: the other run's tree is not touched) and returns True."""
        client = self.client
        settle = created + self.twin_settle - client.now()
        if settle > 0:
            client.sleep(settle)
        found = [lb for lb in client.list('loadbalancer', name=self.desired['lb_ref'], project_id=self.project_id)
                 if lb.get('provisioning_status') not in GOING]
        if len(found) < 2 or lb_id not in [lb['id'] for lb in found]:
            return False
        keep = oldest(found)
        if keep['id'] == lb_id:
            return False
        label = 'load balancer %s %s (made at the same time as %s by another run)' % (
            self.desired['lb_ref'], lb_id, keep['id'])
        client.delete('loadbalancer', lb_id, lb_id=lb_id, cascade=True, label='delete ' + label,
                      deadline=client.task_deadline)
        waiter.wait_active(client, lb_id, client.task_deadline, deleting=True)
        result['plan'].append({'action': 'delete', 'kind': 'loadbalancer', 'label': label, 'id': lb_id})
        return True

    def wait_online(self, member_filter=None):
        """The health gate (waiter.wait_online); the state afterwards is what the gate saw."""
        if self.module.check_mode or not self.state.lb:
            return
        self.state = LiveState(self.client, waiter.wait_online(self.client, self.state.lb_id, member_filter))

    def counts(self):
        out = self.client.counter.as_dict() if self.client else {}
        if self.plan is not None:
            out['planned_lock_cycles'] = len(self.plan.ops)
        return out


def main(module, build, shape, wait_for_filter=None):
    """Drive a module: build(params) -> desired tree (bad input fails here, before any request);
    shape(run) -> the module-specific result keys."""
    try:
        desired = build(module.params)
        job = Run(module, desired)
        lb = job.connect()
        if lb is None and desired['lb'] is None:
            if desired.get('child_state') == 'absent':
                module.exit_json(changed=False, msg='load balancer %r not found: nothing to remove'
                                 % desired['lb_ref'], **job.counts())
            raise SpecError('loadbalancer', 'load balancer %r not found' % desired['lb_ref'])
        result = job.converge()
        if module.params.get('wait_for') == 'online' and desired['state'] == 'present':
            job.wait_online(wait_for_filter)
        result.update(shape(job))
        result.update(job.counts())
        module.exit_json(**result)
    except OctaviaModuleError as err:
        fail(module, err)
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json(msg='Unexpected error: %s' % err, exception=traceback.format_exc())
