"""The lab's data plane, as the tests (tests/lab/test_data_plane.py) and the benchmark (scripts/bench-data-plane.py)
drive it: the demo load balancer that playbooks/demo.yaml builds (an amphora that Nova boots on the network node), its
members web-1 and web-2 and the client, which are network namespaces on the network node (lab_tenant_hosts).

Every step returns what it measured; nothing here asserts on a duration."""
import os
import re
import subprocess
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NETWORK_NODE = 'lbaas-lab-network'
CONTROLLER = 'lbaas-lab-controller'
LB_NAME = 'demo-lb'
CLIENT = 'client'
BACKENDS = ('web-1', 'web-2')
HTTP_UNIT = 'lab-tenant-http@%s.service'
HM_PORT = 'o-hm0'
SSH_KEY = os.path.join(TOP, 'inventories', 'lab', '.state', 'octavia-pki', 'amphora_ssh_key')
# The DIB debian-minimal image's cloud-init user
AMPHORA_USER = 'debian'


def sh(container, script, check=True, timeout=300):
    """Run a bash script in a lab node; return its stdout (stderr folded in)."""
    proc = subprocess.run(['podman', 'exec', container, 'bash', '-c', script], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError('%s: %s\n-> rc %d\n%s' % (container, script, proc.returncode, proc.stdout))
    return proc.stdout


def address(container):
    """The container's address on its Podman network (the molecule scenarios' nodes, the lab's)."""
    return subprocess.check_output(
        ['podman', 'container', 'inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
         container], text=True).strip()


def octavia_profile():
    """'amphora' or 'noop': which drivers the lab's Octavia worker runs (make lab LAB_OCTAVIA_PROFILE=noop)."""
    conf = sh(NETWORK_NODE, 'cat /etc/octavia/octavia.conf')
    return 'noop' if re.search(r'^compute_driver = compute_noop_driver', conf, re.M) else 'amphora'


def wait_until(predicate, seconds, step=1.0):
    """Call predicate until it returns something true or seconds pass; return its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def curl(address, times=1, max_time=5):
    """GET http://address/ from the client's namespace `times` times; each answer's body, or '' on failure.
    `podman exec` itself may take many seconds on a loaded host (CI 2026-12-07: over 8 s, while a failover the test
    was polling for went well): its slowness counts as no answer, never as an error."""
    script = ('for i in $(seq %d); do echo "$(ip netns exec %s curl -s --max-time %d http://%s/ || true)"; done'
              % (times, CLIENT, max_time, address))
    try:
        out = sh(NETWORK_NODE, script, timeout=times * (max_time + 5) + 60)
    except subprocess.TimeoutExpired:
        return [''] * times
    return [line.strip() for line in out.splitlines()]


def load_balancer(conn):
    return conn.load_balancer.find_load_balancer(LB_NAME, ignore_missing=False)


def pool_members(conn, lb):
    """{backend name: member} of the demo's pool, matched by the backends' addresses."""
    addresses = backend_addresses(conn)
    pool = next(iter(conn.load_balancer.pools(loadbalancer_id=lb.id)))
    return {name: m for m in conn.load_balancer.members(pool) for name, ip in addresses.items()
            if m.address == ip}, pool


def backend_addresses(conn):
    """{backend name: IPv4 address} from the backends' Neutron ports."""
    found = {}
    for name in BACKENDS:
        ports = [p for p in conn.network.ports() if p.name and p.name.endswith(name)]
        if ports:
            found[name] = ports[0].fixed_ips[0]['ip_address']
    return found


def member_status(conn, pool, member):
    return conn.load_balancer.get_member(member, pool).operating_status


def amphorae(admin, lb):
    return list(admin.load_balancer.amphorae(loadbalancer_id=lb.id))


def heartbeats(amphora_id):
    """The amphora's last heartbeat as the health manager recorded it (amphora_health.last_update), or None."""
    out = sh(CONTROLLER, "mysql -N -B -e \"SELECT UNIX_TIMESTAMP(last_update) FROM octavia.amphora_health "
                         "WHERE amphora_id='%s'\"" % amphora_id).strip()
    return float(out) if out else None


def heartbeat_after(amphora_id, since):
    """The amphora's last heartbeat when it is later than `since` (epoch seconds), else None."""
    value = heartbeats(amphora_id)
    return value if value and value > since else None


def sample_heartbeats(amphora_id, seconds, step=2.0):
    """Distinct last_update values seen over `seconds`."""
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = heartbeats(amphora_id)
        if value:
            seen.add(value)
        time.sleep(step)
    return sorted(seen)


def set_backend(name, running):
    sh(NETWORK_NODE, 'systemctl %s %s' % ('start' if running else 'stop', HTTP_UNIT % name))


def ssh_amphora(address, command):
    """Run a command in the amphora over the lb-mgmt network, from the network node (o-hm0), with the PKI role's key."""
    with open(SSH_KEY, encoding='ascii') as handle:
        key = handle.read()
    script = ('set -e; k=$(mktemp); trap \'rm -f "$k"\' EXIT; chmod 600 "$k"; cat > "$k" <<\'KEY\'\n%sKEY\n'
              'ssh -i "$k" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 '
              '-o BatchMode=yes %s@%s %s' % (key, AMPHORA_USER, address, command))
    return sh(NETWORK_NODE, script, timeout=120)


def port_tag(name):
    out = sh(NETWORK_NODE, 'ovs-vsctl --if-exists get Port %s tag' % name, check=False).strip()
    return int(out) if out.isdigit() else None


def move_lb_mgmt_vlan(amphora_port_id):
    """An agent restart that moves lb-mgmt's local VLAN, as after a reboot: the OVS agent stopped, every lb-mgmt port
    it manages but o-hm0 (the amphora's, the DHCP agent's) re-tagged with a free VLAN, the agent started again; it
    takes that VLAN back from the ports' tags. o-hm0 keeps the old tag, and, when it is the agent's (agent_managed),
    loses the agent's record of its network: whoever keeps o-hm0 right (the agent, or the refresh unit in
    vlan_refresh mode) must move it. The amphora keeps running and its tap stays plugged.
    Returns (old VLAN, new VLAN, epoch seconds of the restart)."""
    tap = 'tap' + amphora_port_id[:11]
    old = port_tag(tap)
    used = {int(t) for t in sh(NETWORK_NODE, 'ovs-vsctl --bare --columns=tag list Port').split() if t.isdigit()}
    new = next(v for v in range(old + 1, 4094) if v not in used)
    ports = [p for p in sh(NETWORK_NODE, 'ovs-vsctl --bare --columns=name find Port tag=%d' % old).split()
             if p != HM_PORT]
    started = time.time()
    sh(NETWORK_NODE, 'systemctl stop neutron-openvswitch-agent && for p in %s; do ovs-vsctl set Port "$p" tag=%d; done '
                     '&& ovs-vsctl remove Port %s other_config net_uuid '
                     '&& systemctl start neutron-openvswitch-agent' % (' '.join(ports), new, HM_PORT))
    return old, new, started


def qemu_pid(compute_id):
    out = sh(NETWORK_NODE, 'pgrep -f "qemu-system.*%s" || true' % compute_id).split()
    return int(out[0]) if out else None


def kill_amphora(compute_id):
    """SIGKILL the amphora's QEMU process (a crashed hypervisor process); return the epoch seconds of the kill."""
    pid = qemu_pid(compute_id)
    if pid is None:
        raise RuntimeError('no QEMU process for server %s' % compute_id)
    sh(NETWORK_NODE, 'kill -9 %d' % pid)
    return time.time()


def alternates(answers):
    """True when the answers name the backends in turn (round robin), each as often as the other."""
    return (set(answers) == set(BACKENDS) and all(a != b for a, b in zip(answers, answers[1:]))
            and answers.count(BACKENDS[0]) == answers.count(BACKENDS[1]))


def answer(address):
    """The VIP's one answer when it names a backend, else None."""
    got = curl(address, max_time=3)
    return got[0] if got and got[0] in BACKENDS else None


def journal_since(container, unit, since):
    return sh(container, 'journalctl -u %s --since @%d --no-pager -o cat' % (unit, int(since)), check=False)


def failover_in_log(since):
    log = journal_since(NETWORK_NODE, 'octavia-health-manager', since)
    return re.findall(r'.*[Ff]ailover.*', log)


def load_balancer_status(conn, lb_id):
    return conn.load_balancer.get_load_balancer(lb_id).provisioning_status
