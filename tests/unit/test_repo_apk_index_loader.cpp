// APKINDEX.tar.gz signature checks against generated, signed indexes.
#include <doctest/doctest.h>

#include "apk_builder.hpp"
#include "repo/apk/index.hpp"
#include "util/error.hpp"
#include "util/gzip_members.hpp"
#include "verify/keyring.hpp"

using namespace compose;
using compose::testing::RsaTestKey;

namespace {

const RsaTestKey& trusted_key()
{
  static const RsaTestKey key("trusted");
  return key;
}

const RsaTestKey& other_key()
{
  static const RsaTestKey key("stranger");
  return key;
}

verify::Keyring keyring()
{
  verify::Keyring keys;
  verify::ApkKey key;
  key.name = trusted_key().name();
  key.pem = trusted_key().public_pem();
  key.key = verify::parse_rsa_public_key(key.pem, "test");
  keys.add(key);
  return keys;
}

std::string records()
{
  testing::ApkSpec spec;
  spec.name = "hello";
  spec.version = "2.12.1-r0";
  spec.depends = {"so:libc.musl-x86_64.so.1"};
  spec.files = {testing::apk_dir("usr"), testing::apk_file("usr/bin/hello", "ELF", 0755)};
  return testing::index_record(spec, testing::make_apk(spec, trusted_key()));
}

repo::apk::Index load(const std::string& bytes)
{
  repo::apk::Repository repository;
  repository.base_url = "file:///mirror/v3.22/main";
  repository.name = "main";
  repository.arch = "x86_64";
  return repo::apk::load_index(bytes, repository, keyring(), "APKINDEX.tar.gz");
}

} // namespace

TEST_SUITE("repo::apk::load_index")
{
  TEST_CASE("a good index, signed with SHA-1 or SHA-256")
  {
    for (const DigestAlgorithm algorithm : {DigestAlgorithm::sha1, DigestAlgorithm::sha256}) {
      testing::IndexOptions options;
      options.signature = algorithm;
      const std::string bytes = testing::make_apkindex(records(), trusted_key(), options);
      const repo::apk::Index index = load(bytes);
      REQUIRE(index.packages.size() == 1);
      CHECK(index.packages[0].name == "hello");
      CHECK(index.repository.signed_by == trusted_key().name());
      CHECK(index.repository.description == "v3.22.0-test");
      CHECK(index.repository.index_sha256 == sha256_hex(bytes));
    }
  }

  TEST_CASE("bad indexes are refused with their own message")
  {
    const std::string good = testing::make_apkindex(records(), trusted_key());
    struct Case {
      const char* name;
      std::string bytes;
      const char* message;
    };
    testing::IndexOptions unsigned_options;
    unsigned_options.unsigned_index = true;
    std::string flipped_data = good;
    flipped_data[flipped_data.size() - 20] ^= 0x01;
    std::string flipped_signature = good;
    const std::size_t signature_size = inflate_member(good, 0, "test").size;
    flipped_signature[signature_size - 12] ^= 0x01; // inside the deflate data, before the CRC
    const Case cases[] = {
        {"unsigned", testing::make_apkindex(records(), trusted_key(), unsigned_options),
         "index is not signed"},
        {"untrusted key", testing::make_apkindex(records(), other_key()),
         "signed only by untrusted key(s)"},
        {"flipped byte in data", flipped_data, "index signature does not verify"},
        {"flipped byte in signature member", flipped_signature, "gzip member"},
        {"truncated", good.substr(0, good.size() - 30), "does not verify"},
        {"garbage appended", good + "garbage", "does not verify"},
        {"not gzip", "hello", "not a gzip file"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      CHECK_THROWS_WITH_AS(load(c.bytes), doctest::Contains(c.message), Error);
    }
  }
}
