"""The collection as an operator gets it: the built tarball holds the product alone, installs offline into an empty
path, and its modules and playbooks load from there, from a directory that knows nothing of this checkout."""
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

from conftest import BIN, TOP

MODULES = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(TOP, 'plugins', 'modules', '*.py'))
                 if not p.endswith('__init__.py'))
STEP_PLAYBOOKS = ['site', 'certificates', 'lb_mgmt', 'octavia_identity', 'amphora_image', 'octavia_control_plane',
                  'octavia_smoke']
# Paths (fnmatch, `*` crossing `/`) that are the lab's, the tests' or secrets: never in the tarball.
NOT_SHIPPED = ['roles/lab_*', 'playbooks/lab*', 'playbooks/demo.yaml', 'inventories*', 'molecule*', 'tests*',
               'scripts*', 'Vagrantfile', 'Makefile', 'ansible.cfg', '.venv*', '.ansible*', '.cache*', '.ci*',
               'plugins/connection/podman_nsenter.py', '*.key', '*.pem', 'octavia-pki*', '*/octavia-pki*', '*.qcow2',
               '*/.state*']
FQCN = re.compile(r'^([a-z0-9_]+)\.([a-z0-9_]+)\.[a-z0-9_]+$')


def run(cmd, cwd, env):
    return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)


def clean_env(collections_path):
    """An environment that names no part of this checkout: no ansible.cfg, only the given collections."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update({'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join(collections_path), 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_FORCE_COLOR': '0', 'PY_COLORS': '0'})
    return env


def build(src, dest):
    proc = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(dest), str(src)],
               cwd=str(dest), env=clean_env([str(dest)]))
    assert proc.returncode == 0, proc.stdout[-3000:]
    (tarball,) = glob.glob(os.path.join(str(dest), 'lbaas-octavia-*.tar.gz'))
    return tarball


def members(tarball):
    with tarfile.open(tarball) as tar:
        return {m.name.rstrip('/'): m for m in tar.getmembers()}


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    return build(TOP, tmp_path_factory.mktemp('build'))


@pytest.fixture(scope='module')
def installed(tarball, tmp_path_factory):
    """ANSIBLE_COLLECTIONS_PATH with the tarball installed first, then the dependencies this checkout's set-up
    provides (.ansible/collections without its link to the checkout; the ansible package's collections are found
    in site-packages)."""
    tmp = tmp_path_factory.mktemp('collections')
    dest = tmp / 'installed'
    proc = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '--no-deps', '-p', str(dest),
                tarball], cwd=str(tmp), env=clean_env([str(dest)]))
    assert proc.returncode == 0, proc.stdout[-3000:]
    deps = tmp / 'deps' / 'ansible_collections'
    ours = os.path.join(TOP, '.ansible', 'collections', 'ansible_collections')
    for path in glob.glob(os.path.join(ours, '*', '*')):
        namespace, name = path.split(os.sep)[-2:]
        if (namespace, name) != ('lbaas', 'octavia'):
            (deps / namespace).mkdir(parents=True, exist_ok=True)
            (deps / namespace / name).symlink_to(path)
    workdir = tmp / 'elsewhere'
    workdir.mkdir()
    return {'root': str(dest / 'ansible_collections' / 'lbaas' / 'octavia'), 'cwd': str(workdir),
            'env': clean_env([str(dest), str(tmp / 'deps')])}


def test_the_tarball_holds_the_product_alone(tarball):
    names = members(tarball)
    leaked = sorted(n for n in names if any(fnmatch.fnmatch(n, p) for p in NOT_SHIPPED))
    assert not leaked, leaked
    assert 'LICENSE' in names and names['LICENSE'].size > 30000
    for module in MODULES:
        assert 'plugins/modules/%s.py' % module in names
    for playbook in STEP_PLAYBOOKS:
        assert 'playbooks/%s.yaml' % playbook in names
    shipped_roles = {n.split('/')[1] for n in names if n.startswith('roles/') and n.count('/') >= 2}
    repo_roles = {os.path.basename(p) for p in glob.glob(os.path.join(TOP, 'roles', '*'))}
    assert shipped_roles == {r for r in repo_roles if not r.startswith('lab_')}


def test_dependencies_are_what_the_shipped_content_calls(tarball):
    """Every collection a shipped task calls is declared, and every declared one is called."""
    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile('MANIFEST.json'))
        declared = set(manifest['collection_info']['dependencies'])
        used = set()

        def keys(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    yield key
                    yield from keys(value)
            elif isinstance(node, list):
                for item in node:
                    yield from keys(item)

        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(('roles/', 'playbooks/')) and \
                    member.name.endswith(('.yml', '.yaml')) and '/templates/' not in member.name:
                for key in keys(yaml.safe_load(tar.extractfile(member)) or []):
                    match = FQCN.match(str(key))
                    if match:
                        used.add('%s.%s' % match.groups())
    used -= {'ansible.builtin', 'lbaas.octavia'}
    assert used <= declared, 'called but not declared: %s' % sorted(used - declared)
    assert declared <= used, 'declared but called by nothing shipped: %s' % sorted(declared - used)


def test_build_ignore_keeps_secrets_and_the_lab_out_wherever_they_are(tmp_path):
    """Left behind by a run anywhere in the tree (a PKI next to a playbook, lab state, keys), they stay out."""
    src = tmp_path / 'src'
    planted = ['octavia-pki/server_ca.key.pem', 'playbooks/octavia-pki/client_ca.cert.pem',
               'roles/certificates/files/octavia-pki/ca.srl', 'inventories/lab/.state/octavia-pki/client.key.pem',
               'roles/certificates/files/stray.key', 'roles/lab_base/tasks/main.yml', 'playbooks/lab.yaml',
               'plugins/connection/podman_nsenter.py', '.venv-deployer/bin/python', 'tests/unit/test_x.py']
    kept = ['README.md', 'LICENSE', 'roles/certificates/tasks/main.yml', 'plugins/modules/pool.py',
            'playbooks/site.yaml']
    for rel in planted + kept:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text('---\n')
    shutil.copy(os.path.join(TOP, 'galaxy.yml'), str(src / 'galaxy.yml'))
    out = tmp_path / 'out'
    out.mkdir()
    names = members(build(src, out))
    assert sorted(set(planted) & set(names)) == []
    assert not [n for n in names if 'octavia-pki' in n or n.startswith(('inventories', '.venv'))]
    assert set(kept) <= set(names)


def test_every_module_documents_itself_from_the_installed_collection(installed):
    # stderr apart: it carries warnings, stdout the JSON
    proc = subprocess.run([os.path.join(BIN, 'ansible-doc'), '--json'] + ['lbaas.octavia.' + m for m in MODULES],
                          cwd=installed['cwd'], env=installed['env'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    docs = json.loads(proc.stdout)
    assert sorted(docs) == ['lbaas.octavia.' + m for m in MODULES], proc.stderr[-3000:]
    for name, doc in docs.items():
        assert doc['doc']['filename'].startswith(installed['root'] + os.sep), (name, doc['doc']['filename'])
        assert doc['doc']['short_description'] and doc['examples'], name


@pytest.mark.parametrize('playbook', STEP_PLAYBOOKS)
def test_playbooks_are_callable_by_name_from_anywhere(installed, playbook):
    proc = run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '--syntax-check',
                'lbaas.octavia.' + playbook], cwd=installed['cwd'], env=installed['env'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'playbook: %s/playbooks/%s.yaml' % (installed['root'], playbook) in proc.stdout, proc.stdout[-3000:]
