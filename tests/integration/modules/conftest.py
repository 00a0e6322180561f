"""Integration tests of the load-balancer modules against a real Octavia.

The cloud comes from clouds.yaml: OS_CLOUD names it (OS_CLIENT_CONFIG_FILE may point at the file). Every
playbook runs against a copy of that cloud whose Octavia endpoint is a counting proxy (octavia_proxy.py),
so the tests check the requests a task really made, not only what the module says it made. Results are
checked again through openstacksdk directly.

Optional environment:
  LBAAS_TEST_VIP_SUBNET_ID  subnet ID for VIPs (default: looked up by LBAAS_TEST_VIP_SUBNET, a subnet name,
                            in Neutron; without either a random UUID, which only Octavia's noop network
                            driver accepts)
"""
import os
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lb_helpers import PREFIX, delete_lb  # noqa: E402  pylint: disable=wrong-import-position
from stack import Octavia, Stack  # noqa: E402  pylint: disable=wrong-import-position


def pytest_collection_modifyitems(config, items):
    if any(str(item.fspath).startswith(HERE) for item in items) and not os.environ.get('OS_CLOUD'):
        raise pytest.UsageError(
            'OS_CLOUD is not set. The integration tests run against a real Octavia named in clouds.yaml, e.g.\n'
            '  OS_CLIENT_CONFIG_FILE=inventories/lab/clouds.yaml OS_CLOUD=lbaas-lab-demo pytest tests/integration\n'
            '(make integration sets these for the lab).')


@pytest.fixture(scope='session')
def sdk():
    import openstack
    return openstack.connect(cloud=os.environ['OS_CLOUD'])


@pytest.fixture(scope='session')
def octavia_root(sdk):
    return sdk.load_balancer.get_endpoint().rsplit('/v2', 1)[0]


@pytest.fixture(scope='session')
def stack(sdk, octavia_root, tmp_path_factory):
    st = Stack(sdk, octavia_root, str(tmp_path_factory.mktemp('octavia')))
    yield st
    st.proxy.stop()


@pytest.fixture(scope='session')
def old_stack(sdk, octavia_root, tmp_path_factory):
    """The same cloud, but its versions document says v2.10 (the proxy drops newer versions)."""
    st = Stack(sdk, octavia_root, str(tmp_path_factory.mktemp('octavia-old')), max_version='v2.10')
    yield st
    st.proxy.stop()


@pytest.fixture(scope='session')
def vip_subnet_id(sdk):
    if os.environ.get('LBAAS_TEST_VIP_SUBNET_ID'):
        return os.environ['LBAAS_TEST_VIP_SUBNET_ID']
    if os.environ.get('LBAAS_TEST_VIP_SUBNET'):
        return sdk.network.find_subnet(os.environ['LBAAS_TEST_VIP_SUBNET'], ignore_missing=False).id
    return str(uuid.uuid4())


@pytest.fixture
def lbname(sdk):
    name = PREFIX + uuid.uuid4().hex[:8]
    yield name
    delete_lb(sdk, name)


@pytest.fixture(scope='session')
def octavia(sdk):
    return Octavia(sdk)
