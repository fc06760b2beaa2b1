// A small reader for POSIX shell maintainer scripts: tokens, quotes, here-documents and
// literal variables, producing the simple commands the script would run; see
// shell_commands.hpp.
#include "unpack/deb/shell_commands.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <map>
#include <optional>
#include <tuple>

namespace compose::unpack::deb {

namespace {

bool is_name_char(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_operator_char(char c)
{
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

struct Token {
  enum class Kind { word, separator, open, close, redirect, heredoc } kind = Kind::word;
  std::string text;
  bool unresolved = false;
  std::size_t line = 0;
  std::size_t offset = 0; // where the token starts in the text
};

// What nested scanners (command substitutions, function calls) share.
struct Shared {
  FileTest file_test;
  CommandTest command_test;
  std::map<std::string, std::string> debconf_defaults;
  std::map<std::string, std::pair<std::string, std::size_t>> bodies; // function -> text, line
  int depth = 0;
};

class Scanner {
public:
  Scanner(std::string_view text, ShellScript& script, std::map<std::string, std::string>& vars,
          Shared& shared)
      : m_text(text), m_script(script), m_vars(vars), m_shared(shared)
  {
  }

  void run()
  {
    while (true) {
      std::optional<Token> token = next();
      if (!token)
        break;
      handle(*token);
    }
    finish_command();
  }

private:
  std::optional<Token> next()
  {
    // Blanks, continuation lines and comments between tokens.
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++m_pos;
      } else if (c == '\\' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n') {
        m_pos += 2;
        ++m_line;
      } else if (c == '#') {
        while (m_pos < m_text.size() && m_text[m_pos] != '\n')
          ++m_pos;
      } else {
        break;
      }
    }
    if (m_pos >= m_text.size())
      return std::nullopt;
    Token token;
    token.line = m_line;
    token.offset = m_pos;
    const char c = m_text[m_pos];
    if (c == '\n') {
      ++m_pos;
      ++m_line;
      skip_heredocs();
      token.kind = Token::Kind::separator;
      token.text = "\n";
      return token;
    }
    if (is_operator_char(c)) {
      std::string op(1, c);
      ++m_pos;
      if (m_pos < m_text.size() && (m_text[m_pos] == c || (c == '>' && m_text[m_pos] == '&') ||
                                    (c == '<' && m_text[m_pos] == '&')))
        op += m_text[m_pos++];
      if (op == "<<" && m_pos < m_text.size() && m_text[m_pos] == '-')
        op += m_text[m_pos++];
      if (op == "(")
        token.kind = Token::Kind::open;
      else if (op == ")")
        token.kind = Token::Kind::close;
      else if (op[0] == '<' || op[0] == '>')
        token.kind = op.starts_with("<<") && op != "<<<" ? Token::Kind::heredoc
                                                         : Token::Kind::redirect;
      else
        token.kind = Token::Kind::separator;
      token.text = op;
      return token;
    }
    read_word(token);
    // "2>" and "1>&2": a number directly before a redirection is its file descriptor.
    if (m_pos < m_text.size() && (m_text[m_pos] == '>' || m_text[m_pos] == '<') &&
        !token.text.empty() &&
        std::all_of(token.text.begin(), token.text.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); }))
      return next();
    return token;
  }

  void read_word(Token& token)
  {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || is_operator_char(c))
        break;
      if (c == '\\') {
        if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n') {
          m_pos += 2;
          ++m_line;
          continue;
        }
        if (m_pos + 1 < m_text.size())
          token.text += m_text[m_pos + 1];
        m_pos += 2;
      } else if (c == '\'') {
        const std::size_t end = std::min(m_text.find('\'', m_pos + 1), m_text.size());
        const std::string_view quoted = m_text.substr(m_pos + 1, end - m_pos - 1);
        m_line += static_cast<std::size_t>(std::count(quoted.begin(), quoted.end(), '\n'));
        token.text += quoted;
        m_pos = end + 1;
      } else if (c == '"') {
        ++m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] != '"') {
          const char d = m_text[m_pos];
          if (d == '\\' && m_pos + 1 < m_text.size()) {
            const char e = m_text[m_pos + 1];
            if (e == '\n')
              ++m_line;
            else if (e == '$' || e == '`' || e == '"' || e == '\\')
              token.text += e;
            else
              token.text += std::string{d, e};
            m_pos += 2;
          } else if (d == '$') {
            expand(token);
          } else if (d == '`') {
            substitution(token, '`');
          } else {
            if (d == '\n')
              ++m_line;
            token.text += d;
            ++m_pos;
          }
        }
        ++m_pos;
      } else if (c == '$') {
        expand(token);
      } else if (c == '`') {
        substitution(token, '`');
      } else {
        if (c == '*' || c == '?')
          token.unresolved = true; // a glob: the words depend on the filesystem
        token.text += c;
        ++m_pos;
      }
    }
  }

  // $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word}, $1, $(…): literal values are substituted,
  // anything else stays as written and marks the word unresolved.
  void expand(Token& token)
  {
    const std::size_t start = m_pos;
    ++m_pos;
    if (m_pos >= m_text.size()) {
      token.text += '$';
      return;
    }
    const char c = m_text[m_pos];
    if (c == '(' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '(') {
      // $((…)): arithmetic, never a command.
      const std::size_t end = m_text.find("))", m_pos);
      m_pos = end == std::string_view::npos ? m_text.size() : end + 2;
      token.text += m_text.substr(start, m_pos - start);
      token.unresolved = true;
      return;
    }
    if (c == '(') {
      m_pos = start;
      substitution(token, ')');
      return;
    }
    std::string name, operation, word;
    bool braced = false;
    if (c == '{') {
      braced = true;
      int depth = 1;
      std::size_t end = m_pos + 1;
      while (end < m_text.size() && depth > 0) {
        if (m_text[end] == '{')
          ++depth;
        else if (m_text[end] == '}')
          --depth;
        ++end;
      }
      const std::string_view inside = m_text.substr(m_pos + 1, end - m_pos - 2);
      m_pos = end;
      std::size_t length = 0;
      while (length < inside.size() && is_name_char(inside[length]))
        ++length;
      name = inside.substr(0, length);
      const std::string_view rest = inside.substr(length);
      for (std::string_view candidate : {":-", ":+", "-", "+"})
        if (rest.starts_with(candidate)) {
          operation = candidate;
          word = rest.substr(candidate.size());
          break;
        }
      if (operation.empty() && !rest.empty()) {
        token.text += m_text.substr(start, m_pos - start);
        token.unresolved = true;
        return;
      }
      // Quotes inside the alternative word, as in ${DPKG_ROOT:+--root="$DPKG_ROOT"}.
      word.erase(std::remove(word.begin(), word.end(), '"'), word.end());
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '@' || c == '*' || c == '#' ||
               c == '?' || c == '$' || c == '!' || c == '-') {
      name = std::string(1, c);
      ++m_pos;
    } else if (is_name_char(c)) {
      while (m_pos < m_text.size() && is_name_char(m_text[m_pos]))
        name += m_text[m_pos++];
    } else {
      token.text += '$';
      return;
    }
    const std::optional<std::string> value = lookup(name);
    if (!value) {
      token.text += m_text.substr(start, m_pos - start);
      token.unresolved = true;
      return;
    }
    const bool empty = value->empty();
    if (operation == ":-" || operation == "-")
      token.text += empty ? word : *value;
    else if (operation == ":+" || operation == "+")
      token.text += empty ? "" : word;
    else
      token.text += *value;
    if (token.text.find('$') != std::string::npos && braced)
      token.unresolved = true;
  }

  std::optional<std::string> lookup(const std::string& name) const
  {
    if (m_function_depth > 0 && name.size() == 1 &&
        (std::isdigit(static_cast<unsigned char>(name[0])) || name == "@" || name == "*" ||
         name == "#"))
      return std::nullopt; // a function's own arguments
    const auto found = m_vars.find(name);
    if (found == m_vars.end())
      return std::nullopt;
    return found->second;
  }

  // `…` or $(…): the inner text is scanned as commands of its own (it runs too).
  void substitution(Token& token, char close)
  {
    const std::size_t start = m_pos;
    std::size_t end = m_pos + (close == ')' ? 2 : 1);
    int depth = 1;
    while (end < m_text.size()) {
      const char c = m_text[end];
      if (close == ')' && c == '(')
        ++depth;
      else if (c == close && --depth == 0)
        break;
      ++end;
    }
    const std::size_t inner_start = start + (close == ')' ? 2 : 1);
    const std::string_view inner = m_text.substr(inner_start, std::min(end, m_text.size()) - inner_start);
    // $(dpkg-divert --truename PATH) is PATH on a system without foreign diversions.
    constexpr std::string_view truename = "dpkg-divert --truename ";
    if (inner.starts_with(truename) && inner.substr(truename.size()).starts_with("/") &&
        inner.substr(truename.size()).find_first_of(" \t$`\"'") == std::string_view::npos) {
      token.text += inner.substr(truename.size());
      m_pos = std::min(end + 1, m_text.size());
      return;
    }
    std::map<std::string, std::string> copy = m_vars;
    ShellScript nested;
    Scanner(inner, nested, copy, m_shared).run();
    for (auto& command : nested.commands) {
      command.line += m_line - 1;
      m_script.commands.push_back(std::move(command));
    }
    m_pos = std::min(end + 1, m_text.size());
    token.text += m_text.substr(start, m_pos - start);
    token.unresolved = true;
  }

  // Reads the bodies of the here-documents the line just ended opened; the command that
  // opened them (still m_current) keeps the text.
  void skip_heredocs()
  {
    for (const Heredoc& heredoc : m_pending_heredocs) {
      std::string body;
      while (m_pos < m_text.size()) {
        const std::size_t end = std::min(m_text.find('\n', m_pos), m_text.size());
        std::string_view line = m_text.substr(m_pos, end - m_pos);
        m_pos = std::min(end + 1, m_text.size());
        ++m_line;
        if (heredoc.strip_tabs)
          while (!line.empty() && (line.front() == '\t'))
            line.remove_prefix(1);
        if (line == heredoc.delimiter)
          break;
        body += std::string(line) + "\n";
      }
      m_current.heredoc = body;
      m_current.heredoc_literal =
          heredoc.quoted || body.find_first_of("$`\\") == std::string::npos;
    }
    m_pending_heredocs.clear();
  }

  struct Heredoc {
    std::string delimiter;
    bool quoted = false, strip_tabs = false;
  };

  void handle(const Token& token)
  {
    switch (token.kind) {
    case Token::Kind::separator:
      if (token.text == "|" && m_case_depth > 0 && m_in_pattern)
        return; // "abort-upgrade|abort-remove)": alternatives of one pattern
      finish_command(token.text);
      if (token.text == ";;") {
        m_in_pattern = true;
        if (!m_frames.empty() && m_frames.back().is_case)
          m_frames.back().dead_branch = false;
      }
      return;
    case Token::Kind::heredoc: {
      std::optional<Token> delimiter = next();
      if (delimiter) {
        // A quoted delimiter ('EOF') keeps the body literal; otherwise $ and ` expand.
        const char first = m_text[delimiter->offset];
        m_pending_heredocs.push_back(
            {delimiter->text, first == '\'' || first == '"' || first == '\\', token.text == "<<-"});
      }
      return;
    }
    case Token::Kind::redirect: {
      std::optional<Token> target = next();
      if (target && token.text.starts_with(">") && token.text != ">&" &&
          target->text != "/dev/null" && !target->text.starts_with("&")) {
        m_current.writes_file = true;
        m_current.redirect_target = target->text;
        m_current.appends = token.text == ">>";
      }
      return;
    }
    case Token::Kind::open:
      if (m_current.words.size() == 1) {
        // "name() {": a function definition.
        std::optional<Token> close = next();
        m_script.functions.insert(m_current.words[0]);
        m_function_name = m_current.words[0];
        m_current = {};
        m_function_pending = close && close->kind == Token::Kind::close;
        return;
      }
      finish_command();
      ++m_subshell_depth;
      return;
    case Token::Kind::close:
      // In a case statement, "pattern)" ends a pattern, not a command.
      if (m_case_depth > 0 && (m_in_pattern || m_current.words.size() <= 1)) {
        if (!m_frames.empty() && m_frames.back().is_case)
          m_frames.back().choose_branch(m_current.words);
        m_current = {};
        m_in_pattern = false;
        return;
      }
      finish_command();
      m_subshell_depth = std::max(0, m_subshell_depth - 1);
      return;
    case Token::Kind::word:
      break;
    }
    const std::string& word = token.text;
    if (m_current.words.empty()) {
      if (word == "{") {
        if (m_function_pending) {
          m_function_pending = false;
          m_function_braces.push_back(m_brace_depth);
          m_function_starts.push_back({m_function_name, m_pos, token.line});
          ++m_function_depth;
        }
        ++m_brace_depth;
        return;
      }
      if (word == "}") {
        --m_brace_depth;
        if (!m_function_braces.empty() && m_function_braces.back() == m_brace_depth) {
          m_function_braces.pop_back();
          const auto& [name, start, line] = m_function_starts.back();
          m_shared.bodies[name] = {std::string(m_text.substr(start, token.offset - start)), line};
          m_function_starts.pop_back();
          --m_function_depth;
        }
        return;
      }
      if (word == "function") {
        m_expect_function_name = true;
        return;
      }
      if (m_expect_function_name) {
        m_expect_function_name = false;
        m_script.functions.insert(word);
        m_function_name = word;
        m_function_pending = true;
        return;
      }
      if (word == "if") {
        m_frames.push_back({});
        return;
      }
      if (word == "then" || word == "else" || word == "elif" || word == "fi") {
        if (!m_frames.empty() && !m_frames.back().is_case)
          m_frames.back().keyword(word);
        if (word == "fi" && !m_frames.empty() && !m_frames.back().is_case)
          m_frames.pop_back();
        return;
      }
      if (word == "!") {
        m_negated = !m_negated;
        return;
      }
      if (word == "do" || word == "while" || word == "until" || word == "done")
        return;
      if (word == "esac") {
        m_case_depth = std::max(0, m_case_depth - 1);
        if (!m_frames.empty() && m_frames.back().is_case)
          m_frames.pop_back();
        return;
      }
      if (m_in_pattern && m_case_depth > 0 && word != "case") {
        m_current.words.push_back(word); // collected until ")" drops it
        return;
      }
      if (const std::size_t equals = word.find('=');
          equals != std::string::npos && equals > 0 &&
          std::all_of(word.begin(), word.begin() + static_cast<long>(equals), is_name_char)) {
        assign(word.substr(0, equals), word.substr(equals + 1), token.unresolved);
        return;
      }
      m_current.line = token.line;
      m_current.in_function = m_function_depth > 0;
    }
    if (!m_current.words.empty() && m_current.words[0] == "case" && word == "in") {
      ++m_case_depth;
      m_in_pattern = true;
      Frame frame;
      frame.is_case = true;
      if (m_current.words.size() == 2 && !m_current.unresolved)
        frame.subject = m_current.words[1];
      m_frames.push_back(frame);
      m_current = {};
      return;
    }
    if (!m_current.words.empty() &&
        (m_current.words[0] == "local" || m_current.words[0] == "export" ||
         m_current.words[0] == "readonly")) {
      if (const std::size_t equals = word.find('='); equals != std::string::npos)
        assign(word.substr(0, equals), word.substr(equals + 1), token.unresolved);
    }
    m_current.words.push_back(word);
    m_current.unresolved = m_current.unresolved || token.unresolved;
  }

  void assign(const std::string& name, const std::string& value, bool unresolved)
  {
    if (unresolved)
      m_vars.erase(name);
    else
      m_vars[name] = value;
  }

  void finish_command(const std::string& separator = "\n")
  {
    if (!m_current.words.empty() && m_current.words[0] != "case" && m_current.words[0] != "for") {
      std::optional<bool> test = evaluate_test(m_current);
      if (test && m_negated)
        test = !*test;
      m_current.dead = m_returned || m_chain_dead ||
                       std::any_of(m_frames.begin(), m_frames.end(),
                                   [](const Frame& f) { return f.dead(); });
      // "return" or "exit" on a path that is certainly taken ends what this text runs.
      if (!m_current.dead && (m_current.words[0] == "return" || m_current.words[0] == "exit") &&
          m_subshell_depth == 0 && separator != "&&" && separator != "||" &&
          m_last_separator != "&&" && m_last_separator != "||" &&
          std::all_of(m_frames.begin(), m_frames.end(), [](const Frame& f) { return f.certain(); }))
        m_returned = true;
      if (!m_frames.empty() && m_frames.back().in_condition())
        m_frames.back().add_condition(test, separator);
      // "[ -z "$2" ] && cmd": a false test skips the rest of the && chain.
      if ((separator == "&&" && test == false) || (separator == "||" && test == true)) {
        m_chain_dead = true;
        m_keep_chain = separator == "||";
      }
      if (m_current.words[0] == "db_get" && !m_current.dead) {
        const auto answer = m_current.words.size() == 2 && !m_current.unresolved
                                ? m_shared.debconf_defaults.find(m_current.words[1])
                                : m_shared.debconf_defaults.end();
        if (answer != m_shared.debconf_defaults.end())
          m_vars["RET"] = answer->second;
        else
          m_vars.erase("RET");
      }
      const bool call = !m_current.dead && m_function_depth == 0 &&
                        m_shared.bodies.contains(m_current.words[0]);
      const std::vector<std::string> arguments = m_current.words;
      const bool unresolved = m_current.unresolved;
      m_script.commands.push_back(std::move(m_current));
      if (call)
        instantiate(arguments, unresolved);
    }
    if (separator != "&&" && separator != "|" && !m_keep_chain)
      m_chain_dead = false;
    m_keep_chain = false;
    m_negated = false;
    m_last_separator = separator;
    m_current = {};
  }

  // Does a function body run its arguments as a command ("$@" or chroot … "$@" at the
  // start of a line)?
  static bool runs_arguments(std::string_view body)
  {
    while (!body.empty()) {
      const std::size_t end = std::min(body.find('\n'), body.size());
      std::string_view line = body.substr(0, end);
      body.remove_prefix(std::min(end + 1, body.size()));
      line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
      if (line.starts_with("\"$@\"") || line.starts_with("$@") ||
          (line.starts_with("chroot ") && line.find("\"$@\"") != std::string_view::npos))
        return true;
    }
    return false;
  }

  // A call of a function the script defined: its body is read again with $1… bound to
  // the call's words, so "install_from_default /usr/share/x /etc/x" becomes a "cp".
  void instantiate(const std::vector<std::string>& words, bool unresolved)
  {
    if (m_shared.depth >= 8)
      return;
    const auto& [body, line] = m_shared.bodies.at(words[0]);
    if (runs_arguments(body)) {
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
    ShellScript nested;
    ++m_shared.depth;
    Scanner(body, nested, variables, m_shared).run();
    --m_shared.depth;
    for (auto& command : nested.commands) {
      command.line += line - 1;
      command.dead = command.dead || m_chain_dead ||
                     std::any_of(m_frames.begin(), m_frames.end(),
                                 [](const Frame& f) { return f.dead(); });
      m_script.commands.push_back(std::move(command));
    }
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

  // An if/elif/else/fi block or a case block, with what is known about its branches.
  struct Frame {
    bool is_case = false;
    // if: 0 condition, 1 then, 2 elif condition, 3 elif body, 4 else.
    int part = 0;
    // The condition so far: a false test joined by && makes it false; any || or
    // unevaluated command makes "true" uncertain.
    bool has_false = false, all_true = true, has_or = false;
    bool any_true = false, uncertain = false;
    bool dead_branch = false;
    std::optional<std::string> subject; // case: the literal word
    bool in_condition() const { return !is_case && (part == 0 || part == 2); }
    // Is the current branch certainly the one taken?
    bool certain() const
    {
      if (is_case)
        return subject.has_value() && !dead_branch;
      return (part == 1 && any_true && !uncertain) || (part == 4 && !any_true && !uncertain);
    }
    bool dead() const { return dead_branch; }
    void add_condition(std::optional<bool> test, const std::string& separator)
    {
      if (separator == "||" || separator == "|")
        has_or = true;
      if (test == false)
        has_false = true;
      if (!test || !*test)
        all_true = false;
    }
    void keyword(const std::string& word)
    {
      if (word == "then") {
        const bool known_false = has_false && !has_or;
        const bool known_true = all_true && !has_or;
        dead_branch = known_false;
        if (known_true)
          any_true = true;
        if (!known_true && !known_false)
          uncertain = true;
        part = part == 0 ? 1 : 3;
      } else if (word == "elif") {
        part = 2;
        has_false = has_or = false;
        all_true = true;
        dead_branch = false;
      } else if (word == "else") {
        part = 4;
        dead_branch = any_true && !uncertain;
      }
    }
    void choose_branch(const std::vector<std::string>& patterns)
    {
      if (!subject) {
        dead_branch = false;
        return;
      }
      bool matches = false;
      for (const auto& pattern : patterns)
        matches = matches || fnmatch(pattern.c_str(), subject->c_str(), 0) == 0;
      dead_branch = !matches;
    }
  };

  std::string_view m_text;
  ShellScript& m_script;
  std::map<std::string, std::string>& m_vars;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  ShellCommand m_current;
  std::vector<Heredoc> m_pending_heredocs;
  int m_case_depth = 0;
  std::vector<Frame> m_frames;
  bool m_chain_dead = false;
  bool m_negated = false;
  bool m_returned = false;
  bool m_keep_chain = false; // "true || cmd": cmd is skipped though "||" ends the test
  std::string m_last_separator = "\n";
  int m_subshell_depth = 0;
  Shared& m_shared;
  std::string m_function_name;
  std::vector<std::tuple<std::string, std::size_t, std::size_t>> m_function_starts;
  bool m_in_pattern = false;
  bool m_function_pending = false;
  bool m_expect_function_name = false;
  int m_brace_depth = 0;
  int m_function_depth = 0;
  std::vector<int> m_function_braces;
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
  Scanner(text, script, variables, shared).run();
  return script;
}

} // namespace compose::unpack::deb
