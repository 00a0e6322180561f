# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every option of Octavia's admin objects (flavors, availability zones, their profiles, quotas), once.

The same field dicts as schema.py (see there): the argument specs, the generated doc fragments
(scripts/gen-module-docs.py) and admin.py's comparisons read them. Extra keys used here:
  ref      'flavor_profile' / 'availability_zone_profile': a profile name or ID, resolved to its id
  norm     'json': a dict Octavia stores as a JSON string (compared as parsed JSON)
  updatable  False: Octavia refuses to change it after create (a different value fails before any write)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.schema import F
except ImportError:  # scripts/gen-module-docs.py imports the schema files on their own
    from schema import F  # pylint: disable=import-error


def _name(what):
    return F('name', 'str', ['Name of the %s, its identity (names are unique in Octavia).' % what], required=True)


def _description(what):
    return F('description', 'str', ['Description of the %s. An empty string clears it.' % what], norm='text',
             api_default='')


def _enabled(what):
    return F('enabled', 'bool', ['C(false): the %s cannot be used for new load balancers.' % what],
             api_default=True)


def _provider(what):
    return F('provider_name', 'str', ['Provider driver the %s is for (for example C(amphora)); it must be one'
                                      % what, 'of the providers Octavia offers.'], required_on_create=True)


FLAVOR_PROFILE = [
    _name('flavor profile'),
    _provider('flavor profile'),
    F('flavor_data', 'dict', ['Provider-specific settings, for example C({loadbalancer_topology: SINGLE}) or',
                              'C({compute_flavor: <nova flavor ID>}) for the amphora provider. Sent as JSON;',
                              'compared as parsed JSON. Keys the provider does not offer fail before any change.'],
      norm='json', required_on_create=True, capabilities='flavor'),
]

FLAVOR = [
    _name('flavor'),
    _description('flavor'),
    F('flavor_profile', 'str', ['Flavor profile of the flavor, by name or ID. Octavia cannot change it',
                                'afterwards: a different profile fails before any change.'],
      api='flavor_profile_id', ref='flavor_profile', updatable=False, required_on_create=True),
    _enabled('flavor'),
]

AVAILABILITY_ZONE_PROFILE = [
    _name('availability zone profile'),
    _provider('availability zone profile'),
    F('availability_zone_data', 'dict', ['Provider-specific settings, for example C({compute_zone: nova}) or',
                                         'C({management_network: <network ID>}) for the amphora provider. Sent as',
                                         'JSON; compared as parsed JSON. Keys the provider does not offer fail',
                                         'before any change.'],
      norm='json', required_on_create=True, capabilities='availability_zone'),
]

AVAILABILITY_ZONE = [
    _name('availability zone'),
    _description('availability zone'),
    F('availability_zone_profile', 'str', ['Availability zone profile, by name or ID. Octavia cannot change it',
                                           'afterwards: a different profile fails before any change.'],
      api='availability_zone_profile_id', ref='availability_zone_profile', updatable=False,
      required_on_create=True),
    _enabled('availability zone'),
]


def _quota(name, what, **kw):
    return F(name, 'int', ['Most %s the project may have; C(-1) is unlimited. Left out: not managed.' % what],
             range=(-1, None), **kw)


QUOTA = [
    _quota('load_balancer', 'load balancers', aliases=['loadbalancer']),
    _quota('listener', 'listeners'),
    _quota('pool', 'pools'),
    _quota('member', 'members'),
    _quota('health_monitor', 'health monitors', aliases=['healthmonitor']),
    _quota('l7policy', 'L7 policies', aliases=['l7_policy'], min_version='2.19'),
    _quota('l7rule', 'L7 rules', aliases=['l7_rule'], min_version='2.19'),
]

# module name -> fields (and their generated doc fragments, plugins/doc_fragments/<module>_fields.py)
MODULE_FIELDS = {
    'flavor_profile': FLAVOR_PROFILE,
    'flavor': FLAVOR,
    'availability_zone_profile': AVAILABILITY_ZONE_PROFILE,
    'availability_zone': AVAILABILITY_ZONE,
    'quota': QUOTA,
}


def argspec(flds):
    """AnsibleModule argument_spec of flat admin fields (none is required by the spec: required=True fields
    are, the others only when an object is created, which admin.py checks with the field's name)."""
    out = {}
    for f in flds:
        arg = {'type': f['type']}
        if f.get('required'):
            arg['required'] = True
        if f.get('aliases'):
            arg['aliases'] = list(f['aliases'])
        out[f['name']] = arg
    return out
