// Untrusted text shown safely: control characters and non-UTF-8 bytes as \xNN.
#include <doctest/doctest.h>

#include <string>

#include "util/error.hpp"
#include "util/printable.hpp"

using compose::printable;

TEST_SUITE("util::printable")
{
  TEST_CASE("controls and broken UTF-8 become numbers; text stays")
  {
    CHECK(printable("docker-ce") == "docker-ce");
    CHECK(printable("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");
    CHECK(printable("a\x1b[2Jb") == "a\\x1b[2Jb");
    CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(printable("a\rb\tc\x7f") == "a\\x0db\\x09c\\x7f");
    CHECK(printable("x\xc2\x9by") == "x\\xc2\\x9by"); // C1 CSI
    CHECK(printable("x\xffy\xc3") == "x\\xffy\\xc3");
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80"); // a surrogate is not UTF-8
    CHECK(printable("one\ntwo") == "one\\x0atwo");
    CHECK(printable("one\ntwo", true) == "one\ntwo");
  }

  TEST_CASE("quote() shows a recipe value safely")
  {
    CHECK(compose::quote("evil\x1b]0;owned\x07") == "'evil\\x1b]0;owned\\x07'");
  }
}
