# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every wait on Octavia: the load balancer leaving PENDING_* (it is the lock every change takes), and its
members coming ONLINE (the health gate of wait_for=online).

Both poll with the client's backoff (poll_initial, growing by poll_factor up to poll_max) and end at the
task's deadline, so a task never waits longer than its timeout, whatever it waits for.

A plan often repeats one kind of change on one load balancer (ten single-member writes in a big pool): the
backoff alone would find each one ACTIVE up to half its cycle late, ten times over. So wait_active learns: with a
`pace` key (the caller's name for the kind of change), the next wait of that key first sleeps most of the shortest
cycle measured so far, then polls from poll_initial again: about one poll late instead of a backoff step, and two or
three polls per change instead of six to nine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.tree import unhealthy_members


def _delays(client):
    delay = client.poll_initial
    while True:
        yield delay
        delay = min(delay * client.poll_factor, client.poll_max)


# the share of the last measured cycle the next wait of the same kind sleeps before its first poll: cycles vary
# (a busy worker, a longer pool), and one up to a fifth shorter than the last is still not overslept
PACE_SHARE = 0.8


def wait_active(client, lb_id, deadline=None, first_sleep=True, deleting=False, pace=None):
    """Poll the load balancer (never the child) until ACTIVE (or gone when deleting), with backoff.

    pace: a key for the kind of change just sent (see the module's doc): the wait starts with PACE_SHARE of the
    shortest cycle the waits of that key measured on this load balancer, and records its own.
    Returns the last polled load balancer (None once deleted).
    """
    deadline = deadline or client.now() + client.timeout
    started = client.now()
    delays = _delays(client)
    sleep_now = first_sleep
    last = None
    learned = client.paces.get((lb_id, pace)) if pace and first_sleep else None
    if learned:
        client.sleep(min(learned * PACE_SHARE, max(0.0, deadline - client.now())))
    while True:
        if sleep_now:
            # jittered: runs that wait on the same load balancer do not poll in step
            client.sleep(next(delays) * random.uniform(0.9, 1.1))
        sleep_now = True
        lb = client.get_object('loadbalancer', lb_id)
        if lb is None or lb.get('provisioning_status') == 'DELETED':
            if deleting:
                return None
            raise OctaviaModuleError('Load balancer %s disappeared while waiting for it to become ACTIVE' % lb_id)
        status = lb.get('provisioning_status')
        last = status
        if status == 'ACTIVE' and not deleting:
            if pace:
                # the shortest cycle seen: under a varying load a long one must not make the next wait oversleep
                took = client.now() - started
                client.paces[(lb_id, pace)] = min(took, client.paces.get((lb_id, pace), took))
            return lb
        if status == 'ERROR':
            raise OctaviaModuleError(
                'Load balancer %s (%s) is in provisioning_status ERROR: Octavia could not apply the last '
                'change. Look at the Octavia worker log; an LB in ERROR can only be deleted or failed over.'
                % (lb.get('name') or '', lb_id), loadbalancer=lb)
        if client.now() > deadline:
            raise OctaviaModuleError('Timed out after %ss waiting for load balancer %s to become %s (it is %s)'
                                     % (client.timeout, lb_id, 'deleted' if deleting else 'ACTIVE', last))


def wait_online(client, lb_id, member_filter=None):
    """Health gate: poll the status tree until the members (those member_filter(pool, member) keeps) are
    ONLINE, then return the load balancer read afresh; or fail naming the ones that are not."""
    deadline = client.task_deadline
    delays = _delays(client)
    while True:
        status = client.status_tree(lb_id) or {}
        bad = unhealthy_members(status, member_filter)
        if not bad:
            # the result should show the statuses the gate saw, not the ones read before it
            return client.get_object('loadbalancer', lb_id)
        if client.now() > deadline:
            raise OctaviaModuleError('Timed out after %ss waiting for members to be ONLINE: %s'
                                     % (client.timeout, '; '.join(bad[:20])), unhealthy=bad)
        client.sleep(next(delays))
