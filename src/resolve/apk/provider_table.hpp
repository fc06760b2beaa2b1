// ProviderTable: for every name a dependency can mention (package names, so:/cmd:/pc:
// provides, paths like /bin/sh), the packages that provide it and at which version.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "repo/apk/index.hpp"

namespace compose::resolve::apk {

struct Provider {
  const repo::apk::Package* package = nullptr;
  std::string version; // the provided version; empty for an unversioned provide
  bool real = false;   // the package's own name (not a provide)
};

class ProviderTable {
public:
  explicit ProviderTable(const std::vector<repo::apk::Index>& indexes);

  const std::vector<Provider>& providers(const std::string& name) const;
  // Does `provider` satisfy the (non-conflict) dependency, version and checksum included?
  static bool satisfies(const Provider& provider, const repo::apk::Dependency& dependency);
  const repo::apk::Repository& repository_of(const repo::apk::Package& package) const;
  // "main, community": the repositories searched, for messages.
  std::string repository_names() const;

private:
  const std::vector<repo::apk::Index>* m_indexes;
  std::map<std::string, std::vector<Provider>> m_providers;
};

} // namespace compose::resolve::apk
