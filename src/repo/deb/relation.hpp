// Relationship fields of Debian control data (Depends, Pre-Depends, Recommends, Conflicts,
// Breaks, Provides, Replaces): comma-separated groups of '|'-separated alternatives, each a
// name with an optional architecture qualifier and version restriction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace compose::repo::deb {

struct Relation {
  std::string name;
  std::string arch_qualifier; // "", "any", "native", "amd64", …
  std::string op;             // "", "<<", "<=", "=", ">=", ">>" ("<" and ">" are normalised)
  std::string version;        // empty when op is empty
  std::string text() const;   // "libc6 (>= 2.36)", "perl:any"
};

using RelationGroup = std::vector<Relation>; // alternatives, tried left to right

enum class RelationKind {
  depends,  // alternatives allowed (Depends, Pre-Depends, Recommends, Suggests, Enhances)
  provides, // no alternatives; only "=" may restrict a version
  conflicts // no alternatives (Conflicts, Breaks, Replaces)
};

// Parses a field value. Throws Error naming `where` for empty alternatives, a bad name,
// operator or version, alternatives where the field allows none, and source-only syntax
// ("[amd64]", "<!nocheck>") which never appears in binary indexes.
std::vector<RelationGroup> parse_relations(std::string_view text, RelationKind kind,
                                           const std::string& where);

// Does a package version satisfy `relation`'s version restriction (true when unversioned)?
bool version_satisfies(const Relation& relation, std::string_view version);

} // namespace compose::repo::deb
