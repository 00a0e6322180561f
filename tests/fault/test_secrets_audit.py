"""Secrets audit (issue 13): site.yaml and the load-balancer modules run with -vvv and --diff while the process
table is sampled; every generated and supplied secret is then searched for in all of it. 0 hits required.

The secrets: the lab's passwords (inventories/lab/.state), the secrets octavia.conf holds on the nodes (its
passwords, transport and database URLs, the server CA and server_certs_key passphrases, the heartbeat key),
the PKI's generated secrets, the clouds' passwords, and the body lines of every private key (the CAs', the
client's, the amphora SSH key). A hit is reported by the secret's name and a hash, never the secret itself.

The process table: this host's /proc (rootful Podman: the lab's processes are in it) every 0.1 s, and `ps`
inside each lab container every few seconds, as a cross-check. rabbitmqctl, an Erlang VM, lives about a
second: sampling at 0.1 s sees every run of it.

Found and fixed with it: community.rabbitmq.rabbitmq_user runs `rabbitmqctl authenticate_user <user> <password>` on
every run (the roles now hand rabbitmqctl the password on stdin); and a task's `environment:` is no hiding place:
Ansible runs `/bin/sh -c 'VAR=value /usr/bin/python3'` on the host (redis-cli's REDISCLI_AUTH, keystone-manage's
bootstrap password: both on stdin now).

Runs in the fault suite, when the lab's Octavia is on its noop drivers: site.yaml is re-run in the lab's
current profile (it changes nothing), under /tmp/lbaas-lab.lock.
"""
import configparser
import glob
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import uuid

import pytest

from lab_lock import held_lab_lock  # conftest puts tests/fault on sys.path  # pylint: disable=import-error
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lab'))

from data_plane import CONTROLLER, NETWORK_NODE, octavia_profile, sh  # noqa: E402  pylint: disable=wrong-import-position

STATE = os.path.join(TOP, 'inventories', 'lab', '.state')
PKI = os.path.join(STATE, 'octavia-pki')
CLOUDS = os.path.join(TOP, 'inventories', 'lab', 'clouds.yaml')
BIN = os.path.join(TOP, '.venv', 'bin')
# Shorter values would match by chance (and a supplied one this short is a finding of its own: reported).
MIN_LENGTH = 8
# octavia.conf options that hold a secret, and the URL options whose password part is one
CONF_SECRETS = re.compile(r'password|passphrase|heartbeat_key|secret')
CONF_URLS = ('transport_url', 'connection', 'persistence_connection', 'jobboard_backend_hosts')


def digest(value):
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def pem_lines(path):
    """The base64 body lines of the private keys in a PEM file (a bundle's certificate lines left out)."""
    lines, inside = [], False
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith('-----BEGIN') and 'PRIVATE KEY' in line:
                inside = True
            elif line.startswith('-----END'):
                inside = False
            elif inside and len(line) >= 40 and ':' not in line:
                lines.append(line)
    return lines


def conf_secrets(container, path):
    """{name: value} of the secrets in an ini file on a lab node (oslo.config's '$$' read back as '$')."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(sh(container, 'cat %s' % path))
    found = {}
    for section in parser.sections():
        for option, value in parser.items(section, raw=True):
            value = value.replace('$$', '$')
            if CONF_SECRETS.search(option):
                for index, part in enumerate(p.strip() for p in value.split(',')):
                    found['%s [%s] %s#%d' % (path, section, option, index)] = part
            elif option in CONF_URLS:
                for index, password in enumerate(re.findall(r'://[^:/@\s]*:([^@\s]+)@', value)):
                    found['%s [%s] %s password#%d' % (path, section, option, index)] = password
    return found


def all_secrets():
    """[(name, value)]: every secret the lab has generated or been given, each value once."""
    named = {}
    for path in glob.glob(os.path.join(STATE, '*')):
        if os.path.isfile(path) and re.search(r'password|secret|key|token', os.path.basename(path)):
            named['.state/' + os.path.basename(path)] = open(path).read().strip()
    for path in glob.glob(os.path.join(PKI, 'secrets', '*')):
        named['octavia-pki/secrets/' + os.path.basename(path)] = open(path).read().strip()
    for path in glob.glob(os.path.join(PKI, '*key*')):
        if not path.endswith('.pub'):
            for index, line in enumerate(pem_lines(path)):
                named['%s PEM line %d' % (os.path.relpath(path, STATE), index + 1)] = line
    with open(CLOUDS) as handle:
        for cloud, entry in (yaml.safe_load(handle).get('clouds') or {}).items():
            if entry.get('auth', {}).get('password'):
                named['clouds.yaml %s password' % cloud] = entry['auth']['password']
    named.update(conf_secrets(NETWORK_NODE, '/etc/octavia/octavia.conf'))
    named.update(conf_secrets(CONTROLLER, '/etc/octavia/octavia.conf'))
    by_value = {}
    for name, value in sorted(named.items()):
        by_value.setdefault(value, name)
    return [(name, value) for value, name in by_value.items() if value]


class ProcessSampler(threading.Thread):
    """Every command line seen on this host (and, less often, inside the lab's containers) until stop()."""

    def __init__(self, step=0.1, container_every=30):
        super(ProcessSampler, self).__init__(daemon=True)
        self.step = step
        self.container_every = container_every
        self.seen = set()
        self.samples = 0
        self.container_samples = 0
        self.halt = threading.Event()

    def host(self):
        for path in glob.glob('/proc/[0-9]*/cmdline'):
            try:
                with open(path, 'rb') as handle:
                    args = handle.read()
            except OSError:
                continue  # gone meanwhile
            if args:
                self.seen.add(('host', args.replace(b'\0', b' ').decode('utf-8', 'replace').strip()))

    def containers(self):
        for container in (CONTROLLER, NETWORK_NODE):
            proc = subprocess.run(['podman', 'exec', container, 'ps', '-eo', 'args'], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, check=False)
            self.seen.update((container, line.strip()) for line in proc.stdout.splitlines()[1:])
        self.container_samples += 1

    def run(self):
        while not self.halt.is_set():
            self.host()
            if self.samples % self.container_every == 0:
                self.containers()
            self.samples += 1
            self.halt.wait(self.step)

    def stop(self):
        self.halt.set()
        self.join(60)
        self.containers()


def module_play(path, name, subnet):
    """A small tree, read back with explicit auth (a supplied secret in the module's arguments), then removed."""
    with open(CLOUDS) as handle:
        demo = yaml.safe_load(handle)['clouds']['lbaas-lab-demo']
    auth = dict(demo['auth'])
    tree = {'name': name, 'vip_subnet_id': subnet, 'timeout': 300, 'cloud': 'lbaas-lab-demo',
            'listeners': [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}],
            'pools': [{'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
                       'members': [{'address': '192.0.2.%d' % i, 'protocol_port': 80} for i in (1, 2)],
                       'healthmonitor': {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}}]}
    book = [{'name': 'Secrets audit: the modules', 'hosts': 'localhost', 'connection': 'local',
             'gather_facts': False, 'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'}, 'tasks': [
                 {'name': 'Converge a tree', 'lbaas.octavia.loadbalancer': tree},
                 {'name': 'Read it with explicit auth', 'lbaas.octavia.loadbalancer_info': {
                     'name': name, 'auth': auth, 'region_name': demo.get('region_name'), 'auth_type': 'password'}},
                 {'name': 'Remove it', 'lbaas.octavia.loadbalancer': {
                     'name': name, 'state': 'absent', 'timeout': 300, 'cloud': 'lbaas-lab-demo'}}]}]
    with open(path, 'w') as handle:
        yaml.safe_dump(book, handle, sort_keys=False)
    os.chmod(path, 0o600)
    return path


def run(cmd, log, env):
    with open(log, 'w') as out:
        return subprocess.Popen(cmd, cwd=TOP, env=env, stdout=out, stderr=subprocess.STDOUT)


def hits_in_text(label, text, secrets):
    found = []
    for name, value in secrets:
        at = text.find(value)
        if at >= 0:
            line = text.count('\n', 0, at) + 1
            task = re.findall(r'^TASK \[(.*?)\]', text[:at], re.M)
            found.append('%s: %s (sha256 %s) on line %d, in task %s'
                         % (label, name, digest(value), line, task[-1] if task else '-'))
    return found


def hits_in_processes(seen, secrets):
    found = []
    for where, args in sorted(seen):
        for name, value in secrets:
            if value in args:
                shown = args
                for other, secret in secrets:
                    shown = shown.replace(secret, '<%s>' % other)
                found.append('process on %s: %s (sha256 %s) in: %s' % (where, name, digest(value), shown[:300]))
    return found


@pytest.mark.long
def test_no_secret_in_verbose_output_or_the_process_table(tmp_path, fault):
    if not os.path.exists(CLOUDS) or not os.path.isdir(PKI):
        pytest.skip('no lab here: make lab first')
    profile = octavia_profile()
    if profile != 'noop':
        pytest.skip('the lab\'s Octavia runs the %s profile: the audit creates a load balancer, which needs the noop '
                    'drivers (make test switches to them before the fault suite)' % profile)
    secrets = all_secrets()
    short = [(n, v) for n, v in secrets if len(v) < MIN_LENGTH]
    for name, value in short:
        print('audit: %s (sha256 %s) is %d characters: too short to search for without false hits'
              % (name, digest(value), len(value)))
    secrets = [(n, v) for n, v in secrets if len(v) >= MIN_LENGTH]
    kinds = {'PEM lines': len([n for n, _v in secrets if 'PEM line' in n])}
    kinds['other secrets'] = len(secrets) - kinds['PEM lines']
    print('audit: searching for %(other secrets)d secrets and %(PEM lines)d private-key lines' % kinds)
    assert kinds['other secrets'] >= 20 and kinds['PEM lines'] >= 100, kinds

    env = dict(os.environ, LAB_OCTAVIA_PROFILE=profile, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, '.ansible', 'collections'),
               ANSIBLE_CONFIG=os.path.join(TOP, 'ansible.cfg'),
               OS_CLIENT_CONFIG_FILE=CLOUDS)
    env.pop('OS_CLOUD', None)
    name = 'lbaas-it-audit-' + uuid.uuid4().hex[:8]
    subnet = os.environ.get('LBAAS_TEST_VIP_SUBNET_ID') or str(uuid.uuid4())
    logs = {'site.yaml': str(tmp_path / 'site.log'), 'modules': str(tmp_path / 'modules.log')}
    sampler = ProcessSampler()
    fault.inject('site.yaml (%s profile) and a module play (tree, info with explicit auth, removal), both -vvv '
                 '--diff, the process table sampled every 0.1 s' % profile)
    with held_lab_lock():
        started = time.monotonic()
        sampler.start()
        try:
            site = run([os.path.join(BIN, 'ansible-playbook'), '-i', 'inventories/lab', 'site.yaml', '-vvv', '--diff'],
                       logs['site.yaml'], env)
            mods = run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-vvv', '--diff',
                        module_play(str(tmp_path / 'modules.yml'), name, subnet)], logs['modules'], env)
            rcs = {'site.yaml': site.wait(timeout=900), 'modules': mods.wait(timeout=600)}
        finally:
            sampler.stop()
        seconds = time.monotonic() - started
    texts = {label: open(path, errors='replace').read() for label, path in logs.items()}
    recaps = {label: re.findall(r'^\S+\s+: ok=.*$', text, re.M) for label, text in texts.items()}
    fault.saw('rc %s in %.0f s; %d samples of the process table (%d inside the containers), %d distinct command '
              'lines; output %s' % (rcs, seconds, sampler.samples, sampler.container_samples, len(sampler.seen),
                                    {k: '%d kB' % (len(v) // 1024) for k, v in texts.items()}))
    for label, lines in recaps.items():
        fault.saw('%s: %s' % (label, ' | '.join(' '.join(line.split()) for line in lines)))

    hits = []
    for label, text in texts.items():
        hits += hits_in_text(label, text, secrets)
    hits += hits_in_processes(sampler.seen, secrets)
    for hit in hits:
        print('audit: LEAK: %s' % hit)
    fault.saw('%d secrets found in the output and the command lines' % len(hits))
    # every distinct command line, secrets masked, for a look afterwards
    with open(str(tmp_path / 'processes.txt'), 'w') as handle:
        for where, args in sorted(sampler.seen):
            for other, secret in secrets:
                args = args.replace(secret, '<%s>' % other)
            handle.write('%s\t%s\n' % (where, args))
    # the sampler did see what ran: the modules on the lab's nodes (pipelined: python3 behind the connection's
    # nsenter), rabbitmqctl, the services in the containers
    args = [a for _w, a in sampler.seen]
    assert any('nsenter' in a or 'AnsiballZ' in a for a in args), 'the sampler saw no Ansible module run'
    assert any('rabbitmqctl' in a for a in args), 'the sampler saw no rabbitmqctl run'
    assert any(w == 'host' and 'octavia-worker' in a for w, a in sampler.seen), 'the host view lacks the containers'
    assert rcs == {'site.yaml': 0, 'modules': 0}, {k: texts[k][-3000:] for k, v in rcs.items() if v}
    fault.recovered(seconds)
    # the module play's tree is gone again (its removal is part of the play)
    left = subprocess.run([os.path.join(BIN, 'openstack'), '--os-cloud', 'lbaas-lab-demo', 'loadbalancer', 'list',
                           '--name', name, '-f', 'value', '-c', 'id'], env=env, stdout=subprocess.PIPE, text=True,
                          check=False).stdout.split()
    fault.objects_lost(0, '(an audit; load balancers of its play left behind: %d)' % len(left))
    assert not left
    assert not hits, '%d secrets found in output or command lines (see audit: LEAK lines)' % len(hits)
    # 0600 for every secret file this machine keeps
    loose = [p for p in glob.glob(os.path.join(STATE, '*')) + glob.glob(os.path.join(PKI, 'secrets', '*'))
             + glob.glob(os.path.join(PKI, '*key*')) + [CLOUDS]
             if os.path.isfile(p) and not p.endswith(('.pub', '.tsv')) and os.stat(p).st_mode & 0o077]
    assert not loose, 'readable by others than the owner: %s' % loose
