// A small reader for POSIX shell maintainer scripts: tokens, quotes, here-documents and
// literal variables, producing the simple commands the script would run; see
// shell_commands.hpp.
#include "unpack/deb/shell_commands.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <map>
#include <optional>

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
};

class Scanner {
public:
  Scanner(std::string_view text, ShellScript& script, std::map<std::string, std::string>& vars)
      : m_text(text), m_script(script), m_vars(vars)
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
    Scanner(inner, nested, copy).run();
    for (auto& command : nested.commands) {
      command.line += m_line - 1;
      m_script.commands.push_back(std::move(command));
    }
    m_pos = std::min(end + 1, m_text.size());
    token.text += m_text.substr(start, m_pos - start);
    token.unresolved = true;
  }

  void skip_heredocs()
  {
    for (const std::string& delimiter : m_pending_heredocs) {
      while (m_pos < m_text.size()) {
        const std::size_t end = std::min(m_text.find('\n', m_pos), m_text.size());
        std::string_view line = m_text.substr(m_pos, end - m_pos);
        m_pos = std::min(end + 1, m_text.size());
        ++m_line;
        while (!line.empty() && (line.front() == '\t'))
          line.remove_prefix(1);
        if (line == delimiter)
          break;
      }
    }
    m_pending_heredocs.clear();
  }

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
      if (delimiter)
        m_pending_heredocs.push_back(delimiter->text);
      return;
    }
    case Token::Kind::redirect: {
      std::optional<Token> target = next();
      if (target && token.text.starts_with(">") && token.text != ">&" &&
          target->text != "/dev/null" && !target->text.starts_with("&")) {
        m_current.writes_file = true;
        m_current.redirect_target = target->text;
      }
      return;
    }
    case Token::Kind::open:
      if (m_current.words.size() == 1) {
        // "name() {": a function definition.
        std::optional<Token> close = next();
        m_script.functions.insert(m_current.words[0]);
        m_current = {};
        m_function_pending = close && close->kind == Token::Kind::close;
        return;
      }
      finish_command();
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
          ++m_function_depth;
        }
        ++m_brace_depth;
        return;
      }
      if (word == "}") {
        --m_brace_depth;
        if (!m_function_braces.empty() && m_function_braces.back() == m_brace_depth) {
          m_function_braces.pop_back();
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
        if (!m_frames.empty() && m_frames.back().in_condition())
          m_frames.back().known = false; // a negated test: not evaluated
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
      const std::optional<bool> test = evaluate_test(m_current);
      m_current.dead = m_chain_dead || std::any_of(m_frames.begin(), m_frames.end(),
                                                   [](const Frame& f) { return f.dead(); });
      if (!m_frames.empty() && m_frames.back().in_condition())
        m_frames.back().add_condition(test, separator);
      // "[ -z "$2" ] && cmd": a false test skips the rest of the && chain.
      if (separator == "&&" && test == false)
        m_chain_dead = true;
      m_script.commands.push_back(std::move(m_current));
    }
    if (separator != "&&" && separator != "|")
      m_chain_dead = false;
    m_current = {};
  }

  // The value of "[ A = B ]", "[ A != B ]", "[ -z A ]", "[ -n A ]", "test …" when every
  // operand is literal; nullopt for anything else.
  static std::optional<bool> evaluate_test(const ShellCommand& command)
  {
    if (command.unresolved)
      return std::nullopt;
    std::vector<std::string> words = command.words;
    if (words[0] == "[" && words.size() > 1 && words.back() == "]")
      words = std::vector<std::string>(words.begin() + 1, words.end() - 1);
    else if (words[0] == "test")
      words.erase(words.begin());
    else
      return std::nullopt;
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
    bool known = true, value = true, any_true = false, uncertain = false;
    bool dead_branch = false;
    std::optional<std::string> subject; // case: the literal word
    bool in_condition() const { return !is_case && (part == 0 || part == 2); }
    bool dead() const { return dead_branch; }
    void add_condition(std::optional<bool> test, const std::string& separator)
    {
      if (!test || separator == "||" || separator == "|")
        known = false;
      else
        value = value && *test;
    }
    void keyword(const std::string& word)
    {
      if (word == "then") {
        dead_branch = known && !value;
        if (known && value)
          any_true = true;
        if (!known)
          uncertain = true;
        part = part == 0 ? 1 : 3;
      } else if (word == "elif") {
        part = 2;
        known = true;
        value = true;
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
  std::vector<std::string> m_pending_heredocs;
  int m_case_depth = 0;
  std::vector<Frame> m_frames;
  bool m_chain_dead = false;
  bool m_in_pattern = false;
  bool m_function_pending = false;
  bool m_expect_function_name = false;
  int m_brace_depth = 0;
  int m_function_depth = 0;
  std::vector<int> m_function_braces;
};

} // namespace

ShellScript scan_shell(std::string_view text)
{
  ShellScript script;
  std::map<std::string, std::string> variables = {{"DPKG_ROOT", ""}, {"1", "configure"}, {"2", ""}};
  Scanner(text, script, variables).run();
  return script;
}

} // namespace compose::unpack::deb
