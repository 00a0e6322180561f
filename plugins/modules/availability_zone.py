#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: availability_zone
short_description: Manage an Octavia availability zone (admin)
version_added: 0.1.0
description:
  - Creates, updates or deletes one availability zone, found by I(name) (its identity in Octavia). Load
    balancers use it through their I(availability_zone) option (M(lbaas.octavia.loadbalancer)).
  - Octavia cannot move a zone to another profile; a different I(availability_zone_profile) fails before any
    change.
  - Needs an Octavia admin.
  - Check mode reports the change with a diff (C(--diff)) and writes nothing; a re-run sends no write.
options:
  state:
    description:
      - C(absent) deletes the availability zone (Octavia refuses while load balancers use it).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.availability_zone_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: A zone users pick by name
  lbaas.octavia.availability_zone:
    cloud: mycloud-admin
    name: az1
    description: first rack
    availability_zone_profile: az1

- name: Remove it
  lbaas.octavia.availability_zone:
    cloud: mycloud-admin
    name: az1
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.operation
availability_zone:
  description: The availability zone as Octavia reports it after the change (null once deleted; unchanged in
    check mode).
  returned: always
  type: dict
  sample: {"name": "az1", "description": "first rack", "availability_zone_profile_id":
           "e4f0a1a5-2f4e-4f6a-a7a7-4cc2b1b7f2d0", "enabled": true}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, admin_schema, engine


def main():
    argument_spec = admin_schema.argspec(admin_schema.MODULE_FIELDS['availability_zone'])
    argument_spec['state'] = dict(type='str', default='present', choices=['present', 'absent'])
    module = engine.new_module(argument_spec)
    admin.main(module, 'availability_zone')


if __name__ == '__main__':
    main()
