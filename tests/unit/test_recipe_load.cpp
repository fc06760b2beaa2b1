// load_recipe: fragments and merge rules, ${…} expansion, the digest, every way a recipe
// can be wrong (message and exact file:line:column), and the recipes shipped in recipes/.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "recipe/recipe.hpp"
#include "test_paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using compose::Error;
using namespace compose::recipe;

namespace {

void write_text(const fs::path& path, const std::string& text)
{
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Runs a test step in another working directory and comes back even when it throws.
class WorkingDirectory {
public:
  explicit WorkingDirectory(const fs::path& directory) : m_previous(fs::current_path())
  {
    fs::current_path(directory);
  }
  ~WorkingDirectory() { fs::current_path(m_previous); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

private:
  fs::path m_previous;
};

const std::string k_base_fragment = R"(# base
distribution = "alpine"
architecture = "x86_64"
packages = ["alpine-baselayout", "busybox", "musl"]

[[repositories]]
url = "https://mirror.example/alpine"
branch = "v${release}"
repos = ["main", "community"]
keys = ["alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub"]

[image]
cmd = ["/bin/sh"]
tags = ["example/base:${release}"]
user = "root"

[outputs]
formats = ["rootfs-tar"]
)";

const std::string k_service_fragment =
    R"(packages = ["busybox", "openssh-server=9.6_p1-r2", "docker>=25.0"]

[image]
cmd = ["/usr/sbin/sshd", "-D"]
exposed_ports = ["22/tcp", "2375"]
env = { PATH = "/usr/bin:/bin" }
tags = ["example/base:${release}", "example/${name}:latest"]

[outputs]
formats = ["oci", "ext4", "rootfs-tar"]

[outputs.ext4]
size = "2G"
headroom = "64M"
headroom_percent = 10
features = ["^has_journal"]
)";

const std::string k_top_recipe = R"(include = ["fragments/base.toml", "fragments/service.toml"]
name = "web-1.0"
release = "3.22"
packages = ["cmd:sh", "musl"]

[image]
user = "admin"
working_dir = "/srv"
labels = { "org.opencontainers.image.title" = "${name} on ${distribution} ${release}/${architecture}" }

[outputs]
layer_compression = "zstd"

[outputs.ext4]
label = "web"
)";

// A valid recipe laid out as recipes/web.toml + recipes/fragments/*.toml under `root`.
void write_valid_recipe(const fs::path& root)
{
  write_text(root / "recipes/fragments/base.toml", k_base_fragment);
  write_text(root / "recipes/fragments/service.toml", k_service_fragment);
  write_text(root / "recipes/web.toml", k_top_recipe);
}

std::vector<std::string> package_tokens(const Recipe& recipe)
{
  std::vector<std::string> tokens;
  for (const PackageSpec& package : recipe.packages)
    tokens.push_back(package.name + package.constraint);
  return tokens;
}

} // namespace

TEST_SUITE("recipe::load_recipe")
{
  TEST_CASE("a recipe with fragments loads into the Recipe with locations")
  {
    compose::TempPath root = compose::make_temp_directory("recipe-test");
    write_valid_recipe(root.path());
    const WorkingDirectory cwd(root.path());
    const Recipe recipe = load_recipe("recipes/web.toml");

    CHECK(recipe.file == fs::path("recipes/web.toml"));
    CHECK(recipe.fragments ==
          std::vector<fs::path>{"recipes/fragments/base.toml", "recipes/fragments/service.toml"});
    CHECK(recipe.where.str() == "recipes/web.toml:1:1");
    CHECK(recipe.name == "web-1.0");
    CHECK(recipe.distribution == Distribution::alpine);
    CHECK(std::string(distribution_name(recipe.distribution)) == "alpine");
    CHECK(recipe.release == "3.22");
    CHECK(recipe.architecture == "x86_64");
    CHECK(recipe.digest.size() == 64);

    REQUIRE(recipe.packages.size() == 6);
    CHECK(recipe.packages[0].name == "alpine-baselayout");
    CHECK(recipe.packages[0].where.str() == "recipes/fragments/base.toml:4:13");
    const PackageSpec& ssh = recipe.packages[3];
    CHECK(ssh.name == "openssh-server");
    CHECK(ssh.constraint == "=9.6_p1-r2");
    CHECK(ssh.where.str() == "recipes/fragments/service.toml:1:24");
    CHECK(recipe.packages[4].name == "docker");
    CHECK(recipe.packages[4].constraint == ">=25.0");
    CHECK(recipe.packages[5].name == "cmd:sh");
    CHECK(recipe.packages[5].constraint.empty());
    CHECK(recipe.packages[5].where.str() == "recipes/web.toml:4:13");

    REQUIRE(recipe.repositories.size() == 1);
    const RepositorySpec& repository = recipe.repositories[0];
    CHECK(repository.url == "https://mirror.example/alpine");
    CHECK(repository.branch == "v3.22");
    CHECK(repository.repos == std::vector<std::string>{"main", "community"});
    CHECK(repository.keys ==
          std::vector<std::string>{"alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub"});
    CHECK(repository.priority == 500);
    CHECK(repository.where.str() == "recipes/fragments/base.toml:6:1");

    CHECK(recipe.image.cmd == std::vector<std::string>{"/usr/sbin/sshd", "-D"});
    CHECK(recipe.image.user == "admin");
    CHECK(recipe.image.working_dir == "/srv");
    CHECK(recipe.image.env == std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"}});
    CHECK(recipe.image.exposed_ports == std::vector<std::string>{"22/tcp", "2375/tcp"});
    CHECK(recipe.image.labels.at("org.opencontainers.image.title") ==
          "web-1.0 on alpine 3.22/x86_64");
    CHECK(recipe.image.tags ==
          std::vector<std::string>{"example/base:3.22", "example/web-1.0:latest"});

    CHECK(recipe.outputs.formats == std::vector<std::string>{"rootfs-tar", "oci", "ext4"});
    CHECK(recipe.outputs.layer_compression == "zstd");
    REQUIRE(recipe.outputs.ext4.size_bytes.has_value());
    CHECK(*recipe.outputs.ext4.size_bytes == (2ull << 30));
    CHECK(recipe.outputs.ext4.headroom_bytes == (64ull << 20));
    CHECK(recipe.outputs.ext4.headroom_percent == 10);
    CHECK(recipe.outputs.ext4.label == "web");
    CHECK(recipe.outputs.ext4.features == std::vector<std::string>{"^has_journal"});
    CHECK(recipe.outputs.ext4.where.str() == "recipes/fragments/service.toml:12:1");
  }

  TEST_CASE("merge rules: later scalars win, listed arrays concatenate, others are replaced")
  {
    compose::TempPath root = compose::make_temp_directory("recipe-test");
    write_valid_recipe(root.path());
    const Recipe recipe = load_recipe(root.path() / "recipes/web.toml");

    // packages: base, then service, then the recipe; "busybox" and "musl" again are dropped
    // and the first occurrence keeps its place and location.
    CHECK(package_tokens(recipe) == std::vector<std::string>{"alpine-baselayout", "busybox", "musl",
                                                             "openssh-server=9.6_p1-r2",
                                                             "docker>=25.0", "cmd:sh"});
    CHECK(recipe.packages[1].where.file.ends_with("fragments/base.toml"));
    // image.cmd is not a collecting array: the later file replaces it.
    CHECK(recipe.image.cmd.size() == 2);
    // A scalar of the top file overrides the fragment's, and tables merge key by key.
    CHECK(recipe.image.user == "admin");
    CHECK(recipe.image.exposed_ports.size() == 2);
    CHECK(recipe.outputs.ext4.label == "web");
    CHECK(recipe.outputs.ext4.size_bytes == (2ull << 30));
  }

  TEST_CASE("entries that become equal after ${…} expansion are kept once")
  {
    compose::TempPath root = compose::make_temp_directory("recipe-test");
    write_text(root.path() / "recipe.toml", R"(name = "same"
distribution = "alpine"
release = "3.22"
packages = ["busybox", "${name}", "same", "busybox>=1.36"]
[[repositories]]
url = "/srv/alpine"
branch = "v3.22"
repos = ["main"]
keys = ["k"]
[image]
tags = ["x:${release}", "x:3.22"]
)");
    const Recipe recipe = load_recipe(root.path() / "recipe.toml");
    CHECK(package_tokens(recipe) == std::vector<std::string>{"busybox", "same", "busybox>=1.36"});
    CHECK(recipe.image.tags == std::vector<std::string>{"x:3.22"});
  }

  TEST_CASE("a fragment reached twice is loaded once, at its first place")
  {
    compose::TempPath root = compose::make_temp_directory("recipe-test");
    const fs::path dir = root.path();
    write_text(dir / "common.toml", "distribution = \"debian\"\nrelease = \"bookworm\"\n"
                                    "packages = [\"base-files\"]\n");
    write_text(dir / "left.toml", "include = [\"common.toml\"]\nrelease = \"trixie\"\n");
    write_text(dir / "right.toml", "include = [\"common.toml\"]\npackages = [\"bash\"]\n");
    write_text(dir / "top.toml", R"(include = ["left.toml", "right.toml"]
name = "diamond"
architecture = "arm64"
[[repositories]]
url = "file:///srv/debian"
suites = ["${release}", "${release}-updates"]
components = ["main"]
keys = ["debian-archive"]
priority = 990
)");
    const Recipe recipe = load_recipe(dir / "top.toml");
    CHECK(recipe.fragments.size() == 3);
    CHECK(recipe.release == "trixie");
    CHECK(recipe.distribution == Distribution::debian);
    CHECK(recipe.architecture == "arm64");
    CHECK(package_tokens(recipe) == std::vector<std::string>{"base-files", "bash"});
    REQUIRE(recipe.repositories.size() == 1);
    CHECK(recipe.repositories[0].suites == std::vector<std::string>{"trixie", "trixie-updates"});
    CHECK(recipe.repositories[0].priority == 990);
    CHECK(recipe.base == "required"); // the defaults of an apt recipe
    CHECK_FALSE(recipe.recommends);
    CHECK(recipe.merged_usr);
  }

  TEST_CASE("base, recommends and merged_usr complete a Debian package set")
  {
    compose::TempPath root = compose::make_temp_directory("recipe-test");
    write_text(root.path() / "r.toml", R"(name = "d"
distribution = "ubuntu"
release = "jammy"
base = "important"
recommends = true
merged_usr = false
packages = ["openssh-server"]
[[repositories]]
url = "file:///srv/ubuntu"
suites = ["jammy"]
components = ["main"]
keys = ["ubuntu"]
)");
    const Recipe recipe = load_recipe(root.path() / "r.toml");
    CHECK(recipe.base == "important");
    CHECK(recipe.recommends);
    CHECK_FALSE(recipe.merged_usr);
  }

  TEST_CASE("the digest covers relative paths, lengths and bytes, not the cwd")
  {
    compose::TempPath first = compose::make_temp_directory("recipe-test");
    compose::TempPath second = compose::make_temp_directory("recipe-test");
    write_valid_recipe(first.path());
    write_valid_recipe(second.path());

    const std::string absolute = load_recipe(first.path() / "recipes/web.toml").digest;
    CHECK(load_recipe(second.path() / "recipes/web.toml").digest == absolute);
    {
      const WorkingDirectory cwd(first.path() / "recipes/fragments");
      CHECK(load_recipe("../web.toml").digest == absolute);
    }
    {
      const WorkingDirectory cwd(first.path());
      CHECK(load_recipe("recipes/web.toml").digest == absolute);
    }

    // The documented construction, computed by hand.
    std::string stream;
    for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
             {"fragments/base.toml", k_base_fragment},
             {"fragments/service.toml", k_service_fragment},
             {"web.toml", k_top_recipe}}) {
      stream += name + '\0' + std::to_string(text.size()) + '\0' + text;
    }
    CHECK(absolute == compose::sha256_hex(stream));

    // One changed byte (even in a comment) changes the digest.
    write_text(second.path() / "recipes/fragments/base.toml", "#" + k_base_fragment);
    CHECK(load_recipe(second.path() / "recipes/web.toml").digest != absolute);
  }

  // An otherwise valid Alpine recipe that sets recommends (line 4).
  std::string valid_head_recommends()
  {
    return "name = \"t\"\ndistribution = \"alpine\"\nrelease = \"3.22\"\nrecommends = true\n"
           "packages = [\"busybox\"]\n[[repositories]]\nurl = \"file:///srv/alpine\"\n"
           "branch = \"v3.22\"\nrepos = [\"main\"]\nkeys = [\"k\"]\n";
  }

  TEST_CASE("bad recipes name the problem and its file:line:column")
  {
    struct Case {
      const char* title;
      std::map<std::string, std::string> files; // recipe.toml is loaded
      std::string message;                      // a part of message()
      std::string where;                        // exactly
      std::string hint = {};                    // a part of hint()
    };
    const std::string repository = "[[repositories]]\nurl = \"file:///srv/alpine\"\n"
                                   "branch = \"v3.22\"\nrepos = [\"main\"]\nkeys = [\"k\"]\n";
    const std::string head = "name = \"t\"\ndistribution = \"alpine\"\nrelease = \"3.22\"\n";
    const std::string valid = head + "packages = [\"busybox\"]\n" + repository;
    const std::string debian = "name = \"t\"\ndistribution = \"debian\"\nrelease = \"bookworm\"\n"
                               "packages = [\"bash\"]\n";
    std::vector<Case> cases{
        {"base set unknown",
         {{"recipe.toml", debian + "base = \"minbase\"\n[[repositories]]\nurl = \"file:///d\"\n"
                          "suites = [\"bookworm\"]\ncomponents = [\"main\"]\nkeys = [\"k\"]\n"}},
         "unknown base 'minbase'",
         "recipe.toml:5:8",
         "required"},
        {"recommends on an Alpine recipe", {{"recipe.toml", valid_head_recommends()}},
         "'recommends' applies to Debian and Ubuntu recipes only",
         "recipe.toml:4:14"},
        {"unknown key with a typo",
         {{"recipe.toml", head + "pakages = [\"busybox\"]\n" + repository}},
         "unknown key 'pakages' in the top-level table",
         "recipe.toml:4:1",
         "did you mean 'packages'? allowed keys: include, name,"},
        {"unknown key in a nested table",
         {{"recipe.toml", valid + "[outputs.ext4]\nlable = \"x\"\n"}},
         "unknown key 'lable' in [outputs.ext4]",
         "recipe.toml:11:1",
         "did you mean 'label'?"},
        {"wrong type",
         {{"recipe.toml", "name = 5\n" + valid.substr(valid.find('\n') + 1)}},
         "wrong type for 'name': expected a string, found an integer",
         "recipe.toml:1:8"},
        {"wrong type inside an array",
         {{"recipe.toml", head + "packages = [\"busybox\", 7]\n" + repository}},
         "wrong type for entry 2 of 'packages': expected a string, found an integer",
         "recipe.toml:4:24"},
        {"an unknown stop signal",
         {{"recipe.toml", valid + "[image]\nstop_signal = \"SIGBOGUS\"\n"}},
         "unknown stop_signal 'SIGBOGUS'",
         "recipe.toml:11:15",
         "a Linux signal name"},
        {"a signal number out of range",
         {{"recipe.toml", valid + "[image]\nstop_signal = \"65\"\n"}},
         "unknown stop_signal '65'",
         "recipe.toml:11:15"},
        {"an environment variable name with a blank",
         {{"recipe.toml", valid + "[image]\nenv = { \"MY VAR\" = \"1\" }\n"}},
         "bad environment variable 'MY VAR': the name contains whitespace",
         "recipe.toml:11:7"},
        {"an environment value with a NUL byte",
         {{"recipe.toml", valid + "[image]\nenv = { A = \"x\\u0000y\" }\n"}},
         "bad environment variable 'A': it contains a NUL byte",
         "recipe.toml:11:7"},
        {"a command word with a NUL byte",
         {{"recipe.toml", valid + "[image]\ncmd = [\"/bin/sh\", \"-c\\u0000\"]\n"}},
         "bad command word '-c\\x00': it contains a NUL byte",
         "recipe.toml:11:7"},
        {"a user with two colons",
         {{"recipe.toml", valid + "[image]\nuser = \"a:b:c\"\n"}},
         "bad user 'a:b:c': more than one ':'",
         "recipe.toml:11:8",
         "uid:gid"},
        {"a uid out of range",
         {{"recipe.toml", valid + "[image]\nuser = \"4294967295:0\"\n"}},
         "bad user '4294967295:0': user id out of range",
         "recipe.toml:11:8"},
        {"an empty group",
         {{"recipe.toml", valid + "[image]\nuser = \"miget:\"\n"}},
         "bad user 'miget:': empty group",
         "recipe.toml:11:8"},
        {"a label key with '='",
         {{"recipe.toml", valid + "[image]\nlabels = { \"a=b\" = \"1\" }\n"}},
         "bad labels key 'a=b': the key contains '='",
         "recipe.toml:11:10"},
        {"an annotation key with a control character",
         {{"recipe.toml", valid + "[image]\nannotations = { \"a\\u001bb\" = \"1\" }\n"}},
         "bad annotations key 'a\\x1bb': the key contains whitespace or a control character",
         "recipe.toml:11:15"},
        {"a tag with a character OCI references do not allow",
         {{"recipe.toml", valid + "[image]\ntags = [\"1.0!x\"]\n"}},
         "bad image tag '1.0!x': the character ! is not allowed",
         "recipe.toml:11:9",
         "latest"},
        {"a tag with two separators in a row",
         {{"recipe.toml", valid + "[image]\ntags = [\"a.-b\"]\n"}},
         "bad image tag 'a.-b': two separators in a row",
         "recipe.toml:11:9"},
        {"a tag ending in a separator",
         {{"recipe.toml", valid + "[image]\ntags = [\"v1-\"]\n"}},
         "bad image tag 'v1-': each '/'-separated part must start and end",
         "recipe.toml:11:9"},
        {"dotted keys 20,000 deep (a stack overflow in toml++ before)",
         {{"recipe.toml", valid + "[labels]\n" + std::string(40000, 'a').replace(1, 39998,
                                                  [] { std::string parts;
                                                       for (int i = 0; i < 19999; ++i)
                                                         parts += ".a";
                                                       return parts.substr(0, 39998); }()) +
                              " = 1\n"}},
         "nests deeper than 64 levels",
         "recipe.toml:11",
         "flatten"},
        {"table headers 20,000 deep",
         {{"recipe.toml", valid + "[" + [] { std::string path = "a";
                                             for (int i = 0; i < 20000; ++i)
                                               path += ".a";
                                             return path; }() + "]\n"}},
         "nests deeper than 64 levels",
         "recipe.toml:10"},
        {"arrays 20,000 deep",
         {{"recipe.toml", valid + "x = " + std::string(20000, '[') + std::string(20000, ']') +
                              "\n"}},
         "nests deeper than 64 levels",
         "recipe.toml:10"},
        {"a control character in a name is shown, not sent to the terminal",
         {{"recipe.toml", "name = \"e\\u001b[2Jvil\"\n" + valid.substr(valid.find('\n') + 1)}},
         "bad recipe name 'e\\x1b[2Jvil'",
         "recipe.toml:1:8"},
        {"missing name",
         {{"recipe.toml", valid.substr(valid.find('\n') + 1)}},
         "missing required key 'name' in the top-level table",
         "recipe.toml:1:1"},
        {"missing key in a repository",
         {{"recipe.toml", head + "packages = [\"busybox\"]\n\n[[repositories]]\nurl = \"/srv\"\n"
                                 "branch = \"v3.22\"\nkeys = [\"k\"]\n"}},
         "missing required key 'repos' in a [[repositories]] entry",
         "recipe.toml:6:1"},
        {"bad distribution",
         {{"recipe.toml", "name = \"t\"\ndistribution = \"alpin\"\nrelease = \"3.22\"\n"}},
         "unknown distribution 'alpin'",
         "recipe.toml:2:16",
         "did you mean 'alpine'? expected one of: alpine, debian, ubuntu"},
        {"architecture of the other family",
         {{"recipe.toml", "architecture = \"amd64\"\n" + valid}},
         "architecture 'amd64' is not alpine's name for it",
         "recipe.toml:1:16",
         "alpine calls it 'x86_64'"},
        {"architecture unknown to the distribution",
         {{"recipe.toml", "architecture = \"mips64el\"\n" + valid}},
         "unknown alpine architecture 'mips64el'",
         "recipe.toml:1:16",
         "expected one of: x86_64, x86,"},
        {"malformed TOML",
         {{"recipe.toml", "name = \"t\"\nrelease = \"3.22\ndistribution = \"alpine\"\n"}},
         "malformed TOML: ",
         "recipe.toml:2:16"},
        {"missing include file",
         {{"recipe.toml", "include = [\"base.toml\", \"nothere.toml\"]\n" + valid},
          {"base.toml", "# empty\n"}},
         "include file not found: 'nothere.toml'",
         "recipe.toml:1:25"},
        {"include cycle",
         {{"recipe.toml", "include = [\"a.toml\"]\n" + valid},
          {"a.toml", "\ninclude = [\"b.toml\"]\n"},
          {"b.toml", "include = [ \"recipe.toml\" ]\n"}},
         "include cycle: recipe.toml -> a.toml -> b.toml -> recipe.toml",
         "b.toml:1:13"},
        {"bad size",
         {{"recipe.toml", valid + "[outputs.ext4]\nsize = \"12Q\"\n"}},
         "bad size '12Q' for 'outputs.ext4.size'",
         "recipe.toml:11:8",
         "K, M, G or T"},
        {"whitespace in a package",
         {{"recipe.toml", head + "packages = [\"busybox\", \"do cker\"]\n" + repository}},
         "package 'do cker' contains whitespace",
         "recipe.toml:4:24"},
        {"package without a name",
         {{"recipe.toml", head + "packages = [\">=1.0\"]\n" + repository}},
         "package '>=1.0' has no name",
         "recipe.toml:4:13"},
        {"unknown variable",
         {{"recipe.toml", head + "packages = [\"busybox\"]\n[[repositories]]\nurl = \"/srv\"\n"
                                 "branch = \"v${relase}\"\nrepos = [\"main\"]\nkeys = [\"k\"]\n"}},
         "unknown variable '${relase}' in 'v${relase}'",
         "recipe.toml:7:10",
         "did you mean ${release}?"},
        {"bad output format",
         {{"recipe.toml", valid + "[outputs]\nformats = [\"oci\", \"qcow2\"]\n"}},
         "unknown output format 'qcow2'",
         "recipe.toml:11:19",
         "expected one of: rootfs-tar, oci, ext4"},
        {"bad recipe name",
         {{"recipe.toml", "name = \"Web Server\"\n" + valid.substr(valid.find('\n') + 1)}},
         "bad recipe name 'Web Server'",
         "recipe.toml:1:8"},
        {"Debian keys in an Alpine repository",
         {{"recipe.toml", valid + "suites = [\"x\"]\n"}},
         "'suites' does not apply to alpine repositories",
         "recipe.toml:10:1"},
        {"unknown key in a fragment points into the fragment",
         {{"recipe.toml", "include = [\"frag/base.toml\"]\n" + valid},
          {"frag/base.toml", "\n[image]\nworkdir = \"/srv\"\n"}},
         "unknown key 'workdir' in [image]",
         "frag/base.toml:3:1",
         "allowed keys: entrypoint,"},
        {"repositories entry that is not a table",
         {{"recipe.toml", head + "packages = [\"busybox\"]\nrepositories = [\"main\"]\n"}},
         "wrong type for a 'repositories' entry: expected a table, found a string",
         "recipe.toml:5:17"},
        {"bad repository url",
         {{"recipe.toml", head + "packages = [\"busybox\"]\n[[repositories]]\n"
                                 "url = \"ftp://mirror\"\nbranch = \"v3.22\"\nrepos = [\"main\"]\n"
                                 "keys = [\"k\"]\n"}},
         "bad repository url 'ftp://mirror'",
         "recipe.toml:6:7",
         "http://, https://, file:// or an absolute path"},
        {"ext4 label too long",
         {{"recipe.toml", valid + "[outputs.ext4]\nlabel = \"seventeen-bytes!!\"\n"}},
         "ext4 label 'seventeen-bytes!!' is longer than 16 bytes",
         "recipe.toml:11:9"},
        {"bad exposed port",
         {{"recipe.toml", valid + "[image]\nexposed_ports = [\"22/tcp\", \"70000\"]\n"}},
         "bad exposed port '70000'",
         "recipe.toml:11:28"},
        {"unterminated variable",
         {{"recipe.toml", valid + "[image]\nuser = \"${name\"\n"}},
         "unterminated '${' in '${name'",
         "recipe.toml:11:8"},
        {"variable in a top-level value",
         {{"recipe.toml", "name = \"t\"\ndistribution = \"alpine\"\nrelease = \"${name}\"\n"}},
         "variables are not expanded in 'release'",
         "recipe.toml:3:11"},
        {"missing recipe file", {}, "recipe file not found", "recipe.toml"},
        {"Alpine branch without its v",
         {{"recipe.toml", head + "packages = [\"busybox\"]\n[[repositories]]\nurl = \"/srv\"\n"
                                 "branch = \"3.22\"\nrepos = [\"main\"]\nkeys = [\"k\"]\n"}},
         "bad Alpine branch '3.22'",
         "recipe.toml:7:10",
         "\"v${release}\""},
        {"edge release with a v${release} branch",
         {{"recipe.toml", "name = \"t\"\ndistribution = \"alpine\"\nrelease = \"edge\"\n"
                          "packages = [\"busybox\"]\n[[repositories]]\nurl = \"/srv\"\n"
                          "branch = \"v${release}\"\nrepos = [\"main\"]\nkeys = [\"k\"]\n"}},
         "bad Alpine branch 'vedge'",
         "recipe.toml:7:10",
         "write branch = \"edge\""},
        {"key name that climbs out of keys/",
         {{"recipe.toml", head + "packages = [\"busybox\"]\n[[repositories]]\nurl = \"/srv\"\n"
                                 "branch = \"v3.22\"\nrepos = [\"main\"]\n"
                                 "keys = [\"../../etc/key.pub\"]\n"}},
         "entry '../../etc/key.pub' of 'repositories.keys' contains '/'",
         "recipe.toml:9:9"},
    };
    // Nineteen files deep, each including the next: the 17th level is refused.
    Case deep{"includes nested too deep", {}, "includes nest deeper than 16 files", "", "flatten"};
    for (int level = 0; level < 19; ++level) {
      const std::string file =
          level == 0 ? "recipe.toml" : "level" + std::to_string(level) + ".toml";
      deep.files[file] = "include = [\"level" + std::to_string(level + 1) + ".toml\"]\n";
    }
    deep.files["level19.toml"] = valid;
    deep.where = "level16.toml:1:12";
    cases.push_back(deep);

    for (const Case& bad : cases) {
      SUBCASE(bad.title)
      {
        compose::TempPath root = compose::make_temp_directory("recipe-test");
        for (const auto& [name, text] : bad.files)
          write_text(root.path() / name, text);
        const WorkingDirectory cwd(root.path());
        bool thrown = false;
        try {
          load_recipe("recipe.toml");
        } catch (const Error& error) {
          thrown = true;
          CHECK_MESSAGE(error.message().find(bad.message) != std::string::npos, error.message());
          CHECK(error.where() == bad.where);
          CHECK_MESSAGE(error.hint().find(bad.hint) != std::string::npos, error.hint());
        }
        CHECK(thrown);
      }
    }
  }

  TEST_CASE("every recipe in recipes/ loads and is named after its file")
  {
    const fs::path directory = compose::testing::source_dir() / "recipes";
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(directory))
      if (entry.is_regular_file() && entry.path().extension() == ".toml")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE_FALSE(files.empty());
    for (const fs::path& file : files) {
      CAPTURE(file);
      try {
        const Recipe recipe = load_recipe(file);
        CHECK(recipe.name == file.stem().string());
        CHECK_FALSE(recipe.packages.empty());
        CHECK_FALSE(recipe.repositories.empty());
      } catch (const Error& error) {
        FAIL(error.describe());
      }
    }
  }

  TEST_CASE("the full example in docs/recipe.md loads with every key set")
  {
    const std::string document =
        compose::read_file(compose::testing::source_dir() / "docs/recipe.md");
    const std::size_t section = document.find("## Full example");
    REQUIRE(section != std::string::npos);
    const std::size_t start = document.find("```toml\n", section);
    REQUIRE(start != std::string::npos);
    const std::size_t body = start + std::string("```toml\n").size();
    const std::size_t end = document.find("```", body);
    REQUIRE(end != std::string::npos);

    compose::TempPath root = compose::make_temp_directory("recipe-test");
    write_text(root.path() / "web-3.22.toml", document.substr(body, end - body));
    const Recipe recipe = load_recipe(root.path() / "web-3.22.toml");
    CHECK(recipe.name == "web-3.22");
    CHECK(recipe.packages.size() == 4);
    REQUIRE(recipe.repositories.size() == 2);
    CHECK(recipe.repositories[0].branch == "v3.22");
    CHECK(recipe.repositories[1].tag == "testing");
    CHECK(recipe.image.exposed_ports == std::vector<std::string>{"22/tcp", "53/udp", "8080/tcp"});
    CHECK(recipe.image.annotations.at("org.opencontainers.image.version") == "3.22");
    CHECK(recipe.image.tags == std::vector<std::string>{"example/web:3.22"});
    CHECK(recipe.outputs.formats.size() == 3);
    CHECK(recipe.outputs.ext4.label == "rootfs");
    CHECK(recipe.outputs.ext4.headroom_percent == 20);
  }

  TEST_CASE("the shipped Alpine dockerd recipe follows its release")
  {
    const Recipe recipe =
        load_recipe(compose::testing::source_dir() / "recipes/alpine-3.22-dockerd.toml");
    REQUIRE(recipe.repositories.size() == 1);
    CHECK(recipe.repositories[0].branch == "v3.22");
    CHECK(recipe.repositories[0].repos == std::vector<std::string>{"main", "community"});
    CHECK(recipe.repositories[0].keys.size() == 3);
    CHECK(recipe.outputs.formats == std::vector<std::string>{"rootfs-tar", "oci", "ext4"});
    const std::vector<std::string> tokens = package_tokens(recipe);
    for (const char* wanted :
         {"alpine-baselayout", "busybox", "apk-tools", "docker", "openssh-server", "supervisor"})
      CHECK(std::find(tokens.begin(), tokens.end(), wanted) != tokens.end());
  }

  TEST_CASE("the shipped Debian recipes run Debian's paths and mount the data disk")
  {
    const auto command_of = [](const Recipe& recipe, const std::string& name) {
      for (const auto& program : recipe.overlays.supervisor.programs)
        if (program.name == name)
          return program.command;
      return std::string("(no program ") + name + ")";
    };
    const Recipe dockerd =
        load_recipe(compose::testing::source_dir() / "recipes/debian-12-dockerd.toml");
    // docker.io installs dockerd in /usr/sbin; the distribution-neutral fragment says /usr/bin.
    CHECK(command_of(dockerd, "dockerd") ==
          "/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock");
    CHECK(command_of(dockerd, "cron") == "/usr/sbin/cron -f");
    CHECK(dockerd.overlays.init.path == "/usr/local/sbin/compose-init");
    CHECK(dockerd.overlays.init.data_label == "miget-data");
    CHECK(dockerd.overlays.init.data_mount == "/var/lib/docker");

    const Recipe podman =
        load_recipe(compose::testing::source_dir() / "recipes/debian-12-podman.toml");
    // The wrapper chooses the storage driver and shares the socket, then execs the service.
    CHECK(command_of(podman, "podman") == "/usr/local/sbin/podman-service");
    CHECK(command_of(podman, "dockerd") == "(no program dockerd)");
    CHECK(podman.overlays.init.data_mount == "/var/lib/containers");
    const std::vector<std::string> tokens = package_tokens(podman);
    for (const char* wanted : {"podman", "fuse-overlayfs", "crun", "containernetworking-plugins",
                               "catatonit", "openssh-server", "supervisor", "cron"})
      CHECK(std::find(tokens.begin(), tokens.end(), wanted) != tokens.end());
    CHECK(std::find(tokens.begin(), tokens.end(), "docker.io") == tokens.end());
  }
}
