"""Preflight: a missing inventory group, address or credential stops the run first, with a message that names
the variable (or group) and where to set it, and nothing is changed. No cloud is needed: every case must fail
before any API call (an API call would fail differently, against nothing)."""
import os

import pytest
import yaml

from conftest import TOP, recap, run_playbook

# The credentials may come from the environment: the cases below must not find any there.
NO_CLOUD_ENV = {'OS_CLOUD': '', 'OS_AUTH_URL': '', 'OS_CLIENT_CONFIG_FILE': '/nonexistent/clouds.yaml'}


def inventory(tmp_path, groups):
    """An inventory of local hosts in the given groups ({group: [host, ...]})."""
    children = {group: {'hosts': {host: {'ansible_connection': 'local',
                                         'ansible_python_interpreter': '{{ ansible_playbook_python }}'}
                                  for host in hosts}}
                for group, hosts in groups.items()}
    path = tmp_path / 'hosts.yml'
    path.write_text(yaml.safe_dump({'all': {'children': children}}))
    return str(path)


FULL = {'deployer': ['localhost'], 'controller': ['ctl-1'], 'network': ['net-1']}


@pytest.mark.parametrize('missing, message', [
    ('network', "Inventory group 'network' is missing or has no hosts. Its hosts run the health manager"),
    ('deployer', "Inventory group 'deployer' is missing or has no hosts. It holds the machine"),
    ('controller', "Inventory group 'controller' is missing or has no hosts. Its hosts run the Octavia API"),
])
@pytest.mark.parametrize('playbook', ['site.yaml', 'playbooks/lb_mgmt.yaml', 'playbooks/octavia_control_plane.yaml'])
def test_a_missing_group_is_named_before_any_play(tmp_path, playbook, missing, message):
    groups = {group: hosts for group, hosts in FULL.items() if group != missing}
    rc, out = run_playbook(os.path.join(TOP, playbook), inventory=inventory(tmp_path, groups))
    assert rc != 0, out[-3000:]
    assert message in ' '.join(out.split()), out[-3000:]
    assert 'add it to your inventory' in out.lower() or 'Add it to your inventory' in out
    # the check play is the only one that ran
    assert out.count('PLAY [') == 1, out[-3000:]
    assert recap(out)['changed'] == 0


def role_play(tmp_path, role, variables):
    path = tmp_path / 'play.yml'
    path.write_text(yaml.safe_dump([{
        'name': 'Preflight of %s' % role, 'hosts': 'localhost', 'gather_facts': False,
        'tasks': [{'name': 'The role', 'ansible.builtin.include_role': {'name': 'lbaas.octavia.' + role},
                   'vars': variables}],
    }], sort_keys=False))
    return str(path)


@pytest.mark.parametrize('role, variables, named', [
    # no way to reach the cloud at all
    ('amphora_image', {'amphora_image_source': 'url', 'amphora_image_url': 'http://192.0.2.1/a.qcow2',
                       'amphora_image_manage_keypair': False},
     ['amphora_image_cloud', 'amphora_image_auth']),
    # the keypair belongs to Octavia's user: its own credentials are required
    ('amphora_image', {'amphora_image_source': 'url', 'amphora_image_url': 'http://192.0.2.1/a.qcow2',
                       'amphora_image_cloud': 'admin', 'amphora_image_ssh_public_key': 'ssh-ed25519 AAAA x'},
     ['amphora_image_keypair_cloud', 'amphora_image_keypair_auth']),
    ('octavia_identity', {'octavia_identity_password': 'x', 'octavia_identity_public_url': 'http://192.0.2.1:9876'},
     ['octavia_identity_cloud', 'octavia_identity_auth']),
    # admin from clouds.yaml, but no Keystone URL to check the service user's password against
    ('octavia_identity', {'octavia_identity_cloud': 'admin', 'octavia_identity_password': 'x',
                          'octavia_identity_public_url': 'http://192.0.2.1:9876'},
     ['octavia_identity_keystone_url']),
    ('octavia_identity', {'octavia_identity_auth': {'auth_url': 'http://192.0.2.1:5000/v3'},
                          'octavia_identity_public_url': 'http://192.0.2.1:9876'},
     ['octavia_identity_password']),
])
def test_a_missing_credential_is_named_before_any_call(tmp_path, role, variables, named):
    rc, out = run_playbook(role_play(tmp_path, role, variables), inventory='localhost,', env=NO_CLOUD_ENV)
    assert rc != 0, out[-3000:]
    flat = ' '.join(out.split())
    for name in named:
        assert name in flat, (name, out[-3000:])
    assert recap(out)['changed'] == 0
    # failed in the role's own check, not in an API call or a template
    assert 'Check' in out.split('fatal:')[0].rsplit('TASK [', 1)[1], out[-3000:]
