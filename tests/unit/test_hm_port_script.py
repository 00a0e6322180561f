"""The health_manager_port role's script (run by our units at boot and on agent restarts) parses and is shellcheck-clean."""
import os
import shutil
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, 'roles', 'health_manager_port', 'files', 'octavia-hm-port')


def test_script_parses():
    subprocess.run(['bash', '-n', SCRIPT], check=True)


@pytest.mark.skipif(not shutil.which('shellcheck'), reason='shellcheck not installed')
def test_script_is_shellcheck_clean():
    proc = subprocess.run(['shellcheck', SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout


def test_script_refuses_to_run_without_its_settings(tmp_path):
    proc = subprocess.run(['bash', SCRIPT, 'up', '--check'], env=dict(os.environ, HM_PORT_CONF=str(tmp_path / 'none')),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 1 and 'cannot read' in proc.stdout
