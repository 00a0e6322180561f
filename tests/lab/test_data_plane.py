"""Real amphorae in the lab (issue 12): the demo load balancer that `make lab` builds (playbooks/demo.yaml) runs in an
amphora that Nova booted under QEMU on the network node. Its VIP answers the client in turn from web-1 and web-2,
heartbeats cross o-hm0 to the health manager, stats count the requests, a member whose server stops turns ERROR and
comes back, SSH reaches the amphora over lb-mgmt, a local VLAN change of lb-mgmt is followed without a failover, and
a killed amphora is failed over to a new one that serves the VIP.

The tests share the one demo load balancer and run in this order; the failover test is last (it replaces the
amphora). Durations are printed, never asserted: scripts/bench-data-plane.py measures them into a table."""
import time

import pytest

import data_plane as dp

HEALTH_TIMEOUT = 60  # [health_manager] heartbeat_timeout (Octavia's default, the lab keeps it)


@pytest.fixture(scope='module')
def lb(first_run, demo):
    if dp.octavia_profile() == 'noop':
        pytest.skip('the lab runs Octavia with the noop drivers (LAB_OCTAVIA_PROFILE=noop): no amphora')
    lb = dp.load_balancer(demo)
    assert lb.provisioning_status == 'ACTIVE' and lb.operating_status == 'ONLINE', lb
    return lb


@pytest.fixture(scope='module')
def amphora(admin, lb):
    amps = dp.amphorae(admin, lb)
    assert len(amps) == 1, amps
    return amps[0]


def test_vip_answers_in_turn_from_both_backends(lb):
    answers = dp.curl(lb.vip_address, times=10)
    print('client -> VIP %s: %s' % (lb.vip_address, ' '.join(answers)))
    assert dp.alternates(answers), answers


def test_amphora_runs_on_lb_mgmt_and_sends_heartbeats(admin, amphora):
    assert amphora.status == 'ALLOCATED' and amphora.role == 'STANDALONE', amphora
    mgmt = admin.network.find_network('lb-mgmt-net', ignore_missing=False)
    subnet = admin.network.get_subnet(mgmt.subnet_ids[0])
    assert amphora.lb_network_ip.rsplit('.', 1)[0] == subnet.cidr.rsplit('.', 1)[0], (amphora, subnet.cidr)
    server = admin.compute.get_server(amphora.compute_id)
    assert server.status == 'ACTIVE' and server.hypervisor_hostname == 'network', server
    seen = dp.sample_heartbeats(amphora.id, 40)
    print('heartbeats recorded in 40 s: %d (%s)' % (len(seen), ', '.join('%.0f' % (t - seen[0]) for t in seen)))
    assert len(seen) >= 3, seen


def test_stats_count_the_requests(demo, lb):
    before = demo.load_balancer.get_load_balancer_statistics(lb.id).total_connections
    assert dp.curl(lb.vip_address, times=10).count('') == 0

    # the amphora sends its counters with its heartbeats
    def counted():
        total = demo.load_balancer.get_load_balancer_statistics(lb.id).total_connections
        return total if total >= before + 10 else None

    after = dp.wait_until(counted, 45, step=3)
    print('total_connections %s -> %s' % (before, after))
    assert after and after >= before + 10, (before, after)


def test_ssh_into_the_amphora_over_o_hm0_and_haproxy_runs(amphora):
    out = dp.ssh_amphora(amphora.lb_network_ip,
                         "'sudo ip netns pids amphora-haproxy | xargs -r ps -o comm= -p; sudo ip netns list'")
    print(out)
    assert 'haproxy' in out.split() and 'amphora-haproxy' in out, out


def test_a_stopped_backend_turns_error_and_traffic_goes_to_the_other(demo, lb):
    members, pool = dp.pool_members(demo, lb)
    assert set(members) == set(dp.BACKENDS), members
    hm = demo.load_balancer.get_health_monitor(pool.health_monitor_id)
    bound = hm.delay * hm.max_retries_down + hm.timeout + 30  # + a heartbeat and the status update
    dp.set_backend('web-2', running=False)
    try:
        start = time.monotonic()
        down = dp.wait_until(lambda: dp.member_status(demo, pool, members['web-2']) == 'ERROR', bound, step=2)
        took_down = time.monotonic() - start
        assert down, 'web-2 still %s after %d s' % (dp.member_status(demo, pool, members['web-2']), bound)
        answers = dp.curl(lb.vip_address, times=6)
        print('web-2 stopped: ERROR after %.0f s; answers %s' % (took_down, ' '.join(answers)))
        assert answers == ['web-1'] * 6, answers
        assert dp.member_status(demo, pool, members['web-1']) == 'ONLINE'
    finally:
        dp.set_backend('web-2', running=True)
    start = time.monotonic()
    up = dp.wait_until(lambda: dp.member_status(demo, pool, members['web-2']) == 'ONLINE',
                       hm.delay * hm.max_retries + hm.timeout + 30, step=2)
    print('web-2 started: ONLINE after %.0f s' % (time.monotonic() - start))
    assert up
    assert dp.wait_until(lambda: dp.alternates(dp.curl(lb.vip_address, times=4)), 30, step=2)


def test_lb_mgmt_vlan_change_is_followed_without_failover(admin, lb, amphora):
    mgmt_port = next(p for p in admin.network.ports(network_id=admin.network.find_network('lb-mgmt-net').id)
                     if any(ip['ip_address'] == amphora.lb_network_ip for ip in p.fixed_ips))
    last = dp.heartbeats(amphora.id)
    old, new, started = dp.move_lb_mgmt_vlan(mgmt_port.id)
    assert dp.wait_until(lambda: dp.port_tag(dp.HM_PORT) == new, 60), \
        'o-hm0 still on VLAN %s, lb-mgmt on %s' % (dp.port_tag(dp.HM_PORT), new)
    resumed = dp.wait_until(lambda: dp.heartbeat_after(amphora.id, started), HEALTH_TIMEOUT, step=1)
    assert resumed, 'no heartbeat since the agent restart'
    gap = resumed - last
    print('lb-mgmt local VLAN %d -> %d: heartbeats resumed %.0f s after the restart (gap %.0f s)'
          % (old, new, resumed - started, gap))
    assert gap < HEALTH_TIMEOUT
    time.sleep(5)
    now = dp.amphorae(admin, dp.load_balancer(admin))
    assert [a.id for a in now] == [amphora.id], 'the amphora was replaced: %s' % now
    assert dp.alternates(dp.curl(lb.vip_address, times=4))


def test_a_killed_amphora_is_failed_over(admin, demo, lb, amphora):
    killed = dp.kill_amphora(amphora.compute_id)
    served = dp.wait_until(lambda: dp.answer(lb.vip_address), 1500, step=5)
    back = time.time() - killed
    assert served, 'the VIP does not answer %.0f s after the kill' % back
    active = dp.wait_until(lambda: dp.load_balancer(demo).provisioning_status == 'ACTIVE', 600, step=5)
    new = dp.amphorae(admin, dp.load_balancer(admin))
    print('amphora %s killed: VIP answered again after %.0f s; now %s' % (amphora.id, back, [a.id for a in new]))
    assert active
    assert len(new) == 1 and new[0].id != amphora.id and new[0].status == 'ALLOCATED', new
    assert dp.wait_until(lambda: dp.alternates(dp.curl(lb.vip_address, times=4)), 120, step=5)
