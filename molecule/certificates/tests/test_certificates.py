"""What the PKI role left on the Octavia hosts, checked from the outside."""
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

PKI = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "octavia-pki")
CERTS = "/etc/octavia/certs"


def _secret(name):
    with open(os.path.join(PKI, "secrets", name)) as f:
        return f.read().strip().encode()


def _is_network(host):
    return host.backend.get_hostname() == "lbaas-pki-network"


def test_only_amphora_controllers_receive_the_pki(host):
    assert host.file(CERTS).exists == _is_network(host)


def test_files_owners_and_modes(host):
    if not _is_network(host):
        return
    d = host.file(CERTS)
    assert (d.user, d.group, d.mode) == ("octavia", "octavia", 0o700)
    expected = {
        "server_ca.cert.pem": 0o644,
        "server_ca.key.pem": 0o600,
        "client_ca.cert.pem": 0o644,
        "client.cert-and-key.pem": 0o600,
    }
    assert sorted(host.file(CERTS).listdir()) == sorted(expected)
    for name, mode in expected.items():
        f = host.file(os.path.join(CERTS, name))
        assert (f.user, f.group, f.mode) == ("octavia", "octavia", mode), name
    # the client CA key and the SSH private key never leave the deployment host
    assert not host.file(os.path.join(CERTS, "client_ca.key.pem")).exists


def test_server_ca_key_is_encrypted_with_the_passphrase(host):
    if not _is_network(host):
        return
    pem = host.file(os.path.join(CERTS, "server_ca.key.pem")).content
    assert b"ENCRYPTED" in pem
    try:
        serialization.load_pem_private_key(pem, password=None)
        raise AssertionError("server CA key loads without a passphrase")
    except TypeError:
        pass
    key = serialization.load_pem_private_key(pem, password=_secret("server_ca_passphrase"))
    cert = x509.load_pem_x509_certificate(host.file(os.path.join(CERTS, "server_ca.cert.pem")).content)
    assert key.public_key() == cert.public_key()
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_client_bundle_chains_to_the_client_ca(host):
    if not _is_network(host):
        return
    bundle = host.file(os.path.join(CERTS, "client.cert-and-key.pem")).content
    cert = x509.load_pem_x509_certificate(bundle)
    key = serialization.load_pem_private_key(bundle[bundle.index(b"-----BEGIN RSA PRIVATE KEY"):], password=None)
    assert key.public_key() == cert.public_key()
    ca = x509.load_pem_x509_certificate(host.file(os.path.join(CERTS, "client_ca.cert.pem")).content)
    cert.verify_directly_issued_by(ca)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # the two CAs are distinct: an amphora certificate must not be usable as a controller one
    server_ca = x509.load_pem_x509_certificate(host.file(os.path.join(CERTS, "server_ca.cert.pem")).content)
    assert server_ca.public_key() != ca.public_key()


def test_local_pki_is_private():
    assert os.stat(PKI).st_mode & 0o777 == 0o700
    for name in ("server_ca.key.pem", "client_ca.key.pem", "client.key.pem", "amphora_ssh_key"):
        assert os.stat(os.path.join(PKI, name)).st_mode & 0o777 == 0o600, name
    assert len(_secret("server_certs_key_passphrase")) == 32
