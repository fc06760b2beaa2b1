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

struct PackagesIndex {
  std::vector<Package> packages;
  // "URL:line: package 'x' skipped: …", "URL:line: package 'x': … ignored, as apt does"
  std::vector<std::string> warnings;
};

// Reads a Packages index as apt reads it: one bad stanza does not make the index unusable.
// A stanza compose cannot use (no or an unparsable Version, no Architecture, Filename, Size
// or 64-hex SHA256, a relation apt reads but compose cannot use) is skipped with a warning;
// a Provides with another operator than '=', a malformed line, a repeated field and an
// unreadable Installed-Size are passed over with a warning, the package kept, as apt does.
// Throws Error naming "where:line" only where apt refuses the whole index too: a stanza
// without Package, a relation field it cannot parse.
PackagesIndex read_packages_index(std::string_view text, const std::string& where);

// The same, fed piece by piece (a decompressor's output): each stanza becomes a package as
// soon as it is complete, so the text is never held whole. `strict`: as parse_packages.
class PackagesIndexReader {
public:
  enum class Stanzas { skip, strict };
  explicit PackagesIndexReader(std::string where, Stanzas bad = Stanzas::skip);
  PackagesIndexReader(const PackagesIndexReader&) = delete; // m_control calls back into it
  PackagesIndexReader& operator=(const PackagesIndexReader&) = delete;

  void feed(std::string_view text) { m_control.feed(text); }
  PackagesIndex finish(); // throws as read_packages_index does, from feed too

private:
  void add(Paragraph& paragraph);

  std::string m_where;
  Stanzas m_bad;
  PackagesIndex m_index;
  ControlReader m_control;
};

// Strict reading, for stanzas compose wrote itself (lock records): throws Error naming
// "where:line" for any stanza read_packages_index would skip.
std::vector<Package> parse_packages(std::string_view text, const std::string& where);

} // namespace compose::repo::deb
