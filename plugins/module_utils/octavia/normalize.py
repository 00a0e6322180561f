# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Canonical forms, so that what the user wrote and what Octavia returns compare equal when they mean the same.

Both sides go through the same normaliser: the user's values before planning, Octavia's values when
they are read. A normaliser raises ValueError with a readable reason for values that cannot be right;
the caller adds the option path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re


_CODES_LIST = re.compile(r'^\d{3}(,\d{3})*$')
_CODES_RANGE = re.compile(r'^(\d{3})-(\d{3})$')


def _text(value):
    return u'%s' % value


def ip(value):
    if value is None or value == '':
        return value
    try:
        return ipaddress.ip_address(_text(value).strip()).compressed
    except ValueError:
        raise ValueError('%r is not an IPv4 or IPv6 address' % (value,))


def cidrs(value):
    if value is None:
        return []
    out = set()
    for item in value:
        try:
            out.add(ipaddress.ip_network(_text(item).strip(), strict=False).compressed)
        except ValueError:
            raise ValueError('%r is not a CIDR' % (item,))
    return sorted(out)


def as_set(value):
    if value is None:
        return []
    return sorted(set(_text(v) for v in value))


def codes(value):
    """'200, 202' -> '200,202' (sorted); '200-204' stays; anything else is refused like Octavia does."""
    if value is None:
        return None
    text = re.sub(r'\s+', '', _text(value))
    if _CODES_LIST.match(text):
        return ','.join(sorted(set(text.split(',')), key=int))
    match = _CODES_RANGE.match(text)
    if match and int(match.group(1)) <= int(match.group(2)):
        return text
    raise ValueError("%r is not a list of HTTP codes ('200,202') or a range ('200-204')" % (value,))


def headers(value):
    if value is None:
        return {}
    out = {}
    for key, val in value.items():
        if isinstance(val, bool):
            val = 'true' if val else 'false'
        out[_text(key)] = _text(val)
    return out


def text(value):
    return '' if value is None else _text(value)


def session_persistence(value):
    """None, {} and {type: null} all mean 'no session persistence'."""
    if not value:
        return {}
    out = dict((k, v) for k, v in value.items() if v is not None)
    if not out.get('type'):
        return {}
    return out


def vips(value):
    if not value:
        return []
    out = []
    for item in value:
        entry = {'subnet_id': item.get('subnet_id')}
        if item.get('ip_address'):
            entry['ip_address'] = ip(item['ip_address'])
        out.append(entry)
    return sorted(out, key=lambda e: (e['subnet_id'] or '', e.get('ip_address') or ''))


def sriov(value):
    """Octavia answers vnic_type ('normal'/'direct') for what is requested as request_sriov (bool)."""
    if isinstance(value, str):
        return value == 'direct'
    return bool(value)


NORMALISERS = {
    'ip': ip,
    'cidrs': cidrs,
    'set': as_set,
    'codes': codes,
    'headers': headers,
    'text': text,
    'sp': session_persistence,
    'vips': vips,
    'sriov': sriov,
}


def normalise(field, value):
    func = NORMALISERS.get(field.get('norm'))
    if func is None:
        if field['type'] == 'float' and value is not None:
            return float(value)
        return value
    return func(value)


def same(field, desired, current):
    """Does the cloud's (normalised) value satisfy the user's (normalised) one?"""
    if field.get('norm') == 'vips':
        # Octavia picks addresses the user left out: compare only what was asked for.
        cur = [dict((k, v) for k, v in c.items() if k == 'subnet_id' or any(k in d for d in desired))
               for c in current or []]
        return vips(cur) == desired
    return desired == current
