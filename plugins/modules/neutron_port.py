#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: neutron_port
short_description: An idempotent Neutron port with fixed addresses and a host binding
version_added: 0.1.0
description:
  - Creates, updates or deletes one Neutron port, found by I(name) within its network and project.
  - Only the options the task sets are compared and sent, and a port is updated only when one of them differs,
    so a re-run reports C(changed=false). I(fixed_ips) entries without an address are satisfied by the address
    the port already holds on that subnet (the one Neutron chose when the port was made), so the address
    stays put. This is what C(openstack.cloud.port) 2.x does not do (it sends I(fixed_ips) on every run and
    reports a change), and it can set the host binding (C(binding:host_id)), which that module cannot.
  - Made for the Octavia health-manager ports on the lb-mgmt network (device owner C(Octavia:health-mgr),
    bound to the host whose Open vSwitch agent plugs them), usable for any port.
  - Setting I(binding_host_id) needs Neutron's admin policy (by default the admin role).
options:
  name:
    description:
      - Name of the port; with the network and the project, how the port is found. Two ports of that name
        there are an error.
    type: str
    required: true
  network:
    description:
      - Name or ID of the port's network. A name is looked up in the port's project first, then among every
        network the credentials can see.
    type: str
    required: true
  project:
    description:
      - Name or ID of the project that owns the port (needs admin rights when it is not the credentials'
        project). Left out, the credentials' project. Security group names are looked up in this project.
    type: str
  fixed_ips:
    description:
      - The port's addresses, one entry per address. Left out, the addresses are not compared (Neutron picks
        one per subnet on creation).
      - The list is exact once given - an address the port holds that no entry asks for is removed.
    type: list
    elements: dict
    suboptions:
      subnet:
        description:
          - Name or ID of the subnet (of I(network)).
        type: str
        required: true
      ip_address:
        description:
          - The address. Left out, Neutron picks one from the allocation pool on creation, and any address the
            port already has on this subnet is kept.
        type: str
  security_groups:
    description:
      - Names or IDs of the port's security groups, compared as a set. An empty list removes them all. Left
        out, not compared (Neutron gives a new port the project's default group).
    type: list
    elements: str
  port_security_enabled:
    description:
      - Port security (anti-spoofing and security groups). Left out, not compared.
    type: bool
  admin_state_up:
    description:
      - Administrative state. Left out, not compared.
    type: bool
  device_owner:
    description:
      - Device owner, for example C(Octavia:health-mgr). Left out, not compared.
    type: str
  device_id:
    description:
      - Device ID. Left out, not compared.
    type: str
  binding_host_id:
    description:
      - Host the port is bound to (C(binding:host_id)), the C(host) the Neutron agent of that node reports
        (normally its hostname). An empty string unbinds the port. Left out, not compared.
    type: str
  description:
    description:
      - Description. Left out, not compared.
    type: str
  state:
    description:
      - C(present) creates or updates the port; C(absent) deletes it (a missing port or network is no change).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: Health-manager port of host network-1 on the lb-mgmt network, bound to that host
  lbaas.octavia.neutron_port:
    cloud: mycloud
    name: octavia-health-manager-network-1
    network: lb-mgmt-net
    project: service
    fixed_ips:
      - subnet: lb-mgmt-subnet
    security_groups: [lb-health-mgr-sec-grp]
    device_owner: Octavia:health-mgr
    binding_host_id: network-1
  register: hm_port

- name: Its address and MAC
  ansible.builtin.debug:
    msg: "{{ hm_port.port.fixed_ips[0].ip_address }} {{ hm_port.port.mac_address }}"

- name: A port with a chosen address
  lbaas.octavia.neutron_port:
    cloud: mycloud
    name: octavia-health-manager-network-2
    network: lb-mgmt-net
    fixed_ips:
      - subnet: lb-mgmt-subnet
        ip_address: 172.31.250.12

- name: Remove a port
  lbaas.octavia.neutron_port:
    cloud: mycloud
    name: octavia-health-manager-network-3
    network: lb-mgmt-net
    state: absent
'''

RETURN = r'''
port:
  description:
    - The port as it is after the task (openstacksdk attribute names). Null when I(state=absent), and in check
      mode when the port would be created.
  returned: always
  type: dict
  contains:
    id:
      description: Port ID.
      type: str
    name:
      description: Port name.
      type: str
    network_id:
      description: Network ID.
      type: str
    project_id:
      description: Owning project ID.
      type: str
    mac_address:
      description: MAC address.
      type: str
      sample: fa:16:3e:c1:0b:df
    fixed_ips:
      description: Addresses, each with C(subnet_id) and C(ip_address).
      type: list
      elements: dict
      sample: [{subnet_id: 117f862e-2cb0-4d32-9b14-8bbf3d2f1a8e, ip_address: 172.31.250.168}]
    binding_host_id:
      description: Host the port is bound to.
      type: str
    binding_vif_type:
      description: VIF type of the binding (C(ovs) once bound to an Open vSwitch agent, C(unbound) before).
      type: str
    device_owner:
      description: Device owner.
      type: str
    device_id:
      description: Device ID.
      type: str
    security_group_ids:
      description: Security group IDs.
      type: list
      elements: str
    status:
      description: C(ACTIVE) once an agent has plugged it, else C(DOWN).
      type: str
    description:
      description: Description.
      type: str
    is_admin_state_up:
      description: Administrative state.
      type: bool
    is_port_security_enabled:
      description: Port security.
      type: bool
diff:
  description: The fields the task changes (or would change in check mode), before and after.
  returned: when something changes
  type: dict
  contains:
    before:
      description: The values before.
      type: dict
    after:
      description: The values sent.
      type: dict
'''

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lbaas.octavia.plugins.module_utils import neutron_port as plan
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import connect
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.engine import auth_argspec
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError

try:
    from openstack import exceptions as sdk_exceptions
    HAS_SDK = True
except ImportError:  # pragma: no cover - reported by connect()
    HAS_SDK = False


class PortError(Exception):
    pass


def argument_spec():
    spec = auth_argspec()
    spec.pop('wait')
    spec.pop('timeout')
    spec.update(
        name=dict(type='str', required=True),
        network=dict(type='str', required=True),
        project=dict(type='str'),
        fixed_ips=dict(type='list', elements='dict', options=dict(
            subnet=dict(type='str', required=True),
            ip_address=dict(type='str'),
        )),
        security_groups=dict(type='list', elements='str'),
        port_security_enabled=dict(type='bool'),
        admin_state_up=dict(type='bool'),
        device_owner=dict(type='str'),
        device_id=dict(type='str'),
        binding_host_id=dict(type='str'),
        description=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    return spec


def _find_one(finder, ref, what, **filters):
    """finder(name_or_id, ignore_missing=True, **filters); a PortError names what is missing or ambiguous."""
    try:
        found = finder(ref, ignore_missing=True, **filters)
    except sdk_exceptions.DuplicateResource:
        raise PortError('%s %r is ambiguous: give its ID' % (what, ref))
    return found


def resolve(conn, params):
    """The wanted state with every reference turned into an ID. Returns (want, network or None)."""
    project_id = None
    if params.get('project'):
        project = _find_one(conn.identity.find_project, params['project'], 'project')
        if project is None:
            raise PortError('project %r not found' % params['project'])
        project_id = project.id
    owner = project_id or conn.current_project_id

    network = _find_one(conn.network.find_network, params['network'], 'network', project_id=owner)
    if network is None and not plan.UUID.match(params['network']):
        network = _find_one(conn.network.find_network, params['network'], 'network')
    want = dict(name=params['name'], project_id=project_id, owner=owner,
                network_id=network.id if network is not None else None)
    for option, dummy in plan.SCALARS:
        want[option] = params.get(option)
    if params['state'] == 'absent' or network is None:
        return want, network

    if params.get('fixed_ips') is not None:
        fixed = []
        for entry in params['fixed_ips']:
            subnet = _find_one(conn.network.find_subnet, entry['subnet'], 'subnet', network_id=network.id)
            if subnet is None:
                raise PortError('subnet %r not found on network %s' % (entry['subnet'], network.id))
            fixed.append((subnet.id, entry.get('ip_address') or None))
        want['fixed_ips'] = fixed
    if params.get('security_groups') is not None:
        ids = []
        for ref in params['security_groups']:
            group = _find_one(conn.network.find_security_group, ref, 'security group', project_id=owner)
            if group is None:
                raise PortError('security group %r not found in project %s' % (ref, owner))
            ids.append(group.id)
        want['security_group_ids'] = sorted(set(ids))
    return want, network


def find_port(conn, want):
    ports = list(conn.network.ports(name=want['name'], network_id=want['network_id'], project_id=want['owner']))
    if len(ports) > 1:
        raise PortError('%d ports named %r on network %s in project %s: remove the extra ones'
                        % (len(ports), want['name'], want['network_id'], want['owner']))
    return ports[0] if ports else None


def as_dict(port):
    return port.to_dict(computed=False) if hasattr(port, 'to_dict') else dict(port)


def run(module, conn):
    params = module.params
    want, network = resolve(conn, params)
    if network is None:
        if params['state'] == 'absent':
            return dict(changed=False, port=None)
        raise PortError('network %r not found' % params['network'])
    port = find_port(conn, want)

    if params['state'] == 'absent':
        if port is None:
            return dict(changed=False, port=None)
        if not module.check_mode:
            conn.network.delete_port(port.id, ignore_missing=True)
        return dict(changed=True, port=None, diff=dict(before=plan.port_result(as_dict(port)), after={}))

    if port is None:
        body = plan.create_body(want)
        if module.check_mode:
            return dict(changed=True, port=None, diff=dict(before={}, after=body))
        created = conn.network.create_port(**body)
        return dict(changed=True, port=plan.port_result(as_dict(created)), diff=dict(before={}, after=body))

    current = as_dict(port)
    update = plan.plan_update(want, current)
    if not update:
        return dict(changed=False, port=plan.port_result(current))
    changes = plan.diff(current, update)
    if module.check_mode:
        return dict(changed=True, port=plan.port_result(current), diff=changes)
    updated = conn.network.update_port(port.id, **update)
    return dict(changed=True, port=plan.port_result(as_dict(updated)), diff=changes)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    errors = plan.validate(module.params)
    if errors:
        module.fail_json(msg='; '.join(errors))
    try:
        conn = connect(module.params)
        result = run(module, conn)
    except (PortError, OctaviaModuleError) as exc:
        module.fail_json(msg=str(getattr(exc, 'msg', None) or exc))
    except Exception as exc:  # SDK and HTTP errors: report them, with the trace for -vvv
        module.fail_json(msg='%s: %s' % (type(exc).__name__, getattr(exc, 'msg', None) or exc),
                         exception=traceback.format_exc())
    module.exit_json(**result)


if __name__ == '__main__':
    main()
