"""The nsenter connection against this test process itself (a stand-in 'container' whose
PID a fake podman reports): commands, stdin pipelining, file transfer, and a stopped container."""
import os
import stat

import pytest
from ansible.errors import AnsibleConnectionFailure
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="nsenter needs root")


@pytest.fixture
def fake_podman(tmp_path, monkeypatch):
    def make(pid, rc=0):
        script = tmp_path / "podman"
        script.write_text("#!/bin/sh\n[ \"$1\" = inspect ] || exit 2\necho %s\nexit %d\n" % (pid, rc))
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", "%s:%s" % (tmp_path, os.environ["PATH"]))
    return make


def connection(name="ct1"):
    pc = PlayContext()
    conn = connection_loader.get("lbaas.octavia.podman_nsenter", pc, None)
    assert conn is not None
    conn.set_options(direct={"remote_addr": name})
    return conn


def test_exec_put_fetch(fake_podman, tmp_path):
    fake_podman(os.getpid())
    conn = connection()
    rc, out, err = conn.exec_command("echo $HOME; cat", in_data=b"piped")
    assert (rc, out, err) == (0, b"/root\npiped", b"")
    rc = conn.exec_command("exit 3")[0]
    assert rc == 3
    src = tmp_path / "src"
    src.write_bytes(b"\x00binary\xff" * 1000)
    conn.put_file(str(src), str(tmp_path / "dst"))
    assert (tmp_path / "dst").read_bytes() == src.read_bytes()
    conn.fetch_file(str(tmp_path / "dst"), str(tmp_path / "back"))
    assert (tmp_path / "back").read_bytes() == src.read_bytes()


def test_stopped_container_is_a_connection_failure(fake_podman):
    fake_podman(0)
    with pytest.raises(AnsibleConnectionFailure, match="ct9 is not running"):
        connection("ct9").exec_command("true")


def test_unknown_container(fake_podman):
    fake_podman("", rc=125)
    with pytest.raises(AnsibleConnectionFailure, match="not running"):
        connection("nope").exec_command("true")
