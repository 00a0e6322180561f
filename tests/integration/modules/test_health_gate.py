"""wait_for: online polls Octavia's status tree. Members of a pool without a health monitor count as
healthy when NO_MONITOR; members behind a monitor must be ONLINE, or the task fails naming them."""
from lb_helpers import members


def tree(name, vip, monitored):
    pool = {'name': 'web', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN', 'members': members(2)}
    if monitored:
        pool['healthmonitor'] = {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}
    return {'name': name, 'vip_subnet_id': vip, 'wait_for': 'online',
            'listeners': [{'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'}],
            'pools': [pool]}


def test_unmonitored_members_pass_the_gate(stack, lbname, vip_subnet_id):
    run = stack.play([{'lbaas.octavia.loadbalancer': tree(lbname, vip_subnet_id, monitored=False)}])
    assert run.rc == 0, run
    assert any(p.endswith('/status') for _m, p, _s in run.counts['log'])


def test_members_not_online_fail_the_gate_by_name(stack, sdk, octavia, lbname, vip_subnet_id):
    stack.play([{'lbaas.octavia.loadbalancer': dict(tree(lbname, vip_subnet_id, monitored=True), wait_for='active')}])
    status = sdk.load_balancer.get('/lbaas/loadbalancers/%s/status' % octavia.lb(lbname)['id']).json()
    states = [m['operating_status'] for l in status['statuses']['loadbalancer']['listeners']
              for p in l['pools'] for m in p['members']]
    if all(s == 'ONLINE' for s in states):
        # a cloud with real amphorae and reachable members: the gate must pass
        run = stack.play([{'lbaas.octavia.loadbalancer': tree(lbname, vip_subnet_id, monitored=True)}])
        assert run.rc == 0, run
        return
    run = stack.play([{'lbaas.octavia.loadbalancer': dict(tree(lbname, vip_subnet_id, monitored=True), timeout=8)}])
    assert run.rc != 0, run
    msg = run.result['msg']
    assert 'Timed out after 8s waiting for members to be ONLINE' in msg
    assert 'pool web member 192.0.2.1:80 is' in msg and 'pool web member 192.0.2.2:80 is' in msg
    assert run.counts['writes'] == 0


def _heartbeat_target():
    """host:port and key of the Octavia health manager, and an admin cloud to find the amphora."""
    import os
    target = os.environ.get('LBAAS_TEST_HEARTBEAT')
    key = os.environ.get('LBAAS_TEST_HEARTBEAT_KEY')
    admin = os.environ.get('LBAAS_TEST_ADMIN_CLOUD')
    if not (target and key and admin):
        return None
    host, _sep, port = target.rpartition(':')
    return (host, int(port)), key, admin


def test_members_reported_online_pass_the_gate(stack, sdk, octavia, lbname, vip_subnet_id):
    """With noop amphorae nothing reports member health; here the test plays the amphora and sends the
    health manager signed heartbeats saying every member is UP, as haproxy's agent would. Needs
    LBAAS_TEST_HEARTBEAT (host:port of the health manager), LBAAS_TEST_HEARTBEAT_KEY and
    LBAAS_TEST_ADMIN_CLOUD, and LBAAS_TEST_HEARTBEAT_NETNS (a /proc/PID/ns/net path) when the health
    manager is reachable only inside a network namespace; skipped, saying so, without them."""
    import hashlib
    import hmac
    import json
    import os
    import socket
    import threading
    import zlib

    import openstack
    import pytest

    target = _heartbeat_target()
    if target is None:
        pytest.skip('LBAAS_TEST_HEARTBEAT, LBAAS_TEST_HEARTBEAT_KEY and LBAAS_TEST_ADMIN_CLOUD not set: no way to '
                    'make members ONLINE on this cloud from a test')
    addr, key, admin_cloud = target
    spec = tree(lbname, vip_subnet_id, monitored=True)
    assert stack.play([{'lbaas.octavia.loadbalancer': dict(spec, wait_for='active')}]).rc == 0
    lb = octavia.lb(lbname)
    admin = openstack.connect(cloud=admin_cloud)
    amps = admin.load_balancer.get('/octavia/amphorae', params={'loadbalancer_id': lb['id']}).json()['amphorae']
    listeners = octavia.listeners(lb['id'])
    pools = octavia.pools(lb['id'])
    members = dict((p['id'], list(octavia.members(p['id']).values())) for p in pools.values())
    stop = threading.Event()

    def beat():
        netns = os.environ.get('LBAAS_TEST_HEARTBEAT_NETNS')
        if netns:
            # the health manager listens on the lb-mgmt network, reachable only inside that namespace:
            # send from there, as amphorae do (setns moves only this thread)
            with open(netns) as handle:
                os.setns(handle.fileno(), os.CLONE_NEWNET)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        seq = 0
        while not stop.is_set():
            for amp in amps:
                seq += 1
                stats = {'tx': 0, 'rx': 0, 'conns': 0, 'totconns': 0, 'ereq': 0}
                msg = {'id': amp['id'], 'seq': seq, 'ver': 2, 'listeners': {}, 'pools': {}}
                for lis in listeners.values():
                    msg['listeners'][lis['id']] = {'status': 'OPEN', 'stats': stats}
                    if lis['default_pool_id']:
                        up = dict((m['id'], 'UP') for m in members[lis['default_pool_id']])
                        msg['pools']['%s:%s' % (lis['default_pool_id'], lis['id'])] = {'status': 'UP', 'members': up}
                payload = zlib.compress(json.dumps(msg).encode('utf-8'), 9)
                sock.sendto(payload + hmac.new(key.encode('utf-8'), payload, hashlib.sha256).hexdigest().encode(), addr)
            stop.wait(1)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        run = stack.play([{'lbaas.octavia.loadbalancer': dict(spec, timeout=120)}])
    finally:
        stop.set()
        thread.join()
    assert run.rc == 0, run
    assert run.result['changed'] is False
    statuses = [m['operating_status'] for p in run.result['loadbalancer']['pools'] for m in p['members']]
    assert statuses and all(s == 'ONLINE' for s in statuses), statuses
