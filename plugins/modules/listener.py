#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: listener
short_description: Manage one listener of an Octavia load balancer
version_added: 0.1.0
description:
  - Creates, updates or deletes one listener, found within its load balancer by I(name), or by I(protocol)
    and I(protocol_port) when no listener has that name (never by project-wide name).
  - Only the options given are managed; every updatable option is updated in place with one request and
    one load balancer lock cycle. Changing I(protocol) or I(protocol_port) fails before any change unless
    I(replace=true).
  - For a whole load balancer in one task use M(lbaas.octavia.loadbalancer); this module is the same engine
    for playbooks that build step by step.
options:
  loadbalancer:
    description:
      - Name or ID of the load balancer the listener belongs to. It must exist (except for I(state=absent)).
    type: str
    required: true
  state:
    description:
      - C(absent) deletes the listener (with its L7 policies).
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - Allow deleting and re-creating the listener when I(protocol) or I(protocol_port) differ (its L7 policies
        and unmanaged options are carried over).
    type: bool
    default: false
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.listener_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: An HTTP listener whose traffic goes to pool web
  lbaas.octavia.listener:
    cloud: mycloud
    loadbalancer: app-lb
    name: http
    protocol: HTTP
    protocol_port: 80
    default_pool: web
    timeout_client_data: 30000
    insert_headers:
      X-Forwarded-For: "true"
    allowed_cidrs: [10.0.0.0/8, "2001:db8::/32"]

- name: Remove it
  lbaas.octavia.listener:
    cloud: mycloud
    loadbalancer: app-lb
    name: http
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
  - lbaas.octavia.results.plan
listener:
  description: The listener as Octavia reports it after the change (null once deleted).
  returned: always
  type: dict
  sample: {"id": "6b7a5e81-29f5-46f5-9f0d-de913959cab2", "name": "http", "protocol": "HTTP", "protocol_port": 80,
           "default_pool_id": "a61e03c1-9ab6-46a8-833b-142428795c43", "provisioning_status": "ACTIVE"}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree


def main():
    argument_spec = schema.argspec(schema.MODULE_FIELDS['listener'])
    argument_spec.update(
        loadbalancer=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replace=dict(type='bool', default=False),
    )
    module = engine.new_module(argument_spec)
    params = module.params

    def shape(job):
        if not job.state.lb:
            return {'listener': None}
        return {'listener': tree.find_listener(job.state, params['name'], params['protocol'], params['protocol_port'])}

    engine.main(module, spec.listener_module, shape)


if __name__ == '__main__':
    main()
