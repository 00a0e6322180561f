"""The lab's lock (/tmp/lbaas-lab.lock): a fault test that stops, restarts or reconfigures the lab's services holds
it, so no playbook or other fault test runs under it. LBAAS_LAB_LOCK_HELD=1 says the caller holds it already
(e.g. under `flock /tmp/lbaas-lab.lock`)."""
import contextlib
import fcntl
import os

LOCK = '/tmp/lbaas-lab.lock'


@contextlib.contextmanager
def held_lab_lock():
    if os.environ.get('LBAAS_LAB_LOCK_HELD') == '1':
        yield
        return
    with open(LOCK, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
