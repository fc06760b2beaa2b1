// Error: the one exception type of compose. It says what went wrong, where (a recipe
// file:line, a URL, "pkg.apk: usr/bin/x") and, when we know it, what to do next.
#pragma once

#include <stdexcept>
#include <string>

namespace compose {

class Error : public std::runtime_error {
public:
  explicit Error(std::string message, std::string where = {}, std::string hint = {});

  const std::string& message() const { return m_message; }
  const std::string& where() const { return m_where; }
  const std::string& hint() const { return m_hint; }

  // A caller that knows an outer place adds it: at("URL") on an error at "member"
  // gives "URL: member".
  Error& at(const std::string& outer);
  Error& with_hint(std::string hint);

  // The text main() prints: "error: …\n  at: …\n  hint: …".
  std::string describe() const;

private:
  void refresh();
  std::string m_message;
  std::string m_where;
  std::string m_hint;
  std::string m_full;
};

// Usage errors (bad flags, missing arguments) exit with 2 instead of 1.
class UsageError : public Error {
public:
  using Error::Error;
};

// Quotes user input in messages: 'value'.
std::string quote(const std::string& text);

} // namespace compose
