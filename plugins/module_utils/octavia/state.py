# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cloud has, read lazily: the planner asks only for what the desired tree manages, so a task that
touches one pool's members costs the LB lookup, the pool list and that pool's member list, nothing more.

All lists are filtered server-side (loadbalancer_id=, listener_id=, name=); each collection is read at most
once per task. FakeState in the unit tests implements the same methods from dicts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.spec import UUID


# Statuses of a load balancer on its way out: another of the same name may already replace it.
GOING = ('PENDING_DELETE', 'DELETED')


def oldest(objs):
    """The one every run keeps of several made at the same time: oldest created_at, then lowest ID."""
    return min(objs, key=lambda o: (o.get('created_at') or '', o['id']))


def find_loadbalancer(client, ref, project_id=None):
    """The load balancer named ref (in the caller's project), or with ID ref; None if there is none.

    One being deleted counts only when there is no other of that name (a duplicate two runs made at once
    is deleted by the run that made it while the other run carries on with the one kept)."""
    found = client.list('loadbalancer', name=ref, project_id=project_id)
    live = [lb for lb in found if lb.get('provisioning_status') not in GOING]
    if len(live) > 1:
        raise OctaviaModuleError('%d load balancers are named %r (IDs %s, oldest %s); use a unique name or the ID, '
                                 'or delete all but one'
                                 % (len(live), ref, ', '.join(lb['id'] for lb in live), oldest(live)['id']))
    if live or found:
        return (live or found)[0]
    if UUID.match(ref or ''):
        return client.get_object('loadbalancer', ref)
    return None


class LiveState(object):

    def __init__(self, client, lb):
        self.client = client
        self.lb = lb
        self._listeners = None
        self._pools = None
        self._members = {}
        self._hms = {}
        self._l7 = {}
        self._rules = {}

    @property
    def lb_id(self):
        return self.lb['id'] if self.lb else None

    def listeners(self):
        if self._listeners is None:
            self._listeners = self.client.list('listener', loadbalancer_id=self.lb_id) if self.lb else []
        return self._listeners

    def pools(self):
        if self._pools is None:
            self._pools = self.client.list('pool', loadbalancer_id=self.lb_id) if self.lb else []
        return self._pools

    def members(self, pool_id):
        if pool_id not in self._members:
            self._members[pool_id] = self.client.list('member', parent=pool_id)
        return self._members[pool_id]

    def prefetch_healthmonitors(self, hm_ids):
        """Several monitors: one project-wide list beats one GET each (Octavia cannot filter by LB)."""
        missing = [i for i in hm_ids if i and i not in self._hms]
        if len(missing) > 1:
            for hm in self.client.list('healthmonitor', project_id=self.lb.get('project_id')):
                self._hms[hm['id']] = hm

    def healthmonitor(self, hm_id):
        if not hm_id:
            return None
        if hm_id not in self._hms:
            self._hms[hm_id] = self.client.get_object('healthmonitor', hm_id)
        return self._hms[hm_id]

    def l7policies(self, listener_id):
        if listener_id not in self._l7:
            pols = self.client.list('l7policy', listener_id=listener_id)
            self._l7[listener_id] = sorted(pols, key=lambda p: p.get('position') or 0)
        return self._l7[listener_id]

    def rules(self, policy_id):
        if policy_id not in self._rules:
            self._rules[policy_id] = self.client.list('l7rule', parent=policy_id)
        return self._rules[policy_id]

    def status(self):
        return self.client.status_tree(self.lb_id) if self.lb else None
