// The small sh evaluator for package scripts; see script_shell.hpp.
#include "unpack/apk/script_shell.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace compose::unpack::apk {

namespace {

struct Token {
  enum Kind { word, op, newline, end } kind = end;
  std::string text;
  std::size_t line = 0;
};

bool is_operator_char(char c)
{
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

// Finds the ')' closing a "$(" whose content starts at `start`; npos when unbalanced.
std::size_t closing_paren(std::string_view text, std::size_t start)
{
  int depth = 1;
  char quote = 0;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (c == '\\' && quote == '"')
        ++i;
      continue;
    }
    if (c == '\'' || c == '"')
      quote = c;
    else if (c == '\\')
      ++i;
    else if (c == '(')
      ++depth;
    else if (c == ')' && --depth == 0)
      return i;
  }
  return std::string_view::npos;
}

std::vector<Token> tokenise(std::string_view text)
{
  std::vector<Token> tokens;
  std::size_t line = 0;
  std::size_t i = 0;
  const auto push = [&](Token::Kind kind, std::string token_text) {
    tokens.push_back(Token{kind, std::move(token_text), line});
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      i += 2;
      ++line;
    } else if (c == '#') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '\n') {
      push(Token::newline, "\n");
      ++line;
      ++i;
    } else if (is_operator_char(c)) {
      static const char* const k_operators[] = {"&&", "||", ";;", "&>", ">>", ">&", ";", "&",
                                                "|",  "(",  ")",  "<",  ">"};
      for (const char* op : k_operators) {
        const std::string_view candidate(op);
        if (text.substr(i, candidate.size()) == candidate) {
          push(Token::op, std::string(candidate));
          i += candidate.size();
          break;
        }
      }
    } else {
      const std::size_t start = i;
      const std::size_t start_line = line;
      while (i < text.size()) {
        const char d = text[i];
        if (d == ' ' || d == '\t' || d == '\n' || d == '\r' || is_operator_char(d))
          break;
        if (d == '\'' || d == '"') {
          const std::size_t close = text.find(d, i + 1);
          const std::size_t stop = close == std::string_view::npos ? text.size() : close + 1;
          line += static_cast<std::size_t>(std::count(text.begin() + static_cast<long>(i),
                                                      text.begin() + static_cast<long>(stop), '\n'));
          i = stop;
        } else if (d == '\\') {
          i += 2;
        } else if (d == '$' && i + 1 < text.size() && text[i + 1] == '(') {
          const std::size_t close = closing_paren(text, i + 2);
          i = close == std::string_view::npos ? text.size() : close + 1;
        } else {
          ++i;
        }
      }
      std::string word(text.substr(start, std::min(i, text.size()) - start));
      // "2>" and "2>&1": a file descriptor number glued to a redirection.
      if (i < text.size() && (text[i] == '>' || text[i] == '<') &&
          std::all_of(word.begin(), word.end(), [](char d) { return d >= '0' && d <= '9'; })) {
        tokens.push_back(Token{Token::op, "", start_line});
        continue; // an empty op marks "fd prefix"; the redirection operator follows
      }
      tokens.push_back(Token{Token::word, std::move(word), start_line});
    }
  }
  tokens.push_back(Token{Token::end, "", line});
  return tokens;
}

struct ExitSignal {
  int status;
};

class Interpreter {
public:
  Interpreter(std::string_view text, const std::vector<std::string>& arguments,
              const ShellHooks& hooks)
      : m_tokens(tokenise(text)), m_arguments(arguments), m_hooks(hooks)
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

  ShellResult run()
  {
    ShellResult result;
    try {
      m_status = list(true);
      if (!at_end())
        syntax_unknown(true); // a stray keyword or operator: the rest is not understood
    } catch (const ExitSignal& signal) {
      result.exit_status = signal.status;
    }
    result.unknown_lines = m_unknown;
    return result;
  }

private:
  const Token& peek() const { return m_tokens[m_position]; }
  bool at_end() const { return peek().kind == Token::end; }
  bool peek_word(std::string_view word) const
  {
    return peek().kind == Token::word && peek().text == word;
  }
  bool peek_op(std::string_view op) const { return peek().kind == Token::op && peek().text == op; }
  void skip_newlines()
  {
    while (peek().kind == Token::newline || peek_op(";"))
      ++m_position;
  }

  void record_unknown(std::size_t line)
  {
    const std::string& text = line < m_lines.size() ? m_lines[line] : m_lines.back();
    if (std::find(m_unknown.begin(), m_unknown.end(), text) == m_unknown.end())
      m_unknown.push_back(text);
  }

  // Gives up on the rest of the script: records the current line and consumes everything.
  Status syntax_unknown(bool execute)
  {
    if (execute)
      record_unknown(peek().line);
    m_position = m_tokens.size() - 1;
    return Status::unknown;
  }

  static bool is_terminator(const Token& token)
  {
    static const char* const k_words[] = {"then", "fi", "else", "elif", "esac", "do", "done", "}"};
    if (token.kind == Token::end)
      return true;
    if (token.kind == Token::op)
      return token.text == ";;" || token.text == ")";
    return std::any_of(std::begin(k_words), std::end(k_words),
                       [&](const char* word) { return token.text == word; });
  }

  Status list(bool execute)
  {
    Status status = Status::success;
    while (true) {
      skip_newlines();
      if (is_terminator(peek()))
        return status;
      status = and_or(execute);
      if (peek_op("&")) {
        ++m_position; // background jobs: treated as plain sequencing
      }
    }
  }

  Status and_or(bool execute)
  {
    Status status = pipeline(execute);
    while (peek_op("&&") || peek_op("||")) {
      const bool is_and = peek().text == "&&";
      ++m_position;
      while (peek().kind == Token::newline)
        ++m_position;
      // An unknown left side counts as success: its line is already reported.
      const bool left_ok = status != Status::failure;
      const bool run_right = execute && (is_and ? left_ok : !left_ok);
      const Status right = pipeline(run_right);
      if (run_right)
        status = right;
    }
    return status;
  }

  Status pipeline(bool execute)
  {
    bool negate = false;
    if (peek_word("!")) {
      negate = true;
      ++m_position;
    }
    const std::size_t line = peek().line;
    Status status = command(execute);
    if (peek_op("|")) {
      while (peek_op("|")) {
        ++m_position;
        command(false);
      }
      if (execute)
        record_unknown(line);
      status = Status::unknown;
    }
    if (negate && status != Status::unknown)
      status = status == Status::success ? Status::failure : Status::success;
    return status;
  }

  Status command(bool execute)
  {
    if (peek_word("if"))
      return if_clause(execute);
    if (peek_word("case"))
      return case_clause(execute);
    if (peek_word("{")) {
      ++m_position;
      const Status status = list(execute);
      if (!peek_word("}"))
        return syntax_unknown(execute);
      ++m_position;
      return status;
    }
    if (peek_word("for") || peek_word("while") || peek_word("until"))
      return loop(execute);
    if (peek().kind == Token::word && m_position + 1 < m_tokens.size() &&
        m_tokens[m_position + 1].kind == Token::op && m_tokens[m_position + 1].text == "(")
      return syntax_unknown(execute); // function definitions
    return simple(execute);
  }

  Status if_clause(bool execute)
  {
    bool taken = false;
    Status status = Status::success;
    bool unknown_condition = false;
    do {
      ++m_position; // "if" or "elif"
      const bool run_condition = execute && !taken && !unknown_condition;
      const Status condition = list(run_condition);
      if (!peek_word("then"))
        return syntax_unknown(execute);
      ++m_position;
      if (run_condition && condition == Status::unknown)
        unknown_condition = true;
      const bool run_body = run_condition && condition == Status::success;
      const Status body = list(run_body);
      if (run_body) {
        taken = true;
        status = body;
      }
    } while (peek_word("elif"));
    if (peek_word("else")) {
      ++m_position;
      const bool run_body = execute && !taken && !unknown_condition;
      const Status body = list(run_body);
      if (run_body)
        status = body;
    }
    if (!peek_word("fi"))
      return syntax_unknown(execute);
    ++m_position;
    return unknown_condition ? Status::unknown : status;
  }

  Status case_clause(bool execute)
  {
    const std::size_t line = peek().line;
    ++m_position;
    if (peek().kind != Token::word)
      return syntax_unknown(execute);
    std::optional<std::string> subject;
    if (execute)
      subject = expand_single(peek().text);
    ++m_position;
    if (!peek_word("in"))
      return syntax_unknown(execute);
    ++m_position;
    if (execute && !subject)
      record_unknown(line);
    bool matched = false;
    Status status = Status::success;
    while (true) {
      skip_newlines();
      if (peek_word("esac"))
        break;
      if (peek_op("("))
        ++m_position;
      bool this_matches = false;
      while (peek().kind == Token::word) {
        const std::optional<std::string> pattern = execute ? expand_single(peek().text)
                                                           : std::optional<std::string>("");
        if (execute && subject && pattern && !matched &&
            fnmatch(pattern->c_str(), subject->c_str(), 0) == 0)
          this_matches = true;
        ++m_position;
        if (peek_op("|"))
          ++m_position;
      }
      if (!peek_op(")"))
        return syntax_unknown(execute);
      ++m_position;
      const bool run_body = execute && subject && this_matches;
      const Status body = list(run_body);
      if (run_body) {
        matched = true;
        status = body;
      }
      if (peek_op(";;"))
        ++m_position;
      else if (!peek_word("esac"))
        return syntax_unknown(execute);
    }
    ++m_position; // esac
    return execute && !subject ? Status::unknown : status;
  }

  // Loops are not evaluated: their body runs an unknown number of times.
  Status loop(bool execute)
  {
    const std::size_t line = peek().line;
    int depth = 0;
    while (!at_end()) {
      if (peek_word("do"))
        ++depth;
      if (peek_word("done") && --depth == 0) {
        ++m_position;
        if (execute)
          record_unknown(line);
        return Status::unknown;
      }
      ++m_position;
    }
    return syntax_unknown(execute);
  }

  Status simple(bool execute)
  {
    const std::size_t line = peek().line;
    std::vector<std::string> raw;
    bool redirect_ok = true;
    while (!at_end() && peek().kind != Token::newline) {
      const Token& token = peek();
      if (token.kind == Token::op) {
        const bool fd_prefix = token.text.empty();
        if (fd_prefix)
          ++m_position;
        const std::string op = peek().text;
        if (op != ">" && op != ">>" && op != "<" && op != ">&" && op != "&>")
          break;
        ++m_position;
        if (peek().kind != Token::word)
          return syntax_unknown(execute);
        const std::string target = peek().text;
        ++m_position;
        // Discarding output is harmless; writing or reading a file is an effect we do
        // not reproduce.
        const bool harmless = target == "/dev/null" || (op == ">&" && (target == "1" || target == "2"));
        redirect_ok = redirect_ok && harmless;
        continue;
      }
      raw.push_back(token.text);
      ++m_position;
    }
    if (!execute)
      return Status::success;
    if (raw.empty())
      return redirect_ok ? Status::success : unknown_at(line);
    if (!redirect_ok)
      return unknown_at(line);

    // Assignments alone set shell variables ("dir=/var/lib/x").
    if (std::all_of(raw.begin(), raw.end(), [](const std::string& word) { return is_assignment(word); })) {
      for (const std::string& word : raw) {
        const std::size_t equals = word.find('=');
        const std::optional<std::string> value = expand_single(word.substr(equals + 1));
        if (!value)
          return unknown_at(line);
        m_variables[word.substr(0, equals)] = *value;
      }
      return Status::success;
    }

    std::vector<std::string> argv;
    for (const std::string& word : raw) {
      if (!expand(word, argv))
        return unknown_at(line);
    }
    if (argv.empty())
      return Status::success;
    const Status status = builtin_or_hook(argv);
    if (status == Status::unknown)
      record_unknown(line);
    else
      m_status = status;
    return status;
  }

  Status builtin_or_hook(const std::vector<std::string>& argv)
  {
    const std::string& name = argv[0];
    if (name == "true" || name == ":")
      return Status::success;
    if (name == "false")
      return Status::failure;
    if (name == "exit") {
      int status = m_status == Status::failure ? 1 : 0;
      if (argv.size() > 1) {
        const std::string& code = argv[1];
        status = 0;
        const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), status);
        if (error != std::errc() || end != code.data() + code.size())
          status = 2; // sh: exit: Illegal number
      }
      throw ExitSignal{status};
    }
    if (name == "echo" || name == "printf")
      return Status::success; // output only; redirections to files were refused above
    return m_hooks.run(argv);
  }

  Status unknown_at(std::size_t line)
  {
    record_unknown(line);
    return Status::unknown;
  }

  static bool is_assignment(const std::string& word)
  {
    const std::size_t equals = word.find('=');
    if (equals == std::string::npos || equals == 0)
      return false;
    return std::all_of(word.begin(), word.begin() + static_cast<long>(equals), [](char c) {
      return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
  }

  std::optional<std::string> expand_single(const std::string& word)
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
  bool expand(const std::string& word, std::vector<std::string>& fields)
  {
    if (word == "\"$@\"" || word == "$@") {
      fields.insert(fields.end(), m_arguments.begin(), m_arguments.end());
      return true;
    }
    std::string out;
    bool quoted = false, expanded = false;
    char quote = 0;
    for (std::size_t i = 0; i < word.size(); ++i) {
      const char c = word[i];
      if (quote == '\'') {
        if (c == '\'')
          quote = 0;
        else
          out += c;
        continue;
      }
      if (c == '\'' && !quote) {
        quote = '\'';
        quoted = true;
        continue;
      }
      if (c == '"') {
        quote = quote == '"' ? 0 : '"';
        quoted = true;
        continue;
      }
      if (c == '`')
        return false;
      if (c == '\\' && i + 1 < word.size()) {
        out += word[++i];
        continue;
      }
      if (c != '$' || i + 1 >= word.size()) {
        out += c;
        continue;
      }
      expanded = true;
      const char next = word[i + 1];
      if (next == '(') {
        const std::size_t close = closing_paren(word, i + 2);
        if (close == std::string::npos)
          return false;
        const std::optional<std::string> value = substitute(word.substr(i + 2, close - i - 2));
        if (!value)
          return false;
        out += *value;
        i = close;
      } else if (next >= '0' && next <= '9') {
        const std::size_t index = static_cast<std::size_t>(next - '0');
        out += index == 0 ? "sh" : index <= m_arguments.size() ? m_arguments[index - 1] : "";
        ++i;
      } else if (next == '#') {
        out += std::to_string(m_arguments.size());
        ++i;
      } else {
        std::size_t end = i + 1;
        const bool braced = next == '{';
        if (braced)
          ++end;
        const std::size_t name_start = end;
        while (end < word.size() && (word[end] == '_' || std::isalnum(static_cast<unsigned char>(word[end]))))
          ++end;
        const std::string name = word.substr(name_start, end - name_start);
        if (braced && (end >= word.size() || word[end] != '}'))
          return false; // ${x#…} and friends
        const auto variable = m_variables.find(name);
        if (name.empty() || variable == m_variables.end())
          return false;
        out += variable->second;
        i = braced ? end : end - 1;
      }
    }
    if (!out.empty() || quoted || !expanded)
      fields.push_back(out);
    return true;
  }

  // $(…): only "readlink [-f] PATH" (with stderr discarded and "|| true") is evaluated.
  std::optional<std::string> substitute(const std::string& inner)
  {
    std::vector<std::string> argv;
    for (const Token& token : tokenise(inner)) {
      if (token.kind == Token::word) {
        if (!expand(token.text, argv))
          return std::nullopt;
      } else if (token.kind == Token::op && (token.text == "||" || token.text == ">")) {
        break; // "2>/dev/null || true": the fallback of readlink is an empty string
      }
    }
    if (argv.size() == 2 && argv[0] == "readlink" && m_hooks.readlink)
      return m_hooks.readlink(argv[1]).value_or("");
    return std::nullopt;
  }

  std::vector<Token> m_tokens;
  std::size_t m_position = 0;
  const std::vector<std::string>& m_arguments;
  const ShellHooks& m_hooks;
  std::vector<std::string> m_lines;
  std::vector<std::string> m_unknown;
  std::map<std::string, std::string> m_variables;
  Status m_status = Status::success;
};

} // namespace

ShellResult run_script(std::string_view text, const std::vector<std::string>& arguments,
                       const ShellHooks& hooks)
{
  Interpreter interpreter(text, arguments, hooks);
  return interpreter.run();
}

} // namespace compose::unpack::apk
