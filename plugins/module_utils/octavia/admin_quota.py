# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Octavia's quotas of one project: the limits given are set, C(state=absent) resets them to the defaults.

Octavia reports a project's effective limits (its own, else the configured defaults), so "absent" means:
the limits equal the defaults (GET /quotas/defaults); a re-run of either state then sends no write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, admin_schema, spec as specmod
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError, SpecError


def desired(params):
    """The limits given, checked (no cloud needed)."""
    limits = {}
    for field in admin_schema.QUOTA:
        value = params.get(field['name'])
        if value is None:
            continue
        low = field['range'][0]
        if value < low:
            raise SpecError(field['name'], 'must be %s (unlimited) or more, not %s' % (low, value))
        limits[field['name']] = value
    if params.get('state') == 'absent' and limits:
        raise SpecError(sorted(limits)[0], 'state=absent resets every limit to the default; give no limits with it')
    return limits


def gates(limits):
    return [(f['name'], f['min_version'], 'option %s' % f['name'])
            for f in admin_schema.QUOTA if f.get('min_version') and f['name'] in limits]


def resolve_project(conn, ref):
    """A project ID from a name or ID; the caller's own project when ref is empty."""
    current_id = getattr(conn, 'current_project_id', None)
    if not ref:
        if not current_id:
            raise SpecError('project', 'no project given and the cloud is not scoped to one')
        return current_id
    if ref == current_id:
        return ref
    try:
        project = conn.identity.find_project(ref, ignore_missing=True)
    except Exception as exc:  # pylint: disable=broad-except
        # a caller without the right to read projects can still name one by ID
        if is_id(ref):
            return ref
        raise SpecError('project', 'cannot look up project %r in Keystone: %s' % (ref, exc))
    if project is None:
        raise SpecError('project', 'project %r not found' % ref)
    return project.id


def is_id(ref):
    """Keystone project IDs: 32 hex digits (or a UUID with dashes)."""
    text = (ref or '').replace('-', '')
    return len(text) == 32 and all(c in '0123456789abcdefABCDEF' for c in text)


def plan(limits, current, defaults, state):
    """(operation, body, before, after); operation None, 'update' or 'reset'."""
    names = [f['name'] for f in admin_schema.QUOTA]
    before = dict((n, current.get(n)) for n in names if n in current)
    if state == 'absent':
        after = dict((n, defaults.get(n)) for n in before if n in defaults)
        if all(before.get(n) == after[n] for n in after):
            return None, None, before, before
        return 'reset', None, before, after
    body = dict((n, v) for n, v in limits.items() if current.get(n) != v)
    after = dict(before, **limits)
    if not body:
        return None, None, before, before
    return 'update', body, before, after


def converge(conn, client, params, check_mode):
    limits = desired(params)
    if gates(limits):
        specmod.check_versions(gates(limits), client.api_version())
    project_id = resolve_project(conn, params.get('project'))
    path = '/lbaas/quotas/%s' % project_id
    current = (client.get(path) or {}).get('quota') or {}
    defaults = {}
    if params.get('state') == 'absent':
        defaults = (client.get('/lbaas/quotas/defaults') or {}).get('quota') or {}
    operation, body, before, after = plan(limits, current, defaults, params.get('state') or 'present')
    result = {'changed': operation is not None, 'operation': operation, 'project_id': project_id,
              'diff': {'before': before, 'after': after}, 'quota': after}
    if operation is None or check_mode:
        return result
    label = '%s quota of project %s' % (operation, project_id)
    if operation == 'update':
        answer = admin.write(client, 'PUT', path, label, {'quota': body})
    else:
        admin.write(client, 'DELETE', path, label)
        answer = client.get(path)
    quota = (answer or {}).get('quota') or {}
    result['quota'] = dict((f['name'], quota.get(f['name'])) for f in admin_schema.QUOTA if f['name'] in quota)
    return result


def main(module):
    client = None
    try:
        desired(module.params)
        conn, client = admin.open_client(module.params)
        result = converge(conn, client, module.params, module.check_mode)
        if not module._diff:  # pylint: disable=protected-access
            result.pop('diff')
        result.update(admin.counts(client))
        module.exit_json(**result)
    except OctaviaModuleError as err:
        module.fail_json(msg=str(err.msg), **dict(err.extra, **admin.counts(client)))
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json(msg='Unexpected error: %s' % err, exception=traceback.format_exc())
