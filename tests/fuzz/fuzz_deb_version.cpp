// Debian versions and relation fields: first line a version, second another, the rest a
// relation field read as Depends, Provides and Conflicts.
#include "harness.hpp"
#include "repo/deb/relation.hpp"
#include "repo/deb/version.hpp"

namespace compose::fuzz {

void fuzz_deb_version(std::string_view input)
{
  const std::vector<std::string_view> parts = split_input(input, "\n", 3);
  const std::string_view a = parts[0], b = parts.size() > 1 ? parts[1] : "";
  expect_errors([&] { (void)repo::deb::parse_version(a, "fuzz"); });
  if (repo::deb::is_valid_version(a) && repo::deb::is_valid_version(b)) {
    (void)repo::deb::compare_versions(a, b);
    expect_errors([&] { (void)repo::deb::relation_holds(a, ">=", b); });
  }
  if (parts.size() < 3)
    return;
  for (const repo::deb::RelationKind kind :
       {repo::deb::RelationKind::depends, repo::deb::RelationKind::provides,
        repo::deb::RelationKind::conflicts})
    expect_errors([&] {
      for (const repo::deb::RelationGroup& group : repo::deb::parse_relations(parts[2], kind, "fuzz"))
        for (const repo::deb::Relation& relation : group)
          (void)repo::deb::version_satisfies(relation, a);
    });
}

} // namespace compose::fuzz
