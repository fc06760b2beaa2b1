// [ssh]: sshd takes the first value it reads for a keyword, so our settings go first —
// in a drop-in that the distribution's sshd_config includes at its top (Debian, Ubuntu),
// otherwise at the head of sshd_config itself (Alpine). Host keys are never written: the
// init creates missing ones at first boot, so no two machines share one.
#include "overlay/overlays.hpp"
#include "util/error.hpp"

namespace compose::overlay {

std::string sshd_settings(const recipe::SshSpec& ssh)
{
  return std::string("# Written by compose from the recipe's [ssh] table.\n") +
         "PermitRootLogin " + (ssh.permit_root_login ? "prohibit-password" : "no") + "\n" +
         "PasswordAuthentication " + (ssh.password_authentication ? "yes" : "no") + "\n" +
         "KbdInteractiveAuthentication no\n"
         "PubkeyAuthentication yes\n"
         "AuthorizedKeysFile .ssh/authorized_keys\n";
}

void apply_ssh(const recipe::SshSpec& ssh, std::int64_t epoch, stage::Tree& tree)
{
  if (!ssh.enabled)
    return;
  const auto config = tree.resolve("etc/ssh/sshd_config");
  if (!config || config->type != stage::FileType::regular)
    throw Error("the image has no /etc/ssh/sshd_config", ssh.where.str(),
                "install the SSH server package (openssh-server)");
  const std::string text = config->content.read();
  const std::string settings = sshd_settings(ssh);
  if (text.find("\nInclude /etc/ssh/sshd_config.d/*.conf") != std::string::npos ||
      text.starts_with("Include /etc/ssh/sshd_config.d/*.conf")) {
    // "00-" sorts before the drop-ins packages ship.
    tree.add_directory("etc/ssh/sshd_config.d", 0755);
    tree.add_file("etc/ssh/sshd_config.d/00-compose.conf", settings, 0644);
  } else {
    tree.add_file("etc/ssh/sshd_config", settings + "\n" + text, config->mode, config->uid,
                  config->gid);
  }
  (void)epoch;
}

} // namespace compose::overlay
