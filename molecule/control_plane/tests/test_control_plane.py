"""The Octavia control plane on a controller and a network node, checked from the outside."""
import os
import stat
import subprocess
import time
import uuid

import openstack
import pytest

STATE = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "state")
CONTROLLER = "lbaas-cp-controller"
NETWORK = "lbaas-cp-network"
SERVICES = {
    CONTROLLER: ["octavia-api"],
    NETWORK: ["octavia-worker", "octavia-health-manager", "octavia-housekeeping", "octavia-driver-agent"],
}
ALL_SERVICES = [s for services in SERVICES.values() for s in services]
# every secret the scenario generated (lab_state_dir), that octavia.conf holds or could leak
SECRETS = [
    "octavia_db_password",
    "octavia_rabbitmq_password",
    "octavia_keystone_password",
    "admin_password",
    "mariadb_root_password",
]


def _secret(name):
    with open(os.path.join(STATE, name)) as f:
        # ansible's password lookup stores "<password> salt=..." for some options: keep the password
        return f.read().split()[0]


def _name(host):
    return host.backend.get_hostname()


def _address(name):
    # the podman driver's schema takes no fixed subnet: ask Podman for the node's address
    return subprocess.check_output(
        ["podman", "container", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name],
        text=True,
    ).strip()


@pytest.mark.parametrize("service", ALL_SERVICES)
def test_services_run_where_they_belong(host, service):
    unit = host.service(service)
    if service in SERVICES[_name(host)]:
        assert unit.is_enabled, service
        assert unit.is_running, service
    else:
        assert not host.file(f"/etc/systemd/system/{service}.service").exists, service


def test_ports(host):
    if _name(host) == CONTROLLER:
        assert host.socket(f"tcp://{_address(CONTROLLER)}:9876").is_listening
    else:
        assert host.socket(f"udp://{_address(NETWORK)}:5555").is_listening
        assert not host.socket("tcp://0.0.0.0:9876").is_listening


def test_octavia_conf(host):
    conf = host.file("/etc/octavia/octavia.conf")
    assert (conf.user, conf.group, conf.mode) == ("root", "octavia", 0o640)
    content = conf.content_string
    assert "amphora_noop_driver" in content
    # the passwords octavia.conf needs are there, so the check below is not vacuous
    for name in ("octavia_db_password", "octavia_rabbitmq_password", "octavia_keystone_password"):
        assert _secret(name) in content, name


def test_no_secret_in_a_world_readable_file(host):
    secrets = [_secret(name) for name in SECRETS]
    # world-readable regular files under /etc/octavia (through world-traversable directories or not:
    # a mode slip on one directory must not hide a readable file below it)
    found = host.check_output("find /etc/octavia /etc/systemd/system -type f -perm -o=r -print0")
    for path in filter(None, found.split("\0")):
        content = host.file(path).content_string
        for i, secret in enumerate(secrets):
            assert secret not in content, f"{SECRETS[i]} in world-readable {path}"
    assert not host.file("/etc/octavia").mode & stat.S_IROTH


def test_a_load_balancer_goes_active():
    """One real API call: the demo user creates a load balancer, the noop worker makes it ACTIVE."""
    keystone = f"http://{_address(CONTROLLER)}:5000/v3"
    conn = openstack.connect(
        auth={
            "auth_url": keystone,
            "username": "demo",
            "password": _secret("demo_password"),
            "project_name": "demo",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        region_name="RegionOne",
    )
    lb = conn.load_balancer.create_load_balancer(
        name=f"molecule-{uuid.uuid4().hex[:8]}",
        # the noop network driver takes any subnet id (the CLI would look it up in Neutron)
        vip_subnet_id=str(uuid.uuid4()),
    )
    try:
        deadline = time.monotonic() + 120
        while lb.provisioning_status not in ("ACTIVE", "ERROR") and time.monotonic() < deadline:
            time.sleep(1)
            lb = conn.load_balancer.get_load_balancer(lb.id)
        assert lb.provisioning_status == "ACTIVE"
    finally:
        conn.load_balancer.delete_load_balancer(lb.id, ignore_missing=True)
