// Packages indexes: the verified (Release-checked, decompressed) Packages text of one
// suite/component/architecture -> package records the resolver and installer use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "repo/deb/control_file.hpp"
#include "repo/deb/relation.hpp"

namespace compose::repo::deb {

struct Package {
  std::string name, version, architecture; // architecture "all" counts as native
  std::string multi_arch;                   // "", "same", "foreign", "allowed" ("no" -> "")
  bool essential = false;
  std::string priority, section, source, maintainer, homepage;
  std::string description; // first line only (the synopsis)
  std::uint64_t installed_size_kib = 0;
  std::vector<RelationGroup> depends, pre_depends, recommends, suggests;
  std::vector<Relation> conflicts, breaks, provides, replaces;
  std::string filename; // pool path relative to the repository root
  std::uint64_t size = 0;
  std::string sha256;
  Paragraph paragraph;  // every field as the index wrote it (for dpkg's status/available)
  std::size_t index = 0; // which loaded index it came from (set by the loader)
  std::string where;     // "URL:line" of its stanza, for messages
};

// Parses a Packages file. Throws Error naming "where:line" for a stanza without Package,
// Version, Architecture, Filename, Size or a 64-hex SHA256, a bad version, size or relation.
std::vector<Package> parse_packages(std::string_view text, const std::string& where);

} // namespace compose::repo::deb
