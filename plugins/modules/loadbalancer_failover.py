#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: loadbalancer_failover
short_description: Fail over an Octavia load balancer or one of its amphorae (admin)
version_added: 0.1.0
description:
  - Fails over the load balancer I(name) (Octavia rebuilds all its amphorae) or, with I(amphora), one of its
    amphorae, then waits until the load balancer is ACTIVE again.
  - An action, not a state; every run fails over (C(changed=true)). Check mode reads the load balancer and
    the amphora and says what would be failed over.
  - Fails before any change when the load balancer does not exist or is being deleted, or the amphora is not
    one of its amphorae. A load balancer locked by another change is waited for.
  - Needs an Octavia admin (the default policy lets only admins fail over).
options:
  name:
    description:
      - Name or ID of the load balancer.
    type: str
    required: true
  amphora:
    description:
      - ID of one amphora of the load balancer to fail over instead of the whole load balancer.
    type: str
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: Rebuild the amphorae of app-lb (for example after a new amphora image)
  lbaas.octavia.loadbalancer_failover:
    cloud: mycloud-admin
    name: app-lb
  register: failover

- name: How long it took
  ansible.builtin.debug:
    msg: "{{ failover.msg }} in {{ failover.seconds }} s"
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
msg:
  description: What was (in check mode, would be) failed over.
  returned: always
  type: str
failed_over:
  description: C(loadbalancer) or C(amphora).
  returned: always
  type: str
loadbalancer:
  description: The load balancer after the failover (before it in check mode or with I(wait=false)).
  returned: always
  type: dict
amphora:
  description: The amphora given by I(amphora), as it was before the failover.
  returned: always
  type: dict
amphorae:
  description: The load balancer's amphorae after the failover.
  returned: when wait is true and not in check mode
  type: list
  elements: dict
seconds:
  description: Seconds from the failover request until the load balancer was ACTIVE again.
  returned: unless check mode
  type: float
api_writes:
  description: 1 (the failover request), 0 in check mode.
api_replans:
  description: Always 0.
lock_cycles:
  description: 1 (the failover puts the load balancer through one PENDING_UPDATE cycle), 0 in check mode.
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, failover


def main():
    module = engine.new_module(dict(name=dict(type='str', required=True), amphora=dict(type='str')))
    failover.main(module)


if __name__ == '__main__':
    main()
