// ProviderTable; see provider_table.hpp.
#include "resolve/apk/provider_table.hpp"

#include <algorithm>

namespace compose::resolve::apk {

ProviderTable::ProviderTable(const std::vector<repo::apk::Index>& indexes) : m_indexes(&indexes)
{
  for (const repo::apk::Index& index : indexes) {
    for (const repo::apk::Package& package : index.packages) {
      m_providers[package.name].push_back(Provider{&package, package.version, true});
      for (const repo::apk::Dependency& provide : package.provides)
        m_providers[provide.name].push_back(Provider{&package, provide.version, false});
    }
  }
}

const std::vector<Provider>& ProviderTable::providers(const std::string& name) const
{
  static const std::vector<Provider> none;
  const auto found = m_providers.find(name);
  return found == m_providers.end() ? none : found->second;
}

bool ProviderTable::satisfies(const Provider& provider, const repo::apk::Dependency& dependency)
{
  using repo::apk::Op;
  if (dependency.op == Op::any)
    return true;
  if (dependency.op == Op::checksum)
    return provider.package->checksum == dependency.version;
  // An unversioned provide never satisfies a versioned dependency.
  if (provider.version.empty())
    return false;
  return repo::apk::version_satisfies(provider.version, dependency.op, dependency.version);
}

const repo::apk::Repository& ProviderTable::repository_of(const repo::apk::Package& package) const
{
  return m_indexes->at(package.repository).repository;
}

std::string ProviderTable::repository_names() const
{
  std::vector<std::string> names;
  for (const repo::apk::Index& index : *m_indexes)
    if (std::find(names.begin(), names.end(), index.repository.name) == names.end())
      names.push_back(index.repository.name);
  std::string text;
  for (const std::string& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

} // namespace compose::resolve::apk
