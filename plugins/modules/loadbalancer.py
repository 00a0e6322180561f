#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
# BEGIN GENERATED
# END GENERATED
'''

EXAMPLES = r'''
'''

RETURN = r'''
'''

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import engine, schema, spec, tree


def shape(job):
    lb = tree.full_tree(job.state)
    return {'loadbalancer': lb, 'id': lb['id'] if lb else None}


def main():
    argument_spec = schema.tree_argspec()
    argument_spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replace=dict(type='bool', default=False),
        wait_for=dict(type='str', default='active', choices=['active', 'online']),
    )
    module = engine.new_module(argument_spec)
    engine.main(module, spec.tree_from_params, shape)


if __name__ == '__main__':
    main()
