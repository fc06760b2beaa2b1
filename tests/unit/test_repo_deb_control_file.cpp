// deb822 paragraphs as Release, Packages and status files use them.
#include <doctest/doctest.h>

#include "repo/deb/control_file.hpp"
#include "util/error.hpp"

using namespace compose::repo::deb;

TEST_SUITE("repo::deb::parse_control")
{
  TEST_CASE("paragraphs, case-insensitive names, continuation lines")
  {
    const std::string text = "Package: hello\nVersion: 2.10-3\nDescription: example\n"
                             " more text\n .\n last line\n\n\n"
                             "package: world\nDepends: libc6 (>= 2.34),\n  libfoo | libbar\n";
    const auto paragraphs = parse_control(text, "Packages");
    REQUIRE(paragraphs.size() == 2);
    CHECK(paragraphs[0].value("package") == "hello");
    CHECK(paragraphs[0].value("VERSION") == "2.10-3");
    CHECK(paragraphs[0].value("Description") == "example\nmore text\n\nlast line");
    CHECK(paragraphs[1].line() == 9);
    CHECK(paragraphs[1].value("Depends") == "libc6 (>= 2.34),\nlibfoo | libbar");
    CHECK_FALSE(paragraphs[1].get("Version"));
  }

  TEST_CASE("fed piece by piece, the same paragraphs")
  {
    const std::string text = "# comment\nPackage: a\nno colon here\nVersion: 1\nVersion: 2\n"
                             " continued\n .\n\n \t\nPackage: b\nDepends: x,\n y\r\n\n\n"
                             "Package: c\nVersion: 3";
    const std::vector<Paragraph> whole = parse_control(text, "P", ControlErrors::tolerate);
    for (const std::size_t piece : {1, 2, 5, 7, 64}) {
      std::vector<Paragraph> fed;
      ControlReader reader("P", ControlErrors::tolerate,
                           [&](Paragraph&& paragraph) { fed.push_back(std::move(paragraph)); });
      for (std::size_t at = 0; at < text.size(); at += piece)
        reader.feed(std::string_view(text).substr(at, piece));
      reader.finish();
      REQUIRE(fed.size() == whole.size());
      for (std::size_t i = 0; i < fed.size(); ++i) {
        CHECK(fed[i].fields() == whole[i].fields());
        CHECK(fed[i].line() == whole[i].line());
        CHECK(fed[i].tolerated() == whole[i].tolerated());
      }
    }
    REQUIRE(whole.size() == 3);
    CHECK(whole[0].value("Version") == "2\ncontinued\n");
    CHECK(whole[0].fields().front().first == "Package");
    CHECK(whole[1].value("Depends") == "x,\ny");
    CHECK(whole[2].line() == 15);
    CHECK(whole[2].value("Version") == "3");
  }

  TEST_CASE("a stored paragraph whose offsets do not fit its text is refused")
  {
    const Paragraph kept("Packagehello", {7, 12}, 3, {});
    CHECK(kept.value("package") == "hello");
    CHECK_THROWS_AS(Paragraph("Packagehello", {7, 13}, 1, {}), compose::Error);
    CHECK_THROWS_AS(Paragraph("Packagehello", {8, 7}, 1, {}), compose::Error);
    CHECK_THROWS_AS(Paragraph("Packagehello", {12}, 1, {}), compose::Error);
    CHECK_THROWS_AS(Paragraph("Packagehello", {}, 1, {}), compose::Error);
  }

  TEST_CASE("Release-style multi-line lists keep one entry per line")
  {
    const auto paragraphs = parse_control(
        "Suite: bookworm\nSHA256:\n 0123 100 main/binary-amd64/Packages.xz\n"
        " 4567 200 main/binary-amd64/Packages.gz\n",
        "InRelease");
    REQUIRE(paragraphs.size() == 1);
    CHECK(paragraphs[0].value("SHA256") ==
          "\n0123 100 main/binary-amd64/Packages.xz\n4567 200 main/binary-amd64/Packages.gz");
  }

  TEST_CASE("malformed input names its line")
  {
    struct Case {
      const char* text;
      const char* message;
      const char* where;
    };
    const Case cases[] = {{" leading continuation\n", "continuation line before any field", "P:1"},
                          {"Package: a\nno colon here\n", "malformed line", "P:2"},
                          {"Package: a\nPackage: b\n", "appears twice", "P:2"},
                          {"Bad Name: x\n", "contains white space", "P:1"}};
    for (const Case& c : cases) {
      try {
        parse_control(c.text, "P");
        FAIL("expected an error for " << c.text);
      } catch (const compose::Error& e) {
        CHECK(e.message().find(c.message) != std::string::npos);
        CHECK(e.where() == c.where);
      }
    }
  }

  TEST_CASE("tolerated errors are noted in their paragraph, as apt reads a Packages file")
  {
    const std::vector<Paragraph> paragraphs =
        parse_control("Package: a\nno colon here\nVersion: 1\nVersion: 2\n continued\n\n"
                      "Package: b\n",
                      "P", ControlErrors::tolerate);
    REQUIRE(paragraphs.size() == 2);
    CHECK(paragraphs[0].value("Version") == "2\ncontinued"); // the last one, as apt reads it
    REQUIRE(paragraphs[0].tolerated().size() == 2);
    CHECK(paragraphs[0].tolerated()[0] ==
          "line 2: malformed line 'no colon here' (expected 'Field: value')");
    CHECK(paragraphs[0].tolerated()[1] == "line 4: field 'Version' appears twice in one paragraph");
    CHECK(paragraphs[1].tolerated().empty());
  }
}
