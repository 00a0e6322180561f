"""Octavia's own code against our PKI (runs in a venv with the octavia package).

Reads an octavia.conf holding the options our certificates role published, lets Octavia's
local certificate generator issue an amphora server certificate from our server CA, serves
TLS with it the way the amphora agent does (client certificate required, from our client CA),
and calls it with the session setup of Octavia's amphora REST driver. Prints a JSON verdict.
"""
import datetime
import http.server
import json
import os
import ssl
import sys
import tempfile
import threading
import uuid

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from oslo_config import cfg

from octavia.amphorae.drivers.haproxy.rest_api_driver import CustomHostNameCheckingAdapter
from octavia.certificates.generator.local import LocalCertGenerator
from octavia.common import config, utils

CONF = cfg.CONF


def foreign_client_cert(workdir):
    """A clientAuth certificate from a CA that is not ours."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rogue CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=5))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "octavia-controller")]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=5))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    path = os.path.join(workdir, "rogue.pem")
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))
    return path


class Info(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        body = json.dumps({"api_version": "1.0", "peer": self.connection.getpeercert()["subject"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def amphora_agent(server_pem):
    """TLS like the amphora agent's gunicorn: certfile, ca_certs=client CA, CERT_REQUIRED."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(server_pem)
    ctx.load_verify_locations(CONF.controller_worker.client_ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Info)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def call(port, amp_id, client_cert, server_ca):
    """GET /info the way Octavia's AmphoraAPIClient sets up its session."""
    session = requests.Session()
    session.cert = client_cert
    adapter = CustomHostNameCheckingAdapter()
    adapter.uuid = amp_id
    session.mount("https://", adapter)
    try:
        r = session.get("https://127.0.0.1:%d/1.0/info" % port, verify=server_ca, timeout=10)
        return {"ok": r.status_code == 200, "status": r.status_code, "peer": r.json().get("peer")}
    except requests.exceptions.RequestException as exc:
        return {"ok": False, "error": "%s: %s" % (type(exc).__name__, str(exc)[:300])}


def main(conf_file):
    config.init([
        "--config-file", conf_file])
    workdir = tempfile.mkdtemp()
    amp_id = str(uuid.uuid4())

    # What the worker does for each new amphora.
    tls = LocalCertGenerator.generate_cert_key_pair(cn=amp_id, validity=CONF.certificates.cert_validity_time)
    server_pem = os.path.join(workdir, "server.pem")
    with open(server_pem, "wb") as f:
        f.write(tls.certificate + tls.private_key)
    issued = x509.load_pem_x509_certificate(tls.certificate)
    server_ca = x509.load_pem_x509_certificate(open(CONF.haproxy_amphora.server_ca, "rb").read())
    issued.verify_directly_issued_by(server_ca)

    # What Octavia does with server_certs_key_passphrase: a Fernet key for amphora keys in the DB.
    fernet = utils.get_server_certs_key_passphrases_fernet()
    fernet_ok = fernet.decrypt(fernet.encrypt(tls.private_key)) == tls.private_key

    httpd = amphora_agent(server_pem)
    port = httpd.server_address[1]
    result = {
        "amphora_id": amp_id,
        "issuer": issued.issuer.rfc4514_string(),
        "fernet_ok": fernet_ok,
        "ours": call(port, amp_id, CONF.haproxy_amphora.client_cert, CONF.haproxy_amphora.server_ca),
        "foreign_client_cert": call(port, amp_id, foreign_client_cert(workdir), CONF.haproxy_amphora.server_ca),
        "no_client_cert": call(port, amp_id, None, CONF.haproxy_amphora.server_ca),
        "wrong_server_ca": call(port, amp_id, CONF.haproxy_amphora.client_cert, CONF.controller_worker.client_ca),
        "wrong_amphora_id": call(port, str(uuid.uuid4()), CONF.haproxy_amphora.client_cert,
                                 CONF.haproxy_amphora.server_ca),
    }
    httpd.shutdown()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
