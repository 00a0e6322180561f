"""Certificates and keys made with cryptography, for the bring-your-own and expiry cases of test_pki."""
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def write_cert(path, cn, passphrase=None, eku=None, issuer=None, ca=True, cert_sign=True, days=400, ski=True):
    """Write <cn>.cert.pem and <cn>.key.pem (PKCS#8, encrypted when a passphrase is given) into path."""
    now = datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    signer_key, signer_name = (issuer[1], issuer[0].subject) if issuer else (key, name)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(signer_name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ski:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if issuer:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False)
    if ca and cert_sign:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                          crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    cert = b.sign(signer_key, hashes.SHA256())
    enc = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    (path / (cn + ".cert.pem")).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (path / (cn + ".key.pem")).write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8, enc))
    return cert, key


def expire(cert_path, key_path, passphrase, issuer=None):
    """Re-sign the certificate at cert_path (same key, same subject) so that it expired yesterday.
    issuer: (cert path, key path, passphrase) of its CA; none for a self-signed CA."""
    now = datetime.datetime.now(datetime.timezone.utc)
    old = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), passphrase)
    signer_key, signer_name = key, old.subject
    if issuer:
        signer_key = serialization.load_pem_private_key(issuer[1].read_bytes(), issuer[2])
        signer_name = x509.load_pem_x509_certificate(issuer[0].read_bytes()).subject
    b = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(signer_name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=10))
         .not_valid_after(now - datetime.timedelta(days=1)))
    for ext in old.extensions:
        b = b.add_extension(ext.value, ext.critical)
    cert_path.write_bytes(b.sign(signer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
