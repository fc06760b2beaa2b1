#!/usr/bin/env bash
# Makes a bootable ext4 test image for `compose boot` until the recipe overlays exist:
#   tests/support/boot_test_image.sh COMPOSE MIRROR-DIR WORK-DIR OUT.ext4
# compose builds the product set (Debian "required" base, no Recommends) from the test mirror
# as a rootfs tar; this script unpacks it (as root), adds a PID 1 script (vm-init), a
# supervisord.conf running sshd, cron and dockerd, the user miget (1000, group docker,
# password '*'), and makes the ext4 with mkfs.ext4 -d. Needs root (chown, chroot useradd).
set -euo pipefail
compose=$1 mirror=$2 work=$3 out=$4

cat >"$work/boot-image.toml" <<TOML
name = "boot-image"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "required"
recommends = false
packages = ["docker.io", "containerd", "runc", "openssh-server", "supervisor", "cron",
            "ca-certificates", "iptables", "iproute2", "procps"]

[[repositories]]
url = "file://$mirror"
suites = ["\${release}"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[image]
entrypoint = ["/sbin/init"]

[outputs]
formats = ["rootfs-tar"]
TOML
SOURCE_DATE_EPOCH=1750000000 "$compose" "$work/boot-image.toml" -o "$work/out" \
  --cache-dir "$work/cache" -q >/dev/null

root=$work/root
rm -rf "$root" && mkdir "$root"
tar -xpf "$work/out/boot-image.rootfs.tar" -C "$root" --numeric-owner

# PID 1: what a MicroVM's entrypoint does. The kernel starts it with only HOME and TERM,
# so it exports PATH itself (dockerd looks for iptables on it); devtmpfs lacks the
# /dev/fd and /dev/std* links supervisord's /dev/stdout logging needs.
mkdir -p "$root/usr/local/sbin"
cat >"$root/usr/local/sbin/vm-init" <<'INIT'
#!/bin/sh
# vm-init: PID 1 of the boot test image: mounts, host keys, then supervisord.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
hostname boot-test
ip link set lo up
mkdir -p /run/sshd /var/spool/cron
ssh-keygen -A
echo "vm-init: host keys ready"
exec supervisord -n -c /etc/supervisor/supervisord.conf
INIT
chmod 755 "$root/usr/local/sbin/vm-init"
ln -sf /usr/local/sbin/vm-init "$root/sbin/init"

cat >"$root/etc/supervisor/supervisord.conf" <<'CONF'
; supervisord for the boot test image: sshd, cron and dockerd, all logging to the console.
[unix_http_server]
file=/run/supervisor.sock
chmod=0700

[supervisord]
nodaemon=true
logfile=/dev/null
logfile_maxbytes=0
pidfile=/run/supervisord.pid

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///run/supervisor.sock

[program:sshd]
command=/usr/sbin/sshd -D -e
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0

[program:cron]
command=/usr/sbin/cron -f
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0

[program:dockerd]
command=/usr/sbin/dockerd
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
CONF

chroot "$root" /usr/sbin/useradd --create-home --uid 1000 --user-group --groups docker \
  --shell /bin/bash --password '*' miget
install -d -m 700 -o 1000 -g 1000 "$root/home/miget/.ssh"
install -m 600 -o 1000 -g 1000 /dev/null "$root/home/miget/.ssh/authorized_keys"

rm -f "$out"
mkfs.ext4 -q -F -L root -d "$root" "$out" 2G
