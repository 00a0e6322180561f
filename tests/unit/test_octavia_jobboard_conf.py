"""octavia.conf's [task_flow] as the control-plane role writes it (the jobboard, docs/ha.md), read back by
oslo.config with the option types Octavia 19 registers."""
import pytest

from test_octavia_conf_template import read_back, render

cfg = pytest.importorskip('oslo_config.cfg')


def task_flow(tmp_path, text):
    conf = read_back(tmp_path, text)
    conf.register_opts([
        cfg.BoolOpt('jobboard_enabled'), cfg.StrOpt('persistence_connection'), cfg.StrOpt('jobboard_backend_driver'),
        cfg.ListOpt('jobboard_backend_hosts'), cfg.PortOpt('jobboard_backend_port'),
        cfg.StrOpt('jobboard_backend_password'), cfg.StrOpt('jobboard_redis_sentinel'),
        cfg.StrOpt('jobboard_redis_sentinel_username'), cfg.StrOpt('jobboard_redis_sentinel_password'),
        cfg.DictOpt('jobboard_redis_sentinel_ssl_options'),
        cfg.IntOpt('jobboard_expiration_time'), cfg.DictOpt('jobboard_redis_backend_ssl_options'),
    ], group='task_flow')
    return conf.task_flow


def test_off_by_default(tmp_path):
    text = render()
    assert task_flow(tmp_path, text).jobboard_enabled is False
    assert 'persistence_connection' not in text


def test_on_with_redis_sentinel_and_tls(tmp_path):
    flow = task_flow(tmp_path, render(
        octavia_control_plane_jobboard_enabled=True,
        octavia_control_plane_jobboard_hosts=['192.0.2.21', '192.0.2.22'],
        octavia_control_plane_jobboard_port=26379,
        octavia_control_plane_jobboard_password='re$dis',
        octavia_control_plane_jobboard_redis_sentinel='octavia',
        octavia_control_plane_jobboard_ssl_options={'ssl': True, 'ssl_ca_certs': '/etc/octavia/certs/ca.pem'}))
    assert flow.jobboard_enabled is True
    assert flow.jobboard_backend_driver == 'redis_taskflow_driver'
    assert flow.jobboard_backend_hosts == ['192.0.2.21', '192.0.2.22']
    assert flow.jobboard_backend_port == 26379
    assert flow.jobboard_backend_password == 're$dis'
    assert flow.jobboard_redis_sentinel == 'octavia'
    assert flow.jobboard_expiration_time == 30
    assert flow.jobboard_redis_backend_ssl_options == {'ssl': 'True', 'ssl_ca_certs': '/etc/octavia/certs/ca.pem'}
    # its own database, same account (the password's '$' survives in the URL)
    assert flow.persistence_connection == 'mysql+pymysql://octavia:db%24pass@db.example:3306/octavia_persistence'


def test_plain_redis_writes_no_sentinel_or_ssl(tmp_path):
    text = render(octavia_control_plane_jobboard_enabled=True, octavia_control_plane_jobboard_hosts=['192.0.2.21'])
    flow = task_flow(tmp_path, text)
    assert flow.jobboard_redis_sentinel is None
    assert 'jobboard_redis_backend_ssl_options' not in text
    assert 'jobboard_backend_password' not in text


def test_sentinel_of_the_jobboard_role(tmp_path):
    """lbaas.octavia.octavia_jobboard with Sentinel: the sentinels, their port by default, both passwords."""
    text = render(
        octavia_control_plane_jobboard_enabled=True,
        octavia_control_plane_jobboard_hosts=['192.0.2.21', '192.0.2.22', '192.0.2.23'],
        octavia_control_plane_jobboard_password='re$dis',
        octavia_control_plane_jobboard_redis_sentinel='octavia',
        octavia_control_plane_jobboard_redis_sentinel_password='sen$tinel')
    flow = task_flow(tmp_path, text)
    assert flow.jobboard_backend_hosts == ['192.0.2.21', '192.0.2.22', '192.0.2.23']
    assert flow.jobboard_backend_port == 26379
    assert flow.jobboard_redis_sentinel == 'octavia'
    assert flow.jobboard_backend_password == 're$dis'
    assert flow.jobboard_redis_sentinel_password == 'sen$tinel'
    assert flow.jobboard_redis_sentinel_username is None
    assert 'jobboard_redis_sentinel_ssl_options' not in text


def test_plain_redis_port_and_no_sentinel_password(tmp_path):
    text = render(octavia_control_plane_jobboard_enabled=True, octavia_control_plane_jobboard_hosts=['192.0.2.21'],
                  octavia_control_plane_jobboard_redis_sentinel_password='unused')
    flow = task_flow(tmp_path, text)
    assert flow.jobboard_backend_port == 6379
    assert 'jobboard_redis_sentinel_password' not in text


def test_the_jobboards_ca_turns_tls_on_for_servers_and_sentinels(tmp_path):
    """octavia_control_plane_jobboard_tls_ca: the copied CA named in both ssl options; the inventory's keys win."""
    flow = task_flow(tmp_path, render(
        octavia_control_plane_jobboard_enabled=True,
        octavia_control_plane_jobboard_hosts=['192.0.2.21', '192.0.2.22', '192.0.2.23'],
        octavia_control_plane_jobboard_redis_sentinel='octavia',
        octavia_control_plane_jobboard_tls_ca='/srv/pki/redis-ca.pem',
        octavia_control_plane_jobboard_redis_sentinel_ssl_options={'ssl_cert_reqs': 'required'}))
    assert flow.jobboard_redis_backend_ssl_options == {'ssl': 'True', 'ssl_ca_certs': '/etc/octavia/jobboard-ca.pem'}
    assert flow.jobboard_redis_sentinel_ssl_options == {
        'ssl': 'True', 'ssl_ca_certs': '/etc/octavia/jobboard-ca.pem', 'ssl_cert_reqs': 'required'}
