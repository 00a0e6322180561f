# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning for lbaas.octavia.neutron_port: what to send to Neutron, from what is wanted and what exists.

Pure functions (no SDK, no network), so that the unit tests cover every decision. A port is compared on the
fields the module manages only; a field the task leaves out (None) is never compared or sent, which is what
makes a re-run a no-op: openstack.cloud.port sends fixed_ips on every run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

UUID = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')

# module option -> openstacksdk Port attribute, for the plain (scalar) fields
SCALARS = (
    ('description', 'description'),
    ('device_owner', 'device_owner'),
    ('device_id', 'device_id'),
    ('binding_host_id', 'binding_host_id'),
    ('admin_state_up', 'is_admin_state_up'),
    ('port_security_enabled', 'is_port_security_enabled'),
)

# what the module returns of a port (openstacksdk attribute names)
RETURNED = ('id', 'name', 'network_id', 'project_id', 'mac_address', 'fixed_ips', 'binding_host_id',
            'binding_vif_type', 'device_owner', 'device_id', 'security_group_ids', 'status', 'description',
            'is_admin_state_up', 'is_port_security_enabled')


def _norm(value):
    """Neutron returns '' for unset strings; treat None and '' alike."""
    return '' if value is None else value


def plan_fixed_ips(wanted, have):
    """wanted: [(subnet_id, ip_address or None)]; have: the port's fixed_ips ([{subnet_id, ip_address}]).

    An entry with an address is satisfied by exactly that address on that subnet; an entry without one by any
    address on that subnet the port already has (Neutron chose it when the port was made). Returns None when
    `have` satisfies `wanted` exactly (nothing more, nothing less), else the fixed_ips to send, which keeps
    every address already held that satisfies an entry, so no address changes that need not.
    """
    remaining = [dict(subnet_id=h.get('subnet_id'), ip_address=h.get('ip_address')) for h in have or []]
    result = []
    satisfied = True
    for subnet_id, ip_address in wanted:
        if not ip_address:
            continue
        match = next((h for h in remaining if h['subnet_id'] == subnet_id and h['ip_address'] == ip_address), None)
        if match:
            remaining.remove(match)
        else:
            satisfied = False
        result.append(dict(subnet_id=subnet_id, ip_address=ip_address))
    for subnet_id, ip_address in wanted:
        if ip_address:
            continue
        match = next((h for h in remaining if h['subnet_id'] == subnet_id), None)
        if match:
            remaining.remove(match)
            result.append(match)
        else:
            satisfied = False
            result.append(dict(subnet_id=subnet_id))
    if remaining:
        satisfied = False
    return None if satisfied else result


def create_body(want):
    """The create request (openstacksdk attribute names) from the resolved wanted state."""
    body = dict(name=want['name'], network_id=want['network_id'])
    if want.get('project_id'):
        body['project_id'] = want['project_id']
    if want.get('fixed_ips') is not None:
        body['fixed_ips'] = [dict(subnet_id=s, ip_address=ip) if ip else dict(subnet_id=s)
                             for s, ip in want['fixed_ips']]
    if want.get('security_group_ids') is not None:
        body['security_group_ids'] = list(want['security_group_ids'])
    for option, attr in SCALARS:
        if want.get(option) is not None:
            body[attr] = want[option]
    return body


def plan_update(want, port):
    """The update request (openstacksdk attribute names) that makes `port` (a dict) what `want` says; {} if none."""
    update = {}
    if want.get('fixed_ips') is not None:
        fixed = plan_fixed_ips(want['fixed_ips'], port.get('fixed_ips'))
        if fixed is not None:
            update['fixed_ips'] = fixed
    if want.get('security_group_ids') is not None:
        if set(want['security_group_ids']) != set(port.get('security_group_ids') or []):
            update['security_group_ids'] = sorted(want['security_group_ids'])
    for option, attr in SCALARS:
        if want.get(option) is not None and _norm(want[option]) != _norm(port.get(attr)):
            update[attr] = want[option]
    return update


def validate(params):
    """Errors in the task's own options (before any request), as a list of messages."""
    errors = []
    if params.get('state', 'present') == 'present':
        for i, entry in enumerate(params.get('fixed_ips') or []):
            if not entry.get('subnet'):
                errors.append('fixed_ips[%d]: subnet is required' % i)
        if params.get('port_security_enabled') is False and params.get('security_groups'):
            errors.append('security_groups must be empty when port_security_enabled is false '
                          '(Neutron refuses security groups on a port without port security)')
        wanted_ips = [e.get('ip_address') for e in params.get('fixed_ips') or [] if e.get('ip_address')]
        if len(wanted_ips) != len(set(wanted_ips)):
            errors.append('fixed_ips: an ip_address is given twice')
    return errors


def port_result(port):
    """The returned view of a port (a dict of SDK attributes)."""
    return dict((key, port.get(key)) for key in RETURNED)


def diff(port, update):
    """before/after of the fields an update touches (for --diff)."""
    before = dict((key, port.get(key)) for key in sorted(update))
    after = dict((key, update[key]) for key in sorted(update))
    return dict(before=before, after=after)


class PortError(Exception):
    """A reference that matches nothing or several objects, or a port that cannot be told apart."""


def as_dict(port):
    """An SDK Port (or a plain dict in the tests) as a dict of SDK attribute names."""
    return port.to_dict(computed=False) if hasattr(port, 'to_dict') else dict(port)


class Action(object):
    """What converge does: kind is none, create, update or delete; body is the request (SDK names)."""

    def __init__(self, kind, body=None, result=None, diff=None):
        self.kind, self.body, self.result, self.diff = kind, body, result, diff


def decide(want, port, present):
    """The one decision of the module, from the resolved wanted state and the port found (a dict or None).

    result is what the module returns as `port` when nothing is sent (no change, or check mode).
    """
    if not present:
        if port is None:
            return Action('none')
        return Action('delete', diff=dict(before=port_result(port), after={}))
    if port is None:
        body = create_body(want)
        return Action('create', body=body, diff=dict(before={}, after=body))
    update = plan_update(want, port)
    if not update:
        return Action('none', result=port_result(port))
    return Action('update', body=update, result=port_result(port), diff=diff(port, update))
