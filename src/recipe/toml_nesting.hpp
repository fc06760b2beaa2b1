// A bound on how deeply a recipe may nest before toml++ sees it: toml++ (and our conversion)
// recurse once per level, so 20,000 dotted key parts or brackets would overflow the stack.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace compose::recipe::detail {

inline constexpr std::size_t k_max_toml_depth = 64;

// Throws Error naming file:line when a table header, a dotted key, or arrays and inline
// tables (with the dotted keys inside them) nest deeper than k_max_toml_depth.
void check_toml_nesting(std::string_view bytes, const std::string& display);

} // namespace compose::recipe::detail
