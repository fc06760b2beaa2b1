// A bound on how deeply a JSON file compose reads (lock files, bundle manifests, the JSON of
// an OCI layout) may nest. nlohmann::json parses iteratively, but copying, comparing and
// dumping a value recurse once per level, so 100,000 nested arrays would overflow the stack.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace compose {

inline constexpr std::size_t k_max_json_depth = 64;

// Throws Error naming where:line when arrays and objects nest deeper than k_max_json_depth.
// A lexical pass (strings and their escapes, brackets); syntax errors are left to the parser.
void check_json_nesting(std::string_view text, const std::string& where);

} // namespace compose
