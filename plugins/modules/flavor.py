#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: flavor
short_description: Manage an Octavia flavor (admin)
version_added: 0.1.0
description:
  - Creates, updates or deletes one flavor, found by I(name). Load balancers use it through their I(flavor)
    option (M(lbaas.octavia.loadbalancer)).
  - Octavia cannot move a flavor to another profile; a different I(flavor_profile) fails before any change.
  - Needs an Octavia admin.
  - Check mode reports the change with a diff (C(--diff)) and writes nothing; a re-run sends no write.
options:
  state:
    description:
      - C(absent) deletes the flavor (Octavia refuses while load balancers use it).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.flavor_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: A flavor users pick by name
  lbaas.octavia.flavor:
    cloud: mycloud-admin
    name: single
    description: one amphora, no standby
    flavor_profile: amphora-single

- name: Remove it
  lbaas.octavia.flavor:
    cloud: mycloud-admin
    name: single
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.operation
flavor:
  description: The flavor as Octavia reports it after the change (null once deleted; unchanged in check mode).
  returned: always
  type: dict
  sample: {"id": "0bd6e5e2-7f0c-4f4e-8c67-2b1bb3f8d5a4", "name": "single", "description": "one amphora",
           "flavor_profile_id": "4c3e8e1a-50d1-4b8a-9f5b-9c0a2a7f3c11", "enabled": true}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, admin_schema, engine


def main():
    argument_spec = admin_schema.argspec(admin_schema.MODULE_FIELDS['flavor'])
    argument_spec['state'] = dict(type='str', default='present', choices=['present', 'absent'])
    module = engine.new_module(argument_spec)
    admin.main(module, 'flavor')


if __name__ == '__main__':
    main()
