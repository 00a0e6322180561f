"""Benchmark: lbaas.octavia's modules against openstack.cloud's lb_* modules, on the same Octavia, in one run.

Both build the same tree: 1 load balancer, 2 HTTP listeners, 2 pools (one per listener) each with an HTTP
health monitor and N members, for each N given. Scenarios: cold create, no-op re-run, changing the weight
of 10 members of one pool (re-running the whole playbook, as a user would), delete.

Requests are counted by a proxy in front of Octavia (tests/integration/modules/octavia_proxy.py), not by
the tools: every request to Octavia, reads and polls included; writes are POST/PUT/DELETE; lock cycles
are the writes Octavia accepted (each one takes the load balancer through PENDING_*). Keystone requests
are not counted; nor is the version discovery the endpoint override costs each process (reported apart).
Wall time is that of the ansible-playbook process.

  OS_CLIENT_CONFIG_FILE=... OS_CLOUD=... python scripts/bench-lb-modules.py --vip-subnet NAME [--sizes 10,100]

openstack.cloud's loadbalancer module resolves the VIP subnet through Neutron, so the cloud needs a Network
endpoint and a subnet called NAME; ours takes its ID (looked up once here).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, 'tests', 'integration', 'modules'))
from octavia_proxy import OctaviaProxy  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)


def ours_playbook(name, subnet_id, n, changed=0, state='present'):
    def pool(pname, base, changed=0):
        return {'name': pname, 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
                'members': [{'address': '%s%d' % (base, i + 1), 'protocol_port': 80, 'weight': 5 if i < changed else 1}
                            for i in range(n)],
                'healthmonitor': {'type': 'HTTP', 'delay': 5, 'resp_timeout': 3, 'max_retries': 3}}
    args = {'cloud': 'bench', 'name': name, 'state': state, 'timeout': 1200}
    if state == 'present':
        args.update(vip_subnet_id=subnet_id, listeners=[
            {'name': 'http', 'protocol': 'HTTP', 'protocol_port': 80, 'default_pool': 'web'},
            {'name': 'alt', 'protocol': 'HTTP', 'protocol_port': 8080, 'default_pool': 'api'}],
            pools=[pool('web', '10.10.1.', changed), pool('api', '10.10.2.')])
    return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
             'tasks': [{'name': 'whole load balancer', 'lbaas.octavia.loadbalancer': args}]}]


def oc_playbook(name, subnet, n, changed=0, state='present'):
    """openstack.cloud 2.x: one task per object; listener/pool/monitor names are project-wide, so prefixed."""
    auth = {'cloud': 'bench', 'wait': True, 'timeout': 1200}
    if state == 'absent':
        tasks = [{'name': 'delete (cascade)', 'openstack.cloud.loadbalancer': dict(auth, name=name, state='absent')}]
        return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'tasks': tasks}]
    tasks = [{'name': 'load balancer', 'openstack.cloud.loadbalancer': dict(auth, name=name, vip_subnet=subnet)}]
    for lis, port, pool, base in (('http', 80, 'web', '10.10.1.'), ('alt', 8080, 'api', '10.10.2.')):
        lname, pname = '%s-%s' % (name, lis), '%s-%s' % (name, pool)
        tasks += [
            {'name': 'listener %s' % lis, 'openstack.cloud.lb_listener': dict(
                auth, name=lname, load_balancer=name, protocol='HTTP', protocol_port=port)},
            {'name': 'pool %s' % pool, 'openstack.cloud.lb_pool': dict(
                auth, name=pname, listener=lname, protocol='HTTP', lb_algorithm='ROUND_ROBIN')},
            {'name': 'monitor %s' % pool, 'openstack.cloud.lb_health_monitor': dict(
                auth, name='%s-hm' % pname, pool=pname, type='HTTP', delay=5, health_monitor_timeout=3,
                max_retries=3)},
            {'name': 'members %s' % pool, 'openstack.cloud.lb_member': dict(
                auth, name='m{{ item }}', pool=pname, address='%s{{ item + 1 }}' % base, protocol_port=80,
                weight='{{ 5 if item < %d else 1 }}' % (changed if pool == 'web' else 0)),
             'loop': '{{ range(%d) | list }}' % n},
        ]
    return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'tasks': tasks}]


class Bench(object):

    def __init__(self, args):
        import openstack
        self.sdk = openstack.connect(cloud=os.environ['OS_CLOUD'])
        root = self.sdk.load_balancer.get_endpoint().rsplit('/v2', 1)[0]
        self.proxy = OctaviaProxy(root).start()
        self.tmp = tempfile.mkdtemp(prefix='bench-lb-')
        entry = self._cloud_entry(os.environ['OS_CLOUD'])
        entry['load_balancer_endpoint_override'] = self.proxy.url
        self.clouds = os.path.join(self.tmp, 'clouds.yaml')
        with open(self.clouds, 'w') as handle:
            yaml.safe_dump({'clouds': {'bench': entry}}, handle)
        os.chmod(self.clouds, 0o600)
        self.subnet = args.vip_subnet
        self.subnet_id = args.vip_subnet_id or self.sdk.network.find_subnet(args.vip_subnet, ignore_missing=False).id

    @staticmethod
    def _cloud_entry(name):
        paths = [os.environ['OS_CLIENT_CONFIG_FILE']] if os.environ.get('OS_CLIENT_CONFIG_FILE') else [
            'clouds.yaml', os.path.expanduser('~/.config/openstack/clouds.yaml'), '/etc/openstack/clouds.yaml']
        for path in paths:
            if os.path.exists(path):
                clouds = (yaml.safe_load(open(path)) or {}).get('clouds', {})
                if name in clouds:
                    return dict(clouds[name])
        raise SystemExit('cloud %r not found in %s' % (name, paths))

    def run(self, book, label):
        path = os.path.join(self.tmp, '%s.yml' % label)
        with open(path, 'w') as handle:
            yaml.safe_dump(book, handle, sort_keys=False)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, '.ansible', 'collections'),
                   ANSIBLE_CONFIG=os.path.join(TOP, 'ansible.cfg'), OS_CLIENT_CONFIG_FILE=self.clouds,
                   ANSIBLE_STDOUT_CALLBACK='ansible.posix.json', ANSIBLE_NOCOLOR='1')
        env.pop('OS_CLOUD', None)
        mark = self.proxy.counts.mark()
        started = time.monotonic()
        proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', path], env=env, cwd=TOP,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        seconds = time.monotonic() - started
        counts = self.proxy.counts.since(mark)
        changed = None
        try:
            stats = json.loads(proc.stdout)['stats']['localhost']
            changed = stats.get('changed')
        except (ValueError, KeyError):
            pass
        if proc.returncode != 0:
            with open(os.path.join(self.tmp, '%s.out' % label), 'w') as handle:
                handle.write(proc.stdout + proc.stderr)
            raise SystemExit('%s failed (rc %s), output in %s/%s.out' % (label, proc.returncode, self.tmp, label))
        return {'requests': counts['requests'], 'writes': counts['writes'], 'lock_cycles': counts['lock_cycles'],
                'discovery': counts['discovery'], 'seconds': seconds, 'changed_tasks': changed}

    def scenarios(self, tool, n):
        name = 'bench-%s-%d' % (tool, n)
        make = ours_playbook if tool == 'ours' else oc_playbook
        vip = self.subnet_id if tool == 'ours' else self.subnet
        out = {}
        for scenario, kwargs in (('cold create', {}), ('no-op re-run', {}), ('change 10 members', {'changed': 10}),
                                 ('delete', {'state': 'absent'})):
            print('  %s N=%d %s ...' % (tool, n, scenario), file=sys.stderr, flush=True)
            out[scenario] = self.run(make(name, vip, n, **kwargs), '%s-%d-%s' % (tool, n, scenario.replace(' ', '-')))
        return out


def fmt_row(n, scenario, ours, oc):
    def cell(r):
        return '%d / %d / %d / %.1f s' % (r['requests'], r['writes'], r['lock_cycles'], r['seconds'])
    ratio_req = ('%.1fx' % (oc['requests'] / float(ours['requests']))) if ours['requests'] else '-'
    ratio_wall = '%.1fx' % (oc['seconds'] / ours['seconds'])
    return '| %d | %s | %s | %s | %s | %s |' % (n, scenario, cell(ours), cell(oc), ratio_req, ratio_wall)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--vip-subnet', required=True, help='subnet name (openstack.cloud resolves it in Neutron)')
    parser.add_argument('--vip-subnet-id', help='its ID (default: looked up by name)')
    parser.add_argument('--sizes', default='10,100', help='members per pool, comma separated')
    parser.add_argument('--json', help='also write the raw numbers here')
    args = parser.parse_args()
    if not os.environ.get('OS_CLOUD'):
        raise SystemExit('OS_CLOUD (and OS_CLIENT_CONFIG_FILE) must name the cloud to benchmark against')
    bench = Bench(args)
    results = {}
    for n in [int(x) for x in args.sizes.split(',')]:
        results[n] = {'ours': bench.scenarios('ours', n), 'openstack.cloud': bench.scenarios('oc', n)}
    bench.proxy.stop()
    print('Octavia requests / write requests / LB lock cycles / wall time, per scenario '
          '(1 LB, 2 listeners, 2 pools with health monitors, N members per pool)')
    print('')
    print('| N | scenario | lbaas.octavia.loadbalancer | openstack.cloud lb_* modules | requests ratio | wall ratio |')
    print('|---|---|---|---|---|---|')
    for n, tools in results.items():
        for scenario in tools['ours']:
            print(fmt_row(n, scenario, tools['ours'][scenario], tools['openstack.cloud'][scenario]))
    disc = dict((tool, sum(r['discovery'] for n in results for r in results[n][tool].values()))
                for tool in ('ours', 'openstack.cloud'))
    print('')
    print('Not counted above: version discovery caused by the counting endpoint override (one unauthenticated '
          'GET / per process): ours %d, openstack.cloud %d.' % (disc['ours'], disc['openstack.cloud']))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(results, handle, indent=1)


if __name__ == '__main__':
    main()
