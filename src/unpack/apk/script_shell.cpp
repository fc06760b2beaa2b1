// The Alpine policy over the shared sh reader (unpack/shell): evaluate the tree with
// known values, hand simple commands to the caller's hook; see script_shell.hpp.
#include "unpack/apk/script_shell.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>

#include "unpack/shell/syntax.hpp"

namespace compose::unpack::apk {

namespace {

using shell::Command;
using shell::Word;
using shell::WordPart;

struct ExitSignal {
  int status;
};

struct ReturnSignal {
  int status;
};

// Calls of the script's own functions may recurse; past this depth the call is unknown. So is
// any call past the budget: depth alone lets "f() { f; f; }" run 2^32 bodies.
constexpr int k_max_call_depth = 32;
constexpr std::size_t k_max_calls = 4096;
constexpr std::size_t k_max_commands = 65536; // simple commands run, calls included
// The longest word an expansion makes; a longer one makes its line unknown.
constexpr std::size_t k_max_word = 64 << 10;

class Evaluator {
public:
  Evaluator(std::string_view text, const std::vector<std::string>& arguments,
            const ShellHooks& hooks)
      : m_arguments(arguments), m_hooks(hooks)
  {
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      std::string line(text.substr(start, end - start));
      const std::size_t first = line.find_first_not_of(" \t");
      const std::size_t last = line.find_last_not_of(" \t\r");
      m_lines.push_back(first == std::string::npos ? "" : line.substr(first, last - first + 1));
      start = end + 1;
    }
  }

  ShellResult run(const shell::Script& script)
  {
    ShellResult result;
    try {
      run_list(script.program);
      // The reader stopped: what follows is not evaluated, so it is not reproduced.
      if (script.error) {
        std::string line = source_line(script.error->line);
        if (line.size() > 100)
          line = line.substr(0, 100) + "…";
        remember_unknown(line + (line.empty() ? "" : " ") + "(sh: " + script.error->message + ")");
      }
    } catch (const ExitSignal& signal) {
      result.exit_status = signal.status;
    }
    result.unknown_lines = m_unknown;
    return result;
  }

private:
  const std::string& source_line(std::size_t line) const
  {
    return line >= 1 && line <= m_lines.size() ? m_lines[line - 1] : m_lines.back();
  }

  void remember_unknown(const std::string& text)
  {
    if (std::find(m_unknown.begin(), m_unknown.end(), text) == m_unknown.end())
      m_unknown.push_back(text);
  }

  Status unknown_at(std::size_t line)
  {
    remember_unknown(source_line(line));
    return Status::unknown;
  }

  Status run_list(const shell::List& list)
  {
    Status status = Status::success;
    for (const shell::AndOr& and_or : list.items)
      status = run_and_or(and_or); // "&": background jobs are plain sequencing here
    return status;
  }

  Status run_and_or(const shell::AndOr& and_or)
  {
    Status status = run_pipeline(and_or.pipelines[0]);
    for (std::size_t i = 0; i < and_or.connectors.size(); ++i) {
      // An unknown left side counts as success: its line is already reported.
      const bool left_ok = status != Status::failure;
      if (and_or.connectors[i] == shell::Connector::and_then ? left_ok : !left_ok)
        status = run_pipeline(and_or.pipelines[i + 1]);
    }
    return status;
  }

  // Only the first command of a pipeline is evaluated; what the others do with its
  // output is not reproduced.
  Status run_pipeline(const shell::Pipeline& pipeline)
  {
    Status status = run_command(pipeline.commands[0]);
    if (pipeline.commands.size() > 1)
      status = unknown_at(pipeline.line);
    if (pipeline.negated && status != Status::unknown)
      status = status == Status::success ? Status::failure : Status::success;
    return status;
  }

  Status run_command(const Command& command)
  {
    if (command.kind == Command::Kind::simple)
      // Calls and words are bounded; this bounds their product too.
      return ++m_commands_run > k_max_commands ? unknown_at(command.line) : run_simple(command);
    if (!redirections_harmless(command))
      return unknown_at(command.line);
    switch (command.kind) {
    case Command::Kind::brace_group: return run_list(command.body);
    case Command::Kind::subshell: return run_subshell(command.body);
    case Command::Kind::if_clause: return run_if(command);
    case Command::Kind::case_clause: return run_case(command);
    case Command::Kind::function_definition:
      m_functions[command.name] = command.function_body;
      return Status::success;
    default:
      // Loops are not evaluated: their body runs an unknown number of times.
      return unknown_at(command.line);
    }
  }

  Status run_subshell(const shell::List& body)
  {
    const std::map<std::string, std::string> variables = m_variables;
    Status status;
    try {
      status = run_list(body);
    } catch (const ExitSignal& signal) {
      status = signal.status == 0 ? Status::success : Status::failure;
    }
    m_variables = variables;
    return status;
  }

  Status run_if(const Command& command)
  {
    for (const shell::Branch& branch : command.branches) {
      const Status condition = run_list(branch.condition);
      if (condition == Status::unknown)
        return Status::unknown; // no branch is taken: the condition's line is reported
      if (condition == Status::success)
        return run_list(branch.body);
    }
    return command.otherwise ? run_list(*command.otherwise) : Status::success;
  }

  Status run_case(const Command& command)
  {
    const std::optional<std::string> subject = expand_single(command.words[0]);
    if (!subject)
      return unknown_at(command.line);
    for (const shell::CaseItem& item : command.items)
      for (const Word& word : item.patterns) {
        const std::optional<std::string> pattern = expand_single(word);
        if (pattern && fnmatch(pattern->c_str(), subject->c_str(), 0) == 0)
          return run_list(item.body);
      }
    return Status::success;
  }

  // Discarding output is harmless; writing or reading a file (or feeding a
  // here-document to a command) is an effect we do not reproduce.
  bool redirections_harmless(const Command& command)
  {
    return std::all_of(command.redirections.begin(), command.redirections.end(),
                       [&](const shell::Redirection& redirection) {
                         if (redirection.heredoc || redirection.op == "<<<")
                           return false;
                         const std::optional<std::string> target = expand_single(redirection.target);
                         return target && (*target == "/dev/null" ||
                                           ((redirection.op == ">&" || redirection.op == "<&") &&
                                            (*target == "1" || *target == "2" || *target == "-")));
                       });
  }

  Status run_simple(const Command& command)
  {
    const bool redirect_ok = redirections_harmless(command);
    if (command.words.empty())
      return redirect_ok ? Status::success : unknown_at(command.line);
    if (!redirect_ok)
      return unknown_at(command.line);

    // Assignments alone set shell variables ("dir=/var/lib/x").
    if (std::all_of(command.words.begin(), command.words.end(),
                    [](const Word& word) { return shell::assignment_name(word).has_value(); })) {
      for (const Word& word : command.words) {
        Word value;
        value.parts = shell::assignment_value(word);
        const std::optional<std::string> expanded = expand_single(value);
        if (!expanded)
          return unknown_at(command.line);
        m_variables[*shell::assignment_name(word)] = *expanded;
      }
      return Status::success;
    }

    std::vector<std::string> argv;
    for (const Word& word : command.words)
      if (!expand(word, argv))
        return unknown_at(command.line);
    if (argv.empty())
      return Status::success;
    const Status status = builtin_function_or_hook(argv, command.line);
    if (status == Status::unknown)
      return unknown_at(command.line);
    m_status = status;
    return status;
  }

  Status builtin_function_or_hook(const std::vector<std::string>& argv, std::size_t line)
  {
    const std::string& name = argv[0];
    if (name == "true" || name == ":")
      return Status::success;
    if (name == "false")
      return Status::failure;
    if (name == "exit" || name == "return") {
      int status = m_status == Status::failure ? 1 : 0;
      if (argv.size() > 1) {
        const std::string& code = argv[1];
        status = 0;
        const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), status);
        if (error != std::errc() || end != code.data() + code.size())
          status = 2; // sh: exit: Illegal number
      }
      if (name == "return" && m_call_depth > 0)
        throw ReturnSignal{status};
      throw ExitSignal{status};
    }
    if (name == "echo" || name == "printf")
      return Status::success; // output only; redirections to files were refused above
    if (const auto function = m_functions.find(name); function != m_functions.end())
      return call(*function->second, argv, line);
    return m_hooks.run(argv);
  }

  // A call of the script's own function: its body runs with the call's arguments.
  Status call(const Command& body, const std::vector<std::string>& argv, std::size_t line)
  {
    if (m_call_depth >= k_max_call_depth || m_calls >= k_max_calls)
      return unknown_at(line);
    ++m_calls;
    std::vector<std::string> saved(argv.begin() + 1, argv.end());
    std::swap(saved, m_arguments);
    ++m_call_depth;
    Status status;
    try {
      status = run_command(body);
    } catch (const ReturnSignal& signal) {
      status = signal.status == 0 ? Status::success : Status::failure;
    } catch (const ExitSignal&) {
      --m_call_depth;
      std::swap(saved, m_arguments);
      throw;
    }
    --m_call_depth;
    std::swap(saved, m_arguments);
    return status;
  }

  std::optional<std::string> expand_single(const Word& word)
  {
    std::vector<std::string> fields;
    if (!expand(word, fields))
      return std::nullopt;
    std::string joined;
    for (std::size_t i = 0; i < fields.size(); ++i)
      joined += (i ? " " : "") + fields[i];
    return joined;
  }

  // Expands one word into fields; false when it uses something we cannot evaluate.
  bool expand(const Word& word, std::vector<std::string>& fields)
  {
    const auto is_all_arguments = [](const WordPart& part) {
      return part.kind == WordPart::Kind::parameter && part.name == "@" && part.operation.empty();
    };
    // "$@": each argument is a field of its own.
    if ((word.parts.size() == 1 && is_all_arguments(word.parts[0])) ||
        (word.parts.size() == 2 && word.parts[0].kind == WordPart::Kind::literal &&
         word.parts[0].quoted && word.parts[0].text.empty() && is_all_arguments(word.parts[1]))) {
      fields.insert(fields.end(), m_arguments.begin(), m_arguments.end());
      return true;
    }
    std::string out;
    bool quoted = false, expanded = false;
    for (const WordPart& part : word.parts) {
      quoted = quoted || part.quoted;
      if (part.kind == WordPart::Kind::literal) {
        out += part.text;
        continue;
      }
      expanded = true;
      std::optional<std::string> value;
      if (part.kind == WordPart::Kind::parameter && part.operation.empty())
        value = parameter(part.name);
      else if (part.kind == WordPart::Kind::substitution)
        value = substitute(*part.commands);
      if (!value)
        return false; // ${x#…} and friends, $((…)), unknown variables and commands
      // x="$x$x" doubles a value per line: past any real script's words, it is unknown.
      if (out.size() + value->size() > k_max_word)
        return false;
      out += *value;
    }
    if (!out.empty() || quoted || !expanded)
      fields.push_back(out);
    return true;
  }

  std::optional<std::string> parameter(const std::string& name) const
  {
    if (std::isdigit(static_cast<unsigned char>(name[0]))) {
      std::size_t index = 0;
      const auto [end, status] = std::from_chars(name.data(), name.data() + name.size(), index);
      if (end != name.data() + name.size())
        return std::nullopt;
      if (status == std::errc::result_out_of_range) // past any argument list: empty, as in sh
        return "";
      return index == 0 ? "sh" : index <= m_arguments.size() ? m_arguments[index - 1] : "";
    }
    if (name == "#")
      return std::to_string(m_arguments.size());
    const auto variable = m_variables.find(name);
    if (variable == m_variables.end())
      return std::nullopt;
    return variable->second;
  }

  // $(…): only "readlink PATH" (with stderr discarded and "|| true") is evaluated.
  std::optional<std::string> substitute(const shell::List& commands)
  {
    if (commands.items.size() != 1 || !m_hooks.readlink)
      return std::nullopt;
    const shell::AndOr& and_or = commands.items[0];
    const shell::Pipeline& first = and_or.pipelines[0];
    if (first.negated || first.commands.size() != 1 ||
        first.commands[0].kind != Command::Kind::simple ||
        std::any_of(and_or.connectors.begin(), and_or.connectors.end(),
                    [](shell::Connector c) { return c != shell::Connector::or_else; }))
      return std::nullopt;
    std::vector<std::string> argv;
    for (const Word& word : first.commands[0].words)
      if (!expand(word, argv))
        return std::nullopt;
    // "2>/dev/null || true": the fallback of readlink is an empty string.
    if (argv.size() == 2 && argv[0] == "readlink")
      return m_hooks.readlink(argv[1]).value_or("");
    return std::nullopt;
  }

  std::vector<std::string> m_arguments;
  const ShellHooks& m_hooks;
  std::vector<std::string> m_lines;
  std::vector<std::string> m_unknown;
  std::map<std::string, std::string> m_variables;
  std::map<std::string, std::shared_ptr<const Command>> m_functions;
  int m_call_depth = 0;
  std::size_t m_calls = 0;        // function bodies run so far
  std::size_t m_commands_run = 0; // simple commands run so far
  Status m_status = Status::success;
};

} // namespace

ShellResult run_script(std::string_view text, const std::vector<std::string>& arguments,
                       const ShellHooks& hooks)
{
  Evaluator evaluator(text, arguments, hooks);
  return evaluator.run(shell::parse_script(text));
}

} // namespace compose::unpack::apk
