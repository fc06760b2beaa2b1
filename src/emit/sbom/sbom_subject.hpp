// What both SBOM writers describe: the built image and every installed package, taken from
// verified package metadata, plus the derived identifiers they share (package URLs, a
// document UUID, the creation time). Nothing here reads a clock or the host.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace compose::emit::sbom {

enum class PackageFormat { apk, deb };

struct Component {
  std::string name, version, architecture;
  // As the package declares it; "" when unknown. apk: an SPDX expression (Alpine's L:
  // field is meant to be one); deb: a DEP-5 short name ("GPL-2+"), never an SPDX id.
  std::string license;
  std::string supplier; // "Name <email>" as the index writes it; "" when unknown
  std::string origin;   // the source package it was built from
  std::string homepage, description;
  std::string download_url; // the file it was installed from
  std::string sha256;       // of that file
  std::map<std::string, std::string> checksums; // format-specific ("apk-identity": "Q1…")
  std::vector<std::string> depends_on;          // names of other components
};

struct Subject {
  std::string name;         // the recipe name: the image the documents describe
  PackageFormat format = PackageFormat::apk;
  std::string distribution; // purl namespace: "alpine", "debian", "ubuntu"
  std::string release, architecture;
  std::int64_t epoch = 0;     // the build's SOURCE_DATE_EPOCH
  std::string inputs_digest;  // hex SHA-256 over everything that went in
  std::string tool_version;   // compose's version
  std::vector<Component> components; // any order: the writers sort
};

// "pkg:apk/alpine/busybox@1.37.0-r18?arch=x86_64" (purl spec: name and version
// percent-encoded, qualifiers sorted).
std::string package_url(const Subject& subject, const Component& component);

// An RFC 4122 name-based (version 5) UUID of the inputs digest: the same inputs give the
// same document identity, different inputs a different one.
std::string document_uuid(std::string_view inputs_digest);

// "2024-05-01T12:00:00Z" for seconds since 1970 (UTC).
std::string utc_timestamp(std::int64_t epoch);

// The components sorted by name, architecture and version: the order both documents use.
std::vector<const Component*> sorted_components(const Subject& subject);

// The components `component` depends on, resolved by name among `sorted` (the first match
// when one name is installed for two architectures), each once, in `sorted` order, never
// itself. Throws Error naming both packages when a name is not a component.
std::vector<const Component*> dependencies_of(const std::vector<const Component*>& sorted,
                                              const Component& component);

// The component's license as an SPDX expression, when it is one: apk licenses that parse
// and do not name Alpine's "custom"; never a Debian short name, which can parse and still
// not be an SPDX identifier.
std::optional<std::string> spdx_license(const Subject& subject, const Component& component);

struct Contact {
  std::string name, email;
};
// Splits "Natanael Copa <ncopa@alpinelinux.org>"; nullopt for an empty text.
std::optional<Contact> parse_contact(std::string_view text);

// Whether `license` is a syntactically valid SPDX license expression (SPDX 2.3 annex D):
// identifiers joined by AND / OR, WITH an exception, in parentheses. It does not check the
// identifiers against the SPDX license list.
bool is_license_expression(std::string_view license);

} // namespace compose::emit::sbom
