// Alpine: plan -> fetched, verified .apk files -> Tree; see alpine_system.hpp.
#include "pipeline/alpine_system.hpp"

#include <algorithm>
#include <set>

#include "pipeline/alpine_lock.hpp"
#include "pipeline/lock_check.hpp"
#include "unpack/apk_install.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

namespace {

std::vector<fetch::Request> package_requests(const AlpineSources& sources,
                                             const resolve::apk::Plan& plan,
                                             const std::vector<std::string>& sha256,
                                             const unpack::apk::SignaturePolicy& signature)
{
  std::vector<fetch::Request> requests;
  for (std::size_t i = 0; i < plan.packages.size(); ++i) {
    const repo::apk::Package& package = plan.packages[i];
    const repo::apk::Repository& origin = sources.indexes.at(package.repository).repository;
    fetch::Request request;
    request.urls = {origin.package_url(package)};
    request.cache_key = "apk:" + package.checksum;
    if (i < sha256.size() && !sha256[i].empty())
      request.sha256 = sha256[i];
    request.size = package.size;
    request.kind = fetch::Kind::package;
    request.display_name = package.file_name();
    // A download that does not match its signed index record never enters the cache.
    request.validate = [&package, signature](const std::filesystem::path& file) {
      unpack::apk::check_package_file(file, package, signature);
    };
    requests.push_back(std::move(request));
  }
  return requests;
}

// The installed packages that satisfy a package's D: entries, for the SBOMs' dependency
// edges. An entry names a package or something packages provide (so:, cmd:, pc:, a virtual
// name); a package of that name wins over a provider, then plan order decides.
std::vector<std::string> installed_dependencies(const repo::apk::Package& package,
                                                const resolve::apk::Plan& plan)
{
  const auto provides = [](const repo::apk::Package& candidate, const std::string& name) {
    const auto named = [&](const repo::apk::Dependency& provided) { return provided.name == name; };
    return std::any_of(candidate.provides.begin(), candidate.provides.end(), named);
  };
  std::set<std::string> names;
  for (const repo::apk::Dependency& dependency : package.depends) {
    if (dependency.conflict)
      continue;
    const auto by_name = [&](const repo::apk::Package& candidate) {
      return candidate.name == dependency.name;
    };
    auto found = std::find_if(plan.packages.begin(), plan.packages.end(), by_name);
    if (found == plan.packages.end())
      found = std::find_if(plan.packages.begin(), plan.packages.end(),
                           [&](const repo::apk::Package& candidate) {
                             return provides(candidate, dependency.name);
                           });
    if (found != plan.packages.end() && found->name != package.name)
      names.insert(found->name);
  }
  return {names.begin(), names.end()};
}

} // namespace

std::vector<fetch::Fetched> fetch_alpine_packages(const AlpineSources& sources,
                                                  const resolve::apk::Plan& plan,
                                                  const std::vector<std::string>& sha256,
                                                  bool signed_packages, fetch::Fetcher& fetcher,
                                                  Log& log)
{
  log.step("fetch " + std::to_string(plan.packages.size()) + " packages");
  return fetcher.fetch_all(
      package_requests(sources, plan, sha256, {&sources.keys, signed_packages}));
}

StagedSystem stage_alpine_system(const recipe::Recipe& recipe, const AlpineSources& sources,
                                 const resolve::apk::Plan& plan,
                                 const std::vector<fetch::Fetched>& files, std::int64_t epoch,
                                 bool signed_packages, const std::filesystem::path& cache_dir,
                                 Log& log)
{
  std::vector<unpack::apk::PackageFile> package_files;
  for (std::size_t i = 0; i < plan.packages.size(); ++i) {
    const repo::apk::Package& package = plan.packages[i];
    package_files.push_back(
        {&package, &sources.indexes.at(package.repository).repository, files[i].path});
  }

  unpack::apk::InstallOptions install;
  install.world = plan.world;
  install.architecture = recipe.architecture;
  install.epoch = epoch;
  install.signature = {&sources.keys, signed_packages};
  unpack::DecodedCache decoded(cache_dir / "decoded", log);
  install.decoded_cache = &decoded;
  for (const repo::apk::Index& index : sources.indexes)
    install.repositories.push_back(
        (index.repository.tag.empty() ? "" : "@" + index.repository.tag + " ") +
        index.repository.base_url);
  for (const std::string& name : sources.keys.names())
    install.keys.emplace_back(name, sources.keys.find(name)->pem);

  StagedSystem system;
  system.epoch = epoch;
  log.step("install " + std::to_string(package_files.size()) + " packages");
  const unpack::apk::InstallReport report = unpack::apk::install(package_files, install, system.tree);
  log.detail(decoded.summary());

  for (const unpack::apk::ScriptReport& script : report.scripts)
    system.scripts.push_back({script.package, script.script, script.status, script.detail});
  for (const std::string& warning : report.warnings) {
    log.warning(warning);
    system.warnings.push_back(warning);
  }
  for (const repo::apk::Index& index : sources.indexes)
    for (const std::string& problem : index.problems)
      system.warnings.push_back(index.repository.index_url() + ": " + problem);
  for (const repo::apk::Index& index : sources.indexes)
    system.repositories.push_back({index.repository.index_url(), index.repository.index_sha256,
                                   index.repository.signed_by, index.repository.description});
  system.keys = sources.keys.names();
  system.world = plan.world;

  for (std::size_t i = 0; i < plan.packages.size(); ++i) {
    const repo::apk::Package& package = plan.packages[i];
    const repo::apk::Repository& origin = sources.indexes.at(package.repository).repository;
    InstalledPackage installed;
    installed.name = package.name;
    installed.version = package.version;
    installed.architecture = package.arch;
    installed.license = package.license;
    installed.origin = package.origin;
    installed.homepage = package.url;
    installed.supplier = package.maintainer;
    installed.description = package.description;
    installed.repository = origin.index_url();
    installed.download_url = origin.package_url(package);
    installed.size = files[i].size;
    installed.sha256 = files[i].sha256;
    installed.checksums["apk-identity"] = package.checksum;
    for (const repo::apk::Dependency& dependency : package.depends)
      installed.depends.push_back(dependency.text());
    installed.depends_on = installed_dependencies(package, plan);
    installed.reason = i < plan.reasons.size() ? plan.reasons[i] : std::string();
    system.packages.push_back(std::move(installed));
  }
  return system;
}

StagedSystem build_alpine_system(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher)
{
  Log& log = *options.log;
  if (options.lock) {
    // Old material judged again: every package must carry a good signature of its own.
    const LockedAlpine locked = alpine_from_lock(recipe, *options.lock, options, fetcher);
    try {
      const std::vector<fetch::Fetched> files =
          fetch_alpine_packages(locked.sources, locked.plan, locked.sha256, true, fetcher, log);
      return stage_alpine_system(recipe, locked.sources, locked.plan, files, options.lock->epoch,
                                 true, fetcher.options().cache_dir, log);
    } catch (const Error& e) {
      throw locked_fetch_error(e);
    }
  }
  const AlpineSources sources = load_alpine_sources(recipe, options, fetcher);
  log.step("resolve " + std::to_string(recipe.packages.size()) + " requested packages");
  const resolve::apk::Plan plan = resolve::apk::solve(recipe.packages, sources.indexes);
  const std::vector<fetch::Fetched> files =
      fetch_alpine_packages(sources, plan, {}, false, fetcher, log);
  return stage_alpine_system(recipe, sources, plan, files,
                             options.epoch.value_or(alpine_default_epoch(plan)), false,
                             fetcher.options().cache_dir, log);
}

std::int64_t alpine_default_epoch(const resolve::apk::Plan& plan)
{
  std::int64_t newest = 0;
  for (const repo::apk::Package& package : plan.packages)
    newest = std::max(newest, package.build_time);
  return newest;
}

} // namespace compose::pipeline
