"""Playbooks run in the background through a Stack's proxy: two at once, or one to kill mid-run.

Stack.play waits for its playbook; the race and interruption tests need the process itself.
"""
import os
import subprocess
import time
import uuid

import yaml

from stack import BIN, TOP, Run  # pylint: disable=import-error


class Proc(object):
    """One ansible-playbook process: start() returns at once, result() waits and parses its JSON."""

    def __init__(self, stack, tasks):
        self.stack = stack
        book = [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
                 'module_defaults': {'group/lbaas.octavia.octavia': {'cloud': 'counted'}}, 'tasks': tasks}]
        self.path = os.path.join(stack.tmpdir, 'bg-%s.yml' % uuid.uuid4().hex[:8])
        with open(self.path, 'w') as handle:
            yaml.safe_dump(book, handle, sort_keys=False)
        self.proc = None
        self.started = None

    def start(self):
        self.mark = self.stack.proxy.counts.mark()
        self.started = time.monotonic()
        # its own process group, so a kill takes ansible's worker processes with it
        self.proc = subprocess.Popen([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', self.path],
                                     cwd=TOP, env=self.stack.env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        return self

    def kill(self):
        """SIGKILL the playbook and every process under it: ansible's workers may start their own sessions,
        and a module left running would go on changing the load balancer behind the test's back."""
        for pid in [self.proc.pid] + descendants(self.proc.pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass

    def result(self, timeout=600):
        out, err = self.proc.communicate(timeout=timeout)

        class Done(object):
            returncode = self.proc.returncode
            stdout = out
            stderr = err
        return Run(Done, self.stack.proxy.counts.since(self.mark), time.monotonic() - self.started)


def descendants(pid):
    """PIDs of every process below pid, from /proc (parents first)."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as handle:
                ppid = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out
