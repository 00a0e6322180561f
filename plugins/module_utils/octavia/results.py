# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result keys several modules return, documented once.

scripts/gen-module-docs.py writes each group as a RETURN doc fragment (plugins/doc_fragments/results.py,
one attribute a group); a module's RETURN extends the groups it returns, e.g.
lbaas.octavia.results.counts. A module that says something more specific about a key (api_writes is
always 0 for a read-only module) gives only that key's description; the rest comes from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _key(description, sample=0, type='int', returned='always', **more):
    doc = dict(description=description, returned=returned, type=type)
    doc.update(more)
    doc['sample'] = sample
    return doc


# group -> {key: return doc}
GROUPS = {
    # client.Counter: every module that talks to Octavia
    'counts': {
        'api_requests': _key('Requests made to Octavia by this task (reads, writes and polls).', 7),
        'api_writes': _key('Write requests (POST, PUT, DELETE) made to Octavia; 0 in check mode and on a re-run '
                           'that finds nothing to change.'),
        'api_retries': _key('Requests tried again after a transient fault (502/503/504, connection failures and '
                            'timeouts of reads; writes refused with 409 or 503 or that never reached Octavia), '
                            'each after a backoff.'),
        'api_replans': _key('Writes of unknown outcome (sent, then a timeout, a reset or a 502/504) after which '
                            'the state was read again and the rest planned anew instead of repeating the write.'),
    },
    # modules that change a load balancer (or its children): each accepted write locks it once
    'lock_cycles': {
        'lock_cycles': _key('Changes Octavia accepted, each one a PENDING_* cycle of the load balancer.', 1),
    },
    # engine.Run: the modules that plan a load balancer tree
    'plan': {
        'plan': _key(['The operations planned (and, unless check mode, applied), in order; each is one request '
                      'and one load balancer lock cycle. Objects this plan creates are shown as C(<new pool web>) '
                      'where others refer to them.'],
                     [{'action': 'update', 'kind': 'pool', 'label': 'pool web', 'id': 'a61e...',
                       'body': {'lb_algorithm': 'LEAST_CONNECTIONS'}},
                      {'action': 'batch', 'kind': 'member', 'label': 'members of pool web', 'members': 3,
                       'additive_only': True}], type='list', elements='dict'),
        'planned_lock_cycles': _key('Number of operations in the plan (what check mode predicts for lock_cycles).',
                                    1, returned='unless the task removes an object from a load balancer that '
                                                'does not exist'),
    },
    # admin.py: the flat admin objects
    'operation': {
        'operation': _key('What was done (in check mode, what would be done), C(create), C(update) or C(delete); '
                          'null for nothing.', 'update', type='str'),
    },
}
