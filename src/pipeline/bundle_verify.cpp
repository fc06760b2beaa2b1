// Checking an unpacked bundle against its locks, keys and signatures; see bundle_verify.hpp.
#include "pipeline/bundle_verify.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "pipeline/lock_check.hpp"
#include "pipeline/locked_records.hpp"
#include "repo/apk/index.hpp"
#include "repo/deb/packages_index.hpp"
#include "repo/deb/release_file.hpp"
#include "unpack/apk_install.hpp"
#include "util/decompress.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"
#include "verify/keyring.hpp"
#include "verify/openpgp.hpp"
#include "verify/openpgp_keys.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

const std::string k_hint =
    "the bundle was tampered with or its lock was edited; write it again with `compose bundle`";

std::string named(const bundle::Member& member)
{
  return "bundle member " + quote(member.path) + " (" + member.kind + ")";
}

// One bundled recipe's checks, with what they have verified so far.
class RecipeCheck {
public:
  RecipeCheck(const fs::path& directory, const bundle::Manifest& manifest,
              const bundle::BundledRecipe& entry, const fs::path& trust_dir,
              std::set<std::string>& used, BundleSummary& summary)
      : m_directory(directory), m_manifest(manifest), m_entry(entry), m_trust_dir(trust_dir),
        m_used(used), m_summary(summary)
  {
  }

  void run(Log& log)
  {
    const bundle::Member& lock_member = member_at(m_entry.lock);
    try {
      m_lock = lock::parse_lock(read_file(m_directory / lock_member.path), lock_member.path);
      const recipe::Recipe recipe = load_bundled_recipe(m_directory / m_entry.recipe, m_lock);
      check_lock(recipe, m_lock, lock_member.path);
    } catch (Error& e) {
      e.at(named(lock_member));
      throw;
    }
    log.detail(m_entry.name + ": recipe and fragments are what " + lock_member.path + " locked");
    m_used.insert(m_entry.recipe);
    m_used.insert(m_entry.lock);

    load_keys();
    for (std::size_t i = 0; i < m_lock.repositories.size(); ++i) {
      if (!m_lock.repositories[i].branch.empty())
        check_apk_repository(i);
      else
        check_apt_repository(i);
      ++m_summary.indexes;
    }
    for (const lock::LockedFile& file : m_lock.files) {
      const bundle::Member& member = download(file.url, "file");
      if (member.sha256 != file.sha256)
        fail(member, "sha256 is " + member.sha256 + ", the lock pins " + file.sha256 + " for " +
                         file.path);
      ++m_summary.files;
    }
    ++m_summary.recipes;
  }

private:
  const bundle::Member& member_at(const std::string& path) const
  {
    const bundle::Member* member = m_manifest.find(path);
    if (!member)
      throw Error("the bundle has no member " + quote(path), m_entry.lock, k_hint);
    return *member;
  }

  // The member holding a download the lock names, marked as used.
  const bundle::Member& download(const std::string& url, const std::string& kind)
  {
    const bundle::Member* member = m_manifest.find_url(url);
    if (!member)
      throw Error("the bundle lacks " + quote(url) + ", which " + m_entry.lock + " names", "",
                  k_hint);
    if (member->kind != kind)
      fail(*member, "is a " + member->kind + ", but the lock uses it as a " + kind);
    m_used.insert(member->path);
    return *member;
  }

  std::string read(const bundle::Member& member) const
  {
    return read_file(m_directory / member.path);
  }

  [[noreturn]] void fail(const bundle::Member& member, const std::string& problem) const
  {
    throw Error(named(member) + ": " + problem, "lock " + quote(m_entry.lock), k_hint);
  }

  // Key files from the bundle only, checked against the trust configuration's pins and
  // against the lock (same file digest, same fingerprints).
  void load_keys()
  {
    const verify::TrustConfig trust = verify::load_trust_config(m_trust_dir);
    verify::KeyLookup lookup;
    lookup.directories = {m_directory / "keys"};
    lookup.offline = true;
    std::vector<std::string> apk_names, openpgp_names;
    std::vector<lock::LockedKey> loaded;
    for (const lock::LockedKey& key : m_lock.keys) {
      const bundle::Member& member = member_at("keys/" + key.name);
      m_used.insert(member.path);
      (key.kind == "apk-rsa" ? apk_names : openpgp_names).push_back(key.name);
      lock::LockedKey found{key.name, key.kind, member.sha256, {}};
      if (const verify::TrustedKey* trusted = trust.find(key.name))
        found.fingerprints = trusted->fingerprints;
      loaded.push_back(std::move(found));
      ++m_summary.keys;
    }
    try {
      if (!apk_names.empty())
        m_apk_keys = verify::load_apk_keyring(trust, apk_names, lookup);
      if (!openpgp_names.empty())
        m_openpgp = verify::load_openpgp_keys(trust, openpgp_names, lookup);
      check_locked_keys(loaded, m_lock);
    } catch (Error& e) {
      e.at("the keys of " + quote(m_entry.lock));
      throw;
    }
  }

  // The signed record a locked package names; an error names this bundle's lock.
  template <typename Records>
  const auto& find_signed(const Records& records, const lock::LockedPackage& package,
                          const lock::LockedRepository& repository) const
  {
    try {
      return records.find(package, repository);
    } catch (Error& e) {
      throw Error(e.message(), "lock " + quote(m_entry.lock), k_hint);
    }
  }

  void check_pin(const bundle::Member& member, const lock::IndexFile& pinned) const
  {
    if (member.sha256 != pinned.sha256)
      fail(member, "sha256 is " + member.sha256 + ", the lock pins " + pinned.sha256);
  }

  void check_apk_repository(std::size_t position)
  {
    const lock::LockedRepository& locked = m_lock.repositories[position];
    const bundle::Member& member = download(locked.index.url, "index");
    repo::apk::Repository repository;
    repository.base_url = locked.url;
    repository.name = locked.repo;
    repository.arch = m_lock.recipe.architecture;
    repository.tag = locked.tag;
    repo::apk::Index index;
    try {
      index = repo::apk::load_index(read(member), repository, m_apk_keys, named(member));
    } catch (Error& e) {
      if (e.where().find(member.path) == std::string::npos)
        e.at(named(member));
      throw;
    }
    check_pin(member, locked.index); // signed, and the very index that was locked
    if (index.repository.signed_by != locked.signed_by)
      fail(member, "is signed by " + quote(index.repository.signed_by) + ", the lock says " +
                       quote(locked.signed_by));

    const SignedApkRecords signed_records(index, named(member));
    for (const lock::LockedPackage& package : m_lock.packages) {
      if (package.repository != position)
        continue;
      const bundle::Member& file = download(package.url, "package");
      const repo::apk::Package& record = find_signed(signed_records, package, locked);
      try {
        // A bundled package must carry its own good signature, as in a locked build.
        unpack::apk::check_package_file(m_directory / file.path, record, {&m_apk_keys, true});
      } catch (Error& e) {
        throw Error(named(file) + ": " + e.message(), e.where(), k_hint);
      }
      const auto sha256 = package.digests.find("sha256");
      if (sha256 != package.digests.end() && sha256->second != file.sha256)
        fail(file, "sha256 is " + file.sha256 + ", the lock pins " + sha256->second + " for " +
                       package.name + " " + package.version);
      ++m_summary.packages;
    }
  }

  void check_apt_repository(std::size_t position)
  {
    const lock::LockedRepository& locked = m_lock.repositories[position];
    const bundle::Member& release_member = download(locked.index.url, "index");
    verify::VerifiedText verified;
    try {
      if (locked.signature.url.empty()) {
        verified = verify::verify_cleartext(read(release_member), m_openpgp.keyring,
                                            m_openpgp.pinned, named(release_member));
      } else {
        const bundle::Member& signature = download(locked.signature.url, "index-signature");
        verified = verify::verify_detached(read(release_member), read(signature),
                                           m_openpgp.keyring, m_openpgp.pinned, named(signature));
      }
    } catch (Error& e) {
      if (e.where().find(release_member.path) == std::string::npos &&
          e.where().find("bundle member") == std::string::npos)
        e.at(named(release_member));
      throw;
    }
    check_pin(release_member, locked.index);
    if (!locked.signature.url.empty())
      check_pin(*m_manifest.find_url(locked.signature.url), locked.signature);
    if (verified.signed_by != locked.signed_by)
      fail(release_member, "is signed by " + verified.signed_by + ", the lock says " +
                               locked.signed_by);
    // Judged at the signature's time: an archive key that expired since still vouches for
    // what it signed then, and the user hears about it.
    const std::string expired = verify::key_expired_since(verified, std::time(nullptr));
    if (!expired.empty())
      m_summary.warnings.push_back(named(release_member) + ": " + expired +
                                   "; the signature was made while the key was valid");
    const repo::deb::Release release =
        repo::deb::parse_release(verified.text, named(release_member));
    const auto entry = std::find_if(release.files.begin(), release.files.end(),
                                    [&](const repo::deb::ReleaseEntry& e) {
                                      return e.path == locked.packages_path;
                                    });
    const bundle::Member& packages_member = download(locked.packages.url, "packages-index");
    if (entry == release.files.end())
      fail(release_member, "the signed Release does not list " + quote(locked.packages_path));
    if (entry->sha256 != packages_member.sha256 || entry->size != packages_member.size)
      fail(packages_member, "sha256 is " + packages_member.sha256 +
                                ", the signed Release lists " + entry->sha256 + " for " +
                                locked.packages_path);
    check_pin(packages_member, locked.packages);

    const std::string text =
        decompress(read(packages_member), compression_of(locked.packages_path, named(packages_member)),
                   named(packages_member));
    // Read as online: a stanza skipped there cannot be in the lock.
    const repo::deb::PackagesIndex index =
        repo::deb::read_packages_index(text, named(packages_member));
    const SignedDebRecords signed_records(index.packages, named(packages_member));
    for (const lock::LockedPackage& package : m_lock.packages) {
      if (package.repository != position)
        continue;
      const bundle::Member& file = download(package.url, "package");
      const repo::deb::Package& record = find_signed(signed_records, package, locked);
      if (file.sha256 != record.sha256 || file.size != record.size)
        fail(file, "sha256 is " + file.sha256 + " (" + std::to_string(file.size) +
                       " bytes), the signed index lists " + record.sha256 + " (" +
                       std::to_string(record.size) + " bytes)");
      ++m_summary.packages;
    }
  }

  const fs::path& m_directory;
  const bundle::Manifest& m_manifest;
  const bundle::BundledRecipe& m_entry;
  const fs::path& m_trust_dir;
  std::set<std::string>& m_used;
  BundleSummary& m_summary;
  lock::LockFile m_lock;
  verify::Keyring m_apk_keys;
  verify::OpenPgpTrust m_openpgp;
};

} // namespace

recipe::Recipe load_bundled_recipe(const fs::path& recipe_file, const lock::LockFile& lock,
                                   const recipe::BuildInputs& inputs)
{
  recipe::BuildInputs chosen = inputs;
  if (!chosen.version)
    chosen.version = lock.version;
  if (!chosen.point_release)
    chosen.point_release = lock.point_release;
  recipe::Recipe recipe = recipe::load_recipe(recipe_file, chosen);
  // Repositories expand in recipe order (Alpine: one per repo; apt: suite x component), the
  // order the lock lists them in.
  std::size_t position = 0;
  for (recipe::RepositorySpec& repository : recipe.repositories) {
    const std::size_t count = recipe.distribution == recipe::Distribution::alpine
                                  ? repository.repos.size()
                                  : repository.suites.size() * repository.components.size();
    if (repository.url == "host-apt" && position < lock.repositories.size())
      repository.url = lock.repositories[position].url;
    position += count;
  }
  return recipe;
}

BundleSummary verify_bundle(const fs::path& directory, const bundle::Manifest& manifest,
                            const fs::path& trust_dir, Log& log)
{
  const fs::path trust = trust_dir.empty() ? directory / "trust" : trust_dir;
  BundleSummary summary;
  std::set<std::string> used;
  for (const bundle::BundledRecipe& entry : manifest.recipes) {
    log.step("verify " + entry.name + " (" + entry.lock + ")");
    RecipeCheck(directory, manifest, entry, trust, used, summary).run(log);
  }
  // Everything a bundle carries must be accounted for: a download or key no lock names
  // has no business in it. Trust files and recipe-side files are read by path.
  for (const bundle::Member& member : manifest.members) {
    const bool by_path = member.kind == "trust" || member.kind == "recipe-file" ||
                         member.kind == "recipe" || member.kind == "lock";
    if (!by_path && !used.contains(member.path))
      throw Error(named(member) + ": no bundled lock names it", "", k_hint);
  }
  return summary;
}

} // namespace compose::pipeline
