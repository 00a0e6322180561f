# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a plan: one request per operation, then one wait on the load balancer (never on the child).

The LB is the lock: Octavia sets it PENDING_UPDATE for every child change and refuses the next change
(409 immutable) until it is ACTIVE again, so each operation waits for ACTIVE before the next one starts.
With wait=false only the wait after the last operation is skipped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import waiter
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import Ref


def resolve(value, ids):
    if isinstance(value, Ref):
        return ids[(value.kind, value.key)]
    if isinstance(value, dict):
        return dict((k, resolve(v, ids)) for k, v in value.items())
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


def apply(client, plan, lb, wait=True):
    """Returns the ID of the load balancer afterwards (None once deleted)."""
    ops = plan.ops
    deadline = client.task_deadline
    lb_id = lb['id'] if lb else None
    if lb and ops:
        status = lb.get('provisioning_status')
        first_is_delete = ops[0]['kind'] == 'loadbalancer' and ops[0]['action'] == 'delete'
        if status == 'ERROR' and not first_is_delete:
            raise OctaviaModuleError('Load balancer %s (%s) is in provisioning_status ERROR and cannot be changed; '
                                     'delete it (state=absent) or fail it over first' % (lb.get('name'), lb_id))
        if status not in ('ACTIVE', 'ERROR'):
            waiter.wait_active(client, lb_id, deadline, first_sleep=False)
    ids = {}
    done = []
    for index, op in enumerate(ops):
        kind, action = op['kind'], op['action']
        body = resolve(op['body'], ids)
        parent = resolve(op['parent'], ids)
        try:
            if action == 'create':
                created = client.create(kind, body, lb_id=lb_id, parent=parent, label=op['label'], deadline=deadline)
                if op['key']:
                    ids[tuple(op['key'])] = created['id']
                if kind == 'loadbalancer':
                    lb_id = created['id']
            elif action == 'update':
                client.update(kind, op['id'], body, lb_id=lb_id, parent=parent, label=op['label'], deadline=deadline)
            elif action == 'delete':
                client.delete(kind, op['id'], lb_id=lb_id, parent=parent, cascade=op['cascade'], label=op['label'],
                              deadline=deadline)
            elif action == 'batch':
                client.batch_members(parent, body, additive_only=op['additive'], lb_id=lb_id, label=op['label'],
                                     deadline=deadline)
            else:
                raise OctaviaModuleError('unknown operation %r' % action)
            last = index == len(ops) - 1
            if kind == 'loadbalancer' and action == 'delete':
                if wait or not last:
                    waiter.wait_active(client, lb_id, deadline, deleting=True)
                lb_id = None
            elif wait or not last:
                # a plan repeats kinds of change (single-member updates in a big pool): the waits learn their pace
                waiter.wait_active(client, lb_id, deadline, pace=(kind, action))
        except OctaviaModuleError as err:
            err.extra.setdefault('completed', done)
            err.extra.setdefault('failed_operation', op['label'])
            raise
        done.append(op['label'])
    return lb_id
