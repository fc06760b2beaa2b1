// apt's auto-installed marks; see apt_extended_states.hpp.
#include "pipeline/apt_extended_states.hpp"

#include <set>

namespace compose::pipeline {

std::string apt_extended_states(const resolve::deb::Plan& plan,
                                const std::map<std::string, std::vector<std::string>>& dependencies,
                                const std::string& architecture)
{
  std::set<std::string> essential_closure;
  std::vector<std::string> pending;
  for (const repo::deb::Package* package : plan.packages)
    if (package->essential)
      pending.push_back(package->name);
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    if (!essential_closure.insert(name).second)
      continue;
    if (const auto found = dependencies.find(name); found != dependencies.end())
      pending.insert(pending.end(), found->second.begin(), found->second.end());
  }

  std::map<std::string, std::string> marked; // name -> architecture
  for (std::size_t i = 0; i < plan.packages.size() && i < plan.reasons.size(); ++i) {
    const repo::deb::Package& package = *plan.packages[i];
    if (!resolve::deb::chosen_as_dependency(plan.reasons[i]) ||
        essential_closure.contains(package.name))
      continue;
    marked[package.name] = package.architecture == "all" ? architecture : package.architecture;
  }
  std::string text;
  for (const auto& [name, package_architecture] : marked)
    text += "Package: " + name + "\nArchitecture: " + package_architecture +
            "\nAuto-Installed: 1\n\n";
  return text;
}

} // namespace compose::pipeline
