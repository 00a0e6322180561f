# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the planner hands its sub-planners (members, L7 policies): one explicit object instead of the
sub-planners reaching back into the planner, so each can be built and tested on its own."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError


class PoolIndex(object):
    """The pools of one plan by name: the current ones, the ones the plan creates (Refs) and the ones it
    replaces, so that a listener or an L7 policy planned later points at the pool that will be there."""

    def __init__(self, desired, state):
        self.desired = desired
        self.state = state
        self.target = {}    # pool name -> id or Ref
        self.replaced = {}  # old id -> Ref (or the ID of the duplicate that stays)
        self.settled = {}   # pool name -> the one pool kept of several with that name

    def by_name(self):
        out = {}
        for pool in self.state.pools():
            out.setdefault(pool.get('name') or '', []).append(pool)
        return out

    def find(self, name, path):
        """The current pool of that name, or None; several of that name fail unless one was settled."""
        if name in self.settled:
            return self.settled[name]
        found = self.by_name().get(name, [])
        if len(found) > 1:
            raise SpecError(path, '%d pools of this load balancer are named %r (IDs %s): rename all but one'
                            % (len(found), name, ', '.join(p['id'] for p in found)))
        return found[0] if found else None

    def resolve(self, name, path):
        """A pool name -> its ID, or the Ref of the pool this plan creates; '' -> None (detach)."""
        if name == '':
            return None
        if name in self.target:
            return self.target[name]
        cur = self.find(name, path)
        if cur is None:
            known = sorted(set(list(self.target) + [p.get('name') for p in self.state.pools() if p.get('name')]))
            raise SpecError(path, 'pool %r does not exist on load balancer %r (pools: %s)'
                            % (name, self.state.lb.get('name'), ', '.join(known) or 'none'))
        return cur['id']

    def protocol(self, name):
        """The pool's protocol as the task gives it, else as Octavia has it (None when unknown)."""
        for pool in self.desired.get('pools') or []:
            if pool['opts'].get('name') == name and pool['opts'].get('protocol'):
                return pool['opts']['protocol']
        cur = self.by_name().get(name)
        return cur[0].get('protocol') if cur else None

    def name_of(self, pool_id):
        for pool in self.state.pools():
            if pool['id'] == pool_id:
                return pool.get('name') or pool_id
        return pool_id


class PlanContext(object):
    """desired tree, current state, the plan being built, replace, the API version (a callable, asked only
    when a decision needs it) and the plan's pools (PoolIndex)."""

    def __init__(self, desired, state, plan, replace=False, api_version=None, pools=None):
        self.desired = desired
        self.state = state
        self.plan = plan
        self.replace = replace
        self.api_version = api_version or (lambda: (2, 0))
        self.pools = pools if pools is not None else PoolIndex(desired, state)
