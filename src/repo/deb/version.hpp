// Debian version comparison, exactly as dpkg's verrevcmp (deb-version(7)):
// [epoch:]upstream[-revision]; '~' sorts before everything, even the end of a part; letters
// sort before other characters; digit runs compare as numbers.
#pragma once

#include <string>
#include <string_view>

namespace compose::repo::deb {

struct Version {
  unsigned long epoch = 0;
  std::string upstream;
  std::string revision; // empty when the version has none ("0" is compared the same way)
};

// Splits and checks a version string; throws Error naming `where` when it is invalid
// (empty, bad epoch, upstream not starting with a digit, characters outside the policy).
Version parse_version(std::string_view text, const std::string& where);
bool is_valid_version(std::string_view text);

// <0, 0, >0. Both strings must be valid versions (compare parses them).
int compare_versions(std::string_view a, std::string_view b);

// Relations of Depends fields: "<<", "<=", "=", ">=", ">>" (and the obsolete "<" / ">",
// which mean <= and >=). Throws Error for anything else.
bool relation_holds(std::string_view version, std::string_view relation, std::string_view wanted);

} // namespace compose::repo::deb
