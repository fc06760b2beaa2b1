// A full disk names the URL, the file and the OS reason (issue: "2 files failed: cannot write
// download" said none of them).
#include <doctest/doctest.h>

#include <filesystem>

#include "fetch/transfer.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

TEST_SUITE("fetch::transfer")
{
  TEST_CASE("a write that fails says why, for which URL and where")
  {
    const std::filesystem::path source =
        std::filesystem::temp_directory_path() / "compose-transfer-source";
    compose::write_file_atomic(source, std::string(1 << 20, 'x'));
    // /dev/full accepts the open and fails every write with ENOSPC, like a full cache disk.
    try {
      compose::fetch::transfer("file://" + source.string(), "/dev/full", {}, {});
      FAIL("expected an error");
    } catch (const compose::Error& e) {
      CHECK(e.message().find("file://" + source.string()) != std::string::npos);
      CHECK(e.message().find("No space left on device") != std::string::npos);
      CHECK(e.where() == "/dev/full");
      CHECK(e.hint().find("free space") != std::string::npos);
    }
    std::filesystem::remove(source);
  }
}
