// Alpine version comparison, exactly as apk-tools 2.14 version.c does it.
#pragma once

#include <string_view>

namespace compose::repo::apk {

// Relation operators of dependency tokens ("name>=1.2").
enum class Op {
  any,           // no version given
  equal,         // =
  less,          // <
  greater,       // >
  less_equal,    // <=
  greater_equal, // >=
  fuzzy,         // ~   (2.14: equal in all common tokens)
  greater_fuzzy, // >~
  less_fuzzy,    // <~
  checksum,      // ><  (the version is a C: checksum)
};
const char* op_text(Op op); // "", "=", "<", ...

// <0, 0, >0 like strcmp; invalid strings compare token-wise up to the invalid point.
int compare_versions(std::string_view a, std::string_view b);
bool is_valid_version(std::string_view version);
// Does `version` satisfy "op wanted"? Op::any is always true; Op::checksum is false
// here (the caller compares checksums).
bool version_satisfies(std::string_view version, Op op, std::string_view wanted);

} // namespace compose::repo::apk
