// shell_quote: /bin/sh itself reads each quoted word back as the text it came from.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "util/shell_quote.hpp"

namespace {

std::string sh_echo(const std::string& word)
{
  const std::string command = "printf '%s' " + word;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[256];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

} // namespace

TEST_SUITE("util::shell_quote")
{
  TEST_CASE("sh reads every quoted word back unchanged")
  {
    CHECK(compose::shell_quote("plain") == "'plain'");
    CHECK(compose::shell_quote("it's") == "'it'\\''s'");
    for (const std::string text :
         {"", "it's", "$HOME `id` $(id) \"x\" \\n", "a\nb\tc", "''", "; rm -rf / #"})
      CHECK(sh_echo(compose::shell_quote(text)) == text);
  }
}
