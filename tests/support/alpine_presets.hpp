// Package sets for generated Alpine mirrors: "system" stands in for the real Alpine base and
// docker-host packages (same names, dependency shapes, scripts and file kinds that matter,
// with the real static busybox from Debian's busybox-static so the result really runs);
// "large" is a big synthetic set for benchmarks; "evil" packages carry one attack each.
#pragma once

#include <string>
#include <vector>

#include "apk_builder.hpp"

namespace compose::testing {

struct MirrorContent {
  std::vector<ApkSpec> main, community;
};

// Throws std::runtime_error when /bin/busybox (package busybox-static) is missing.
MirrorContent system_preset(const std::string& arch, const std::string& key_name);
MirrorContent large_preset(const std::string& arch, int packages, int total_megabytes);
// Small packages with every file kind and ownership case an install has to reproduce, for
// comparing compose's installs with apk's own (parity_preset.cpp).
MirrorContent parity_preset(const std::string& arch);

// Packages that must be refused: "traversal" (a ../ entry), "absolute" (/etc/x),
// "symlink-escape" (x -> /etc, then x/passwd), "bad-file-checksum".
ApkSpec evil_package(const std::string& kind, const std::string& arch);

} // namespace compose::testing
