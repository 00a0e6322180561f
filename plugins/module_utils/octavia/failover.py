# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failing over a load balancer (all its amphorae) or one of its amphorae, and waiting until it is ACTIVE.

An action, not a state: every run that is not in check mode fails over (changed=true). Check mode reads the
load balancer (and the amphora) and says what would be failed over. Before the write: the load balancer
exists, the amphora belongs to it, and it is not being deleted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import traceback

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import admin, waiter
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.errors import OctaviaModuleError, SpecError
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.state import find_loadbalancer

AMPHORAE = '/octavia/amphorae'  # Octavia's admin API: not under /lbaas


def amphorae(client, lb_id):
    return admin.read_list(client, AMPHORAE, 'amphorae', loadbalancer_id=lb_id)


def target(client, params):
    """(load balancer, amphora or None), checked; raises SpecError naming the option."""
    lb = find_loadbalancer(client, params['name'])
    if lb is None:
        raise SpecError('name', 'load balancer %r not found' % params['name'])
    if lb.get('provisioning_status') in ('PENDING_DELETE', 'DELETED'):
        raise SpecError('name', 'load balancer %r is being deleted' % params['name'])
    amphora = None
    if params.get('amphora'):
        found = [a for a in amphorae(client, lb['id']) if a.get('id') == params['amphora']]
        if not found:
            raise SpecError('amphora', 'amphora %s is not one of load balancer %r\'s amphorae'
                            % (params['amphora'], params['name']))
        amphora = found[0]
    return lb, amphora


def run(client, params, check_mode):
    lb, amphora = target(client, params)
    what = 'amphora %s of load balancer %s' % (amphora['id'], lb['id']) if amphora else 'load balancer %s' % lb['id']
    result = {'changed': True, 'failed_over': 'amphora' if amphora else 'loadbalancer', 'loadbalancer': lb,
              'amphora': amphora, 'amphorae': None}
    if check_mode:
        result['msg'] = 'would fail over %s (%s)' % (what, lb.get('provisioning_status'))
        return result
    started = time.monotonic()
    path = ('%s/%s/failover' % (AMPHORAE, amphora['id']) if amphora
            else '/lbaas/loadbalancers/%s/failover' % lb['id'])
    # a 409 (the load balancer is locked by another change) is waited out by Client
    client.send('PUT', path, 'fail over %s' % what, lb_id=lb['id'], deadline=client.task_deadline)
    if params.get('wait', True):
        result['loadbalancer'] = waiter.wait_active(client, lb['id'], client.task_deadline)
        result['amphorae'] = amphorae(client, lb['id'])
    else:
        result['loadbalancer'] = client.get_object('loadbalancer', lb['id'])
    result['seconds'] = round(time.monotonic() - started, 1)
    result['msg'] = 'failed over %s' % what
    return result


def main(module):
    client = None
    try:
        _conn, client = admin.open_client(module.params)
        result = run(client, module.params, module.check_mode)
        result.update(client.counter.as_dict())
        module.exit_json(**result)
    except OctaviaModuleError as err:
        extra = dict(err.extra, **(client.counter.as_dict() if client else {}))
        module.fail_json(msg=str(err.msg), **extra)
    except Exception as err:  # pylint: disable=broad-except
        module.fail_json(msg='Unexpected error: %s' % err, exception=traceback.format_exc())
