# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Octavia's flat admin objects: flavor profiles, flavors, availability-zone profiles and zones.

Each is one object found by name, with no load balancer to lock, so the path is short: check the options
(no cloud needed), read the object, resolve profile names, check what Octavia would refuse (a provider it
does not offer, data keys the provider does not know, a profile in use, a field it cannot change), plan one
create, update or delete with a diff, stop there in check mode, else write. Only the options given are
compared, so a re-run sends no write. Requests go through Client (counted, bounded, retried when safe); a
write of unknown outcome is settled by reading again and planning anew, as the load-balancer engine does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import traceback

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin_schema
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import Client, connect
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import (
    AmbiguousWrite, APIError, OctaviaModuleError, SpecError)
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.spec import UUID

# module -> where Octavia keeps it. collection: the list's body key (not always the path's last element);
# by_name: the name is the ID (availability zones); used_by: (module, attribute) of objects using it.
KINDS = {
    'flavor_profile': dict(path='/lbaas/flavorprofiles', key='flavorprofile', collection='flavorprofiles',
                           label='flavor profile', used_by=('flavor', 'flavor_profile_id')),
    'flavor': dict(path='/lbaas/flavors', key='flavor', collection='flavors', label='flavor'),
    'availability_zone_profile': dict(path='/lbaas/availabilityzoneprofiles', key='availability_zone_profile',
                                      collection='availability_zone_profiles', label='availability zone profile',
                                      used_by=('availability_zone', 'availability_zone_profile_id')),
    'availability_zone': dict(path='/lbaas/availabilityzones', key='availability_zone',
                              collection='availability_zones', label='availability zone', by_name=True),
}
# Ambiguous writes before giving up (each re-plan starts from a fresh read).
MAX_REPLANS = 3


def open_client(params):
    conn = connect(params)
    return conn, Client(conn, timeout=params.get('timeout') or 600, api_timeout=params.get('api_timeout'))


def counts(client):
    """The request counts of the result (no load balancer is locked by an admin object: no lock_cycles)."""
    out = client.counter.as_dict() if client else {}
    out.pop('lock_cycles', None)
    return out


def read_list(client, path, collection, **filters):
    """All objects of an admin collection (pages followed)."""
    try:
        return client.list(path, collection=collection, **filters)
    except APIError as err:
        if err.status == 404:
            # a collection is never "not found": a 404 means a wrong path (or an API without it), not "none"
            raise APIError(404, 'no such collection', 'GET', path)
        raise


def write(client, method, path, label, body=None):
    """One write (retried only while that is safe, see Client.send); returns the answer's JSON, if any."""
    return client.send(method, path, label, body=body, deadline=client.task_deadline)


def fields_of(module):
    return admin_schema.MODULE_FIELDS[module]


# ---- the desired object (no cloud) ----------------------------------------------------------------------

def desired(module, params):
    """The options given (None = not managed), checked. Raises SpecError naming the option."""
    opts = {}
    for field in fields_of(module):
        value = params.get(field['name'])
        if value is None:
            continue
        if field.get('norm') == 'json':
            try:
                json.dumps(value, sort_keys=True)
            except (TypeError, ValueError) as exc:
                raise SpecError(field['name'], 'cannot be sent as JSON: %s' % exc)
        if field['name'] == 'name' and not value.strip():
            raise SpecError('name', 'must not be empty')
        opts[field['name']] = value
    return opts


def comparable(field, value):
    """A value as compared: JSON strings parsed, a missing text as ''."""
    if field.get('norm') == 'json':
        if isinstance(value, str):
            try:
                return json.loads(value) if value else {}
            except ValueError:
                return value
        return value or {}
    if field.get('norm') == 'text':
        return value or ''
    return value


def api_value(field, value):
    return json.dumps(value, sort_keys=True) if field.get('norm') == 'json' else value


# ---- reads ---------------------------------------------------------------------------------------------

def find(client, module, ref):
    """The object named (or with the ID) ref, or None. Several with that name: fail, naming their IDs."""
    kind = KINDS[module]
    if kind.get('by_name'):
        body = client.get('%s/%s' % (kind['path'], ref))
        return (body or {}).get(kind['key'])
    found = read_list(client, kind['path'], kind['collection'], name=ref)
    if len(found) > 1:
        raise OctaviaModuleError('%d %ss are named %r (IDs %s); use the ID'
                                 % (len(found), kind['label'], ref, ', '.join(o['id'] for o in found)))
    if found:
        return found[0]
    if UUID.match(ref or ''):
        body = client.get('%s/%s' % (kind['path'], ref))
        return (body or {}).get(kind['key'])
    return None


def object_id(module, obj):
    return obj['name'] if KINDS[module].get('by_name') else obj['id']


def resolve_refs(client, module, opts, check_mode=False, warnings=None):
    """Profile names to IDs (a copy of opts); a profile that does not exist fails naming the option.

    In check mode a missing profile may be one an earlier task of the same play would create: the plan goes on
    with the name shown as '<not found: name>' and a warning, and the real run still fails on a typo.
    """
    out = dict(opts)
    for field in fields_of(module):
        if field.get('ref') and opts.get(field['name']):
            ref = opts[field['name']]
            profile = find(client, field['ref'], ref)
            what = '%s %r not found' % (KINDS[field['ref']]['label'], ref)
            if profile is None and not check_mode:
                raise SpecError(field['name'], what)
            if profile is None:
                (warnings if warnings is not None else []).append(
                    '%s: %s (check mode goes on: an earlier task may create it; the real run fails unless it '
                    'exists then)' % (field['name'], what))
                out[field['name']] = '<not found: %s>' % ref
                continue
            out[field['name']] = profile['id']
    return out


def users(client, module, obj):
    """Names (or IDs) of the objects that use obj (flavors of a flavor profile, zones of a zone profile)."""
    used_by = KINDS[module].get('used_by')
    if not used_by or obj is None:
        return []
    other, attribute = used_by
    found = read_list(client, KINDS[other]['path'], KINDS[other]['collection'], **{attribute: obj['id']})
    # some releases ignore the filter: keep only real users
    return sorted(o.get('name') or o.get('id') for o in found if o.get(attribute) == obj['id'])


def check_provider(client, module, opts):
    """The provider is one Octavia offers and knows every key of the data (when it tells its capabilities)."""
    provider = opts.get('provider_name')
    if not provider:
        return
    offered = [p.get('name') for p in read_list(client, '/lbaas/providers', 'providers')]
    if provider not in offered:
        raise SpecError('provider_name', 'Octavia offers no provider %r (offered: %s)'
                        % (provider, ', '.join(sorted(offered)) or 'none'))
    for field in fields_of(module):
        what = field.get('capabilities')
        data = opts.get(field['name'])
        if not what or not data:
            continue
        collection = '%s_capabilities' % what
        try:
            caps = read_list(client, '/lbaas/providers/%s/%s' % (provider, collection), collection)
        except APIError as err:
            if err.status in (403, 404, 501):
                continue  # the caller may not read them, or the provider does not tell: Octavia decides
            raise
        known = set(c.get('name') for c in caps)
        unknown = sorted(k for k in data if k not in known)
        if caps and unknown:
            raise SpecError('%s.%s' % (field['name'], unknown[0]),
                            'provider %s does not offer %s (it offers: %s)'
                            % (provider, ', '.join(unknown), ', '.join(sorted(known))))


# ---- the plan ------------------------------------------------------------------------------------------

def view(module, obj):
    """The managed fields of an object as the diff shows them (profile IDs as Octavia stores them)."""
    if obj is None:
        return {}
    out = {}
    for field in fields_of(module):
        out[field['name']] = comparable(field, obj.get(field['api']))
    return out


def plan(module, opts, live, state):
    """(operation, body, before, after): operation is None, 'create', 'update' or 'delete'.

    opts has its refs resolved to IDs. Raises SpecError for what Octavia would refuse, before any write.
    """
    kind = KINDS[module]
    flds = fields_of(module)
    before = view(module, live)
    if state == 'absent':
        if live is None:
            return None, None, {}, {}
        return 'delete', None, before, {}
    if live is None:
        missing = [f['name'] for f in flds if f.get('required_on_create') and opts.get(f['name']) is None]
        if missing:
            raise SpecError(missing[0], 'is required to create %s %r (it does not exist yet)'
                            % (kind['label'], opts['name']))
        body = dict((f['api'], api_value(f, opts[f['name']])) for f in flds if opts.get(f['name']) is not None)
        after = dict((f['name'], comparable(f, opts.get(f['name']))) for f in flds)
        return 'create', body, {}, after
    body, after = {}, dict(before)
    for field in flds:
        name = field['name']
        if name not in opts or name == 'name':
            continue
        want = comparable(field, opts[name])
        if want == before.get(name):
            continue
        if field.get('updatable') is False:
            raise SpecError(name, '%s %r has %s %s; Octavia cannot change it (delete the %s and create it again)'
                            % (kind['label'], opts['name'], name, before.get(name), kind['label']))
        body[field['api']] = api_value(field, opts[name])
        after[name] = want
    if not body:
        return None, None, before, before
    return 'update', body, before, after


def execute(client, module, operation, body, live, name):
    """Carry out the planned operation; returns the object afterwards (None once deleted)."""
    kind = KINDS[module]
    label = '%s %s %r' % (operation, kind['label'], name)
    if operation == 'create':
        answer = write(client, 'POST', kind['path'], label, {kind['key']: body})
        return (answer or {}).get(kind['key']) or find(client, module, name)
    path = '%s/%s' % (kind['path'], object_id(module, live))
    if operation == 'update':
        answer = write(client, 'PUT', path, label, {kind['key']: body})
        return (answer or {}).get(kind['key']) or find(client, module, name)
    try:
        write(client, 'DELETE', path, label)
    except OctaviaModuleError as err:
        if err.extra.get('status') != 404:
            raise
    return None


def converge(client, module, params, check_mode):
    """The whole run of one admin module; returns the result without the counts."""
    opts = desired(module, params)
    state = params.get('state') or 'present'
    kind = KINDS[module]
    replans = 0
    while True:
        live = find(client, module, opts['name'])
        warnings = []
        resolved = resolve_refs(client, module, opts, check_mode, warnings) if state == 'present' else opts
        operation, body, before, after = plan(module, resolved, live, state)
        guarded = [f for f in ('provider_name', data_api(module)) if f in (body or {})]
        if operation == 'update' and kind.get('used_by') and guarded:
            in_use = users(client, module, live)
            if in_use:
                changed = guarded[0]
                raise SpecError(changed, '%s %r is used by %s; Octavia refuses to change its provider or data '
                                         'while it is in use' % (kind['label'], opts['name'], ', '.join(in_use)))
        if operation == 'delete' and kind.get('used_by'):
            in_use = users(client, module, live)
            if in_use:
                raise SpecError('state', '%s %r is still used by %s (delete those first)'
                                % (kind['label'], opts['name'], ', '.join(in_use)))
        if operation in ('create', 'update'):
            check_provider(client, module, resolved)
        result = {'changed': operation is not None, 'operation': operation, 'warnings': warnings}
        result['diff'] = {'before': before, 'after': after}
        if operation is None or check_mode:
            result[module] = live
            return result
        try:
            result[module] = execute(client, module, operation, body, live, opts['name'])
            return result
        except AmbiguousWrite as err:
            replans += 1
            client.counter.replans += 1
            if replans > MAX_REPLANS:
                raise OctaviaModuleError('%s; gave up after %d re-plans, each from the state read again'
                                         % (err.msg, MAX_REPLANS))


def data_api(module):
    """The Octavia attribute of the provider data (flavor_data, availability_zone_data)."""
    for field in fields_of(module):
        if field.get('norm') == 'json':
            return field['api']
    return None


def main(module, name):
    """Drive one admin module (name: a key of KINDS)."""
    client = None
    try:
        desired(name, module.params)  # bad input fails before the connection
        _conn, client = open_client(module.params)
        result = converge(client, name, module.params, module.check_mode)
        for warning in result.pop('warnings'):
            module.warn(warning)
        if not module._diff:  # pylint: disable=protected-access
            result.pop('diff')
        result.update(counts(client))
        module.exit_json(**result)
    except OctaviaModuleError as err:
        module.fail_json(msg=str(err.msg), **dict(err.extra, **counts(client)))
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json(msg='Unexpected error: %s' % err, exception=traceback.format_exc())
