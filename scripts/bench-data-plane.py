"""Measure the lab's data plane and print a table (docs/lab.md records it). Needs `make lab` with real amphorae.

  .venv/bin/python scripts/bench-data-plane.py [--skip-failover]

What it times, each on the real lab:
  image to Glance        the cached amphora image uploaded again as a throwaway image (then deleted)
  LB create to ACTIVE    a second load balancer on the demo subnet (one listener-less amphora), created and awaited
  amphora boot           its Nova server from create to ACTIVE (Nova), and from ACTIVE until Octavia's agent
                         answered (the load balancer ACTIVE)
  member ERROR / ONLINE  the demo's web-2 server stopped, then started (its member's operating status)
  VLAN change gap        the gap in the demo amphora's heartbeats when lb-mgmt's local VLAN moves (agent restart)
  failover               the benchmark's amphora's QEMU killed: seconds until the health manager starts the
                         failover, and until the new amphora's load balancer is ACTIVE again
The benchmark's load balancer is deleted at the end; the demo's is left as it was."""
import argparse
import datetime
import glob
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tests', 'lab'))
import data_plane as dp  # noqa: E402

CLOUDS = os.path.join(dp.TOP, 'inventories', 'lab', 'clouds.yaml')
IMAGE_CACHE = '/var/cache/lbaas-octavia/amphora/images'
BENCH_LB = 'bench-data-plane'


def connect(cloud):
    import openstack
    os.environ['OS_CLIENT_CONFIG_FILE'] = CLOUDS
    return openstack.connect(cloud=cloud)


def epoch(stamp):
    return datetime.datetime.fromisoformat(stamp.replace('Z', '+00:00')).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def timed(fn):
    start = time.monotonic()
    value = fn()
    return value, time.monotonic() - start


def image_upload(admin):
    images = sorted(glob.glob(os.path.join(IMAGE_CACHE, '*.qcow2')), key=os.path.getmtime)
    if not images:
        return None, 'no cached image in %s' % IMAGE_CACHE
    image, seconds = timed(lambda: admin.image.create_image(
        name='bench-upload', filename=images[-1], disk_format='qcow2', container_format='bare', wait=True,
        visibility='private'))
    admin.image.delete_image(image)
    return seconds, '%d MiB' % (os.path.getsize(images[-1]) // 2**20)


def bench_lb(admin, demo):
    subnet = demo.network.find_subnet('lbaas-demo-subnet', ignore_missing=False)
    start = time.time()
    lb = demo.load_balancer.create_load_balancer(name=BENCH_LB, vip_subnet_id=subnet.id)
    lb = demo.load_balancer.wait_for_load_balancer(lb.id, status='ACTIVE', failures=['ERROR'], interval=5, wait=1800)
    total = time.time() - start
    amp = dp.amphorae(admin, lb)[0]
    server = admin.compute.get_server(amp.compute_id)
    nova = epoch(server.launched_at) - epoch(server.created_at)
    agent = total - (epoch(server.launched_at) - start)
    return lb, amp, total, nova, agent


def member_flip(demo):
    lb = dp.load_balancer(demo)
    members, pool = dp.pool_members(demo, lb)
    dp.set_backend('web-2', running=False)
    try:
        down = timed(lambda: dp.wait_until(lambda: dp.member_status(demo, pool, members['web-2']) == 'ERROR', 180, 1))[1]
    finally:
        dp.set_backend('web-2', running=True)
    up = timed(lambda: dp.wait_until(lambda: dp.member_status(demo, pool, members['web-2']) == 'ONLINE', 180, 1))[1]
    return down, up


def vlan_gap(admin, demo):
    lb = dp.load_balancer(demo)
    amp = dp.amphorae(admin, lb)[0]
    port = next(p for p in admin.network.ports(network_id=admin.network.find_network('lb-mgmt-net').id)
                if any(ip['ip_address'] == amp.lb_network_ip for ip in p.fixed_ips))
    last = dp.heartbeats(amp.id)
    old, new, started = dp.move_lb_mgmt_vlan(port.id)
    resumed = dp.wait_until(lambda: dp.heartbeat_after(amp.id, started), 120, 1)
    replaced = [a.id for a in dp.amphorae(admin, lb)] != [amp.id]
    return (resumed - last if resumed else None), '%d -> %d%s' % (old, new, ', FAILED OVER' if replaced else '')


def failover(admin, demo, lb, amp):
    killed = dp.kill_amphora(amp.compute_id)
    started = dp.wait_until(lambda: dp.load_balancer_status(demo, lb.id) == 'PENDING_UPDATE', 600, 2)
    detected = time.time() - killed if started else None
    dp.wait_until(lambda: dp.load_balancer_status(demo, lb.id) == 'ACTIVE', 1800, 5)
    return detected, time.time() - killed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--skip-failover', action='store_true', help='leave out the failover (about 5 minutes)')
    args = parser.parse_args()
    admin, demo = connect('lbaas-lab-admin'), connect('lbaas-lab-demo')
    rows = []
    seconds, note = image_upload(admin)
    rows.append(('image to Glance', seconds, note))
    stale = demo.load_balancer.find_load_balancer(BENCH_LB)
    if stale:
        demo.load_balancer.delete_load_balancer(stale, cascade=True)
        demo.load_balancer.wait_for_delete(stale, wait=600)
    lb, amp, total, nova, agent = bench_lb(admin, demo)
    try:
        rows.append(('LB create to ACTIVE', total, 'one amphora, TCG'))
        rows.append(('amphora boot: Nova create to ACTIVE', nova, 'image copy, config drive, domain start'))
        rows.append(('amphora boot: Nova ACTIVE to LB ACTIVE', agent, 'guest boot until the agent answers, config'))
        down, up = member_flip(demo)
        rows.append(('member ERROR after its server stops', down, 'HTTP monitor of the demo pool'))
        rows.append(('member ONLINE after its server starts', up, ''))
        gap, note = vlan_gap(admin, demo)
        rows.append(('heartbeat gap, lb-mgmt VLAN change', gap, note))
        if not args.skip_failover:
            detected, back = failover(admin, demo, lb, amp)
            rows.append(('failover: kill to failover started', detected, 'heartbeat_timeout 60 s'))
            rows.append(('failover: kill to LB ACTIVE again', back, 'new amphora booted under TCG'))
    finally:
        demo.load_balancer.delete_load_balancer(lb, cascade=True)
    width = max(len(r[0]) for r in rows)
    print('%-*s  %8s  %s' % (width, 'what', 'seconds', 'note'))
    for what, secs, note in rows:
        print('%-*s  %8s  %s' % (width, what, '-' if secs is None else '%.0f' % secs, note))


if __name__ == '__main__':
    main()
