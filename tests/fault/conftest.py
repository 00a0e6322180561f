"""The fault-injection suite: faults injected into the lab (or a proxy in front of its Octavia) while our
roles and modules work, and what came of them.

Every test records, through the `fault` fixture, what it injected, what happened, how many seconds the
system took to recover and how many objects were lost (which must be 0). Each record is printed as the test
ends and again as one table at the end of the session, so a CI log shows the whole picture.

Runs against the lab that scripts/lab-test.sh brings up (clouds in inventories/lab/clouds.yaml); the
modules' fixtures (proxy, playbook runner, direct reads) are shared with tests/integration/modules.
"""
import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'tests', 'integration', 'modules'))
sys.path.insert(0, HERE)

RECORDS = []


class Fault(object):
    """What one test injected and what came of it."""

    def __init__(self, test):
        self.test = test
        self.injected = []
        self.happened = []
        self.recovery = None
        self.lost = None
        self.started = time.monotonic()

    def inject(self, what):
        """Say what is being injected (call right before injecting it); returns the monotonic time."""
        self.injected.append(what)
        print('fault: inject: %s' % what)
        return time.monotonic()

    def saw(self, what):
        self.happened.append(what)
        print('fault: saw: %s' % what)

    def recovered(self, seconds):
        self.recovery = round(seconds, 1)
        print('fault: recovered in %.1f s' % seconds)

    def objects_lost(self, count, what=''):
        """Record the count of objects lost; the test still asserts it is 0 itself."""
        self.lost = count
        print('fault: objects lost: %d %s' % (count, what))

    def row(self, outcome):
        return (self.test, '; '.join(self.injected) or '-', '; '.join(self.happened) or '-',
                '-' if self.recovery is None else '%.1f' % self.recovery,
                '-' if self.lost is None else str(self.lost), outcome)


def pytest_configure(config):
    config.addinivalue_line('markers', 'long: a fault test of several minutes; make test (scripts/lab-test.sh) runs '
                            'the others, make fault runs all')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    record = getattr(item, '_fault_record', None)
    if record is not None and (report.when == 'call' or report.failed):
        record.outcome = 'passed' if report.passed else ('skipped' if report.skipped else 'FAILED')


@pytest.fixture
def fault(request):
    record = Fault(request.node.name)
    record.outcome = 'not run'
    request.node._fault_record = record  # pylint: disable=protected-access
    yield record
    RECORDS.append(record)


def pytest_terminal_summary(terminalreporter):
    if not RECORDS:
        return
    header = ('test', 'injected', 'what happened', 'recovery s', 'lost', 'outcome')
    rows = [header] + [r.row(r.outcome) for r in RECORDS]
    wrap = 60
    widths = [min(wrap, max(len(row[i]) for row in rows)) for i in range(len(header))]
    terminalreporter.section('fault-injection summary')
    for index, row in enumerate(rows):
        cells = [cell if len(cell) <= wrap else cell[:wrap - 3] + '...' for cell in row]
        terminalreporter.write_line(' | '.join(c.ljust(w) for c, w in zip(cells, widths)))
        if index == 0:
            terminalreporter.write_line('-+-'.join('-' * w for w in widths))
    lost = [r for r in RECORDS if r.lost]
    if lost:
        terminalreporter.write_line('objects lost in: %s' % ', '.join(r.test for r in lost))


@pytest.fixture(scope='session', autouse=True)
def lab_clouds():
    """The lab's clouds.yaml unless the caller named another cloud."""
    os.environ.setdefault('OS_CLIENT_CONFIG_FILE', os.path.join(TOP, 'inventories', 'lab', 'clouds.yaml'))
    os.environ.setdefault('OS_CLOUD', 'lbaas-lab-demo')
    if not os.path.exists(os.environ['OS_CLIENT_CONFIG_FILE']):
        pytest.skip('no lab here (%s is missing): make lab first' % os.environ['OS_CLIENT_CONFIG_FILE'])


@pytest.fixture(scope='session')
def sdk(lab_clouds):
    import openstack
    return openstack.connect(cloud=os.environ['OS_CLOUD'])


@pytest.fixture(scope='session')
def admin(lab_clouds):
    import openstack
    return openstack.connect(cloud=os.environ.get('LBAAS_TEST_ADMIN_CLOUD', 'lbaas-lab-admin'))


@pytest.fixture(scope='session')
def stack(sdk, tmp_path_factory):
    from stack import Stack
    st = Stack(sdk, sdk.load_balancer.get_endpoint().rsplit('/v2', 1)[0], str(tmp_path_factory.mktemp('fault')))
    yield st
    st.proxy.stop()


@pytest.fixture(scope='session')
def octavia(sdk):
    from stack import Octavia
    return Octavia(sdk)


@pytest.fixture
def lbname(sdk):
    import uuid
    from lb_helpers import PREFIX, delete_lb
    name = PREFIX + 'fault-' + uuid.uuid4().hex[:8]
    yield name
    delete_lb(sdk, name)


@pytest.fixture
def lab_lock():
    """Hold the lab's lock for the whole test (lab_lock.py)."""
    from lab_lock import held_lab_lock  # pylint: disable=import-error
    with held_lab_lock():
        yield


@pytest.fixture
def unstuck(lbname, sdk):
    """After the test: its load balancers still PENDING_* (a lost cast, a flow cut off by MariaDB) set to ERROR in
    Octavia's database, as an operator would, so that they can be deleted; the lab is left clean."""
    from lab_lock import held_lab_lock  # pylint: disable=import-error
    from lb_helpers import lb_get  # pylint: disable=import-error
    sys.path.insert(0, os.path.join(TOP, 'tests', 'lab'))
    from data_plane import CONTROLLER, sh  # pylint: disable=import-error
    yield
    name = lbname
    with held_lab_lock():
        ids = sh(CONTROLLER, "mariadb -N octavia -e \"SELECT id FROM load_balancer WHERE name LIKE '%s%%' "
                             "AND provisioning_status LIKE 'PENDING_%%'\"" % name).split()
        for lb_id in ids:
            print('cleanup: load balancer %s left %s: set to ERROR in the database, then deleted' % (
                lb_id, sh(CONTROLLER, "mariadb -N octavia -e \"SELECT provisioning_status FROM load_balancer "
                                      "WHERE id='%s'\"" % lb_id).strip()))
            sh(CONTROLLER, "mariadb octavia -e \"UPDATE load_balancer SET provisioning_status='ERROR' "
                           "WHERE id='%s'\"" % lb_id)
    for lb in lb_get(sdk, '/lbaas/loadbalancers', {'name': name})['loadbalancers'] + \
            lb_get(sdk, '/lbaas/loadbalancers', {'name': name + '-cast'})['loadbalancers']:
        if lb['provisioning_status'] in ('ACTIVE', 'ERROR'):
            sdk.load_balancer.delete('/lbaas/loadbalancers/%s' % lb['id'], params={'cascade': True}, raise_exc=False)
