// A deliberately small POSIX sh evaluator for package scripts: enough syntax (lists,
// && and ||, if/elif/else, case, redirections to /dev/null, "$1", $(readlink …)) to run
// the account and link lines Alpine scripts consist of, and to say exactly which lines it
// could not evaluate. It never runs a host program; commands go to the caller's hook.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace compose::unpack::apk {

enum class Status { success, failure, unknown };

struct ShellHooks {
  // Runs one simple command (already expanded). `unknown` marks a command we cannot
  // reproduce; the evaluator then records its line.
  std::function<Status(const std::vector<std::string>& argv)> run;
  // $(readlink PATH): the link text, or nullopt when PATH is not a symlink.
  std::function<std::optional<std::string>(const std::string& path)> readlink;
};

struct ShellResult {
  std::vector<std::string> unknown_lines; // trimmed source lines, in script order, unique
  int exit_status = 0;
};

// Evaluates `text` with positional parameters `arguments` ($1 …). Never throws for
// script content: syntax it does not understand becomes an unknown line.
ShellResult run_script(std::string_view text, const std::vector<std::string>& arguments,
                       const ShellHooks& hooks);

} // namespace compose::unpack::apk
