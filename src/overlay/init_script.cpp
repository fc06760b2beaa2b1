// [init]: the entrypoint script. As PID 1 of a MicroVM it does what an init must before
// anything else runs (the kernel starts it with no PATH and mounts nothing but the root):
// proc, sys, dev (with the /dev/fd and /dev/std* links udev would make), devpts, shm, run
// and cgroup2. Under a container engine those exist already and it skips them. In both
// cases it then prepares runtime directories, mounts the data disk when one is attached,
// re-asserts the SSH directory modes (a key file may have been mounted over them), creates
// missing SSH host keys and execs the configured command (supervisord).
#include "overlay/overlays.hpp"

namespace compose::overlay {

namespace {

// Single-quoted for sh: safe for any recipe text.
std::string shell_quote(const std::string& text)
{
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

const char* k_pid1_part = R"(# PID 1 in a VM: nothing is mounted yet. A container engine has done all of this.
mounted() { grep -q "^[^ ]* $1 " /proc/mounts 2>/dev/null; }
if [ "$$" = 1 ]; then
  [ -e /proc/self ] || mount -t proc -o nosuid,nodev,noexec proc /proc
  mounted /sys || mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
  mounted /dev || mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
  # udev or the engine would make these; supervisord's /dev/stdout logging needs them.
  [ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
  [ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
  [ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
  [ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
  mkdir -p /dev/pts /dev/shm
  mounted /dev/pts || mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts
  [ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
  mounted /dev/shm || mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm
  mounted /run || mount -t tmpfs -o nosuid,nodev,mode=0755 run /run
  mkdir -p /sys/fs/cgroup
  mounted /sys/fs/cgroup || mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
  ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null || true
  echo "compose-init: mounts done"
fi
)";

} // namespace

std::string init_script(const recipe::Recipe& recipe)
{
  const recipe::InitSpec& init = recipe.overlays.init;
  std::string text = "#!/bin/sh\n"
                     "# Written by compose from the recipe's [init] table: the entrypoint of a "
                     "MicroVM (PID 1)\n# and of a privileged container.\n"
                     "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                     "umask 022\n\n";
  text += k_pid1_part;
  if (!init.hostname.empty())
    text += "[ \"$$\" = 1 ] && hostname " + shell_quote(init.hostname) + " 2>/dev/null\n";
  text += "\n# Runtime state (/run is a fresh tmpfs at every start).\n";
  for (const std::string& directory : init.runtime_dirs)
    text += "mkdir -p " + shell_quote(directory) + "\n";
  if (!init.data_label.empty()) {
    text += "\n# Engine state on a separate disk, found by its label, survives a new root image.\n"
            "data=$(findfs " + shell_quote("LABEL=" + init.data_label) +
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
