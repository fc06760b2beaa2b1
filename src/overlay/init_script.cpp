// [init]: the entrypoint script, for two worlds. As PID 1 of a MicroVM it does what an init
// must before anything else runs (the kernel starts it with no PATH and mounts nothing but
// the root): proc, sys, dev (with the /dev/fd and /dev/std* links udev would make), devpts,
// shm, run and cgroup2, and it mounts the data disk when one is attached. Under a container
// engine (its marker files, `container=` in PID 1's environment, an overlay root, an engine's
// cgroup) it mounts nothing at all: a tmpfs over /run would hide the engine's
// /run/.containerenv and every bind mount below /run, and the engine's state comes from a
// volume, never from a host disk that a privileged container happens to see. It says on one
// console line which world it decided on and why. In both it then prepares runtime
// directories, re-asserts the SSH directory modes (a key file may have been mounted over
// them), creates missing SSH host keys and execs the configured command (supervisord).
#include "overlay/overlays.hpp"
#include "util/shell_quote.hpp"

namespace compose::overlay {

namespace {

// Sets `world` (vm or container) and `evidence`. $1: our PID, $2: the root to look in ("" in
// the image; a test points it at fake evidence). Any engine's trace means a container; with
// none, PID 1 is a VM's init and anything else was started by some other init.
const char* k_world_function = R"sh(init_world() {
  evidence=
  [ -e "$2/run/.containerenv" ] && evidence="$evidence /run/.containerenv"
  [ -e "$2/.dockerenv" ] && evidence="$evidence /.dockerenv"
  engine=${container:-}
  if [ -z "$engine" ] && [ -r "$2/proc/1/environ" ]; then
    engine=$(tr '\000' '\n' <"$2/proc/1/environ" 2>/dev/null | sed -n 's/^container=//p' | head -n 1)
  fi
  [ -n "$engine" ] && evidence="$evidence container=$engine"
  if [ -r "$2/proc/mounts" ] &&
    [ "$(awk '$2 == "/" { type = $3 } END { print type }' "$2/proc/mounts")" = overlay ]; then
    evidence="$evidence overlay-root"
  fi
  if [ -r "$2/proc/1/cgroup" ] &&
    grep -Eq '/(docker|libpod|lxc|kubepods|containerd|machine\.slice/libpod)' "$2/proc/1/cgroup"; then
    evidence="$evidence engine-cgroup"
  fi
  evidence=${evidence# }
  if [ -n "$evidence" ]; then
    world=container
  elif [ "$1" = 1 ]; then
    world=vm
  else
    world=container
    evidence="not PID 1"
  fi
}
)sh";

const char* k_mounts_part = R"sh(
# PID 1 in a VM: nothing is mounted yet. Under an engine all of this exists, and a mount
# here could only hide what the engine set up: none is made.
mounted() { grep -q "^[^ ]* $1 " /proc/mounts 2>/dev/null; }
init_world "$$" ""
echo "compose-init: $world${evidence:+ ($evidence)}"
if [ "$world" = vm ]; then
  [ -e /proc/self ] || mount -t proc -o nosuid,nodev,noexec proc /proc
  mounted /sys || mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
  mounted /dev || mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
fi
# udev or the engine would make these; supervisord's /dev/stdout logging needs them.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
if [ "$world" = vm ]; then
  mounted /dev/pts || mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts
  [ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
  mounted /dev/shm || mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm
  mounted /run || mount -t tmpfs -o nosuid,nodev,mode=0755 run /run
  mkdir -p /sys/fs/cgroup
  mounted /sys/fs/cgroup || mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
  ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null || true
  echo "compose-init: mounts done"
fi
)sh";

} // namespace

std::string init_world_function()
{
  return k_world_function;
}

std::string init_script(const recipe::Recipe& recipe)
{
  const recipe::InitSpec& init = recipe.overlays.init;
  std::string text = "#!/bin/sh\n"
                     "# Written by compose from the recipe's [init] table: the entrypoint of a "
                     "MicroVM (PID 1)\n# and of a privileged container.\n"
                     "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                     "umask 022\n\n";
  text += std::string("# Which world this is, from the evidence an engine leaves.\n") +
          k_world_function + k_mounts_part;
  // Under an engine the hostname is the engine's (--hostname), like everything else it set.
  if (!init.hostname.empty())
    text += "[ \"$world\" = vm ] && hostname " + shell_quote(init.hostname) + " 2>/dev/null\n";
  text += "\n# Runtime state (a VM's /run is a fresh tmpfs at every start; a container's is the "
          "engine's).\n";
  for (const std::string& directory : init.runtime_dirs)
    text += "mkdir -p " + shell_quote(directory) + "\n";
  if (!init.data_label.empty()) {
    // A privileged container sees the host's disks: one with this label is the host's own
    // engine state, never the container's (which comes from a volume).
    text += "\n# Engine state on a separate disk, found by its label, survives a new root image.\n"
            "data=\n"
            "[ \"$world\" = vm ] && data=$(findfs " + shell_quote("LABEL=" + init.data_label) +
            " 2>/dev/null || blkid -L " + shell_quote(init.data_label) + " 2>/dev/null || true)\n"
            "if [ -n \"$data\" ] && ! mounted " + shell_quote(init.data_mount) + "; then\n"
            "  mkdir -p " + shell_quote(init.data_mount) + "\n"
            "  mount \"$data\" " + shell_quote(init.data_mount) +
            " && echo \"compose-init: mounted $data on " + init.data_mount + "\"\n"
            "fi\n";
  }
  if (!recipe.overlays.users.empty())
    text += "\n# sshd refuses keys unless these modes hold, also over a mounted key file.\n";
  for (const recipe::UserSpec& user : recipe.overlays.users) {
    const std::string ssh = user.home + "/.ssh";
    const std::string owner =
        std::to_string(user.uid) + ":" + std::to_string(user.gid.value_or(user.uid));
    text += "if [ -d " + shell_quote(ssh) + " ]; then\n"
            "  chown " + owner + " " + shell_quote(ssh) + " && chmod 700 " + shell_quote(ssh) + "\n"
            "  [ -f " + shell_quote(ssh + "/authorized_keys") + " ] && chown " + owner + " " +
            shell_quote(ssh + "/authorized_keys") + " 2>/dev/null && chmod 600 " +
            shell_quote(ssh + "/authorized_keys") + " 2>/dev/null\n"
            "fi\n";
  }
  if (recipe.overlays.ssh.enabled)
    text += "\n# Host keys are made here, never baked into the image.\n"
            "command -v ssh-keygen >/dev/null && ssh-keygen -A >/dev/null && "
            "echo \"compose-init: host keys ready\"\n";
  text += "\necho \"compose-init: starting " + init.exec.front() + "\"\nexec";
  for (const std::string& word : init.exec)
    text += " " + shell_quote(word);
  return text + "\n";
}

} // namespace compose::overlay
