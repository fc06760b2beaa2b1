// The character level of the sh reader (internal to unpack/shell): a cursor with line
// numbers, blanks and comments, words with their quotes, parameters and substitutions,
// here-document bodies, and the nesting bound. The parser derives from it and supplies
// the command lists that "$(…)" and `…` hold.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "unpack/shell/syntax.hpp"

namespace compose::unpack::shell {

// Thrown inside the reader only; parse_script turns it into Script::error.
struct ReadFailure {
  SyntaxError error;
};

class WordReader {
public:
  WordReader(std::string_view text, std::size_t first_line, int depth);
  virtual ~WordReader() = default;
  WordReader(const WordReader&) = delete;
  WordReader& operator=(const WordReader&) = delete;

protected:
  // Counts one level of nesting while alive; past k_max_nesting it fails.
  class Nesting {
  public:
    explicit Nesting(WordReader& reader) : m_reader(reader) {}
    ~Nesting() { --m_reader.m_depth; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

  private:
    WordReader& m_reader;
  };
  [[nodiscard]] Nesting enter(std::size_t line);
  int depth() const { return m_depth; }

  [[noreturn]] static void fail(std::string message, std::size_t line);

  static bool is_operator_char(char c);
  bool at_end() const { return m_position >= m_text.size(); }
  char current() const { return m_text[m_position]; }
  char peek_char(std::size_t offset) const;
  bool starts_with(std::string_view prefix) const;
  std::string_view take(std::size_t count);
  std::size_t line() const { return m_line; }
  void step_newline();
  void skip_blanks_and_comments();

  Word read_word();
  // A "<<" was read: its body starts after the next newline.
  void expect_heredoc(std::string delimiter, bool strip_tabs, std::shared_ptr<std::string> body);
  void read_heredoc_bodies();

  // "$(": the parser reads the commands up to the closing ")" and consumes it.
  virtual List read_substitution_list() = 0;
  // `…`: the inside, unescaped, read as a script of its own starting at `line`.
  virtual Script read_nested(std::string_view text, std::size_t line) = 0;

private:
  bool read_quote_or_expansion(std::vector<WordPart>& parts, bool quoted);
  void read_single_quoted(std::vector<WordPart>& parts);
  void read_double_quoted(std::vector<WordPart>& parts);
  void read_dollar(std::vector<WordPart>& parts, bool quoted);
  void read_braced(WordPart& part, bool quoted);
  void skip_arithmetic();
  void read_backquoted(std::vector<WordPart>& parts, bool quoted);
  static void add_literal(std::vector<WordPart>& parts, std::string_view text, bool quoted);

  struct PendingHeredoc {
    std::string delimiter;
    bool strip_tabs = false;
    std::shared_ptr<std::string> body;
  };

  std::string_view m_text;
  std::size_t m_position = 0;
  std::size_t m_line = 1;
  int m_depth = 0;
  std::vector<PendingHeredoc> m_pending;
};

} // namespace compose::unpack::shell
