// Reproducing and reporting maintainer scripts; see script_effects.hpp.
#include "unpack/deb/script_effects.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "unpack/deb/alternatives.hpp"
#include "unpack/deb/ca_certificates.hpp"
#include "unpack/deb/package_effects.hpp"
#include "unpack/deb/pam_auth_update.hpp"
#include "unpack/deb/shell_commands.hpp"
#include "unpack/deb/system_users.hpp"

namespace compose::unpack::deb {

namespace {

// Shell builtins and keywords: control flow and output, no effect on the image.
const std::set<std::string> k_shell = {
    "[",      "[[",    "test",   "true",   "false",    ":",       "echo",   "printf", "set",
    "exit",   "return", "local", "export", "unset",    "shift",   "break",  "continue",
    "read",   "trap",  "cd",     "wait",   "umask",    "getopts", "type",   "hash",   "command",
    "which",  ".",     "source", "readonly", "sleep",  "exec",    "then",   "else",   "fi",
    "done",   "esac",  "}",      "{",      "in",       "unalias", "alias",  "let"};

// Commands that only read the system (when their output is not redirected into a file).
const std::set<std::string> k_queries = {
    "grep",     "egrep",   "fgrep",   "cut",      "awk",       "mawk",      "head",
    "tail",     "tr",      "sort",    "uniq",     "wc",        "cmp",       "diff",
    "id",       "getent",  "dpkg-query", "readlink", "realpath", "dpkg-realpath", "stat",
    "ls",       "md5sum",  "sha256sum", "sha512sum", "sha1sum", "basename", "dirname",
    "pidof",    "ps",      "uname",   "date",     "seq",       "expr",      "ischroot",
    "systemd-detect-virt", "lsb_release", "logger", "mountpoint", "cat",   "tty",
    "locale",   "dpkg-architecture", "mktemp",   "env",       "pathfind",  "debconf-escape",
    "systemd-analyze", "getconf", "nproc", "hostname", "whoami", "run-parts", "getcap"};

// Commands whose effect an image build does not need, with the reason.
const std::map<std::string, std::string> k_not_needed = {
    {"deb-systemd-helper", "service enablement: enable services through the recipe"},
    {"deb-systemd-invoke", "starting services: nothing runs at build time"},
    {"systemctl", "service management: nothing runs at build time"},
    {"invoke-rc.d", "starting services: nothing runs at build time"},
    {"update-rc.d", "SysV init links: enable services through the recipe"},
    {"ldconfig", "ld.so cache: glibc searches the default directories without it"},
    {"dpkg-trigger", "triggers: their work is done once after all packages"},
    {"dpkg-maintscript-helper", "conffile moves apply only to upgrades"},
    {"systemd-tmpfiles", "tmpfiles.d entries are created at boot"},
    {"systemd-sysctl", "sysctl settings apply at boot"},
    {"udevadm", "udev rules load at boot"},
    {"update-initramfs", "no kernel or initramfs is built"},
    {"py3compile", "Python byte-code is compiled on first use"},
    {"pycompile", "Python byte-code is compiled on first use"},
    {"py3clean", "Python byte-code is compiled on first use"},
    {"update-menus", "desktop menus"},
    {"update-mime", "desktop MIME caches"},
    {"install-info", "info directory"},
    {"restorecon", "SELinux labels"},
    {"chcon", "SELinux labels"},
    {"needrestart", "restarting services: nothing runs at build time"},
    {"modprobe", "kernel modules load at boot"},
    {"sync", "nothing to flush in an image being built"},
    {"journalctl", "the journal's message catalog index is rebuilt on demand"},
    {"systemd-machine-id-setup",
     "machine-id: left empty so that the first boot generates one per machine"},
    {"dbus-uuidgen", "machine-id: left empty so that the first boot generates one per machine"}};

// deb-systemd-helper enable|reenable UNIT, update-rc.d NAME defaults|enable|…: service
// links a first installation makes (not removals, queries or state updates).
bool enables_service(const std::vector<std::string>& words)
{
  if (words.empty())
    return false;
  const auto has = [&](const char* word) {
    return std::find(words.begin() + 1, words.end(), word) != words.end();
  };
  if (words[0] == "deb-systemd-helper")
    return has("enable") || has("reenable");
  if (words[0] == "update-rc.d")
    return !has("remove") && !has("disable");
  return false;
}

// Programs we apply to the tree.
bool is_account_command(const std::string& program)
{
  return program == "adduser" || program == "addgroup" || program == "useradd" ||
         program == "groupadd";
}

bool is_modelled(const std::string& program)
{
  return is_account_command(program) || program == "update-alternatives" ||
         program == "setcap" || program == "dpkg-statoverride" || program == "dpkg-divert" ||
         program == "install" || program == "mkdir" || program == "chmod" || program == "chown" ||
         program == "chgrp" || program == "update-ca-certificates" || program == "update-shells" ||
         program == "touch" || program == "ln" || program == "cp" || program == "mv" ||
         program == "systemd-sysusers" || program == "pam-auth-update";
}

std::string command_text(const ShellCommand& command)
{
  std::string text;
  for (const auto& word : command.words) {
    text += (text.empty() ? "" : " ") + word;
    if (text.size() > 100)
      return text.substr(0, 100) + "…";
  }
  return text;
}

std::string join(const std::vector<std::string>& items, const std::string& separator)
{
  std::string text;
  for (const auto& item : items)
    text += (text.empty() ? "" : separator) + item;
  return text;
}

bool is_db_command(const std::string& program)
{
  return program.starts_with("db_");
}

struct Outcome {
  std::vector<std::string> effects;
  std::vector<std::string> left_out;
  std::set<std::string> reasons;
};

ScriptReport make_report(const std::string& package, const std::string& script,
                         const Outcome& outcome)
{
  ScriptReport report{package, script, "", ""};
  if (!outcome.left_out.empty()) {
    report.status = "not reproduced";
    report.detail = "left out: " + join(outcome.left_out, "; ");
    if (!outcome.effects.empty())
      report.detail += "; done: " + join(outcome.effects, "; ");
  } else if (!outcome.effects.empty()) {
    report.status = "reproduced";
    report.detail = join(outcome.effects, "; ");
  } else {
    report.status = "not needed";
    report.detail = outcome.reasons.empty()
                        ? "only shell logic and queries on a first installation"
                        : join(std::vector<std::string>(outcome.reasons.begin(), outcome.reasons.end()),
                               "; ");
  }
  return report;
}

// dh_installnss's edit: sed -E -i /etc/nsswitch.conf -e '/^DB:\s[^#]*$/ s/$/ MODULE/'
// -e '/^DB:\s.*#/ s/#/ MODULE #/' appends MODULE to the DB line (before a comment).
std::optional<std::string> edit_nsswitch(const std::vector<std::string>& words,
                                         EffectContext& context)
{
  if (words.size() != 8 || words[1] != "-E" || words[2] != "-i" || words[4] != "-e" ||
      words[6] != "-e")
    return std::nullopt;
  const std::string& first = words[5];
  if (!first.starts_with("/^") || first.find(":\\s[^#]*$/ s/$/ ") == std::string::npos ||
      !first.ends_with("/"))
    return std::nullopt;
  const std::string database = first.substr(2, first.find(':') - 2);
  const std::string module = first.substr(first.find("s/$/ ") + 5, first.size() - first.find("s/$/ ") - 6);
  if (words[7] != "/^" + database + ":\\s.*#/ s/#/ " + module + " #/")
    return std::nullopt;
  const auto file = context.tree.resolve(stage::Tree::normalise(words[3]));
  if (!file || file->type != stage::FileType::regular)
    return std::nullopt;
  std::string out;
  const std::string text_bytes = file->content.read();
  std::string_view text = text_bytes;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string line(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.starts_with(database + ":") && line.size() > database.size() + 1 &&
        (line[database.size() + 1] == ' ' || line[database.size() + 1] == '\t')) {
      const std::size_t hash = line.find('#');
      if (hash == std::string::npos)
        line += " " + module;
      else
        line.replace(hash, 1, " " + module + " #");
    }
    out += line + "\n";
  }
  file->content = stage::Content(out);
  return words[3] + ": " + database + " += " + module;
}

// Template -> Default of the package's debconf templates: the answers a noninteractive
// installation gets.
std::map<std::string, std::string> debconf_defaults(const InstalledPackage& package)
{
  std::map<std::string, std::string> defaults;
  const auto member = package.unpacked.archive.control_files.find("templates");
  if (member == package.unpacked.archive.control_files.end())
    return defaults;
  std::string name;
  std::string_view text = member->second.bytes;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.starts_with("Template:"))
      name = std::string(line.substr(line.find_first_not_of(" \t", 9)));
    else if (line.starts_with("Default:") && !name.empty()) {
      const std::size_t value = line.find_first_not_of(" \t", 8);
      defaults[name] = value == std::string_view::npos ? "" : std::string(line.substr(value));
    }
  }
  return defaults;
}

// The judgement every command gets: skipped (shell, query, covered), not needed (with a
// reason), applied through `apply`, or left out.
Outcome evaluate(const std::string& package, const ShellScript& script,
                 const std::set<std::string>& covered, EffectContext* context)
{
  Outcome outcome;
  if (covered.contains("*"))
    return outcome;
  for (ShellCommand command : script.commands) {
    // A wrapper function such as dbus' in_sysroot runs its arguments.
    if (script.wrappers.contains(command.words[0]) && command.words.size() > 1)
      command.words.erase(command.words.begin());
    const std::string& program = command.words[0];
    if (command.dead || covered.contains(program) || script.functions.contains(program))
      continue;
    // Function bodies are judged where they are called (scan_shell expands the calls).
    if (command.in_function)
      continue;
    if (program == "umask" && context && command.words.size() == 2) {
      std::uint32_t mask = 0;
      const std::string& text = command.words[1];
      if (std::from_chars(text.data(), text.data() + text.size(), mask, 8).ec == std::errc())
        context->umask = mask & 0777;
      continue;
    }
    if (command.writes_file && program == "cat" && command.words.size() == 1 && context &&
        command.heredoc && command.heredoc_literal && !command.unresolved &&
        command.redirect_target.starts_with("/") &&
        command.redirect_target.find_first_of("$`*?") == std::string::npos) {
      // cat > FILE <<EOF: the file gets the here-document (appended for >>).
      const std::string name = stage::Tree::normalise(command.redirect_target);
      const auto existing = context->tree.resolve(name);
      std::string bytes = command.appends && existing ? existing->content.read() : "";
      bytes += *command.heredoc;
      stage::Inode inode;
      inode.mode = existing ? existing->mode : (0666 & ~context->umask);
      inode.mtime = context->epoch;
      inode.content = stage::Content(bytes);
      context->tree.add(name, std::move(inode), stage::Existing::replace,
                        stage::ParentSymlinks::follow, true);
      outcome.effects.push_back((command.appends ? "appended to " : "wrote ") +
                                command.redirect_target);
      continue;
    }
    if (command.writes_file) {
      outcome.left_out.push_back("writes " + command.redirect_target + " (line " +
                                 std::to_string(command.line) + ")");
      continue;
    }
    if (enables_service(command.words)) {
      // apt's system would have the links (…/*.wants/, /etc/rc?.d/); the image has them only
      // when the recipe enables the service, so each is an effect left out.
      outcome.left_out.push_back(command_text(command) + " (line " +
                                 std::to_string(command.line) + ")");
      continue;
    }
    if (k_shell.contains(program) || is_db_command(program)) {
      if (is_db_command(program) || program == ".")
        outcome.reasons.insert("debconf: the default answers apply");
      continue;
    }
    if (program == "sed" && context && !command.unresolved) {
      if (const auto done = edit_nsswitch(command.words, *context)) {
        outcome.effects.push_back(*done);
        continue;
      }
    }
    if (program == "sed" && std::none_of(command.words.begin(), command.words.end(),
                                         [](const std::string& w) { return w.starts_with("-i"); }))
      continue;
    if (program == "dpkg" && command.words.size() > 1 &&
        (command.words[1] == "--compare-versions" || command.words[1].starts_with("--assert") ||
         command.words[1] == "--print-architecture" || command.words[1] == "-s" ||
         command.words[1] == "--status" || command.words[1] == "-L" || command.words[1] == "-l" ||
         command.words[1] == "--validate-pkgname" || command.words[1] == "--validate-version"))
      continue;
    if (k_queries.contains(program))
      continue;
    if (program == "ldconfig" && context && context->ld_so_cache) {
      // Plain ldconfig (quiet or verbose; libc-bin's postinst says -r "$DPKG_ROOT/", the
      // image root) is what the cache written after all packages reproduces; -n, -l, -f, -C
      // or another root ask for something else.
      bool plain = true;
      for (std::size_t i = 1; i < command.words.size(); ++i) {
        const std::string& word = command.words[i];
        if (word == "-r" && i + 1 < command.words.size() &&
            (command.words[i + 1] == "/" || command.words[i + 1].empty()))
          ++i;
        else if (word != "-X" && word != "-v" && word != "--verbose")
          plain = false;
      }
      if (plain)
        outcome.effects.push_back("ldconfig (done once after all packages)");
      else
        outcome.left_out.push_back(command_text(command) + " (line " +
                                   std::to_string(command.line) + ")");
      continue;
    }
    if (const auto reason = k_not_needed.find(program); reason != k_not_needed.end()) {
      outcome.reasons.insert(program + ": " + reason->second);
      continue;
    }
    if (program == "rm" && context && !command.unresolved) {
      // Removing what an earlier script of this installation created (dh_installnss's
      // "will-install" flag file) undoes that effect.
      std::vector<std::string> paths;
      for (std::size_t i = 1; i < command.words.size(); ++i)
        if (!command.words[i].starts_with("-"))
          paths.push_back(command.words[i]);
      if (!paths.empty() && std::all_of(paths.begin(), paths.end(), [&](const std::string& path) {
            return context->created.contains(path);
          })) {
        for (const auto& path : paths) {
          context->tree.remove(stage::Tree::normalise(path));
          context->created.erase(path);
        }
        outcome.effects.push_back("removed " + join(paths, " "));
        continue;
      }
    }
    if (program == "rm" && context) {
      // Removing what a first installation never had is a no-op.
      bool all_absent = true;
      for (std::size_t i = 1; i < command.words.size(); ++i) {
        const std::string& word = command.words[i];
        if (word.starts_with("-"))
          continue;
        if (command.unresolved || !word.starts_with("/") ||
            context->tree.find(stage::Tree::normalise(word), stage::ParentSymlinks::follow))
          all_absent = false;
      }
      if (all_absent)
        continue;
    }
    if (!context || !is_modelled(program) || command.unresolved) {
      outcome.left_out.push_back(command_text(command) + " (line " + std::to_string(command.line) + ")");
      continue;
    }
    std::optional<std::string> done;
    if (is_account_command(program))
      done = context->accounts.apply(command.words);
    else if (program == "systemd-sysusers")
      done = context->accounts.apply_sysusers(command.words, context->tree);
    else if (program == "update-alternatives")
      done = record_alternative(command.words, context->state);
    else if (program == "pam-auth-update" &&
             std::none_of(command.words.begin(), command.words.end(), [](const std::string& w) {
               return w == "--remove" || w == "--disable" || w == "--enable";
             }))
      done = "pam-auth-update (done once after all packages)";
    else if (program == "pam-auth-update")
      done = std::nullopt;
    else if (program == "update-ca-certificates" || program == "update-shells")
      done = program + " (done once after all packages)";
    else
      done = reproduce_command(command.words, package, *context);
    if (!done)
      outcome.left_out.push_back(command_text(command) + " (line " + std::to_string(command.line) + ")");
    else if (!done->empty())
      outcome.effects.push_back(*done);
  }
  return outcome;
}

bool is_shell_script(const std::string& text)
{
  return text.starts_with("#!/bin/sh") || text.starts_with("#! /bin/sh") ||
         text.starts_with("#!/bin/dash") ||
         text.starts_with("#!/bin/bash") || text.starts_with("#! /bin/bash") ||
         text.starts_with("#!/usr/bin/sh") || text.starts_with("#!/usr/bin/bash");
}

} // namespace

ScriptReport classify_script(const std::string& package, const std::string& script,
                             const std::string& text)
{
  if (script == "prerm" || script == "postrm")
    return {package, script, "not needed", "runs only on removal or upgrade"};
  if (script == "config")
    return {package, script, "not needed", "debconf questions: the default answers apply"};
  if (!is_shell_script(text))
    return {package, script, "not reproduced",
            "not a shell script (" + text.substr(0, std::min<std::size_t>(text.find('\n'), 40)) + ")"};
  return make_report(package, script, evaluate(package, scan_shell(text), {}, nullptr));
}

std::vector<ScriptReport> reproduce_script_effects(const std::vector<InstalledPackage>& packages,
                                                   stage::Tree& tree, std::int64_t epoch,
                                                   DpkgState& state,
                                                   std::vector<std::string>& warnings,
                                                   bool ld_so_cache)
{
  SystemAccounts accounts = SystemAccounts::load(tree);
  if (!accounts.uid_of("root"))
    warnings.push_back("no root account: base-passwd is not installed (and no /etc/passwd was "
                       "shipped), so users made by scripts start from an empty /etc/passwd");
  EffectContext context{tree, epoch, state, accounts, warnings, 022, {}, ld_so_cache};
  std::vector<ScriptReport> reports;
  for (const auto& installed : packages) {
    const std::string package = installed.unpacked.archive.control.value("Package");
    for (const char* script : {"preinst", "postinst", "prerm", "postrm", "config"}) {
      const auto member = installed.unpacked.archive.control_files.find(script);
      if (member == installed.unpacked.archive.control_files.end())
        continue;
      const std::string& text = member->second.bytes;
      if (std::string(script) != "preinst" && std::string(script) != "postinst") {
        reports.push_back(classify_script(package, script, text));
        continue;
      }
      if (!is_shell_script(text)) {
        reports.push_back(classify_script(package, script, text));
        continue;
      }
      Outcome outcome;
      std::set<std::string> covered;
      if (const auto special = reproduce_package_script(package, script, context)) {
        outcome.effects = special->effects;
        outcome.left_out = special->left_out;
        covered = special->covered;
      }
      const FileTest file_test = [&tree](char op, const std::string& path) -> std::optional<bool> {
        const std::string name = stage::Tree::normalise(path);
        const auto link = tree.find(name, stage::ParentSymlinks::follow);
        const auto inode = tree.resolve(name);
        switch (op) {
        case 'e': return inode != nullptr;
        case 'f': return inode && inode->type == stage::FileType::regular;
        case 'd': return inode && inode->type == stage::FileType::directory;
        case 'L':
        case 'h': return link && link->type == stage::FileType::symlink;
        case 'x': return inode && (inode->mode & 0111) != 0;
        case 's': return inode && inode->content.size() > 0;
        default: return std::nullopt;
        }
      };
      const std::map<std::string, std::string> environment = {
          {"DPKG_MAINTSCRIPT_PACKAGE", package},
          {"DPKG_MAINTSCRIPT_NAME", script},
          {"DPKG_MAINTSCRIPT_ARCH", installed.unpacked.archive.control.value("Architecture")},
          // dpkg runs "preinst install" and "postinst configure" on a first installation.
          {"1", std::string(script) == "preinst" ? "install" : "configure"}};
      // "command -v NAME" looks NAME up in the image's PATH; a setcap we can apply
      // succeeds.
      const CommandTest command_test =
          [&tree](const std::vector<std::string>& words) -> std::optional<bool> {
        if (words.size() == 3 && words[0] == "command" && words[1] == "-v") {
          for (const char* directory : {"usr/local/sbin/", "usr/local/bin/", "usr/sbin/",
                                        "usr/bin/", "sbin/", "bin/"})
            if (tree.resolve(directory + words[2]))
              return true;
          return false;
        }
        if (words.size() == 3 && words[0] == "setcap" && words[2].starts_with("/"))
          return capability_xattr(words[1]) && tree.resolve(stage::Tree::normalise(words[2]));
        return std::nullopt;
      };
      const Outcome generic = evaluate(
          package,
          scan_shell(text, file_test, environment, command_test, debconf_defaults(installed)),
          covered, &context);
      outcome.effects.insert(outcome.effects.end(), generic.effects.begin(), generic.effects.end());
      outcome.left_out.insert(outcome.left_out.end(), generic.left_out.begin(), generic.left_out.end());
      outcome.reasons.insert(generic.reasons.begin(), generic.reasons.end());
      reports.push_back(make_report(package, script, outcome));
    }
  }

  // Deferred work, in the order dpkg's trigger processing and configure would leave it.
  apply_alternatives(state, tree, epoch, warnings);
  update_shells(context);
  apply_ca_certificates(tree, epoch);
  apply_pam_auth_update(tree, epoch);
  if (tree.find("etc/passwd", stage::ParentSymlinks::follow) ||
      tree.find("usr/share/base-passwd/passwd.master", stage::ParentSymlinks::follow)) {
    accounts.store(tree, epoch);
    // useradd's subordinate id files exist, empty, once shadow's tools are installed.
    for (const char* path : {"etc/subuid", "etc/subgid"})
      if (tree.find("usr/sbin/useradd", stage::ParentSymlinks::follow) &&
          !tree.find(path, stage::ParentSymlinks::follow))
        tree.add_file(path, "", 0644);
  }
  apply_statoverrides(context);
  return reports;
}

} // namespace compose::unpack::deb
