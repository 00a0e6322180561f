# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""loadbalancer_info: load balancers with their tree, health and spec; optionally their statistics and
Octavia's providers with what each offers for flavors and availability zones. Reads only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, tree as treemod
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import APIError, OctaviaModuleError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.state import LiveState, find_loadbalancer

CAPABILITIES = ('flavor_capabilities', 'availability_zone_capabilities')


def loadbalancers(client, params, project_id, warnings):
    if params.get('name'):
        lb = find_loadbalancer(client, params['name'], project_id)
        lbs = [lb] if lb else []
    else:
        lbs = client.list('loadbalancer', project_id=project_id)
    out = []
    for lb in lbs:
        state = LiveState(client, lb)
        lbtree = treemod.full_tree(state)
        if params.get('status_tree', True):
            lbtree['status'] = state.status()
        lbtree['health'] = treemod.health(lbtree)
        lbtree['spec'], warn = treemod.export_spec(lbtree)
        warnings.extend(warn)
        if params.get('include_stats'):
            lbtree['stats'] = (client.get('/lbaas/loadbalancers/%s/stats' % lb['id']) or {}).get('stats')
        out.append(lbtree)
    return out


def providers(client):
    """Every provider with its flavor and availability-zone capabilities (None where the caller may not read
    them: by default only admins may; the result's documentation says so, a warning would only be noise)."""
    out = []
    for provider in admin.read_list(client, '/lbaas/providers', 'providers'):
        entry = dict(provider)
        for collection in CAPABILITIES:
            try:
                entry[collection] = admin.read_list(
                    client, '/lbaas/providers/%s/%s' % (provider['name'], collection), collection)
            except APIError as err:
                if err.status not in (403, 404, 501):
                    raise
                entry[collection] = None
        out.append(entry)
    return out


def main(module):
    client = None
    try:
        conn, client = admin.open_client(module.params)
        try:
            project_id = conn.current_project_id
        except Exception:  # pylint: disable=broad-except
            project_id = None
        warnings = []
        result = {'changed': False, 'loadbalancers': loadbalancers(client, module.params, project_id, warnings)}
        if module.params.get('providers'):
            result['providers'] = providers(client)
        for warning in warnings:
            module.warn(warning)
        result.update(client.counter.as_dict())
        module.exit_json(**result)
    except OctaviaModuleError as err:
        module.fail_json(msg=str(err.msg), **dict(err.extra))
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json(msg='Unexpected error: %s' % err, exception=traceback.format_exc())
