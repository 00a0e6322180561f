"""lbaas.octavia.octavia_jobboard's redis.conf and sentinel.conf rendered on this machine (jobboard/render.yml: the
role's defaults, vars and templates, no Redis): with TLS off they are byte for byte the files the role wrote before
it had TLS (jobboard/expected/, fingerprints included, so an upgrade rewrites and restarts nothing); with TLS on,
TLS only on the same ports. And the TLS preflight: a missing certificate, key or CA stops the role first, naming
the variable."""
import os

import pytest
import yaml

from conftest import TOP, run_playbook

HERE = os.path.join(TOP, "tests", "functional", "jobboard")
EXPECTED = os.path.join(HERE, "expected")
INVENTORY = os.path.join(HERE, "hosts.yml")
PLAYBOOK = os.path.join(HERE, "render.yml")


def render(out, **extra):
    extra = dict(extra, out_dir=str(out))
    rc, output = run_playbook(PLAYBOOK, extra, inventory=INVENTORY)
    assert rc == 0, output[-3000:]
    return {name: (out / name).read_text() for name in os.listdir(str(out))}


def render_both(tmp_path, **extra):
    """The Sentinel files of the three hosts and the single server's redis.conf."""
    (tmp_path / "sentinel").mkdir()
    (tmp_path / "single").mkdir()
    files = render(tmp_path / "sentinel", octavia_jobboard_sentinel=True, **extra)
    files.update(render(tmp_path / "single", octavia_jobboard_sentinel=False, jb_limit="jb-1", **extra))
    return files


def lines(text, prefix):
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_tls_off_renders_the_files_of_before(tmp_path):
    files = render_both(tmp_path)
    expected = sorted(os.listdir(EXPECTED))
    assert sorted(files) == expected
    for name in expected:
        with open(os.path.join(EXPECTED, name)) as handle:
            assert files[name] == handle.read(), name


@pytest.fixture
def tls_files(tmp_path):
    """Stand-ins for the operator's files: only their content matters here (the fingerprint)."""
    paths = {}
    for name in ("cert", "key", "ca"):
        path = tmp_path / ("tls-" + name)
        path.write_text("not a real %s\n" % name)
        paths["octavia_jobboard_tls_" + name] = str(path)
    return paths


def test_tls_on_listens_tls_only(tmp_path, tls_files):
    off = {}
    for name in os.listdir(EXPECTED):
        with open(os.path.join(EXPECTED, name)) as handle:
            off[name] = handle.read()
    files = render_both(tmp_path, octavia_jobboard_tls=True, **tls_files)
    assert sorted(files) == sorted(off)
    tls = {
        "tls-cert-file": "/etc/redis/tls/redis.crt",
        "tls-key-file": "/etc/redis/tls/redis.key",
        "tls-ca-cert-file": "/etc/redis/tls/ca.crt",
        "tls-auth-clients": "no",
        "tls-replication": "yes",
    }
    for name, text in files.items():
        port = "26379" if name.endswith("sentinel.conf") else "6379"
        assert lines(text, "port ") == ["port 0"], name
        assert lines(text, "tls-port ") == ["tls-port " + port], name
        for key, value in tls.items():
            assert lines(text, key + " ") == ["%s %s" % (key, value)], (name, key)
        # TLS is in the fingerprint: turning it on rewrites the files (and restarts the servers)
        assert lines(text, "# octavia_jobboard ") != lines(off[name], "# octavia_jobboard ") or \
            name.startswith("single-"), name
        # everything else as with TLS off
        assert rest(text) == rest(off[name]), name


def rest(text):
    """The lines TLS does not change."""
    return [line for line in text.splitlines()
            if not line.startswith(("port ", "tls-", "# TLS only", "# octavia_jobboard "))]


def test_a_new_certificate_changes_the_fingerprints(tmp_path, tls_files):
    for run in ("a", "b", "c"):
        (tmp_path / run).mkdir()
    before = render(tmp_path / "a", octavia_jobboard_sentinel=True, octavia_jobboard_tls=True, **tls_files)
    with open(tls_files["octavia_jobboard_tls_cert"], "a") as handle:
        handle.write("renewed\n")
    after = render(tmp_path / "b", octavia_jobboard_sentinel=True, octavia_jobboard_tls=True, **tls_files)
    clients = render(tmp_path / "c", octavia_jobboard_sentinel=True, octavia_jobboard_tls=True,
                     octavia_jobboard_tls_auth_clients=True, **tls_files)
    for name in before:
        assert lines(before[name], "# octavia_jobboard ") != lines(after[name], "# octavia_jobboard "), name
        assert lines(clients[name], "tls-auth-clients ") == ["tls-auth-clients yes"], name
        assert lines(clients[name], "# octavia_jobboard ") != lines(after[name], "# octavia_jobboard "), name


def role_play(tmp_path, variables):
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump([{
        "name": "Preflight of octavia_jobboard", "hosts": "localhost", "gather_facts": False,
        "tasks": [{"name": "The role", "ansible.builtin.include_role": {"name": "lbaas.octavia.octavia_jobboard"},
                   "vars": variables}],
    }], sort_keys=False))
    return str(path)


@pytest.mark.parametrize("missing, set_to, message", [
    ("octavia_jobboard_tls_cert", "", "octavia_jobboard_tls_cert must name a file on the machine running "
     "ansible-playbook (it is not set)"),
    ("octavia_jobboard_tls_key", "/nonexistent/redis.key", "octavia_jobboard_tls_key must name a file on the machine "
     "running ansible-playbook (no such file: /nonexistent/redis.key)"),
    ("octavia_jobboard_tls_ca", None, "octavia_jobboard_tls_ca must name a file"),
])
def test_tls_without_its_files_stops_first(tmp_path, tls_files, missing, set_to, message):
    variables = dict(tls_files, octavia_jobboard_bind_address="127.0.0.1", octavia_jobboard_password="pw0123456789",
                     octavia_jobboard_tls=True)
    if set_to is None:
        del variables[missing]
    else:
        variables[missing] = set_to
    # --check: should the preflight ever let this through, nothing is installed on this machine
    rc, output = run_playbook(role_play(tmp_path, variables), check=True)
    assert rc != 0, output[-3000:]
    assert message in " ".join(output.split()), output[-3000:]
    assert "Redis packages" not in output, output[-3000:]
