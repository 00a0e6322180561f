# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a pool's members: diff by (address, port), then one batch request for what is new or changed,
and one DELETE per member that goes.

Octavia's batch update replaces each listed member whole and marks every listed member PENDING_UPDATE, so
only members that differ are sent, with additive_only (API 2.11+). A batch without additive_only would also
delete every member it does not list, including one another run added after this task read the pool: so
removals are never a batch, but DELETEs of the members this task read, by ID. Before API 2.11 (no
additive_only) new and changed members are created and updated one request each for the same reason."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import member_cost, schema
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.normalize import normalise
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import (
    MEMBER_BATCH_FIELDS, api_body, changed_fields, create_only_changes, current_opts, fmt)

ADDITIVE_ONLY_VERSION = (2, 11)


class MemberPlanner(object):
    """The members of one pool at a time; reads ctx.state, ctx.replace and ctx.api_version, adds to ctx.plan
    (a PlanContext)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def new_pool(self, name, ref, members):
        """The members of a pool this plan creates (ref): one batch."""
        # additive_only where the API has it: a member another run registers in the new pool meanwhile
        # (member module, pool given by name) must not be deleted by this batch
        self.ctx.plan.add('pool_create', 'batch', 'member', 'members of pool %s' % name, parent=ref,
                          body=[api_body('member', m) for m in members],
                          additive=self.ctx.api_version() >= ADDITIVE_ONLY_VERSION,
                          before={}, after=dict((member_key(m), member_view(m)) for m in members))

    def existing_pool(self, pool, cur_pool):
        """Converge the members of an existing pool (cur_pool) to the task's (pool)."""
        ctx = self.ctx
        name = pool['opts']['name']
        current = ctx.state.members(cur_pool['id'])
        by_key = dict((_key(m), m) for m in current)
        present = [m for m in pool['members'] if m['state'] == 'present']
        absent_keys = set(_mkey_tuple(m['opts']) for m in pool['members'] if m['state'] == 'absent')
        present_keys = set(_mkey_tuple(m['opts']) for m in present)
        exact = pool.get('members_mode', 'exact') == 'exact'
        add, update, remove, delete_first = [], [], [], []
        for m in present:
            opts = m['opts']
            cur = by_key.get(_mkey_tuple(opts))
            if cur is None:
                moved = _moved_member(opts, current, present_keys)
                if moved is not None:
                    if not ctx.replace:
                        raise SpecError(m['path'] + '.address', 'is create-only: member %r is at %s port %s, the '
                                        'task asks for %s port %s. Set replace=true to replace the member'
                                        % (opts['name'], moved['address'], moved['protocol_port'], opts['address'],
                                           opts['protocol_port']))
                    remove.append(moved)
                add.append(opts)
                continue
            fixed = create_only_changes('member', opts, cur)
            if fixed:
                field, (have, want) = sorted(fixed.items())[0]
                if not ctx.replace:
                    raise SpecError('%s.%s' % (m['path'], field), 'is create-only: member %s port %s has %s, the '
                                    'task asks for %s. Set replace=true to replace the member'
                                    % (opts['address'], opts['protocol_port'], fmt(have), fmt(want)))
                delete_first.append(cur)
                add.append(opts)
                continue
            changes = changed_fields('member', opts, cur)
            if changes:
                update.append((opts, cur, changes))
        for key, cur in by_key.items():
            if key in absent_keys or (exact and key not in present_keys):
                remove.append(cur)
        if not (add or update or remove or delete_first):
            return
        label = 'members of pool %s' % name
        before = dict((_key_str(c), member_view(current_opts('member', c, MEMBER_BATCH_FIELDS)))
                      for c in remove + delete_first)
        after = dict((member_key(o), member_view(o)) for o in add)
        for opts, cur, changes in update:
            before[_key_str(cur)] = dict((k, v[0]) for k, v in changes.items())
            after[member_key(opts)] = dict((k, v[1]) for k, v in changes.items())
        for cur in delete_first:
            ctx.plan.add('pool_update', 'delete', 'member', 'member %s of pool %s (replaced)' % (_key_str(cur), name),
                         id=cur['id'], parent=cur_pool['id'])
        changed_bodies = [api_body('member', o) for o in add]
        changed_bodies += [_merged_member(cur, opts) for opts, cur, _c in update]
        # the cheaper way for Octavia (member_cost.py): a batch costs in proportion to the pool
        if changed_bodies and ctx.api_version() >= ADDITIVE_ONLY_VERSION and member_cost.use_batch(
                len(changed_bodies), len(current) + len(add) - len(remove) - len(delete_first)):
            # only the new and changed members: the others are not touched (no PENDING_UPDATE churn)
            ctx.plan.add('pool_update', 'batch', 'member', label, parent=cur_pool['id'], body=changed_bodies,
                         additive=True, before=before, after=after)
            before = after = None
        elif changed_bodies:
            for opts in add:
                ctx.plan.add('pool_update', 'create', 'member', 'member %s of pool %s' % (member_key(opts), name),
                             parent=cur_pool['id'], body=api_body('member', opts), before=before, after=after)
                before = after = None
            for opts, cur, changes in update:
                ctx.plan.add('pool_update', 'update', 'member', 'member %s of pool %s' % (member_key(opts), name),
                             id=cur['id'], parent=cur_pool['id'],
                             body=api_body('member', dict((k, v[1]) for k, v in changes.items())),
                             before=before, after=after)
                before = after = None
        # removals last, so new members take traffic before old ones go
        for index, cur in enumerate(remove):
            one = label if len(remove) == 1 and not changed_bodies else 'member %s of pool %s' % (_key_str(cur), name)
            ctx.plan.add('pool_update', 'delete', 'member', one, id=cur['id'], parent=cur_pool['id'],
                         before=before if index == 0 else None, after=after if index == 0 else None)


def _moved_member(opts, current, present_keys):
    """A named member whose address/port changed: the only member with that name, its old key unwanted."""
    if not opts.get('name'):
        return None
    same_name = [c for c in current if c.get('name') == opts['name']]
    if len(same_name) == 1 and _key(same_name[0]) not in present_keys:
        return same_name[0]
    return None


def _key(member):
    return (normalise({'norm': 'ip', 'type': 'str'}, member.get('address')), member.get('protocol_port'))


def _mkey_tuple(opts):
    return (opts.get('address'), opts.get('protocol_port'))


def member_key(opts):
    return '%s:%s' % (opts.get('address'), opts.get('protocol_port'))


def _key_str(member):
    return '%s:%s' % _key(member)


def member_view(opts):
    return dict((k, v) for k, v in opts.items() if k not in ('address', 'protocol_port'))


def _merged_member(cur, opts):
    """A batch entry for an existing member: its current values with the desired ones on top.

    The batch update replaces each member whole (left-out fields fall back to defaults), so the fields the
    task does not manage must be sent as they are.
    """
    body = {'address': cur['address'], 'protocol_port': cur['protocol_port']}
    flds = schema.fields('member')
    for name in MEMBER_BATCH_FIELDS:
        api = flds[name]['api']
        if api in cur:
            body[api] = copy.deepcopy(cur[api])
    body.update(api_body('member', opts, skip=('request_sriov',)))
    return body
