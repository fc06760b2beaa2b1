// /init for the boot initramfs: what a Firecracker-style kernel does by itself (drivers built
// in, DEVTMPFS_MOUNT, IP_PNP), done in busybox sh for a stock Debian kernel whose virtio,
// overlay and netfilter drivers are modules. Modules loaded here stay loaded after
// switch_root, so the image's engine finds them without /lib/modules of its own.
#include "boot/init_script.hpp"

namespace compose::boot {

const std::vector<std::string>& init_applets()
{
  static const std::vector<std::string> applets = {
      "base64", "cat", "chmod", "chown", "cut", "env", "grep", "ifconfig", "insmod",
      "mkdir", "mount", "route", "sed", "sh", "sleep", "switch_root", "umount"};
  return applets;
}

const std::vector<std::string>& default_inits()
{
  static const std::vector<std::string> inits = {"/usr/local/sbin/compose-init", "/sbin/init"};
  return inits;
}

std::string init_script()
{
  std::string candidates;
  for (const std::string& init : default_inits())
    candidates += (candidates.empty() ? "" : " ") + init;
  // Everything after "started" goes to the console; the kernel gives /init no stdio because
  // the archive holds no /dev/console node (building it would need mknod, i.e. root).
  // The kernel parameters are read from /proc/cmdline, since the kernel passes only
  // unknown "name=value" words through the environment and "ip=" is not among them.
  // The image's init gets exactly what the kernel would give it: HOME=/ TERM=linux and no
  // PATH (a leaked PATH=/bin breaks merged-/usr images), hence `env -i`.
  std::string script = R"SCRIPT(#!/bin/sh
# compose boot initramfs: load modules, mount the root disk, add SSH keys, start its init.
export PATH=/bin

fatal() {
  echo "compose-initramfs: FATAL: $*"
  echo 1 >/proc/sys/kernel/sysrq
  echo o >/proc/sysrq-trigger
  while :; do sleep 1; done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo "compose-initramfs: started"

while read -r module; do
  insmod "/lib/modules/$module" || echo "compose-initramfs: warning: insmod $module failed"
done </etc/compose-modules

root=
init=
rootfstype=ext4
rootflags=
mode=rw
ip=
users=
key=
root_key=
for word in $(cat /proc/cmdline); do
  case "$word" in
    root=*) root=${word#root=} ;;
    init=*) init=${word#init=} ;;
    rootfstype=*) rootfstype=${word#rootfstype=} ;;
    rootflags=*) rootflags=${word#rootflags=} ;;
    ro) mode=ro ;;
    rw) mode=rw ;;
    ip=*) ip=${word#ip=} ;;
    compose.users=*) users=${word#compose.users=} ;;
    compose.key=*) key=${word#compose.key=} ;;
  esac
done
[ -n "$root" ] || fatal "no root= on the kernel command line"

tries=0
while [ ! -b "$root" ]; do
  tries=$((tries + 1))
  [ $tries -le 100 ] || fatal "root device $root did not appear within 10 s"
  sleep 0.1
done
mount -t "$rootfstype" -o "$mode${rootflags:+,$rootflags}" "$root" /newroot ||
  fatal "cannot mount $root ($rootfstype, $mode${rootflags:+,$rootflags})"
echo "compose-initramfs: root mounted"
present() { [ -e "/newroot$1" ] || [ -L "/newroot$1" ]; }
if [ -n "$init" ]; then
  present "$init" || fatal "no $init in the image on $root"
else
  for candidate in @DEFAULT_INITS@; do
    if present "$candidate"; then
      init=$candidate
      break
    fi
  done
  [ -n "$init" ] || fatal "none of @DEFAULT_INITS@ in the image on $root"
fi

ifconfig lo 127.0.0.1 up
if [ -n "$ip" ]; then
  # ip=CLIENT:SERVER:GATEWAY:NETMASK:HOSTNAME:DEVICE:AUTOCONF, as the kernel's IP_PNP reads it.
  client=$(echo "$ip" | cut -d: -f1)
  gateway=$(echo "$ip" | cut -d: -f3)
  netmask=$(echo "$ip" | cut -d: -f4)
  device=$(echo "$ip" | cut -d: -f6)
  ifconfig "$device" "$client" netmask "$netmask" up || fatal "cannot configure $device"
  [ -z "$gateway" ] || route add default gw "$gateway" || fatal "cannot add route via $gateway"
fi

if [ -n "$users" ] && [ -n "$key" ]; then
  for user in $(echo "$users" | sed 's/,/ /g'); do
    entry=$(grep "^$user:" /newroot/etc/passwd) || {
      echo "compose-initramfs: warning: no user $user in the image"
      continue
    }
    uid=$(echo "$entry" | cut -d: -f3)
    gid=$(echo "$entry" | cut -d: -f4)
    home=$(echo "$entry" | cut -d: -f6)
    [ -d "/newroot$home" ] || {
      echo "compose-initramfs: warning: $user has no home directory $home"
      continue
    }
    mkdir -p "/newroot$home/.ssh"
    echo "$key" | base64 -d >>"/newroot$home/.ssh/authorized_keys" ||
      fatal "cannot write the key for $user"
    echo >>"/newroot$home/.ssh/authorized_keys"
    chown "$uid:$gid" "/newroot$home/.ssh" "/newroot$home/.ssh/authorized_keys"
    chmod 700 "/newroot$home/.ssh"
    chmod 600 "/newroot$home/.ssh/authorized_keys"
    echo "compose-initramfs: key added for $user"
    [ "$user" = root ] && root_key=yes
  done
fi
# The checks run supervisorctl and power-off as root; images refuse root logins. sshd takes
# the first value it reads, so a line at the very top of sshd_config (before any Include)
# allows root key logins in this snapshot only.
if [ -n "$root_key" ] && [ -f /newroot/etc/ssh/sshd_config ]; then
  sed -i '1i PermitRootLogin prohibit-password' /newroot/etc/ssh/sshd_config ||
    fatal "cannot allow root key logins in /etc/ssh/sshd_config"
  echo "compose-initramfs: root key logins allowed"
fi

umount -l /dev
umount /sys
echo "compose-initramfs: switching to $init on $root"
umount /proc
exec env -i HOME=/ TERM=linux switch_root /newroot "$init"
)SCRIPT";
  for (std::size_t at = script.find("@DEFAULT_INITS@"); at != std::string::npos;
       at = script.find("@DEFAULT_INITS@", at))
    script.replace(at, std::string_view("@DEFAULT_INITS@").size(), candidates);
  return script;
}

} // namespace compose::boot
