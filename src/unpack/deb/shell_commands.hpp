// The Debian policy for maintainer scripts: the script is read by the shared sh reader
// (unpack/shell) and scanned, not run, as the list of simple commands a first
// installation runs: literal variables expanded, calls of the script's own functions
// expanded, branches a first installation does not take marked dead. Enough to recognise
// "adduser --system sshd" or a multi-line "update-alternatives --install …" and to name
// every command a script uses.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace compose::unpack::deb {

struct ShellCommand {
  std::vector<std::string> words; // quotes removed; "$VAR" expanded when its value is literal
  std::size_t line = 0;           // 1-based line of the first word
  bool unresolved = false;        // a word still holds "$", "`" or a glob after expansion
  bool writes_file = false;       // has a "> file" redirection other than /dev/null or &N
  std::string redirect_target;    // that file
  bool appends = false;           // ">>" rather than ">"
  std::optional<std::string> heredoc; // the here-document this command reads
  bool heredoc_literal = false;   // …with nothing left to expand
  bool in_function = false;       // inside a function body (runs only when called)
  // In a branch a first installation ($1 = configure, $2 = "") never takes: an if whose
  // literal test is false, a case pattern other than the subject, "[ … ] && cmd" after a
  // false test.
  bool dead = false;
};

struct ShellScript {
  std::vector<ShellCommand> commands;      // in text order, function bodies included
  std::set<std::string> functions;         // names the script defines
  std::set<std::string> wrappers;          // functions that run their arguments ("$@")
};

// Answers "[ -e PATH ]" (op 'e', 'f', 'd', 'L', 'h', 'x', 's') against the image being
// built; nullopt when unknown.
using FileTest = std::function<std::optional<bool>(char op, const std::string& path)>;

// Never throws: text the reader cannot read ends the list with a command whose one word
// is "unreadable shell: <why>", which classifies as unknown.
// $DPKG_ROOT expands to "" (the image root is "/"); $1 is "configure" unless
// `environment` says otherwise ("install" for a preinst), $2 is "" (a first installation); other variables expand only when the script assigns them a literal.
// Calls of the script's own functions are expanded in place with their arguments bound;
// the function bodies as written are kept too, marked in_function.
// Says whether a command used as a condition ("command -v setcap", "setcap … /bin/ping")
// succeeds in the image being built; nullopt when unknown.
using CommandTest = std::function<std::optional<bool>(const std::vector<std::string>& words)>;

// `environment` adds variables dpkg exports (DPKG_MAINTSCRIPT_PACKAGE, …);
// `debconf_defaults` (question -> Default from the package's templates) answer
// "db_get QUESTION" in $RET, as the noninteractive frontend does.
ShellScript scan_shell(std::string_view text, const FileTest& file_test = {},
                       const std::map<std::string, std::string>& environment = {},
                       const CommandTest& command_test = {},
                       const std::map<std::string, std::string>& debconf_defaults = {});

} // namespace compose::unpack::deb
