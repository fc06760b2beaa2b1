// JSON text: exact records refuse bytes that are not UTF-8 and say where; reports replace them.
#include <doctest/doctest.h>

#include "util/error.hpp"
#include "util/json_output.hpp"

using compose::Error;
using nlohmann::json;

TEST_SUITE("util/json_output") {

TEST_CASE("valid UTF-8 is written as nlohmann writes it")
{
  const json value = {{"name", "caf\xc3\xa9"}, {"list", {"a", "b"}}};
  CHECK(compose::exact_json_text(value, 2, "x") == value.dump(2));
  CHECK(compose::report_json_text(value, -1) == value.dump());
  CHECK(compose::first_invalid_utf8(value).empty());
}

TEST_CASE("an exact record names the file and the pointer of the first bad value")
{
  json value = {{"packages", json::array({{{"name", "ok"}}, {{"name", "bad\xff"}}})}};
  CHECK(compose::first_invalid_utf8(value) == "/packages/1/name");
  try {
    (void)compose::exact_json_text(value, 2, "the lock file");
    FAIL("expected an error");
  } catch (const Error& error) {
    CHECK(std::string(error.message()).find("not valid UTF-8") != std::string::npos);
    CHECK(error.where() == "the lock file at /packages/1/name");
  }
}

TEST_CASE("keys, overlong forms and surrogates count as invalid")
{
  CHECK(compose::first_invalid_utf8(json{{"k\xc0\xaf", 1}}) == "/k\\xc0\\xaf (the key)");
  CHECK(compose::first_invalid_utf8(json("\xed\xa0\x80")) == "/");
  CHECK(compose::first_invalid_utf8(json::array({"\xf4\x90\x80\x80"})) == "/0");
}

TEST_CASE("a report shows bad bytes as U+FFFD instead of failing")
{
  CHECK(compose::report_json_text(json("a\xffz"), -1) == "\"a\xef\xbf\xbdz\"");
}

} // TEST_SUITE
