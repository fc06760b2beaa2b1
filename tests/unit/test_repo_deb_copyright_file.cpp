// DEP-5 copyright files: the package's own license, or nothing when the file does not say.
#include <doctest/doctest.h>

#include "repo/deb/copyright_file.hpp"

using compose::repo::deb::declared_license;

TEST_SUITE("repo::deb::copyright_file")
{
  TEST_CASE("the license of the Files: * paragraph")
  {
    const std::string text =
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: zlib\n"
        "Source: https://zlib.net/\n"
        "\n"
        "Files: debian/*\n"
        "Copyright: 2000 Somebody\n"
        "License: GPL-2+\n"
        "\n"
        "Files: contrib/* *\n"
        "Copyright: 1995-2022 Jean-loup Gailly and Mark Adler\n"
        "License: Zlib\n"
        " This software is provided 'as-is', without any express or implied\n"
        " .\n"
        " warranty.\n";
    CHECK(declared_license(text, "copyright") == "Zlib");
  }

  TEST_CASE("the header paragraph's license wins")
  {
    const std::string text = "Format: http://dep.debian.net/deps/dep5\n"
                             "License: GPL-2+ or Artistic\n"
                             "\n"
                             "Files: *\n"
                             "Copyright: 2001 Someone\n"
                             "License: GPL-2+\n";
    CHECK(declared_license(text, "copyright") == "GPL-2+ or Artistic");
  }

  TEST_CASE("files that do not say give nothing")
  {
    struct Case {
      const char* name;
      std::string text;
    };
    const Case cases[] = {
        {"empty", ""},
        {"free-form text", "This is the Debian package of zlib.\n\nIt was downloaded from:\n"},
        {"free-form text shaped like fields",
         "Upstream Authors: Jean-loup Gailly\nCopyright: 1995 Jean-loup Gailly\n"},
        {"no Format field", "Files: *\nCopyright: 2001 Someone\nLicense: MIT\n"},
        {"another format", "Format: https://example.org/other\n\nFiles: *\nLicense: MIT\n"},
        {"no paragraph covers everything",
         "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
         "Files: src/*\nCopyright: 2001 Someone\nLicense: MIT\n"},
        {"an empty synopsis",
         "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
         "Files: *\nCopyright: 2001 Someone\nLicense:\n Some text.\n"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      CHECK_FALSE(declared_license(c.text, "copyright"));
    }
  }
}
