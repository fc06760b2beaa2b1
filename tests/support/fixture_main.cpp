// compose-fixture: generates test inputs for the end-to-end tests and benchmarks.
//
//   compose-fixture alpine-mirror --out DIR --trust-dir DIR [--branch v3.22]
//                   [--arch x86_64] [--preset system|large|parity] [--packages N] [--size-mb M]
//                   [--key-name FILE-NAME] [--private-key FILE] [--add-version NAME=VERSION]…
//                   [--package-signature NAME=unsigned|wrong-key]…
//   compose-fixture verify-inrelease FILE KEYRING [FINGERPRINT…]
//   compose-fixture verify-detached DATA SIGNATURE KEYRING [FINGERPRINT…]
//   compose-fixture apk-compare | apk-valid | apk-list KEYS INDEX… | apk-resolve KEYS INDEX…
//     (compose's Alpine readers and resolver for the oracle tests; see apk_probe.hpp)
//
// verify-inrelease runs compose's OpenPGP check on an InRelease file (for comparing our
// verdicts with gpgv's) and prints "good <fingerprint>" or "rejected: <reason>";
// verify-detached does the same for Release + Release.gpg.
//
// Writes a signed Alpine mirror DIR/<branch>/{main,community}/<arch>/, the throwaway public
// key into the trust directory, and <trust-dir>/test.toml pinning it (compose --trust-dir
// and --keys-dir both point there). Prints the key name on stdout. --private-key keeps the
// signing key in FILE (made on first use), so a mirror regenerated with --add-version (a newer
// build of a package beside the old one, as a mirror update brings) is signed by the same key.
// --package-signature makes one package unsigned, or signed by another key under the trusted
// key's name, while the signed index still lists it as built (for the signature checks).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sstream>
#include <string>

#include "alpine_presets.hpp"
#include "apk_probe.hpp"
#include "util/error.hpp"
#include "verify/openpgp.hpp"
#include "apk_builder.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using namespace compose::testing;

namespace {

int usage()
{
  std::fprintf(stderr,
               "usage: compose-fixture alpine-mirror --out DIR --trust-dir DIR [--branch v3.22[,v3.21…]]\n"
               "         [--arch x86_64] [--preset system|large|parity] [--packages N] [--size-mb M]\n"
               "         [--key-name FILE-NAME] [--private-key FILE] [--add-version NAME=VERSION]\n"
               "         [--package-signature NAME=unsigned|wrong-key]\n"
               "       compose-fixture verify-inrelease FILE KEYRING [FINGERPRINT...]\n"
               "       compose-fixture verify-detached DATA SIGNATURE KEYRING [FINGERPRINT...]\n");
  return 2;
}

// A newer build of a package beside the old one: same files and relations; its first
// regular file gains a line naming the version, so that the package really differs.
void add_version(MirrorContent& content, const std::string& name, const std::string& version)
{
  for (std::vector<ApkSpec>* repository : {&content.main, &content.community})
    for (const ApkSpec& spec : *repository)
      if (spec.name == name) {
        ApkSpec newer = spec;
        newer.version = version;
        newer.builddate = spec.builddate + 86400;
        for (ApkFile& file : newer.files)
          if (file.type == ApkFile::Type::regular) {
            file.content += "# built as " + version + "\n";
            break;
          }
        repository->push_back(std::move(newer));
        return;
      }
  throw std::runtime_error("--add-version: no package " + name + " in the preset");
}

// --package-signature NAME=unsigned|wrong-key: every version of NAME.
void set_signing(MirrorContent& content, const std::string& name, const std::string& how)
{
  if (how != "unsigned" && how != "wrong-key")
    throw std::runtime_error("--package-signature: " + how + " is not unsigned or wrong-key");
  bool found = false;
  for (std::vector<ApkSpec>* repository : {&content.main, &content.community})
    for (ApkSpec& spec : *repository)
      if (spec.name == name) {
        spec.signing = how == "unsigned" ? ApkSpec::Signing::none : ApkSpec::Signing::wrong_key;
        found = true;
      }
  if (!found)
    throw std::runtime_error("--package-signature: no package " + name + " in the preset");
}

} // namespace

int verify_inrelease(int argc, char** argv)
{
  if (argc < 4)
    return usage();
  try {
    compose::verify::OpenPgpKeyring keys;
    keys.add(compose::read_file(argv[3]), argv[3]);
    std::vector<std::string> pinned(argv + 4, argv + argc);
    const auto result =
        compose::verify::verify_cleartext(compose::read_file(argv[2]), keys, pinned, argv[2]);
    std::printf("good %s\n", result.signed_by.c_str());
    if (const char* text_file = std::getenv("COMPOSE_VERIFIED_TEXT"))
      compose::write_file_atomic(text_file, result.text);
    return 0;
  } catch (const compose::Error& e) {
    std::printf("rejected: %s\n", e.message().c_str());
    return 1;
  }
}

int verify_detached(int argc, char** argv)
{
  if (argc < 5)
    return usage();
  try {
    compose::verify::OpenPgpKeyring keys;
    keys.add(compose::read_file(argv[4]), argv[4]);
    std::vector<std::string> pinned(argv + 5, argv + argc);
    const auto result = compose::verify::verify_detached(
        compose::read_file(argv[2]), compose::read_file(argv[3]), keys, pinned, argv[3]);
    std::printf("good %s\n", result.signed_by.c_str());
    return 0;
  } catch (const compose::Error& e) {
    std::printf("rejected: %s\n", e.message().c_str());
    return 1;
  }
}

int main(int argc, char** argv)
{
  const std::string verb = argc >= 2 ? argv[1] : "";
  if (verb == "apk-compare")
    return apk_compare_verb();
  if (verb == "apk-valid")
    return apk_valid_verb();
  if (verb == "apk-list")
    return apk_list_verb(argc, argv);
  if (verb == "apk-resolve")
    return apk_resolve_verb(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "verify-inrelease") == 0)
    return verify_inrelease(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "verify-detached") == 0)
    return verify_detached(argc, argv);
  if (argc < 2 || std::strcmp(argv[1], "alpine-mirror") != 0)
    return usage();
  std::string out, trust, branch = "v3.22", arch = "x86_64", preset = "system", key_name;
  std::string private_key;
  std::vector<std::pair<std::string, std::string>> added_versions, signings;
  int packages = 300, size_mb = 200;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc)
      return usage();
    const std::string value = argv[++i];
    if (flag == "--out") out = value;
    else if (flag == "--trust-dir") trust = value;
    else if (flag == "--branch") branch = value;
    else if (flag == "--arch") arch = value;
    else if (flag == "--preset") preset = value;
    else if (flag == "--key-name") key_name = value;
    else if (flag == "--packages") packages = std::stoi(value);
    else if (flag == "--size-mb") size_mb = std::stoi(value);
    else if (flag == "--private-key") private_key = value;
    else if (flag == "--package-signature" && value.find('=') != std::string::npos)
      signings.emplace_back(value.substr(0, value.find('=')), value.substr(value.find('=') + 1));
    else if (flag == "--add-version" && value.find('=') != std::string::npos)
      added_versions.emplace_back(value.substr(0, value.find('=')), value.substr(value.find('=') + 1));
    else return usage();
  }
  if (out.empty() || trust.empty())
    return usage();
  try {
    // --key-name: the throwaway key stands in under a real key's file name, so shipped
    // recipes that trust that name build from the generated mirror.
    RsaTestKey key("compose-fixture-" + branch);
    if (!key_name.empty())
      key.rename(key_name);
    if (!private_key.empty() && fs::exists(private_key))
      key.load_private(compose::read_file(private_key));
    else if (!private_key.empty())
      compose::write_file_atomic(private_key, key.private_pem());
    MirrorContent content = preset == "large"    ? large_preset(arch, packages, size_mb)
                            : preset == "parity" ? parity_preset(arch)
                                                 : system_preset(arch, key.name());
    for (const auto& [name, version] : added_versions)
      add_version(content, name, version);
    for (const auto& [name, how] : signings)
      set_signing(content, name, how);
    IndexOptions options;
    // "--branch v3.19,v3.22": one key signs every branch, as Alpine's keys do.
    std::stringstream branches(branch);
    for (std::string one; std::getline(branches, one, ',');) {
      options.description = one + "-compose-fixture";
      write_apk_repo(fs::path(out) / one / "main", arch, content.main, key, options);
      write_apk_repo(fs::path(out) / one / "community", arch, content.community, key, options);
    }
    key.write_public(trust);
    const std::string pem = key.public_pem();
    compose::write_file_atomic(
        fs::path(trust) / "test.toml",
        "# Throwaway key of a generated test mirror.\n[[key]]\nname = \"" + key.name() +
            "\"\nkind = \"apk-rsa\"\nurl = \"https://invalid.example/" + key.name() +
            "\"\nsha256 = \"" + compose::sha256_hex(pem) + "\"\n");
    std::printf("%s\n", key.name().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compose-fixture: error: %s\n", e.what());
    return 1;
  }
}
