// The init script of a direct boot; see direct_init.hpp. The kernel passes it to /bin/sh as
// COMPOSE_SETUP and `sh -c "set -f; eval $COMPOSE_SETUP"` runs it: the word is split at
// spaces and joined again, so the script is one line of ';'-separated commands with no '"'
// (the kernel's quote), no tab and no line break.
#include "boot/direct_init.hpp"

#include <algorithm>

#include "boot/init_script.hpp"
#include "util/error.hpp"

namespace compose::boot {

DirectInit direct_init(const std::vector<std::string>& users, const std::string& public_key,
                       const std::string& init)
{
  if (public_key.find_first_of("'\"\n") != std::string::npos)
    throw Error("the public key holds a quote or line break", "compose boot --direct");
  std::string candidates = init;
  if (candidates.empty())
    for (const std::string& candidate : default_inits())
      candidates += (candidates.empty() ? "" : " ") + candidate;
  std::string names;
  for (const std::string& user : users)
    names += (names.empty() ? "" : " ") + user;

  // /proc is mounted only for a fatal power-off; the image's init mounts its own.
  std::string script =
      "fatal() { echo compose-direct: FATAL: $1; mount -t proc proc /proc; "
      "echo 1 >/proc/sys/kernel/sysrq; echo o >/proc/sysrq-trigger; "
      "while :; do sleep 1; done; }; "
      "echo compose-direct: started; ";
  if (!names.empty() && !public_key.empty())
    script +=
        "for u in " + names + "; do "
        "e=$(grep ^$u: /etc/passwd) || { echo compose-direct: warning: no user $u; continue; }; "
        "h=$(echo $e | cut -d: -f6); o=$(echo $e | cut -d: -f3,4); "
        "mkdir -p $h/.ssh && echo '" + public_key + "' >>$h/.ssh/authorized_keys && "
        "chown $o $h/.ssh $h/.ssh/authorized_keys && chmod 700 $h/.ssh && "
        "chmod 600 $h/.ssh/authorized_keys || fatal cannot-write-the-key-for-$u; "
        "echo compose-direct: key added for $u; done; ";
  // As in the initramfs: sshd takes the first value, so this line wins over the image's.
  if (std::find(users.begin(), users.end(), "root") != users.end() && !public_key.empty())
    script += "if [ -f /etc/ssh/sshd_config ]; then "
              "sed -i '1i PermitRootLogin prohibit-password' /etc/ssh/sshd_config && "
              "echo compose-direct: root key logins allowed; fi; ";
  // The image's init gets what the kernel would give it: HOME=/ TERM=linux, no PATH.
  script += "for i in " + candidates + "; do if [ -x $i ]; then "
            "echo compose-direct: starting $i on /dev/vda; "
            "exec env -i HOME=/ TERM=linux $i; fi; done; "
            "fatal no-init-in-the-image";

  DirectInit result;
  result.environment = {{"COMPOSE_SETUP", script}};
  result.arguments = {"-c", "set -f; eval $COMPOSE_SETUP"};
  return result;
}

} // namespace compose::boot
