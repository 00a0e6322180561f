# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Results: the load balancer tree as Octavia reports it, its health, and the same tree in the shape the
loadbalancer module takes (so an existing load balancer can be adopted as code)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.plan import carry_opts

DROP = ('tenant_id',)
HEALTHY = ('ONLINE',)


def _clean(obj):
    return dict((k, v) for k, v in (obj or {}).items() if k not in DROP)


def listener_tree(state, listener):
    out = _clean(listener)
    out['l7policies'] = []
    if listener.get('l7policies'):
        for pol in state.l7policies(listener['id']):
            entry = _clean(pol)
            entry['rules'] = [_clean(r) for r in state.rules(pol['id'])] if pol.get('rules') else []
            out['l7policies'].append(entry)
    return out


def pool_tree(state, pool):
    out = _clean(pool)
    out['members'] = [_clean(m) for m in state.members(pool['id'])] if pool.get('members') else []
    out['healthmonitor'] = _clean(state.healthmonitor(pool.get('healthmonitor_id'))) or None
    return out


def full_tree(state):
    """The whole load balancer: listeners (with L7 policies and rules) and pools (with members and monitor)."""
    if not state.lb:
        return None
    lb = _clean(state.lb)
    pools = state.pools()
    state.prefetch_healthmonitors([p.get('healthmonitor_id') for p in pools])
    lb['listeners'] = [listener_tree(state, l) for l in state.listeners()]
    lb['pools'] = [pool_tree(state, p) for p in pools]
    return lb


def member_healthy(member, pool_has_monitor):
    status = member.get('operating_status')
    return status in HEALTHY or (status == 'NO_MONITOR' and not pool_has_monitor)


def health(tree, status=None):
    """Counts of operating statuses and the objects that are not healthy, from the tree (or status tree)."""
    if not tree:
        return None
    summary = {'provisioning_status': tree.get('provisioning_status'),
               'operating_status': tree.get('operating_status'),
               'members': {'total': 0, 'healthy': 0, 'by_status': {}}, 'unhealthy': []}
    for pool in tree.get('pools') or []:
        has_hm = bool(pool.get('healthmonitor') or pool.get('healthmonitor_id'))
        for member in pool.get('members') or []:
            if member.get('admin_state_up') is False:
                continue
            counts = summary['members']
            counts['total'] += 1
            op = member.get('operating_status') or 'UNKNOWN'
            counts['by_status'][op] = counts['by_status'].get(op, 0) + 1
            if member_healthy(member, has_hm):
                counts['healthy'] += 1
            else:
                summary['unhealthy'].append('pool %s member %s:%s is %s' % (
                    pool.get('name') or pool['id'], member.get('address'), member.get('protocol_port'), op))
    for obj_kind, objs in (('listener', tree.get('listeners') or []), ('pool', tree.get('pools') or [])):
        for obj in objs:
            if obj.get('provisioning_status') == 'ERROR':
                summary['unhealthy'].append('%s %s is in provisioning_status ERROR'
                                            % (obj_kind, obj.get('name') or obj['id']))
    summary['healthy'] = (tree.get('provisioning_status') == 'ACTIVE' and not summary['unhealthy'])
    return summary


def unhealthy_members(status, member_filter=None):
    """From a status tree: members not ONLINE (NO_MONITOR counts as healthy in pools without a monitor)."""
    out = []
    for listener in status.get('listeners') or []:
        for pool in listener.get('pools') or []:
            has_hm = bool(pool.get('health_monitor'))
            for member in pool.get('members') or []:
                if member_filter and not member_filter(pool, member):
                    continue
                if not member_healthy(member, has_hm):
                    out.append('pool %s member %s:%s is %s' % (pool.get('name') or pool['id'], member.get('address'),
                                                               member.get('protocol_port'),
                                                               member.get('operating_status')))
    return sorted(set(out))


# ---- export as a spec for the loadbalancer module ----------------------------------------------------

def export_spec(tree):
    """The tree in loadbalancer-module shape: only what differs from Octavia's defaults, pools by name."""
    if not tree:
        return None
    warnings = []
    pool_names = dict((p['id'], p.get('name')) for p in tree.get('pools') or [])
    spec = carry_opts('loadbalancer', tree, skip=('vip_network_id', 'vip_port_id'))
    if not tree.get('vip_subnet_id') and tree.get('vip_network_id'):
        spec['vip_network_id'] = tree['vip_network_id']
    if tree.get('flavor_id'):
        spec['flavor'] = tree['flavor_id']
    for pool in tree.get('pools') or []:
        if not pool.get('name'):
            warnings.append('pool %s has no name; the loadbalancer module finds pools by name, so name it '
                            'before adopting' % pool['id'])
    spec['pools'] = []
    for pool in tree.get('pools') or []:
        entry = carry_opts('pool', pool)
        entry['name'] = pool.get('name') or ''
        entry['members'] = [carry_opts('member', m) for m in pool.get('members') or []]
        for member in entry['members']:
            member.setdefault('address', None)
        if pool.get('healthmonitor'):
            entry['healthmonitor'] = carry_opts('healthmonitor', pool['healthmonitor'])
        spec['pools'].append(entry)
    spec['listeners'] = []
    for listener in tree.get('listeners') or []:
        entry = carry_opts('listener', listener)
        if listener.get('default_pool_id'):
            entry['default_pool'] = pool_names.get(listener['default_pool_id']) or listener['default_pool_id']
        entry['l7policies'] = []
        for pol in listener.get('l7policies') or []:
            pentry = carry_opts('l7policy', pol)
            if pol.get('redirect_pool_id'):
                pentry['redirect_pool'] = pool_names.get(pol['redirect_pool_id']) or pol['redirect_pool_id']
            pentry['rules'] = [carry_opts('l7rule', r) for r in pol.get('rules') or []]
            entry['l7policies'].append(pentry)
        spec['listeners'].append(entry)
    return spec, warnings


# ---- finding one object again after a change (for the single-object modules' results) --------------

def find_listener(state, name=None, protocol=None, port=None, ref=None):
    for listener in state.listeners():
        if ref is not None:
            proto, _sep, num = ref.rpartition(':')
            if ref in (listener.get('name'), listener['id']) or (
                    proto.upper() == listener.get('protocol') and num == str(listener.get('protocol_port'))):
                return listener
        elif name and listener.get('name') == name:
            return listener
        elif not name and listener.get('protocol_port') == port and protocol in (None, listener.get('protocol')):
            return listener
    return None


def find_pool(state, name):
    for pool in state.pools():
        if pool.get('name') == name:
            return pool
    return None
