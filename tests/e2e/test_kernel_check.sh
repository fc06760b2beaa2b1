#!/usr/bin/env bash
# compose kernel-check: a generated .config with everything built in passes, as plain text and
# as config.gz; without CONFIG_OVERLAY_FS it fails naming it; modules pass unless --built-in;
# a missing recommended option is listed but passes; podman is not asked Docker's iptables
# matches. Then this machine's own kernel config, when /boot has one: `compose boot` uses
# that kernel, and its container checks pass, so it must pass (and, its virtio drivers being
# modules and its address set by the initramfs, fail --built-in naming CONFIG_VIRTIO_BLK and
# CONFIG_IP_PNP). --built-in also asks what a boot without initramfs needs: DEVTMPFS_MOUNT,
# IP_PNP; without them it fails.
source "$(dirname "$0")/lib.sh"

# A config in the kernel's own format with every option the contract names.
{
  echo "#"
  echo "# Automatically generated file; DO NOT EDIT."
  echo "#"
  for option in VIRTIO_BLK VIRTIO_PCI VIRTIO_NET EXT4_FS DEVTMPFS TMPFS PROC_FS SYSFS UNIX98_PTYS \
    UNIX INET CGROUPS MEMCG CGROUP_PIDS CGROUP_BPF CPUSETS CGROUP_SCHED NAMESPACES UTS_NS IPC_NS \
    PID_NS NET_NS USER_NS POSIX_MQUEUE OVERLAY_FS SECCOMP_FILTER KEYS VETH BRIDGE BRIDGE_NETFILTER \
    NF_CONNTRACK NF_NAT NFT_COMPAT NETFILTER_XT_TARGET_MASQUERADE NETFILTER_XT_MATCH_ADDRTYPE \
    NETFILTER_XT_MATCH_CONNTRACK IPV6 TUN DEVTMPFS_MOUNT IP_PNP; do
    echo "CONFIG_$option=y"
  done
  echo 'CONFIG_LOCALVERSION="-e2e"'
} >"$WORK/full.config"

"$COMPOSE" kernel-check "$WORK/full.config" >"$WORK/out.txt" || fail "a full config failed"
grep -q "^ok: every requirement is met (0 as modules; 0 recommended" "$WORK/out.txt" ||
  { cat "$WORK/out.txt"; fail "no ok line"; }
"$COMPOSE" kernel-check "$WORK/full.config" --built-in >/dev/null || fail "--built-in on a built-in config"
gzip -c "$WORK/full.config" >"$WORK/config.gz"
"$COMPOSE" kernel-check "$WORK/config.gz" >"$WORK/gz.txt" || fail "config.gz"
diff <(tail -n +2 "$WORK/out.txt") <(tail -n +2 "$WORK/gz.txt") || fail "config.gz reads differently"

# kernel_check CONFIG ARGS... : runs it, keeping stdout, stderr and the status.
kernel_check() {
  status=0
  "$COMPOSE" kernel-check "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
}

sed 's/^CONFIG_OVERLAY_FS=y$/# CONFIG_OVERLAY_FS is not set/' "$WORK/full.config" >"$WORK/no-overlay.config"
kernel_check "$WORK/no-overlay.config"
[[ $status == 1 ]] || fail "a config without overlayfs passed"
grep -q "MISSING   CONFIG_OVERLAY_FS " "$WORK/stdout" || fail "the table does not mark overlayfs"
grep -qF "compose: error: missing from the kernel: CONFIG_OVERLAY_FS for the overlay storage driver" \
  "$WORK/stderr" || { cat "$WORK/stderr"; fail "the error does not name CONFIG_OVERLAY_FS"; }
grep -qF "at: $WORK/no-overlay.config" "$WORK/stderr" || fail "the error does not name the file"

sed 's/^CONFIG_\(VIRTIO_BLK\|VETH\)=y$/CONFIG_\1=m/' "$WORK/full.config" >"$WORK/modules.config"
kernel_check "$WORK/modules.config"
[[ $status == 0 ]] || fail "modules did not pass"
grep -q "(2 as modules, which an initramfs must load" "$WORK/stdout" || fail "modules not counted"
kernel_check "$WORK/modules.config" --built-in
[[ $status == 1 ]] || fail "modules passed --built-in"
grep -qF "not built into the kernel: CONFIG_VIRTIO_BLK (=m) for the root disk /dev/vda; CONFIG_VETH (=m) for" \
  "$WORK/stderr" || { cat "$WORK/stderr"; fail "--built-in does not name the modules"; }

grep -v "^CONFIG_IP_PNP=" "$WORK/full.config" >"$WORK/no-ip-pnp.config"
kernel_check "$WORK/no-ip-pnp.config"
[[ $status == 0 ]] || fail "IP_PNP is needed only without an initramfs"
kernel_check "$WORK/no-ip-pnp.config" --built-in
[[ $status == 1 ]] && grep -qF "CONFIG_IP_PNP for the address from ip=" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "--built-in without IP_PNP"; }

grep -v "^CONFIG_USER_NS=" "$WORK/full.config" >"$WORK/no-userns.config"
kernel_check "$WORK/no-userns.config"
[[ $status == 0 ]] || fail "a missing recommended option failed the check"
grep -q "missing   CONFIG_USER_NS  .*(recommended)" "$WORK/stdout" || fail "USER_NS not listed as missing"
grep -q "1 recommended option(s) missing" "$WORK/stdout" || fail "the recommended count"

grep -v "^CONFIG_NETFILTER_XT_MATCH_ADDRTYPE=" "$WORK/full.config" >"$WORK/no-addrtype.config"
kernel_check "$WORK/no-addrtype.config"
[[ $status == 1 ]] || fail "docker without addrtype passed"
kernel_check "$WORK/no-addrtype.config" --engine podman
[[ $status == 0 ]] || { cat "$WORK/stderr"; fail "podman was asked Docker's addrtype match"; }

printf 'CONFIG_EXT4_FS=y\nthis is not a config\n' >"$WORK/junk.config"
kernel_check "$WORK/junk.config"
[[ $status == 1 ]] && grep -qF "at: $WORK/junk.config:2" "$WORK/stderr" || fail "junk is not refused by line"
echo "generated configs: ok"

host_config=$(ls /boot/config-*-cloud-amd64 2>/dev/null | sort -V | tail -n1 || true)
if [[ -n "$host_config" ]]; then
  kernel_check "$host_config"
  [[ $status == 0 ]] || { cat "$WORK/stdout" "$WORK/stderr"; fail "the boot test's kernel fails the check"; }
  kernel_check "$host_config" --built-in
  [[ $status == 1 ]] && grep -q "CONFIG_VIRTIO_BLK (=m) for the root disk.*CONFIG_IP_PNP for the address" "$WORK/stderr" ||
    fail "--built-in on the cloud kernel"
  echo "$host_config: ok"
else
  echo "no Debian cloud kernel in /boot: the host part is skipped"
fi
