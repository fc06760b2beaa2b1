// Error formatting; see error.hpp.
#include "util/error.hpp"

#include "util/printable.hpp"

namespace compose {

Error::Error(std::string message, std::string where, std::string hint)
    : std::runtime_error(message), m_message(std::move(message)), m_where(std::move(where)),
      m_hint(std::move(hint))
{
  refresh();
}

Error& Error::at(const std::string& outer)
{
  if (outer.empty())
    return *this;
  m_where = m_where.empty() ? outer : outer + ": " + m_where;
  refresh();
  return *this;
}

Error& Error::with_hint(std::string hint)
{
  m_hint = std::move(hint);
  refresh();
  return *this;
}

std::string Error::describe() const
{
  std::string text = m_message;
  if (!m_where.empty())
    text += "\n  at: " + m_where;
  if (!m_hint.empty())
    text += "\n  hint: " + m_hint;
  return text;
}

void Error::refresh()
{
  // what() carries the place too, so tests and logs that only see what() still learn it.
  m_full = m_where.empty() ? m_message : m_message + " (at " + m_where + ")";
  static_cast<std::runtime_error&>(*this) = std::runtime_error(m_full);
}

std::string quote(const std::string& text) { return "'" + printable(text) + "'"; }

} // namespace compose
