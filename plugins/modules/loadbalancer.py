#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: loadbalancer
short_description: Converge a whole Octavia load balancer (listeners, pools, members, monitors, L7) in one task
version_added: 0.1.0
description:
  - Makes one load balancer match the given tree. An absent load balancer is created with one fully
    populated request and one wait. For an existing one only the differences are applied, in an order
    Octavia accepts, one load balancer lock cycle per change; the members of a pool change through one
    batch request, and only when they differ.
  - Load balancer, listeners, pools, members, health monitors and L7 policies are found by their natural
    keys within the load balancer (name; listener name or protocol and port; member address and port), never
    by project-wide name.
  - A collection left out (I(listeners), I(pools), a pool's I(members) or I(healthmonitor), a listener's
    I(l7policies)) is not managed; an option left out is not changed. A collection given is authoritative,
    what it does not list is removed.
  - Bad input, references to unknown pools, protocol combinations Octavia rejects, changes of create-only
    options and options newer than the cloud's Octavia API are refused before anything is changed, naming
    the option.
  - Check mode changes nothing and returns the plan; with C(--diff) the before/after of every object that
    changes is shown. Results carry the tree, the number of requests made to Octavia and the number of load
    balancer lock cycles.
  - Nothing the task did not read is deleted. Members are removed one C(DELETE) each, by the ID read, never
    by sending a whole member set (which would also delete members another run added meanwhile). A pool
    that a listener or L7 policy the task leaves alone still uses (for example I(pools) given without
    I(listeners)) is not deleted; the task fails before any change, naming the pool and what uses it.
  - Two listeners on one port of one L4 protocol (C(HTTP), C(HTTPS), C(TCP), C(TERMINATED_HTTPS) and
    C(PROMETHEUS) share the TCP port space; C(UDP) and C(SCTP) have their own) are refused before any
    change, also against listeners the task keeps.
  - Safe against a second run of the same task at the same time. A load balancer another change holds
    (C(PENDING_*)) is waited for before the task reads it; a create that Octavia refuses because another
    change holds the load balancer (409) is not repeated; the state is read again and the rest re-planned.
    Two runs that both created the load balancer each list it by name afterwards; all keep the same one
    (oldest C(created_at), then lowest ID) and the run whose load balancer is the other deletes its own and
    converges the one kept.
  - Several pools with one name (an interrupted I(replace), or two runs that created the same pool) are
    repaired. The one a listener or L7 policy uses is kept (the oldest of those, or the oldest of all when
    none is used), what uses the others is moved to it and the others are deleted.
options:
  state:
    description:
      - C(present) creates or converges the load balancer; C(absent) deletes it with everything in it
        (cascade).
      - A load balancer that is already being deleted (C(PENDING_DELETE), by another task or person) is
        waited for until it is gone. With C(absent) the task then reports C(changed=false) (this task did
        not delete it) and says so in C(msg); with C(present) it is created anew.
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - Allow re-creating objects whose create-only options differ (listener I(protocol)/I(protocol_port), pool
        I(protocol), health monitor I(type), member I(address)/I(subnet_id), the VIP options of the load balancer).
      - A pool is replaced without downtime for its listeners (new pool, listeners and L7 policies moved to it,
        old pool deleted). Replacing the load balancer deletes it and creates it again from the task, so it
        needs I(listeners) and I(pools) in the task.
      - A replace that was interrupted (task killed, API gone) leaves two pools with one name; the next run
        deletes the one nothing uses (the new one when listeners were not moved yet, else the old one) and,
        with I(replace=true), replaces again if needed.
    type: bool
    default: false
  wait_for:
    description:
      - C(active) waits for the provisioning status (I(wait)).
      - C(online) also waits, within I(timeout), until every enabled member of the load balancer's pools is
        C(ONLINE) (C(NO_MONITOR) in pools without a health monitor), for health-gated deploys. The module
        fails naming the members that are not.
    type: str
    choices: [active, online]
    default: active
  # BEGIN GENERATED: tree
  listeners:
    description:
    - 'Listeners of the load balancer. Left out: listeners are not managed. When given, listeners not listed are deleted.'
    type: list
    elements: dict
    suboptions:
      name:
        description:
        - Name of the listener. Within its load balancer a listener is found by name, or by I(protocol) and I(protocol_port)
          when no listener has that name.
        type: str
      description:
        description:
        - Description of the listener. An empty string clears it.
        type: str
      admin_state_up:
        description:
        - 'Administrative state: C(false) disables the object without deleting it.'
        type: bool
      protocol:
        description:
        - Protocol of the listener.
        - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true) re-creates
          the object.'
        - C(PROMETHEUS) needs Octavia API v2.25 or later.
        - C(SCTP) needs Octavia API v2.23 or later.
        type: str
        choices:
        - HTTP
        - HTTPS
        - TCP
        - TERMINATED_HTTPS
        - UDP
        - SCTP
        - PROMETHEUS
      protocol_port:
        description:
        - Port the listener listens on.
        - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true) re-creates
          the object.'
        type: int
      default_pool:
        description:
        - Name of the pool that gets the traffic no L7 policy redirects. An empty string detaches the default pool.
        type: str
      connection_limit:
        description:
        - Maximum number of connections, C(-1) for unlimited.
        type: int
      insert_headers:
        description:
        - 'Headers to insert into requests to the members, for example C({X-Forwarded-For: ''true''}). Values are
          compared as strings.'
        type: dict
      timeout_client_data:
        description:
        - Frontend client inactivity timeout in milliseconds.
        - Needs Octavia API v2.1 or later; refused before any change on older clouds.
        type: int
      timeout_member_connect:
        description:
        - Backend member connection timeout in milliseconds.
        - Needs Octavia API v2.1 or later; refused before any change on older clouds.
        type: int
      timeout_member_data:
        description:
        - Backend member inactivity timeout in milliseconds.
        - Needs Octavia API v2.1 or later; refused before any change on older clouds.
        type: int
      timeout_tcp_inspect:
        description:
        - Time in milliseconds to wait for more TCP packets for content inspection.
        - Needs Octavia API v2.1 or later; refused before any change on older clouds.
        type: int
      default_tls_container_ref:
        description:
        - Barbican secret (PKCS12) URI of the certificate of a C(TERMINATED_HTTPS) listener.
        type: str
      sni_container_refs:
        description:
        - Barbican secret URIs of additional SNI certificates. Compared as a set.
        type: list
        elements: str
      client_authentication:
        description:
        - TLS client authentication mode.
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: str
        choices:
        - NONE
        - OPTIONAL
        - MANDATORY
      client_ca_tls_container_ref:
        description:
        - Barbican secret URI of the CA certificate for client authentication.
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: str
      client_crl_container_ref:
        description:
        - Barbican secret URI of the client certificate revocation list.
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: str
      allowed_cidrs:
        description:
        - Source CIDRs allowed to connect (IPv4/IPv6, compared canonically as a set). An empty list allows everyone.
        - Needs Octavia API v2.12 or later; refused before any change on older clouds.
        type: list
        elements: str
      tls_ciphers:
        description:
        - OpenSSL cipher string for C(TERMINATED_HTTPS) listeners.
        - Needs Octavia API v2.15 or later; refused before any change on older clouds.
        type: str
      tls_versions:
        description:
        - TLS protocol versions accepted. Compared as a set.
        - Cannot be empty (Octavia refuses an empty list); leave it out to keep the current value.
        - Needs Octavia API v2.17 or later; refused before any change on older clouds.
        type: list
        elements: str
        choices:
        - SSLv3
        - TLSv1
        - TLSv1.1
        - TLSv1.2
        - TLSv1.3
      alpn_protocols:
        description:
        - ALPN protocols offered. Compared as a set.
        - Cannot be empty (Octavia refuses an empty list); leave it out to keep the current value.
        - Needs Octavia API v2.20 or later; refused before any change on older clouds.
        type: list
        elements: str
        choices:
        - http/1.0
        - http/1.1
        - h2
      hsts_max_age:
        description:
        - HSTS max-age in seconds (C(TERMINATED_HTTPS) only).
        - Needs Octavia API v2.27 or later; refused before any change on older clouds.
        type: int
      hsts_include_subdomains:
        description:
        - Add includeSubDomains to the HSTS header.
        - Needs Octavia API v2.27 or later; refused before any change on older clouds.
        type: bool
      hsts_preload:
        description:
        - Add preload to the HSTS header.
        - Needs Octavia API v2.27 or later; refused before any change on older clouds.
        type: bool
      tags:
        description:
        - Tags. Compared as a set; an empty list removes all tags.
        - Needs Octavia API v2.5 or later; refused before any change on older clouds.
        type: list
        elements: str
      l7policies:
        description:
        - 'L7 policies of the listener, in evaluation order. Left out: not managed; when given, policies not listed
          are removed.'
        type: list
        elements: dict
        suboptions:
          name:
            description:
            - Name of the policy, its identity within the listener (unnamed policies are matched by position).
            type: str
          description:
            description:
            - Description of the L7 policy. An empty string clears it.
            type: str
          admin_state_up:
            description:
            - 'Administrative state: C(false) disables the object without deleting it.'
            type: bool
          action:
            description:
            - What a matching request gets.
            - C(REDIRECT_PREFIX) needs Octavia API v2.9 or later.
            type: str
            choices:
            - REDIRECT_TO_POOL
            - REDIRECT_TO_URL
            - REDIRECT_PREFIX
            - REJECT
          redirect_pool:
            description:
            - Pool name for C(REDIRECT_TO_POOL).
            type: str
          redirect_url:
            description:
            - URL for C(REDIRECT_TO_URL).
            type: str
          redirect_prefix:
            description:
            - URL prefix for C(REDIRECT_PREFIX).
            type: str
          redirect_http_code:
            description:
            - HTTP status of redirects.
            - Needs Octavia API v2.9 or later; refused before any change on older clouds.
            type: int
            choices:
            - 301
            - 302
            - 303
            - 307
            - 308
          position:
            description:
            - Position of the policy in the listener, starting at 1. In a list of policies it defaults to the place
              in the list.
            type: int
          tags:
            description:
            - Tags. Compared as a set; an empty list removes all tags.
            - Needs Octavia API v2.5 or later; refused before any change on older clouds.
            type: list
            elements: str
          rules:
            description:
            - Rules of the policy (all must match). Matched by content; when given, rules not listed are removed.
            type: list
            elements: dict
            suboptions:
              type:
                description:
                - What the rule inspects.
                type: str
                choices:
                - COOKIE
                - FILE_TYPE
                - HEADER
                - HOST_NAME
                - PATH
                - SSL_CONN_HAS_CERT
                - SSL_VERIFY_RESULT
                - SSL_DN_FIELD
                required: true
              compare_type:
                description:
                - How I(value) is compared.
                type: str
                choices:
                - CONTAINS
                - ENDS_WITH
                - EQUAL_TO
                - REGEX
                - STARTS_WITH
                required: true
              key:
                description:
                - Header, cookie or DN field name (for C(HEADER), C(COOKIE), C(SSL_DN_FIELD)).
                type: str
              value:
                description:
                - Value to compare with.
                type: str
                required: true
              invert:
                description:
                - Invert the match.
                type: bool
              admin_state_up:
                description:
                - 'Administrative state: C(false) disables the object without deleting it.'
                type: bool
              tags:
                description:
                - Tags. Compared as a set; an empty list removes all tags.
                - Needs Octavia API v2.5 or later; refused before any change on older clouds.
                type: list
                elements: str
  pools:
    description:
    - 'Pools of the load balancer, each with its members and health monitor. Left out: pools are not managed. When
      given, pools not listed are deleted (after nothing refers to them).'
    type: list
    elements: dict
    suboptions:
      name:
        description:
        - Name of the pool, its identity within the load balancer. Listeners and L7 policies refer to pools by this
          name.
        type: str
        required: true
      description:
        description:
        - Description of the pool. An empty string clears it.
        type: str
      admin_state_up:
        description:
        - 'Administrative state: C(false) disables the object without deleting it.'
        type: bool
      protocol:
        description:
        - Protocol to the members.
        - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true) re-creates
          the object.'
        - C(PROXYV2) needs Octavia API v2.22 or later.
        - C(SCTP) needs Octavia API v2.23 or later.
        type: str
        choices:
        - HTTP
        - HTTPS
        - TCP
        - UDP
        - PROXY
        - PROXYV2
        - SCTP
      lb_algorithm:
        description:
        - Load-balancing algorithm.
        - C(SOURCE_IP_PORT) needs Octavia API v2.13 or later.
        type: str
        choices:
        - ROUND_ROBIN
        - LEAST_CONNECTIONS
        - SOURCE_IP
        - SOURCE_IP_PORT
      session_persistence:
        description:
        - Session persistence. An empty dict C({}) removes it.
        type: dict
        suboptions:
          type:
            description:
            - Persistence type.
            type: str
            choices:
            - SOURCE_IP
            - HTTP_COOKIE
            - APP_COOKIE
          cookie_name:
            description:
            - Cookie name, required for C(APP_COOKIE).
            type: str
          persistence_timeout:
            description:
            - Timeout in seconds (UDP and SCTP pools only).
            type: int
          persistence_granularity:
            description:
            - Netmask of the persistence granularity (UDP and SCTP pools only).
            type: str
      tls_enabled:
        description:
        - Use TLS towards the members (re-encryption).
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: bool
      tls_container_ref:
        description:
        - Barbican secret URI of the client certificate presented to the members.
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: str
      ca_tls_container_ref:
        description:
        - Barbican secret URI of the CA used to verify the members.
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: str
      crl_container_ref:
        description:
        - Barbican secret URI of the revocation list for member certificates.
        - Needs Octavia API v2.8 or later; refused before any change on older clouds.
        type: str
      tls_ciphers:
        description:
        - OpenSSL cipher string towards the members.
        - Needs Octavia API v2.15 or later; refused before any change on older clouds.
        type: str
      tls_versions:
        description:
        - TLS protocol versions towards the members. Compared as a set.
        - Cannot be empty (Octavia refuses an empty list); leave it out to keep the current value.
        - Needs Octavia API v2.18 or later; refused before any change on older clouds.
        type: list
        elements: str
        choices:
        - SSLv3
        - TLSv1
        - TLSv1.1
        - TLSv1.2
        - TLSv1.3
      alpn_protocols:
        description:
        - ALPN protocols towards the members. Compared as a set.
        - Cannot be empty (Octavia refuses an empty list); leave it out to keep the current value.
        - Needs Octavia API v2.24 or later; refused before any change on older clouds.
        type: list
        elements: str
        choices:
        - http/1.0
        - http/1.1
        - h2
      tags:
        description:
        - Tags. Compared as a set; an empty list removes all tags.
        - Needs Octavia API v2.5 or later; refused before any change on older clouds.
        type: list
        elements: str
      members:
        description:
        - 'Members of the pool, identified by I(address) and I(protocol_port). Left out: members are not managed.
          Changes go in one batch request, or one request per member when only a few members of a big pool change
          (Octavia spends time on a batch in proportion to the pool).'
        type: list
        elements: dict
        suboptions:
          address:
            description:
            - IP address of the member (IPv4 or IPv6, compared in canonical form). With I(protocol_port) it identifies
              the member within its pool.
            type: str
            required: true
          protocol_port:
            description:
            - Port of the member.
            type: int
            required: true
          name:
            description:
            - Name of the member.
            type: str
          weight:
            description:
            - Weight, 0 to 256; 0 drains the member (no new connections).
            type: int
          admin_state_up:
            description:
            - 'Administrative state: C(false) disables the object without deleting it.'
            type: bool
          backup:
            description:
            - 'Backup member: only used when all other members are down.'
            - Needs Octavia API v2.1 or later; refused before any change on older clouds.
            type: bool
          monitor_address:
            description:
            - Alternate address for health checks.
            type: str
          monitor_port:
            description:
            - Alternate port for health checks.
            type: int
          subnet_id:
            description:
            - Subnet ID the member is reached on.
            - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true)
              re-creates the object.'
            type: str
          request_sriov:
            description:
            - Request an SR-IOV VF for the member port.
            - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true)
              re-creates the object.'
            - Needs Octavia API v2.30 or later; refused before any change on older clouds.
            type: bool
          tags:
            description:
            - Tags. Compared as a set; an empty list removes all tags.
            - Needs Octavia API v2.5 or later; refused before any change on older clouds.
            type: list
            elements: str
      members_mode:
        description:
        - 'C(exact): members not listed are removed. C(additive): members not listed are kept.'
        type: str
        choices:
        - exact
        - additive
        default: exact
      healthmonitor:
        description:
        - 'The health monitor of the pool. Left out: not managed.'
        type: dict
        suboptions:
          type:
            description:
            - Type of health check.
            - 'Create-only: a different value on an existing object fails before any change, unless I(replace=true)
              re-creates the object.'
            - C(SCTP) needs Octavia API v2.23 or later.
            type: str
            choices:
            - HTTP
            - HTTPS
            - PING
            - TCP
            - TLS-HELLO
            - UDP-CONNECT
            - SCTP
          delay:
            description:
            - Seconds between checks.
            type: int
          resp_timeout:
            description:
            - Seconds a check waits for a reply (Octavia attribute C(timeout)); at most I(delay).
            type: int
          max_retries:
            description:
            - Successful checks before a member goes ONLINE (1 to 10).
            type: int
          max_retries_down:
            description:
            - Failed checks before a member goes ERROR (1 to 10).
            type: int
          http_method:
            description:
            - HTTP method of HTTP(S) checks.
            type: str
            choices:
            - CONNECT
            - DELETE
            - GET
            - HEAD
            - OPTIONS
            - PATCH
            - POST
            - PUT
            - TRACE
          url_path:
            description:
            - Path requested by HTTP(S) checks.
            type: str
          expected_codes:
            description:
            - 'Expected HTTP status codes: C(''200''), C(''200,202''), C(''200-204'').'
            type: str
          http_version:
            description:
            - HTTP version of HTTP(S) checks.
            - Needs Octavia API v2.10 or later; refused before any change on older clouds.
            type: float
            choices:
            - 1.0
            - 1.1
          domain_name:
            description:
            - Host header of HTTP(S) checks (needs I(http_version=1.1)).
            - Needs Octavia API v2.10 or later; refused before any change on older clouds.
            type: str
          admin_state_up:
            description:
            - 'Administrative state: C(false) disables the object without deleting it.'
            type: bool
          name:
            description:
            - Name of the health monitor.
            type: str
          tags:
            description:
            - Tags. Compared as a set; an empty list removes all tags.
            - Needs Octavia API v2.5 or later; refused before any change on older clouds.
            type: list
            elements: str
          state:
            description:
            - C(absent) removes the health monitor.
            type: str
            choices:
            - present
            - absent
            default: present
  # END GENERATED
extends_documentation_fragment:
  - lbaas.octavia.openstack
  - lbaas.octavia.openstack.loadbalancer
  - lbaas.octavia.loadbalancer_fields
  - lbaas.octavia.loadbalancer_vip_fields
author:
  - lbaas.octavia contributors (@lbaas-octavia)
'''

EXAMPLES = r'''
- name: A load balancer with two listeners, two pools, members, monitors and an L7 policy, in one task
  lbaas.octavia.loadbalancer:
    cloud: mycloud
    name: app-lb
    vip_subnet_id: 5bbc9ac8-0758-4219-a5bd-cf018938f49c
    listeners:
      - name: http
        protocol: HTTP
        protocol_port: 80
        default_pool: web
        insert_headers: {X-Forwarded-For: "true"}
        l7policies:
          - name: api
            action: REDIRECT_TO_POOL
            redirect_pool: api
            rules:
              - {type: PATH, compare_type: STARTS_WITH, value: /api}
      - name: metrics
        protocol: TCP
        protocol_port: 9100
        default_pool: api
    pools:
      - name: web
        protocol: HTTP
        lb_algorithm: ROUND_ROBIN
        members:
          - {address: 10.0.0.11, protocol_port: 8080}
          - {address: 10.0.0.12, protocol_port: 8080, weight: 2}
        healthmonitor: {type: HTTP, delay: 5, resp_timeout: 3, max_retries: 3, url_path: /healthz}
      - name: api
        protocol: HTTP
        lb_algorithm: LEAST_CONNECTIONS
        members: "{{ groups['api'] | map('extract', hostvars, 'ansible_host')
                     | map('community.general.dict_kv', 'address') | map('combine', {'protocol_port': 9000}) }}"
        healthmonitor: {type: TCP, delay: 5, resp_timeout: 3, max_retries: 3}
  register: lb

- name: Show what a change would do, without doing it (run with --check --diff)
  lbaas.octavia.loadbalancer:
    cloud: mycloud
    name: app-lb
    pools:
      - name: web
        members:
          - {address: 10.0.0.11, protocol_port: 8080}
  check_mode: true
  register: preview

- name: Change only the members of one pool; listeners and other pools are left alone (not given)
  lbaas.octavia.loadbalancer:
    cloud: mycloud
    name: app-lb
    pools:
      - name: web
        members_mode: additive
        members:
          - {address: 10.0.0.13, protocol_port: 8080}
    wait_for: online

- name: Delete the load balancer and everything in it
  lbaas.octavia.loadbalancer:
    cloud: mycloud
    name: app-lb
    state: absent
'''

RETURN = r'''
extends_documentation_fragment:
  - lbaas.octavia.results.counts
  - lbaas.octavia.results.lock_cycles
  - lbaas.octavia.results.plan
id:
  description: ID of the load balancer (null once deleted or when check mode would create it).
  returned: always
  type: str
  sample: 7accd31d-8a1e-4c48-babe-75811556e666
loadbalancer:
  description:
    - The load balancer as Octavia reports it after the change (before it, in check mode), with
      C(listeners) (each with C(l7policies), each with C(rules)) and C(pools) (each with C(members) and
      C(healthmonitor)) in full. Null when there is none.
  returned: always
  type: dict
  sample: {"id": "7accd31d-8a1e-4c48-babe-75811556e666", "name": "app-lb", "vip_address": "10.0.0.5",
           "provisioning_status": "ACTIVE", "operating_status": "ONLINE",
           "listeners": [{"name": "http", "protocol": "HTTP", "protocol_port": 80, "l7policies": []}],
           "pools": [{"name": "web", "members": [{"address": "10.0.0.11", "protocol_port": 8080}],
                      "healthmonitor": {"type": "HTTP"}}]}
floating_ip_address:
  description: The floating IP on the VIP port (null when check mode would create or associate it, or after I(state=absent)).
  returned: when I(floating_ip) is given
  type: str
  sample: 198.51.100.23
floating_ip:
  description:
    - What happened to the floating IP; C(action) is C(none), C(create), C(associate) or (I(state=absent))
      C(release), with C(id), C(network_id) and C(created_by_module), or C(released) (addresses).
  returned: when I(floating_ip) is given
  type: dict
neutron_writes:
  description: Number of Neutron writes the floating IP needed (0 on a re-run).
  returned: when I(floating_ip) is given
  type: int
  sample: 1
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree, vip
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import connect


def shape(job):
    lb = tree.full_tree(job.state)
    return {'loadbalancer': lb, 'id': lb['id'] if lb else None}


def main():
    argument_spec = schema.tree_argspec()
    argument_spec.update(schema.argspec(schema.VIP_REFS))
    argument_spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replace=dict(type='bool', default=False),
        wait_for=dict(type='str', default='active', choices=['active', 'online']),
    )
    module = engine.new_module(argument_spec)
    vip_options = vip.VipOptions(module, connect)
    engine.main(module, vip_options.build(spec.tree_from_params), vip_options.shape(shape))


if __name__ == '__main__':
    main()
