// compose check: a sound recipe has no problems; each way a recipe can be wrong offline is
// reported at its file:line with what is wrong.
#include <doctest/doctest.h>

#include <fstream>

#include "pipeline/recipe_check.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

namespace {

compose::verify::TrustConfig trust()
{
  compose::verify::TrustConfig config;
  compose::verify::TrustedKey apk;
  apk.name = "k.rsa.pub";
  apk.kind = "apk-rsa";
  apk.url = "https://keys.example/k.rsa.pub";
  apk.sha256 = std::string(64, 'a');
  compose::verify::TrustedKey openpgp;
  openpgp.name = "archive.gpg";
  openpgp.kind = "openpgp";
  openpgp.url = "https://keys.example/archive.gpg";
  openpgp.fingerprints = {std::string(40, 'B')};
  openpgp.where = "keys/debian.toml:3:1";
  compose::verify::TrustedKey plain = apk;
  plain.name = "plain.rsa.pub";
  plain.url = "http://keys.example/plain.rsa.pub";
  plain.sha256.clear();
  plain.fingerprints = {std::string(40, 'C')};
  plain.where = "keys/plain.toml:1:1";
  config.keys = {apk, openpgp, plain};
  return config;
}

// A recipe with the product's overlays; `extra` is appended, `replace` swaps text first.
std::vector<std::string> problems_of(const std::string& extra,
                                     const std::pair<std::string, std::string>& replace = {})
{
  const compose::TempPath directory = compose::make_temp_directory("compose-check-");
  std::string text = R"(name = "check-test"
distribution = "alpine"
release = "3.22"
packages = ["busybox"]

[[repositories]]
url = "https://mirror.example/alpine"
branch = "v3.22"
repos = ["main"]
keys = ["k.rsa.pub"]

[[users]]
name = "miget"
uid = 1000

[[groups]]
name = "docker"
members = ["miget"]

[supervisor]
config = "/etc/supervisord.conf"

[[supervisor.programs]]
name = "sshd"
command = "/usr/sbin/sshd -D -e"

[init]
exec = ["/usr/bin/supervisord", "--configuration", "/etc/supervisord.conf"]

[image]
entrypoint = ["/usr/local/sbin/compose-init"]
tags = ["latest"]

[[files]]
path = "/etc/motd"
source = "motd"
)" + extra;
  if (!replace.first.empty()) {
    const std::size_t at = text.find(replace.first);
    REQUIRE_MESSAGE(at != std::string::npos, replace.first);
    text.replace(at, replace.first.size(), replace.second);
  }
  std::ofstream(directory.path() / "motd") << "hello\n";
  std::ofstream(directory.path() / "check.toml") << text;
  return compose::pipeline::check_recipe(
      compose::recipe::load_recipe(directory.path() / "check.toml"), trust());
}

} // namespace

TEST_SUITE("pipeline_recipe_check")
{
  TEST_CASE("a sound recipe has no problems")
  {
    CHECK(problems_of("").empty());
  }

  TEST_CASE("every problem names its place and what is wrong")
  {
    struct Case {
      std::string extra;
      std::pair<std::string, std::string> replace;
      const char* message;
      const char* line; // ":LINE:" of the problem in check.toml
    };
    const Case cases[] = {
        {"", {"keys = [\"k.rsa.pub\"]", "keys = [\"other.rsa.pub\"]"},
         "key 'other.rsa.pub' is not in the trust configuration", ":6:"},
        {"", {"keys = [\"k.rsa.pub\"]", "keys = [\"archive.gpg\"]"},
         "key 'archive.gpg' is of kind 'openpgp'; alpine repositories need 'apk-rsa' keys", ":6:"},
        {"", {"keys = [\"k.rsa.pub\"]", "keys = [\"plain.rsa.pub\"]"},
         "comes over plain HTTP without a sha256 pin (keys/plain.toml:1:1)", ":6:"},
        {"", {"source = \"motd\"", "source = \"missing\""}, "does not exist", ":34:"},
        {"\n[[files]]\npath = \"/etc/motd\"\ncontent = \"x\"\n", {},
         "/etc/motd is written by two [[files]] entries", ":38:"},
        {"\n[[files]]\npath = \"/usr/bin/x\"\nurl = \"http://downloads.example/x\"\nsha256 = \"" +
             std::string(64, '0') + "\"\n",
         {}, "should use https", ":38:"},
        {"", {"members = [\"miget\"]", "members = [\"mgiet\"]"},
         "member 'mgiet' of group 'docker' is not declared in [[users]]", ":16:"},
        {"", {"\"--configuration\", \"/etc/supervisord.conf\"", "\"-c\", \"/etc/other.conf\""},
         "[init] exec does not name supervisord's configuration", ":27:"},
        {"", {"entrypoint = [\"/usr/local/sbin/compose-init\"]", "entrypoint = [\"/bin/sh\"]"},
         "the image entrypoint is not the init", ":30:"},
        {"", {"tags = [\"latest\"]", "tags = []"}, "the image has no tags", ":30:"},
    };
    for (const Case& c : cases) {
      const std::vector<std::string> problems = problems_of(c.extra, c.replace);
      CAPTURE(problems);
      REQUIRE(problems.size() == 1);
      CHECK_MESSAGE(problems[0].find(c.message) != std::string::npos, problems[0]);
      CHECK_MESSAGE(problems[0].find("check.toml" + std::string(c.line)) != std::string::npos,
                    problems[0]);
    }
  }
}
