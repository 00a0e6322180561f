# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every option of the load-balancer objects, once.

The argument specs, the module documentation (scripts/gen-module-docs.py), the version gates, the
create-only checks and the normalisation all read these tables, so they cannot drift apart.

A field is a dict:
  name         option name                       api            Octavia attribute (default: name)
  type         str|int|bool|float|list|dict      elements       list element type
  choices      allowed values                    options        sub-fields (dict or list of dicts)
  create_only  cannot change after create        min_version    Octavia API version that added it
  value_versions  {value: version} for values added later (e.g. SOURCE_IP_PORT: 2.13)
  norm         normaliser (see normalize.py)     ref            'pool': a pool name resolved to its id
  api_default  what Octavia stores when the option is left out (loadbalancer_info omits these)
  default      what the module sets when the option is left out
  range        (low, high) of an int option, None for no bound (refused before any request)
  id           the value must be an ID (a UUID): names are not looked up for it
  desc         documentation lines
  nonempty     an empty list is refused (Octavia rejects it)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

# Octavia's limit for the listener timeouts (octavia/common/constants.py MAX_TIMEOUT), in milliseconds.
MAX_TIMEOUT_MS = 24 * 24 * 60 * 60 * 1000
PORT = (1, 65535)


def F(name, type='str', desc=None, **kw):
    field = dict(name=name, type=type, desc=desc or [])
    field.update(kw)
    field.setdefault('api', name)
    return field


def copy_fields(flds, **changes):
    """Fields with per-name overrides, e.g. making name optional for a module that finds objects otherwise."""
    out = []
    for f in flds:
        f = copy.deepcopy(f)
        f.update(changes.get(f['name'], {}))
        out.append(f)
    return out


ADMIN_STATE = F('admin_state_up', 'bool', ['Administrative state: C(false) disables the object without deleting it.'],
                api_default=True)
TAGS = F('tags', 'list', ['Tags. Compared as a set; an empty list removes all tags.'], elements='str',
         min_version='2.5', norm='set', api_default=[])


def _description(what):
    return F('description', 'str', ['Description of the %s. An empty string clears it.' % what], norm='text', api_default='')


LOADBALANCER = [
    F('name', 'str', ['Name of the load balancer, its identity within the project (names must be unique there).'],
      required=True),
    _description('load balancer'),
    ADMIN_STATE,
    F('vip_subnet_id', 'str', ['ID of the subnet the VIP is allocated from (I(vip_subnet) takes a name).'],
      create_only=True, id=True),
    F('vip_network_id', 'str', ['ID of the network the VIP is allocated from.'], create_only=True, id=True),
    F('vip_port_id', 'str', ['ID of an existing Neutron port to use as the VIP.'], create_only=True, id=True),
    F('vip_address', 'str', ['Fixed VIP address (IPv4 or IPv6, compared in canonical form).'],
      create_only=True, norm='ip'),
    F('vip_qos_policy_id', 'str', ['ID of the Neutron QoS policy applied to the VIP port.'], id=True),
    F('vip_sg_ids', 'list', ['Security group IDs applied to the VIP port (instead of the ones Octavia manages).',
                             'Cannot be combined with I(allowed_cidrs) on listeners.'],
      elements='str', min_version='2.29', norm='set', api_default=[]),
    F('additional_vips', 'list', ['Additional VIPs, each on its own subnet.'], elements='dict',
      create_only=True, min_version='2.26', norm='vips', api_default=[],
      options=[F('subnet_id', 'str', ['Subnet ID of the additional VIP.'], required=True, id=True),
               F('ip_address', 'str', ['Fixed address of the additional VIP.'], norm='ip')]),
    F('flavor', 'str', ['Octavia flavor, by name or ID.'], api='flavor_id', create_only=True, min_version='2.6'),
    F('availability_zone', 'str', ['Octavia availability zone name.'], create_only=True, min_version='2.14'),
    F('provider', 'str', ['Provider driver (for example C(amphora), C(ovn)).'], create_only=True),
    TAGS,
]

LISTENER = [
    F('name', 'str', ['Name of the listener. Within its load balancer a listener is found by name, or by',
                      'I(protocol) and I(protocol_port) when no listener has that name.']),
    _description('listener'),
    ADMIN_STATE,
    F('protocol', 'str', ['Protocol of the listener.'], create_only=True,
      choices=['HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS', 'UDP', 'SCTP', 'PROMETHEUS'],
      value_versions={'SCTP': '2.23', 'PROMETHEUS': '2.25'}),
    F('protocol_port', 'int', ['Port the listener listens on.'], create_only=True, range=PORT),
    F('default_pool', 'str', ['Name of the pool that gets the traffic no L7 policy redirects. An empty string',
                              'detaches the default pool.'], api='default_pool_id', ref='pool'),
    F('connection_limit', 'int', ['Maximum number of connections, C(-1) for unlimited.'], api_default=-1,
      range=(-1, None)),
    F('insert_headers', 'dict', ['Headers to insert into requests to the members, for example',
                                 "C({X-Forwarded-For: 'true'}). Values are compared as strings."],
      norm='headers', api_default={}),
    F('timeout_client_data', 'int', ['Frontend client inactivity timeout in milliseconds.'],
      min_version='2.1', api_default=50000, range=(0, MAX_TIMEOUT_MS)),
    F('timeout_member_connect', 'int', ['Backend member connection timeout in milliseconds.'],
      min_version='2.1', api_default=5000, range=(0, MAX_TIMEOUT_MS)),
    F('timeout_member_data', 'int', ['Backend member inactivity timeout in milliseconds.'],
      min_version='2.1', api_default=50000, range=(0, MAX_TIMEOUT_MS)),
    F('timeout_tcp_inspect', 'int', ['Time in milliseconds to wait for more TCP packets for content inspection.'],
      min_version='2.1', api_default=0, range=(0, MAX_TIMEOUT_MS)),
    F('default_tls_container_ref', 'str', ['Barbican secret (PKCS12) URI of the certificate of a',
                                           'C(TERMINATED_HTTPS) listener.']),
    F('sni_container_refs', 'list', ['Barbican secret URIs of additional SNI certificates. Compared as a set.'],
      elements='str', norm='set', api_default=[]),
    F('client_authentication', 'str', ['TLS client authentication mode.'], min_version='2.8',
      choices=['NONE', 'OPTIONAL', 'MANDATORY'], api_default='NONE'),
    F('client_ca_tls_container_ref', 'str', ['Barbican secret URI of the CA certificate for client authentication.'],
      min_version='2.8'),
    F('client_crl_container_ref', 'str', ['Barbican secret URI of the client certificate revocation list.'],
      min_version='2.8'),
    F('allowed_cidrs', 'list', ['Source CIDRs allowed to connect (IPv4/IPv6, compared canonically as a set).',
                                'An empty list allows everyone.'],
      elements='str', min_version='2.12', norm='cidrs', api_default=[]),
    F('tls_ciphers', 'str', ['OpenSSL cipher string for C(TERMINATED_HTTPS) listeners.'], min_version='2.15'),
    F('tls_versions', 'list', ['TLS protocol versions accepted. Compared as a set.'], elements='str',
      choices=['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], min_version='2.17', norm='set', nonempty=True),
    F('alpn_protocols', 'list', ['ALPN protocols offered. Compared as a set.'], elements='str',
      choices=['http/1.0', 'http/1.1', 'h2'], min_version='2.20', norm='set', nonempty=True),
    F('hsts_max_age', 'int', ['HSTS max-age in seconds (C(TERMINATED_HTTPS) only).'], min_version='2.27',
      range=(0, None)),
    F('hsts_include_subdomains', 'bool', ['Add includeSubDomains to the HSTS header.'], min_version='2.27',
      api_default=False),
    F('hsts_preload', 'bool', ['Add preload to the HSTS header.'], min_version='2.27', api_default=False),
    TAGS,
]

POOL = [
    F('name', 'str', ['Name of the pool, its identity within the load balancer. Listeners and L7 policies',
                      'refer to pools by this name.'], required=True),
    _description('pool'),
    ADMIN_STATE,
    F('protocol', 'str', ['Protocol to the members.'], create_only=True,
      choices=['HTTP', 'HTTPS', 'TCP', 'UDP', 'PROXY', 'PROXYV2', 'SCTP'],
      value_versions={'PROXYV2': '2.22', 'SCTP': '2.23'}),
    F('lb_algorithm', 'str', ['Load-balancing algorithm.'],
      choices=['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'],
      value_versions={'SOURCE_IP_PORT': '2.13'}),
    F('session_persistence', 'dict', ['Session persistence. An empty dict C({}) removes it.'], norm='sp', options=[
        F('type', 'str', ['Persistence type.'], choices=['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE']),
        F('cookie_name', 'str', ['Cookie name, required for C(APP_COOKIE).']),
        F('persistence_timeout', 'int', ['Timeout in seconds (UDP and SCTP pools only).'], range=(0, None)),
        F('persistence_granularity', 'str', ['Netmask of the persistence granularity (UDP and SCTP pools only).']),
    ]),
    F('tls_enabled', 'bool', ['Use TLS towards the members (re-encryption).'], min_version='2.8', api_default=False),
    F('tls_container_ref', 'str', ['Barbican secret URI of the client certificate presented to the members.'],
      min_version='2.8'),
    F('ca_tls_container_ref', 'str', ['Barbican secret URI of the CA used to verify the members.'], min_version='2.8'),
    F('crl_container_ref', 'str', ['Barbican secret URI of the revocation list for member certificates.'],
      min_version='2.8'),
    F('tls_ciphers', 'str', ['OpenSSL cipher string towards the members.'], min_version='2.15'),
    F('tls_versions', 'list', ['TLS protocol versions towards the members. Compared as a set.'], elements='str',
      choices=['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], min_version='2.18', norm='set', nonempty=True),
    F('alpn_protocols', 'list', ['ALPN protocols towards the members. Compared as a set.'], elements='str',
      choices=['http/1.0', 'http/1.1', 'h2'], min_version='2.24', norm='set', nonempty=True),
    TAGS,
]

MEMBER = [
    F('address', 'str', ['IP address of the member (IPv4 or IPv6, compared in canonical form). With',
                         'I(protocol_port) it identifies the member within its pool.'], required=True, norm='ip'),
    F('protocol_port', 'int', ['Port of the member.'], required=True, range=PORT),
    F('name', 'str', ['Name of the member.'], norm='text', api_default=''),
    F('weight', 'int', ['Weight, 0 to 256; 0 drains the member (no new connections).'], api_default=1,
      range=(0, 256)),
    ADMIN_STATE,
    F('backup', 'bool', ['Backup member: only used when all other members are down.'], min_version='2.1',
      api_default=False),
    F('monitor_address', 'str', ['Alternate address for health checks.'], norm='ip'),
    F('monitor_port', 'int', ['Alternate port for health checks.'], range=PORT),
    F('subnet_id', 'str', ['Subnet ID the member is reached on.'], create_only=True, id=True),
    F('request_sriov', 'bool', ['Request an SR-IOV VF for the member port.'], create_only=True, min_version='2.30',
      api='vnic_type', api_write='request_sriov', norm='sriov', api_default=False),
    TAGS,
]

HEALTH_MONITOR = [
    F('type', 'str', ['Type of health check.'], create_only=True,
      choices=['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'],
      value_versions={'SCTP': '2.23'}),
    F('delay', 'int', ['Seconds between checks.'], range=(0, None)),
    F('resp_timeout', 'int', ['Seconds a check waits for a reply (Octavia attribute C(timeout)); at most I(delay).'],
      api='timeout', range=(0, None)),
    F('max_retries', 'int', ['Successful checks before a member goes ONLINE (1 to 10).'], range=(1, 10)),
    F('max_retries_down', 'int', ['Failed checks before a member goes ERROR (1 to 10).'], api_default=3,
      range=(1, 10)),
    F('http_method', 'str', ['HTTP method of HTTP(S) checks.'],
      choices=['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']),
    F('url_path', 'str', ['Path requested by HTTP(S) checks.']),
    F('expected_codes', 'str', ["Expected HTTP status codes: C('200'), C('200,202'), C('200-204')."], norm='codes'),
    F('http_version', 'float', ['HTTP version of HTTP(S) checks.'], choices=[1.0, 1.1], min_version='2.10'),
    F('domain_name', 'str', ['Host header of HTTP(S) checks (needs I(http_version=1.1)).'], min_version='2.10'),
    ADMIN_STATE,
    F('name', 'str', ['Name of the health monitor.'], norm='text', api_default=''),
    TAGS,
]

L7_RULE = [
    F('type', 'str', ['What the rule inspects.'], required=True,
      choices=['COOKIE', 'FILE_TYPE', 'HEADER', 'HOST_NAME', 'PATH', 'SSL_CONN_HAS_CERT', 'SSL_VERIFY_RESULT',
               'SSL_DN_FIELD']),
    F('compare_type', 'str', ['How I(value) is compared.'], required=True,
      choices=['CONTAINS', 'ENDS_WITH', 'EQUAL_TO', 'REGEX', 'STARTS_WITH']),
    F('key', 'str', ['Header, cookie or DN field name (for C(HEADER), C(COOKIE), C(SSL_DN_FIELD)).'], no_log=False),
    F('value', 'str', ['Value to compare with.'], required=True),
    F('invert', 'bool', ['Invert the match.'], api_default=False),
    ADMIN_STATE,
    TAGS,
]

L7_POLICY = [
    F('name', 'str', ['Name of the policy, its identity within the listener (unnamed policies are matched by',
                      'position).']),
    _description('L7 policy'),
    ADMIN_STATE,
    F('action', 'str', ['What a matching request gets.'],
      choices=['REDIRECT_TO_POOL', 'REDIRECT_TO_URL', 'REDIRECT_PREFIX', 'REJECT'],
      value_versions={'REDIRECT_PREFIX': '2.9'}),
    F('redirect_pool', 'str', ['Pool name for C(REDIRECT_TO_POOL).'], api='redirect_pool_id', ref='pool'),
    F('redirect_url', 'str', ['URL for C(REDIRECT_TO_URL).']),
    F('redirect_prefix', 'str', ['URL prefix for C(REDIRECT_PREFIX).']),
    F('redirect_http_code', 'int', ['HTTP status of redirects.'], choices=[301, 302, 303, 307, 308],
      min_version='2.9'),
    F('position', 'int', ['Position of the policy in the listener, starting at 1. In a list of policies it',
                          'defaults to the place in the list.'], range=(1, None)),
    TAGS,
    F('rules', 'list', ['Rules of the policy (all must match). Matched by content; when given, rules not listed',
                        'are removed.'], elements='dict', options=L7_RULE, tree=True),
]

# The loadbalancer module's VIP by name (plugins/module_utils/octavia/vip.py resolves them into the *_id
# options above through Neutron, so they are not load-balancer fields) and its floating IP (floating_ip.py).
VIP_REFS = [
    F('vip_network', 'str', ['Name or ID of the network the VIP is allocated from, instead of I(vip_network_id).',
                             'Names are resolved through Neutron (one list request for all the networks of a task);',
                             'a name that matches no network, or several, fails before any change.'],
      create_only=True),
    F('vip_subnet', 'str', ['Name or ID of the VIP subnet, instead of I(vip_subnet_id); with I(vip_network) or',
                            'I(vip_network_id) only that network\'s subnets are considered.'], create_only=True),
    F('vip_port', 'str', ['Name or ID of an existing Neutron port to use as the VIP, instead of I(vip_port_id).'],
      create_only=True),
    F('vip_qos_policy', 'str', ['Name or ID of the QoS policy of the VIP port, instead of I(vip_qos_policy_id).']),
    F('vip_security_groups', 'list', ['Names or IDs of the security groups of the VIP port, instead of',
                                      'I(vip_sg_ids) (one list request for all of them).'],
      elements='str', min_version='2.29'),
    F('floating_ip', 'dict', ['A floating IP on the VIP port, reported as C(floating_ip_address). Associated',
                              'once; a re-run with one already on the VIP port writes nothing, and a different one',
                              'there is an error, never replaced. With I(state=absent) the floating IPs this',
                              'module created for the load balancer (marked in their description) are released;',
                              'one given by I(address) is only disassociated (with the VIP port).',
                              'The VIP port must be a real Neutron port (not with Octavia\'s noop network driver).'],
      options=[F('network', 'str', ['Name or ID of the external network to allocate a new floating IP from.']),
               F('address', 'str', ['An existing, free floating IP of the project to associate.'])]),
]

# Objects that nest in the loadbalancer tree (and the pool/listener modules' sub-options).
HEALTH_MONITOR_TREE = HEALTH_MONITOR + [
    F('state', 'str', ['C(absent) removes the health monitor.'], choices=['present', 'absent'], default='present',
      tree=True),
]
MEMBERS_OPTION = F('members', 'list', ['Members of the pool, identified by I(address) and I(protocol_port).',
                                       'Left out: members are not managed. Changes go in one batch request, or one',
                                       'request per member when only a few members of a big pool change',
                                       '(Octavia spends time on a batch in proportion to the pool).'],
                   elements='dict', options=MEMBER, tree=True)
MEMBERS_MODE_OPTION = F('members_mode', 'str', ['C(exact): members not listed are removed.',
                                                'C(additive): members not listed are kept.'],
                        choices=['exact', 'additive'], default='exact', tree=True)
POOL_TREE = POOL + [
    MEMBERS_OPTION,
    MEMBERS_MODE_OPTION,
    F('healthmonitor', 'dict', ['The health monitor of the pool. Left out: not managed.'],
      options=HEALTH_MONITOR_TREE, tree=True),
]
LISTENER_TREE = LISTENER + [
    F('l7policies', 'list', ['L7 policies of the listener, in evaluation order. Left out: not managed;',
                             'when given, policies not listed are removed.'],
      elements='dict', options=L7_POLICY, tree=True),
]

# Top-level options of the single-object modules (and their generated doc fragments).
MODULE_FIELDS = {
    'loadbalancer': LOADBALANCER,
    'loadbalancer_vip': VIP_REFS,
    'listener': LISTENER,
    'pool': POOL,
    'member': copy_fields(MEMBER, address={'required': False}, protocol_port={'required': False}),
    'health_monitor': HEALTH_MONITOR,
    'l7_policy': copy_fields(L7_POLICY, name={'required': True}),
}

KINDS = {
    'loadbalancer': LOADBALANCER,
    'listener': LISTENER,
    'pool': POOL,
    'member': MEMBER,
    'healthmonitor': HEALTH_MONITOR,
    'l7policy': L7_POLICY,
    'l7rule': L7_RULE,
}

LABELS = {
    'loadbalancer': 'load balancer', 'listener': 'listener', 'pool': 'pool', 'member': 'member',
    'healthmonitor': 'health monitor', 'l7policy': 'L7 policy', 'l7rule': 'L7 rule',
}


def fields(kind):
    """Plain (non-nested) fields of a kind, by option name."""
    return dict((f['name'], f) for f in KINDS[kind] if not f.get('tree'))


def version_tuple(text):
    major, minor = str(text).lstrip('v').split('.')[:2]
    return int(major), int(minor)


def _arg(field, required_ok=True):
    spec = {'type': field['type'] if field['type'] != 'float' else 'float'}
    if field['type'] in ('list',):
        spec['elements'] = field.get('elements', 'str')
    if field.get('choices') is not None:
        spec['choices'] = list(field['choices'])
    if field.get('default') is not None:
        spec['default'] = field['default']
    if field.get('required') and required_ok:
        spec['required'] = True
    if 'no_log' in field:
        spec['no_log'] = field['no_log']
    if field.get('options'):
        spec['options'] = dict((f['name'], _arg(f)) for f in field['options'])
    return spec


def argspec(flds, exclude=(), required=True):
    """AnsibleModule argument_spec for a list of fields (sub-options included)."""
    return dict((f['name'], _arg(f, required)) for f in flds if f['name'] not in exclude)


def tree_argspec():
    """The loadbalancer module: LB fields plus listeners[] and pools[] with their whole sub-trees."""
    spec = argspec(LOADBALANCER)
    spec['listeners'] = {'type': 'list', 'elements': 'dict', 'options': argspec(LISTENER_TREE)}
    spec['pools'] = {'type': 'list', 'elements': 'dict', 'options': argspec(POOL_TREE)}
    return spec
