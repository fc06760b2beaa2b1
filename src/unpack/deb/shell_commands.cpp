// The Debian policy over the shared sh reader (unpack/shell): walk the syntax tree of a
// maintainer script in text order and list the simple commands a first installation
// runs, with literal values substituted and dead branches marked; see shell_commands.hpp.
#include "unpack/deb/shell_commands.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <memory>

#include "unpack/shell/syntax.hpp"

namespace compose::unpack::deb {

namespace {

using shell::Command;
using shell::Word;
using shell::WordPart;

// Function calls are expanded at most this deep (a function calling itself stops here),
// and at most this many times in one script: depth alone lets a function that calls the
// next one twice, eight levels down, expand 2^8 times, and wider calls far more (found by
// fuzz_deb_script). Real scripts expand a few dozen calls.
constexpr int k_max_call_depth = 8;
constexpr std::size_t k_max_calls = 2048;

// What nested scanners (command substitutions, function calls) share.
struct Shared {
  FileTest file_test;
  CommandTest command_test;
  std::map<std::string, std::string> debconf_defaults;
  std::map<std::string, std::shared_ptr<const Command>> bodies; // functions defined so far
  int depth = 0;
  std::size_t calls = 0; // expanded so far
};

// Where the walk is.
struct Place {
  bool dead = false;        // a branch a first installation does not take
  bool certain = true;      // every enclosing branch is certainly taken
  bool in_function = false; // inside a function definition (runs only when called)
};

struct Expanded {
  std::string text;
  bool unresolved = false;
};

class Scanner {
public:
  Scanner(ShellScript& script, std::map<std::string, std::string>& vars, Shared& shared)
      : m_script(script), m_vars(vars), m_shared(shared)
  {
  }

  // The status of the last command when it is known (a literal test), else nullopt.
  std::optional<bool> scan_list(const shell::List& list, const Place& place)
  {
    std::optional<bool> status = true;
    for (const shell::AndOr& and_or : list.items)
      status = scan_and_or(and_or, place);
    return status;
  }

private:
  // "[ -z "$2" ] && cmd": a known status skips the rest of the && (or ||) chain.
  std::optional<bool> scan_and_or(const shell::AndOr& and_or, const Place& place)
  {
    std::optional<bool> status;
    for (std::size_t i = 0; i < and_or.pipelines.size(); ++i) {
      Place here = place;
      // "exit 1" in "cmd || exit 1" runs only when cmd fails.
      here.certain = place.certain && and_or.pipelines.size() == 1;
      if (i > 0 && status &&
          (and_or.connectors[i - 1] == shell::Connector::and_then ? !*status : *status))
        here.dead = true; // skipped: the status so far passes on
      const std::optional<bool> result = scan_pipeline(and_or.pipelines[i], here);
      if (!here.dead || place.dead)
        status = result;
    }
    return status;
  }

  std::optional<bool> scan_pipeline(const shell::Pipeline& pipeline, const Place& place)
  {
    Place here = place;
    here.certain = place.certain && pipeline.commands.size() == 1; // "|" runs subshells
    std::optional<bool> status;
    for (const Command& command : pipeline.commands)
      status = scan_command(command, here);
    if (pipeline.commands.size() > 1)
      return std::nullopt;
    if (pipeline.negated && status)
      status = !*status;
    return status;
  }

  std::optional<bool> scan_command(const Command& command, const Place& place)
  {
    std::optional<bool> status;
    switch (command.kind) {
    case Command::Kind::simple: return scan_simple(command, place);
    case Command::Kind::brace_group: status = scan_list(command.body, place); break;
    case Command::Kind::subshell: {
      // Assignments and "exit" in ( … ) stay inside it.
      std::map<std::string, std::string> copy = m_vars;
      Scanner inner(m_script, copy, m_shared);
      inner.m_in_definition = m_in_definition;
      Place here = place;
      here.certain = false;
      status = inner.scan_list(command.body, here);
      break;
    }
    case Command::Kind::if_clause: scan_if(command, place); break;
    case Command::Kind::case_clause: scan_case(command, place); break;
    case Command::Kind::for_loop: {
      for (const Word& word : command.words)
        expand(word, place);
      m_vars.erase(command.name);
      Place here = place;
      here.certain = false; // the body runs any number of times, maybe none
      scan_list(command.body, here);
      break;
    }
    case Command::Kind::while_loop:
    case Command::Kind::until_loop: {
      Place here = place;
      here.certain = false;
      scan_list(command.branches[0].condition, here);
      scan_list(command.branches[0].body, here);
      break;
    }
    case Command::Kind::function_definition: define(command, place); return true;
    }
    // "{ …; } > FILE": the group's output is a file the scripts writes.
    ShellCommand redirected;
    redirected.words = {keyword_of(command)};
    redirected.line = command.line;
    if (read_redirections(command, redirected, place)) {
      redirected.dead = place.dead || m_returned;
      redirected.in_function = place.in_function;
      m_script.commands.push_back(std::move(redirected));
    }
    return status;
  }

  static std::string keyword_of(const Command& command)
  {
    switch (command.kind) {
    case Command::Kind::brace_group: return "{";
    case Command::Kind::subshell: return "(";
    case Command::Kind::if_clause: return "if";
    case Command::Kind::case_clause: return "case";
    case Command::Kind::for_loop: return "for";
    case Command::Kind::while_loop: return "while";
    case Command::Kind::until_loop: return "until";
    default: return "";
    }
  }

  // A branch is dead once an earlier condition is known true or its own is known false;
  // it is certain when its condition is known true and every earlier one known false.
  void scan_if(const Command& command, const Place& place)
  {
    bool taken = false, unknown = false;
    for (const shell::Branch& branch : command.branches) {
      Place condition = place;
      condition.dead = place.dead || taken;
      condition.certain = false;
      const std::optional<bool> status = scan_list(branch.condition, condition);
      Place body = place;
      body.dead = condition.dead || status == false;
      body.certain = place.certain && !unknown && !taken && status == true;
      scan_list(branch.body, body);
      if (!condition.dead && status == true)
        taken = true;
      if (!status)
        unknown = true;
    }
    if (command.otherwise) {
      Place otherwise = place;
      otherwise.dead = place.dead || taken;
      otherwise.certain = place.certain && !unknown && !taken;
      scan_list(*command.otherwise, otherwise);
    }
  }

  // With a literal subject only the first matching item runs.
  void scan_case(const Command& command, const Place& place)
  {
    const Expanded subject = expand(command.words[0], place);
    bool matched = false;
    for (const shell::CaseItem& item : command.items) {
      bool matches = false;
      for (const Word& word : item.patterns) {
        const Expanded pattern = expand(word, place);
        matches = matches || fnmatch(pattern.text.c_str(), subject.text.c_str(), 0) == 0;
      }
      Place body = place;
      if (subject.unresolved) {
        body.certain = false;
      } else {
        body.dead = place.dead || matched || !matches;
        body.certain = place.certain && !matched && matches;
        matched = matched || matches;
      }
      scan_list(item.body, body);
    }
  }

  // The body as written is listed (in_function); its calls are expanded where they run.
  void define(const Command& command, const Place& place)
  {
    Place here = place;
    here.in_function = true;
    here.certain = false;
    Scanner body(m_script, m_vars, m_shared);
    body.m_in_definition = true;
    body.scan_command(*command.function_body, here);
    m_script.functions.insert(command.name);
    m_shared.bodies[command.name] = command.function_body;
  }

  std::optional<bool> scan_simple(const Command& command, const Place& place)
  {
    ShellCommand current;
    current.line = command.line;
    current.in_function = place.in_function;
    std::size_t first = 0;
    for (; first < command.words.size(); ++first) {
      const std::optional<std::string> name = shell::assignment_name(command.words[first]);
      if (!name)
        break;
      Word value;
      value.parts = shell::assignment_value(command.words[first]);
      const Expanded expanded = expand(value, place);
      if (!place.dead)
        assign(*name, expanded);
    }
    for (std::size_t i = first; i < command.words.size(); ++i) {
      const Expanded word = expand(command.words[i], place);
      if (i == first)
        current.line = command.words[i].line;
      // "local x=…", "export x=…": assignments too.
      if (i > first && !place.dead &&
          (current.words[0] == "local" || current.words[0] == "export" ||
           current.words[0] == "readonly"))
        if (const std::size_t equals = word.text.find('='); equals != std::string::npos)
          assign(word.text.substr(0, equals), {word.text.substr(equals + 1), word.unresolved});
      current.words.push_back(word.text);
      current.unresolved = current.unresolved || word.unresolved;
    }
    read_redirections(command, current, place);
    if (current.words.empty())
      return std::nullopt;
    if (!place.dead)
      forget_changed_variables(current.words);

    const std::optional<bool> test = evaluate_test(current);
    current.dead = place.dead || m_returned;
    // "return" or "exit" on a path that is certainly taken ends what this text runs.
    if (!current.dead && place.certain &&
        (current.words[0] == "return" || current.words[0] == "exit"))
      m_returned = true;
    if (current.words[0] == "db_get" && !current.dead) {
      const auto answer = current.words.size() == 2 && !current.unresolved
                              ? m_shared.debconf_defaults.find(current.words[1])
                              : m_shared.debconf_defaults.end();
      if (answer != m_shared.debconf_defaults.end())
        m_vars["RET"] = answer->second;
      else
        m_vars.erase("RET");
    }
    const bool call = !current.dead && !place.in_function &&
                      m_shared.bodies.contains(current.words[0]);
    const std::vector<std::string> arguments = current.words;
    const bool unresolved = current.unresolved;
    m_script.commands.push_back(std::move(current));
    if (call)
      instantiate(arguments, unresolved, place);
    return test;
  }

  // Fills the redirection fields of `command`; true when it writes a file.
  bool read_redirections(const Command& syntax, ShellCommand& command, const Place& place)
  {
    for (const shell::Redirection& redirection : syntax.redirections) {
      const Expanded target = expand(redirection.target, place);
      if (redirection.heredoc) {
        command.heredoc = *redirection.heredoc;
        command.heredoc_literal = redirection.heredoc_quoted ||
                                  redirection.heredoc->find_first_of("$`\\") == std::string::npos;
      }
      const std::string& op = redirection.op;
      if ((op == ">" || op == ">>" || op == ">|" || op == "&>" || op == "&>>") &&
          target.text != "/dev/null") {
        command.writes_file = true;
        command.redirect_target = target.text;
        command.appends = op.ends_with(">>");
      }
    }
    return command.writes_file;
  }

  // "set -- …" replaces the positional parameters and "read NAME…" sets variables, with
  // values the scan cannot know.
  void forget_changed_variables(const std::vector<std::string>& words)
  {
    if (words[0] == "set" && std::find(words.begin(), words.end(), "--") != words.end()) {
      for (const char* name : {"1", "2", "3", "4", "5", "6", "7", "8", "9", "#", "@", "*"})
        m_vars.erase(name);
    } else if (words[0] == "read") {
      for (std::size_t i = 1; i < words.size(); ++i)
        if (!words[i].starts_with("-"))
          m_vars.erase(words[i]);
    }
  }

  void assign(const std::string& name, const Expanded& value)
  {
    if (value.unresolved)
      m_vars.erase(name);
    else
      m_vars[name] = value.text;
  }

  // Does a function body run its arguments as a command ("$@", or chroot … "$@")?
  static bool runs_arguments(const Command& body)
  {
    const auto is_all_arguments = [](const Word& word) {
      return std::any_of(word.parts.begin(), word.parts.end(), [](const WordPart& part) {
        return part.kind == WordPart::Kind::parameter && part.name == "@";
      });
    };
    bool runs = false;
    shell::for_each_simple_command(body, [&](const Command& command) {
      const std::size_t first = static_cast<std::size_t>(
          std::find_if(command.words.begin(), command.words.end(),
                       [](const Word& word) { return !shell::assignment_name(word); }) -
          command.words.begin());
      if (first == command.words.size())
        return;
      if (is_all_arguments(command.words[first]) ||
          (shell::is_literal(command.words[first], "chroot") &&
           std::any_of(command.words.begin(), command.words.end(), is_all_arguments)))
        runs = true;
    });
    return runs;
  }

  // A call of a function the script defined: its body is read again with $1… bound to
  // the call's words, so "install_from_default /usr/share/x /etc/x" becomes a "cp".
  void instantiate(const std::vector<std::string>& words, bool unresolved, const Place& place)
  {
    if (m_shared.depth >= k_max_call_depth || m_shared.calls >= k_max_calls)
      return;
    ++m_shared.calls;
    const std::shared_ptr<const Command> body = m_shared.bodies.at(words[0]);
    if (runs_arguments(*body)) {
      // A wrapper such as dbus' in_sysroot runs its arguments: the call is judged as the
      // command it wraps.
      m_script.wrappers.insert(words[0]);
      return;
    }
    std::map<std::string, std::string> variables = m_vars;
    for (int i = 1; i <= 9; ++i)
      variables.erase(std::to_string(i));
    for (std::size_t i = 1; i < words.size() && i <= 9; ++i)
      if (!unresolved)
        variables[std::to_string(i)] = words[i];
    Place here = place;
    here.certain = true; // a "return" in the body ends the call, not the script
    ++m_shared.depth;
    Scanner(m_script, variables, m_shared).scan_command(*body, here);
    --m_shared.depth;
  }

  // Literal values are substituted; anything else stays as written and marks the word
  // unresolved. Commands in substitutions are listed (they run too).
  Expanded expand(const Word& word, const Place& place)
  {
    return expand_parts(word.parts, place);
  }

  Expanded expand_parts(const std::vector<WordPart>& parts, const Place& place)
  {
    Expanded out;
    for (const WordPart& part : parts) {
      switch (part.kind) {
      case WordPart::Kind::literal:
        if (!part.quoted && part.text.find_first_of("*?") != std::string::npos)
          out.unresolved = true; // a glob: the words depend on the filesystem
        out.text += part.text;
        break;
      case WordPart::Kind::parameter: expand_parameter(part, place, out); break;
      case WordPart::Kind::substitution: substitute(part, place, out); break;
      case WordPart::Kind::arithmetic:
        out.text += part.text;
        out.unresolved = true;
        break;
      }
    }
    return out;
  }

  // $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word} with a literal value.
  void expand_parameter(const WordPart& part, const Place& place, Expanded& out)
  {
    const std::optional<std::string> value = lookup(part.name);
    const std::string& operation = part.operation;
    if (!value || !(operation.empty() || operation == ":-" || operation == "-" ||
                    operation == ":+" || operation == "+")) {
      out.text += part.text;
      out.unresolved = true;
      return;
    }
    const bool use_word = operation == ":-" || operation == "-" ? value->empty()
                          : operation.empty()                  ? false
                                                               : !value->empty();
    if (operation.empty() || (!use_word && (operation == ":-" || operation == "-"))) {
      out.text += *value;
      return;
    }
    if (!use_word)
      return; // ${x:+word} with x empty
    const Expanded word = expand_parts(part.argument, place);
    out.text += word.text;
    out.unresolved = out.unresolved || word.unresolved;
  }

  std::optional<std::string> lookup(const std::string& name) const
  {
    if (m_in_definition && name.size() == 1 &&
        (std::isdigit(static_cast<unsigned char>(name[0])) || name == "@" || name == "*" ||
         name == "#"))
      return std::nullopt; // a function's own arguments
    const auto found = m_vars.find(name);
    if (found == m_vars.end())
      return std::nullopt;
    return found->second;
  }

  // $(…) and `…`: the inner commands are listed with their own variables.
  void substitute(const WordPart& part, const Place& place, Expanded& out)
  {
    // $(dpkg-divert --truename PATH) is PATH on a system without foreign diversions.
    constexpr std::string_view truename = "dpkg-divert --truename ";
    const std::string_view inner = part.text;
    if (inner.starts_with(truename) && inner.substr(truename.size()).starts_with("/") &&
        inner.substr(truename.size()).find_first_of(" \t\n$`\"'") == std::string_view::npos) {
      out.text += inner.substr(truename.size());
      return;
    }
    std::map<std::string, std::string> copy = m_vars;
    Scanner nested(m_script, copy, m_shared);
    nested.m_in_definition = m_in_definition;
    Place here = place;
    here.certain = false;
    nested.scan_list(*part.commands, here);
    out.text += part.backquoted ? "`" + part.text + "`" : "$(" + part.text + ")";
    out.unresolved = true;
  }

  // The value of "[ A = B ]", "[ A != B ]", "[ -z A ]", "[ -n A ]", "test …" when every
  // operand is literal; nullopt for anything else.
  std::optional<bool> evaluate_test(const ShellCommand& command) const
  {
    if (command.unresolved)
      return std::nullopt;
    std::vector<std::string> words = command.words;
    if (words[0] == "[" && words.size() > 1 && words.back() == "]")
      words = std::vector<std::string>(words.begin() + 1, words.end() - 1);
    else if (words[0] == "test")
      words.erase(words.begin());
    else if (m_shared.command_test && !command.writes_file)
      return m_shared.command_test(words);
    else
      return std::nullopt;
    if (!words.empty() && words[0] == "!") {
      words.erase(words.begin());
      ShellCommand inner;
      inner.words = {"test"};
      inner.words.insert(inner.words.end(), words.begin(), words.end());
      const std::optional<bool> value = evaluate_test(inner);
      return value ? std::optional<bool>(!*value) : std::nullopt;
    }
    if (words.size() == 2 && words[0].size() == 2 && words[0][0] == '-' &&
        std::string_view("efdLhxs").find(words[0][1]) != std::string_view::npos &&
        m_shared.file_test && words[1].starts_with("/"))
      return m_shared.file_test(words[0][1], words[1]);
    if (words.size() == 3 && (words[1] == "=" || words[1] == "=="))
      return words[0] == words[2];
    if (words.size() == 3 && words[1] == "!=")
      return words[0] != words[2];
    if (words.size() == 2 && words[0] == "-z")
      return words[1].empty();
    if (words.size() == 2 && words[0] == "-n")
      return !words[1].empty();
    return std::nullopt;
  }

  ShellScript& m_script;
  std::map<std::string, std::string>& m_vars;
  Shared& m_shared;
  bool m_returned = false;      // an exit or return certainly ran: the rest is dead
  bool m_in_definition = false; // reading a function body where it is defined
};

} // namespace

ShellScript scan_shell(std::string_view text, const FileTest& file_test,
                       const std::map<std::string, std::string>& environment,
                       const CommandTest& command_test,
                       const std::map<std::string, std::string>& debconf_defaults)
{
  ShellScript script;
  std::map<std::string, std::string> variables = environment;
  variables.insert({{"DPKG_ROOT", ""}, {"1", "configure"}, {"2", ""}});
  Shared shared{file_test, command_test, debconf_defaults, {}, 0};
  const shell::Script parsed = shell::parse_script(text);
  Scanner(script, variables, shared).scan_list(parsed.program, Place{});
  if (parsed.error) {
    // The reader stopped: what follows is not understood, so it is not reproduced.
    ShellCommand unreadable;
    unreadable.words = {"unreadable shell: " + parsed.error->message};
    unreadable.line = parsed.error->line;
    unreadable.unresolved = true;
    script.commands.push_back(std::move(unreadable));
  }
  return script;
}

} // namespace compose::unpack::deb
