// Relationship fields of Debian control data (Depends, Pre-Depends, Recommends, Conflicts,
// Breaks, Provides, Replaces): comma-separated groups of '|'-separated alternatives, each a
// name with an optional architecture qualifier and version restriction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

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

// A relation apt still reads but compose cannot use: an unknown operator, a version dpkg
// would refuse, an empty architecture qualifier, alternatives where the field allows none,
// a Provides with another operator than '='. A Packages reader skips the stanza (or, for a
// Provides, that one entry, as apt does); the rest of the index stays usable.
class UnusableRelation : public Error {
public:
  using Error::Error;
};

// Parses a field value. Throws Error naming `where` for what apt refuses as well (its whole
// index then fails to load): empty groups or alternatives, a missing name, text after the
// name that is not "(operator version)", and source-only syntax ("[amd64]", "<!nocheck>");
// UnusableRelation for the rest.
std::vector<RelationGroup> parse_relations(std::string_view text, RelationKind kind,
                                           const std::string& where);

// Does a package version satisfy `relation`'s version restriction (true when unversioned)?
bool version_satisfies(const Relation& relation, std::string_view version);

} // namespace compose::repo::deb
