// SPDX 2.3 JSON document; see spdx_writer.hpp.
#include "emit/sbom/spdx_writer.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "util/hash.hpp"
#include "util/json_output.hpp"

namespace compose::emit::sbom {

namespace {

using nlohmann::json;

constexpr const char* k_no_assertion = "NOASSERTION";
constexpr const char* k_image_id = "SPDXRef-Image";

// SPDX identifiers allow letters, digits, '.' and '-' (clause 7.2). Package names may hold
// '+' or '_', so the readable part is cleaned and a digest of the exact name, architecture
// and version keeps two cleaned names apart.
std::string element_id(const Component& component)
{
  std::string readable;
  for (const char c : component.name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '-';
    readable += allowed ? c : '-';
  }
  const std::string identity =
      component.name + "\n" + component.architecture + "\n" + component.version;
  return "SPDXRef-Package-" + readable + "-" + sha256_hex(identity).substr(0, 12);
}

// "Person: Natanael Copa (ncopa@alpinelinux.org)" (clause 7.5).
std::string supplier_field(const Component& component)
{
  const std::optional<Contact> contact = parse_contact(component.supplier);
  if (!contact)
    return k_no_assertion;
  const std::string name = contact->name.empty() ? contact->email : contact->name;
  return "Person: " + name + (contact->email.empty() ? "" : " (" + contact->email + ")");
}

json package_entry(const Subject& subject, const Component& component)
{
  json package = {
      {"SPDXID", element_id(component)},
      {"name", component.name},
      {"versionInfo", component.version},
      {"supplier", supplier_field(component)},
      {"downloadLocation",
       component.download_url.empty() ? k_no_assertion : component.download_url},
      {"filesAnalyzed", false},
      {"licenseConcluded", k_no_assertion},
      {"copyrightText", k_no_assertion},
      {"externalRefs",
       json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                     {"referenceType", "purl"},
                     {"referenceLocator", package_url(subject, component)}}})},
  };
  // A declared license goes in as written only when it is an SPDX expression; anything
  // else (Alpine's "MIT BSD", a Debian short name) would make the document invalid, so it
  // is kept as a comment instead.
  if (const std::optional<std::string> license = spdx_license(subject, component)) {
    package["licenseDeclared"] = *license;
  } else {
    package["licenseDeclared"] = k_no_assertion;
    if (!component.license.empty())
      package["licenseComments"] = "declared by the package as: " + component.license;
  }
  if (!component.sha256.empty())
    package["checksums"] =
        json::array({{{"algorithm", "SHA256"}, {"checksumValue", component.sha256}}});
  if (!component.homepage.empty())
    package["homepage"] = component.homepage;
  if (!component.description.empty())
    package["summary"] = component.description;
  if (!component.origin.empty())
    package["sourceInfo"] = "built from source package " + component.origin;
  // Format-specific digests (the apk identity hashes the control section, not the file)
  // are not package checksums in SPDX's sense.
  std::string comment;
  for (const auto& [kind, value] : component.checksums)
    comment += (comment.empty() ? "" : "; ") + kind + " " + value;
  if (!component.architecture.empty())
    comment += (comment.empty() ? "" : "; ") + std::string("architecture ") +
               component.architecture;
  if (!comment.empty())
    package["comment"] = comment;
  return package;
}

json relationship(const std::string& from, const std::string& type, const std::string& to)
{
  return {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

} // namespace

std::string spdx_json(const Subject& subject)
{
  const std::vector<const Component*> components = sorted_components(subject);
  const std::string uuid = document_uuid(subject.inputs_digest);

  json packages = json::array();
  packages.push_back({
      {"SPDXID", k_image_id},
      {"name", subject.name},
      {"downloadLocation", k_no_assertion},
      {"filesAnalyzed", false},
      {"primaryPackagePurpose", "OPERATING-SYSTEM"},
      {"licenseConcluded", k_no_assertion},
      {"licenseDeclared", k_no_assertion},
      {"copyrightText", k_no_assertion},
      {"comment", "root filesystem of " + subject.distribution + " " + subject.release + " (" +
                      subject.architecture + "), inputs sha256:" + subject.inputs_digest},
  });
  json relationships = json::array();
  relationships.push_back(relationship("SPDXRef-DOCUMENT", "DESCRIBES", k_image_id));
  for (const Component* component : components) {
    packages.push_back(package_entry(subject, *component));
    relationships.push_back(relationship(k_image_id, "CONTAINS", element_id(*component)));
  }
  for (const Component* component : components)
    for (const Component* target : dependencies_of(components, *component))
      relationships.push_back(
          relationship(element_id(*component), "DEPENDS_ON", element_id(*target)));

  json document = {
      {"SPDXID", "SPDXRef-DOCUMENT"},
      {"spdxVersion", "SPDX-2.3"},
      {"dataLicense", "CC0-1.0"},
      {"name", subject.name},
      // Clause 6.5: a unique absolute URI; the UUID ties it to the inputs.
      {"documentNamespace", "https://spdx.org/spdxdocs/compose-" + uuid},
      {"creationInfo",
       {{"created", utc_timestamp(subject.epoch)},
        {"creators", json::array({"Tool: compose-" + subject.tool_version})}}},
      {"packages", packages},
      {"relationships", relationships},
  };
  // Index text is not guaranteed UTF-8; a stray byte becomes U+FFFD rather than an error.
  return report_json_text(document, 2) + "\n";
}

} // namespace compose::emit::sbom
