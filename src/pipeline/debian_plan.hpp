// Debian/Ubuntu: the recipe's requests and base set resolved against the verified indexes.
#pragma once

#include "pipeline/debian_sources.hpp"
#include "resolve/deb/solver.hpp"

namespace compose::pipeline {

resolve::deb::Plan resolve_debian(const recipe::Recipe& recipe, const DebianSources& sources);

} // namespace compose::pipeline
