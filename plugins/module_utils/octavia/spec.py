# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired tree, built from module parameters, normalised and checked before any request is made.

Shape (plain dicts, so the planner's unit tests can write them by hand):
  desired = {lb_ref, lb: opts|None, state, listeners: [L]|None, purge_listeners,
             pools: [P]|None, purge_pools}
  L = {opts, state, path, ref, must_exist, l7policies: [Pol]|None, purge_l7policies}
  Pol = {opts, state, path, rules: [opts]|None}
  P = {opts, state, path, must_exist, members: [M]|None, members_mode, healthmonitor: H|None}
  M = {opts, state, path}      H = {opts, state, path}
'opts' hold only the options the user set (None means: not managed), normalised.
A collection that is None is not managed at all; an empty list means 'none of them'.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.normalize import normalise

UUID = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')

# Octavia's listener -> pool protocol matrix (api-ref "Protocol Combinations").
LISTENER_POOL = {
    'HTTP': ('HTTP', 'PROXY', 'PROXYV2'),
    'HTTPS': ('HTTPS', 'PROXY', 'PROXYV2', 'TCP'),
    'TCP': ('HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'),
    'TERMINATED_HTTPS': ('HTTP', 'PROXY', 'PROXYV2'),
    'UDP': ('UDP',),
    'SCTP': ('SCTP',),
    'PROMETHEUS': (),
}
# Octavia's port spaces: a listener's port must be free in its L4 protocol on the load balancer, so HTTP:80
# and TCP:80 conflict while TCP:53 and UDP:53 do not (octavia/common/constants.py L4_PROTOCOL_MAP, checked
# by the listener controller before it creates a listener).
L4_PROTOCOL = {'HTTP': 'TCP', 'HTTPS': 'TCP', 'TCP': 'TCP', 'TERMINATED_HTTPS': 'TCP', 'PROMETHEUS': 'TCP',
               'UDP': 'UDP', 'SCTP': 'SCTP'}
# pool protocol -> health monitor types; (type, version) pairs that need a newer API.
POOL_HM = {
    'UDP': ('UDP-CONNECT', 'SCTP', 'TCP', 'HTTP'),
    'SCTP': ('UDP-CONNECT', 'SCTP', 'TCP', 'HTTP'),
}
POOL_HM_DEFAULT = ('HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO')
HM_ON_UDP_VERSION = '2.16'
HTTP_HM = ('HTTP', 'HTTPS')


def clean(kind_fields, raw, path):
    """Options the user set, normalised and checked against their schema entries (range, id); ValueErrors
    become SpecErrors naming the option."""
    opts = {}
    for field in kind_fields:
        name = field['name']
        if field.get('tree') or name == 'state' or raw.get(name) is None:
            continue
        value = raw[name]
        try:
            value = normalise(field, value)
        except ValueError as err:
            raise SpecError('%s.%s' % (path, name) if path else name, str(err))
        opts[name] = value
        if field.get('nonempty') and not value:
            raise SpecError('%s.%s' % (path, name) if path else name,
                            'an empty list is refused by Octavia; give at least one value, or leave the option out '
                            'to keep the current ones')
        _check_value(field, value, '%s.%s' % (path, name) if path else name)
        if field.get('options') and isinstance(value, dict):
            for sub in field['options']:
                if isinstance(value.get(sub['name']), int) and not isinstance(value.get(sub['name']), bool):
                    _check_value(sub, value[sub['name']], '%s.%s' % (path or name, sub['name']))
    return opts


def _check_value(field, value, path):
    if field.get('range') and isinstance(value, int) and not isinstance(value, bool):
        low, high = field['range']
        if (low is not None and value < low) or (high is not None and value > high):
            raise SpecError(path, '%s is out of range (%s to %s)' % (value, low, 'unlimited' if high is None else high))
    if field.get('id') and value and not UUID.match(str(value)):
        raise SpecError(path, '%r is not an ID (UUID); names are not looked up' % (value,))
    if field['type'] == 'list' and field.get('options'):
        # the IDs inside a list of dicts (additional_vips' subnet_id), each named by its place in the list
        for sub in field['options']:
            if not sub.get('id'):
                continue
            for i, item in enumerate(value):
                if not UUID.match(str(item.get(sub['name']) or '')):
                    raise SpecError('%s[%d].%s' % (path, i, sub['name']), '%r is not a %s (UUID)'
                                    % (item.get(sub['name']), sub['name'].replace('_id', ' ID')))


def _label(opts, index, kind):
    if kind == 'listener':
        if opts.get('name'):
            return opts['name']
        if opts.get('protocol') and opts.get('protocol_port'):
            return '%s:%s' % (opts['protocol'], opts['protocol_port'])
    if kind == 'pool' and opts.get('name'):
        return opts['name']
    if kind == 'l7policy' and opts.get('name'):
        return opts['name']
    return str(index)


# ---- builders from module parameters -------------------------------------------------------------

def member_spec(raw, path):
    return {'opts': clean(schema.MEMBER, raw, path), 'state': raw.get('state') or 'present', 'path': path}


def healthmonitor_spec(raw, path):
    return {'opts': clean(schema.HEALTH_MONITOR, raw, path), 'state': raw.get('state') or 'present', 'path': path}


def l7policy_spec(raw, path, index=0):
    opts = clean(schema.L7_POLICY, raw, path)
    rules = None
    if raw.get('rules') is not None:
        rules = [clean(schema.L7_RULE, r, '%s.rules[%d]' % (path, i)) for i, r in enumerate(raw['rules'])]
    return {'opts': opts, 'state': raw.get('state') or 'present', 'path': path, 'rules': rules}


def pool_spec(raw, path):
    opts = clean(schema.POOL, raw, path)
    members = None
    if raw.get('members') is not None:
        members = [member_spec(m, '%s.members[%d]' % (path, i)) for i, m in enumerate(raw['members'])]
    hm = None
    if raw.get('healthmonitor') is not None:
        hm = healthmonitor_spec(raw['healthmonitor'], path + '.healthmonitor')
    return {'opts': opts, 'state': raw.get('state') or 'present', 'path': path, 'must_exist': False,
            'members': members, 'members_mode': raw.get('members_mode') or 'exact', 'healthmonitor': hm}


def listener_spec(raw, path, tree=True):
    opts = clean(schema.LISTENER, raw, path)
    pols = None
    if raw.get('l7policies') is not None:
        pols = []
        for i, p in enumerate(raw['l7policies']):
            popts_label = p.get('name') or str(i)
            pol = l7policy_spec(p, '%s.l7policies[%s]' % (path, popts_label), i)
            if tree and pol['opts'].get('position') is None:
                pol['opts']['position'] = i + 1
            pols.append(pol)
    return {'opts': opts, 'state': raw.get('state') or 'present', 'path': path, 'ref': None, 'must_exist': False,
            'l7policies': pols, 'purge_l7policies': True}


def tree_from_params(params):
    """Desired tree of the loadbalancer module."""
    lb_opts = clean(schema.LOADBALANCER, params, '')
    desired = {'lb_ref': params['name'], 'lb': lb_opts, 'state': params.get('state') or 'present',
               'listeners': None, 'purge_listeners': True, 'pools': None, 'purge_pools': True}
    if params.get('pools') is not None:
        desired['pools'] = []
        for i, raw in enumerate(params['pools']):
            desired['pools'].append(pool_spec(raw, 'pools[%s]' % (raw.get('name') or i)))
    if params.get('listeners') is not None:
        desired['listeners'] = []
        for i, raw in enumerate(params['listeners']):
            label = raw.get('name') or ('%s:%s' % (raw.get('protocol'), raw.get('protocol_port'))
                                        if raw.get('protocol_port') else str(i))
            desired['listeners'].append(listener_spec(raw, 'listeners[%s]' % label))
    validate(desired)
    return desired


def child_tree(lb_ref, state='present'):
    """Desired tree of the single-object modules: only what they name is managed."""
    return {'lb_ref': lb_ref, 'lb': None, 'state': 'present', 'listeners': None, 'purge_listeners': False,
            'pools': None, 'purge_pools': False, 'child_state': state}


# ---- static validation (spec only, no cloud needed) ------------------------------------------------

def _dupes(items, keyfunc, what, path):
    seen = {}
    for item in items:
        key = keyfunc(item)
        if key is None:
            continue
        if key in seen:
            raise SpecError(item['path'], 'duplicate %s %s (also at %s)' % (what, path(key), seen[key]))
        seen[key] = item['path']


def validate(desired):
    """Everything that can be checked without the cloud. Raises SpecError naming the option."""
    pools = desired.get('pools') or []
    listeners = desired.get('listeners') or []
    pool_by_name = dict((p['opts'].get('name'), p) for p in pools)
    _dupes(pools, lambda p: p['opts'].get('name'), 'pool name', repr)
    _dupes([l for l in listeners if l['opts'].get('name')], lambda l: l['opts']['name'], 'listener name',
           repr)
    _dupes([l for l in listeners if l['opts'].get('protocol_port')],
           lambda l: (l['opts'].get('protocol'), l['opts']['protocol_port']), 'listener',
           lambda k: '%s:%s' % k)
    check_listener_ports([l for l in listeners if l['state'] == 'present'])
    lb = desired.get('lb') or {}
    for pool in pools:
        validate_pool(pool)
    for listener in listeners:
        validate_listener(listener, lb)
        refs = []
        if listener['opts'].get('default_pool'):
            refs.append((listener['path'] + '.default_pool', listener['opts']['default_pool']))
        for pol in listener.get('l7policies') or []:
            if pol['opts'].get('redirect_pool'):
                refs.append((pol['path'] + '.redirect_pool', pol['opts']['redirect_pool']))
        for path, name in refs:
            if desired.get('pools') is not None and desired.get('purge_pools') and name not in pool_by_name:
                raise SpecError(path, 'pool %r is not defined in pools (defined: %s)'
                                % (name, ', '.join(sorted(n for n in pool_by_name if n)) or 'none'))
            if name in pool_by_name:
                check_listener_pool(listener['opts'].get('protocol'), pool_by_name[name]['opts'].get('protocol'), path)


def port_space(opts):
    """(L4 protocol, port) a listener occupies, or None when the task leaves either out."""
    proto, port = opts.get('protocol'), opts.get('protocol_port')
    if not proto or port is None:
        return None
    return (L4_PROTOCOL.get(proto, proto), port)


def port_conflict_msg(opts, other_label):
    return ('%s:%s conflicts with %s: HTTP, HTTPS, TCP, TERMINATED_HTTPS and PROMETHEUS listeners share one '
            'port space (UDP and SCTP have their own), so Octavia refuses a second listener on port %s'
            % (opts['protocol'], opts['protocol_port'], other_label, opts['protocol_port']))


def check_listener_ports(listeners):
    """Two listeners of the task on one port of one L4 protocol (HTTP:80 and TCP:80): Octavia would refuse
    the second only after the first was created."""
    seen = {}
    for listener in listeners:
        space = port_space(listener['opts'])
        if space is None:
            continue
        if space in seen:
            other = seen[space]
            where = '%s (%s:%s)' % (other['path'], other['opts']['protocol'], other['opts']['protocol_port'])
            raise SpecError(listener['path'] + '.protocol_port', port_conflict_msg(listener['opts'], where))
        seen[space] = listener


def validate_pool(pool):
    opts = pool['opts']
    proto = opts.get('protocol')
    sp = opts.get('session_persistence')
    if sp:
        if sp.get('type') == 'APP_COOKIE' and not sp.get('cookie_name'):
            raise SpecError(pool['path'] + '.session_persistence.cookie_name', 'is required for APP_COOKIE')
        if sp.get('cookie_name') and sp.get('type') != 'APP_COOKIE':
            raise SpecError(pool['path'] + '.session_persistence.cookie_name', 'is only valid for APP_COOKIE')
        if proto in ('UDP', 'SCTP') and sp.get('type') != 'SOURCE_IP':
            raise SpecError(pool['path'] + '.session_persistence.type',
                            '%s pools only support SOURCE_IP persistence' % proto)
        udp_only = sp.get('persistence_timeout') is not None or sp.get('persistence_granularity')
        if proto and proto not in ('UDP', 'SCTP') and udp_only:
            raise SpecError(pool['path'] + '.session_persistence',
                            'persistence_timeout and persistence_granularity are for UDP and SCTP pools only')
    if pool.get('members') is not None:
        present = [m for m in pool['members'] if m['state'] == 'present']
        _dupes(present, lambda m: (m['opts'].get('address'), m['opts'].get('protocol_port')), 'member',
               lambda k: '%s port %s' % k)
    hm = pool.get('healthmonitor')
    if hm and hm['state'] == 'present':
        validate_healthmonitor(hm, proto)


def validate_healthmonitor(hm, pool_protocol=None):
    opts = hm['opts']
    hm_type = opts.get('type')
    if hm_type and hm_type not in HTTP_HM:
        for name in ('http_method', 'url_path', 'expected_codes', 'http_version', 'domain_name'):
            if opts.get(name) is not None:
                raise SpecError('%s.%s' % (hm['path'], name), 'only applies to HTTP and HTTPS health monitors, '
                                                              'not %s' % hm_type)
    if opts.get('domain_name') and opts.get('http_version') != 1.1:
        raise SpecError(hm['path'] + '.domain_name', 'needs http_version 1.1')
    if opts.get('resp_timeout') is not None and opts.get('delay') is not None and opts['resp_timeout'] > opts['delay']:
        raise SpecError(hm['path'] + '.resp_timeout', 'must not be longer than delay (%s > %s)'
                        % (opts['resp_timeout'], opts['delay']))
    if hm_type and pool_protocol:
        check_pool_hm(pool_protocol, hm_type, hm['path'] + '.type')


def check_pool_hm(pool_protocol, hm_type, path):
    allowed = POOL_HM.get(pool_protocol, POOL_HM_DEFAULT)
    if hm_type not in allowed:
        raise SpecError(path, 'a %s health monitor cannot watch a %s pool (allowed: %s)'
                        % (hm_type, pool_protocol, ', '.join(allowed)))


def check_listener_pool(listener_protocol, pool_protocol, path):
    if not listener_protocol or not pool_protocol:
        return
    allowed = LISTENER_POOL.get(listener_protocol, ())
    if pool_protocol not in allowed:
        raise SpecError(path, 'a %s listener cannot use a %s pool (allowed: %s)'
                        % (listener_protocol, pool_protocol, ', '.join(allowed) or 'none'))


def validate_listener(listener, lb_opts=None):
    opts = listener['opts']
    proto = opts.get('protocol')
    if proto == 'PROMETHEUS' and (opts.get('default_pool') or listener.get('l7policies')):
        raise SpecError(listener['path'], 'PROMETHEUS listeners cannot have a default pool or L7 policies')
    if proto and proto != 'TERMINATED_HTTPS':
        for name in ('hsts_max_age', 'hsts_include_subdomains', 'hsts_preload', 'default_tls_container_ref',
                     'sni_container_refs', 'client_ca_tls_container_ref', 'client_crl_container_ref'):
            value = opts.get(name)
            if value not in (None, [], False):
                raise SpecError('%s.%s' % (listener['path'], name), 'only applies to TERMINATED_HTTPS listeners, '
                                                                    'not %s' % proto)
    if opts.get('allowed_cidrs') and (lb_opts or {}).get('vip_sg_ids'):
        raise SpecError(listener['path'] + '.allowed_cidrs', 'cannot be combined with the load balancer vip_sg_ids')
    pols = listener.get('l7policies')
    if pols is not None:
        _dupes([p for p in pols if p['opts'].get('name')], lambda p: p['opts']['name'], 'L7 policy name',
               repr)
        for pol in pols:
            validate_l7policy(pol)


def validate_l7policy(pol):
    opts = pol['opts']
    action = opts.get('action')
    needs = {'REDIRECT_TO_POOL': 'redirect_pool', 'REDIRECT_TO_URL': 'redirect_url',
             'REDIRECT_PREFIX': 'redirect_prefix'}
    if action in needs and not opts.get(needs[action]):
        raise SpecError('%s.%s' % (pol['path'], needs[action]), 'is required for action %s' % action)
    if action:
        for other_action, name in needs.items():
            if other_action != action and opts.get(name):
                raise SpecError('%s.%s' % (pol['path'], name), 'does not apply to action %s' % action)
    if opts.get('redirect_http_code') and action in ('REDIRECT_TO_POOL', 'REJECT'):
        raise SpecError(pol['path'] + '.redirect_http_code', 'only applies to REDIRECT_TO_URL and REDIRECT_PREFIX')
    rules = pol.get('rules') or []
    for i, rule in enumerate(rules):
        if rule.get('type') in ('HEADER', 'COOKIE', 'SSL_DN_FIELD') and not rule.get('key'):
            raise SpecError('%s.rules[%d].key' % (pol['path'], i), 'is required for %s rules' % rule['type'])
    seen = {}
    for i, rule in enumerate(rules):
        key = rule_key(rule)
        if key in seen:
            raise SpecError('%s.rules[%d]' % (pol['path'], i), 'duplicate of rules[%d]' % seen[key])
        seen[key] = i


def rule_key(opts):
    return (opts.get('type'), opts.get('compare_type'), opts.get('key') or '', opts.get('value'),
            bool(opts.get('invert')))


# ---- version gates -----------------------------------------------------------------------------------

def _gates_for(kind_fields, opts, path, out):
    by_name = dict((f['name'], f) for f in kind_fields)
    for name, value in opts.items():
        field = by_name.get(name)
        if not field:
            continue
        where = '%s.%s' % (path, name) if path else name
        if field.get('min_version'):
            out.append((where, field['min_version'], 'option %s' % name))
        for val, ver in (field.get('value_versions') or {}).items():
            if value == val:
                out.append((where, ver, '%s %s' % (name, val)))


def version_gates(desired):
    """(path, version, what) for every option or value the cloud must be new enough for."""
    out = []
    if desired.get('lb'):
        _gates_for(schema.LOADBALANCER, desired['lb'], '', out)
    for pool in desired.get('pools') or []:
        _gates_for(schema.POOL, pool['opts'], pool['path'], out)
        for member in pool.get('members') or []:
            _gates_for(schema.MEMBER, member['opts'], member['path'], out)
        hm = pool.get('healthmonitor')
        if hm and hm['state'] == 'present':
            _gates_for(schema.HEALTH_MONITOR, hm['opts'], hm['path'], out)
            if pool['opts'].get('protocol') in ('UDP', 'SCTP') and hm['opts'].get('type') in ('HTTP', 'TCP'):
                out.append((hm['path'] + '.type', HM_ON_UDP_VERSION,
                            '%s health monitors on %s pools' % (hm['opts']['type'], pool['opts']['protocol'])))
    for listener in desired.get('listeners') or []:
        _gates_for(schema.LISTENER, listener['opts'], listener['path'], out)
        for pol in listener.get('l7policies') or []:
            _gates_for(schema.L7_POLICY, pol['opts'], pol['path'], out)
            for i, rule in enumerate(pol.get('rules') or []):
                _gates_for(schema.L7_RULE, rule, '%s.rules[%d]' % (pol['path'], i), out)
    return out


def check_versions(gates, version):
    """Refuse options the cloud's API is too old for, naming each and the version it needs."""
    failing = [g for g in sorted(gates, key=lambda g: schema.version_tuple(g[1]), reverse=True)
               if schema.version_tuple(g[1]) > tuple(version)]
    if failing:
        path, needed, what = failing[0]
        more = ''.join('; %s: %s needs v%s' % (p, w, n) for p, n, w in failing[1:])
        raise SpecError(path, '%s needs Octavia API v%s or later; this cloud offers v%d.%d%s'
                        % (what, needed, version[0], version[1], more))


# ---- the single-object modules ---------------------------------------------------------------------

def _child(params, build, check, check_absent=True):
    """The desired tree of a single-object module and its one object, built from the module's own options
    and checked (check_absent=False: an object being removed needs no valid options)."""
    tree = child_tree(params['loadbalancer'], params['state'])
    obj = build(params, '')
    obj['state'] = params['state']
    if check_absent or obj['state'] == 'present':
        check(obj)
    return tree, obj


def _parent(params, path, **fields):
    """The pool or listener a child object is managed in: it must exist to add to it, and removing from
    one that is gone is nothing to do. Nothing else of it is managed."""
    present = params['state'] == 'present'
    out = {'state': 'present', 'path': path, 'must_exist': present, 'skip_if_missing': not present}
    out.update(fields)
    return out


def _parent_pool(params, **kwargs):
    return _parent(params, 'pool', **dict(dict(opts={'name': params['pool']}, members=None, members_mode='additive',
                                               healthmonitor=None), **kwargs))


def _listener_of_module(params, path):
    listener = listener_spec(params, path, tree=False)
    listener['purge_l7policies'] = False
    if not listener['opts'].get('name') and listener['opts'].get('protocol_port') is None:
        raise SpecError('name', 'give name, or protocol and protocol_port, to identify the listener')
    return listener


def listener_module(params):
    tree, listener = _child(params, _listener_of_module, validate_listener)
    tree['listeners'] = [listener]
    return tree


def pool_module(params):
    tree, pool = _child(params, pool_spec, validate_pool)
    tree['pools'] = [pool]
    return tree


def member_module(params):
    tree = child_tree(params['loadbalancer'], params['state'])
    if params.get('members') is not None:
        raws = [(m, 'members[%d]' % i) for i, m in enumerate(params['members'])]
    else:
        raws = [(params, '')]
    members = []
    for raw, path in raws:
        member = member_spec(raw, path)
        member['state'] = params['state']
        members.append(member)
    # removing members never removes the ones not listed, whatever the mode
    mode = params.get('mode') if params['state'] == 'present' else 'additive'
    pool = _parent_pool(params, members=members, members_mode=mode)
    validate_pool(pool)
    tree['pools'] = [pool]
    return tree


def health_monitor_module(params):
    tree, hm = _child(params, healthmonitor_spec, validate_healthmonitor, check_absent=False)
    tree['pools'] = [_parent_pool(params, healthmonitor=hm)]
    return tree


def l7_policy_module(params):
    tree, pol = _child(params, l7policy_spec, validate_l7policy, check_absent=False)
    tree['listeners'] = [_parent(params, 'listener', opts={}, ref=params['listener'], l7policies=[pol],
                                 purge_l7policies=False)]
    return tree
