// Packages index records; see packages_index.hpp.
#include "repo/deb/packages_index.hpp"

#include <charconv>

#include "repo/deb/version.hpp"
#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

// A stanza compose cannot use; the reader skips it (or, reading strictly, fails).
class UnusableStanza : public Error {
public:
  using Error::Error;
};

std::uint64_t parse_number(const std::string& text, const std::string& field,
                           const std::string& where)
{
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    throw UnusableStanza(field + " is not a number: " + quote(text), where);
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

// apt keeps a package whose Provides restricts a version with another operator than '=',
// without that entry ("Ignoring non-equal Provides").
std::vector<Relation> usable_provides(const std::string& text, const std::string& where,
                                      std::vector<std::string>& warnings)
{
  std::vector<Relation> provides;
  for (Relation& relation : single_relations(text, RelationKind::conflicts, where)) {
    if (!relation.op.empty() && relation.op != "=")
      warnings.push_back(where + ": Provides " + quote(relation.text()) +
                         " ignored (only '=' may restrict a provided version), as apt does");
    else
      provides.push_back(std::move(relation));
  }
  return provides;
}

// Moves `paragraph` into the package once nothing can throw any more.
Package package_from(Paragraph& paragraph, const std::string& at,
                     std::vector<std::string>& warnings)
{
  Package package;
  const std::optional<std::string> name = paragraph.get("Package");
  if (!name || name->empty())
    // apt: "Encountered a section with no Package: header", and the index is not used.
    throw Error("a stanza without Package", at, "the index is broken; apt refuses it too");
  package.name = *name;
  const std::string named = at + ": package " + quote(package.name);
  for (const std::string& tolerated : paragraph.tolerated())
    warnings.push_back(named + ": " + tolerated + " ignored, as apt does");
  auto required = [&](const char* field) {
    std::optional<std::string> value = paragraph.get(field);
    if (!value || value->empty())
      throw UnusableStanza(std::string("no ") + field, at);
    return *value;
  };
  package.version = required("Version");
  try {
    parse_version(package.version, at);
  } catch (const Error& e) {
    throw UnusableStanza(e.message(), at);
  }
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
  if (std::optional<std::string> size = paragraph.get("Installed-Size")) {
    try {
      package.installed_size_kib = parse_number(*size, "Installed-Size", at);
    } catch (const UnusableStanza& e) {
      warnings.push_back(named + ": " + e.message() + ", ignored, as apt does");
    }
  }

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
  package.provides = usable_provides(paragraph.value("Provides"), named, warnings);

  package.filename = required("Filename");
  package.size = parse_number(required("Size"), "Size", at);
  package.sha256 = paragraph.value("SHA256");
  if (!is_sha256(package.sha256))
    throw UnusableStanza("no SHA256 (or a malformed one)", at,
                         "compose accepts only SHA-256-pinned packages; MD5sum and SHA1 are too weak");
  package.paragraph = std::move(paragraph);
  package.where = at;
  return package;
}

} // namespace

PackagesIndexReader::PackagesIndexReader(std::string where, Stanzas bad)
    : m_where(std::move(where)), m_bad(bad),
      m_control(m_where, ControlErrors::tolerate, [this](Paragraph&& paragraph) { add(paragraph); })
{
}

void PackagesIndexReader::add(Paragraph& paragraph)
{
  const std::string at = m_where + ":" + std::to_string(paragraph.line());
  try {
    m_index.packages.push_back(package_from(paragraph, at, m_index.warnings));
  } catch (const Error& e) {
    const bool unusable =
        dynamic_cast<const UnusableStanza*>(&e) || dynamic_cast<const UnusableRelation*>(&e);
    if (!unusable)
      throw;
    const std::string message = "package " + quote(paragraph.value("Package")) + " " +
                                (m_bad == Stanzas::strict ? "cannot be used" : "skipped") +
                                ": " + e.message();
    if (m_bad == Stanzas::strict)
      throw Error(message, at, e.hint());
    m_index.warnings.push_back(at + ": " + message);
  }
}

PackagesIndex PackagesIndexReader::finish()
{
  m_control.finish();
  return std::move(m_index);
}

namespace {

using Stanzas = PackagesIndexReader::Stanzas;

PackagesIndex read_index(std::string_view text, const std::string& where, Stanzas bad)
{
  PackagesIndexReader reader(where, bad);
  reader.feed(text);
  return reader.finish();
}

} // namespace

PackagesIndex read_packages_index(std::string_view text, const std::string& where)
{
  return read_index(text, where, Stanzas::skip);
}

std::vector<Package> parse_packages(std::string_view text, const std::string& where)
{
  return read_index(text, where, Stanzas::strict).packages;
}

} // namespace compose::repo::deb
