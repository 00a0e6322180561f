# -*- coding: utf-8 -*-
# Copyright: lbaas.octavia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class OctaviaModuleError(Exception):
    """A failure the module reports as its msg (with optional extra result keys)."""

    def __init__(self, msg, **extra):
        super(OctaviaModuleError, self).__init__(msg)
        self.msg = msg
        self.extra = extra


class SpecError(OctaviaModuleError):
    """Bad input, found before anything was changed. path names the option, e.g. pools[web].members[2].address."""

    def __init__(self, path, reason):
        path = (path or '').lstrip('.')
        super(SpecError, self).__init__('%s: %s' % (path, reason) if path else reason)
        self.path = path


class AmbiguousWrite(OctaviaModuleError):
    """A write whose outcome is unknown: sent, then no answer (timeout, reset) or a gateway's 502/504.

    Repeating it blindly could create a second object or undo another run's change; the engine reads the
    state again and re-plans instead.
    """

    def __init__(self, label, reason):
        super(AmbiguousWrite, self).__init__('%s: outcome unknown (%s)' % (label, reason))
        self.label = label
        self.reason = reason


class Superseded(OctaviaModuleError):
    """A create refused because another change held the load balancer (409 immutable): it was not carried
    out, but the plan it belongs to was made before that change and may be stale (the other change may
    have created the same object). The engine reads the state again and re-plans instead of retrying."""

    def __init__(self, label, reason):
        super(Superseded, self).__init__('%s: refused while another change held the load balancer (%s)'
                                         % (label, reason))
        self.label = label
        self.reason = reason


class APIError(OctaviaModuleError):
    """Octavia answered with an error status."""

    def __init__(self, status, message, method=None, url=None):
        super(APIError, self).__init__('Octavia API %s %s returned %s: %s' % (method, url, status, message))
        self.status = status
        self.message = message


def is_busy(err):
    """409 'immutable' (the LB is locked by another change) and 503 'project busy' are worth retrying."""
    if not isinstance(err, APIError):
        return False
    return err.status == 503 or (err.status == 409 and 'immutable' in (err.message or '').lower())
