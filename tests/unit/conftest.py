"""Make this checkout importable and loadable as the collection lbaas.octavia."""
import os

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_AnsibleCollectionFinder(paths=[os.path.join(TOP, ".ansible", "collections")])._install()
