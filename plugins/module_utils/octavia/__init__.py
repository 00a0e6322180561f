# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine behind the lbaas.octavia load-balancer modules.

schema (fields, argspecs) -> spec (desired tree from module params) -> state (what the cloud has)
-> validate + planner (ordered operations) -> applier (writes, LB waits) -> tree (results, export).
"""
