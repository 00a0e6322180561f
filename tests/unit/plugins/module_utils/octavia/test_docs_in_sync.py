"""The option docs are generated from schema.py: a stale doc fragment or module block fails here."""
import os
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))


def test_generated_docs_are_current():
    proc = subprocess.run([sys.executable, os.path.join(TOP, 'scripts', 'gen-module-docs.py'), '--check'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
