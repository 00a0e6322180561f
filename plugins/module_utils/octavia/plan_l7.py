# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a listener's L7 policies and their rules.

Policies are matched by name (unnamed ones by position) and placed in list order: the planner simulates
Octavia's renumbering so each policy is created at, or moved to, its place with one request. Rules have no
name: they are matched by content, and a changed rule is updated in place rather than deleted and re-created."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import spec as specmod
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import (
    Ref, api_body, carry_opts, changed_fields, current_opts, listener_label, require)


class L7Planner(object):
    """The L7 policies of one listener at a time; reads ctx.state, resolves pools through ctx.pools, adds to
    ctx.plan (a PlanContext)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def carried(self, cur):
        """The policies (with rules) of a listener that is re-created, as the task would give them."""
        out = []
        for pol in self.ctx.state.l7policies(cur['id']):
            opts = carry_opts('l7policy', pol)
            if pol.get('redirect_pool_id'):
                opts['_redirect_pool_id'] = pol['redirect_pool_id']
            rules = [carry_opts('l7rule', r) for r in self.ctx.state.rules(pol['id'])]
            out.append({'opts': opts, 'state': 'present', 'path': 'l7policy %s' % (pol.get('name') or pol['id']),
                        'rules': rules})
        return out

    def policies(self, listener, listener_id, current, listener_opts):
        """Converge a listener's policies; current is sorted by position."""
        plan, pools = self.ctx.plan, self.ctx.pools
        llabel = listener_label(listener['opts'], listener_opts if isinstance(listener_opts, dict) else None)
        proto = (listener_opts or {}).get('protocol') if isinstance(listener_opts, dict) else None
        desired = [p for p in listener['l7policies'] if p['state'] == 'present']
        absent = [p for p in listener['l7policies'] if p['state'] == 'absent']
        used = set()
        pairs = []
        unnamed_current = [c for c in current if not c.get('name')]
        for index, pol in enumerate(desired):
            name = pol['opts'].get('name')
            if name:
                found = [c for c in current if c.get('name') == name]
                if len(found) > 1:
                    raise SpecError(pol['path'], '%d L7 policies of %s are named %r' % (len(found), llabel, name))
                cur = found[0] if found else None
            else:
                pos = pol['opts'].get('position') or index + 1
                found = [c for c in unnamed_current if c.get('position') == pos and c['id'] not in used]
                cur = found[0] if found else None
            if cur:
                used.add(cur['id'])
            pairs.append((pol, cur))
        deleted = set()
        for pol in absent:
            for cur in current:
                if cur.get('name') == pol['opts'].get('name') and cur['id'] not in used:
                    used.add(cur['id'])
                    deleted.add(cur['id'])
                    plan.add('l7_delete', 'delete', 'l7policy', 'L7 policy %s on %s' % (cur.get('name'), llabel),
                             id=cur['id'], before=current_opts('l7policy', cur), after={})
        if listener.get('purge_l7policies', True):
            for cur in current:
                if cur['id'] not in used:
                    deleted.add(cur['id'])
                    plan.add('l7_delete', 'delete', 'l7policy',
                             'L7 policy %s on %s' % (cur.get('name') or cur['id'], llabel),
                             id=cur['id'], before=current_opts('l7policy', cur), after={})
        # simulate Octavia's positions: what is left in its current order, then each desired policy placed
        order = [c['id'] for c in current if c['id'] not in deleted]
        for pol, cur in pairs:
            opts = pol['opts']
            label = 'L7 policy %s on %s' % (opts.get('name') or (cur or {}).get('id') or 'new', llabel)
            target = opts.get('position')
            pool_id = None
            if opts.get('redirect_pool'):
                specmod.check_listener_pool(proto, pools.protocol(opts['redirect_pool']),
                                            pol['path'] + '.redirect_pool')
                pool_id = pools.resolve(opts['redirect_pool'], pol['path'] + '.redirect_pool')
            elif opts.get('_redirect_pool_id'):
                pool_id = pools.replaced.get(opts['_redirect_pool_id'], opts['_redirect_pool_id'])
            if cur is None:
                require('l7policy', opts, pol['path'])
                body = api_body('l7policy', opts)
                body['listener_id'] = listener_id
                if pool_id is not None:
                    body['redirect_pool_id'] = pool_id
                if target is None:
                    target = len(order) + 1
                body['position'] = min(target, len(order) + 1)
                key = ('l7policy', '%s/%s' % (listener_id, opts.get('name') or target))
                plan.add('l7', 'create', 'l7policy', label, body=body, key=key, before={},
                         after=dict((k, v) for k, v in opts.items() if not k.startswith('_')))
                order.insert(body['position'] - 1, key)
                ref = Ref('l7policy', key[1])
                for i, rule in enumerate(pol.get('rules') or []):
                    plan.add('l7', 'create', 'l7rule', 'rule %d of %s' % (i + 1, label), parent=ref,
                             body=api_body('l7rule', rule), before={}, after=rule)
                continue
            changes = changed_fields('l7policy', dict((k, v) for k, v in opts.items() if k != 'position'), cur)
            body = api_body('l7policy', dict((k, v[1]) for k, v in changes.items()))
            before = dict((k, v[0]) for k, v in changes.items())
            after = dict((k, v[1]) for k, v in changes.items())
            if 'redirect_pool' in opts and pool_id != cur.get('redirect_pool_id'):
                body['redirect_pool_id'] = pool_id
                before['redirect_pool'] = pools.name_of(cur.get('redirect_pool_id'))
                after['redirect_pool'] = opts['redirect_pool']
            if target is not None and cur['id'] in order:
                now = order.index(cur['id']) + 1
                target = min(target, len(order))
                if now != target:
                    body['position'] = target
                    before['position'], after['position'] = now, target
                    order.remove(cur['id'])
                    order.insert(target - 1, cur['id'])
            if body:
                plan.add('l7', 'update', 'l7policy', label, id=cur['id'], body=body, before=before, after=after)
            if pol.get('rules') is not None:
                self._rules(pol, cur, label)

    def _rules(self, pol, cur_pol, label):
        plan = self.ctx.plan
        current = list(self.ctx.state.rules(cur_pol['id']))
        desired = list(pol['rules'])
        exact = []
        for rule in list(desired):
            for cur in current:
                if specmod.rule_key(current_opts('l7rule', cur)) == specmod.rule_key(rule):
                    exact.append((rule, cur))
                    current.remove(cur)
                    desired.remove(rule)
                    break
        pairs = exact + list(zip(desired, current))
        for rule, cur in pairs:
            changes = changed_fields('l7rule', rule, cur)
            if 'key' not in rule and cur.get('key'):
                changes['key'] = (cur['key'], None)
            if changes:
                plan.add('l7', 'update', 'l7rule', 'rule %s of %s' % (cur['id'], label), id=cur['id'],
                         parent=cur_pol['id'], body=api_body('l7rule', dict((k, v[1]) for k, v in changes.items())),
                         before=dict((k, v[0]) for k, v in changes.items()),
                         after=dict((k, v[1]) for k, v in changes.items()))
        for rule in desired[len(current):]:
            plan.add('l7', 'create', 'l7rule', 'new rule of %s' % label, parent=cur_pol['id'],
                     body=api_body('l7rule', rule), before={}, after=rule)
        for cur in current[len(desired):]:
            plan.add('l7', 'delete', 'l7rule', 'rule %s of %s' % (cur['id'], label), id=cur['id'],
                     parent=cur_pol['id'], before=current_opts('l7rule', cur), after={})
