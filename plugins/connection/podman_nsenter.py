# Copyright: (c) 2026, lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: podman_nsenter
short_description: Run tasks in a local rootful Podman container by entering its namespaces
description:
  - Runs commands inside a running, local, rootful Podman container with C(nsenter), looked up
    once per connection with C(podman inspect).
  - Much faster than C(containers.podman.podman), which starts several C(podman exec) processes
    per task and does not pipeline; useful for systemd-booted test hosts (Molecule, the lab).
  - Files are streamed through C(cat) inside the container's mount namespace, so absolute symlinks
    in the container resolve inside it.
author: lbaas.octavia contributors (@lbaas-octavia)
version_added: 0.1.0
options:
  remote_addr:
    description: Name or id of the container.
    default: inventory_hostname
    type: str
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_podman_host
  podman_executable:
    description: Podman binary on the controller.
    default: podman
    type: str
    vars:
      - name: ansible_podman_executable
    env:
      - name: ANSIBLE_PODMAN_EXECUTABLE
  nsenter_executable:
    description: nsenter binary on the controller.
    default: nsenter
    type: str
    vars:
      - name: ansible_nsenter_executable
notes:
  - The controller must be the Podman host and run as root.
  - I(remote_user) is ignored; use I(become) to change user inside the container.
"""

import os
import shlex
import shutil
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

# The container's own environment is not inherited by nsenter; give commands a sane one.
_ENV = [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME=/root',
    'LANG=C.UTF-8',
    'TERM=dumb',
]


class Connection(ConnectionBase):
    transport = 'lbaas.octavia.podman_nsenter'
    has_pipelining = True
    has_tty = False

    def __init__(self, *args, **kwargs):
        super(Connection, self).__init__(*args, **kwargs)
        self._pid = None

    def _connect(self):
        if self._connected:
            return self
        podman = shutil.which(self.get_option('podman_executable'))
        if not podman:
            raise AnsibleError('podman executable %s not found' % self.get_option('podman_executable'))
        name = self.get_option('remote_addr')
        proc = subprocess.run([podman, 'inspect', '--format', '{{.State.Pid}}', name],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        pid = to_text(proc.stdout).strip()
        if proc.returncode != 0 or not pid.isdigit() or pid == '0':
            raise AnsibleConnectionFailure('container %s is not running: %s'
                                           % (name, to_text(proc.stderr).strip()))
        self._pid = pid
        self._connected = True
        display.vvv(u'NSENTER CONNECTION to %s (pid %s)' % (name, pid), host=name)
        return self

    def _argv(self, cmd):
        return [self.get_option('nsenter_executable'), '--target', self._pid,
                '--mount', '--uts', '--ipc', '--net', '--pid', '--cgroup', '--',
                'env', '-i'] + _ENV + ['/bin/sh', '-c', cmd]

    def _run(self, cmd, in_data=None, stdin=subprocess.PIPE):
        argv = self._argv(cmd)
        display.vvvv(u'EXEC %s' % u' '.join(shlex.quote(a) for a in argv), host=self._pid)
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = proc.communicate(in_data)
        return proc.returncode, stdout, stderr

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        return self._run(cmd, in_data=in_data)

    def put_file(self, in_path, out_path):
        super(Connection, self).put_file(in_path, out_path)
        display.vvv(u'PUT %s TO %s' % (in_path, out_path), host=self._pid)
        if not os.path.exists(to_bytes(in_path, errors='surrogate_or_strict')):
            raise AnsibleFileNotFound('file or module does not exist: %s' % in_path)
        with open(to_bytes(in_path, errors='surrogate_or_strict'), 'rb') as src:
            rc, dummy, stderr = self._run('cat > %s' % shlex.quote(out_path), stdin=src)
        if rc != 0:
            raise AnsibleError('failed to transfer %s to %s: %s' % (in_path, out_path, to_text(stderr)))

    def fetch_file(self, in_path, out_path):
        super(Connection, self).fetch_file(in_path, out_path)
        display.vvv(u'FETCH %s TO %s' % (in_path, out_path), host=self._pid)
        with open(to_bytes(out_path, errors='surrogate_or_strict'), 'wb') as dst:
            argv = self._argv('cat %s' % shlex.quote(in_path))
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=dst, stderr=subprocess.PIPE, check=False)
        if proc.returncode != 0:
            raise AnsibleError('failed to fetch %s: %s' % (in_path, to_text(proc.stderr)))

    def close(self):
        self._connected = False
        self._pid = None
