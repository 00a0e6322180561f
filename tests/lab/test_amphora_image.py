"""lbaas.octavia.amphora_image against the lab: a real (small, partitionless) DIB build whose manifests hold
haproxy and the amphora agent, uploaded to the lab's Glance as the service project's private image with
the tag, the flavor and keypair, a re-run that changes nothing; and the tag moving between images.

The build test uses its own name prefix, tag, flavor and key name (the lab's own image, from site.yaml,
is left alone), so it really builds (DIB's download caches in the role's cache directory stay warm)."""
import json
import os
import subprocess
import sys
import uuid

import pytest

from conftest import TOP, recaps

BIN = os.path.dirname(sys.executable)
RUN = 'amptest-' + uuid.uuid4().hex[:6]
CACHE = '/var/cache/lbaas-octavia/amphora'


def playbook(extra, *args):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ['PATH'], ANSIBLE_NOCOLOR='1', PY_COLORS='0',
               ANSIBLE_CONFIG=os.path.join(TOP, 'ansible.cfg'),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, '.ansible', 'collections'))
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', os.path.join(TOP, 'inventories', 'lab'),
                           os.path.join(TOP, 'playbooks', 'amphora_image.yaml'), '-e', json.dumps(extra)] + list(args),
                          cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return proc.returncode, proc.stdout


def changed(out):
    """The changed counters of the recap, and the names of the tasks that changed."""
    counts = {host: c['changed'] for host, c in recaps(out) if c['changed']}
    if not counts:
        return {}
    tasks, task = [], None
    for line in out.splitlines():
        if line.startswith('TASK ['):
            task = line
        elif line.startswith('changed:') and task:
            tasks.append(task)
    return {'recap': counts, 'tasks': tasks}


BUILD_VARS = {
    'amphora_image_name_prefix': RUN,
    'amphora_image_tag': RUN,
    'amphora_image_flavor_name': RUN,
    'amphora_image_ssh_key_name': RUN,
    'amphora_image_build_poll': 15,
}


@pytest.fixture(scope='module')
def built(first_run, admin):
    rc, out = playbook(BUILD_VARS)
    yield rc, out
    for image in admin.image.images(owner=service_id(admin)):
        if image.name.startswith(RUN):
            admin.image.delete_image(image, ignore_missing=True)
    flavor = admin.compute.find_flavor(RUN)
    if flavor:
        admin.compute.delete_flavor(flavor)
    octavia = octavia_conn()
    keypair = octavia.compute.find_keypair(RUN)
    if keypair:
        octavia.compute.delete_keypair(keypair)
    for path in (f'{CACHE}/images', f'{CACHE}/logs', f'{CACHE}/work'):
        for name in os.listdir(path):
            if name.startswith(RUN):
                subprocess.run(['rm', '-rf', os.path.join(path, name)], check=True)


def service_id(admin):
    return admin.identity.find_project('service', domain_id='default').id


def octavia_conn():
    """Octavia's service user (Nova keypairs belong to a user), with the lab's generated password."""
    import openstack
    with open(os.path.join(TOP, 'inventories', 'lab', '.state', 'octavia_keystone_password')) as handle:
        password = handle.read().split()[0]
    return openstack.connect(auth={'auth_url': 'http://10.89.60.11:5000/v3', 'username': 'octavia',
                                   'password': password, 'project_name': 'service', 'user_domain_name': 'Default',
                                   'project_domain_name': 'Default'}, region_name='RegionOne')


def built_name(out):
    for line in out.splitlines():
        if 'Building ' + RUN in line:
            return line.split('Building ', 1)[1].split()[0]
    raise AssertionError('no build in:\n' + out[-4000:])


def test_build_and_upload(built):
    rc, out = built
    assert rc == 0, out[-6000:]
    assert 'Building ' + RUN in out


def test_manifests_hold_haproxy_and_the_agent(built):
    name = built_name(built[1])
    manifests = f'{CACHE}/images/{name}.d/dib-manifests'
    with open(f'{manifests}/dib-manifest-dpkg-{name}') as handle:
        dpkg = {p['package']: p for p in json.load(handle)['packages']}
    assert dpkg['haproxy']['status'].strip() == 'ii', dpkg.get('haproxy')
    assert dpkg['keepalived']['status'].strip() == 'ii'
    with open(f'{manifests}/dib-manifest-pip-amphora-agent') as handle:
        pip = handle.read().split()
    assert 'octavia==19.0.0' in pip, pip
    assert any(p.startswith('pyroute2==') for p in pip)
    with open(f'{manifests}/dib-manifest-git-{name}') as handle:
        git = handle.read()
    assert 'amphora-agent' in git


def test_agent_inside_the_filesystem(built, tmp_path):
    """The image has no partition table: debugfs reads its ext4 filesystem directly."""
    name = built_name(built[1])
    raw = tmp_path / 'image.raw'
    subprocess.run(['qemu-img', 'convert', '-O', 'raw', f'{CACHE}/images/{name}.qcow2', str(raw)], check=True)
    for path in ('/opt/amphora-agent-venv/bin/amphora-agent', '/usr/sbin/haproxy',
                 '/usr/lib/systemd/system/amphora-agent.service'):
        proc = subprocess.run(['debugfs', '-R', 'stat ' + path, str(raw)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        assert 'Inode:' in proc.stdout, (path, proc.stdout)
    proc = subprocess.run(['debugfs', '-R', 'ls /tmp/in_target.d', str(raw)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    assert 'host-ca-bundle' not in proc.stdout


def test_one_private_image_with_the_tag(built, admin):
    images = list(admin.image.images(tag=RUN))
    assert len(images) == 1, images
    image = images[0]
    assert image.status == 'active'
    assert image.visibility == 'private'
    assert image.owner == service_id(admin)
    assert image.name == built_name(built[1])
    props = image.properties or {}
    assert (image.architecture or props.get('hw_architecture')) == 'x86_64'
    assert (image.hw_rng_model or props.get('hw_rng_model')) == 'virtio'


def test_flavor_disk_fits_the_image(built, admin):
    image = next(admin.image.images(tag=RUN))
    flavor = admin.compute.find_flavor(RUN, get_extra_specs=True)
    assert flavor is not None
    assert not flavor.is_public
    assert flavor.vcpus == 1 and flavor.ram == 1024
    assert flavor.disk >= -(-image.virtual_size // 2 ** 30) + 1
    assert flavor.disk == max(0, -(-image.virtual_size // 2 ** 30)) + 1


def test_keypair_of_the_service_user(built):
    keypair = octavia_conn().compute.find_keypair(RUN)
    assert keypair is not None
    pub = open(os.path.join(TOP, 'inventories', 'lab', '.state', 'octavia-pki', 'amphora_ssh_key.pub')).read()
    assert keypair.public_key.split()[:2] == pub.split()[:2]


def test_facts_for_octavia_conf(built, admin):
    rc, out = playbook(BUILD_VARS, '-v')
    assert rc == 0, out[-4000:]
    flavor = admin.compute.find_flavor(RUN)
    assert f'amp_flavor_id: {flavor.id}' in out
    assert f'amp_image_owner_id: {service_id(admin)}' in out
    assert f'amp_image_tag: {RUN}' in out
    assert f'amp_ssh_key_name: {RUN}' in out


def test_rerun_changes_nothing(built):
    rc, out = playbook(BUILD_VARS)
    assert rc == 0, out[-4000:]
    assert not changed(out), changed(out)
    assert 'Building ' + RUN not in out


def test_the_tag_moves_to_the_new_image(built, admin, tmp_path):
    """Prebuilt files: each new one gets the tag, the previous loses it, one old image is kept."""
    prefix = RUN + '-rot'
    names = []
    for index in range(3):
        path = tmp_path / f'{index}.qcow2'
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path), f'{index + 1}M'], check=True)
        extra = dict(BUILD_VARS, amphora_image_source='file', amphora_image_file=str(path),
                     amphora_image_name_prefix=prefix, amphora_image_manage_flavor=False,
                     amphora_image_manage_keypair=False, amphora_image_tag=prefix)
        rc, out = playbook(extra)
        assert rc == 0, out[-4000:]
        tagged = list(admin.image.images(tag=prefix))
        assert len(tagged) == 1, tagged
        names.append(tagged[0].name)
    rc, out = playbook(extra)
    assert rc == 0, out[-4000:]
    assert not changed(out), changed(out)
    owned = {i.name: i for i in admin.image.images(owner=service_id(admin)) if i.name.startswith(prefix)}
    assert set(owned) == {names[1], names[2]}
    assert owned[names[1]].tags == [prefix + '-retired']
    assert owned[names[2]].tags == [prefix]
