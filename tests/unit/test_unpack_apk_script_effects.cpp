// Script effects: which Alpine script lines are reproduced on the tree, and which are
// reported as not understood.
#include <doctest/doctest.h>

#include "stage/tree.hpp"
#include "unpack/apk/script_effects.hpp"

using compose::stage::Tree;
using namespace compose::unpack::apk;

namespace {

Tree alpine_like_tree()
{
  Tree tree;
  tree.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                              "nobody:x:65534:65534:nobody:/:/sbin/nologin\n");
  tree.add_file("etc/group", "root:x:0:root\nshadow:x:42:\nnogroup:x:65533:\n");
  tree.add_file("etc/shadow", "root:*::0:::::\n", 0640);
  tree.add_directory("home");
  return tree;
}

std::string text_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.find(path);
  REQUIRE(inode);
  return inode->content.read();
}

} // namespace

TEST_SUITE("unpack::apk::script_effects")
{
  TEST_CASE("the dbus pre-install is reproduced with deterministic ids")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 86400 * 19000, false};
    const ScriptOutcome outcome = reproduce_script(
        "#!/bin/sh\n"
        "addgroup -S messagebus 2>/dev/null\n"
        "adduser -S -D -H -h /dev/null -s /sbin/nologin -G messagebus -g messagebus messagebus "
        "2>/dev/null\n"
        "exit 0\n",
        {"1.14.10-r0"}, environment);
    CHECK(outcome.unknown_lines.empty());
    CHECK(outcome.exit_status == 0);
    CHECK(text_of(tree, "etc/passwd").ends_with(
        "messagebus:x:100:100:messagebus:/dev/null:/sbin/nologin\n"));
    CHECK(text_of(tree, "etc/group").ends_with("messagebus:x:100:messagebus\n"));
    CHECK(text_of(tree, "etc/shadow").ends_with("messagebus:!:19000:0:99999:7:::\n"));
    CHECK_FALSE(tree.exists("dev/null"));

    // Running it again changes nothing: busybox refuses names in use, the script ignores it.
    const ScriptOutcome again = reproduce_script("addgroup -S messagebus 2>/dev/null || true\n"
                                                 "adduser -S -D -H -G messagebus messagebus; exit 0\n",
                                                 {}, environment);
    CHECK(again.unknown_lines.empty());
    CHECK(text_of(tree, "etc/group").ends_with("messagebus:x:100:messagebus\n"));
  }

  TEST_CASE("a user with a home directory gets it 02755 and owned by the user")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    const ScriptOutcome outcome =
        reproduce_script("addgroup -S -g 201 app\nadduser -S -D -G app -u 201 app\n", {},
                         environment);
    CHECK(outcome.unknown_lines.empty());
    const auto home = tree.find("home/app");
    REQUIRE(home);
    CHECK(home->mode == 02755);
    CHECK(home->uid == 201);
    CHECK(home->gid == 201);
  }

  TEST_CASE("alpine-baselayout scripts: conditions, case on readlink, chown by name")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    const ScriptOutcome pre = reproduce_script(
        "#!/bin/sh\n\nif [ -e /etc/shadow ] && grep -q '^shadow:' /etc/group; then\n"
        "        addgroup -S -g 42 shadow\nfi\n\n",
        {"3.4.3-r2"}, environment);
    CHECK(pre.unknown_lines.empty());
    const ScriptOutcome post = reproduce_script(
        "#!/bin/sh\n"
        "case \"$(readlink etc/profile.d/color_prompt.sh 2>/dev/null || true)\" in\n"
        "\tcolor_prompt) ln -sf color_prompt.sh.disabled etc/profile.d/color_prompt.sh;;\n"
        "esac\n"
        "chown root:shadow etc/shadow\n"
        "chown root:shadow etc/shadow-\n"
        "exit 0\n",
        {"3.4.3-r2"}, environment);
    CHECK(post.unknown_lines.empty());
    CHECK(tree.find("etc/shadow")->gid == 42);
    CHECK_FALSE(tree.exists("etc/profile.d/color_prompt.sh"));

    // With the old symlink in place the case arm runs.
    tree.add_directory("etc/profile.d");
    tree.add_symlink("etc/profile.d/color_prompt.sh", "color_prompt");
    reproduce_script("case \"$(readlink etc/profile.d/color_prompt.sh 2>/dev/null || true)\" in\n"
                     "\tcolor_prompt) ln -sf color_prompt.sh.disabled "
                     "etc/profile.d/color_prompt.sh;;\nesac\n",
                     {}, environment);
    CHECK(tree.find("etc/profile.d/color_prompt.sh")->target == "color_prompt.sh.disabled");
  }

  TEST_CASE("busybox post-install asks for applet links and makes the directories")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    const ScriptOutcome outcome = reproduce_script(
        "#!/bin/busybox sh\n# We need the symlinks early\n"
        "/bin/busybox mkdir -p \"/bin\" \"/sbin\" \"/usr/bin\" \"/usr/sbin\"\n"
        "/bin/busybox --install -s || exit 1\n",
        {"1.36.1-r15"}, environment);
    CHECK(outcome.unknown_lines.empty());
    CHECK(environment.applet_links_requested);
    CHECK(tree.find("usr/sbin"));
  }

  TEST_CASE("lines it cannot evaluate are reported in order, once, and the rest still runs")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    const ScriptOutcome outcome = reproduce_script(
        "#!/bin/sh\n"
        "rc-update add foo default\n"
        "for f in /etc/foo/*; do\n  chmod 600 \"$f\"\ndone\n"
        "addgroup -S foo\n"
        "echo hello > /etc/motd\n"
        "sed -i 's/a/b/' /etc/foo.conf | cat\n"
        "chmod u+s /bin/ping\n"
        "if [ -x /usr/bin/foo ]; then foo --setup; fi\n",
        {}, environment);
    CHECK(outcome.unknown_lines ==
          std::vector<std::string>{"rc-update add foo default", "for f in /etc/foo/*; do",
                                   "echo hello > /etc/motd", "sed -i 's/a/b/' /etc/foo.conf | cat",
                                   "chmod u+s /bin/ping"});
    CHECK(text_of(tree, "etc/group").ends_with("foo:x:100:\n"));
  }

  TEST_CASE("update-ca-certificates counts as reproduced only when the bundle exists")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    const char* trigger = "#!/bin/sh\n/usr/sbin/update-ca-certificates > /dev/null 2>&1\nexit 0\n";
    CHECK(reproduce_script(trigger, {"/etc/ssl/certs"}, environment).unknown_lines ==
          std::vector<std::string>{"/usr/sbin/update-ca-certificates > /dev/null 2>&1"});
    tree.add_file("etc/ssl/certs/ca-certificates.crt", "-----BEGIN CERTIFICATE-----\n");
    CHECK(reproduce_script(trigger, {"/etc/ssl/certs"}, environment).unknown_lines.empty());
  }

  TEST_CASE("install -d, chown -R and chmod apply to the tree")
  {
    Tree tree = alpine_like_tree();
    tree.add_file("var/lib/app/data/file", "x");
    ScriptEnvironment environment{tree, 0, false};
    const ScriptOutcome outcome =
        reproduce_script("set -e\naddgroup -S app\nadduser -S -D -H -G app app\n"
                         "install -d -o app -g app -m 750 /var/log/app\n"
                         "chown -R app:app /var/lib/app\nchmod 0700 /var/lib/app\n",
                         {}, environment);
    CHECK(outcome.unknown_lines.empty());
    const auto log = tree.find("var/log/app");
    REQUIRE(log);
    CHECK(log->mode == 0750);
    CHECK(log->uid == 100);
    CHECK(tree.find("var/lib/app/data/file")->gid == 100);
    CHECK(tree.find("var/lib/app")->mode == 0700);
    CHECK(tree.find("var/lib/app/data")->mode == 0755);
  }

  TEST_CASE("exit status and positional parameters")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    CHECK(reproduce_script("[ \"$1\" = 2.0 ] && exit 3\nexit 0\n", {"2.0"}, environment)
              .exit_status == 3);
    CHECK(reproduce_script("[ \"$1\" = 2.0 ] && exit 3\nexit 0\n", {"1.0"}, environment)
              .exit_status == 0);
    CHECK(reproduce_script("false\nexit\n", {}, environment).exit_status == 1);
    // A position past any list is empty, even one too large for a number.
    CHECK(reproduce_script("[ -z \"${99999999999999999999999}\" ] && exit 4\n", {"a"}, environment)
              .exit_status == 4);
    CHECK(reproduce_script("[ \"${1}\" = a ] && exit 5\n", {"a"}, environment).exit_status == 5);
  }

  TEST_CASE("calls that fan out stop at a budget and are unknown, not a hang")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    // Within the depth bound of 32, but 2^32 bodies without a budget.
    const ScriptOutcome outcome =
        reproduce_script("f() {\n  f\n  f\n}\nf\nmkdir -p /var/lib/after\n", {}, environment);
    CHECK_FALSE(outcome.unknown_lines.empty());
    CHECK(tree.exists("var/lib/after"));
    // A value doubled at each of 32 levels would be 2^32 bytes; past the word bound it is
    // unknown.
    const ScriptOutcome doubled = reproduce_script(
        "x=ab\nf() {\n  x=\"$x$x\"\n  f\n}\nf\nmkdir -p /var/lib/doubled\n", {}, environment);
    CHECK_FALSE(doubled.unknown_lines.empty());
    CHECK(tree.exists("var/lib/doubled"));
  }

  TEST_CASE("functions run at their calls; a here-document is one unknown line, not the end")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    const ScriptOutcome outcome = reproduce_script(
        "#!/bin/sh\n"
        "make_group() {\n\taddgroup -S \"$1\" 2>/dev/null\n\treturn 0\n}\n"
        "make_group app\n"
        "cat > /etc/app.conf <<EOF\nkey=value\nEOF\n"
        "make_group other && exit 4\n",
        {}, environment);
    CHECK(outcome.unknown_lines == std::vector<std::string>{"cat > /etc/app.conf <<EOF"});
    CHECK(text_of(tree, "etc/group").find("\napp:x:") != std::string::npos);
    CHECK(text_of(tree, "etc/group").find("\nother:x:") != std::string::npos);
    CHECK(outcome.exit_status == 4);
    // A subshell's exit ends the subshell (the old evaluator looped forever on "(").
    const ScriptOutcome subshell =
        reproduce_script("( addgroup -S sub; exit 3 ) || addgroup -S after\nexit 0\n", {}, environment);
    CHECK(subshell.unknown_lines.empty());
    CHECK(subshell.exit_status == 0);
    CHECK(text_of(tree, "etc/group").find("\nafter:x:") != std::string::npos);
  }

  TEST_CASE("text the reader cannot read, or nested too deeply, is reported; what came before ran")
  {
    Tree tree = alpine_like_tree();
    ScriptEnvironment environment{tree, 0, false};
    std::string deep = "addgroup -S first\n";
    for (int i = 0; i < 100000; ++i)
      deep += "if true; then ";
    const ScriptOutcome outcome = reproduce_script(deep, {}, environment);
    REQUIRE(outcome.unknown_lines.size() == 1);
    CHECK(outcome.unknown_lines[0].find("(sh: too deeply nested") != std::string::npos);
    CHECK(text_of(tree, "etc/group").find("\nfirst:x:") != std::string::npos);

    std::string substitutions = "echo ";
    for (int i = 0; i < 100000; ++i)
      substitutions += "$(";
    CHECK(reproduce_script(substitutions, {}, environment).unknown_lines.at(0).find(
              "too deeply nested") != std::string::npos);
    CHECK(reproduce_script("addgroup -S x\nif true; then\n", {}, environment).unknown_lines ==
          std::vector<std::string>{"(sh: expected 'fi' for the 'if' of line 2 but found end of script)"});
  }
}
