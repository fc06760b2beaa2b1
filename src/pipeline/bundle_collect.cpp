// Collecting locked builds into a bundle; see bundle_collect.hpp.
#include "pipeline/bundle_collect.hpp"

#include <algorithm>
#include <map>

#include "bundle/bundle_archive.hpp"
#include "pipeline/key_lookup.hpp"
#include "repo/apk/index.hpp"
#include "unpack/apk_install.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"
#include "verify/openpgp_keys.hpp"
#include "verify/openpgp_sign.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

fs::path normal(const fs::path& path)
{
  return fs::absolute(path).lexically_normal();
}

// The deepest directory holding every file, so relative layouts (fragments in ../fragments,
// files/ beside the recipe) survive in the bundle.
fs::path common_directory(const std::vector<fs::path>& files)
{
  fs::path common = files.front().parent_path();
  for (const fs::path& file : files) {
    while (!common.empty() && common != common.root_path()) {
      const auto [end, rest] = std::mismatch(common.begin(), common.end(), file.begin(), file.end());
      if (end == common.end())
        break;
      common = common.parent_path();
    }
  }
  return common;
}

std::string bundle_path(const fs::path& root, const fs::path& file)
{
  return "recipes/" + file.lexically_relative(root).generic_string();
}

// Every local file of a recipe: the recipe, its fragments, the files it copies in, its lock.
std::vector<std::pair<fs::path, std::string>> recipe_files(const BundleInput& input)
{
  std::vector<std::pair<fs::path, std::string>> files;
  files.emplace_back(normal(input.recipe.file), "recipe");
  for (const fs::path& fragment : input.recipe.fragments)
    files.emplace_back(normal(fragment), "recipe-file");
  for (const recipe::FileSpec& file : input.recipe.overlays.files)
    if (file.kind == recipe::FileSpec::Kind::source)
      files.emplace_back(normal(file.source), "recipe-file");
  files.emplace_back(normal(input.lock_file), "lock");
  return files;
}

struct Download {
  fetch::Request request;
  std::string kind;
};

fetch::Request pinned_request(const std::string& url, const std::string& sha256,
                              std::uint64_t size, fetch::Kind kind)
{
  fetch::Request request;
  request.urls = {url};
  request.kind = kind;
  request.sha256 = sha256;
  if (size != 0)
    request.size = size;
  request.display_name = url.substr(url.rfind('/') + 1);
  return request;
}

// What the lock says to fetch, each request checked as the lock pins it: indexes and files
// by SHA-256, Debian packages by size and SHA-256, Alpine packages against their index
// record (size, C:, datahash) as a build checks them.
std::vector<Download> downloads_of(const lock::LockFile& lock)
{
  std::vector<Download> downloads;
  for (const lock::LockedRepository& repository : lock.repositories) {
    downloads.push_back({pinned_request(repository.index.url, repository.index.sha256,
                                        repository.index.size, fetch::Kind::index),
                         "index"});
    if (!repository.signature.url.empty())
      downloads.push_back({pinned_request(repository.signature.url, repository.signature.sha256,
                                          repository.signature.size, fetch::Kind::signature),
                           "index-signature"});
    if (!repository.packages.url.empty())
      downloads.push_back({pinned_request(repository.packages.url, repository.packages.sha256,
                                          repository.packages.size, fetch::Kind::packages_index),
                           "packages-index"});
  }
  for (std::size_t i = 0; i < lock.packages.size(); ++i) {
    const lock::LockedPackage& package = lock.packages[i];
    const auto sha256 = package.digests.find("sha256");
    fetch::Request request =
        pinned_request(package.url, sha256 != package.digests.end() ? sha256->second : "",
                       package.size, fetch::Kind::package);
    if (package.digests.contains("apk-identity")) {
      // Alpine: the index record pins the package (and the lock's sha256, when an older lock
      // lacks it, is no pin); parse it once and check the download with it.
      if (sha256 == package.digests.end())
        request.sha256.reset();
      const std::string where = "lock: packages[" + std::to_string(i) + "] (" + package.name + ")";
      const std::vector<repo::apk::Package> records =
          repo::apk::parse_index_text(package.record, where, package.repository);
      if (records.size() != 1)
        throw Error("the record holds " + std::to_string(records.size()) +
                        " packages, expected exactly one",
                    where);
      request.cache_key = "apk:" + records.front().checksum;
      request.validate = [record = records.front()](const fs::path& file) {
        unpack::apk::check_package_file(file, record);
      };
    }
    downloads.push_back({std::move(request), "package"});
  }
  for (const lock::LockedFile& file : lock.files)
    downloads.push_back({pinned_request(file.url, file.sha256, 0, fetch::Kind::file), "file"});
  return downloads;
}

// The key files the lock names, found and checked the way a build finds them.
std::map<std::string, std::string> key_files(const BundleInput& input, const BuildOptions& options,
                                             fetch::Fetcher& fetcher)
{
  const verify::TrustConfig trust = verify::load_trust_config(input.trust_dir);
  std::vector<std::string> apk_names, openpgp_names;
  for (const lock::LockedKey& key : input.lock.keys)
    (key.kind == "apk-rsa" ? apk_names : openpgp_names).push_back(key.name);
  BuildOptions with_trust = options;
  with_trust.trust_dir = input.trust_dir;
  std::map<std::string, std::string> files;
  if (!apk_names.empty()) {
    const verify::Keyring keyring =
        verify::load_apk_keyring(trust, apk_names, key_lookup(with_trust, fetcher, false));
    for (const std::string& name : apk_names)
      files[name] = keyring.find(name)->pem;
  }
  if (!openpgp_names.empty()) {
    const verify::OpenPgpTrust keys =
        verify::load_openpgp_keys(trust, openpgp_names, key_lookup(with_trust, fetcher, true));
    for (const auto& [name, bytes] : keys.files)
      files[name] = bytes;
  }
  for (const lock::LockedKey& key : input.lock.keys) {
    const auto found = files.find(key.name);
    if (found == files.end())
      throw Error("key " + quote(key.name) + " of the lock was not found", input.lock_file.string());
    if (!key.sha256.empty() && sha256_hex(found->second) != key.sha256)
      throw Error("key " + quote(key.name) + " has SHA-256 " + sha256_hex(found->second) +
                      ", the lock pins " + key.sha256,
                  input.lock_file.string(),
                  "the key changed since locking; lock the recipe again with `compose lock`");
  }
  return files;
}

} // namespace

std::string write_bundle(const std::vector<BundleInput>& inputs, const BuildOptions& options,
                         const fs::path& destination, const BundleSigning& signing)
{
  Log& log = *options.log;
  if (inputs.empty())
    throw Error("no recipes to bundle");
  fetch::Fetcher fetcher(options.fetch);
  bundle::BundleWriter writer(destination);

  std::vector<fs::path> local_files;
  for (const BundleInput& input : inputs)
    for (const auto& [file, kind] : recipe_files(input))
      local_files.push_back(file);
  const fs::path root = common_directory(local_files);

  for (const BundleInput& input : inputs) {
    for (const auto& [file, kind] : recipe_files(input))
      writer.add_file(bundle_path(root, file), kind, file);
    writer.add_recipe({input.recipe.name, bundle_path(root, normal(input.recipe.file)),
                       bundle_path(root, normal(input.lock_file))});

    // The trust configuration goes in whole: a bundle build checks keys against it.
    std::vector<fs::path> trust_files;
    for (const auto& entry : fs::directory_iterator(input.trust_dir))
      if (entry.path().extension() == ".toml")
        trust_files.push_back(entry.path());
    std::sort(trust_files.begin(), trust_files.end());
    for (const fs::path& file : trust_files)
      writer.add_file("trust/" + file.filename().string(), "trust", file);
    for (const auto& [name, bytes] : key_files(input, options, fetcher))
      writer.add_bytes("keys/" + name, "key", bytes);

    const std::vector<Download> downloads = downloads_of(input.lock);
    std::vector<fetch::Request> requests;
    for (const Download& download : downloads)
      requests.push_back(download.request);
    log.step("fetch " + std::to_string(requests.size()) + " locked file(s) of " +
             input.recipe.name);
    std::vector<fetch::Fetched> fetched;
    try {
      fetched = fetcher.fetch_all(requests);
    } catch (Error& e) {
      e.with_hint("the mirror no longer serves what " + input.lock_file.string() +
                  " pins; bundle from a mirror that does, or lock again");
      throw;
    }
    for (std::size_t i = 0; i < downloads.size(); ++i) {
      const std::string& url = downloads[i].request.urls.front();
      writer.add_file(bundle::mirror_path_for_url(url), downloads[i].kind, fetched[i].path, url);
    }
  }
  if (!signing.secret_key.empty())
    writer.sign_with([&](const std::string& manifest_text) {
      const verify::DetachedSignature signature =
          verify::sign_detached(manifest_text, signing.secret_key, signing.passphrase_file);
      log.step("sign the manifest with " + signature.signer);
      return signature.armored;
    });
  const bundle::Manifest manifest = writer.manifest();
  log.step("write " + destination.string() + " (" + std::to_string(manifest.members.size()) +
           " members, " + std::to_string(manifest.recipes.size()) + " recipe(s))");
  return writer.commit();
}

} // namespace compose::pipeline
