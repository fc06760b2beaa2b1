// SPDX 2.3 JSON: the image as a package that CONTAINS every installed package, with
// DEPENDS_ON edges between them (SPDX 2.3 clauses 6, 7, 11; JSON form of annex E's schema).
#pragma once

#include <string>

#include "emit/sbom/sbom_subject.hpp"

namespace compose::emit::sbom {

// The document text with sorted keys and a final newline: the same subject gives the same
// bytes. `created` is the build epoch, the namespace carries document_uuid(). Throws Error
// when a component depends on a name that is not a component.
std::string spdx_json(const Subject& subject);

} // namespace compose::emit::sbom
