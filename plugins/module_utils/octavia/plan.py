# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a plan is made of: operations (one request, one LB lock cycle each) in phases, references to objects
the plan creates, and the conversions between option space (what users write) and Octavia's API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import schema
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.normalize import normalise, same

PHASES = ('lb', 'listener_delete', 'l7_delete', 'pool_create', 'pool_update', 'listener_update',
          'listener_create', 'l7', 'pool_delete')
MEMBER_BATCH_FIELDS = ('name', 'weight', 'admin_state_up', 'backup', 'monitor_address', 'monitor_port', 'tags',
                       'subnet_id')
CREATE_REQUIRES = {
    'listener': ('protocol', 'protocol_port'),
    'pool': ('protocol', 'lb_algorithm'),
    'healthmonitor': ('type', 'delay', 'resp_timeout', 'max_retries'),
    'l7policy': ('action',),
}


class Ref(object):
    """An object created earlier in the same plan; the applier knows its ID once it exists."""

    def __init__(self, kind, key):
        self.kind = kind
        self.key = key

    def __eq__(self, other):
        return isinstance(other, Ref) and (self.kind, self.key) == (other.kind, other.key)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self.kind, self.key))

    def __repr__(self):
        return '<new %s %s>' % (self.kind, self.key)


class Plan(object):

    def __init__(self):
        self.phases = dict((p, []) for p in PHASES)
        self.diffs = []
        self.lb_create = False
        self.lb_delete = False

    @property
    def ops(self):
        out = []
        for phase in PHASES:
            out.extend(self.phases[phase])
        return out

    def add(self, phase, action, kind, label, before=None, after=None, **kw):
        op = dict(action=action, kind=kind, label=label, id=None, parent=None, body=None, key=None,
                  cascade=False, additive=False, params=None)
        op.update(kw)
        self.phases[phase].append(op)
        if before is not None or after is not None:
            self.diffs.append({'before_header': label, 'after_header': label,
                               'before': before if before is not None else {},
                               'after': after if after is not None else {}})
        return op

    def summary(self):
        """The plan as the module returns it (Refs shown as '<new pool web>')."""
        def show(value):
            if isinstance(value, Ref):
                return repr(value)
            if isinstance(value, dict):
                return dict((k, show(v)) for k, v in value.items())
            if isinstance(value, list):
                return [show(v) for v in value]
            return value
        out = []
        for op in self.ops:
            item = {'action': op['action'], 'kind': op['kind'], 'label': op['label']}
            if op['id']:
                item['id'] = op['id']
            if op['action'] == 'batch':
                item['members'] = len(op['body'])
                item['additive_only'] = op['additive']
            elif op['body'] is not None and (op['kind'] != 'loadbalancer' or op['action'] == 'update'):
                item['body'] = show(op['body'])
            out.append(item)
        return out


# ---- conversions between option space (what users write) and API space ------------------------------

def api_body(kind, opts, skip=()):
    """Octavia request body for options (ref fields and flavor are resolved by the caller)."""
    flds = schema.fields(kind)
    body = {}
    for name, value in opts.items():
        field = flds.get(name)
        if field is None or field.get('ref') or name in skip or name == 'flavor':
            continue
        if field.get('norm') == 'sp' and value == {}:
            value = None
        body[field.get('api_write', field['api'])] = value
    return body


def current_opts(kind, obj, names=None):
    """Option-space view of an Octavia object (normalised), for the fields it carries."""
    out = {}
    for name, field in schema.fields(kind).items():
        if names is not None and name not in names:
            continue
        if field.get('ref') or field['api'] not in obj:
            continue
        out[name] = normalise(field, obj.get(field['api']))
    return out


def carry_opts(kind, obj, names=None, skip=()):
    """An object's options that say something: its values except empty ones and Octavia's defaults. What
    to copy from an object that is re-created (sending e.g. tls_versions: [] to an HTTP listener would be
    refused), and what loadbalancer_info exports as a spec."""
    flds = schema.fields(kind)
    out = {}
    for name, value in current_opts(kind, obj, names).items():
        field = flds[name]
        if name in skip or value is None or value in ([], {}, ''):
            continue
        if 'api_default' in field and value == normalise(field, field['api_default']):
            continue
        out[name] = value
    return out


def changed_fields(kind, desired, obj, skip=()):
    """{option: (current, desired)} for updatable options that differ."""
    flds = schema.fields(kind)
    out = {}
    for name, want in desired.items():
        field = flds.get(name)
        if field is None or field.get('create_only') or field.get('ref') or name in skip:
            continue
        have = normalise(field, obj.get(field['api']))
        if not same(field, want, have):
            out[name] = (have, want)
    return out


def create_only_changes(kind, desired, obj, skip=()):
    flds = schema.fields(kind)
    out = {}
    for name, want in desired.items():
        field = flds.get(name)
        if field is None or not field.get('create_only') or name in skip:
            continue
        have = normalise(field, obj.get(field['api']))
        if not same(field, want, have):
            out[name] = (have, want)
    return out


def fmt(value):
    """A value as error messages show it."""
    return 'nothing' if value in (None, '', [], {}) else repr(value)


def require(kind, opts, path):
    """Refuse a create that lacks a field Octavia needs, naming the first one missing."""
    missing = [n for n in CREATE_REQUIRES.get(kind, ()) if opts.get(n) is None]
    if missing:
        raise SpecError('%s.%s' % (path, missing[0]), 'is required to create the %s (also needed: %s)'
                        % (schema.LABELS[kind], ', '.join(CREATE_REQUIRES[kind])))


def listener_label(opts, cur=None):
    """'listener NAME (PROTO:PORT)' from the task's options, the current listener filling in what they lack."""
    src = cur or opts
    name = (opts.get('name') if opts else None) or (cur.get('name') if cur else None)
    port = '%s:%s' % (src.get('protocol'), src.get('protocol_port'))
    return 'listener %s (%s)' % (name, port) if name else 'listener %s' % port
