"""inventories/example's shape after site.yaml (molecule/example), checked from the outside (issue 14).

Three controllers run the API, each answering on its own address and all of them behind HAProxy, Keystone's one URL;
a load balancer created through that URL as an application user goes ACTIVE (noop) and is deleted. Two network nodes
run the worker, health manager, housekeeping and driver agent, each health manager bound to its own o-hm0 on the
lb-mgmt network, and every host's octavia.conf lists both in controller_ip_port_list. The schema was migrated by one
host, once. Every unit is enabled. The re-run changing nothing is molecule's idempotence step, before this."""
import ipaddress
import json
import os
import re
import sys
import urllib.request
import uuid

import openstack
import openstack.config
import openstack.connection
import pytest
import testinfra

STATE = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "state")
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(TOP, "tests", "lab"))

from data_plane import address, sh, wait_until  # noqa: E402  pylint: disable=wrong-import-position
CLOUD = "lbaas-ex-cloud"
CONTROLLERS = ["lbaas-ex-controller-%d" % i for i in (1, 2, 3)]
NETWORK = ["lbaas-ex-network-%d" % i for i in (1, 2)]
OCTAVIA_HOSTS = CONTROLLERS + NETWORK
API = ["octavia-api"]
AMPHORA_CONTROLLER = ["octavia-worker", "octavia-health-manager", "octavia-housekeeping", "octavia-driver-agent"]
LB_MGMT = ipaddress.ip_network("172.31.250.0/24")
NOOP_SUBNET = "6f1f4a5e-8f3c-4a2b-9d1e-0c5b7a3e2f10"


def node(name):
    return testinfra.get_host("podman://" + name)


def conf_option(name, option):
    """An option of the host's octavia.conf (its first occurrence; the names asked for here are unique)."""
    conf = sh(name, "cat /etc/octavia/octavia.conf")
    found = re.search(r"^%s = (.*)$" % re.escape(option), conf, re.M)
    return found.group(1).strip() if found else None


def o_hm0_address(name):
    links = json.loads(sh(name, "ip -j -4 addr show dev o-hm0"))
    return [a["local"] for link in links for a in link.get("addr_info", [])]


def cloud(entry):
    """openstacksdk on the clouds.yaml lab_keystone wrote into the scenario's state (the smoke test's, too)."""
    config = openstack.config.OpenStackConfig(config_files=[os.path.join(STATE, "clouds.yaml")], load_envvars=False)
    return openstack.connection.Connection(config=config.get_one(cloud=entry))


@pytest.fixture(scope="module")
def admin():
    return cloud("lbaas-ex-admin")


@pytest.fixture(scope="module")
def demo():
    return cloud("lbaas-ex-demo")


@pytest.mark.parametrize("name", CONTROLLERS)
def test_controller_runs_the_api_only(name):
    host = node(name)
    for service in API:
        assert host.service(service).is_enabled and host.service(service).is_running, (name, service)
    for service in AMPHORA_CONTROLLER:
        assert not host.service(service).is_running, (name, service)


@pytest.mark.parametrize("name", NETWORK)
def test_network_node_runs_the_amphora_controller(name):
    host = node(name)
    # octavia-hm-port is a oneshot unit that stays active (it plugged o-hm0)
    for service in AMPHORA_CONTROLLER + ["octavia-hm-port", "octavia-hm-port-repair.timer", "openvswitch-switch",
                                         "neutron-openvswitch-agent"]:
        unit = host.service(service)
        assert unit.is_enabled and unit.is_running, (name, service)
    assert not host.service("octavia-api").is_running


def test_jobboard_redis_on_the_first_controller_only():
    """inventories/example's jobboard: the collection's Redis on groups['controller'][0], in every octavia.conf."""
    assert node(CONTROLLERS[0]).service("redis-server").is_enabled
    assert node(CONTROLLERS[0]).service("redis-server").is_running
    for name in CONTROLLERS[1:] + NETWORK:
        assert not node(name).service("redis-server").is_running, name
    for name in OCTAVIA_HOSTS:
        assert conf_option(name, "jobboard_backend_hosts") == address(CONTROLLERS[0]), name


@pytest.mark.parametrize("name", CONTROLLERS)
def test_api_answers_on_each_controller(name, demo):
    """Its own address, port 9876: the versions document, and a token's load-balancer list (the shared database)."""
    base = "http://%s:9876" % address(name)
    with urllib.request.urlopen(base + "/", timeout=20) as reply:
        assert reply.status == 200
        assert any(v["id"].startswith("v2") for v in json.load(reply)["versions"])
    request = urllib.request.Request(base + "/v2/lbaas/loadbalancers", headers={"X-Auth-Token": demo.auth_token})
    with urllib.request.urlopen(request, timeout=20) as reply:
        assert reply.status == 200 and "loadbalancers" in json.load(reply)


def test_keystone_lists_haproxy_and_it_answers(admin):
    vip = "http://%s:9876" % address(CLOUD)
    services = [s.id for s in admin.identity.services() if s.type == "load-balancer"]
    assert len(services) == 1, services
    endpoints = {e.interface: e.url for e in admin.identity.endpoints(service_id=services[0])}
    assert endpoints == {"public": vip, "internal": vip, "admin": vip}, endpoints
    with urllib.request.urlopen(vip + "/", timeout=20) as reply:
        assert reply.status == 200


def test_a_load_balancer_through_keystone_and_haproxy(demo):
    """As the application user, through the catalog's URL: list, create on a noop subnet, ACTIVE, delete, gone."""
    assert demo.load_balancer.get_endpoint().rstrip("/").startswith("http://%s:9876" % address(CLOUD))
    before = [lb.id for lb in demo.load_balancer.load_balancers()]
    lb = demo.load_balancer.create_load_balancer(name="example-%s" % uuid.uuid4().hex[:6], vip_subnet_id=NOOP_SUBNET)
    try:
        final = wait_until(lambda: demo.load_balancer.get_load_balancer(lb.id).provisioning_status
                           in ("ACTIVE", "ERROR") and demo.load_balancer.get_load_balancer(lb.id).provisioning_status,
                           180)
        print("example: load balancer %s: %s" % (lb.id, final))
        assert final == "ACTIVE"
        assert lb.id in [x.id for x in demo.load_balancer.load_balancers()]
        assert lb.id not in before
    finally:
        demo.load_balancer.delete_load_balancer(lb.id, ignore_missing=True)
    assert wait_until(lambda: demo.load_balancer.find_load_balancer(lb.id) is None, 120)


@pytest.mark.parametrize("name", NETWORK)
def test_o_hm0_on_lb_mgmt_and_the_health_manager_bound_to_it(name, admin):
    addresses = o_hm0_address(name)
    assert len(addresses) == 1 and ipaddress.ip_address(addresses[0]) in LB_MGMT, addresses
    mine = addresses[0]
    # the Neutron port of this node, bound to its agent's host name, holds that address
    port = admin.network.find_port("octavia-health-manager-%s" % name)
    assert port is not None
    assert port.binding_host_id == name and port.status == "ACTIVE", (port.binding_host_id, port.status)
    assert [ip["ip_address"] for ip in port.fixed_ips] == [mine]
    # the agent tagged o-hm0 on br-int (agent_managed)
    assert sh(name, "ovs-vsctl get Port o-hm0 tag").strip().isdigit()
    assert conf_option(name, "bind_ip") == mine
    listening = sh(name, "ss -Hulpn 'sport = :5555'")
    print("example: %s o-hm0 %s; %s" % (name, mine, listening.strip()))
    assert re.search(r"\s%s:5555\s.*octavia-health" % re.escape(mine), listening), listening


@pytest.mark.parametrize("name", OCTAVIA_HOSTS)
def test_every_host_lists_both_health_managers(name):
    expected = sorted("%s:5555" % o_hm0_address(n)[0] for n in NETWORK)
    listed = sorted(conf_option(name, "controller_ip_port_list").split(","))
    assert listed == expected, (name, listed)


def test_schema_migrated_once():
    """Every module Ansible runs logs its arguments to the host's journal ("Invoked with ..."): over the converge and
    the idempotence run, exactly one `octavia-db-manage ... upgrade head` on exactly one of the five hosts. Each host
    must show module invocations at all, so that none is silent for another reason."""
    upgrades = {}
    for name in OCTAVIA_HOSTS:
        journal = sh(name, "journalctl --no-pager -o cat | grep -F 'Invoked with' || true", timeout=120)
        assert journal.count("Invoked with") > 10, "%s: no module invocations in its journal" % name
        upgrades[name] = len(re.findall(r"octavia-db-manage', '--config-file', '/etc/octavia/octavia.conf', "
                                        r"'upgrade', 'head'\]", journal))
    print("example: schema upgrades per host: %s" % upgrades)
    assert sorted(upgrades.values()) == [0, 0, 0, 0, 1], upgrades
    # and the database is at one revision
    assert len(sh(CLOUD, "mariadb -N octavia -e 'SELECT version_num FROM alembic_version'").split()) == 1


def test_amphora_image_step(admin):
    """site.yaml's image step in noop: the placeholder in Glance with the tag, private to the service project, and the
    private flavor the workers are configured with."""
    service = admin.identity.find_project("service", ignore_missing=False)
    images = list(admin.image.images(tag="amphora"))
    assert [(i.visibility, i.owner) for i in images] == [("private", service.id)], images
    flavors = [f.id for f in admin.compute.flavors(is_public=False) if f.name == "amphora"]
    assert len(flavors) == 1, flavors
    for name in NETWORK:
        assert conf_option(name, "amp_flavor_id") == flavors[0], name
        assert conf_option(name, "amp_image_tag") == "amphora", name
        assert conf_option(name, "amp_image_owner_id") == service.id, name
