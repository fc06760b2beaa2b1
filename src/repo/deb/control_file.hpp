// deb822 control data (Release, Packages, dpkg status): paragraphs of "Field: value" lines,
// continuation lines starting with a space or tab, paragraphs separated by blank lines.
// Field names compare case-insensitively; values keep their continuation lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace compose::repo::deb {

enum class ControlErrors {
  fail,     // Release files, dpkg's status, lock records: compose's own or signed input
  tolerate, // Packages indexes, read as apt reads them: a line that is neither a field nor
            // a continuation is passed over, a repeated field keeps its last value; each is
            // noted in Paragraph::tolerated()
};

// One paragraph's fields, kept as one text (names and values back to back) and the offsets
// that cut it: a Packages index holds 60,000 and more of them, and a string per name and
// value cost twice the memory of the text itself.
class Paragraph {
public:
  using Field = std::pair<std::string_view, std::string_view>; // name, value

  Paragraph() = default;
  // A paragraph read before and stored (the parsed-index cache): `ends` holds, per field,
  // where its name ends and where its value ends in `text`. Throws Error when the parts do
  // not fit together (offsets decreasing or past the text, an odd count, text left over).
  Paragraph(std::string text, std::vector<std::uint32_t> ends, std::size_t line,
            std::vector<std::string> tolerated);

  // The value of a field (first line trimmed, continuation lines joined with '\n').
  std::optional<std::string> get(std::string_view field) const;
  std::string value(std::string_view field) const { return get(field).value_or(""); }
  std::size_t size() const { return m_ends.size() / 2; }
  Field field(std::size_t i) const;
  std::vector<Field> fields() const; // in file order
  std::size_t line() const { return m_line; } // where the paragraph starts (1-based)
  // ControlErrors::tolerate: what was passed over in it ("line 7: malformed line 'x'").
  const std::vector<std::string>& tolerated() const { return m_tolerated; }
  // The stored form (see the constructor).
  const std::string& text() const { return m_text; }
  const std::vector<std::uint32_t>& ends() const { return m_ends; }

private:
  friend class ControlReader;
  void add(std::string_view name, std::string_view value);
  void append_to_last(std::string_view more);
  void erase(std::size_t i);

  std::string m_text;
  std::vector<std::uint32_t> m_ends;
  std::size_t m_line = 0;
  std::vector<std::string> m_tolerated;
};

// Reads control data piece by piece (a decompressor's output, say) and hands on each
// paragraph as soon as it is complete, so the whole text need not be held. A line may span
// pieces. Throws (from feed or finish) as parse_control does.
class ControlReader {
public:
  ControlReader(std::string where, ControlErrors errors, std::function<void(Paragraph&&)> each);
  void feed(std::string_view text);
  void finish(); // the end of the text: its last line and paragraph

private:
  void line(std::string_view line);
  void close();
  void problem(const std::string& message);

  std::string m_where;
  ControlErrors m_errors;
  std::function<void(Paragraph&&)> m_each;
  Paragraph m_current;
  std::string m_partial; // a line whose end has not been fed yet
  std::size_t m_number = 0;
};

// Throws Error naming "where:line" for a line that is neither a field nor a continuation,
// a continuation line before any field, or a field given twice in one paragraph (unless
// `errors` is ControlErrors::tolerate).
std::vector<Paragraph> parse_control(std::string_view text, const std::string& where,
                                     ControlErrors errors = ControlErrors::fail);

} // namespace compose::repo::deb
