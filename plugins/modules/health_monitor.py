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
health_monitor:
  description: The health monitor as Octavia reports it after the change (null when there is none).
  returned: always
  type: dict
  sample: {"id": "8eebbade-fade-4fd8-a114-24b0c8911f40", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3}
plan:
  description: The operations planned (and, unless check mode, applied), in order.
  returned: always
  type: list
  elements: dict
api_requests:
  description: Requests made to Octavia by this task (reads, writes and polls).
  returned: always
  type: int
api_writes:
  description: Write requests (POST, PUT, DELETE) made to Octavia.
  returned: always
  type: int
api_retries:
  description: Requests tried again after a transient fault (502/503/504, connection failures and timeouts of
    reads; writes refused with 409 or 503 or that never reached Octavia), each after a backoff.
  returned: always
  type: int
api_replans:
  description: Writes of unknown outcome (sent, then a timeout, a reset or a 502/504) after which the state was
    read again and the rest planned anew instead of repeating the write.
  returned: always
  type: int
lock_cycles:
  description: Changes Octavia accepted, each one a PENDING_UPDATE cycle of the load balancer.
  returned: always
  type: int
planned_lock_cycles:
  description: Number of operations in the plan (what check mode predicts for lock_cycles).
  returned: when the load balancer exists
  type: int
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
