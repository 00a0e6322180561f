#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: availability_zone_profile
short_description: Manage an Octavia availability zone profile (admin)
version_added: 0.1.0
description:
  - Creates, updates or deletes one availability zone profile, found by I(name), with the provider-specific
    settings an availability zone (M(lbaas.octavia.availability_zone)) offers to load balancers.
  - Octavia refuses to change I(provider_name) or I(availability_zone_data) while a zone uses the profile, and
    to delete it then; both fail before any change, naming the zones.
  - Needs an Octavia admin.
  - Check mode reports the change with a diff (C(--diff)) and writes nothing; a re-run sends no write.
options:
  state:
    description:
      - C(absent) deletes the availability zone profile.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.availability_zone_profile_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: Amphorae in Nova's zone az1
  lbaas.octavia.availability_zone_profile:
    cloud: mycloud-admin
    name: az1
    provider_name: amphora
    availability_zone_data:
      compute_zone: az1

- name: Remove it
  lbaas.octavia.availability_zone_profile:
    cloud: mycloud-admin
    name: az1
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.operation
availability_zone_profile:
  description: The availability zone profile as Octavia reports it after the change (null once deleted;
    unchanged in check mode).
  returned: always
  type: dict
  sample: {"id": "e4f0a1a5-2f4e-4f6a-a7a7-4cc2b1b7f2d0", "name": "az1", "provider_name": "amphora",
           "availability_zone_data": "{\"compute_zone\": \"az1\"}"}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, admin_schema, engine


def main():
    argument_spec = admin_schema.argspec(admin_schema.MODULE_FIELDS['availability_zone_profile'])
    argument_spec['state'] = dict(type='str', default='present', choices=['present', 'absent'])
    module = engine.new_module(argument_spec)
    admin.main(module, 'availability_zone_profile')


if __name__ == '__main__':
    main()
