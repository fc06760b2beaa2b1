// `compose show-packages`: the resolved plan as text, one package per line, without
// fetching or installing anything.
#pragma once

#include <string>

#include "pipeline/build.hpp"

namespace compose::pipeline {

// "name version repository-index-url\n" per package, in install order.
std::string plan_listing(const recipe::Recipe& recipe, const BuildOptions& options);

} // namespace compose::pipeline
