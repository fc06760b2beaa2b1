// The parsed-index encoding round-trips, refuses damaged bytes; the cache around it reuses an
// intact entry and replaces a damaged one.
#include <doctest/doctest.h>

#include <filesystem>

#include "pipeline/parsed_index_cache.hpp"
#include "repo/deb/packages_index_codec.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

using namespace compose;
using namespace compose::repo::deb;
namespace fs = std::filesystem;

namespace {

const std::string k_text =
    "Package: base-files\nEssential: yes\nPriority: required\nInstalled-Size: 340\n"
    "Architecture: amd64\nMulti-Arch: foreign\nVersion: 12.4+deb12u11\n"
    "Replaces: base, dpkg (<= 1.15.0)\nProvides: base\nPre-Depends: awk | mawk:any\n"
    "Breaks: initscripts (<< 2.88dsf-13.3)\nthis line is malformed\n"
    "Description: Debian base system\n more text\n"
    "Filename: pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb\n"
    "Size: 70984\nSHA256: " + std::string(64, 'a') + "\n\n"
    "Package: no-version\nArchitecture: all\nFilename: x.deb\nSize: 1\nSHA256: " +
    std::string(64, 'b') + "\n";

} // namespace

TEST_SUITE("repo::deb::packages_index_codec")
{
  TEST_CASE("every field survives the round trip")
  {
    const PackagesIndex parsed = read_packages_index(k_text, "http://m/Packages");
    REQUIRE(parsed.packages.size() == 1);
    REQUIRE(parsed.warnings.size() == 2); // the skipped stanza, the malformed line
    const std::string bytes = encode_packages_index(parsed);
    const PackagesIndex back = decode_packages_index(bytes, "entry");
    CHECK(encode_packages_index(back) == bytes);
    const Package& p = back.packages.at(0);
    CHECK(p.name == "base-files");
    CHECK(p.essential);
    CHECK(p.pre_depends.at(0).at(1).name == "mawk");
    CHECK(p.pre_depends.at(0).at(1).arch_qualifier == "any");
    CHECK(p.replaces.at(1).op == "<=");
    CHECK(p.paragraph.value("Description") == "Debian base system\nmore text");
    CHECK(p.paragraph.line() == parsed.packages[0].paragraph.line());
    CHECK(p.paragraph.tolerated() == parsed.packages[0].paragraph.tolerated());
    CHECK(p.where == parsed.packages[0].where);
    CHECK(back.warnings == parsed.warnings);
  }

  TEST_CASE("damaged, truncated or foreign bytes are refused")
  {
    const std::string bytes =
        encode_packages_index(read_packages_index(k_text, "http://m/Packages"));
    std::string flipped = bytes;
    flipped[bytes.size() - 10] ^= 1;
    CHECK_THROWS_WITH_AS(decode_packages_index(flipped, "entry"),
                         doctest::Contains("does not match its digest"), Error);
    CHECK_THROWS_AS(decode_packages_index(bytes.substr(0, bytes.size() - 1), "entry"), Error);
    CHECK_THROWS_WITH_AS(decode_packages_index("Package: x\n", "entry"),
                         doctest::Contains("not a parsed index"), Error);
  }

  TEST_CASE("the cache keeps the parsed form and replaces a damaged entry")
  {
    const TempPath dir = make_temp_directory("parsed-index-");
    const fs::path file = dir.path() / "Packages";
    write_file_atomic(file, k_text);
    const std::string sha = sha256_hex(k_text);
    const fs::path cache = dir.path() / "cache";
    const auto read = [&] {
      return pipeline::read_packages_index_cached(cache, file, sha, "http://m/Packages",
                                                  quiet_log());
    };
    const std::string want = encode_packages_index(read());
    REQUIRE(fs::is_directory(cache / "parsed"));
    const fs::path entry = fs::directory_iterator(cache / "parsed")->path();
    CHECK(read_file(entry) == want);

    // The entry is what is read now: the text is not looked at again.
    fs::remove(file);
    CHECK(encode_packages_index(read()) == want);

    // A damaged entry is refused and rebuilt from the index.
    write_file_atomic(file, k_text);
    std::string damaged = read_file(entry);
    damaged[damaged.size() / 2] ^= 0x20;
    write_file_atomic(entry, damaged);
    CHECK(encode_packages_index(read()) == want);
    CHECK(read_file(entry) == want);
  }
}
