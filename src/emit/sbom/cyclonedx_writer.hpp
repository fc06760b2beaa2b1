// CycloneDX 1.5 JSON: the image as metadata.component, every installed package as a
// component identified by its package URL, and a dependency entry for each of them.
#pragma once

#include <string>

#include "emit/sbom/sbom_subject.hpp"

namespace compose::emit::sbom {

// The BOM text with sorted keys and a final newline: the same subject gives the same
// bytes. The timestamp is the build epoch, serialNumber "urn:uuid:" + document_uuid().
// Throws Error when a component depends on a name that is not a component.
std::string cyclonedx_json(const Subject& subject);

} // namespace compose::emit::sbom
