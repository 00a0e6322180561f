# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VIP given by name: vip_network, vip_subnet, vip_port, vip_qos_policy, vip_security_groups.

Each is resolved through Neutron into its *_id option before the engine sees the task, so planning, create-only
checks and version gates stay those of the ID options. One list request per kind of object (not one per name):
all the names and IDs of a kind go into one query (Neutron ORs repeated filters). A name that matches nothing
or several objects fails naming the option, before any write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import floating_ip
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.spec import UUID

# option by name -> (option by ID, kind of Neutron object, label); the order is the order of resolution
# (a subnet or port name is looked up on the network already resolved)
REFS = (
    ('vip_network', 'vip_network_id', 'networks', 'network'),
    ('vip_subnet', 'vip_subnet_id', 'subnets', 'subnet'),
    ('vip_port', 'vip_port_id', 'ports', 'port'),
    ('vip_qos_policy', 'vip_qos_policy_id', 'qos_policies', 'QoS policy'),
    ('vip_security_groups', 'vip_sg_ids', 'security_groups', 'security group'),
)


def refs_of(params):
    """{option: [refs]} of the name options the task sets. Conflicts with the *_id forms fail here."""
    out = {}
    for option, id_option, dummy, dummy2 in REFS:
        value = params.get(option)
        if value is None:
            continue
        if params.get(id_option) is not None:
            raise SpecError(option, 'give %s or %s, not both' % (option, id_option))
        out[option] = list(value) if isinstance(value, list) else [value]
        if not all(out[option]):
            raise SpecError(option, 'an empty name')
    return out


def query(refs, **scope):
    """The one list query for refs: by id when all look like IDs, by name when none does, else everything
    in scope (mixed lists are rare; the filter then happens here)."""
    ids = [r for r in refs if UUID.match(r)]
    if len(ids) == len(refs):
        return dict(scope, id=sorted(set(refs)))
    if not ids:
        return dict(scope, name=sorted(set(refs)))
    return dict(scope)


def match(option, label, refs, objects):
    """IDs of refs among objects (dicts with id and name), in the order of refs. A ref is an ID first, then
    a name; nothing found or several of that name fail naming the option."""
    by_id = dict((o['id'], o) for o in objects)
    out = []
    for ref in refs:
        if ref in by_id:
            out.append(ref)
            continue
        named = sorted(o['id'] for o in objects if o.get('name') == ref)
        if not named:
            raise SpecError(option, 'no %s named %r (or with that ID) that these credentials can see' % (label, ref))
        if len(named) > 1:
            raise SpecError(option, '%d %ss are named %r (%s): give the ID' % (len(named), label, ref,
                                                                               ', '.join(named)))
        out.append(named[0])
    return out


def _as_dicts(items):
    return [dict(id=o['id'], name=o.get('name')) if isinstance(o, dict) else dict(id=o.id, name=o.name)
            for o in items]


def resolve(params, lister, extra_networks=()):
    """Turn the name options into their *_id options in params (in place).

    lister(kind, **query) -> objects; extra_networks: network refs of other options (floating_ip.network)
    that share the one networks request. Returns {ref: id} of those extra networks.
    """
    wanted = refs_of(params)
    network_refs = wanted.get('vip_network', []) + [r for r in extra_networks if r]
    extra = {}
    if network_refs:
        found = _as_dicts(lister('networks', **query(network_refs)))
        if 'vip_network' in wanted:
            params['vip_network_id'] = match('vip_network', 'network', wanted['vip_network'], found)[0]
        for ref in extra_networks:
            if ref:
                extra[ref] = match('floating_ip.network', 'network', [ref], found)[0]
    for option, id_option, kind, label in REFS[1:]:
        if option not in wanted:
            continue
        scope = {}
        if kind in ('subnets', 'ports') and params.get('vip_network_id'):
            scope['network_id'] = params['vip_network_id']
        try:
            found = _as_dicts(lister(kind, **query(wanted[option], **scope)))
        except LookupError as err:
            raise SpecError(option, 'cannot list %ss: %s' % (label, err))
        ids = match(option, label, wanted[option], found)
        params[id_option] = ids if option == 'vip_security_groups' else ids[0]
    return extra


def sdk_lister(conn):
    """lister() over an openstacksdk connection. A kind Neutron does not offer (no QoS extension: 404) is
    a LookupError, which resolve() reports naming the option."""
    def lister(kind, **filters):
        try:
            return list(getattr(conn.network, kind)(**filters))
        except Exception as err:  # pylint: disable=broad-except
            if getattr(err, 'status_code', None) == 404:
                raise LookupError('Neutron has no such API here (extension not enabled)')
            raise
    return lister


class VipOptions(object):
    """The loadbalancer module's glue: wraps the engine's build (names resolved, then the usual tree) and
    shape (the floating IP handled once the load balancer has converged). Neutron is asked only when the task
    uses these options, so tasks with IDs only make no extra request."""

    def __init__(self, module, connect):
        self.module = module
        self.connect = connect  # the engine's connect(params), so the connection options are the same
        self.fip_want = None

    def build(self, build):
        def wrapped(params):
            fip = params.get('floating_ip')
            floating_ip.validate(fip)
            wanted = refs_of(params)  # conflicts with the *_id forms fail before connecting
            present = (params.get('state') or 'present') == 'present'
            fip_net = (fip or {}).get('network') if present else None
            if present and (wanted or fip_net):
                extra = resolve(params, sdk_lister(self.connect(params)), [fip_net])
                if fip is not None:
                    self.fip_want = dict(address=fip.get('address'), network_id=extra.get(fip_net))
            elif fip is not None:
                self.fip_want = dict(address=fip.get('address'), network_id=None)
            return build(params)
        return wrapped

    def shape(self, shape):
        def wrapped(job):
            out = shape(job)
            if self.fip_want is None:
                return out
            present = job.desired['state'] == 'present'
            try:
                changed, result, writes = floating_ip.converge(
                    job.client.conn, job.state.lb if present else None, job.desired['lb_ref'], self.fip_want,
                    present, self.module.check_mode, job.project_id)
            except floating_ip.FloatingIPError as err:
                # the load balancer may have changed already: the failure must not say it did not
                err.extra['changed'] = bool(job.plan is not None and job.plan.ops)
                raise
            out.update(result)
            out['neutron_writes'] = writes
            if changed:
                out['changed'] = True
            return out
        return wrapped
