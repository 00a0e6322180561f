#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: member
short_description: Manage the members of one pool of an Octavia load balancer, in one batch request
version_added: 0.1.0
description:
  - Adds, updates or removes pool members, identified by I(address) and I(protocol_port) within the pool
    (names are not needed, so members made elsewhere are adopted).
  - Give one member with I(address) and I(protocol_port), or several with I(members). New and changed members
    of a task go in one batch request (C(additive_only), one load balancer lock cycle), and only when
    something differs.
  - With I(mode=exact) the pool ends up with exactly the members listed; with I(mode=additive) (default)
    members not listed are kept. I(state=absent) removes the members listed and never others.
  - Each member removed is one C(DELETE) of the member the task read, by its ID (one lock cycle each). The
    whole member set is never sent, as that would also delete a member another run added after this task read
    the pool.
options:
  loadbalancer:
    description:
      - Name or ID of the load balancer.
    type: str
    required: true
  pool:
    description:
      - Name of the pool within the load balancer. It must exist for I(state=present); for I(state=absent) a
        missing load balancer or pool means there is nothing to remove.
    type: str
    required: true
  members:
    description:
      - Several members at once, instead of I(address) and the other single-member options.
    type: list
    elements: dict
    suboptions:
      # BEGIN GENERATED: members
      address:
        description:
        - IP address of the member (IPv4 or IPv6, compared in canonical form). With I(protocol_port) it identifies the
          member within its pool.
        type: str
        required: true
      protocol_port:
        description:
        - Port of the member.
        type: int
        required: true
      name:
        description:
        - Name of the member.
        type: str
      weight:
        description:
        - Weight, 0 to 256; 0 drains the member (no new connections).
        type: int
      admin_state_up:
        description:
        - 'Administrative state: C(false) disables the object without deleting it.'
        type: bool
      backup:
        description:
        - 'Backup member: only used when all other members are down.'
        - Needs Octavia API v2.1 or later; refused before any change on older clouds.
        type: bool
      monitor_address:
        description:
        - Alternate address for health checks.
        type: str
      monitor_port:
        description:
        - Alternate port for health checks.
        type: int
      subnet_id:
        description:
        - Subnet ID the member is reached on.
        - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true) re-creates
          the object.'
        type: str
      request_sriov:
        description:
        - Request an SR-IOV VF for the member port.
        - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true) re-creates
          the object.'
        - Needs Octavia API v2.30 or later; refused before any change on older clouds.
        type: bool
      tags:
        description:
        - Tags. Compared as a set; an empty list removes all tags.
        - Needs Octavia API v2.5 or later; refused before any change on older clouds.
        type: list
        elements: str
      # END GENERATED
  mode:
    description:
      - C(additive) keeps the members not listed; C(exact) removes them.
    type: str
    choices: [additive, exact]
    default: additive
  state:
    description:
      - C(absent) removes the members listed (by address and port).
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - Allow replacing members whose I(subnet_id) differs, or a named member whose address changed.
    type: bool
    default: false
  wait_for:
    description:
      - C(online) also waits until the enabled members of the pool are C(ONLINE) (C(NO_MONITOR) without a
        health monitor), and fails naming the ones that are not within I(timeout).
    type: str
    choices: [active, online]
    default: active
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.member_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: Register this host in pool web (run for every host; members are matched by address and port)
  lbaas.octavia.member:
    cloud: mycloud
    loadbalancer: app-lb
    pool: web
    address: "{{ ansible_host }}"
    protocol_port: 8080
    name: "{{ inventory_hostname }}"
  delegate_to: localhost

- name: Exactly these members, in one batch request, then wait until they are healthy
  lbaas.octavia.member:
    cloud: mycloud
    loadbalancer: app-lb
    pool: web
    mode: exact
    wait_for: online
    members: "{{ groups['web'] | map('extract', hostvars, 'ansible_host')
                 | map('community.general.dict_kv', 'address') | map('combine', {'protocol_port': 8080}) }}"
  run_once: true

- name: Drain a member
  lbaas.octavia.member:
    cloud: mycloud
    loadbalancer: app-lb
    pool: web
    address: 10.0.0.12
    protocol_port: 8080
    weight: 0
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
  - lbaas.octavia.results.plan
member:
  description: The member (when I(address) was given), as Octavia reports it after the change.
  returned: when address is given
  type: dict
  sample: {"id": "ba7e472e-b17d-4f89-b1ac-b635f7b6c2fe", "address": "10.0.0.12", "protocol_port": 8080, "weight": 0}
members:
  description: All members of the pool after the change.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.normalize import ip


def main():
    argument_spec = schema.argspec(schema.MODULE_FIELDS['member'])
    argument_spec.update(
        loadbalancer=dict(type='str', required=True),
        pool=dict(type='str', required=True),
        members=dict(type='list', elements='dict', options=schema.argspec(schema.MEMBER)),
        mode=dict(type='str', default='additive', choices=['additive', 'exact']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replace=dict(type='bool', default=False),
        wait_for=dict(type='str', default='active', choices=['active', 'online']),
    )
    module = engine.new_module(argument_spec, mutually_exclusive=[('address', 'members')],
                               required_one_of=[('address', 'members')],
                               required_together=[('address', 'protocol_port')])
    params = module.params

    def shape(job):
        pool = tree.find_pool(job.state, params['pool']) if job.state.lb else None
        members = job.state.members(pool['id']) if pool else []
        out = {'members': members}
        if params.get('address'):
            want = (ip(params['address']), params['protocol_port'])
            out['member'] = next((m for m in members if (ip(m['address']), m['protocol_port']) == want), None)
        return out

    engine.main(module, spec.member_module, shape,
                wait_for_filter=lambda pool, member: pool.get('name') == params['pool'])


if __name__ == '__main__':
    main()
