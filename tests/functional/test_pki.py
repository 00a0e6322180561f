"""The certificates role end to end: Octavia's own code trusts what it generated,
secrets stay out of -vvv output, re-runs change nothing, and bad input fails before any write."""
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import TOP, ansible_env, recap, run_playbook

sys.path.insert(0, os.path.join(TOP, "tests", "functional", "pki"))
import certs  # noqa: E402 pylint: disable=wrong-import-position
import checks  # noqa: E402 pylint: disable=wrong-import-position
from certs import write_cert  # noqa: E402 pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(TOP, "tests", "functional", "pki", "pki.yml")
HANDSHAKE = os.path.join(TOP, "tests", "functional", "pki", "handshake.py")


def pki_vars(tmp, **extra):
    v = {"certificates_local_dir": str(tmp / "pki"), "certificates_remote_dir": str(tmp / "etc-octavia-certs"),
         "pki_conf_out": str(tmp / "octavia.conf")}
    v.update(extra)
    return v


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pki")
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp), verbosity=3)
    assert rc == 0, out[-4000:]
    return tmp, out


def test_octavia_trusts_what_the_role_generated(generated, octavia_python):
    tmp = generated[0]
    proc = subprocess.run([octavia_python, HANDSHAKE, str(tmp / "octavia.conf")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "Octavia amphora server CA" in res["issuer"]
    assert res["fernet_ok"]
    assert res["ours"]["ok"], res["ours"]
    assert ["commonName", "octavia-controller"] in [kv for rdn in res["ours"]["peer"] for kv in rdn]
    for refused in ("foreign_client_cert", "no_client_cert", "wrong_server_ca", "wrong_amphora_id"):
        assert not res[refused]["ok"], (refused, res[refused])
        assert "SSL" in res[refused]["error"] or "certificate" in res[refused]["error"], res[refused]


def test_no_secret_in_verbose_output(generated):
    tmp, out = generated
    pki = tmp / "pki"
    secrets = [p.read_text().strip() for p in (pki / "secrets").iterdir()]
    assert len(secrets) == 4 and all(len(s) >= 32 for s in secrets)
    for key in ("client.key.pem", "server_ca.key.pem", "client_ca.key.pem", "amphora_ssh_key"):
        body = (pki / key).read_text().splitlines()
        secrets += [line for line in body if len(line) > 40 and not line.startswith("-----")][:3]
    leaked = [s[:6] + "..." for s in secrets if s in out]
    assert not leaked, "secrets in -vvv output: %s" % leaked


def test_rerun_changes_nothing_and_check_mode_agrees(generated):
    tmp = generated[0]
    before = {p: open(p, "rb").read() for p in glob.glob(str(tmp / "pki" / "**"), recursive=True) if os.path.isfile(p)}
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp), check=True)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp))
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]
    after = {p: open(p, "rb").read() for p in glob.glob(str(tmp / "pki" / "**"), recursive=True) if os.path.isfile(p)}
    assert before == after


def test_rotation_replaces_one_item_only(tmp_path):
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc == 0, out[-3000:]
    pki = tmp_path / "pki"
    old = {p.name: p.read_bytes() for p in pki.iterdir() if p.is_file()}
    old_sckp = (pki / "secrets" / "server_certs_key_passphrase").read_text()
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, certificates_rotate="client_cert"))
    assert rc == 0, out[-3000:]
    new = {p.name: p.read_bytes() for p in pki.iterdir() if p.is_file()}
    changed = sorted(n for n in old if old[n] != new[n])
    assert changed == ["client.cert-and-key.pem", "client.cert.pem", "client.key.pem"], changed
    assert len([n for n in new if n.startswith("client.cert.pem.")]) == 1  # the old one, kept
    # the new client certificate still chains to the unchanged client CA
    ca = x509.load_pem_x509_certificate(new["client_ca.cert.pem"])
    x509.load_pem_x509_certificate(new["client.cert.pem"]).verify_directly_issued_by(ca)

    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, certificates_rotate="server_certs_key_passphrase"))
    assert rc == 0, out[-3000:]
    conf = (tmp_path / "octavia.conf").read_text()
    new_sckp = (pki / "secrets" / "server_certs_key_passphrase").read_text()
    assert new_sckp != old_sckp
    assert "server_certs_key_passphrase = %s,%s\n" % (new_sckp, old_sckp) in conf


def _make_byo(d):
    write_cert(d, "my-server-ca", passphrase="server-pass-123")
    client_ca = write_cert(d, "my-client-ca", passphrase="client-pass-123")
    write_cert(d, "my-client", eku=[ExtendedKeyUsageOID.CLIENT_AUTH], issuer=client_ca, ca=False)
    write_cert(d, "my-server-only", eku=[ExtendedKeyUsageOID.SERVER_AUTH], issuer=client_ca, ca=False)
    write_cert(d, "other-ca", passphrase="server-pass-123")
    write_cert(d, "my-leaf", passphrase="server-pass-123", issuer=client_ca, ca=False)
    # Python >= 3.13 and OpenSSL's strict mode refuse a CA whose certificate has no keyUsage
    write_cert(d, "no-keyusage-ca", passphrase="server-pass-123", cert_sign=False)
    write_cert(d, "no-ski-ca", passphrase="server-pass-123", ski=False)
    # valid for less than Octavia's 30-day amphora certificates
    write_cert(d, "short-ca", passphrase="server-pass-123", days=20)
    write_cert(d, "short-client", eku=[ExtendedKeyUsageOID.CLIENT_AUTH], issuer=client_ca, ca=False, days=20)


@pytest.fixture
def byo(tmp_path):
    d = tmp_path / "byo"
    d.mkdir()
    _make_byo(d)
    return {
        "certificates_server_ca_cert_file": str(d / "my-server-ca.cert.pem"),
        "certificates_server_ca_key_file": str(d / "my-server-ca.key.pem"),
        "certificates_server_ca_passphrase": "server-pass-123",
        "certificates_client_ca_cert_file": str(d / "my-client-ca.cert.pem"),
        "certificates_client_cert_file": str(d / "my-client.cert.pem"),
        "certificates_client_key_file": str(d / "my-client.key.pem"),
    }


def test_bring_your_own_is_validated_and_used(tmp_path, byo, octavia_python):
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, **byo))
    assert rc == 0, out[-3000:]
    pki = tmp_path / "pki"
    assert (pki / "server_ca.cert.pem").read_bytes() == open(byo["certificates_server_ca_cert_file"], "rb").read()
    assert (pki / "client.cert.pem").read_bytes() == open(byo["certificates_client_cert_file"], "rb").read()
    assert not (pki / "client_ca.key.pem").exists()  # not supplied, not needed
    proc = subprocess.run([octavia_python, HANDSHAKE, str(tmp_path / "octavia.conf")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["ours"]["ok"] and "my-server-ca" in res["issuer"], res
    assert not res["foreign_client_cert"]["ok"]
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, **byo))
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]


def _files(top):
    return {str(p.relative_to(top)): p.read_bytes() for p in top.rglob("*") if p.is_file()} if top.exists() else None


def _case_setup(kind, case_dir, generated_tmp):
    """Put the case's starting point in place (see pki/checks.py)."""
    if kind in ("pki", "fetch", "no-client-ca-key", "expired-ca"):
        shutil.copytree(generated_tmp / "pki", case_dir / "pki")
    if kind in ("hosts", "fetch", "hosts-empty-conf", "hosts-wrong-conf"):
        shutil.copytree(generated_tmp / "etc-octavia-certs", case_dir / "remote")
        conf = (generated_tmp / "octavia.conf").read_text()
        if kind == "hosts-empty-conf":
            conf = ""
        elif kind == "hosts-wrong-conf":
            conf = re.sub(r"(?m)^ca_private_key_passphrase = .*$", "ca_private_key_passphrase = not-the-passphrase", conf)
        (case_dir / "octavia.conf").write_text(conf)
    if kind == "no-client-ca-key":
        (case_dir / "pki" / "client_ca.key.pem").unlink()
    if kind == "expired-ca":
        pki = case_dir / "pki"
        certs.expire(pki / "server_ca.cert.pem", pki / "server_ca.key.pem",
                     (pki / "secrets" / "server_ca_passphrase").read_bytes())


@pytest.fixture(scope="module")
def input_checks(generated, tmp_path_factory):
    """All of pki/checks.py's cases in one playbook run: {id: (message, case dir, files before, files after)}."""
    tmp = tmp_path_factory.mktemp("checks")
    byo_dir = tmp / "byo"
    byo_dir.mkdir()
    _make_byo(byo_dir)
    runs, before = [], {}
    for index, (case_id, variables, setup, _expected) in enumerate(checks.CASES):
        case_dir = tmp / ("case%02d" % index)
        case_dir.mkdir()
        _case_setup(setup, case_dir, generated[0])
        before[case_id] = _files(case_dir)
        runs.append((case_id, checks.case_vars(case_dir, byo_dir, variables)))
    byo_before = _files(byo_dir)
    (tmp / "checks.yml").write_text(checks.playbook(runs, str(tmp / "results.json")))
    rc, out = run_playbook(str(tmp / "checks.yml"))
    assert rc == 0, out[-4000:]
    results = json.loads((tmp / "results.json").read_text())
    assert _files(byo_dir) == byo_before
    return {case_id: (results.get(case_id), tmp / ("case%02d" % index), before[case_id], byo_dir, out)
            for index, (case_id, _variables, _setup, _expected) in enumerate(checks.CASES)}


@pytest.mark.parametrize("case", checks.CASES, ids=[c[0] for c in checks.CASES])
def test_bad_input_fails_before_anything_is_written(input_checks, case):
    case_id, _variables, _setup, expected = case
    message, case_dir, before, byo_dir, out = input_checks[case_id]
    assert message is not None, "%s did not run" % case_id
    if expected is None:  # the control case: the harness does report a pass, and the PKI is there
        assert message == "no error", message
        assert (case_dir / "pki" / "server_ca.cert.pem").is_file() and (case_dir / "remote").is_dir()
        return
    assert message != "no error", "%s: accepted" % case_id
    flat = " ".join(message.split())
    assert expected.format(case=case_dir, byo=byo_dir) in flat, flat
    assert _files(case_dir) == before, "%s: something was written" % case_id
    assert "abc\ndebug" not in out and "secret-with-a-blank" not in out


def test_cas_are_pathlen_0_with_pkcs8_encrypted_keys(generated):
    pki = generated[0] / "pki"
    for name in ("server_ca", "client_ca"):
        cert = x509.load_pem_x509_certificate((pki / (name + ".cert.pem")).read_bytes())
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert bc.critical and bc.value.ca and bc.value.path_length == 0
        key = (pki / (name + ".key.pem")).read_text()
        assert key.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), key[:60]
        passphrase = (pki / "secrets" / (name + "_passphrase")).read_text().encode()
        serialization.load_pem_private_key(key.encode(), passphrase)


def test_strings_from_the_command_line_are_accepted(tmp_path):
    """-e key=value gives strings: numbers and booleans must still work."""
    cmd_vars = {"certificates_ca_validity_days": "3650", "certificates_client_validity_days": "730",
                "certificates_ca_key_size": "2048", "certificates_expiry_fail": "false",
                "certificates_expired_fail": "true", "certificates_manage_owner": "false",
                "certificates_expiry_warn_days": "30"}
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, **cmd_vars))
    assert rc == 0, out[-3000:]


def test_first_check_mode_run_on_an_empty_directory(tmp_path):
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path), check=True)
    assert rc == 0, out[-3000:]
    assert not (tmp_path / "pki").exists() and not (tmp_path / "etc-octavia-certs").exists()


def _expire_client_cert(pki):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_cert = x509.load_pem_x509_certificate((pki / "client_ca.cert.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((pki / "client_ca.key.pem").read_bytes(),
                                                (pki / "secrets" / "client_ca_passphrase").read_bytes())
    key = serialization.load_pem_private_key((pki / "client.key.pem").read_bytes(), None)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=10)).not_valid_after(now - datetime.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (pki / "client.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_an_expired_certificate_fails_the_run_unless_rotated_or_allowed(tmp_path):
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc == 0, out[-3000:]
    _expire_client_cert(tmp_path / "pki")
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc != 0 and "client.cert.pem expired on" in out and "certificates_rotate" in out, out[-3000:]
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, certificates_expired_fail=False))
    assert rc == 0, out[-3000:]
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path, certificates_rotate="client_cert"))
    assert rc == 0, out[-3000:]
    cert = x509.load_pem_x509_certificate((tmp_path / "pki" / "client.cert.pem").read_bytes())
    assert cert.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc)


def test_a_legacy_pki_keeps_working_untouched(tmp_path):
    """A PKI from before PKCS#8 and pathlen:0 (legacy PEM key) is reused as it is, never regenerated."""
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc == 0, out[-3000:]
    pki = tmp_path / "pki"
    passphrase = (pki / "secrets" / "server_ca_passphrase").read_bytes()
    key = serialization.load_pem_private_key((pki / "server_ca.key.pem").read_bytes(), passphrase)
    legacy = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                               serialization.BestAvailableEncryption(passphrase))
    (pki / "server_ca.key.pem").write_bytes(legacy)
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc == 0, out[-3000:]
    assert (pki / "server_ca.key.pem").read_bytes() == legacy
    assert (tmp_path / "etc-octavia-certs" / "server_ca.key.pem").read_bytes() == legacy
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]


def test_the_pki_the_hosts_hold_is_never_replaced_and_can_be_fetched_back(tmp_path):
    rc, out = run_playbook(PLAYBOOK, pki_vars(tmp_path))
    assert rc == 0, out[-3000:]
    remote = tmp_path / "etc-octavia-certs"
    before = {p.name: p.read_bytes() for p in remote.iterdir()}
    lost = dict(pki_vars(tmp_path), certificates_local_dir=str(tmp_path / "lost"))

    # the deployment directory is gone: refuse, name what to do, write nothing
    rc, out = run_playbook(PLAYBOOK, lost)
    flat = " ".join(out.split())
    assert rc != 0 and "holds no PKI, but localhost already holds one" in flat, out[-3000:]
    assert "certificates_fetch_from_host=localhost" in flat
    assert not (tmp_path / "lost").exists()

    # another deployment's PKI: refuse too
    other = tmp_path / "other"
    rc, out = run_playbook(PLAYBOOK, dict(pki_vars(other), certificates_local_dir=str(other / "pki")))
    assert rc == 0, out[-3000:]
    rc, out = run_playbook(PLAYBOOK, dict(pki_vars(tmp_path), certificates_local_dir=str(other / "pki")))
    assert rc != 0 and "belong to another PKI" in " ".join(out.split()), out[-3000:]
    assert {p.name: p.read_bytes() for p in remote.iterdir()} == before

    # fetched back on request: the same octavia.conf, the hosts' files unchanged, no secret in the output
    fetch = dict(lost, certificates_fetch_from_host="localhost",
                 certificates_remote_octavia_conf=str(tmp_path / "octavia.conf"),
                 pki_conf_out=str(tmp_path / "octavia-fetched.conf"))
    rc, out = run_playbook(PLAYBOOK, fetch, verbosity=3)
    assert rc == 0, out[-3000:]
    assert (tmp_path / "octavia-fetched.conf").read_text() == (tmp_path / "octavia.conf").read_text()
    assert {p.name: p.read_bytes() for p in remote.iterdir()} == before
    for name in ("server_ca_passphrase", "server_certs_key_passphrase", "heartbeat_key"):
        assert (tmp_path / "lost" / "secrets" / name).read_text() not in out
    rc, out = run_playbook(PLAYBOOK, lost)
    assert rc == 0 and recap(out)["changed"] == 0, out[-3000:]


def _inventory(directory, host):
    directory.mkdir()
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    %s:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n" % host)
    return str(directory / "hosts.yml")


def test_the_pki_defaults_to_a_directory_next_to_the_inventory(tmp_path):
    """Not in the playbook's directory nor in the collection: <inventory_dir>/.state/octavia-pki, kept with it."""
    inventory = _inventory(tmp_path / "inventory", "localhost")
    extra = {"certificates_remote_dir": str(tmp_path / "remote"), "certificates_ca_key_size": 2048,
             "certificates_ssh_key_size": 2048}
    rc, out = run_playbook(PLAYBOOK, extra, inventory=inventory)
    assert rc == 0, out[-3000:]
    pki = tmp_path / "inventory" / ".state" / "octavia-pki"
    assert (pki / "server_ca.cert.pem").is_file() and (pki / "secrets" / "heartbeat_key").is_file()
    assert oct(pki.stat().st_mode & 0o777) == "0o700"
    # nor where the old default put it (the playbook's directory), nor in the collection
    for elsewhere in (os.path.dirname(PLAYBOOK), TOP, os.path.join(TOP, "roles", "certificates")):
        assert not os.path.exists(os.path.join(elsewhere, "octavia-pki")), elsewhere


def test_hosts_from_inventories_in_several_directories_need_the_directory_set(tmp_path):
    """Two inventory directories would mean two PKIs depending on which comes first: refuse, write nothing."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
           "-i", _inventory(tmp_path / "one", "pki-one"), "-i", _inventory(tmp_path / "two", "pki-two"), PLAYBOOK,
           "-e", json.dumps({"pki_hosts": "all", "certificates_remote_dir": str(tmp_path / "remote")})]
    proc = subprocess.run(cmd, cwd=TOP, env=ansible_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    flat = " ".join(proc.stdout.split())
    assert proc.returncode != 0 and "the hosts of this play come from inventories in several directories" in flat, \
        proc.stdout[-3000:]
    assert "set certificates_local_dir" in flat
    assert not (tmp_path / "one" / ".state").exists() and not (tmp_path / "two" / ".state").exists()
    assert not (tmp_path / "remote").exists()
