// The verbs: each turns parsed options into a pipeline call and prints its result.
#pragma once

#include <string>
#include <vector>

#include "cli/defaults.hpp"

namespace compose::cli {

int run_build(const CommonOptions& options, const std::string& out_dir);
int run_show_packages(const CommonOptions& options);
int run_show_config(const std::string& recipe_file);
int run_inspect(const std::string& file);
int run_check(const std::vector<std::string>& recipes, const std::string& trust_dir);

} // namespace compose::cli
