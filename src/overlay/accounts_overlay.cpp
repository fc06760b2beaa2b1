// [[groups]] and [[users]]: entries in the image's passwd, group and shadow files, a home
// directory, and ~/.ssh/authorized_keys that exists (empty unless keys are given) with the
// modes sshd insists on: 700 for the directory, 600 for the file, both owned by the user.
#include "overlay/overlays.hpp"
#include "unpack/accounts.hpp"
#include "util/error.hpp"

namespace compose::overlay {

void apply_accounts(const recipe::Overlays& overlays, std::int64_t epoch, stage::Tree& tree)
{
  if (overlays.groups.empty() && overlays.users.empty())
    return;
  unpack::Accounts accounts = unpack::Accounts::load(tree);
  for (const recipe::GroupSpec& group : overlays.groups) {
    if (accounts.has_group(group.name)) {
      if (group.gid && accounts.gid_of(group.name) != group.gid)
        throw Error("group " + quote(group.name) + " already exists with gid " +
                        std::to_string(*accounts.gid_of(group.name)),
                    group.where.str(), "leave gid out to use the packaged group");
      continue;
    }
    try {
      accounts.add_group(group.name, group.gid, true);
    } catch (Error& e) {
      throw Error(e.message(), group.where.str());
    }
  }
  for (const recipe::UserSpec& user : overlays.users) {
    try {
      const std::uint32_t gid = user.gid.value_or(user.uid);
      if (!accounts.has_group(user.name))
        accounts.add_group(user.name, gid, false);
      else if (accounts.gid_of(user.name) != gid)
        throw Error("group " + quote(user.name) + " exists with gid " +
                    std::to_string(*accounts.gid_of(user.name)) + ", not " + std::to_string(gid));
      const unpack::Accounts::NewUser entry{user.name, user.uid, user.name, "",
                                            user.home, user.shell, false};
      accounts.add_user(entry, epoch / 86400);
      // "*", not "!": sshd without PAM treats "!" as a locked account and refuses keys.
      accounts.set_password(user.name, "*");
      for (const std::string& group : user.groups) {
        if (!accounts.has_group(group))
          throw Error("group " + quote(group) + " does not exist in the image",
                      user.where.str(), "declare it in [[groups]] or install the package "
                                        "that creates it");
        accounts.add_member(group, user.name);
      }
    } catch (Error& e) {
      if (e.where() == user.where.str())
        throw;
      throw Error("user " + quote(user.name) + ": " + e.message(), user.where.str(), e.hint());
    }
    const std::uint32_t gid = user.gid.value_or(user.uid);
    const std::string home = stage::Tree::normalise(user.home);
    tree.add_directory(home, 0755, user.uid, gid);
    tree.add_directory(home + "/.ssh", 0700, user.uid, gid);
    std::string keys;
    for (const std::string& key : user.authorized_keys)
      keys += key + "\n";
    tree.add_file(home + "/.ssh/authorized_keys", keys, 0600, user.uid, gid);
  }
  for (const recipe::GroupSpec& group : overlays.groups)
    for (const std::string& member : group.members) {
      if (!accounts.has_user(member))
        throw Error("member " + quote(member) + " of group " + quote(group.name) +
                        " is not a user of the image",
                    group.where.str());
      accounts.add_member(group.name, member);
    }
  accounts.store(tree, epoch);
}

} // namespace compose::overlay
