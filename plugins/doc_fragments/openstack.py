# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options of openstack.cloud's modules (same names, types, aliases and meaning), so
    # clouds.yaml, OS_* variables and existing module_defaults keep working. Load-balancer modules add
    # lbaas.octavia.openstack.loadbalancer (wait, timeout).
    DOCUMENTATION = r'''
options:
  cloud:
    description:
      - Named cloud or cloud config to operate against. If I(cloud) is a string, it references a named cloud
        config as defined in an OpenStack clouds.yaml file. Provides default values for I(auth) and I(auth_type).
        This parameter is not needed if I(auth) is provided or if OpenStack OS_* environment variables are present.
        If I(cloud) is a dict, it contains a complete cloud configuration like would be in a section of
        clouds.yaml.
    type: raw
  auth:
    description:
      - Dictionary containing auth information as needed by the cloud's auth plugin strategy. For the default
        I(password) plugin, this would contain I(auth_url), I(username), I(password), I(project_name) and any
        information about domains (for example, I(user_domain_name) or I(project_domain_name)) if the cloud
        supports them. This parameter is not needed if a named cloud is provided or OpenStack OS_* environment
        variables are present.
    type: dict
  auth_type:
    description:
      - Name of the auth plugin to use. If the cloud uses something other than password authentication, the name
        of the plugin should be indicated here and the contents of the I(auth) parameter should be updated
        accordingly.
    type: str
  region_name:
    description:
      - Name of the region.
    type: str
  validate_certs:
    description:
      - Whether or not SSL API requests should be verified.
    type: bool
    aliases: [verify]
  ca_cert:
    description:
      - A path to a CA Cert bundle that can be used as part of verifying SSL API requests.
    type: str
    aliases: [cacert]
  client_cert:
    description:
      - A path to a client certificate to use as part of the SSL transaction.
    type: str
    aliases: [cert]
  client_key:
    description:
      - A path to a client key to use as part of the SSL transaction.
    type: str
    aliases: [key]
  api_timeout:
    description:
      - Seconds one request to the API may take (the socket timeout) before it counts as failed; a read is then
        tried again, a write is settled by reading the state again. Never more than what is left of I(timeout).
      - When omitted, 60 seconds.
    type: int
  interface:
    description:
      - Endpoint URL type to fetch from the service catalog.
    type: str
    choices: [admin, internal, public]
    default: public
    aliases: [endpoint_type]
  sdk_log_path:
    description:
      - Path to the logfile of the OpenStackSDK. If empty no log is written.
    type: str
  sdk_log_level:
    description:
      - Log level of the OpenStackSDK.
    type: str
    default: INFO
    choices: [INFO, DEBUG]
requirements:
  - python >= 3.9
  - openstacksdk >= 1.0.0
notes:
  - Auth information is driven by openstacksdk (clouds.yaml, OS_* environment variables, then these
    options), exactly as in the openstack.cloud collection.
'''

    LOADBALANCER = r'''
options:
  wait:
    description:
      - Wait for the load balancer to be C(ACTIVE) again after the last change.
      - Between two changes the module always waits, whatever I(wait) says, because Octavia refuses a change
        while the previous one still holds the load balancer (409 immutable).
    type: bool
    default: true
  timeout:
    description:
      - Seconds the whole task may take, including waiting for the load balancer, retrying requests refused
        with 409 (load balancer busy) or 503 (project busy), retrying reads after 502/503/504, connection
        failures and timeouts, and with I(wait_for=online) waiting for healthy members. Retries back off
        (0.25 s growing to 5 s) and stop at this deadline.
    type: int
    default: 600
notes:
  - Load balancers are found by name in the project of the credentials; every request goes to the
    Octavia (load-balancer) endpoint only, no Neutron or Nova lookups, so subnets and networks are given by ID
    (except the loadbalancer module's VIP name options and I(floating_ip), which ask Neutron when given).
'''
