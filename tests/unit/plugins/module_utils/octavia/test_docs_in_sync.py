"""The option docs are generated from schema.py and the shared RETURN keys from results.py: a stale doc
fragment or module block fails here, and so does a module that copies a shared RETURN key by hand."""
import ast
import glob
import os
import subprocess
import sys

import yaml

from ansible_collections.lbaas.octavia.plugins.module_utils.octavia import results
from ansible_collections.lbaas.octavia.plugins.module_utils.octavia.client import Counter

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))
SHARED = dict((key, group) for group, keys in results.GROUPS.items() for key in keys)


def test_generated_docs_are_current():
    proc = subprocess.run([sys.executable, os.path.join(TOP, 'scripts', 'gen-module-docs.py'), '--check'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def test_every_count_the_client_returns_is_documented_once():
    assert set(Counter().as_dict()) <= set(results.GROUPS['counts']) | set(results.GROUPS['lock_cycles'])


def _returns():
    for path in sorted(glob.glob(os.path.join(TOP, 'plugins', 'modules', '*.py'))):
        tree = ast.parse(open(path).read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'RETURN':
                yield os.path.basename(path), yaml.safe_load(node.value.value)


def test_modules_take_the_shared_return_keys_from_the_fragment():
    for module, doc in _returns():
        extends = [f.rsplit('.', 1)[-1] for f in doc.pop('extends_documentation_fragment', [])]
        for key, entry in doc.items():
            if key not in SHARED:
                continue
            # only a more specific description, on a key whose group the module extends
            assert SHARED[key] in extends, (module, key)
            assert set(entry) == {'description'}, (module, key, 'copies the shared RETURN doc of %s' % key)


def test_every_octavia_module_documents_its_request_counts():
    missing = [module for module, doc in _returns() if module != 'neutron_port.py' and
               'lbaas.octavia.results.counts' not in doc.get('extends_documentation_fragment', [])]
    assert missing == []
