// The OpenPGP input path of apt metadata: the input as an InRelease file, and, when it holds
// a NUL, as Release (before it) with a detached Release.gpg (after it). The keys are the
// Debian archive keyring when the host has one, so real InRelease seeds reach a good
// signature.
#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "verify/openpgp.hpp"

namespace compose::fuzz {

namespace {

const verify::OpenPgpKeyring& keyring()
{
  static const verify::OpenPgpKeyring keys = [] {
    verify::OpenPgpKeyring loaded;
    std::ifstream in("/usr/share/keyrings/debian-archive-keyring.gpg", std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    expect_errors([&] { loaded.add(bytes.str(), "debian-archive-keyring.gpg"); });
    return loaded;
  }();
  return keys;
}

} // namespace

void fuzz_openpgp(std::string_view input)
{
  const std::string text(input);
  expect_errors([&] { (void)verify::verify_cleartext(text, keyring(), {}, "InRelease"); });
  const std::vector<std::string_view> parts = split_input(input, std::string_view("\0", 1), 2);
  if (parts.size() == 2)
    expect_errors([&] {
      (void)verify::verify_detached(std::string(parts[0]), std::string(parts[1]), keyring(), {},
                                    "Release.gpg");
    });
}

} // namespace compose::fuzz
