// The apt-style solver; see solver.hpp.
#include "resolve/deb/solver.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "repo/deb/version.hpp"
#include "util/error.hpp"

namespace compose::resolve::deb {

using repo::deb::Package;
using repo::deb::Relation;
using repo::deb::RelationGroup;

namespace {

int priority_rank(const std::string& priority)
{
  if (priority == "required")
    return 4;
  if (priority == "important")
    return 3;
  if (priority == "standard")
    return 2;
  if (priority == "optional")
    return 1;
  return 0;
}

std::string group_text(const RelationGroup& group)
{
  std::string text;
  for (const Relation& alternative : group)
    text += (text.empty() ? "" : " | ") + alternative.text();
  return text;
}

struct Version {
  const Package* package;
  int priority;
};

// Every installable version per name, and the providers of each virtual name.
class Universe {
public:
  Universe(const std::vector<Source>& sources, const std::string& architecture)
  {
    for (const Source& source : sources) {
      if (source.priority < 0)
        continue; // apt: a negative pin priority means never install
      for (const Package& package : *source.packages) {
        if (package.architecture != architecture && package.architecture != "all")
          continue;
        std::vector<Version>& versions = m_versions[package.name];
        auto same = std::find_if(versions.begin(), versions.end(), [&](const Version& v) {
          return v.package->version == package.version;
        });
        if (same == versions.end())
          versions.push_back({&package, source.priority});
        else
          same->priority = std::max(same->priority, source.priority);
      }
    }
    for (auto& [name, versions] : m_versions) {
      // apt's candidate: the highest pin priority, then the highest version.
      std::stable_sort(versions.begin(), versions.end(), [](const Version& a, const Version& b) {
        if (a.priority != b.priority)
          return a.priority > b.priority;
        return repo::deb::compare_versions(a.package->version, b.package->version) > 0;
      });
      const Package* candidate = versions.front().package;
      for (const Relation& provided : candidate->provides)
        m_providers[provided.name].push_back({candidate, &provided});
    }
  }

  const Package* candidate(const std::string& name) const
  {
    const auto found = m_versions.find(name);
    return found == m_versions.end() ? nullptr : found->second.front().package;
  }
  const std::vector<Version>* versions(const std::string& name) const
  {
    const auto found = m_versions.find(name);
    return found == m_versions.end() ? nullptr : &found->second;
  }
  struct Provider {
    const Package* package;
    const Relation* provides;
  };
  const std::vector<Provider>& providers(const std::string& name) const
  {
    static const std::vector<Provider> none;
    const auto found = m_providers.find(name);
    return found == m_providers.end() ? none : found->second;
  }
  template <typename Visit> void each_candidate(Visit visit) const
  {
    for (const auto& [name, versions] : m_versions)
      visit(*versions.front().package);
  }

private:
  std::map<std::string, std::vector<Version>> m_versions; // sorted by name
  std::map<std::string, std::vector<Provider>> m_providers;
};

// A versioned relation on a virtual name holds only through a versioned Provides.
bool provides_satisfies(const Relation& relation, const Relation& provided)
{
  if (relation.op.empty())
    return true;
  return !provided.version.empty() && repo::deb::version_satisfies(relation, provided.version);
}

class Solver {
public:
  Solver(const Universe& universe, const Options& options)
      : m_universe(universe), m_options(options)
  {
  }

  void install(const Package& package, const std::string& reason)
  {
    std::string why;
    if (!mark(package, reason, why))
      throw Error("cannot install " + package.name + " " + package.version + ": " + why, reason);
    // Named directly (the base set, a request): that is why it is here, even when an earlier
    // dependency chain chose it first, as apt marks such a package manual again.
    m_state.reasons[package.name] = reason;
  }

  // Chooses a requested package before any dependency is looked at, as apt-get install
  // marks every package on its command line first and only then installs their
  // dependencies: a provider the user asked for (netavark) then satisfies a virtual
  // dependency (container-network-stack) of another requested package.
  void request(const Package& package, const std::string& reason)
  {
    std::string why;
    if (!claim(package, reason, why))
      throw Error("cannot install " + package.name + " " + package.version + ": " + why, reason);
  }

  Plan plan() const
  {
    Plan plan;
    for (const Package* package : m_state.order) {
      plan.packages.push_back(package);
      plan.reasons.push_back(m_state.reasons.at(package->name));
    }
    return plan;
  }

  bool arch_allows(const Relation& relation, const Package& target) const
  {
    const std::string& qualifier = relation.arch_qualifier;
    if (qualifier.empty() || qualifier == "native" || qualifier == m_options.architecture)
      return true;
    if (qualifier == "any")
      return target.multi_arch == "allowed"; // dpkg: ":any" needs Multi-Arch: allowed
    return false; // another architecture: compose installs the native one only
  }

private:
  struct State {
    std::map<std::string, const Package*> marked;                 // by name
    std::map<std::string, std::vector<const Package*>> provided;  // virtual name -> marked
    std::map<std::string, std::string> reasons;
    std::set<std::string> expanded; // dependencies handled
    std::vector<const Package*> order;
  };

  // The chosen package that satisfies `relation` already, or nullptr.
  const Package* satisfied_now(const Relation& relation) const
  {
    if (const auto found = m_state.marked.find(relation.name); found != m_state.marked.end())
      if (repo::deb::version_satisfies(relation, found->second->version) &&
          arch_allows(relation, *found->second))
        return found->second;
    if (const auto found = m_state.provided.find(relation.name); found != m_state.provided.end())
      for (const Package* provider : found->second)
        for (const Relation& provided : provider->provides)
          if (provided.name == relation.name && provides_satisfies(relation, provided) &&
              arch_allows(relation, *provider))
            return provider;
    return nullptr;
  }

  static bool hits(const Relation& conflict, const Package& other, const Package& self)
  {
    if (other.name == self.name)
      return false;
    if (conflict.name == other.name && repo::deb::version_satisfies(conflict, other.version))
      return true;
    for (const Relation& provided : other.provides)
      if (provided.name == conflict.name && provides_satisfies(conflict, provided))
        return true;
    return false;
  }

  static const Relation* conflict_between(const Package& a, const Package& b)
  {
    for (const auto* list : {&a.conflicts, &a.breaks})
      for (const Relation& conflict : *list)
        if (hits(conflict, b, a))
          return &conflict;
    return nullptr;
  }

  // Why `package` cannot join the marked set, or "".
  std::string conflict_with_marked(const Package& package) const
  {
    for (const auto& [name, other] : m_state.marked) {
      if (const Relation* conflict = conflict_between(package, *other))
        return package.name + " conflicts with " + other->name + " (" + conflict->text() + ")";
      if (const Relation* conflict = conflict_between(*other, package))
        return other->name + " conflicts with " + package.name + " (" + conflict->text() + ")";
    }
    return {};
  }

  // Chooses a package without looking at its dependencies yet.
  bool claim(const Package& package, const std::string& reason, std::string& why)
  {
    if (const auto found = m_state.marked.find(package.name); found != m_state.marked.end()) {
      if (found->second == &package || found->second->version == package.version)
        return true;
      why = found->second->name + " " + found->second->version + " is already chosen";
      return false;
    }
    if (std::string conflict = conflict_with_marked(package); !conflict.empty()) {
      why = conflict;
      return false;
    }
    m_state.marked[package.name] = &package;
    for (const Relation& provided : package.provides)
      m_state.provided[provided.name].push_back(&package);
    m_state.reasons[package.name] = reason;
    return true;
  }

  bool mark(const Package& package, const std::string& reason, std::string& why)
  {
    return claim(package, reason, why) && expand(package, why);
  }

  // Satisfies a chosen package's dependencies (once). Like apt, the plain (single
  // alternative) Depends of a package are chosen before any of them is expanded, so that
  // an alternative deeper down sees them: libreoffice-writer's own libreoffice-core wins
  // over libreoffice-base-core's "libreoffice-core-nogui | libreoffice-core".
  bool expand(const Package& package, std::string& why)
  {
    if (!m_state.expanded.insert(package.name).second)
      return true;
    const std::string& reason = m_state.reasons[package.name];
    for (const auto* field : {&package.pre_depends, &package.depends})
      for (const RelationGroup& group : *field)
        if (group.size() == 1 && !satisfied_now(group.front())) {
          std::string ignored;
          if (const Package* chosen = choose(group.front(), ignored))
            claim(*chosen, reason + k_reason_link + chosen->name, ignored);
        }
    for (const auto* field : {&package.pre_depends, &package.depends})
      for (const RelationGroup& group : *field)
        if (!satisfy(group, reason, why))
          return false;
    if (m_options.recommends)
      for (const RelationGroup& group : package.recommends) {
        // A Recommends that cannot be met is dropped, with everything it pulled in.
        const State before = m_state;
        std::string ignored;
        if (!satisfy(group, reason, ignored))
          m_state = before;
      }
    m_state.order.push_back(&package);
    return true;
  }

  // The package that would satisfy `relation` now, or nullptr with the reason in `why`.
  const Package* choose(const Relation& relation, std::string& why) const
  {
    if (const Package* candidate = m_universe.candidate(relation.name)) {
      if (!repo::deb::version_satisfies(relation, candidate->version))
        why = relation.name + " " + candidate->version + " does not satisfy " + relation.text();
      else if (!arch_allows(relation, *candidate))
        why = relation.name + " is not Multi-Arch: allowed (" + relation.text() + ")";
      else if (std::string conflict = conflict_with_marked(*candidate); !conflict.empty())
        why = conflict;
      else
        return candidate;
    }
    std::vector<const Package*> providers;
    for (const Universe::Provider& provider : m_universe.providers(relation.name))
      if (provides_satisfies(relation, *provider.provides) &&
          arch_allows(relation, *provider.package) &&
          conflict_with_marked(*provider.package).empty())
        providers.push_back(provider.package);
    if (providers.empty()) {
      if (why.empty())
        why = m_universe.providers(relation.name).empty()
                  ? "no package is called or provides " + relation.name
                  : "no provider of " + relation.text() + " can be installed";
      return nullptr;
    }
    // Several providers: the more important Priority, then the name (apt would fall back
    // to cache order, which is not stable across mirrors).
    return *std::min_element(providers.begin(), providers.end(),
                             [](const Package* a, const Package* b) {
                               const int ra = priority_rank(a->priority);
                               const int rb = priority_rank(b->priority);
                               if (ra != rb)
                                 return ra > rb;
                               return a->name < b->name;
                             });
  }

  bool satisfy(const RelationGroup& group, const std::string& parent, std::string& why)
  {
    for (const Relation& alternative : group)
      if (const Package* chosen = satisfied_now(alternative))
        return expand(*chosen, why);
    std::string reasons;
    for (const Relation& alternative : group) {
      std::string not_this;
      if (const Package* chosen = choose(alternative, not_this)) {
        const State before = m_state;
        if (mark(*chosen, parent + k_reason_link + chosen->name, not_this))
          return true;
        m_state = before;
      }
      reasons += (reasons.empty() ? "" : "; ") + not_this;
    }
    why = parent + " needs " + group_text(group) + ": " + reasons;
    return false;
  }

  const Universe& m_universe;
  const Options& m_options;
  State m_state;
};

bool in_base(const Package& package, const std::string& base)
{
  if (base == "none")
    return false;
  if (package.essential)
    return true;
  if (base == "essential")
    return false;
  if (package.name == "apt") // mmdebstrap's required, important and standard include apt
    return true;
  const int wanted = base == "required" ? 4 : base == "important" ? 3 : 2;
  return priority_rank(package.priority) >= wanted;
}

const Package& requested_version(const Universe& universe, const recipe::PackageSpec& request)
{
  const std::vector<Version>* versions = universe.versions(request.name);
  if (!versions) {
    std::string hint;
    if (!universe.providers(request.name).empty())
      hint = request.name + " is a virtual package; ask for one of its providers, e.g. " +
             universe.providers(request.name).front().package->name;
    throw Error("no package " + quote(request.name) + " in the repositories",
                request.where.str(), hint);
  }
  if (request.constraint.empty())
    return *versions->front().package;
  // "name=1.2-3" or "name>=1.2": the best version that satisfies it, candidate or not (as
  // apt-get install name=version does).
  std::string op = request.constraint.substr(0, request.constraint.find_first_not_of("<>=~"));
  const std::string version = request.constraint.substr(op.size());
  const std::vector<repo::deb::RelationGroup> parsed = repo::deb::parse_relations(
      request.name + " (" + op + " " + version + ")", repo::deb::RelationKind::depends,
      request.where.str());
  for (const Version& candidate : *versions)
    if (repo::deb::version_satisfies(parsed.front().front(), candidate.package->version))
      return *candidate.package;
  std::string available;
  for (const Version& candidate : *versions)
    available += (available.empty() ? "" : ", ") + candidate.package->version;
  throw Error("no version of " + quote(request.name) + " satisfies " + quote(request.constraint),
              request.where.str(), "available: " + available);
}

} // namespace

Plan solve(const std::vector<recipe::PackageSpec>& requests, const std::vector<Source>& sources,
           const Options& options)
{
  const Universe universe(sources, options.architecture);
  Solver solver(universe, options);

  // The base set first, in name order, as mmdebstrap installs it before the extras.
  if (options.base != "none") {
    std::vector<const Package*> base;
    universe.each_candidate([&](const Package& package) {
      if (in_base(package, options.base))
        base.push_back(&package);
    });
    for (const Package* package : base)
      solver.install(*package, "base (" + options.base + ")");
  }
  Plan plan;
  std::vector<const Package*> requested;
  for (const recipe::PackageSpec& request : requests) {
    requested.push_back(&requested_version(universe, request));
    try {
      solver.request(*requested.back(), requested.back()->name);
    } catch (Error& e) {
      e.at(request.where.str());
      throw;
    }
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const recipe::PackageSpec& request = requests[i];
    const Package& package = *requested[i];
    try {
      solver.install(package, package.name);
    } catch (Error& e) {
      e.at(request.where.str());
      throw;
    }
    plan.world.push_back(request.name + request.constraint);
  }
  std::sort(plan.world.begin(), plan.world.end());
  Plan solved = solver.plan();
  solved.world = plan.world;
  return solved;
}

} // namespace compose::resolve::deb
