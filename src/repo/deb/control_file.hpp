// deb822 control data (Release, Packages, dpkg status): paragraphs of "Field: value" lines,
// continuation lines starting with a space or tab, paragraphs separated by blank lines.
// Field names compare case-insensitively; values keep their continuation lines.
#pragma once

#include <cstddef>
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

class Paragraph {
public:
  Paragraph() = default;
  // A paragraph read before and stored (the parsed-index cache): the parts as they were.
  Paragraph(std::vector<std::pair<std::string, std::string>> fields, std::size_t line,
            std::vector<std::string> tolerated)
      : m_fields(std::move(fields)), m_line(line), m_tolerated(std::move(tolerated))
  {
  }

  // The value of a field (first line trimmed, continuation lines joined with '\n').
  std::optional<std::string> get(std::string_view field) const;
  std::string value(std::string_view field) const { return get(field).value_or(""); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return m_fields; }
  std::size_t line() const { return m_line; } // where the paragraph starts (1-based)
  // ControlErrors::tolerate: what was passed over in it ("line 7: malformed line 'x'").
  const std::vector<std::string>& tolerated() const { return m_tolerated; }

private:
  friend std::vector<Paragraph> parse_control(std::string_view, const std::string&,
                                              ControlErrors);
  std::vector<std::pair<std::string, std::string>> m_fields; // in file order
  std::size_t m_line = 0;
  std::vector<std::string> m_tolerated;
};

// Throws Error naming "where:line" for a line that is neither a field nor a continuation,
// a continuation line before any field, or a field given twice in one paragraph (unless
// `errors` is ControlErrors::tolerate).
std::vector<Paragraph> parse_control(std::string_view text, const std::string& where,
                                     ControlErrors errors = ControlErrors::fail);

} // namespace compose::repo::deb
