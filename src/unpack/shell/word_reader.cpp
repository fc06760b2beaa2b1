// Words, quotes, parameters, substitutions and here-document bodies; see word_reader.hpp.
// Quoting follows POSIX (XCU 2.2, 2.6): a backslash in "…" escapes only $ ` " \ and a
// newline; '…' is literal up to the next '.
#include "unpack/shell/word_reader.hpp"

#include <algorithm>
#include <cctype>

namespace compose::unpack::shell {

namespace {

bool is_name_start(char c)
{
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool is_name_char(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_special_parameter(char c)
{
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '$' || c == '!' || c == '-';
}

} // namespace

WordReader::WordReader(std::string_view text, std::size_t first_line, int depth)
    : m_text(text), m_line(first_line), m_depth(depth)
{
}

WordReader::Nesting WordReader::enter(std::size_t line)
{
  if (++m_depth > k_max_nesting) {
    --m_depth;
    fail("too deeply nested (more than " + std::to_string(k_max_nesting) +
             " levels of compound commands, substitutions or ${…})",
         line);
  }
  return Nesting(*this);
}

void WordReader::fail(std::string message, std::size_t line)
{
  throw ReadFailure{SyntaxError{std::move(message), line}};
}

bool WordReader::is_operator_char(char c)
{
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

char WordReader::peek_char(std::size_t offset) const
{
  return m_position + offset < m_text.size() ? m_text[m_position + offset] : '\0';
}

bool WordReader::starts_with(std::string_view prefix) const
{
  return m_text.substr(m_position).starts_with(prefix);
}

std::string_view WordReader::take(std::size_t count)
{
  const std::string_view taken = m_text.substr(m_position, count);
  m_position += taken.size();
  return taken;
}

void WordReader::step_newline()
{
  ++m_position;
  ++m_line;
}

void WordReader::skip_blanks_and_comments()
{
  while (!at_end()) {
    const char c = current();
    if (c == ' ' || c == '\t' || c == '\r') {
      ++m_position;
    } else if (c == '\\' && peek_char(1) == '\n') {
      m_position += 2;
      ++m_line;
    } else if (c == '#') {
      while (!at_end() && current() != '\n')
        ++m_position;
    } else {
      return;
    }
  }
}

void WordReader::add_literal(std::vector<WordPart>& parts, std::string_view text, bool quoted)
{
  if (!parts.empty() && parts.back().kind == WordPart::Kind::literal &&
      parts.back().quoted == quoted) {
    parts.back().text += text;
    return;
  }
  WordPart part;
  part.text = text;
  part.quoted = quoted;
  parts.push_back(std::move(part));
}

Word WordReader::read_word()
{
  Word word;
  word.line = m_line;
  const std::size_t start = m_position;
  while (!at_end()) {
    const char c = current();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || is_operator_char(c))
      break;
    if (c == '\\') {
      if (peek_char(1) == '\n') {
        m_position += 2;
        ++m_line;
      } else if (m_position + 1 < m_text.size()) {
        add_literal(word.parts, m_text.substr(m_position + 1, 1), true);
        m_position += 2;
      } else {
        add_literal(word.parts, "\\", false);
        ++m_position;
      }
    } else if (!read_quote_or_expansion(word.parts, false)) {
      add_literal(word.parts, m_text.substr(m_position, 1), false);
      ++m_position;
    }
  }
  std::string_view source = m_text.substr(start, m_position - start);
  while (!source.empty()) {
    const std::size_t continuation = source.find("\\\n");
    word.text += source.substr(0, continuation);
    if (continuation == std::string_view::npos)
      break;
    source.remove_prefix(continuation + 2);
  }
  return word;
}

// '…' (not inside "…"), "…", $… and `…` starting at the cursor; false when none does.
bool WordReader::read_quote_or_expansion(std::vector<WordPart>& parts, bool quoted)
{
  switch (current()) {
  case '\'':
    if (quoted)
      return false;
    read_single_quoted(parts);
    return true;
  case '"': read_double_quoted(parts); return true;
  case '$': read_dollar(parts, quoted); return true;
  case '`': read_backquoted(parts, quoted); return true;
  default: return false;
  }
}

void WordReader::read_single_quoted(std::vector<WordPart>& parts)
{
  const std::size_t line = m_line;
  const std::size_t end = m_text.find('\'', m_position + 1);
  if (end == std::string_view::npos)
    fail("unterminated '…' quote", line);
  const std::string_view quoted = m_text.substr(m_position + 1, end - m_position - 1);
  m_line += static_cast<std::size_t>(std::count(quoted.begin(), quoted.end(), '\n'));
  add_literal(parts, quoted, true);
  m_position = end + 1;
}

void WordReader::read_double_quoted(std::vector<WordPart>& parts)
{
  const std::size_t line = m_line;
  ++m_position;
  add_literal(parts, "", true); // "" is an empty word, not none
  while (true) {
    if (at_end())
      fail("unterminated \"…\" quote", line);
    const char c = current();
    if (c == '"') {
      ++m_position;
      return;
    }
    if (c == '\\' && m_position + 1 < m_text.size()) {
      const char next = m_text[m_position + 1];
      if (next == '\n')
        ++m_line;
      else if (next == '$' || next == '`' || next == '"' || next == '\\')
        add_literal(parts, std::string_view(&m_text[m_position + 1], 1), true);
      else
        add_literal(parts, m_text.substr(m_position, 2), true);
      m_position += 2;
    } else if (c == '$') {
      read_dollar(parts, true);
    } else if (c == '`') {
      read_backquoted(parts, true);
    } else {
      if (c == '\n')
        ++m_line;
      add_literal(parts, std::string_view(&m_text[m_position], 1), true);
      ++m_position;
    }
  }
}

void WordReader::read_dollar(std::vector<WordPart>& parts, bool quoted)
{
  WordPart part;
  part.quoted = quoted;
  part.line = m_line;
  const std::size_t source = m_position;
  const char next = peek_char(1);
  if (next == '(' && peek_char(2) == '(') {
    part.kind = WordPart::Kind::arithmetic;
    skip_arithmetic();
  } else if (next == '(') {
    const std::size_t start = m_position + 2;
    const Nesting nesting = enter(m_line);
    m_position += 2;
    part.kind = WordPart::Kind::substitution;
    part.commands = std::make_shared<const List>(read_substitution_list());
    // The parser stopped on the closing ")": the cursor is just after it.
    part.text = m_text.substr(start, m_position - 1 - start);
  } else if (next == '{') {
    part.kind = WordPart::Kind::parameter;
    part.braced = true;
    m_position += 2;
    read_braced(part, quoted);
  } else if (std::isdigit(static_cast<unsigned char>(next)) || is_special_parameter(next)) {
    part.kind = WordPart::Kind::parameter;
    part.name = std::string(1, next);
    m_position += 2;
  } else if (is_name_start(next)) {
    part.kind = WordPart::Kind::parameter;
    ++m_position;
    while (!at_end() && is_name_char(current()))
      part.name += m_text[m_position++];
  } else {
    add_literal(parts, "$", quoted); // a lone "$" is itself
    ++m_position;
    return;
  }
  if (part.kind != WordPart::Kind::substitution)
    part.text = m_text.substr(source, m_position - source);
  parts.push_back(std::move(part));
}

// ${name}, ${#name}, ${name<op>word}; the cursor is after "${".
void WordReader::read_braced(WordPart& part, bool quoted)
{
  const std::size_t line = m_line;
  const Nesting nesting = enter(line);
  if (!at_end() && current() == '#' && peek_char(1) != '}') {
    part.operation = "length";
    ++m_position;
  }
  if (!at_end() && std::isdigit(static_cast<unsigned char>(current()))) {
    while (!at_end() && std::isdigit(static_cast<unsigned char>(current())))
      part.name += m_text[m_position++];
  } else if (!at_end() && is_special_parameter(current())) {
    part.name = std::string(1, m_text[m_position++]);
  } else {
    while (!at_end() && is_name_char(current()))
      part.name += m_text[m_position++];
  }
  if (part.name.empty())
    fail("bad substitution '${" + std::string(m_text.substr(m_position, 10)) + "'", line);
  if (!at_end() && current() == '}') {
    ++m_position;
    return;
  }
  if (part.operation == "length")
    fail("bad substitution '${#" + part.name + "…'", line);
  for (const char* op : {":-", ":=", ":?", ":+", "##", "%%", "-", "=", "?", "+", "#", "%"})
    if (starts_with(op)) {
      part.operation = op;
      m_position += std::string_view(op).size();
      break;
    }
  if (part.operation.empty())
    part.operation = "other"; // bash: ${x/a/b}, ${x:1:2}, ${x^^}
  // The word up to the matching "}", with its own quotes and expansions.
  while (true) {
    if (at_end())
      fail("unterminated '${" + part.name + "'", line);
    const char c = current();
    if (c == '}') {
      ++m_position;
      return;
    }
    if (c == '\\' && m_position + 1 < m_text.size()) {
      if (m_text[m_position + 1] == '\n')
        ++m_line;
      else
        add_literal(part.argument, m_text.substr(m_position + 1, 1), true);
      m_position += 2;
    } else if (!read_quote_or_expansion(part.argument, quoted)) {
      if (c == '\n')
        ++m_line;
      add_literal(part.argument, m_text.substr(m_position, 1), quoted);
      ++m_position;
    }
  }
}

// $((…)): skipped up to the "))" that closes it; the caller keeps it as written.
void WordReader::skip_arithmetic()
{
  const std::size_t line = m_line;
  const std::size_t start = m_position + 3;
  int depth = 0;
  for (std::size_t i = start; i < m_text.size(); ++i) {
    const char c = m_text[i];
    if (c == '\n')
      ++m_line;
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (c == ')') {
      if (i + 1 >= m_text.size() || m_text[i + 1] != ')')
        break;
      m_position = i + 2;
      return;
    }
  }
  fail("unterminated '$(('", line);
}

// `…`: a backslash escapes only $ ` and \ (and " inside "…"); the rest is read as a
// script of its own.
void WordReader::read_backquoted(std::vector<WordPart>& parts, bool quoted)
{
  const std::size_t line = m_line;
  std::string inner;
  std::size_t i = m_position + 1;
  for (; i < m_text.size() && m_text[i] != '`'; ++i) {
    const char c = m_text[i];
    if (c == '\\' && i + 1 < m_text.size()) {
      const char next = m_text[i + 1];
      if (next == '$' || next == '`' || next == '\\' || (quoted && next == '"')) {
        inner += next;
        ++i;
        continue;
      }
    }
    inner += c;
  }
  if (i >= m_text.size())
    fail("unterminated '`'", line);
  m_line += static_cast<std::size_t>(std::count(inner.begin(), inner.end(), '\n'));
  m_position = i + 1;
  const Nesting nesting = enter(line);
  Script script = read_nested(inner, line);
  if (script.error)
    throw ReadFailure{*script.error};
  WordPart part;
  part.kind = WordPart::Kind::substitution;
  part.backquoted = true;
  part.quoted = quoted;
  part.line = line;
  part.text = inner;
  part.commands = std::make_shared<const List>(std::move(script.program));
  parts.push_back(std::move(part));
}

void WordReader::expect_heredoc(std::string delimiter, bool strip_tabs,
                                std::shared_ptr<std::string> body)
{
  m_pending.push_back({std::move(delimiter), strip_tabs, std::move(body)});
}

// Called after a newline: the bodies of the here-documents that line opened, in order.
// A body without its delimiter line runs to the end of the script, as in dash.
void WordReader::read_heredoc_bodies()
{
  for (const PendingHeredoc& heredoc : m_pending) {
    while (!at_end()) {
      const std::size_t end = std::min(m_text.find('\n', m_position), m_text.size());
      std::string_view line = m_text.substr(m_position, end - m_position);
      m_position = std::min(end + 1, m_text.size());
      ++m_line;
      if (heredoc.strip_tabs)
        line.remove_prefix(std::min(line.find_first_not_of('\t'), line.size()));
      if (line == heredoc.delimiter)
        break;
      *heredoc.body += std::string(line) + "\n";
    }
  }
  m_pending.clear();
}

} // namespace compose::unpack::shell
