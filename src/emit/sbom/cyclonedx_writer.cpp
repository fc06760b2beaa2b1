// CycloneDX 1.5 JSON BOM; see cyclonedx_writer.hpp.
#include "emit/sbom/cyclonedx_writer.hpp"
#include "util/json_output.hpp"

#include <nlohmann/json.hpp>

namespace compose::emit::sbom {

namespace {

using nlohmann::json;

json property(const std::string& name, const std::string& value)
{
  return {{"name", name}, {"value", value}};
}

json component_entry(const Subject& subject, const Component& component)
{
  const std::string purl = package_url(subject, component);
  json entry = {
      {"type", "library"},
      {"bom-ref", purl},
      {"name", component.name},
      {"version", component.version},
      {"purl", purl},
  };
  if (!component.description.empty())
    entry["description"] = component.description;
  if (const std::optional<Contact> contact = parse_contact(component.supplier)) {
    json person = {{"name", contact->name.empty() ? contact->email : contact->name}};
    if (!contact->email.empty())
      person["email"] = contact->email;
    entry["supplier"] = {{"name", person["name"]}, {"contact", json::array({person})}};
  }
  // An SPDX expression goes in as one; any other declared text is a named license
  // (license.id would have to be on the SPDX list, which the schema enumerates).
  if (const std::optional<std::string> license = spdx_license(subject, component))
    entry["licenses"] = json::array({{{"expression", *license}}});
  else if (!component.license.empty())
    entry["licenses"] = json::array({{{"license", {{"name", component.license}}}}});
  if (!component.sha256.empty())
    entry["hashes"] = json::array({{{"alg", "SHA-256"}, {"content", component.sha256}}});

  json references = json::array();
  if (!component.download_url.empty())
    references.push_back({{"type", "distribution"}, {"url", component.download_url}});
  if (!component.homepage.empty())
    references.push_back({{"type", "website"}, {"url", component.homepage}});
  if (!references.empty())
    entry["externalReferences"] = references;

  // Sorted by name: what the package format knows beyond CycloneDX's own fields.
  json properties = json::array();
  if (!component.architecture.empty())
    properties.push_back(property("compose:architecture", component.architecture));
  for (const auto& [kind, value] : component.checksums)
    properties.push_back(property("compose:checksum:" + kind, value));
  if (!component.origin.empty())
    properties.push_back(property("compose:origin", component.origin));
  if (!properties.empty())
    entry["properties"] = properties;
  return entry;
}

} // namespace

std::string cyclonedx_json(const Subject& subject)
{
  const std::vector<const Component*> components = sorted_components(subject);

  json entries = json::array();
  json dependencies = json::array();
  for (const Component* component : components) {
    entries.push_back(component_entry(subject, *component));
    // Every component gets an entry, an empty dependsOn included: CycloneDX reads a
    // missing entry as "unknown", an empty one as "depends on nothing".
    json depends_on = json::array();
    for (const Component* target : dependencies_of(components, *component))
      depends_on.push_back(package_url(subject, *target));
    dependencies.push_back(
        {{"ref", package_url(subject, *component)}, {"dependsOn", depends_on}});
  }

  json bom = {
      {"$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json"},
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.5"},
      {"serialNumber", "urn:uuid:" + document_uuid(subject.inputs_digest)},
      {"version", 1},
      {"metadata",
       {{"timestamp", utc_timestamp(subject.epoch)},
        {"tools",
         {{"components", json::array({{{"type", "application"},
                                        {"name", "compose"},
                                        {"version", subject.tool_version}}})}}},
        {"component",
         {{"type", "operating-system"},
          {"bom-ref", "compose:image:" + subject.name},
          {"name", subject.name},
          {"description", "root filesystem of " + subject.distribution + " " + subject.release +
                              " (" + subject.architecture + ")"},
          {"properties",
           json::array({property("compose:inputs-digest", "sha256:" + subject.inputs_digest)})}}}}},
      {"components", entries},
      {"dependencies", dependencies},
  };
  // Index text is not guaranteed UTF-8; a stray byte becomes U+FFFD rather than an error.
  return report_json_text(bom, 2) + "\n";
}

} // namespace compose::emit::sbom
