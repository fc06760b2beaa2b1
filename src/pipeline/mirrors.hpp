// Where a recipe's repositories are actually fetched from: `--mirror FROM=TO` rewrites a URL
// prefix (a local or air-gapped copy of a public mirror; signatures are still checked against
// the recipe's keys), and the URL "host-apt" takes the Debian mirror from this machine's apt
// configuration (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "recipe/recipe.hpp"

namespace compose::pipeline {

// "FROM=TO" -> {FROM, TO}; throws UsageError for anything else.
std::pair<std::string, std::string> parse_mirror(const std::string& text);

// The first http(s) or file URI of a "deb" source in the apt configuration under `etc_apt`.
// Throws Error when there is none.
std::string host_apt_uri(const std::filesystem::path& etc_apt = "/etc/apt");

// Rewrites recipe.repositories[*].url (mirrors first, longest FROM wins, then "host-apt") and
// the URLs of [[files]] downloads (mirrors only).
void apply_mirrors(recipe::Recipe& recipe,
                   const std::vector<std::pair<std::string, std::string>>& mirrors,
                   const std::filesystem::path& etc_apt = "/etc/apt");

} // namespace compose::pipeline
