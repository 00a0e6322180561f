# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which way a pool's member changes cost Octavia less: one batch request, or one request per member.

Octavia's batch member update marks every member it lists PENDING_UPDATE and rebuilds the pool's whole
member set, so its time grows with the pool, not with the change; a single-member write holds the load
balancer for about one provisioning cycle. Measured on the lab with amphorae (issue 15): 5 weight changes in
a 500-member pool as one additive batch kept the load balancer PENDING_UPDATE for about 27 s, one
single-member PUT on that pool was ACTIVE again after 2.4 s, and 10 changes over two 500-member pools took
58 s as two batches. The model below reproduces those numbers; singles win while
changes * SINGLE_S < BATCH_BASE_S + BATCH_PER_MEMBER_S * pool_size, i.e. up to 11 changes in a 500-member
pool, while one change in a pool of up to 8 members or two in one of up to 56 stay one batch request.
On the lab with Octavia's noop drivers and its jobboard (scripts/bench-members.py, a 1000-member tree,
2026-12-06) both ways cost more but the order is the same: 10 changes as 10 single-member writes 37.8 s (Octavia
alone 28 s of it), as 2 batches 129 s.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SINGLE_S = 2.4            # one single-member write, until the load balancer is ACTIVE again
BATCH_BASE_S = 2.0        # one batch request on an empty pool
BATCH_PER_MEMBER_S = 0.05  # what each member of the pool adds to a batch (27 s at 500 members)


def batch_seconds(pool_size):
    return BATCH_BASE_S + BATCH_PER_MEMBER_S * pool_size


def singles_seconds(changes):
    return SINGLE_S * changes


def use_batch(changes, pool_size):
    """True when one batch request is expected to cost no more than `changes` single-member writes.
    pool_size: members in the pool once the change is made."""
    return changes > 0 and batch_seconds(pool_size) <= singles_seconds(changes)
