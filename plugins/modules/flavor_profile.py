#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: flavor_profile
short_description: Manage an Octavia flavor profile (admin)
version_added: 0.1.0
description:
  - Creates, updates or deletes one flavor profile, found by I(name), with the provider-specific settings a
    flavor (M(lbaas.octavia.flavor)) offers to load balancers.
  - Octavia refuses to change I(provider_name) or I(flavor_data) while a flavor uses the profile, and to delete
    it then; both fail before any change, naming the flavors.
  - Needs an Octavia admin (the default policy lets only admins manage flavor profiles).
  - Check mode reports the change with a diff (C(--diff)) and writes nothing; a re-run sends no write.
options:
  state:
    description:
      - C(absent) deletes the flavor profile.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.flavor_profile_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: A single-amphora profile
  lbaas.octavia.flavor_profile:
    cloud: mycloud-admin
    name: amphora-single
    provider_name: amphora
    flavor_data:
      loadbalancer_topology: SINGLE

- name: Remove it
  lbaas.octavia.flavor_profile:
    cloud: mycloud-admin
    name: amphora-single
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.operation
flavor_profile:
  description: The flavor profile as Octavia reports it after the change (null once deleted; unchanged in check
    mode).
  returned: always
  type: dict
  sample: {"id": "4c3e8e1a-50d1-4b8a-9f5b-9c0a2a7f3c11", "name": "amphora-single", "provider_name": "amphora",
           "flavor_data": "{\"loadbalancer_topology\": \"SINGLE\"}"}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, admin_schema, engine


def main():
    argument_spec = admin_schema.argspec(admin_schema.MODULE_FIELDS['flavor_profile'])
    argument_spec['state'] = dict(type='str', default='present', choices=['present', 'absent'])
    module = engine.new_module(argument_spec)
    admin.main(module, 'flavor_profile')


if __name__ == '__main__':
    main()
