#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: l7_policy
short_description: Manage one L7 policy (and its rules) of an Octavia listener
version_added: 0.1.0
description:
  - Creates, updates or deletes one L7 policy, found by I(name) within its listener, together with its
    rules. Rules are matched by content; when I(rules) is given, rules not listed are removed, and a changed
    rule is updated in place rather than deleted and re-created.
  - I(position) moves the policy; left out, a new policy goes last and an existing one stays where it is.
options:
  loadbalancer:
    description:
      - Name or ID of the load balancer.
    type: str
    required: true
  listener:
    description:
      - The listener within the load balancer, by name, as C(PROTOCOL:PORT) (for example C(HTTP:80)) or by ID.
        For I(state=absent) a missing load balancer or listener means there is nothing to remove.
    type: str
    required: true
  state:
    description:
      - C(absent) deletes the policy (with its rules).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.l7_policy_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: Send /api to the api pool
  lbaas.octavia.l7_policy:
    cloud: mycloud
    loadbalancer: app-lb
    listener: HTTP:80
    name: api
    action: REDIRECT_TO_POOL
    redirect_pool: api
    position: 1
    rules:
      - type: PATH
        compare_type: STARTS_WITH
        value: /api

- name: Redirect plain HTTP to HTTPS
  lbaas.octavia.l7_policy:
    cloud: mycloud
    loadbalancer: app-lb
    listener: http
    name: to-https
    action: REDIRECT_PREFIX
    redirect_prefix: https://app.example.com
    redirect_http_code: 301
    rules:
      - {type: PATH, compare_type: STARTS_WITH, value: /}
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
  - lbaas.octavia.results.plan
l7_policy:
  description: The policy as Octavia reports it after the change, with its rules in full (null once deleted).
  returned: always
  type: dict
  sample: {"id": "1dfd8486-810d-4207-aaa8-27a360448b7b", "name": "api", "action": "REDIRECT_TO_POOL", "position": 1,
           "rules": [{"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}]}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree


def main():
    argument_spec = schema.argspec(schema.MODULE_FIELDS['l7_policy'])
    argument_spec.update(
        loadbalancer=dict(type='str', required=True),
        listener=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    module = engine.new_module(argument_spec)

    def shape(job):
        listener = tree.find_listener(job.state, ref=module.params['listener']) if job.state.lb else None
        if not listener:
            return {'l7_policy': None}
        for pol in job.state.l7policies(listener['id']):
            if pol.get('name') == module.params['name']:
                return {'l7_policy': dict(pol, rules=job.state.rules(pol['id']))}
        return {'l7_policy': None}

    engine.main(module, spec.l7_policy_module, shape)


if __name__ == '__main__':
    main()
