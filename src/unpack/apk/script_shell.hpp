// The Alpine policy for package scripts: the script is read by the shared sh reader
// (unpack/shell) and evaluated with known values (lists, && and ||, if/elif/else, case,
// the script's own functions, redirections to /dev/null, "$1", $(readlink …)) to run the
// account and link lines Alpine scripts consist of, and to say exactly which lines it
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
// script content: a loop, a pipeline or a command it cannot evaluate is an unknown line;
// text the reader cannot read (or nested too deeply) is an unknown line with the reader's
// message, and nothing after it runs.
ShellResult run_script(std::string_view text, const std::vector<std::string>& arguments,
                       const ShellHooks& hooks);

} // namespace compose::unpack::apk
