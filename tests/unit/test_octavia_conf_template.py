"""octavia.conf as the control-plane role writes it, read back by oslo.config: secrets with '$' arrive intact.

The template is rendered by Ansible's own templating with the role's defaults and vars, so the test sees
what a run writes; oslo.config then parses it as Octavia's services do.
"""
import os

import pytest
import yaml

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

cfg = pytest.importorskip('oslo_config.cfg')

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(TOP, 'roles', 'octavia_control_plane')

SECRETS = {
    'keystone': 'k$ey$$stone${DEFAULT.debug}',
    'ca_passphrase': '$heartbeat_key-x$',
    'heartbeat_key': 'a$b$$c$',
    'sckp': 'abcdefghijklmnopqrstuvwxyz012345,$$old',
}


def _trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return dict((k, _trusted(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    return value


def render(**overrides):
    variables = {}
    for part in ('defaults', 'vars'):
        with open(os.path.join(ROLE, part, 'main.yml')) as f:
            variables.update(yaml.safe_load(f))
    variables.update({
        'octavia_control_plane_keystone_auth_url': 'http://keystone.example:5000/v3',
        'octavia_control_plane_keystone_password': SECRETS['keystone'],
        'octavia_control_plane_db_address': 'db.example',
        'octavia_control_plane_db_password': 'db$pass',
        'octavia_control_plane_rabbitmq_servers': ['mq.example:5672'],
        'octavia_control_plane_rabbitmq_password': 'mq$pass',
        'octavia_control_plane_amp_image_owner_id': 'f00',
        'octavia_control_plane_health_manager_controller_ip_port_list': ['192.0.2.10:5555'],
        'octavia_control_plane_pki_conf': {
            'certificates': {'ca_private_key_passphrase': SECRETS['ca_passphrase'],
                             'server_certs_key_passphrase': SECRETS['sckp']},
            'health_manager': {'heartbeat_key': SECRETS['heartbeat_key']},
        },
        'ansible_managed': 'Ansible managed',
    })
    variables.update(overrides)
    with open(os.path.join(ROLE, 'templates', 'octavia.conf.j2')) as f:
        source = f.read()
    templar = Templar(loader=DataLoader(), variables=_trusted(variables))
    return templar.template(trust_as_template(source))


def read_back(tmp_path, text):
    path = tmp_path / 'octavia.conf'
    path.write_text(text)
    conf = cfg.ConfigOpts()
    conf.register_opts([cfg.BoolOpt('debug')])
    conf.register_opts([cfg.StrOpt('password'), cfg.StrOpt('username')], group='keystone_authtoken')
    conf.register_opts([cfg.StrOpt('ca_private_key_passphrase'), cfg.ListOpt('server_certs_key_passphrase')],
                       group='certificates')
    conf.register_opts([cfg.StrOpt('heartbeat_key'), cfg.IntOpt('failover_threshold')], group='health_manager')
    conf.register_opts([cfg.StrOpt('connection')], group='database')
    conf.register_opts([cfg.StrOpt('description')], group='extra')
    conf.register_opts([cfg.BoolOpt('use_queue_manager', default=False), cfg.BoolOpt('rabbit_quorum_queue')],
                       group='oslo_messaging_rabbit')
    conf(args=[], default_config_files=[str(path)], project='octavia-test')
    return conf


def test_secrets_with_dollar_reach_oslo_config_intact(tmp_path):
    conf = read_back(tmp_path, render())
    assert conf.keystone_authtoken.password == SECRETS['keystone']
    assert conf.certificates.ca_private_key_passphrase == SECRETS['ca_passphrase']
    assert conf.health_manager.heartbeat_key == SECRETS['heartbeat_key']
    assert conf.certificates.server_certs_key_passphrase == SECRETS['sckp'].split(',')
    assert conf.keystone_authtoken.username == 'octavia'
    assert conf.debug is False


def test_overrides_are_literal_too(tmp_path):
    conf = read_back(tmp_path, render(octavia_control_plane_conf_overrides={'extra': {'description': 'cost: $5'}}))
    assert conf.extra.description == 'cost: $5'


def test_unescaped_dollar_is_what_breaks_octavia(tmp_path):
    """The reason for the escaping: the raw value makes oslo.config look for another option."""
    conf = read_back(tmp_path, '[health_manager]\nheartbeat_key = a$b\n')
    with pytest.raises(cfg.NoSuchOptError):
        conf.health_manager.heartbeat_key


def test_failover_threshold_default_and_off(tmp_path):
    assert read_back(tmp_path, render()).health_manager.failover_threshold == 10
    assert read_back(tmp_path, render(octavia_control_plane_failover_threshold='25')).health_manager.failover_threshold == 25
    off = render(octavia_control_plane_failover_threshold=0)
    assert 'failover_threshold' not in off
    assert read_back(tmp_path, off).health_manager.failover_threshold is None


def test_queue_manager_on_by_default(tmp_path):
    """The stopping worker's fanout-queue deletion drops casts (tests/fault/test_worker_restarts.py): the role turns
    oslo.messaging's queue manager on unless told otherwise."""
    assert read_back(tmp_path, render()).oslo_messaging_rabbit.use_queue_manager is True
    off = read_back(tmp_path, render(octavia_control_plane_rabbitmq_queue_manager=False))
    assert off.oslo_messaging_rabbit.use_queue_manager is False
    assert off.oslo_messaging_rabbit.rabbit_quorum_queue is True
