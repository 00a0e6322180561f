#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: health_monitor
short_description: Manage the health monitor of one pool of an Octavia load balancer
version_added: 0.1.0
description:
  - A pool has at most one health monitor; this module creates, updates or deletes it.
  - Only the options given are managed. Changing I(type) fails before any change unless I(replace=true).
  - The module waits for the load balancer (not the monitor) after the change, so the next task does not
    run into a locked load balancer; deleting waits as well.
options:
  loadbalancer:
    description:
      - Name or ID of the load balancer.
    type: str
    required: true
  pool:
    description:
      - Name of the pool within the load balancer. For I(state=absent) a missing load balancer or pool means
        there is nothing to remove.
    type: str
    required: true
  state:
    description:
      - C(absent) deletes the pool's health monitor.
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - Allow deleting and re-creating the monitor when I(type) differs.
    type: bool
    default: false
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.health_monitor_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: HTTP health check with a Host header
  lbaas.octavia.health_monitor:
    cloud: mycloud
    loadbalancer: app-lb
    pool: web
    type: HTTP
    delay: 5
    resp_timeout: 3
    max_retries: 3
    url_path: /healthz
    expected_codes: "200,204"
    http_version: 1.1
    domain_name: app.example.com
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
  - lbaas.octavia.results.plan
health_monitor:
  description: The health monitor as Octavia reports it after the change (null when there is none).
  returned: always
  type: dict
  sample: {"id": "8eebbade-fade-4fd8-a114-24b0c8911f40", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3}
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree


def main():
    argument_spec = schema.argspec(schema.MODULE_FIELDS['health_monitor'])
    argument_spec.update(
        loadbalancer=dict(type='str', required=True),
        pool=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replace=dict(type='bool', default=False),
    )
    module = engine.new_module(argument_spec)

    def shape(job):
        pool = tree.find_pool(job.state, module.params['pool']) if job.state.lb else None
        return {'health_monitor': job.state.healthmonitor(pool.get('healthmonitor_id')) if pool else None}

    engine.main(module, spec.health_monitor_module, shape)


if __name__ == '__main__':
    main()
