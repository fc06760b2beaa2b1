// A small, fixed SBOM subject for the writers' tests: three Alpine packages with the
// awkward cases (a '+' in a name, a license that is no SPDX expression, a provider edge).
#pragma once

#include "emit/sbom/sbom_subject.hpp"

namespace compose::testing {

emit::sbom::Subject small_sbom_subject();

} // namespace compose::testing
