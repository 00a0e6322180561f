"""Running playbooks against a real Octavia through a counting proxy, and reading the cloud directly.

Shared by the modules' integration tests (tests/integration) and the fault-injection suite (tests/fault).
"""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, HERE)

from lb_helpers import lb_get  # noqa: E402  pylint: disable=wrong-import-position
from octavia_proxy import OctaviaProxy  # noqa: E402  pylint: disable=wrong-import-position


def clouds_yaml_paths():
    if os.environ.get('OS_CLIENT_CONFIG_FILE'):
        return [os.environ['OS_CLIENT_CONFIG_FILE']]
    return ['clouds.yaml', os.path.expanduser('~/.config/openstack/clouds.yaml'), '/etc/openstack/clouds.yaml']


def cloud_entry(name):
    for path in clouds_yaml_paths():
        if os.path.exists(path):
            with open(path) as handle:
                clouds = (yaml.safe_load(handle) or {}).get('clouds', {})
            if name in clouds:
                return dict(clouds[name])
    raise pytest.UsageError('cloud %r not found in %s' % (name, ', '.join(clouds_yaml_paths())))


class Stack(object):
    """The proxy, a clouds.yaml that routes Octavia through it, and a way to run playbooks."""

    def __init__(self, sdk, octavia_root, tmpdir, max_version=None, entry=None, label=None):
        """entry: the clouds.yaml entry to route (default: OS_CLOUD's), e.g. the admin cloud's."""
        self.sdk = sdk
        self.proxy = OctaviaProxy(octavia_root, max_version=max_version).start()
        entry = dict(entry) if entry else cloud_entry(os.environ['OS_CLOUD'])
        entry['load_balancer_endpoint_override'] = self.proxy.url
        self.clouds = os.path.join(tmpdir, 'clouds-%s.yaml' % (label or max_version or 'counted'))
        with open(self.clouds, 'w') as handle:
            yaml.safe_dump({'clouds': {'counted': entry}}, handle)
        os.chmod(self.clouds, 0o600)
        self.tmpdir = tmpdir

    def env(self):
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': os.path.join(TOP, '.ansible', 'collections'),
            'ANSIBLE_CONFIG': os.path.join(TOP, 'ansible.cfg'),
            'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json',
            'ANSIBLE_NOCOLOR': '1',
            'OS_CLIENT_CONFIG_FILE': self.clouds,
            'OS_CLOUD': 'counted',
        })
        return env

    def play(self, tasks, check=False, diff=False, extra_vars=None):
        """Run tasks on localhost; returns a Run with the task results and the proxy's counts."""
        book = [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
                 'module_defaults': {'group/lbaas.octavia.octavia': {'cloud': 'counted'}}, 'tasks': tasks}]
        path = os.path.join(self.tmpdir, 'play-%s.yml' % uuid.uuid4().hex[:8])
        with open(path, 'w') as handle:
            yaml.safe_dump(book, handle, sort_keys=False)
        cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', path]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        mark = self.proxy.counts.mark()
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=TOP, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, check=False)
        return Run(proc, self.proxy.counts.since(mark), time.monotonic() - started)


class Run(object):

    def __init__(self, proc, counts, seconds):
        self.rc = proc.returncode
        self.stderr = proc.stderr
        self.counts = counts
        self.seconds = seconds
        try:
            doc = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError('ansible-playbook did not print JSON (rc %s):\n%s\n%s'
                                 % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
        self.results = []
        for play in doc.get('plays', []):
            for task in play.get('tasks', []):
                self.results.append(task['hosts'].get('localhost', {}))

    @property
    def result(self):
        return self.results[-1]

    def __repr__(self):
        counts = dict((k, v) for k, v in self.counts.items() if k != 'log')
        return 'Run(rc=%s, counts=%s, results=%s)' % (self.rc, counts, json.dumps(self.results)[:3000])


class Octavia(object):
    """Direct reads through openstacksdk, to check what really is in the cloud."""

    def __init__(self, sdk):
        self.sdk = sdk

    def lb(self, name):
        found = lb_get(self.sdk, '/lbaas/loadbalancers', {'name': name})['loadbalancers']
        return found[0] if found else None

    def listeners(self, lb_id):
        return dict((l['name'], l) for l in lb_get(self.sdk, '/lbaas/listeners', {'loadbalancer_id': lb_id})['listeners'])

    def pools(self, lb_id):
        return dict((p['name'], p) for p in lb_get(self.sdk, '/lbaas/pools', {'loadbalancer_id': lb_id})['pools'])

    def members(self, pool_id):
        return dict(('%s:%s' % (m['address'], m['protocol_port']), m)
                    for m in lb_get(self.sdk, '/lbaas/pools/%s/members' % pool_id)['members'])

    def hm(self, hm_id):
        return lb_get(self.sdk, '/lbaas/healthmonitors/%s' % hm_id)['healthmonitor']

    def policies(self, listener_id):
        pols = lb_get(self.sdk, '/lbaas/l7policies', {'listener_id': listener_id})['l7policies']
        return sorted(pols, key=lambda p: p['position'])

    def rules(self, policy_id):
        return lb_get(self.sdk, '/lbaas/l7policies/%s/rules' % policy_id)['rules']
