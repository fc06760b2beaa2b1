// JSON nesting: 100,000 nested arrays in a lock file or a bundle manifest crash nlohmann::json
// (its parser and its copies recurse per level); compose refuses them with file:line first.
#include <doctest/doctest.h>

#include "bundle/manifest.hpp"
#include "lock/lock_file.hpp"
#include "util/error.hpp"
#include "util/json_nesting.hpp"

using compose::Error;

namespace {

std::string nested(std::size_t depth, const std::string& inner = "1")
{
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

template <typename Parse>
void check_refused(Parse parse, const std::string& text, const std::string& where)
{
  try {
    parse(text);
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.message() == "JSON nested deeper than 64 levels");
    CHECK(e.where() == where);
  }
}

} // namespace

TEST_SUITE("util::json_nesting")
{
  TEST_CASE("a lock file of 100,000 nested arrays is refused, at the top or in a field")
  {
    auto parse = [](const std::string& text) { (void)compose::lock::parse_lock(text, "x.lock.json"); };
    check_refused(parse, nested(100000), "x.lock.json:1");
    check_refused(parse, "{\n  \"format\": 1,\n  \"world\": " + nested(100000) + "\n}\n",
                  "x.lock.json:3");
  }

  TEST_CASE("a bundle manifest of 100,000 nested objects is refused")
  {
    std::string text = "{\"format\": ";
    for (int level = 0; level < 100000; ++level)
      text += "{\"a\": ";
    text += "1" + std::string(100000, '}') + "}";
    check_refused([](const std::string& t) { (void)compose::bundle::parse_manifest(t, "manifest.json"); },
                  text, "manifest.json:1");
  }

  TEST_CASE("64 levels pass; brackets inside strings and escaped quotes do not count")
  {
    CHECK_NOTHROW(compose::check_json_nesting(nested(64), "f"));
    CHECK_THROWS_AS(compose::check_json_nesting(nested(65), "f"), Error);
    CHECK_NOTHROW(compose::check_json_nesting("[\"" + std::string(1000, '[') + "\\\"[[\"]", "f"));
    CHECK_THROWS_AS(compose::check_json_nesting("[\"\\\\\"" + nested(64) + "]", "f"), Error);
  }
}
