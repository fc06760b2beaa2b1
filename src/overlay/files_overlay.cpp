// [[files]] and the whole overlay sequence. A file's bytes come from the recipe directory,
// the recipe text, or a download already checked against its pinned SHA-256; owners are
// names in the image's own passwd/group (after [[users]]) or numeric ids.
#include "overlay/overlays.hpp"

#include <charconv>

#include "unpack/accounts.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace compose::overlay {

namespace {

std::uint32_t owner_id(const std::string& name, bool group, const unpack::Accounts& accounts,
                       const recipe::FileSpec& file)
{
  std::uint32_t id = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (error == std::errc() && end == name.data() + name.size())
    return id;
  const std::optional<std::uint32_t> found = group ? accounts.gid_of(name) : accounts.uid_of(name);
  if (!found)
    throw Error(std::string(group ? "group " : "owner ") + quote(name) +
                    " does not exist in the image",
                file.where.str(), "use a name from the image's /etc/" +
                                      std::string(group ? "group" : "passwd") + " or a number");
  return *found;
}

void apply_file(const recipe::FileSpec& file, const std::map<std::string, std::string>& downloads,
                const unpack::Accounts& accounts, stage::Tree& tree, OverlayReport& report)
{
  const std::uint32_t uid = owner_id(file.owner, false, accounts, file);
  const std::uint32_t gid = owner_id(file.group, true, accounts, file);
  const std::string parent = file.path.substr(0, file.path.rfind('/') == std::string::npos
                                                     ? 0
                                                     : file.path.rfind('/'));
  if (!parent.empty() && !tree.resolve(parent))
    tree.add_directory(parent, 0755, 0, 0, true);
  using Kind = recipe::FileSpec::Kind;
  switch (file.kind) {
  case Kind::directory:
    tree.add_directory(file.path, file.mode.value_or(0755), uid, gid);
    return;
  case Kind::symlink:
    tree.add_symlink(file.path, file.target);
    return;
  case Kind::content:
    tree.add_file(file.path, file.content, file.mode.value_or(0644), uid, gid);
    return;
  case Kind::source: {
    std::string bytes;
    try {
      bytes = read_file(file.source);
    } catch (const Error& e) {
      throw Error("cannot read " + quote(file.source.string()) + ": " + e.message(),
                  file.where.str(), "source paths are relative to the file that names them");
    }
    report.inputs.push_back("/" + file.path + " sha256:" + sha256_hex(bytes));
    tree.add_file(file.path, std::move(bytes), file.mode.value_or(0644), uid, gid);
    return;
  }
  case Kind::url: {
    const auto found = downloads.find(file.url);
    if (found == downloads.end())
      throw Error("no download for " + quote(file.url), file.where.str());
    report.inputs.push_back("/" + file.path + " sha256:" + file.sha256);
    tree.add_file(file.path, found->second, file.mode.value_or(0644), uid, gid);
    return;
  }
  }
}

} // namespace

OverlayReport apply_overlays(const recipe::Recipe& recipe,
                             const std::map<std::string, std::string>& downloads,
                             std::int64_t epoch, stage::Tree& tree)
{
  const recipe::Overlays& overlays = recipe.overlays;
  OverlayReport report;
  apply_accounts(overlays, epoch, tree);
  for (const recipe::UserSpec& user : overlays.users)
    report.notes.push_back("user " + user.name + " (" + std::to_string(user.uid) + ")");
  apply_ssh(overlays.ssh, epoch, tree);
  if (overlays.supervisor.enabled) {
    const std::string path = stage::Tree::normalise(overlays.supervisor.config);
    tree.add_directory(path.substr(0, path.rfind('/')), 0755, 0, 0, true);
    tree.add_file(path, supervisord_conf(overlays.supervisor), 0644);
    report.notes.push_back("supervisord: " + std::to_string(overlays.supervisor.programs.size()) +
                           " programs in " + overlays.supervisor.config);
  }
  if (overlays.init.enabled) {
    const std::string path = stage::Tree::normalise(overlays.init.path);
    tree.add_directory(path.substr(0, path.rfind('/')), 0755, 0, 0, true);
    tree.add_file(path, init_script(recipe), 0755);
    report.notes.push_back("init: " + overlays.init.path);
  }
  if (!overlays.files.empty()) {
    const unpack::Accounts accounts = unpack::Accounts::load(tree);
    for (const recipe::FileSpec& file : overlays.files)
      apply_file(file, downloads, accounts, tree, report);
    report.notes.push_back(std::to_string(overlays.files.size()) + " files");
  }
  const std::size_t removed = apply_cleanup(overlays.cleanup, overlays.cleanup_keep, tree);
  if (!overlays.cleanup.empty())
    report.notes.push_back("clean-up removed " + std::to_string(removed) + " entries");
  check_commands(recipe, tree);
  return report;
}

} // namespace compose::overlay
