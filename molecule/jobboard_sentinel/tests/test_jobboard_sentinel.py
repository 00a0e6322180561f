"""The jobboard as Redis with Sentinel on three nodes (molecule/jobboard_sentinel), checked from the outside.

The sentinels agree on the master; a job-like key written through the master Sentinel names (redis-py's Sentinel,
as TaskFlow's redis jobboard uses it) is read back from both replicas; the master's redis-server stopped, Sentinel
promotes a replica, a write through Sentinel succeeds and the old key is still there; the old master started again
is a replica of the new one; the role re-run after the failover changes nothing and leaves the new master alone.
A setting of both files changed after the
failover: the role writes them again with the new master, not the first host. The tests run in this order and share
the measurements, printed as a table at the end. Passwords go to redis-cli
and Python on stdin, never on a command line.

Everything runs over TLS (octavia_jobboard_tls in molecule.yml, the CA and certificates from prepare.yml): redis-cli
--tls --cacert, redis-py with ssl options, and a plaintext connection to either port is refused."""
import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest

STATE = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "state")
SCENARIO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(os.path.dirname(SCENARIO))
sys.path.insert(0, os.path.join(TOP, 'tests', 'lab'))

from data_plane import wait_until  # noqa: E402  pylint: disable=wrong-import-position
NODES = ["lbaas-jbs-1", "lbaas-jbs-2", "lbaas-jbs-3"]
MASTER_NAME = "octavia"
PORT = 6379
SENTINEL_PORT = 26379
# where the role puts the CA on every node (the clients here run in the nodes)
CA = "/etc/redis/tls/ca.crt"
TLS_CLI = ["--tls", "--cacert", CA]
# redis-py's TLS options, as Octavia's jobboard_redis_backend_ssl_options / jobboard_redis_sentinel_ssl_options
SSL = {"ssl": True, "ssl_ca_certs": CA}
# down-after-milliseconds is 5 s (the role's default): a promotion well within this
PROMOTION_LIMIT = 30
MEASURED = {}
JOB_KEY = "octavia_jobboard.test.job.%s" % uuid.uuid4().hex[:8]


def run(container, argv, stdin=None, check=True, timeout=60):
    proc = subprocess.run(["podman", "exec", "-i", container] + argv, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("%s: %s -> rc %d\n%s" % (container, argv, proc.returncode, proc.stdout))
    return proc.stdout


def secret(name):
    with open(os.path.join(STATE, name)) as handle:
        return handle.read().split()[0]


ADDRESSES = {}


def address(name):
    if name not in ADDRESSES:
        ADDRESSES[name] = subprocess.check_output(
            ["podman", "container", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
             name], text=True).strip()
    return ADDRESSES[name]


def node_of(addr):
    return next(name for name in NODES if address(name) == addr)


def sentinel_cli(container, *args, check=True):
    """redis-cli against the container's own sentinel (password on stdin)."""
    return run(container, ["redis-cli", "--askpass"] + TLS_CLI + ["-h", address(container), "-p", str(SENTINEL_PORT)]
               + list(args),
               stdin=secret("sentinel_password") + "\n", check=check).replace("\r", "")


def redis_cli(container, *args, check=True):
    return run(container, ["redis-cli", "--askpass"] + TLS_CLI + ["-h", address(container), "-p", str(PORT)] + list(args),
               stdin=secret("jobboard_password") + "\n", check=check).replace("\r", "")


def master_seen_by(container):
    """The master's address the container's sentinel names, or None."""
    out = sentinel_cli(container, "sentinel", "get-master-addr-by-name", MASTER_NAME, check=False).split()
    return out[0] if len(out) == 2 and re.match(r"^[0-9.]+$", out[0]) else None


def replication(container):
    info = redis_cli(container, "info", "replication", check=False)
    return dict(line.split(":", 1) for line in info.splitlines() if ":" in line)


def cluster_state():
    """Each node: (the master its sentinel names, its server's INFO replication), for a failure's message."""
    return {name: (master_seen_by(name), replication(name)) for name in NODES}


def through_sentinel(container, code):
    """Run code with `master` (redis-py's Sentinel master_for, as TaskFlow's redis jobboard) in the container; the
    script and its passwords go on stdin. Returns what the code prints as JSON."""
    sentinels = [(address(name), SENTINEL_PORT) for name in NODES]
    script = "\n".join([
        "import json, redis",
        "from redis.sentinel import Sentinel",
        "ssl = %r" % SSL,
        "sentinel = Sentinel(%r, sentinel_kwargs=dict(ssl, password=%r, socket_timeout=2), password=%r,"
        " socket_timeout=2, decode_responses=True, **ssl)"
        % (sentinels, secret("sentinel_password"), secret("jobboard_password")),
        "master = sentinel.master_for(%r)" % MASTER_NAME,
        code,
    ])
    return json.loads(run(container, ["python3", "-"], stdin=script).strip().splitlines()[-1])


def read_on(container, key):
    """The key read straight from the container's own redis-server (a replica reads its copy)."""
    script = "\n".join([
        "import json, redis",
        "r = redis.Redis(host=%r, port=%d, password=%r, socket_timeout=2, decode_responses=True, **%r)"
        % (address(container), PORT, secret("jobboard_password"), SSL),
        "print(json.dumps({'role': r.info('replication')['role'], 'value': r.hgetall(%r)}))" % key,
    ])
    return json.loads(run(container, ["python3", "-"], stdin=script).strip().splitlines()[-1])


def converge(extra_vars=None):
    """converge.yml again on the scenario's inventory (what `molecule converge` runs): (rc, output)."""
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    for name in ("ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_FORCE_COLOR", "PY_COLORS"):
        env.pop(name, None)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
           os.path.dirname(os.environ["MOLECULE_INVENTORY_FILE"]), os.path.join(SCENARIO, "converge.yml")]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    proc = subprocess.run(cmd, cwd=TOP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=600)
    return proc.returncode, proc.stdout


def recap(output):
    """changed=N per host from the PLAY RECAP (colours or not)."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)", plain, re.M)}


@pytest.fixture(scope="module", autouse=True)
def table():
    yield
    print("\njobboard_sentinel: what was measured")
    width = max(len(k) for k in MEASURED) if MEASURED else 10
    for key, value in MEASURED.items():
        print("  %-*s  %s" % (width, key, value))


def test_sentinels_agree_on_the_first_host():
    def agreed():
        seen = {name: master_seen_by(name) for name in NODES}
        return seen if set(seen.values()) == {address(NODES[0])} else None
    assert wait_until(agreed, 30), {name: master_seen_by(name) for name in NODES}
    for name in NODES:
        fields = sentinel_cli(name, "sentinel", "master", MASTER_NAME).split("\n")
        master = dict(zip(fields[0::2], fields[1::2]))
        assert master["num-slaves"] == "2", (name, master)
        assert master["num-other-sentinels"] == "2", (name, master)
        assert master["quorum"] == "2", (name, master)
        assert sentinel_cli(name, "sentinel", "ckquorum", MASTER_NAME).startswith("OK "), name
    assert replication(NODES[0])["role"] == "master"
    for name in NODES[1:]:
        info = replication(name)
        assert (info["role"], info["master_host"]) == ("slave", address(NODES[0])), (name, info)
    MEASURED["initial master"] = NODES[0]


def test_secrets_stay_in_their_files():
    for name in NODES:
        for path in ("/etc/redis/redis.conf", "/etc/redis/sentinel.conf"):
            mode, group = run(name, ["stat", "-c", "%a %G", path]).split()
            assert (mode, group) == ("640", "redis"), (name, path, mode, group)
        # the TLS key: readable by the servers' group only
        assert run(name, ["stat", "-c", "%a %U %G", "/etc/redis/tls/redis.key"]).split() == ["640", "root", "redis"]
        processes = run(name, ["bash", "-c", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done"],
                        check=False)
        for key in ("jobboard_password", "sentinel_password"):
            assert secret(key) not in processes, (name, key)


def test_plaintext_is_refused():
    """TLS only: a plaintext client (no password sent: refused before any AUTH) gets no answer on either port of
    any node, while the same connection with TLS gets one (NOAUTH, as it sent no password)."""
    script = "\n".join([
        "import json, redis",
        "out = {}",
        "for host in %r:" % [address(name) for name in NODES],
        "    for port in (%d, %d):" % (PORT, SENTINEL_PORT),
        "        for tls in (False, True):",
        "            kwargs = %r if tls else {}" % SSL,
        "            try:",
        "                redis.Redis(host=host, port=port, socket_timeout=3, **kwargs).ping()",
        "                answer = 'PONG'",
        "            except redis.exceptions.AuthenticationError as exc:",
        "                answer = 'auth: %s' % exc",
        "            except redis.exceptions.ResponseError as exc:",
        "                answer = 'error: %s' % exc",
        "            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:",
        "                answer = 'refused: %s' % type(exc).__name__",
        "            out['%s:%d %s' % (host, port, 'tls' if tls else 'plain')] = answer",
        "print(json.dumps(out))",
    ])
    answers = json.loads(run(NODES[1], ["python3", "-"], stdin=script).strip().splitlines()[-1])
    for endpoint, answer in answers.items():
        if endpoint.endswith(" plain"):
            assert answer.startswith("refused: "), (endpoint, answer, answers)
        else:
            assert not answer.startswith("refused: ") and "auth" in answer.lower(), (endpoint, answer, answers)
    # and redis-cli without --tls: no PONG, an error
    for port in (PORT, SENTINEL_PORT):
        out = run(NODES[1], ["redis-cli", "-h", address(NODES[0]), "-p", str(port), "ping"], check=False)
        assert "PONG" not in out and "NOAUTH" not in out, (port, out)
    MEASURED["plaintext"] = "refused on %d and %d of the 3 nodes (TLS only)" % (PORT, SENTINEL_PORT)


def test_job_written_through_sentinel_is_on_the_replicas():
    written = through_sentinel(NODES[1], "\n".join([
        "master.hset(%r, mapping={'owner': 'worker-1', 'details': json.dumps({'flow': 'create_lb'})})" % JOB_KEY,
        "print(json.dumps({'acked_by': master.wait(2, 5000)}))",
    ]))
    assert written["acked_by"] == 2, written
    for name in NODES[1:]:
        read = read_on(name, JOB_KEY)
        assert read == {"role": "slave", "value": {"owner": "worker-1", "details": '{"flow": "create_lb"}'}}, (name, read)
    MEASURED["job key"] = "written through Sentinel, on both replicas (WAIT acked by 2)"


def test_failover_when_the_master_stops():
    old = NODES[0]
    others = NODES[1:]
    run(old, ["systemctl", "stop", "redis-server"])
    stopped = time.monotonic()

    def promoted():
        seen = master_seen_by(others[0])
        return seen if seen and seen != address(old) else None
    new_addr = wait_until(promoted, PROMOTION_LIMIT, step=0.3)
    promotion = time.monotonic() - stopped
    print("jobboard_sentinel: redis-server stopped on %s, %s promoted in %.1f s" % (old, new_addr, promotion))
    assert new_addr, "no promotion within %d s" % PROMOTION_LIMIT
    MEASURED["failover: promotion"] = "%.1f s (%s -> %s)" % (promotion, old, node_of(new_addr))

    def written():
        try:
            return through_sentinel(others[0], "\n".join([
                "master.hset(%r, 'after', 'failover')" % JOB_KEY,
                "print(json.dumps(master.hgetall(%r)))" % JOB_KEY,
            ]))
        except (AssertionError, ValueError, IndexError):
            return None
    after = wait_until(written, 30, step=0.3)
    writable = time.monotonic() - stopped
    assert after, "no write through Sentinel within 30 s of the promotion"
    # nothing lost: the job written before the failover is still there
    assert after == {"owner": "worker-1", "details": '{"flow": "create_lb"}', "after": "failover"}, after
    MEASURED["failover: first write through Sentinel"] = "%.1f s after the stop, old key intact" % writable
    assert wait_until(lambda: len({master_seen_by(name) for name in others}) == 1, 15)
    MEASURED["new master"] = node_of(new_addr)


def test_old_master_comes_back_as_a_replica():
    old = NODES[0]
    new_addr = master_seen_by(NODES[1])
    run(old, ["systemctl", "start", "redis-server"])
    started = time.monotonic()

    def replica():
        info = replication(old)
        return (info.get("role"), info.get("master_host"), info.get("master_link_status")) == \
            ("slave", new_addr, "up")
    assert wait_until(replica, 60, step=1), replication(old)
    MEASURED["old master rejoins as a replica"] = "%.1f s after its start" % (time.monotonic() - started)
    read = read_on(old, JOB_KEY)
    assert read["value"].get("after") == "failover", read
    assert {master_seen_by(name) for name in NODES} == {new_addr}


def test_rerun_after_the_failover_changes_nothing():
    new_addr = master_seen_by(NODES[1])
    started = time.monotonic()
    rc, output = converge()
    assert rc == 0, output[-3000:]
    changed = recap(output)
    assert set(changed) == set(NODES) and not any(changed.values()), (changed, output[-3000:])
    MEASURED["re-run after the failover"] = "changed=0 on 3 hosts (%.0f s)" % (time.monotonic() - started)
    # the role did not undo the failover
    time.sleep(2)
    assert {master_seen_by(name) for name in NODES} == {new_addr}
    assert replication(node_of(new_addr))["role"] == "master"
    assert "replicaof %s %d" % (new_addr, PORT) in run(NODES[0], ["cat", "/etc/redis/redis.conf"])


def test_changed_settings_after_the_failover_keep_the_new_master():
    """Both files written again (a redis.conf and a sentinel.conf setting changed): with the master the sentinels
    agreed on, read from sentinel.conf, not the first host."""
    new_addr = master_seen_by(NODES[1])
    new = node_of(new_addr)
    started = time.monotonic()
    rc, output = converge({"octavia_jobboard_maxmemory_mb": 128, "octavia_jobboard_sentinel_down_after_ms": 4000})
    assert rc == 0, output[-3000:]
    changed = recap(output)
    assert set(changed) == set(NODES) and all(changed.values()), (changed, output[-3000:])
    MEASURED["settings changed after the failover"] = "both files written again on 3 hosts (%.0f s)" % (
        time.monotonic() - started)

    def settled():
        seen = {master_seen_by(name) for name in NODES}
        infos = {name: replication(name) for name in NODES}
        return seen == {new_addr} and infos[new].get("role") == "master" and all(
            (infos[name].get("role"), infos[name].get("master_host"), infos[name].get("master_link_status"))
            == ("slave", new_addr, "up") for name in NODES if name != new)
    assert wait_until(settled, 30, step=1), cluster_state()
    for name in NODES:
        conf = run(name, ["cat", "/etc/redis/redis.conf"])
        assert "maxmemory 128mb" in conf, name
        replicaof = [line for line in conf.splitlines() if line.startswith("replicaof ")]
        assert replicaof == ([] if name == new else ["replicaof %s %d" % (new_addr, PORT)]), (name, replicaof)
        fields = sentinel_cli(name, "sentinel", "master", MASTER_NAME).split("\n")
        master = dict(zip(fields[0::2], fields[1::2]))
        assert master["down-after-milliseconds"] == "4000", (name, master)
        assert sentinel_cli(name, "sentinel", "ckquorum", MASTER_NAME).startswith("OK "), name
    assert read_on(new, JOB_KEY)["value"].get("after") == "failover"
    MEASURED["master after the rewrite"] = "%s (kept)" % new
