// The apk solver: requests -> the exact package set -> install order. A fresh install as
// apk 2.14 would choose it: each needed name gets one provider, preferred in a fixed
// order; conflicts and install_if are honoured; failures explain their chain.
#include "resolve/plan.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <set>

#include "resolve/apk/provider_table.hpp"
#include "util/error.hpp"

namespace compose::resolve::apk {

using repo::apk::Dependency;
using repo::apk::Package;

namespace {

std::string package_id(const Package& package) { return package.name + "-" + package.version; }

// Candidate order for one dependency, best first:
//  1. the package whose own name is the dependency's name (a real package beats a provide),
//  2. the higher provided version,
//  3. the higher provider_priority (k:),
//  4. the higher version of the provider's own name,
//  5. the earlier repository in recipe order,
//  6. the earlier record in the index (apk keeps the first provider it read on a tie:
//     v3.17 lists dnsdist-luajit before dnsdist and apk.static picks it for cmd:dnsdist).
bool better(const Provider& a, const Provider& b)
{
  if (a.real != b.real)
    return a.real;
  if (!a.version.empty() && !b.version.empty()) {
    const int c = repo::apk::compare_versions(a.version, b.version);
    if (c != 0)
      return c > 0;
  }
  const int pa = a.package->provider_priority.value_or(0);
  const int pb = b.package->provider_priority.value_or(0);
  if (pa != pb)
    return pa > pb;
  if (a.package->name == b.package->name) {
    const int c = repo::apk::compare_versions(a.package->version, b.package->version);
    if (c != 0)
      return c > 0;
  }
  if (a.package->repository != b.package->repository)
    return a.package->repository < b.package->repository;
  if (a.package->position != b.package->position)
    return a.package->position < b.package->position;
  return a.package->name < b.package->name;
}

struct Need {
  Dependency dependency;
  std::string chain;             // "docker -> containerd"
  const Package* parent = nullptr;
};

class Solver {
public:
  Solver(const ProviderTable& table, std::set<std::string> requested,
         std::set<const Package*> unwanted_install_if)
      : m_table(table), m_requested(std::move(requested)),
        m_unwanted_install_if(std::move(unwanted_install_if))
  {
  }

  // A package chosen by install_if whose condition no longer holds in the final selection
  // (a "!name" token whose name was chosen later); apk would not have installed it.
  const Package* stale_install_if() const
  {
    for (const Package* package : m_by_install_if)
      if (!std::all_of(package->install_if.begin(), package->install_if.end(),
                       [&](const Dependency& token) { return holds(token); }))
        return package;
    return nullptr;
  }

  void require(const Dependency& request)
  {
    m_queue.push_back(Need{request, {}, nullptr});
    drain();
  }

  void apply_install_if(const std::vector<repo::apk::Index>& indexes)
  {
    for (bool added = true; added;) {
      added = false;
      std::map<std::string, const Package*> best; // per name, the best eligible package
      for (const repo::apk::Index& index : indexes)
        for (const Package& package : index.packages) {
          if (package.install_if.empty() || package.uninstallable ||
              m_selected.contains(package.name) || !tag_allows(package, {}) ||
              m_unwanted_install_if.contains(&package))
            continue;
          // apk 2.14 triggers install_if only once every name in it is decided; a name that
          // only a "!name" token mentions is decided after the package's own name, so such an
          // install_if never fires (apk.static leaves libcanberra-alsa, whose install_if is
          // "libcanberra alsa-lib !pulseaudio", out of every world).
          if (std::any_of(package.install_if.begin(), package.install_if.end(),
                          [](const Dependency& token) { return token.conflict; }))
            continue;
          if (!std::all_of(package.install_if.begin(), package.install_if.end(),
                           [&](const Dependency& token) { return holds(token); }))
            continue;
          const Package*& slot = best[package.name];
          if (!slot || repo::apk::compare_versions(package.version, slot->version) > 0 ||
              (package.version == slot->version && package.repository < slot->repository))
            slot = &package;
        }
      for (const auto& [name, package] : best) {
        if (conflicts_with_selection(*package))
          continue;
        std::string because;
        for (const Dependency& token : package->install_if)
          because += (because.empty() ? "" : " ") + token.text();
        select(*package, "install_if " + because, nullptr);
        m_by_install_if.push_back(package);
        added = true;
      }
      drain();
    }
  }

  void forbid(const Dependency& request) { m_forbidden.push_back(request); }

  // The needs that waited for a provider's own name: met now, or an error.
  void settle_waiting()
  {
    for (const Need& need : m_waiting) {
      if (const Package* existing = satisfied_by_selection(need.dependency)) {
        if (need.parent && existing != need.parent)
          m_edges[need.parent].insert(existing);
        continue;
      }
      fail(explain(need));
    }
    m_waiting.clear();
  }

  void check_conflicts() const
  {
    for (const Dependency& forbidden : m_forbidden) {
      Dependency positive = forbidden;
      positive.conflict = false;
      if (const Package* offender = satisfied_by_selection(positive))
        fail("conflict: the recipe forbids " + quote(forbidden.text()) + " but " +
             package_id(*offender) + " is needed (" + m_reasons.at(offender) + ")");
    }
    for (const Package* package : m_order) {
      for (const Dependency& dependency : package->depends) {
        if (!dependency.conflict)
          continue;
        Dependency positive = dependency;
        positive.conflict = false;
        for (const Provider& provider : m_table.providers(dependency.name))
          if (provider.package != package && chosen(*provider.package) &&
              ProviderTable::satisfies(provider, positive))
            fail("conflict: " + package_id(*package) + " (" + dependency.text() + ") and " +
                 package_id(*provider.package) + " (" + m_reasons.at(provider.package) + ")");
      }
    }
    // Two packages may not both provide one name with a version.
    std::map<std::string, std::vector<const Package*>> versioned;
    for (const Package* package : m_order) {
      versioned[package->name].push_back(package);
      for (const Dependency& provide : package->provides)
        if (!provide.version.empty() && provide.name != package->name)
          versioned[provide.name].push_back(package);
    }
    for (const auto& [name, packages] : versioned)
      if (packages.size() > 1)
        fail("conflict: " + package_id(*packages[0]) + " and " + package_id(*packages[1]) +
             " both provide " + quote(name));
  }

  std::vector<const Package*> install_order() const
  {
    std::vector<const Package*> roots = m_order;
    std::sort(roots.begin(), roots.end(),
              [](const Package* a, const Package* b) { return a->name < b->name; });
    std::vector<const Package*> order;
    std::set<const Package*> visited;
    std::function<void(const Package*)> visit = [&](const Package* package) {
      if (!visited.insert(package).second)
        return; // done, or on the current path: a cycle, broken here
      auto edges = m_edges.find(package);
      if (edges != m_edges.end()) {
        std::vector<const Package*> dependencies(edges->second.begin(), edges->second.end());
        std::sort(dependencies.begin(), dependencies.end(),
                  [](const Package* a, const Package* b) { return a->name < b->name; });
        for (const Package* dependency : dependencies)
          visit(dependency);
      }
      order.push_back(package);
    };
    for (const Package* root : roots)
      visit(root);
    return order;
  }

  const std::string& reason(const Package* package) const { return m_reasons.at(package); }
  const std::vector<std::string>& errors() const { return m_errors; }
  void record_error(std::string message) { m_errors.push_back(std::move(message)); }

private:
  [[noreturn]] static void fail(const std::string& message) { throw Error(message); }

  bool chosen(const Package& package) const
  {
    const auto found = m_selected.find(package.name);
    return found != m_selected.end() && found->second == &package;
  }

  bool tag_allows(const Package& package, const std::string& tag) const
  {
    const std::string& repository_tag = m_table.repository_of(package).tag;
    return repository_tag.empty() || repository_tag == tag;
  }

  const Package* satisfied_by_selection(const Dependency& dependency) const
  {
    for (const Provider& provider : m_table.providers(dependency.name))
      if (chosen(*provider.package) && ProviderTable::satisfies(provider, dependency))
        return provider.package;
    return nullptr;
  }

  bool holds(const Dependency& token) const
  {
    if (token.conflict) {
      Dependency positive = token;
      positive.conflict = false;
      return satisfied_by_selection(positive) == nullptr;
    }
    return satisfied_by_selection(token) != nullptr;
  }

  bool conflicts_with_selection(const Package& candidate) const
  {
    return conflicting_partner(candidate) != nullptr;
  }

  // The chosen package that conflicts with `candidate` (in either direction), if any.
  const Package* conflicting_partner(const Package& candidate) const
  {
    auto clashes = [&](const Package& owner, const Package& other) {
      for (const Dependency& dependency : owner.depends) {
        if (!dependency.conflict)
          continue;
        Dependency positive = dependency;
        positive.conflict = false;
        if (positive.name == other.name &&
            ProviderTable::satisfies(Provider{&other, other.version, true}, positive))
          return true;
        for (const Dependency& provide : other.provides)
          if (provide.name == positive.name &&
              ProviderTable::satisfies(Provider{&other, provide.version, false}, positive))
            return true;
      }
      return false;
    };
    for (const Package* selected : m_order)
      if (clashes(candidate, *selected) || clashes(*selected, candidate))
        return selected;
    return nullptr;
  }

  void select(const Package& package, const std::string& reason, const Package* parent)
  {
    m_selected[package.name] = &package;
    m_order.push_back(&package);
    m_reasons[&package] = reason;
    if (parent)
      m_edges[parent].insert(&package);
    for (const Dependency& dependency : package.depends)
      if (!dependency.conflict)
        m_queue.push_back(Need{dependency, reason, &package});
  }

  std::string explain(const Need& need) const
  {
    const Dependency& dependency = need.dependency;
    const std::string where = (need.chain.empty() ? "" : need.chain + " -> ") + dependency.text();
    const std::vector<Provider>& all = m_table.providers(dependency.name);
    if (all.empty())
      return where + ": no provider in " + m_table.repository_names();
    std::string available, excluded;
    for (const Provider& provider : all) {
      const Package& package = *provider.package;
      const std::string id = package_id(package);
      if (package.uninstallable)
        excluded += "; " + id + " is uninstallable (unknown index field)";
      else if (!tag_allows(package, dependency.tag))
        excluded += "; " + id + " is only in tagged repository @" +
                    m_table.repository_of(package).tag;
      else if (!ProviderTable::satisfies(provider, dependency))
        available += (available.empty() ? "" : ", ") +
                     (provider.real ? package.version
                                    : id + " provides " + dependency.name +
                                          (provider.version.empty() ? "" : "=" + provider.version)) +
                     " in " + m_table.repository_of(package).name;
      else if (!provider.real && provider.version.empty() && !package.provider_priority)
        excluded += "; " + id + " provides it without a version or provider_priority (request " +
                    package.name + " by name)";
      else if (m_selected.contains(package.name))
        excluded += "; " + package_id(*m_selected.at(package.name)) + " is already chosen";
      else if (const Package* partner = conflicting_partner(package))
        excluded += "; " + id + " conflicts with " + package_id(*partner) + " (" +
                    m_reasons.at(partner) + ")";
    }
    if (!available.empty())
      return where + ": no version satisfies (available: " + available + ")" + excluded;
    return where + ": no installable provider" + excluded;
  }

  void drain()
  {
    while (!m_queue.empty()) {
      const Need need = m_queue.front();
      m_queue.pop_front();
      const Dependency& dependency = need.dependency;
      if (const Package* existing = satisfied_by_selection(dependency)) {
        if (need.parent && existing != need.parent)
          m_edges[need.parent].insert(existing);
        continue;
      }
      std::vector<Provider> candidates;
      bool waits_for_name = false;
      for (const Provider& provider : m_table.providers(dependency.name)) {
        const Package& package = *provider.package;
        if (package.uninstallable || !tag_allows(package, dependency.tag) ||
            !ProviderTable::satisfies(provider, dependency))
          continue;
        // An unversioned provide is chosen automatically only with provider_priority, or
        // when something requires the providing package by its own name: the recipe, or
        // (later) another package; until then the need waits (apk 2.14's select_package:
        // grub's "/bin/sh" on v3.16 is busybox because mkinitfs depends on busybox, while
        // postgresql's alone fails even though busybox is its only provider).
        if (!provider.real && provider.version.empty() && !package.provider_priority &&
            !m_requested.contains(package.name)) {
          waits_for_name = true;
          continue;
        }
        if (m_selected.contains(package.name) || conflicts_with_selection(package))
          continue;
        candidates.push_back(provider);
      }
      if (candidates.empty() && waits_for_name) {
        m_waiting.push_back(need);
        continue;
      }
      if (candidates.empty())
        fail(explain(need));
      const Provider best = *std::min_element(candidates.begin(), candidates.end(), better);
      const std::string chain =
          need.chain.empty() ? best.package->name
                             : need.chain + " -> " + (dependency.name == best.package->name
                                                          ? best.package->name
                                                          : dependency.name + " (" +
                                                                best.package->name + ")");
      select(*best.package, chain, need.parent);
    }
  }

  const ProviderTable& m_table;
  std::set<std::string> m_requested;
  std::set<const Package*> m_unwanted_install_if;
  std::vector<const Package*> m_by_install_if; // chosen by their install_if, in that order
  std::deque<Need> m_queue;
  std::vector<Need> m_waiting; // unversioned provides not yet chosen through their own name
  std::map<std::string, const Package*> m_selected;
  std::vector<const Package*> m_order;
  std::map<const Package*, std::string> m_reasons;
  std::map<const Package*, std::set<const Package*>> m_edges;
  std::vector<std::string> m_errors;
  std::vector<Dependency> m_forbidden;
};

// The plan of a finished solve, or the Error that names every request it could not meet.
Plan finish_plan(const Solver& solver, const std::vector<Dependency>& parsed)
{
  Plan plan;
  for (const Dependency& request : parsed)
    plan.world.push_back(request.text());
  std::sort(plan.world.begin(), plan.world.end());
  plan.world.erase(std::unique(plan.world.begin(), plan.world.end()), plan.world.end());

  if (!solver.errors().empty()) {
    std::string text;
    for (const std::string& message : solver.errors())
      text += "\n  " + message;
    throw Error(solver.errors().size() == 1
                    ? "cannot satisfy the request: " + solver.errors().front()
                    : std::to_string(solver.errors().size()) +
                          " requests cannot be satisfied:" + text,
                "", "check the package names and versions with `compose show-packages`, or add "
                    "the repository that provides them");
  }
  for (const Package* package : solver.install_order()) {
    plan.packages.push_back(*package);
    plan.reasons.push_back(solver.reason(package));
  }
  return plan;
}


} // namespace

Plan solve(const std::vector<recipe::PackageSpec>& requests,
           const std::vector<repo::apk::Index>& indexes)
{
  std::vector<Dependency> parsed;
  std::set<std::string> requested_names;
  for (const recipe::PackageSpec& request : requests) {
    parsed.push_back(repo::apk::parse_dependency(request.name + request.constraint,
                                                 request.where.str()));
    requested_names.insert(parsed.back().name);
  }
  const ProviderTable table(indexes);
  // Solved again without an install_if package whose condition the final selection broke,
  // until none is left (each round rules one out, so this ends).
  std::set<const Package*> unwanted_install_if;
  for (;;) {
    Solver solver(table, requested_names, unwanted_install_if);
    for (const Dependency& request : parsed) {
      try {
        if (request.conflict)
          solver.forbid(request); // "!name" in the world only forbids; checked at the end
        else
          solver.require(request);
      } catch (const Error& e) {
        solver.record_error(e.message());
      }
    }
    if (solver.errors().empty()) {
      try {
        solver.apply_install_if(indexes);
        solver.settle_waiting();
        solver.check_conflicts();
      } catch (const Error& e) {
        solver.record_error(e.message());
      }
    }
    if (solver.errors().empty())
      if (const Package* stale = solver.stale_install_if())
        if (unwanted_install_if.insert(stale).second)
          continue;
    return finish_plan(solver, parsed);
  }
}

} // namespace compose::resolve::apk
