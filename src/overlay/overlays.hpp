// Overlays: what a recipe adds on top of the installed packages — groups and users with
// their SSH directories, sshd settings, the supervisord configuration, the init/entrypoint
// script, files (from the recipe directory, inline, or downloaded and pinned by SHA-256) and
// clean-up rules. Applied to the Tree after the packages, in that order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "recipe/recipe.hpp"
#include "stage/tree.hpp"

namespace compose::overlay {

struct OverlayReport {
  // One line per input that is not in the recipe's own bytes ("/etc/x sha256:…"), so the
  // build's inputs digest covers source files and downloads too.
  std::vector<std::string> inputs;
  std::vector<std::string> notes; // what was done, for -v
};

// `downloads`: the bytes of every [[files]] url, already checked against its sha256.
// Throws Error naming the recipe location of the overlay that cannot be applied.
OverlayReport apply_overlays(const recipe::Recipe& recipe,
                             const std::map<std::string, std::string>& downloads,
                             std::int64_t epoch, stage::Tree& tree);

// The pieces, for tests and for `compose check`.
void apply_accounts(const recipe::Overlays& overlays, std::int64_t epoch, stage::Tree& tree);
std::string sshd_settings(const recipe::SshSpec& ssh);
void apply_ssh(const recipe::SshSpec& ssh, std::int64_t epoch, stage::Tree& tree);
std::string supervisord_conf(const recipe::SupervisorSpec& supervisor);
std::string init_script(const recipe::Recipe& recipe);
// The shell function of that script that decides between PID 1 of a VM and a container
// (`init_world PID ROOT` sets $world and $evidence), so tests can run it on fake evidence.
std::string init_world_function();
// Every supervisor program's command and the init's exec[0] exist in `tree` as executable
// files (absolute, or found on the init's PATH); throws Error at the recipe entry otherwise,
// saying where the packages put a file of that name when they did.
void check_commands(const recipe::Recipe& recipe, const stage::Tree& tree);
// Removes every file, link or device matching one of `patterns` and none of `keep` ('*' and
// '?' match across '/'), then the matching directories left empty; returns how many entries
// went.
std::size_t apply_cleanup(const std::vector<std::string>& patterns,
                          const std::vector<std::string>& keep, stage::Tree& tree);

} // namespace compose::overlay
