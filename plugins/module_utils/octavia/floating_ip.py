# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An optional floating IP on the load balancer's VIP port (the loadbalancer module's floating_ip option).

decide() is the whole policy, without the SDK, so the unit tests cover it: a floating IP already on the VIP
port that fits is left alone (a re-run writes nothing); an address asked for is associated when it is free
in the project; a network asked for gets a floating IP this module created before and left free (after a
replace) or a new one, marked in its description. Only marked floating IPs are ever released (state=absent):
one the user allocated is never deleted. Everything that cannot work fails before the write, naming the
option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError, SpecError

OPTION = 'floating_ip'


class FloatingIPError(OctaviaModuleError):
    """The floating IP cannot be had; found before any floating-IP write (but after the load balancer
    converged, as the VIP port is only known then)."""

    def __init__(self, path, reason):
        super(FloatingIPError, self).__init__('%s: %s' % (path, reason), floating_ip_address=None)
        self.path = path


def marker(lb_name):
    """The description that says this module made the floating IP for this load balancer (names are unique
    per project, and floating IPs are listed per project)."""
    return 'lbaas.octavia: VIP of load balancer %s' % lb_name


class Action(object):
    """kind: none, create, associate, release; fip: the floating IP concerned (dict) or None."""

    def __init__(self, kind, fip=None, body=None, release=()):
        self.kind, self.fip, self.body, self.release = kind, fip, body, list(release)


def _fits(fip, want):
    if want.get('address') and fip.get('floating_ip_address') != want['address']:
        return False
    return not (want.get('network_id') and fip.get('floating_network_id') != want['network_id'])


def decide(want, vip_port_id, port_exists, attached, by_address, marked):
    """What to do for state=present.

    want: {address, network_id} (resolved); attached: floating IPs on the VIP port; by_address: the project's
    floating IP with want's address (or None); marked: this module's floating IPs for this load balancer.
    """
    if not vip_port_id or not port_exists:
        raise FloatingIPError(
            OPTION, "the VIP port %s of the load balancer is not a Neutron port, so no floating IP can be "
            "associated (Octavia's noop network driver makes no real port; give vip_port a port of your own "
            "with a real Octavia network driver)" % vip_port_id)
    if attached:
        fip = attached[0]
        if _fits(fip, want):
            return Action('none', fip)
        raise FloatingIPError(
            OPTION, 'the VIP port already has floating IP %s (network %s), not the one asked for; it is not '
            'replaced: disassociate it first' % (fip.get('floating_ip_address'), fip.get('floating_network_id')))
    if want.get('address'):
        fip = by_address
        if fip is None:
            raise FloatingIPError(
                OPTION + '.address', 'no floating IP %s in the project: allocate it first, or give '
                'floating_ip.network instead' % want['address'])
        if fip.get('port_id'):
            raise FloatingIPError(
                OPTION + '.address', 'floating IP %s is in use by port %s' % (want['address'], fip['port_id']))
        if not _fits(fip, want):
            raise FloatingIPError(
                OPTION + '.network', 'floating IP %s is on network %s'
                % (want['address'], fip.get('floating_network_id')))
        return Action('associate', fip, body=dict(port_id=vip_port_id))
    free = [f for f in marked if not f.get('port_id') and _fits(f, want)]
    if free:
        # made by an earlier run (the load balancer was replaced since): reuse it rather than leak it
        return Action('associate', sorted(free, key=lambda f: f['id'])[0], body=dict(port_id=vip_port_id))
    return Action('create', body=dict(floating_network_id=want['network_id'], port_id=vip_port_id))


def decide_absent(marked):
    """state=absent: release the floating IPs this module made for the load balancer, and only those."""
    return Action('release' if marked else 'none', release=marked)


def validate(value):
    """floating_ip's own checks (before any request)."""
    if value is None:
        return
    if not value.get('network') and not value.get('address'):
        raise SpecError(OPTION, 'give network (a new floating IP from that network) or address (an existing one)')


def as_dict(fip):
    return fip.to_dict(computed=False) if hasattr(fip, 'to_dict') else dict(fip)


def converge(conn, lb, lb_name, want, present, check_mode, project_id):
    """Read, decide, write. Returns (changed, result dict for the module, neutron writes made)."""
    net = conn.network
    mark = marker(lb_name)
    marked = [as_dict(f) for f in net.ips(description=mark, project_id=project_id)]
    if not present:
        action = decide_absent(marked)
        if not check_mode:
            for fip in action.release:
                net.delete_ip(fip['id'], ignore_missing=True)
        released = [f['floating_ip_address'] for f in action.release]
        return bool(released), dict(floating_ip_address=None, floating_ip=dict(action=action.kind,
                                                                               released=released)), \
            0 if check_mode else len(released)
    if lb is None:
        # check mode on a load balancer still to be created: nothing to read yet
        return True, dict(floating_ip_address=None,
                          floating_ip=dict(action='associate' if want.get('address') else 'create')), 0
    port_id = lb.get('vip_port_id')
    port = net.find_port(port_id, ignore_missing=True) if port_id else None
    attached = [as_dict(f) for f in net.ips(port_id=port_id, project_id=project_id)] if port else []
    by_address = None
    if want.get('address') and not attached and port:
        found = [as_dict(f) for f in net.ips(floating_ip_address=want['address'], project_id=project_id)]
        by_address = found[0] if found else None
    action = decide(want, port_id, port is not None, attached, by_address, marked)
    fip = action.fip
    if action.kind != 'none' and not check_mode:
        if action.kind == 'create':
            fip = as_dict(net.create_ip(description=mark, project_id=project_id, **action.body))
        else:
            fip = as_dict(net.update_ip(fip['id'], **action.body))
    result = dict(floating_ip_address=(fip or {}).get('floating_ip_address'),
                  floating_ip=dict(action=action.kind, id=(fip or {}).get('id'),
                                   network_id=(fip or {}).get('floating_network_id') or want.get('network_id'),
                                   created_by_module=(fip or {}).get('description') == mark if fip
                                   else action.kind == 'create'))
    return action.kind != 'none', result, 0 if check_mode or action.kind == 'none' else 1
