#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: pool
short_description: Manage one pool of an Octavia load balancer
version_added: 0.1.0
description:
  - Creates, updates or deletes one pool, found by I(name) within its load balancer.
  - Only the options given are managed (leaving out I(lb_algorithm) never reverts it). Listeners use the pool
    through their I(default_pool), L7 policies through I(redirect_pool); members and the health monitor are
    managed with M(lbaas.octavia.member) and M(lbaas.octavia.health_monitor), or all at once with
    M(lbaas.octavia.loadbalancer).
  - Changing I(protocol) fails before any change unless I(replace=true), which creates the new pool, moves
    the listeners and L7 policies using the old one to it and deletes the old one.
options:
  loadbalancer:
    description:
      - Name or ID of the load balancer the pool belongs to. It must exist (except for I(state=absent)).
    type: str
    required: true
  state:
    description:
      - C(absent) deletes the pool with its members and health monitor. A pool that a listener (default
        pool) or an L7 policy (redirect) still uses is not deleted; the task fails before any change, naming
        them. Point them at another pool first.
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - Allow replacing the pool when I(protocol) differs (members, health monitor and unmanaged options are
        carried over).
    type: bool
    default: false
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.pool_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: A pool with cookie persistence
  lbaas.octavia.pool:
    cloud: mycloud
    loadbalancer: app-lb
    name: web
    protocol: HTTP
    lb_algorithm: LEAST_CONNECTIONS
    session_persistence:
      type: APP_COOKIE
      cookie_name: SESSION

- name: Drop the persistence again
  lbaas.octavia.pool:
    cloud: mycloud
    loadbalancer: app-lb
    name: web
    session_persistence: {}
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
  - lbaas.octavia.results.plan
pool:
  description: The pool as Octavia reports it after the change (null once deleted).
  returned: always
  type: dict
  sample: {"id": "a61e03c1-9ab6-46a8-833b-142428795c43", "name": "web", "protocol": "HTTP",
           "lb_algorithm": "LEAST_CONNECTIONS", "provisioning_status": "ACTIVE"}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree


def main():
    argument_spec = schema.argspec(schema.MODULE_FIELDS['pool'])
    argument_spec.update(
        loadbalancer=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replace=dict(type='bool', default=False),
    )
    module = engine.new_module(argument_spec)

    def shape(job):
        return {'pool': tree.find_pool(job.state, module.params['name']) if job.state.lb else None}

    engine.main(module, spec.pool_module, shape)


if __name__ == '__main__':
    main()
