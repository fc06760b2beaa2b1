// Debian/Ubuntu: sources -> plan -> fetched .debs -> Tree; see debian_system.hpp.
#include "pipeline/debian_system.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "pipeline/apt_extended_states.hpp"
#include "pipeline/debian_lock.hpp"
#include "pipeline/lock_check.hpp"
#include "pipeline/debian_plan.hpp"
#include "pipeline/debian_sources.hpp"
#include "repo/deb/copyright_file.hpp"
#include "unpack/deb_install.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

namespace {

std::string package_url(const AptIndex& index, const repo::deb::Package& package)
{
  return index.base_url + "/" + package.filename;
}

std::vector<fetch::Request> package_requests(const DebianSources& sources,
                                             const resolve::deb::Plan& plan)
{
  std::vector<fetch::Request> requests;
  for (const repo::deb::Package* package : plan.packages) {
    fetch::Request request;
    request.urls = {package_url(sources.indexes.at(package->index), *package)};
    // The Packages record pins the whole file: a short, altered or substituted download
    // never enters the cache.
    request.sha256 = package->sha256;
    request.size = package->size;
    request.kind = fetch::Kind::package;
    request.display_name = package->filename.substr(package->filename.rfind('/') + 1);
    requests.push_back(std::move(request));
  }
  return requests;
}

// apt inside the image sees the repositories the image was built from, each with the key
// that verified it (Signed-By), in deb822 form. One stanza per repository and suite.
std::vector<std::pair<std::string, std::string>> apt_configuration(const recipe::Recipe& recipe,
                                                                   const DebianSources& sources)
{
  std::vector<std::pair<std::string, std::string>> files;
  std::string list;
  std::set<std::string> written_keys;
  for (std::size_t r = 0; r < recipe.repositories.size(); ++r) {
    const recipe::RepositorySpec& spec = recipe.repositories[r];
    std::string signed_by;
    for (const auto& [name, bytes] : sources.key_files.at(r)) {
      const std::string path = "etc/apt/keyrings/" + name;
      signed_by += (signed_by.empty() ? "" : " ") + ("/" + path);
      if (written_keys.insert(name).second)
        files.emplace_back(path, bytes);
    }
    std::string url = spec.url;
    while (url.ends_with('/'))
      url.pop_back();
    for (const std::string& suite : spec.suites) {
      list += list.empty() ? "" : "\n";
      list += "Types: deb\nURIs: " + url + "\nSuites: " + suite + "\nComponents:";
      for (const std::string& component : spec.components)
        list += " " + component;
      list += "\nSigned-By: " + signed_by + "\n";
    }
  }
  files.emplace_back("etc/apt/sources.list.d/compose.sources", list);
  return files;
}

// The installed packages that satisfy a package's Pre-Depends and Depends, for the SBOMs'
// dependency edges: in each group the first alternative that an installed package is
// named after or provides (architecture qualifiers aside), as apt would have chosen.
std::vector<std::string> installed_dependencies(const repo::deb::Package& package,
                                                const resolve::deb::Plan& plan)
{
  const auto satisfies = [](const repo::deb::Package& candidate, const std::string& name) {
    return candidate.name == name ||
           std::any_of(candidate.provides.begin(), candidate.provides.end(),
                       [&](const repo::deb::Relation& provided) { return provided.name == name; });
  };
  std::set<std::string> names;
  for (const auto* groups : {&package.pre_depends, &package.depends})
    for (const repo::deb::RelationGroup& group : *groups)
      for (const repo::deb::Relation& alternative : group) {
        const auto found = std::find_if(plan.packages.begin(), plan.packages.end(),
                                        [&](const repo::deb::Package* candidate) {
                                          return satisfies(*candidate, alternative.name);
                                        });
        if (found == plan.packages.end())
          continue;
        if ((*found)->name != package.name)
          names.insert((*found)->name);
        break;
      }
  return {names.begin(), names.end()};
}

// Packages indexes carry no license; the package's machine-readable copyright file in the
// image may (the doc directory can be a symlink to a sibling package's).
std::string declared_license(const stage::Tree& tree, const std::string& package)
{
  const std::string path = "usr/share/doc/" + package + "/copyright";
  std::shared_ptr<stage::Inode> file;
  try {
    file = tree.resolve(path);
  } catch (const Error&) {
    return {}; // a symlink loop or escape: no license to read
  }
  if (!file || file->type != stage::FileType::regular)
    return {};
  return repo::deb::declared_license(file->content.read(), path).value_or("");
}

// "openssh-server postinst not reproduced: deb-systemd-helper enable ssh.service": what the
// script would have done that the image lacks (its report's "left out" part).
std::string script_warning(const unpack::deb::ScriptReport& script)
{
  std::string left_out = script.detail;
  if (left_out.starts_with("left out: "))
    left_out.erase(0, std::string("left out: ").size());
  if (const std::size_t done = left_out.find("; done: "); done != std::string::npos)
    left_out.resize(done);
  return script.package + " " + script.script + " not reproduced: " + left_out;
}

} // namespace

StagedSystem stage_debian_system(const recipe::Recipe& recipe, const DebianSources& sources,
                                 const resolve::deb::Plan& plan, std::int64_t epoch,
                                 fetch::Fetcher& fetcher, Log& log)
{
  log.step("fetch " + std::to_string(plan.packages.size()) + " packages");
  const std::vector<fetch::Fetched> files = fetcher.fetch_all(package_requests(sources, plan));

  std::vector<unpack::deb::PackageFile> package_files;
  for (std::size_t i = 0; i < plan.packages.size(); ++i)
    package_files.push_back({plan.packages[i], files[i].path, files[i].sha256});
  unpack::deb::InstallOptions install;
  install.architecture = recipe.architecture;
  install.epoch = epoch;
  install.merged_usr = recipe.merged_usr;
  unpack::DecodedCache decoded(fetcher.options().cache_dir / "decoded", log);
  install.decoded_cache = &decoded;
  install.extra_files = apt_configuration(recipe, sources);
  std::map<std::string, std::vector<std::string>> dependencies;
  for (const repo::deb::Package* package : plan.packages)
    dependencies[package->name] = installed_dependencies(*package, plan);
  install.extra_files.emplace_back("var/lib/apt/extended_states",
                                   apt_extended_states(plan, dependencies, recipe.architecture));

  StagedSystem system;
  system.epoch = epoch;
  log.step("install " + std::to_string(package_files.size()) + " packages");
  const unpack::deb::InstallReport report = unpack::deb::install(package_files, install, system.tree);
  log.detail(decoded.summary());

  for (const std::string& override_used : sources.overrides) {
    log.warning(override_used);
    system.overrides.push_back(override_used);
  }
  // Printed while the indexes were read.
  system.warnings = sources.warnings;
  for (const std::string& warning : report.warnings) {
    log.warning(warning);
    system.warnings.push_back(warning);
  }
  for (const unpack::deb::ScriptReport& script : report.scripts) {
    system.scripts.push_back({script.package, script.script, script.status, script.detail});
    // Every effect left out is said aloud, as on the Alpine path, not only in the report.
    if (script.status == "not reproduced") {
      const std::string warning = script_warning(script);
      log.warning(warning);
      system.warnings.push_back(warning);
    }
  }
  for (const AptIndex& index : sources.indexes)
    system.repositories.push_back(
        {index.packages_url, index.packages_sha256, index.signed_by,
         index.description() + " (" + index.release_url + " sha256:" + index.release_sha256 +
             ")",
         index.packages_path, index.packages_missing});
  system.keys = sources.keys;
  system.world = plan.world;

  for (std::size_t i = 0; i < plan.packages.size(); ++i) {
    const repo::deb::Package& package = *plan.packages[i];
    const AptIndex& index = sources.indexes.at(package.index);
    InstalledPackage installed;
    installed.name = package.name;
    installed.version = package.version;
    installed.architecture = package.architecture;
    installed.license = declared_license(system.tree, package.name);
    // Source may carry its own version: "openssh (1:9.2p1-2)".
    installed.origin = package.source.empty() ? package.name
                                              : package.source.substr(0, package.source.find(' '));
    installed.homepage = package.homepage;
    installed.supplier = package.maintainer;
    installed.description = package.description;
    installed.repository = index.packages_url;
    installed.download_url = package_url(index, package);
    installed.size = files[i].size;
    installed.sha256 = files[i].sha256;
    for (const auto* groups : {&package.pre_depends, &package.depends})
      for (const repo::deb::RelationGroup& group : *groups) {
        std::string text;
        for (const repo::deb::Relation& alternative : group)
          text += (text.empty() ? "" : " | ") + alternative.text();
        installed.depends.push_back(text);
      }
    installed.depends_on = dependencies.at(package.name);
    installed.reason = i < plan.reasons.size() ? plan.reasons[i] : std::string();
    system.packages.push_back(std::move(installed));
  }
  return system;
}

std::int64_t debian_default_epoch(const DebianSources& sources)
{
  std::int64_t newest = 0;
  for (const AptIndex& index : sources.indexes)
    newest = std::max(newest, index.release_date);
  return newest;
}

StagedSystem build_debian_system(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher)
{
  Log& log = *options.log;
  if (options.lock) {
    const LockedDebian locked = debian_from_lock(recipe, *options.lock, options, fetcher);
    try {
      return stage_debian_system(recipe, locked.sources, locked.plan, options.lock->epoch,
                                 fetcher, log);
    } catch (const Error& e) {
      throw locked_fetch_error(e);
    }
  }
  const DebianSources sources = load_debian_sources(recipe, options, fetcher);
  log.step("resolve " + std::to_string(recipe.packages.size()) + " requested packages (base " +
           recipe.base + ")");
  const resolve::deb::Plan plan = resolve_debian(recipe, sources);
  return stage_debian_system(recipe, sources, plan,
                             options.epoch.value_or(debian_default_epoch(sources)), fetcher, log);
}

} // namespace compose::pipeline
