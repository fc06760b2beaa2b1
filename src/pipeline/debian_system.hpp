// A Debian or Ubuntu root filesystem: verified sources -> apt-style plan -> every .deb
// fetched and checked against its Packages record (size and SHA-256) -> installed into a
// Tree with the dpkg database and reproduced maintainer-script effects -> a description of
// what was installed for the report.
#pragma once

#include "fetch/fetch.hpp"
#include "pipeline/build.hpp"
#include "pipeline/system.hpp"

namespace compose::pipeline {

StagedSystem build_debian_system(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher);

} // namespace compose::pipeline
