// Trust configuration, key lookup with pins, and the real Alpine keys.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "test_paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"
#include "verify/keyring.hpp"
#include "verify/trust_config.hpp"

namespace fs = std::filesystem;
using namespace compose;
using namespace compose::verify;

namespace {
const fs::path keys_dir() { return testing::source_dir() / "keys"; }
const fs::path alpine_keys() { return testing::shared_keys() / "alpine"; }
// The official keys live beside the checkout (../shared/keys), never in the repository; on a
// machine without them these cases are reported as skipped rather than silently passing.
bool no_shared_keys()
{
  std::error_code ec;
  return !fs::is_directory(alpine_keys(), ec);
}
} // namespace

TEST_SUITE("verify::keyring")
{
  TEST_CASE("the real Alpine keys load and match every pin in keys/alpine.toml" * doctest::skip(no_shared_keys()))
  {
    const TrustConfig trust = load_trust_config(keys_dir());
    std::vector<std::string> names;
    for (const TrustedKey& key : trust.keys)
      if (key.kind == "apk-rsa")
        names.push_back(key.name);
    REQUIRE(names.size() == 5);
    KeyLookup lookup;
    lookup.directories = {alpine_keys()};
    lookup.offline = true;
    const Keyring keyring = load_apk_keyring(trust, names, lookup);
    CHECK(keyring.names().size() == 5);
    for (const std::string& name : names) {
      const ApkKey* key = keyring.find(name);
      REQUIRE(key);
      CHECK(key->sha256 == trust.find(name)->sha256);
      CHECK(key->pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    }
  }

  TEST_CASE("every OpenPGP pin names a fingerprint")
  {
    const TrustConfig trust = load_trust_config(keys_dir());
    for (const TrustedKey& key : trust.keys)
      if (key.kind == "openpgp")
        CHECK(!key.fingerprints.empty());
  }

  TEST_CASE("a copy that does not match its pin is refused, naming both digests" * doctest::skip(no_shared_keys()))
  {
    const TrustConfig trust = load_trust_config(keys_dir());
    const std::string name = "alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub";
    TempPath dir = make_temp_directory("compose-keys-");
    std::string bytes = read_file(alpine_keys() / name);
    bytes[40] ^= 1;
    std::ofstream(dir.path() / name, std::ios::binary) << bytes;
    KeyLookup lookup;
    lookup.directories = {dir.path(), alpine_keys()};
    try {
      load_apk_keyring(trust, {name}, lookup);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.message().find("does not match its pin") != std::string::npos);
      CHECK(e.message().find(sha256_hex(bytes)) != std::string::npos);
      CHECK(e.where() == (dir.path() / name).string());
    }
  }

  TEST_CASE("offline and missing: the message names the key and the places searched")
  {
    const TrustConfig trust = load_trust_config(keys_dir());
    TempPath dir = make_temp_directory("compose-keys-");
    KeyLookup lookup;
    lookup.directories = {dir.path()};
    lookup.cache_dir = dir.path() / "cache";
    lookup.offline = true;
    CHECK_THROWS_WITH_AS(
        load_apk_keyring(trust, {"alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub"}, lookup),
        doctest::Contains("not found (searched"), Error);
    CHECK_THROWS_WITH_AS(load_apk_keyring(trust, {"someone-else.rsa.pub"}, lookup),
                         doctest::Contains("is not in the trust configuration"), Error);
  }

  TEST_CASE("a downloaded key is checked against its pin, then cached for offline use" * doctest::skip(no_shared_keys()))
  {
    const TrustConfig trust = load_trust_config(keys_dir());
    const std::string name = "alpine-devel@lists.alpinelinux.org-58199dcc.rsa.pub";
    TempPath dir = make_temp_directory("compose-keys-");
    std::vector<std::string> asked;
    KeyLookup lookup;
    lookup.cache_dir = dir.path() / "trust";
    lookup.download = [&](const std::string& url, const auto&) {
      asked.push_back(url);
      return read_file(alpine_keys() / name);
    };
    CHECK(load_apk_keyring(trust, {name}, lookup).find(name));
    REQUIRE(asked.size() == 1);
    CHECK(asked[0] == "https://alpinelinux.org/keys/" + name);
    lookup.offline = true;
    lookup.download = nullptr;
    CHECK(load_apk_keyring(trust, {name}, lookup).find(name)->source.find(dir.path().string()) == 0);

    KeyLookup evil;
    evil.cache_dir = dir.path() / "other";
    std::size_t checked_before_caching = 0;
    evil.download = [&](const std::string&, const std::function<void(const std::string&)>& check) {
      CHECK_THROWS_AS(check("not the key"), Error);
      ++checked_before_caching;
      return std::string("not the key");
    };
    CHECK_THROWS_WITH_AS(
        load_apk_keyring(trust, {"alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub"}, evil),
        doctest::Contains("does not match its pin"), Error);
    CHECK(checked_before_caching == 1);
    CHECK_FALSE(fs::exists(dir.path() / "other"));
  }

  TEST_CASE("malformed trust files name file:line:column")
  {
    TempPath dir = make_temp_directory("compose-trust-");
    SUBCASE("unknown field")
    {
      std::ofstream(dir.path() / "x.toml")
          << "[[key]]\nname = \"a\"\nkind = \"apk-rsa\"\nurl = \"u\"\nsha256 = \"" +
                 std::string(64, 'a') + "\"\nfingerprint = []\n";
      CHECK_THROWS_WITH_AS(load_trust_config(dir.path()),
                           doctest::Contains("x.toml:6:15"), Error);
    }
    SUBCASE("bad pin")
    {
      std::ofstream(dir.path() / "x.toml")
          << "[[key]]\nname = \"a\"\nkind = \"apk-rsa\"\nurl = \"u\"\nsha256 = \"abc\"\n";
      CHECK_THROWS_WITH_AS(load_trust_config(dir.path()), doctest::Contains("not 64 lower-case hex"),
                           Error);
    }
  }
}
