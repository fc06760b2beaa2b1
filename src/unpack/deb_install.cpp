// install() for Debian and Ubuntu: merged-/usr links, every .deb unpacked in plan order,
// the maintainer scripts' effects, then the dpkg database; see deb_install.hpp.
#include "unpack/deb_install.hpp"

#include <map>

#include "unpack/deb/deb_archive.hpp"
#include "unpack/deb/dpkg_database.hpp"
#include "unpack/deb/script_effects.hpp"
#include "unpack/deb/unpacker.hpp"
#include "unpack/ldconfig.hpp"
#include "util/decode_ahead.hpp"
#include "util/error.hpp"

namespace compose::unpack::deb {

namespace {

// debootstrap's merge_usr table: every architecture links bin, sbin and lib; these add
// their multilib directories.
const std::map<std::string, std::vector<std::string>> k_multilib = {
    {"amd64", {"lib32", "lib64", "libx32"}}, {"i386", {"lib64", "libx32"}},
    {"mips", {"lib32", "lib64"}},            {"mipsel", {"lib32", "lib64"}},
    {"mips64el", {"lib32", "lib64", "libo32"}}, {"powerpc", {"lib64"}},
    {"ppc64", {"lib32", "lib64"}},           {"ppc64el", {"lib64"}},
    {"s390x", {"lib32"}},                    {"sparc", {"lib64"}},
    {"sparc64", {"lib32", "lib64"}},         {"x32", {"lib32", "lib64", "libx32"}}};

void add_merged_usr_links(const std::string& architecture, std::int64_t epoch, stage::Tree& tree)
{
  std::vector<std::string> directories = {"bin", "sbin", "lib"};
  if (const auto extra = k_multilib.find(architecture); extra != k_multilib.end())
    directories.insert(directories.end(), extra->second.begin(), extra->second.end());
  for (const auto& directory : directories) {
    stage::Inode target;
    target.type = stage::FileType::directory;
    target.mode = 0755;
    target.mtime = epoch;
    tree.add("usr/" + directory, std::move(target), stage::Existing::keep,
             stage::ParentSymlinks::reject, true);
    stage::Inode link;
    link.type = stage::FileType::symlink;
    link.mode = 0777;
    link.mtime = epoch;
    link.target = "usr/" + directory; // relative, as debootstrap makes them
    tree.add(directory, std::move(link), stage::Existing::error);
  }
}

void add_file_if_absent(stage::Tree& tree, const std::string& path, std::string bytes,
                        std::int64_t epoch)
{
  if (tree.find(path, stage::ParentSymlinks::follow))
    return;
  stage::Inode inode;
  inode.mode = 0644;
  inode.mtime = epoch;
  inode.content = stage::Content(std::move(bytes));
  tree.add(path, std::move(inode), stage::Existing::keep, stage::ParentSymlinks::follow, true);
}

// Name the package file as the pool does, not the cache entry (a digest).
std::string file_name_for_messages(const PackageFile& file)
{
  const std::string& pool_name = file.package->filename;
  return pool_name.empty() ? file.file.filename().string()
                           : pool_name.substr(pool_name.rfind('/') + 1);
}

} // namespace

InstallReport install(const std::vector<PackageFile>& packages, const InstallOptions& options,
                      stage::Tree& tree)
{
  if (options.architecture.empty())
    throw Error("no native architecture given for the dpkg database", "install options",
                "set the recipe's architecture (amd64, arm64, …)");
  InstallReport report;
  if (options.merged_usr)
    add_merged_usr_links(options.architecture, options.epoch, tree);

  Unpacker unpacker(tree, options.epoch);
  std::vector<InstalledPackage> installed;
  installed.reserve(packages.size());
  // Decompressing data.tar needs nothing from the tree: the next packages are read on the
  // other cores while this one is unpacked.
  DecodedCache spill_only({});
  DecodedCache& decoded = options.decoded_cache ? *options.decoded_cache : spill_only;
  const auto decode = [&](const PackageFile& file) {
    // Without a verified digest there is no key; the data still goes to a spill file.
    DecodedCache& cache = file.sha256.empty() ? spill_only : decoded;
    return read_deb_file(file.file, file_name_for_messages(file), file.sha256, cache);
  };
  decode_ahead(packages, decode, [&](const PackageFile& file, DebArchive&& archive) {
    const std::string where = file_name_for_messages(file);
    const std::string name = archive.control.value("Package");
    if (name != file.package->name)
      throw Error("the .deb says it is " + quote(name) + ", the index says " +
                      quote(file.package->name),
                  where, "the mirror serves a different file under this name; fetch it again");
    UnpackedPackage unpacked = unpacker.unpack(*file.package, std::move(archive), where);
    // Conffile digests are those of the shipped files, taken before any script edits them.
    auto conffiles = conffile_digests(unpacked, tree);
    installed.push_back({std::move(unpacked), std::move(conffiles)});
  });

  DpkgState state;
  // libc-bin's postinst and its "ldconfig" trigger run ldconfig once everything is
  // configured; the scripts' reports say so only when the cache is really written.
  const bool ld_so_cache = ldconfig_applies(tree, options.architecture);
  report.scripts = reproduce_script_effects(installed, tree, options.epoch, state,
                                            report.warnings, ld_so_cache);

  for (const auto& [path, bytes] : options.extra_files) {
    stage::Inode inode;
    inode.mode = 0644;
    inode.mtime = options.epoch;
    inode.content = stage::Content(bytes);
    tree.add(stage::Tree::normalise(path), std::move(inode), stage::Existing::replace,
             stage::ParentSymlinks::follow, true);
  }
  // What debootstrap writes itself; systemd wants machine-id present but empty so the
  // first boot generates one (mmdebstrap empties it for the same reason).
  add_file_if_absent(tree, "etc/fstab", "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n", options.epoch);
  if (tree.find("usr/lib/systemd/systemd", stage::ParentSymlinks::follow))
    add_file_if_absent(tree, "etc/machine-id", "", options.epoch);

  if (ld_so_cache)
    for (const std::string& left_out :
         run_ldconfig(tree, options.architecture, options.epoch).left_out)
      report.warnings.push_back("ldconfig: " + left_out);

  write_dpkg_database(installed, state, options.architecture, options.epoch, tree);
  return report;
}

} // namespace compose::unpack::deb
