// The one way compose turns JSON into text. Invalid UTF-8 (a byte from an index field or an
// archive member name) is handled by what the file is for, the same way everywhere:
// - records that must round-trip (locks, bundle manifests, lock diffs, OCI config and
//   manifests, show-config) refuse it, naming the file and the JSON pointer of the value;
// - reports for people and scanners (result.json, SBOMs) show it as U+FFFD.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace compose {

// indent < 0: compact. Throws Error("… is not valid UTF-8", "WHAT at /pointer").
std::string exact_json_text(const nlohmann::json& value, int indent, const std::string& what);

// Invalid bytes become U+FFFD.
std::string report_json_text(const nlohmann::json& value, int indent);

// The JSON pointer of the first string or key that is not UTF-8, or "" when all are.
std::string first_invalid_utf8(const nlohmann::json& value);

} // namespace compose
