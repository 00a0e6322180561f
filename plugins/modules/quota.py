#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: quota
short_description: Manage the Octavia quotas of a project (admin)
version_added: 0.1.0
description:
  - Sets the load-balancer limits of one project; only the limits given are managed.
  - I(state=absent) resets every limit of the project to Octavia's defaults (C([quotas]) in octavia.conf).
  - Octavia reports a project's effective limits (its own, else the defaults), so a project whose limits equal
    the defaults counts as absent. Check mode reports the change with a diff (C(--diff)); a re-run sends no
    write.
  - Needs an Octavia admin (the default policy lets only admins change quotas).
options:
  project:
    description:
      - Name or ID of the project. Left out, the project the cloud is scoped to.
      - A name is looked up in Keystone; a caller who may not read projects can give the ID.
    type: str
  state:
    description:
      - C(absent) resets the project's limits to the defaults; no limit may be given with it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.quota_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: At most two load balancers for the shop, members unlimited
  lbaas.octavia.quota:
    cloud: mycloud-admin
    project: shop
    load_balancer: 2
    member: -1

- name: Back to the defaults
  lbaas.octavia.quota:
    cloud: mycloud-admin
    project: shop
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.operation
quota:
  description: The project's limits after the change (in check mode, what they would be).
  returned: always
  type: dict
  sample: {"load_balancer": 2, "listener": -1, "pool": -1, "member": -1, "health_monitor": -1, "l7policy": -1,
           "l7rule": -1}
project_id:
  description: ID of the project.
  returned: always
  type: str
operation:
  description: What was done (in check mode, what would be done), C(update) or C(reset); null for
    nothing.
api_replans:
  description: Always 0.
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin_quota, admin_schema, engine


def main():
    argument_spec = admin_schema.argspec(admin_schema.QUOTA)
    argument_spec.update(
        project=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    module = engine.new_module(argument_spec)
    admin_quota.main(module)


if __name__ == '__main__':
    main()
