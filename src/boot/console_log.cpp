// Incremental reads of the console file; the guest's carriage returns are dropped.
#include "boot/console_log.hpp"

#include <algorithm>
#include <fstream>

namespace compose::boot {

void ConsoleLog::refresh()
{
  std::ifstream stream(m_path, std::ios::binary);
  if (!stream)
    return;
  stream.seekg(0, std::ios::end);
  const std::streamoff size = stream.tellg();
  const auto known = static_cast<std::streamoff>(m_read);
  if (size <= known)
    return;
  stream.seekg(known);
  std::string chunk(static_cast<std::size_t>(size - known), '\0');
  stream.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(stream.gcount()));
  m_read += chunk.size();
  std::erase(chunk, '\r');
  m_text += chunk;
}

std::optional<std::string> ConsoleLog::find_line(std::string_view text) const
{
  const std::size_t at = m_text.find(text);
  if (at == std::string::npos)
    return std::nullopt;
  const std::size_t start = m_text.rfind('\n', at);
  const std::size_t begin = start == std::string::npos ? 0 : start + 1;
  const std::size_t end = m_text.find('\n', at);
  return m_text.substr(begin, (end == std::string::npos ? m_text.size() : end) - begin);
}

std::optional<std::string> ConsoleLog::find_line_starting(std::string_view prefix) const
{
  for (std::size_t begin = 0; begin < m_text.size();) {
    const std::size_t end = m_text.find('\n', begin);
    const std::string_view line =
        std::string_view(m_text).substr(begin, (end == std::string::npos ? m_text.size() : end) - begin);
    if (line.starts_with(prefix))
      return std::string(line);
    if (end == std::string::npos)
      break;
    begin = end + 1;
  }
  return std::nullopt;
}

std::string ConsoleLog::tail(std::size_t count) const
{
  std::size_t position = m_text.size();
  if (position > 0 && m_text.back() == '\n')
    --position;
  std::size_t lines = 0;
  while (position > 0 && lines < count) {
    const std::size_t newline = m_text.rfind('\n', position - 1);
    if (newline == std::string::npos) {
      position = 0;
      break;
    }
    position = newline;
    ++lines;
  }
  return m_text.substr(position == 0 ? 0 : position + 1);
}

} // namespace compose::boot
