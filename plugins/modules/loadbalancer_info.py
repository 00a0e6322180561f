#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: loadbalancer_info
short_description: Read Octavia load balancers with their whole tree, health and an adoptable spec
version_added: 0.1.0
description:
  - Returns one load balancer (by name or ID) or all load balancers of the project, each with its listeners
    (with L7 policies and rules), pools (with members and health monitor), provisioning and operating status,
    Octavia's status tree, a health summary, and C(spec), the same tree in the shape
    M(lbaas.octavia.loadbalancer) takes, so an existing load balancer can be adopted as code.
options:
  name:
    description:
      - Name or ID of one load balancer. Left out, all load balancers of the project are returned.
    type: str
  status_tree:
    description:
      - Also fetch Octavia's status tree (one request per load balancer) into C(status).
    type: bool
    default: true
  include_stats:
    description:
      - Also fetch each load balancer's statistics (one request per load balancer) into C(stats).
    type: bool
    default: false
  providers:
    description:
      - Also list Octavia's providers into C(providers), each with the flavor and availability-zone capabilities
        it offers (the keys of M(lbaas.octavia.flavor_profile)'s I(flavor_data) and
        M(lbaas.octavia.availability_zone_profile)'s I(availability_zone_data)). Octavia lets only admins read the
        capabilities; for others they are null.
    type: bool
    default: false
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: Read one load balancer
  lbaas.octavia.loadbalancer_info:
    cloud: mycloud
    name: app-lb
  register: lb

- name: Fail unless every member is healthy
  ansible.builtin.assert:
    that: lb.loadbalancers[0].health.healthy
    fail_msg: "{{ lb.loadbalancers[0].health.unhealthy }}"

- name: Providers and what their flavors can set, and the statistics (as an admin)
  lbaas.octavia.loadbalancer_info:
    cloud: mycloud-admin
    name: app-lb
    include_stats: true
    providers: true
  register: lb_admin

- name: Adopt it as code (a no-op, since the spec describes what exists)
  lbaas.octavia.loadbalancer: "{{ lb.loadbalancers[0].spec | combine({'cloud': 'mycloud'}) }}"
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
loadbalancers:
  description: The load balancers found (an empty list when I(name) matches none).
  returned: always
  type: list
  elements: dict
  contains:
    listeners:
      description: Listeners in full, each with C(l7policies) in full (each with C(rules) in full).
      type: list
      elements: dict
    pools:
      description: Pools in full, each with C(members) in full and C(healthmonitor) (or null).
      type: list
      elements: dict
    stats:
      description: Octavia's statistics of the load balancer (C(active_connections), C(bytes_in), C(bytes_out),
        C(request_errors), C(total_connections)).
      type: dict
      returned: when include_stats is true
    status:
      description: Octavia's status tree (GET /v2/lbaas/loadbalancers/{id}/status).
      type: dict
      returned: when status_tree is true
    health:
      description: Health summary.
      type: dict
      contains:
        healthy:
          description: The LB is ACTIVE, nothing is in ERROR and every enabled member is ONLINE (NO_MONITOR in
            pools without a monitor).
          type: bool
        members:
          description: C(total), C(healthy) and counts C(by_status) of the enabled members.
          type: dict
        unhealthy:
          description: What is not healthy, one line each.
          type: list
          elements: str
    spec:
      description: The tree as options of M(lbaas.octavia.loadbalancer) (values equal to Octavia's defaults left
        out, pools referred to by name).
      type: dict
  sample: [{"id": "7accd31d-8a1e-4c48-babe-75811556e666", "name": "app-lb", "provisioning_status": "ACTIVE",
            "listeners": [], "pools": [], "health": {"healthy": true, "members": {"total": 0, "healthy": 0,
            "by_status": {}}, "unhealthy": []}, "spec": {"name": "app-lb", "vip_subnet_id": "...", "pools": [],
            "listeners": []}}]
providers:
  description: Octavia's providers.
  returned: when providers is true
  type: list
  elements: dict
  contains:
    name:
      description: Name of the provider (the load balancer's I(provider), a profile's I(provider_name)).
      type: str
    description:
      description: What the provider is.
      type: str
    flavor_capabilities:
      description: The flavor_data keys the provider offers, each with C(name) and C(description); null when the
        caller may not read them.
      type: list
      elements: dict
    availability_zone_capabilities:
      description: The availability_zone_data keys the provider offers, each with C(name) and C(description); null
        when the caller may not read them.
      type: list
      elements: dict
  sample: [{"name": "amphora", "description": "The Octavia Amphora driver.", "flavor_capabilities":
            [{"name": "loadbalancer_topology", "description": "The load balancer topology. One of: SINGLE - One
            amphora per load balancer. ACTIVE_STANDBY - Two amphora per load balancer."}],
            "availability_zone_capabilities": [{"name": "compute_zone", "description": "The compute availability
            zone."}]}]
api_writes:
  description: Always 0.
api_replans:
  description: Always 0.
lock_cycles:
  description: Always 0.
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, info


def main():
    module = engine.new_module(dict(name=dict(type='str'), status_tree=dict(type='bool', default=True),
                                    include_stats=dict(type='bool', default=False),
                                    providers=dict(type='bool', default=False)))
    info.main(module)


if __name__ == '__main__':
    main()
