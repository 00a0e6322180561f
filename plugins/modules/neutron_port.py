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
  - Built on openstack.cloud's connection layer (C(OpenStackModule)), so the connection options, clouds.yaml,
    C(OS_*) variables and the errors are those of openstack.cloud's own modules.
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
  wait:
    description:
      - Accepted for openstack.cloud's common options; a port has nothing to wait for (Neutron answers with
        the port as it is), so it changes nothing.
    type: bool
    default: true
  timeout:
    description:
      - Accepted for openstack.cloud's common options; not used (see I(wait)).
    type: int
    default: 180
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

from ansible_collections.lbaas.octavia.plugins.module_utils import neutron_port as plan
from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule


class NeutronPortModule(OpenStackModule):
    """openstack.cloud's OpenStackModule supplies the connection options, the connection (self.conn) and the
    SDK error reporting; this class only finds the port and applies what plan (pure functions) decides."""

    argument_spec = dict(
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
    module_kwargs = dict(supports_check_mode=True)

    def _find_one(self, finder, ref, what, **filters):
        """finder(name_or_id, ignore_missing=True, **filters); ambiguity is an error naming what."""
        try:
            return finder(ref, ignore_missing=True, **filters)
        except self.sdk.exceptions.DuplicateResource:
            raise plan.PortError('%s %r is ambiguous: give its ID' % (what, ref))

    def resolve(self):
        """The wanted state with every reference turned into an ID. Returns (want, network or None)."""
        params, net = self.params, self.conn.network
        project_id = None
        if params.get('project'):
            project = self._find_one(self.conn.identity.find_project, params['project'], 'project')
            if project is None:
                raise plan.PortError('project %r not found' % params['project'])
            project_id = project.id
        owner = project_id or self.conn.current_project_id

        network = self._find_one(net.find_network, params['network'], 'network', project_id=owner)
        if network is None and not plan.UUID.match(params['network']):
            network = self._find_one(net.find_network, params['network'], 'network')
        want = dict(name=params['name'], project_id=project_id, owner=owner,
                    network_id=network.id if network is not None else None)
        for option, dummy in plan.SCALARS:
            want[option] = params.get(option)
        if params['state'] == 'absent' or network is None:
            return want, network

        if params.get('fixed_ips') is not None:
            fixed = []
            for entry in params['fixed_ips']:
                subnet = self._find_one(net.find_subnet, entry['subnet'], 'subnet', network_id=network.id)
                if subnet is None:
                    raise plan.PortError('subnet %r not found on network %s' % (entry['subnet'], network.id))
                fixed.append((subnet.id, entry.get('ip_address') or None))
            want['fixed_ips'] = fixed
        if params.get('security_groups') is not None:
            ids = []
            for ref in params['security_groups']:
                group = self._find_one(net.find_security_group, ref, 'security group', project_id=owner)
                if group is None:
                    raise plan.PortError('security group %r not found in project %s' % (ref, owner))
                ids.append(group.id)
            want['security_group_ids'] = sorted(set(ids))
        return want, network

    def find_port(self, want):
        ports = list(self.conn.network.ports(name=want['name'], network_id=want['network_id'],
                                             project_id=want['owner']))
        if len(ports) > 1:
            raise plan.PortError('%d ports named %r on network %s in project %s: remove the extra ones'
                                 % (len(ports), want['name'], want['network_id'], want['owner']))
        return ports[0] if ports else None

    def converge(self):
        want, network = self.resolve()
        present = self.params['state'] == 'present'
        if network is None:
            if not present:
                return dict(changed=False, port=None)
            raise plan.PortError('network %r not found' % self.params['network'])
        port = self.find_port(want)
        action = plan.decide(want, plan.as_dict(port) if port is not None else None, present)
        if action.kind == 'none':
            return dict(changed=False, port=action.result)
        if not self.check_mode:
            if action.kind == 'delete':
                self.conn.network.delete_port(port.id, ignore_missing=True)
            elif action.kind == 'create':
                action.result = plan.port_result(plan.as_dict(self.conn.network.create_port(**action.body)))
            else:
                action.result = plan.port_result(plan.as_dict(self.conn.network.update_port(port.id, **action.body)))
        return dict(changed=True, port=action.result, diff=action.diff)

    def run(self):
        errors = plan.validate(self.params)
        if errors:
            self.fail_json(msg='; '.join(errors))
        try:
            self.exit_json(**self.converge())
        except plan.PortError as exc:
            self.fail_json(msg=str(exc))


def main():
    module = NeutronPortModule()
    module()


if __name__ == '__main__':
    main()
