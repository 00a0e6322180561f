"""Boot an amphora image under QEMU and talk mTLS to its agent with Octavia's own code (octavia venv).

usage: amphora_boot.py WORKDIR PKI_DIR IMAGE KERNEL INITRD

What the worker does for a new amphora, with Octavia's code: LocalCertGenerator issues the server
certificate from our server CA (PKI role); AgentJinjaTemplater renders amphora-agent.conf;
UserDataJinjaCfg renders the cloud-config that writes it, the certificate and our client CA; that goes on
a config drive. Then QEMU (TCG) boots the image (direct kernel boot: the test image has no partition
table) with the agent's 9443 forwarded to 127.0.0.1, and Octavia's AmphoraAPIClient calls GET /info with
our client certificate until it answers; a call without a client certificate must be refused.
Prints a JSON verdict; exit 0 when both hold.
"""
import json
import os
import socket
import subprocess
import sys
import time
import uuid

import requests
from oslo_config import cfg

from octavia.amphorae.backends.agent import agent_jinja_cfg
from octavia.amphorae.drivers.haproxy import rest_api_driver
from octavia.certificates.generator.local import LocalCertGenerator
from octavia.common import config
from octavia.common.jinja import user_data_jinja_cfg

CONF = cfg.CONF
AGENT_PORT = 9443
BOOT_TIMEOUT = int(os.environ.get('AMPHORA_BOOT_TIMEOUT', '900'))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def secret(pki, name):
    with open(os.path.join(pki, 'secrets', name)) as handle:
        return handle.read().strip()


def write_conf(workdir, pki, port):
    conf = os.path.join(workdir, 'octavia.conf')
    with open(conf, 'w') as handle:
        handle.write(f"""[certificates]
ca_certificate = {pki}/server_ca.cert.pem
ca_private_key = {pki}/server_ca.key.pem
ca_private_key_passphrase = {secret(pki, 'server_ca_passphrase')}
server_certs_key_passphrase = {secret(pki, 'server_certs_key_passphrase')}
[haproxy_amphora]
client_cert = {pki}/client.cert-and-key.pem
server_ca = {pki}/server_ca.cert.pem
bind_port = {port}
connection_max_retries = 1
connection_retry_interval = 1
[controller_worker]
client_ca = {pki}/client_ca.cert.pem
[health_manager]
heartbeat_key = {secret(pki, 'heartbeat_key')}
controller_ip_port_list = 10.0.2.2:5555
""")
    return conf


def config_drive(workdir, amp_id):
    tls = LocalCertGenerator.generate_cert_key_pair(cn=amp_id, validity=CONF.certificates.cert_validity_time)
    agent_conf = agent_jinja_cfg.AgentJinjaTemplater().build_agent_config(amp_id, 'SINGLE')
    with open(CONF.controller_worker.client_ca) as handle:
        client_ca = handle.read()
    files = {
        '/etc/octavia/amphora-agent.conf': agent_conf,
        '/etc/octavia/certs/server.pem': (tls.certificate + tls.private_key).decode(),
        '/etc/octavia/certs/client_ca.pem': client_ca,
    }
    user_data = user_data_jinja_cfg.UserDataJinjaCfg().build_user_data_config(files)
    root = os.path.join(workdir, 'cfgdrive')
    latest = os.path.join(root, 'openstack', 'latest')
    os.makedirs(latest, exist_ok=True)
    with open(os.path.join(latest, 'meta_data.json'), 'w') as handle:
        json.dump({'uuid': amp_id, 'hostname': 'amphora-' + amp_id[:8], 'name': 'amphora-' + amp_id}, handle)
    with open(os.path.join(latest, 'user_data'), 'w') as handle:
        handle.write(user_data)
    iso = os.path.join(workdir, 'config-drive.iso')
    subprocess.run(['genisoimage', '-quiet', '-o', iso, '-V', 'config-2', '-r', '-J', root], check=True)
    return iso


def call_info(amp_id, port, with_client_cert=True):
    """GET /info through Octavia's AmphoraAPIClient (its session, adapter and TLS checks)."""
    client = rest_api_driver.AmphoraAPIClient1_0()

    class Amp:
        id = amp_id
        lb_network_ip = '127.0.0.1'
        api_version = '1.0'
    if not with_client_cert:
        client.session.cert = None
    return client.get_info(Amp(), raise_retry_exception=True, timeout_dict={
        'req_conn_timeout': 1, 'req_read_timeout': 10, 'conn_max_retries': 1, 'conn_retry_interval': 1})


def main(workdir, pki, image, kernel, initrd):
    port = free_port()
    config.init(['--config-file', write_conf(workdir, pki, AGENT_PORT)])
    amp_id = str(uuid.uuid4())
    iso = config_drive(workdir, amp_id)
    # The agent inside listens on 9443 as on a real amphora; the controller side reaches it through QEMU's
    # forward from a free port on 127.0.0.1 (the driver builds its URLs from the same bind_port option).
    CONF.set_override('bind_port', port, group='haproxy_amphora')
    console = os.path.join(workdir, 'console.log')
    # An overlay rather than -snapshot: after a failure the guest's disk (journal, agent log) can be read.
    overlay = os.path.join(workdir, 'overlay.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', os.path.abspath(image), overlay],
                   check=True)
    qemu = subprocess.Popen(
        ['qemu-system-x86_64', '-accel', 'tcg', '-m', '1024', '-smp', '2', '-nographic',
         '-kernel', kernel, '-initrd', initrd, '-append', 'root=LABEL=cloudimg-rootfs ro console=ttyS0',
         '-drive', f'file={overlay},if=virtio', '-drive', f'file={iso},media=cdrom,readonly=on',
         '-nic', f'user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:{port}-:{AGENT_PORT}'],
        stdin=subprocess.DEVNULL, stdout=open(console, 'w'), stderr=subprocess.STDOUT)
    start = time.time()
    result = {'amphora_id': amp_id, 'port': port, 'console': console}
    try:
        info, last = None, None
        while time.time() - start < BOOT_TIMEOUT and qemu.poll() is None:
            try:
                info = call_info(amp_id, port)
                break
            except Exception as exc:  # pylint: disable=broad-except
                last = '%s: %s' % (type(exc).__name__, str(exc)[:200])
                time.sleep(5)
        result['seconds_to_agent'] = round(time.time() - start)
        result['info'] = info
        result['last_error'] = None if info else last
        if info:
            try:
                call_info(amp_id, port, with_client_cert=False)
                result['without_client_cert'] = 'ACCEPTED'
            except (requests.exceptions.RequestException, Exception) as exc:  # pylint: disable=broad-except
                result['without_client_cert'] = 'refused: %s' % str(exc)[:200]
    finally:
        qemu.kill()
        qemu.wait()
    result['ok'] = bool(result.get('info')) and result.get('without_client_cert', '').startswith('refused')
    print(json.dumps(result, indent=2))
    return 0 if result['ok'] else 1


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:6]))
