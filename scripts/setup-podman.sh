#!/usr/bin/env bash
# Give this machine systemd-booted Debian test hosts under rootful Podman.
# Installs podman, runc and mmdebstrap from Debian, writes a containers.conf that works
# on hosts without CAP_SYS_RESOURCE and with a hybrid cgroup layout, builds the base image
# with mmdebstrap (no registry is needed) and checks that systemd boots in it.
# The image's Debian mirrors are this machine's apt's (scripts/apt-mirrors.py), or LBAAS_DEBIAN_MIRROR
# and LBAAS_DEBIAN_SECURITY_MIRROR. Idempotent; run as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${LBAAS_BASE_IMAGE:-localhost/lbaas-octavia/debian-systemd:bookworm}
CONF=/etc/containers/containers.conf
MARK="# written by lbaas.octavia scripts/setup-podman.sh"
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" = 0 ] || { echo "ERROR: scripts/setup-podman.sh must run as root (rootful podman)" >&2; exit 1; }

need=()
for p in podman runc mmdebstrap uidmap iptables; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  apt-get -q -o DPkg::Lock::Timeout=600 update
  apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${need[@]}" >/dev/null
fi

if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
  echo "setup-podman: $CONF exists and is not ours; leaving it alone"
else
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(cat /proc/sys/kernel/pid_max); [ "$nproc" -gt 32768 ] && nproc=32768
  mkdir -p "$(dirname "$CONF")"
  cat > "$CONF.new" <<CONF
$MARK
[containers]
# Without CAP_SYS_RESOURCE the hard limits cannot be raised, and podman's default
# nofile=1048576 fails every container with "setrlimit RLIMIT_NOFILE: Operation not permitted".
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun refuses a hybrid cgroup layout ("cgroups in hybrid mode not supported"); runc copes.
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
  mv "$CONF.new" "$CONF"
fi

if ! podman image exists "$IMAGE"; then
  # Operators have their own mirrors: take the ones this machine's apt uses unless told otherwise.
  mirror=${LBAAS_DEBIAN_MIRROR:-$(python3 "$top/scripts/apt-mirrors.py" main)}
  security=${LBAAS_DEBIAN_SECURITY_MIRROR:-$(python3 "$top/scripts/apt-mirrors.py" security)}
  if [ -z "$mirror" ]; then
    echo "ERROR: no Debian archive for the release found in /etc/apt; set LBAAS_DEBIAN_MIRROR" >&2
    exit 1
  fi
  sources=$(mktemp)
  trap 'rm -f "$sources"' EXIT
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" > "$sources"
  [ -z "$security" ] || printf 'deb %s bookworm-security main\n' "$security" >> "$sources"
  echo "setup-podman: building $IMAGE with mmdebstrap from $mirror (about a minute)"
  # The hooks run in mmdebstrap's shell, with "$1" the new root: keep them unexpanded here.
  # shellcheck disable=SC2016
  mmdebstrap --quiet --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,procps,sudo,ca-certificates,less \
    --customize-hook="upload $sources /etc/apt/sources.list" \
    --customize-hook=': > "$1/etc/machine-id"' \
    --customize-hook='rm -f "$1"/etc/apt/apt.conf.d/docker-clean' \
    bookworm - "$mirror" \
  | podman import --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' - "$IMAGE" >/dev/null
  rm -f "$sources"
fi

# systemd must reach "running" (or "degraded") as PID 1 in the image.
name=lbaas-systemd-smoke-$$
trap 'podman rm -f -t 2 "$name" >/dev/null 2>&1 || true' EXIT
podman run -d --name "$name" --systemd=always "$IMAGE" /sbin/init >/dev/null
st=
for _ in $(seq 1 150); do
  st=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
  case $st in running|degraded) break ;; esac
  sleep 0.2
done
echo "setup-podman: systemd in $IMAGE is ${st:-not answering}"
case $st in running|degraded) ;; *) exit 1 ;; esac
