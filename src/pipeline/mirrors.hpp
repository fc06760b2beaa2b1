// Where a recipe's downloads actually come from: `--mirror FROM=TO` sends every URL starting
// with FROM to TO instead (a local or air-gapped copy of a public mirror or release page;
// signatures and pins are still checked against the recipe's keys and digests), and the URL
// "host-apt" takes the Debian mirror from this machine's apt configuration
// (/etc/apt/sources.list.d/*.sources, /etc/apt/sources.list).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fetch/fetch.hpp"
#include "recipe/recipe.hpp"

namespace compose::pipeline {

// "FROM=TO" -> {FROM, TO}; throws UsageError for anything else.
std::pair<std::string, std::string> parse_mirror(const std::string& text);

// The first http(s) or file URI of the first "deb" source in the apt configuration under
// `etc_apt` (sources.list, then sources.list.d/*.list and *.sources in name order) that
// serves all of `suites`; when none does, of the first "deb" source. Throws Error when there
// is none.
std::string host_apt_uri(const std::filesystem::path& etc_apt = "/etc/apt",
                         const std::vector<std::string>& suites = {});

// Resolves url = "host-apt" to this machine's apt mirror and returns the fetcher's URL
// rewrites (fetch::Options::mirrors): the --mirror list, with a "host-apt" FROM replaced by
// the URL it resolved to. The recipe keeps its public URLs — they go into the image's apk
// and apt configuration, the SBOMs, the report and locks — so building from a copy gives
// the same bytes as building from the original; only the transfers go to the copy.
std::vector<std::pair<std::string, std::string>>
apply_mirrors(recipe::Recipe& recipe,
              const std::vector<std::pair<std::string, std::string>>& mirrors,
              const std::filesystem::path& etc_apt = "/etc/apt");

// The recipe's repositories as the fetcher sees them: each one's mirrors (`url`, then the
// rest of `urls`, tried in that order) and its index ceiling. After apply_mirrors, so that
// "host-apt" is resolved.
std::vector<fetch::RepositoryMirrors> repository_mirrors(const recipe::Recipe& recipe);

} // namespace compose::pipeline
