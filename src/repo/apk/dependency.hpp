// apk dependency tokens: [!]name[@tag][op version], used in D:, p:, i: and world.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "repo/apk/version.hpp"

namespace compose::repo::apk {

struct Dependency {
  std::string name; // "busybox", "so:libc.musl-x86_64.so.1", "/bin/sh"
  Op op = Op::any;
  std::string version;
  bool conflict = false; // "!name"
  std::string tag;       // "@edge"
  std::string text() const; // back to the token form
  bool operator==(const Dependency&) const = default;
};

// Throws Error naming `where` and the token when the syntax or the version is invalid.
Dependency parse_dependency(std::string_view token, const std::string& where);
std::vector<Dependency> parse_dependencies(std::string_view list, const std::string& where);

} // namespace compose::repo::apk
