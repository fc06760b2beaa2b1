// Packages index records; see packages_index.hpp.
#include "repo/deb/packages_index.hpp"

#include <charconv>

#include "repo/deb/version.hpp"
#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

std::uint64_t parse_number(const std::string& text, const std::string& field,
                           const std::string& where)
{
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    throw Error(field + " is not a number: " + quote(text), where);
  return value;
}

bool is_sha256(const std::string& text)
{
  if (text.size() != 64)
    return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::vector<Relation> single_relations(const std::string& text, RelationKind kind,
                                       const std::string& where)
{
  std::vector<Relation> relations;
  for (RelationGroup& group : parse_relations(text, kind, where))
    relations.push_back(std::move(group.front()));
  return relations;
}

Package package_from(const Paragraph& paragraph, const std::string& at)
{
  Package package;
  auto required = [&](const char* field) {
    std::optional<std::string> value = paragraph.get(field);
    if (!value || value->empty())
      throw Error(std::string("package record without ") + field, at);
    return *value;
  };
  package.name = required("Package");
  package.version = required("Version");
  parse_version(package.version, at);
  package.architecture = required("Architecture");
  package.multi_arch = paragraph.value("Multi-Arch");
  if (package.multi_arch == "no")
    package.multi_arch.clear();
  package.essential = paragraph.value("Essential") == "yes";
  package.priority = paragraph.value("Priority");
  package.section = paragraph.value("Section");
  package.source = paragraph.value("Source");
  package.maintainer = paragraph.value("Maintainer");
  package.homepage = paragraph.value("Homepage");
  const std::string description = paragraph.value("Description");
  package.description = description.substr(0, description.find('\n'));
  if (std::optional<std::string> size = paragraph.get("Installed-Size"))
    package.installed_size_kib = parse_number(*size, "Installed-Size", at);

  const std::string field_where = at + " (" + package.name + ")";
  package.depends = parse_relations(paragraph.value("Depends"), RelationKind::depends, field_where);
  package.pre_depends =
      parse_relations(paragraph.value("Pre-Depends"), RelationKind::depends, field_where);
  package.recommends =
      parse_relations(paragraph.value("Recommends"), RelationKind::depends, field_where);
  package.suggests = parse_relations(paragraph.value("Suggests"), RelationKind::depends, field_where);
  package.conflicts =
      single_relations(paragraph.value("Conflicts"), RelationKind::conflicts, field_where);
  package.breaks = single_relations(paragraph.value("Breaks"), RelationKind::conflicts, field_where);
  package.replaces =
      single_relations(paragraph.value("Replaces"), RelationKind::conflicts, field_where);
  package.provides =
      single_relations(paragraph.value("Provides"), RelationKind::provides, field_where);

  package.filename = required("Filename");
  package.size = parse_number(required("Size"), "Size", at);
  package.sha256 = paragraph.value("SHA256");
  if (!is_sha256(package.sha256))
    throw Error("package " + quote(package.name) + " has no SHA256 (or a malformed one)", at,
                "compose accepts only SHA-256-pinned packages; MD5sum and SHA1 are too weak");
  package.paragraph = paragraph;
  package.where = at;
  return package;
}

} // namespace

std::vector<Package> parse_packages(std::string_view text, const std::string& where)
{
  std::vector<Package> packages;
  for (const Paragraph& paragraph : parse_control(text, where))
    packages.push_back(package_from(paragraph, where + ":" + std::to_string(paragraph.line())));
  return packages;
}

} // namespace compose::repo::deb
