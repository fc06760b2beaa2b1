// What package scripts would have done, done on the Tree instead (apk-format §10):
// busybox adduser/addgroup, chown/chmod/mkdir/ln, "busybox --install -s" (applet links,
// made once after all packages), update-ca-certificates when the bundle is already there.
// Every other command makes its line "not understood"; the caller reports those.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stage/tree.hpp"

namespace compose::unpack::apk {

struct ScriptEnvironment {
  stage::Tree& tree;
  std::int64_t epoch = 0;              // shadow "last change" days and new inode mtimes
  bool applet_links_requested = false; // a script ran "busybox --install -s"
};

struct ScriptOutcome {
  std::vector<std::string> unknown_lines; // empty: every line was understood and applied
  std::vector<std::string> effects;       // "adduser messagebus (uid 100)", for reports
  int exit_status = 0;
};

// Evaluates one script against the tree with `arguments` as $1 … (apk passes the new
// version for install scripts, matched directories for triggers).
ScriptOutcome reproduce_script(std::string_view text, const std::vector<std::string>& arguments,
                               ScriptEnvironment& environment);

} // namespace compose::unpack::apk
