# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired tree + current state -> an ordered list of operations, each one Octavia request and one LB lock cycle.

An absent load balancer becomes one fully populated create. For an existing one only the differences are
planned, in an order Octavia accepts:
  1 load balancer update            2 listener deletes (frees ports and pool references)
  3 L7 policy deletes               4 pool creates (+ one member batch, + health monitor each)
  5 pool updates, member batches, health monitors      6 listener updates (default pool switches)
  7 listener creates                8 L7 policy / rule creates and updates (in position order)
  9 pool deletes (nothing refers to them any more)
Everything that can be refused (create-only changes, unknown references, protocol combinations, missing
fields for a create) is refused here, before the first write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec as specmod
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import (
    MEMBER_BATCH_FIELDS, Plan, Ref, api_body, carry_opts, changed_fields, create_only_changes, current_opts, fmt,
    listener_label, require)
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan_context import PlanContext
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan_l7 import L7Planner
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan_members import MemberPlanner


class Planner(object):
    """plan = Planner(desired, state, replace, api_version).run()

    api_version is a callable (the client's cached version lookup), called only when a decision needs it.
    flavor_id is a callable resolving a flavor name or ID, called only when a flavor is given.
    Members and L7 policies are planned by sub-planners that share this planner's PlanContext.
    """

    def __init__(self, desired, state, replace=False, api_version=None, flavor_id=None):
        self.ctx = PlanContext(desired, state, Plan(), replace=replace, api_version=api_version)
        self.desired = desired
        self.state = state
        self.replace = replace
        self.plan = self.ctx.plan
        self.pools = self.ctx.pools
        self.flavor_id = flavor_id or (lambda name: name)
        self.members = MemberPlanner(self.ctx)
        self.l7 = L7Planner(self.ctx)
        self.listener_keys = 0
        self._listeners_going = set()

    # -- entry
    def run(self):
        desired, lb = self.desired, self.state.lb
        if desired['state'] == 'absent':
            if lb:
                self.plan.lb_delete = True
                self.plan.add('lb', 'delete', 'loadbalancer', 'load balancer %s' % (lb.get('name') or lb['id']),
                              id=lb['id'], cascade=True, before=self._lb_summary(lb), after={})
            return self.plan
        if lb is None:
            if desired['lb'] is None:
                raise SpecError('loadbalancer', 'load balancer %r not found' % desired['lb_ref'])
            self._create_lb()
            return self.plan
        if desired['lb'] is not None:
            if self._update_lb():
                return self.plan
        self._pools()
        self._listeners()
        self._repoint_replaced_pools()
        self._check_pool_deletes()
        return self.plan

    def _lb_summary(self, lb):
        return dict((k, lb.get(k)) for k in ('id', 'name', 'vip_address', 'provisioning_status') if k in lb)

    # -- load balancer
    def _lb_create_body(self):
        opts = self.desired['lb']
        if not (opts.get('vip_subnet_id') or opts.get('vip_network_id') or opts.get('vip_port_id')):
            raise SpecError('vip_subnet_id', 'one of vip_subnet_id, vip_network_id or vip_port_id is needed to '
                                             'create load balancer %r' % opts.get('name'))
        body = api_body('loadbalancer', opts)
        if opts.get('flavor'):
            body['flavor_id'] = self.flavor_id(opts['flavor'])
        if self.desired.get('pools') is not None:
            body['pools'] = [self._pool_graph(p) for p in self.desired['pools'] if p['state'] == 'present']
        if self.desired.get('listeners') is not None:
            body['listeners'] = [self._listener_graph(l) for l in self.desired['listeners'] if l['state'] == 'present']
        return body

    def _create_lb(self):
        opts = self.desired['lb']
        body = self._lb_create_body()
        self.plan.lb_create = True
        self.plan.add('lb', 'create', 'loadbalancer', 'load balancer %s' % opts.get('name'), body=body,
                      key=('loadbalancer', opts.get('name')), before={}, after=self._spec_view())

    def _spec_view(self):
        """The desired tree in option space, for the diff of a create."""
        out = dict(self.desired['lb'])
        if self.desired.get('listeners') is not None:
            out['listeners'] = []
            for l in self.desired['listeners']:
                entry = dict(l['opts'])
                if l.get('l7policies') is not None:
                    entry['l7policies'] = [dict(p['opts'], rules=p['rules'] or []) for p in l['l7policies']]
                out['listeners'].append(entry)
        if self.desired.get('pools') is not None:
            out['pools'] = []
            for p in self.desired['pools']:
                entry = dict(p['opts'])
                if p.get('members') is not None:
                    entry['members'] = [m['opts'] for m in p['members'] if m['state'] == 'present']
                if p.get('healthmonitor') and p['healthmonitor']['state'] == 'present':
                    entry['healthmonitor'] = p['healthmonitor']['opts']
                out['pools'].append(entry)
        return out

    def _update_lb(self):
        """LB-level changes. Returns True when the LB is replaced (the plan is then complete)."""
        lb, opts = self.state.lb, dict(self.desired['lb'])
        if 'flavor' in opts:
            opts['flavor'] = self.flavor_id(opts['flavor'])
        fixed = create_only_changes('loadbalancer', opts, lb)
        if fixed:
            if not self.replace:
                name, (have, want) = sorted(fixed.items())[0]
                raise SpecError(name, 'is create-only: load balancer %r has %s, the task asks for %s. Set '
                                      'replace=true to delete and re-create the load balancer'
                                % (lb.get('name'), fmt(have), fmt(want)))
            if self.desired.get('listeners') is None or self.desired.get('pools') is None:
                raise SpecError(sorted(fixed)[0], 'replacing load balancer %r re-creates its whole tree: give '
                                                  'listeners and pools in the same task' % lb.get('name'))
            self.plan.lb_delete = True
            self.plan.add('lb', 'delete', 'loadbalancer', 'load balancer %s (replaced)' % lb.get('name'),
                          id=lb['id'], cascade=True, before=self._lb_summary(lb), after={})
            self._create_lb()
            return True
        changes = changed_fields('loadbalancer', opts, lb, skip=('name',))
        if changes:
            self.plan.add('lb', 'update', 'loadbalancer', 'load balancer %s' % lb.get('name'), id=lb['id'],
                          body=api_body('loadbalancer', dict((k, v[1]) for k, v in changes.items())),
                          before=dict((k, v[0]) for k, v in changes.items()),
                          after=dict((k, v[1]) for k, v in changes.items()))
        return False

    # -- graph bodies (single-call create)
    def _pool_graph(self, pool):
        require('pool', pool['opts'], pool['path'])
        body = api_body('pool', pool['opts'])
        members = [m for m in (pool.get('members') or []) if m['state'] == 'present']
        if members:
            body['members'] = [api_body('member', m['opts']) for m in members]
        hm = pool.get('healthmonitor')
        if hm and hm['state'] == 'present':
            require('healthmonitor', hm['opts'], hm['path'])
            body['healthmonitor'] = api_body('healthmonitor', hm['opts'])
        return body

    def _listener_graph(self, listener):
        require('listener', listener['opts'], listener['path'])
        self._check_listener_create(listener)
        body = api_body('listener', listener['opts'])
        if listener['opts'].get('default_pool'):
            body['default_pool'] = {'name': listener['opts']['default_pool']}
        pols = [p for p in (listener.get('l7policies') or []) if p['state'] == 'present']
        if pols:
            body['l7policies'] = []
            for pol in pols:
                require('l7policy', pol['opts'], pol['path'])
                pbody = api_body('l7policy', pol['opts'])
                if pol['opts'].get('redirect_pool'):
                    pbody['redirect_pool'] = {'name': pol['opts']['redirect_pool']}
                if pol.get('rules'):
                    pbody['rules'] = [api_body('l7rule', r) for r in pol['rules']]
                body['l7policies'].append(pbody)
        return body

    def _check_cidrs(self, listener):
        """Octavia refuses allowed_cidrs of an IP version none of the VIPs has."""
        cidrs = listener['opts'].get('allowed_cidrs')
        lb = self.state.lb
        if not cidrs or not lb or not lb.get('vip_address'):
            return
        vips = [lb['vip_address']] + [v.get('ip_address') for v in lb.get('additional_vips') or [] if v.get('ip_address')]
        versions = set(ipaddress.ip_address(v).version for v in vips)
        for cidr in cidrs:
            if ipaddress.ip_network(cidr).version not in versions:
                raise SpecError(listener['path'] + '.allowed_cidrs', 'CIDR %s is IPv%d but the VIPs (%s) are not'
                                % (cidr, ipaddress.ip_network(cidr).version, ', '.join(vips)))

    def _check_listener_create(self, listener):
        self._check_cidrs(listener)
        opts = listener['opts']
        if opts.get('protocol') == 'TERMINATED_HTTPS' and not opts.get('default_tls_container_ref'):
            raise SpecError(listener['path'] + '.default_tls_container_ref',
                            'is required to create a TERMINATED_HTTPS listener')

    # -- pools
    def _pools(self):
        pools = self.desired.get('pools')
        if pools is None:
            return
        for pool in pools:
            if pool['state'] == 'present' and not pool.get('must_exist') and not pool.get('skip_if_missing'):
                self._settle_duplicates(pool)
        hm_ids = []
        for pool in pools:
            cur = self.pools.find(pool['opts']['name'], pool['path'])
            if cur and pool.get('healthmonitor') is not None:
                hm_ids.append(cur.get('healthmonitor_id'))
        self.state.prefetch_healthmonitors(hm_ids)
        wanted = set()
        for pool in pools:
            cur = self.pools.find(pool['opts']['name'], pool['path'])
            if pool['state'] == 'absent':
                if cur:
                    self._delete_pool(cur)
                continue
            if cur is None:
                if pool.get('skip_if_missing'):
                    continue
                if pool.get('must_exist'):
                    raise SpecError(pool['path'], 'pool %r does not exist on load balancer %r'
                                    % (pool['opts']['name'], self.state.lb.get('name')))
                self._create_pool(pool)
                continue
            wanted.add(cur['id'])
            specmod.validate_pool(dict(pool, opts=dict(cur_opts_protocol(cur), **pool['opts'])))
            fixed = create_only_changes('pool', pool['opts'], cur)
            if fixed:
                name, (have, want) = sorted(fixed.items())[0]
                if not self.replace:
                    raise SpecError('%s.%s' % (pool['path'], name),
                                    'is create-only: pool %r has %s, the task asks for %s. Set replace=true to '
                                    'create a new pool, move listeners and L7 policies to it and delete the old one'
                                    % (cur.get('name'), fmt(have), fmt(want)))
                self._replace_pool(pool, cur)
                continue
            self.pools.target[pool['opts']['name']] = cur['id']
            self._update_pool(pool, cur)
        if self.desired.get('purge_pools'):
            for cur in self.state.pools():
                if cur['id'] not in wanted and cur['id'] not in self.pools.replaced:
                    self._delete_pool(cur)

    def _delete_pool(self, cur):
        self.plan.add('pool_delete', 'delete', 'pool', 'pool %s' % (cur.get('name') or cur['id']), id=cur['id'],
                      before=current_opts('pool', cur), after={})

    def _create_pool(self, pool, carry=None):
        """POST the pool, then its members in one batch, then its health monitor (3 lock cycles at most)."""
        name = pool['opts']['name']
        opts = dict(carry or {})
        opts.update(pool['opts'])
        require('pool', opts, pool['path'])
        ref = Ref('pool', name)
        self.pools.target[name] = ref
        body = api_body('pool', opts)
        body['loadbalancer_id'] = self.state.lb['id']
        self.plan.add('pool_create', 'create', 'pool', 'pool %s' % name, body=body, key=('pool', name),
                      before={}, after=opts)
        members = pool.get('members')
        if members is None and carry is not None:
            members = carry.get('_members')
        elif members is not None:
            members = [m['opts'] for m in members if m['state'] == 'present']
        if members:
            self.members.new_pool(name, ref, members)
        hm = pool.get('healthmonitor')
        hm_opts = None
        if hm is not None and hm['state'] == 'present':
            hm_opts = hm['opts']
        elif hm is None and carry is not None:
            hm_opts = carry.get('_healthmonitor')
        if hm_opts:
            require('healthmonitor', hm_opts, pool['path'] + '.healthmonitor')
            body = api_body('healthmonitor', hm_opts)
            body['pool_id'] = ref
            self.plan.add('pool_create', 'create', 'healthmonitor', 'health monitor of pool %s' % name, body=body,
                          before={}, after=hm_opts)
        return ref

    def _replace_pool(self, pool, cur):
        carry = carry_opts('pool', cur)
        carry.pop('protocol', None)
        if pool.get('members') is None:
            carry['_members'] = [carry_opts('member', m, MEMBER_BATCH_FIELDS + ('address', 'protocol_port'))
                                 for m in self.state.members(cur['id'])]
        if pool.get('healthmonitor') is None and cur.get('healthmonitor_id'):
            hm = self.state.healthmonitor(cur['healthmonitor_id'])
            carry['_healthmonitor'] = carry_opts('healthmonitor', hm) if hm else None
        ref = self._create_pool(pool, carry)
        for old_id, target in list(self.pools.replaced.items()):
            if target == cur['id']:
                self.pools.replaced[old_id] = ref
        self.pools.replaced[cur['id']] = ref
        self._delete_pool(cur)

    def _update_pool(self, pool, cur):
        name = pool['opts']['name']
        changes = changed_fields('pool', pool['opts'], cur, skip=('name',))
        if changes:
            self.plan.add('pool_update', 'update', 'pool', 'pool %s' % name, id=cur['id'],
                          body=api_body('pool', dict((k, v[1]) for k, v in changes.items())),
                          before=dict((k, v[0]) for k, v in changes.items()),
                          after=dict((k, v[1]) for k, v in changes.items()))
        if pool.get('members') is not None:
            self.members.existing_pool(pool, cur)
        if pool.get('healthmonitor') is not None:
            self._healthmonitor(pool, cur)

    # -- several pools with one name: an interrupted replace, or two runs that created the same pool
    def _settle_duplicates(self, pool):
        """Keep one of the pools named like a pool the task manages, move what uses the others to it and
        delete them. The one kept is the one in use (a listener's default pool or an L7 policy's target;
        the leftover of an interrupted replace is in use by nothing, and may lack members), else the oldest
        (created_at, then ID: every run picks the same one). Several in use: the oldest of those."""
        name = pool['opts']['name']
        found = self.pools.by_name().get(name, [])
        if len(found) < 2:
            return
        used = [p for p in found if p.get('listeners')]
        keep = min(used or found, key=lambda p: (p.get('created_at') or '', p['id']))
        self.pools.settled[name] = keep
        for other in found:
            if other['id'] != keep['id']:
                self.pools.replaced[other['id']] = keep['id']
                self.plan.add('pool_delete', 'delete', 'pool', 'pool %s (duplicate %s, %s kept)'
                              % (name, other['id'], keep['id']), id=other['id'],
                              before=current_opts('pool', other), after={})

    def pool_references(self, pool_ids):
        """pool ID -> [(kind, id, listener id, label)] of what uses it: listeners (default pool) and L7
        policies (redirect). Octavia lists on each pool the listeners that use it (default pool, or an
        enabled L7 policy with rules), so only those listeners and their policies are read, and nothing at
        all for pools no listener uses."""
        listener_ids = set()
        for pool in self.state.pools():
            if pool['id'] in pool_ids:
                listener_ids.update(l.get('id') for l in pool.get('listeners') or [])
        out = {}
        if not listener_ids:
            return out
        for lis in self.state.listeners():
            if lis['id'] not in listener_ids:
                continue
            label = listener_label({}, lis)
            if lis.get('default_pool_id') in pool_ids:
                out.setdefault(lis['default_pool_id'], []).append(('listener', lis['id'], None, label))
            if lis.get('protocol') == 'PROMETHEUS':
                continue  # Octavia refuses L7 policies there
            for pol in self.state.l7policies(lis['id']):
                if pol.get('redirect_pool_id') in pool_ids:
                    out.setdefault(pol['redirect_pool_id'], []).append(
                        ('l7policy', pol['id'], lis['id'], 'L7 policy %s of %s' % (pol.get('name') or pol['id'], label)))
        return out

    def _check_pool_deletes(self):
        """Refuse, before any write, to delete a pool that something this plan leaves alone still uses:
        Octavia would silently take a listener's default pool away, or refuse half-way (L7 policy)."""
        deletes = [op for op in self.plan.ops if op['kind'] == 'pool' and op['action'] == 'delete']
        if not deletes:
            return
        gone = set(op['id'] for op in self.plan.ops if op['action'] == 'delete' and op['kind'] in
                   ('listener', 'l7policy'))
        moved = set(op['id'] for op in self.plan.ops if op['action'] == 'update' and op['kind'] in
                    ('listener', 'l7policy') and ('default_pool_id' in (op['body'] or {}) or
                                                  'redirect_pool_id' in (op['body'] or {})))
        refs = self.pool_references(set(op['id'] for op in deletes))
        for op in deletes:
            left = [label for _kind, obj_id, listener_id, label in refs.get(op['id'], [])
                    if obj_id not in gone and obj_id not in moved and listener_id not in gone]
            if left:
                name = self.pools.name_of(op['id'])
                path = 'pools'
                for pool in self.desired.get('pools') or []:
                    if pool['opts'].get('name') == name and pool['state'] == 'absent':
                        path = pool['path']
                raise SpecError(path, 'pool %r (%s) would be deleted, but %s still use%s it and this task does '
                                      'not change %s: point %s at another pool first, or give listeners (and '
                                      'their l7policies) in the same task'
                                % (name, op['id'], ', '.join(left), 's' if len(left) == 1 else '',
                                   'it' if len(left) == 1 else 'them', 'it' if len(left) == 1 else 'them'))

    # -- health monitor
    def _healthmonitor(self, pool, cur_pool):
        hm = pool['healthmonitor']
        name = pool['opts']['name']
        cur = self.state.healthmonitor(cur_pool.get('healthmonitor_id'))
        label = 'health monitor of pool %s' % name
        if hm['state'] == 'absent':
            if cur:
                self.plan.add('pool_update', 'delete', 'healthmonitor', label, id=cur['id'],
                              before=current_opts('healthmonitor', cur), after={})
            return
        proto = cur_pool.get('protocol')
        specmod.validate_healthmonitor(hm, proto)
        if cur is None:
            require('healthmonitor', hm['opts'], hm['path'])
            body = api_body('healthmonitor', hm['opts'])
            body['pool_id'] = cur_pool['id']
            self.plan.add('pool_update', 'create', 'healthmonitor', label, body=body, before={}, after=hm['opts'])
            return
        fixed = create_only_changes('healthmonitor', hm['opts'], cur)
        if fixed:
            field, (have, want) = sorted(fixed.items())[0]
            if not self.replace:
                raise SpecError('%s.%s' % (hm['path'], field), 'is create-only: the health monitor of pool %r is %s, '
                                'the task asks for %s. Set replace=true to replace it' % (name, have, want))
            opts = carry_opts('healthmonitor', cur)
            opts.update(hm['opts'])
            if opts.get('type') not in specmod.HTTP_HM:
                for n in ('http_method', 'url_path', 'expected_codes', 'http_version', 'domain_name'):
                    if n not in hm['opts']:
                        opts.pop(n, None)
            body = api_body('healthmonitor', opts)
            body['pool_id'] = cur_pool['id']
            self.plan.add('pool_update', 'delete', 'healthmonitor', label + ' (replaced)', id=cur['id'])
            self.plan.add('pool_update', 'create', 'healthmonitor', label, body=body,
                          before=current_opts('healthmonitor', cur), after=opts)
            return
        changes = changed_fields('healthmonitor', hm['opts'], cur)
        if changes:
            self.plan.add('pool_update', 'update', 'healthmonitor', label, id=cur['id'],
                          body=api_body('healthmonitor', dict((k, v[1]) for k, v in changes.items())),
                          before=dict((k, v[0]) for k, v in changes.items()),
                          after=dict((k, v[1]) for k, v in changes.items()))

    # -- listeners
    def _match_listener(self, listener, used):
        current = [c for c in self.state.listeners() if c['id'] not in used]
        opts = listener['opts']
        if listener.get('ref'):
            ref = listener['ref']
            found = [c for c in current if c.get('name') == ref]
            if not found and ':' in ref:
                proto, _sep, port = ref.rpartition(':')
                found = [c for c in current if c.get('protocol') == proto.upper() and str(c.get('protocol_port')) == port]
            if not found:
                found = [c for c in current if c['id'] == ref]
            if len(found) > 1:
                raise SpecError(listener['path'], '%d listeners match %r: use PROTOCOL:PORT or the ID' % (len(found), ref))
            return found[0] if found else None
        if opts.get('name'):
            found = [c for c in current if c.get('name') == opts['name']]
            if len(found) > 1:
                raise SpecError(listener['path'], '%d listeners of this load balancer are named %r: rename all but '
                                'one' % (len(found), opts['name']))
            if found:
                return found[0]
        if opts.get('protocol_port') is not None:
            found = [c for c in current if c.get('protocol_port') == opts['protocol_port'] and
                     (opts.get('protocol') is None or c.get('protocol') == opts['protocol'])]
            if len(found) == 1:
                return found[0]
        return None

    def _listeners(self):
        listeners = self.desired.get('listeners')
        if listeners is None:
            return
        used = set()
        matched = []
        for listener in listeners:
            cur = self._match_listener(listener, used)
            if cur:
                used.add(cur['id'])
            matched.append((listener, cur))
        self._listeners_going = self._listeners_deleted(matched, used)
        for listener, cur in matched:
            opts = listener['opts']
            if listener['state'] == 'absent':
                if cur:
                    self.plan.add('listener_delete', 'delete', 'listener', listener_label(opts, cur),
                                  id=cur['id'], before=current_opts('listener', cur), after={})
                continue
            if cur is None:
                if listener.get('skip_if_missing'):
                    continue
                if listener.get('must_exist'):
                    raise SpecError(listener['path'], 'listener %r does not exist on load balancer %r'
                                    % (listener.get('ref') or opts.get('name'), self.state.lb.get('name')))
                self._create_listener(listener)
                continue
            fixed = create_only_changes('listener', opts, cur)
            if fixed:
                name, (have, want) = sorted(fixed.items())[0]
                if not self.replace:
                    raise SpecError('%s.%s' % (listener['path'], name),
                                    'is create-only: %s has %s, the task asks for %s. Set replace=true to delete '
                                    'and re-create the listener' % (listener_label(opts, cur), fmt(have),
                                                                    fmt(want)))
                self.plan.add('listener_delete', 'delete', 'listener', listener_label(opts, cur) + ' (replaced)',
                              id=cur['id'])
                carry = carry_opts('listener', cur)  # the task's values override these
                if cur.get('default_pool_id') and 'default_pool' not in opts:
                    carry['_default_pool_id'] = self.pools.replaced.get(cur['default_pool_id'], cur['default_pool_id'])
                if listener.get('l7policies') is None:
                    listener = dict(listener, l7policies=self.l7.carried(cur))
                self._create_listener(listener, carry, before=current_opts('listener', cur))
                continue
            self._update_listener(listener, cur)
            if listener.get('l7policies') is not None:
                self.l7.policies(listener, cur['id'], self.state.l7policies(cur['id']), cur)
        if self.desired.get('purge_listeners'):
            for cur in self.state.listeners():
                if cur['id'] not in used:
                    self.plan.add('listener_delete', 'delete', 'listener', listener_label({}, cur),
                                  id=cur['id'], before=current_opts('listener', cur), after={})

    def _listeners_deleted(self, matched, used):
        """IDs of the current listeners this plan deletes (absent, replaced, or not listed and purged)."""
        out = set()
        for listener, cur in matched:
            if cur is None:
                continue
            if listener['state'] == 'absent' or (self.replace and create_only_changes('listener', listener['opts'], cur)):
                out.add(cur['id'])
        if self.desired.get('purge_listeners'):
            out.update(c['id'] for c in self.state.listeners() if c['id'] not in used)
        return out

    def _check_port_free(self, listener, opts):
        """A new listener's port must be free in its L4 protocol among the listeners that stay."""
        space = specmod.port_space(opts)
        if space is None:
            return
        for cur in self.state.listeners():
            if cur['id'] in self._listeners_going:
                continue
            if specmod.port_space(cur) == space:
                raise SpecError(listener['path'] + '.protocol_port', specmod.port_conflict_msg(
                    opts, 'existing %s, which this task keeps' % listener_label({}, cur)))

    def _check_default_pool(self, listener, proto):
        name = listener['opts'].get('default_pool')
        if name:
            specmod.check_listener_pool(proto, self.pools.protocol(name), listener['path'] + '.default_pool')
            return self.pools.resolve(name, listener['path'] + '.default_pool')
        return None

    def _create_listener(self, listener, carry=None, before=None):
        opts = dict(carry or {})
        opts.update(listener['opts'])
        require('listener', opts, listener['path'])
        self._check_listener_create(dict(listener, opts=opts))
        self._check_port_free(listener, opts)
        self.listener_keys += 1
        ref = Ref('listener', self.listener_keys)
        body = api_body('listener', opts, skip=('_default_pool_id',))
        body.pop('_default_pool_id', None)
        body['loadbalancer_id'] = self.state.lb['id']
        pool_id = self._check_default_pool(listener, opts.get('protocol'))
        if pool_id is None and opts.get('_default_pool_id'):
            pool_id = opts['_default_pool_id']
        if pool_id is not None:
            body['default_pool_id'] = pool_id
        after = dict((k, v) for k, v in opts.items() if not k.startswith('_'))
        self.plan.add('listener_create', 'create', 'listener', listener_label(opts), body=body,
                      key=('listener', self.listener_keys), before=before or {}, after=after)
        if listener.get('l7policies'):
            self.l7.policies(listener, ref, [], opts)

    def _update_listener(self, listener, cur):
        self._check_cidrs(listener)
        opts = listener['opts']
        changes = changed_fields('listener', opts, cur)
        if 'name' in changes and not opts.get('name'):
            changes.pop('name')
        body = api_body('listener', dict((k, v[1]) for k, v in changes.items()))
        before = dict((k, v[0]) for k, v in changes.items())
        after = dict((k, v[1]) for k, v in changes.items())
        if 'default_pool' in opts:
            target = self._check_default_pool(listener, cur.get('protocol'))
            if target != cur.get('default_pool_id'):
                body['default_pool_id'] = target
                before['default_pool'] = self.pools.name_of(cur.get('default_pool_id'))
                after['default_pool'] = opts['default_pool'] or None
        if body:
            self.plan.add('listener_update', 'update', 'listener', listener_label(opts, cur), id=cur['id'],
                          body=body, before=before, after=after)

    # -- replaced pools: move whatever still points at the old one
    def _repoint_replaced_pools(self):
        if not self.pools.replaced:
            return
        ops = dict((op['id'], op) for op in self.plan.ops if op['action'] in ('update', 'delete') and op['id'])
        for cur in self.state.listeners():
            op = ops.get(cur['id'])
            if op and op['action'] == 'delete':
                continue  # its policies go with it
            if cur.get('default_pool_id') in self.pools.replaced:
                target = self.pools.replaced[cur['default_pool_id']]
                if op is None:
                    self.plan.add('listener_update', 'update', 'listener', listener_label({}, cur),
                                  id=cur['id'], body={'default_pool_id': target})
                else:
                    op['body'].setdefault('default_pool_id', target)
            if cur.get('protocol') == 'PROMETHEUS':
                continue
            for pol in self.state.l7policies(cur['id']):
                pop = ops.get(pol['id'])
                if pol.get('redirect_pool_id') not in self.pools.replaced or (pop and pop['action'] == 'delete'):
                    continue
                target = self.pools.replaced[pol['redirect_pool_id']]
                if pop is None:
                    self.plan.add('l7', 'update', 'l7policy', 'L7 policy %s' % (pol.get('name') or pol['id']),
                                  id=pol['id'], body={'redirect_pool_id': target})
                else:
                    pop['body'].setdefault('redirect_pool_id', target)


def cur_opts_protocol(cur):
    return {'protocol': cur.get('protocol')} if cur.get('protocol') else {}
