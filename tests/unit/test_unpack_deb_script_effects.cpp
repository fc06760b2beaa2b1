// Maintainer-script effects: shell reading, system accounts with adduser's id order,
// alternatives, CA certificates, capabilities, statoverrides, the reports, and (when the
// real bookworm test mirror is present) a whole installation with install().
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "repo/deb/control_file.hpp"
#include "repo/deb/relation.hpp"
#include "stage/tree.hpp"
#include "unpack/deb/ca_certificates.hpp"
#include "unpack/deb/deb_archive.hpp"
#include "unpack/deb/package_effects.hpp"
#include "unpack/deb/pam_auth_update.hpp"
#include "unpack/deb/script_effects.hpp"
#include "unpack/deb/shell_commands.hpp"
#include "unpack/deb_install.hpp"
#include "util/error.hpp"
#include "util/handles.hpp"

using compose::stage::FileType;
using compose::stage::Tree;
using namespace compose::unpack::deb;
namespace repo = compose::repo::deb;

namespace {

constexpr std::int64_t k_epoch = 86400 * 20000;

InstalledPackage make_package(const std::string& name,
                              std::map<std::string, std::string> scripts)
{
  InstalledPackage package;
  const std::string control = "Package: " + name + "\nVersion: 1\nArchitecture: amd64\n";
  package.unpacked.archive.control_text = control;
  package.unpacked.archive.control = repo::parse_control(control, "control").at(0);
  for (auto& [script, text] : scripts)
    package.unpacked.archive.control_files[script] = {std::move(text), 0755};
  package.unpacked.paths = {"/."};
  return package;
}

std::string text_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.resolve(path);
  REQUIRE_MESSAGE(inode, path);
  return inode->content.read();
}

Tree base_tree()
{
  Tree tree;
  tree.add_file("usr/share/base-passwd/passwd.master",
                "root:*:0:0:root:/root:/bin/bash\n"
                "_apt:*:42:65534::/nonexistent:/usr/sbin/nologin\n"
                "nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
  tree.add_file("usr/share/base-passwd/group.master",
                "root:*:0:\nshadow:*:42:\nusers:*:100:\nnogroup:*:65534:\n");
  return tree;
}

const ScriptReport& report_for(const std::vector<ScriptReport>& reports, const std::string& package,
                               const std::string& script)
{
  for (const auto& report : reports)
    if (report.package == package && report.script == script)
      return report;
  FAIL("no report for " << package << " " << script);
  throw std::logic_error("unreachable");
}

using Certificate = std::unique_ptr<X509, compose::FreeWith<X509_free>>;

// A throwaway self-signed certificate with the given common name, as PEM text.
std::string self_signed(const std::string& common_name)
{
  compose::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(key);
  Certificate certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 86400);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  X509_set_pubkey(certificate.get(), key.get());
  REQUIRE(X509_sign(certificate.get(), key.get(), EVP_sha256()) > 0);
  compose::Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string legacy_hash(const std::string& pem)
{
  compose::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  char text[16];
  std::snprintf(text, sizeof text, "%08lx", X509_subject_name_hash(certificate.get()));
  return text;
}

} // namespace

TEST_SUITE("unpack::deb::script_effects")
{
  TEST_CASE("the shell reader joins continuation lines, skips here-documents, expands literals")
  {
    const ShellScript script = scan_shell(
        "#!/bin/sh\nset -e\nLAUNCHER=/usr/lib/dbus-1.0/dbus-daemon-launch-helper\n"
        "ua() {\n  update-alternatives --install /usr/bin/awk awk \\\n"
        "    /usr/bin/mawk 5 --slave /usr/share/man/man1/awk.1.gz awk.1.gz \"$1\"\n}\n"
        "case \"$1\" in\n  configure)\n    cat <<EOF\nrm -rf /\nEOF\n"
        "    dpkg-statoverride --add root messagebus 4754 \"$LAUNCHER\" ;;\nesac\n"
        "x=$(dpkg-divert --listpackage /bin/sh)\n");
    REQUIRE(script.commands.size() == 5);
    CHECK(script.commands[0].words == std::vector<std::string>{"set", "-e"});
    CHECK(script.commands[1].words.size() == 10);
    CHECK(script.commands[1].words[4] == "/usr/bin/mawk");
    CHECK(script.commands[1].unresolved); // "$1" inside a function is its own argument
    CHECK(script.commands[2].words[0] == "cat");
    CHECK(script.commands[3].words.back() == "/usr/lib/dbus-1.0/dbus-daemon-launch-helper");
    CHECK_FALSE(script.commands[3].unresolved);
    CHECK(script.commands[4].words[0] == "dpkg-divert");
    CHECK(script.functions.contains("ua"));
  }

  TEST_CASE("branches a first installation does not take are dead; functions expand at calls")
  {
    const FileTest file_test = [](char op, const std::string& path) -> std::optional<bool> {
      if (op == 'e' || op == 'f')
        return path == "/etc/present";
      return std::nullopt;
    };
    const ShellScript script = scan_shell(
        "#!/bin/sh\n"
        "install_from_default() {\n  if [ ! -f $2 ]; then\n    cp -p $1 $2\n  fi\n}\n"
        "if [ \"$1\" = upgrade ] && dpkg --compare-versions \"$2\" lt 2; then\n  rm -rf /old\nfi\n"
        "case \"$1\" in\n  abort-upgrade|abort-remove)\n    undo ;;\n  configure)\n"
        "    install_from_default /usr/share/x /etc/x\n"
        "    install_from_default /usr/share/y /etc/present ;;\nesac\n"
        "[ -z \"$2\" ] || upgrade-only\n[ -n \"$2\" ] && upgrade-only-too\n"
        "cat > /etc/hosts <<-EOF\n\t127.0.0.1\tlocalhost\nEOF\n"
        "exit 0\nafter-exit\n",
        file_test);
    std::vector<std::string> live;
    for (const auto& command : script.commands)
      if (!command.dead && !command.in_function)
        live.push_back(command.words[0] + (command.words.size() > 1 ? " " + command.words.back() : ""));
    std::string joined;
    for (const auto& item : live)
      joined += item + "|";
    CAPTURE(joined);
    CHECK(live == std::vector<std::string>{"[ ]", "install_from_default /etc/x", "[ ]",
                                           "cp /etc/x", "install_from_default /etc/present",
                                           "[ ]", "[ ]", "[ ]", "cat", "exit 0"});
    const auto cat = std::find_if(script.commands.begin(), script.commands.end(),
                                  [](const auto& c) { return c.words[0] == "cat"; });
    REQUIRE(cat != script.commands.end());
    CHECK(cat->heredoc == "127.0.0.1\tlocalhost\n");
    CHECK(cat->redirect_target == "/etc/hosts");
  }

  TEST_CASE("an 'exit' in a case arm not taken, or a function's return, does not end the script")
  {
    const ShellScript script = scan_shell(
        "#!/bin/sh\nset -e\nhelper() {\n  [ -d /x ] || return 1\n  return 0\n}\n"
        "case \"$1\" in\n  configure) adduser --system a ;;\n  abort-upgrade) ;;\n"
        "  *) echo \"unknown argument $1\" >&2\n     exit 1 ;;\nesac\n"
        "if [ \"$1\" = configure ] || [ \"$1\" = abort-upgrade ]; then\n"
        "  deb-systemd-helper enable a.service\nelif true; then\n  never\nfi\n"
        "x=$(if [ -n \"$2\" ]; then upgrade-only; fi)\n");
    std::vector<std::string> live;
    for (const auto& command : script.commands)
      if (!command.dead && !command.in_function)
        live.push_back(command.words[0] + ":" + std::to_string(command.line));
    std::string joined;
    for (const auto& item : live)
      joined += item + "|";
    CAPTURE(joined);
    CHECK(live == std::vector<std::string>{"set:2", "adduser:8", "[:13", "deb-systemd-helper:14",
                                           "[:18"});
  }

  TEST_CASE("a script nested too deeply is reported, not a stack overflow")
  {
    std::string deep = "#!/bin/sh\nadduser --system a\n";
    for (int i = 0; i < 100000; ++i)
      deep += "if true; then\n";
    const ScriptReport report = classify_script("x", "postinst", deep);
    CHECK(report.status == "not reproduced");
    CHECK(report.detail.find("unreadable shell: too deeply nested") != std::string::npos);
    std::string substitutions = "#!/bin/sh\necho ";
    for (int i = 0; i < 100000; ++i)
      substitutions += "\"$(echo ";
    CHECK(classify_script("x", "postinst", substitutions).detail.find("too deeply nested") !=
          std::string::npos);
  }

  TEST_CASE("function calls that fan out are expanded up to a budget, not exponentially")
  {
    // Eight levels of four calls each: 4^8 bodies without the budget.
    const ShellScript script = scan_shell("#!/bin/sh\nf() {\n  f\n  f\n  f\n  f\n}\nf\nafter\n");
    CHECK(script.commands.size() <= 4 * 2048 + 6); // each expanded body lists its 4 calls
    CHECK(std::any_of(script.commands.begin(), script.commands.end(), [](const auto& command) {
      return command.words[0] == "after" && !command.dead && !command.in_function;
    }));
  }

  TEST_CASE("system users get adduser's first free ids in install order")
  {
    Tree tree = base_tree();
    std::vector<InstalledPackage> packages;
    packages.push_back(make_package(
        "openssh-client", {{"postinst", "#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n"
                                        "  addgroup --system --quiet --force-badname _ssh\nfi\n"}}));
    packages.push_back(make_package(
        "dbus-system-bus-common",
        {{"postinst", "#!/bin/sh\nset -e\nMESSAGEUSER=messagebus\n"
                      "in_sysroot () {\n  \"$@\"\n}\n"
                      "in_sysroot adduser --system --quiet --home /nonexistent --no-create-home \\\n"
                      "  --disabled-password --group \"$MESSAGEUSER\"\n"}}));
    packages.push_back(make_package(
        "openssh-server",
        {{"postinst", "#!/bin/sh\nadduser --quiet --system --no-create-home --home /run/sshd "
                      "--shell /usr/sbin/nologin sshd\n"}}));
    packages.push_back(make_package(
        "apt", {{"postinst", "#!/bin/sh\nadduser --force-badname --system --home /nonexistent "
                             "--no-create-home --quiet _apt || true\n"}}));
    DpkgState state;
    std::vector<std::string> warnings;
    const auto reports = reproduce_script_effects(packages, tree, k_epoch, state, warnings);

    CHECK(text_of(tree, "etc/passwd") ==
          "root:x:0:0:root:/root:/bin/bash\n"
          "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
          "messagebus:x:100:102::/nonexistent:/usr/sbin/nologin\n"
          "sshd:x:101:65534::/run/sshd:/usr/sbin/nologin\n");
    CHECK(text_of(tree, "etc/group") ==
          "root:x:0:\nshadow:x:42:\nusers:x:100:\nnogroup:x:65534:\n_ssh:x:101:\nmessagebus:x:102:\n");
    CHECK(text_of(tree, "etc/shadow") == "root:*:20000:0:99999:7:::\n"
                                         "_apt:*:20000:0:99999:7:::\n"
                                         "nobody:*:20000:0:99999:7:::\n"
                                         "messagebus:!:20000::::::\n"
                                         "sshd:!:20000::::::\n");
    CHECK(text_of(tree, "etc/gshadow") ==
          "root:*::\nshadow:*::\nusers:*::\nnogroup:*::\n_ssh:!::\nmessagebus:!::\n");
    const auto shadow = tree.find("etc/shadow");
    CHECK(shadow->mode == 0640);
    CHECK(shadow->gid == 42);
    CHECK(text_of(tree, "etc/shadow-") == text_of(tree, "etc/shadow"));
    // openssh-server's postinst also makes host keys, which is deliberately left out.
    const ScriptReport& sshd = report_for(reports, "openssh-server", "postinst");
    CHECK(sshd.status == "not reproduced");
    CHECK(sshd.detail.find("ssh-keygen: host keys are never baked") != std::string::npos);
    CHECK(sshd.detail.find("adduser sshd (uid 101, gid 65534, home /run/sshd)") != std::string::npos);
    CHECK(report_for(reports, "apt", "postinst").detail == "user _apt exists (uid 42)");
  }

  TEST_CASE("openssh-server's sshd_config comes from its template and is registered with ucf")
  {
    Tree tree = base_tree();
    tree.add_file("usr/share/openssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n");
    tree.add_file("var/lib/ucf/hashfile", "");
    tree.add_file("var/lib/ucf/registry", "");
    std::vector<InstalledPackage> packages;
    packages.push_back(make_package(
        "openssh-server",
        {{"postinst", "#!/bin/sh\nset -e\n"
                      "ucf --three-way --debconf-ok \"$new_config\" /etc/ssh/sshd_config\n"
                      "ucfr openssh-server /etc/ssh/sshd_config\n"}}));
    DpkgState state;
    std::vector<std::string> warnings;
    reproduce_script_effects(packages, tree, k_epoch, state, warnings);

    CHECK(text_of(tree, "etc/ssh/sshd_config") == "Include /etc/ssh/sshd_config.d/*.conf\n");
    // md5 of the line above, as ucf's hashfile records it.
    CHECK(text_of(tree, "var/lib/ucf/hashfile") ==
          "5c1b85f48ad581259f2a0a0c77716333  /etc/ssh/sshd_config\n");
    CHECK(text_of(tree, "var/lib/ucf/hashfile.0").empty());
    CHECK(text_of(tree, "var/lib/ucf/registry") == "openssh-server \t /etc/ssh/sshd_config\n");
    CHECK(text_of(tree, "var/lib/ucf/registry.0").empty());
    CHECK(text_of(tree, "var/lib/ucf/cache/:etc:ssh:sshd_config") ==
          "Include /etc/ssh/sshd_config.d/*.conf\n");
    CHECK(tree.find("var/lib/ucf/cache")->mode == 0755);
  }

  TEST_CASE("systemd-sysusers allocates from 999 down with matching user and group ids")
  {
    Tree tree = base_tree();
    tree.add_file("usr/lib/sysusers.d/basic.conf", "g users 100 -\nu root 0 - /root /bin/bash\n");
    tree.add_file("usr/lib/sysusers.d/systemd-journal.conf", "# journal\ng systemd-journal - -\n");
    tree.add_file("usr/lib/sysusers.d/systemd-network.conf",
                  "u systemd-network - \"systemd Network Management\"\n");
    std::vector<InstalledPackage> packages;
    packages.push_back(make_package(
        "systemd", {{"postinst", "#!/bin/sh\nif [ \"$1\" = \"configure\" ] || [ \"$1\" = \"abort-upgrade\" ] ; then\n"
                                 "   systemd-sysusers ${DPKG_ROOT:+--root=\"$DPKG_ROOT\"} basic.conf "
                                 "systemd-journal.conf systemd-network.conf\nfi\n"}}));
    DpkgState state;
    std::vector<std::string> warnings;
    const auto reports = reproduce_script_effects(packages, tree, k_epoch, state, warnings);
    CHECK(report_for(reports, "systemd", "postinst").detail ==
          "systemd-sysusers: group systemd-journal (gid 999), user systemd-network (uid 998, gid 998)");
    CHECK(text_of(tree, "etc/passwd").ends_with(
        "systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\n"));
    CHECK(text_of(tree, "etc/group").ends_with("systemd-journal:x:999:\nsystemd-network:x:998:\n"));
    CHECK(text_of(tree, "etc/shadow").ends_with("systemd-network:!*:20000::::::\n"));
    CHECK(text_of(tree, "etc/gshadow").ends_with("systemd-journal:!*::\nsystemd-network:!*::\n"));
  }

  TEST_CASE("pam-auth-update merges the default profiles into the common-* templates")
  {
    Tree tree;
    const std::string head = "# here are the per-package modules (the \"Primary\" block)\n"
                             "$X_primary\n# here's the fallback if no module succeeds\n";
    const std::string tail = "# and here are more per-package modules (the \"Additional\" block)\n"
                             "$X_additional\n# end of pam-auth-update config\n";
    for (const char* type : {"auth", "account", "password", "session", "session-noninteractive"})
      tree.add_file(std::string("usr/share/pam/common-") + type,
                    "#\n" + head + "x\trequisite\t\t\tpam_deny.so\n" + tail);
    tree.add_file("usr/share/pam-configs/unix",
                  "Name: Unix authentication\nDefault: yes\nPriority: 256\nAuth-Type: Primary\n"
                  "Auth:\n\t[success=end default=ignore]\tpam_unix.so nullok try_first_pass\n"
                  "Auth-Initial:\n\t[success=end default=ignore]\tpam_unix.so nullok\n"
                  "Session-Type: Additional\nSession:\n\trequired\tpam_unix.so\n");
    tree.add_file("usr/share/pam-configs/systemd",
                  "Name: systemd\nDefault: yes\nPriority: 0\nSession-Interactive-Only: yes\n"
                  "Session-Type: Additional\nSession:\n\toptional\tpam_systemd.so\n");
    tree.add_file("usr/share/pam-configs/mkhomedir",
                  "Name: mkhomedir\nDefault: no\nPriority: 0\nSession-Type: Additional\n"
                  "Session:\n\toptional\tpam_mkhomedir.so\n");
    CHECK(apply_pam_auth_update(tree, k_epoch) == "pam-auth-update: unix, systemd");
    CHECK(text_of(tree, "etc/pam.d/common-auth") ==
          "#\n# here are the per-package modules (the \"Primary\" block)\n"
          "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
          "# here's the fallback if no module succeeds\nx\trequisite\t\t\tpam_deny.so\n"
          "# and here are more per-package modules (the \"Additional\" block)\n"
          "# end of pam-auth-update config\n");
    const std::string session = text_of(tree, "etc/pam.d/common-session");
    CHECK(session.find("session\t[default=1]\t\t\tpam_permit.so\n") != std::string::npos);
    CHECK(session.find("session\trequired\tpam_unix.so \nsession\toptional\tpam_systemd.so \n") !=
          std::string::npos);
    CHECK(text_of(tree, "etc/pam.d/common-session-noninteractive").find("pam_systemd") ==
          std::string::npos);
    CHECK(text_of(tree, "var/lib/pam/seen") == "unix\nsystemd\nmkhomedir\n");
    CHECK(text_of(tree, "var/lib/pam/session") ==
          "Module: null\n[default=1]\t\t\tpam_permit.so\nModule: unix\nrequired\tpam_unix.so\n"
          "Module: systemd\noptional\tpam_systemd.so\n");
  }

  TEST_CASE("update-alternatives picks the highest priority and writes every link")
  {
    Tree tree;
    tree.add_file("usr/bin/mawk", "mawk", 0755);
    tree.add_file("usr/share/man/man1/mawk.1.gz", "man");
    tree.add_file("usr/bin/gawk", "gawk", 0755);
    std::vector<InstalledPackage> packages;
    packages.push_back(make_package(
        "mawk", {{"postinst", "#!/bin/sh\nset -e\nupdate-alternatives --install /usr/bin/awk awk "
                              "/usr/bin/mawk 5 \\\n  --slave /usr/share/man/man1/awk.1.gz awk.1.gz "
                              "/usr/share/man/man1/mawk.1.gz \\\n  --slave /usr/bin/nawk nawk "
                              "/usr/bin/mawk\n"}}));
    packages.push_back(make_package(
        "gawk", {{"postinst", "#!/bin/sh\nupdate-alternatives --install /usr/bin/awk awk "
                              "/usr/bin/gawk 10 --slave /usr/share/man/man1/awk.1.gz awk.1.gz "
                              "/usr/share/man/man1/gawk.1.gz\n"}}));
    DpkgState state;
    std::vector<std::string> warnings;
    reproduce_script_effects(packages, tree, k_epoch, state, warnings);
    CHECK(tree.find("usr/bin/awk")->target == "/etc/alternatives/awk");
    CHECK(tree.find("etc/alternatives/awk")->target == "/usr/bin/gawk");
    CHECK(text_of(tree, "usr/bin/awk") == "gawk");
    // gawk's man page is not in the tree, so the slave link is left out; gawk has no nawk.
    CHECK_FALSE(tree.exists("usr/share/man/man1/awk.1.gz"));
    CHECK_FALSE(tree.exists("usr/bin/nawk"));
    CHECK(alternative_admin_file(state.alternatives.at("awk")) ==
          "auto\n/usr/bin/awk\nawk.1.gz\n/usr/share/man/man1/awk.1.gz\nnawk\n/usr/bin/nawk\n\n"
          "/usr/bin/gawk\n10\n/usr/share/man/man1/gawk.1.gz\n\n"
          "/usr/bin/mawk\n5\n/usr/share/man/man1/mawk.1.gz\n/usr/bin/mawk\n\n");
  }

  TEST_CASE("CA certificates: conf, .pem links, subject-hash links and the bundle in conf order")
  {
    Tree tree;
    const std::string first = self_signed("Zeta Root");
    const std::string second = self_signed("Alpha Root");
    tree.add_file("usr/share/ca-certificates/mozilla/Zeta_Root.crt", first);
    // Without a final newline: update-ca-certificates adds one in the bundle.
    tree.add_file("usr/share/ca-certificates/mozilla/Alpha (Root).crt",
                  second.substr(0, second.size() - 1));
    tree.add_directory("etc/ssl/certs");
    const std::string summary = apply_ca_certificates(tree, k_epoch);
    CHECK(summary.find("2 certificates") != std::string::npos);
    const std::string conf = text_of(tree, "etc/ca-certificates.conf");
    CHECK(conf.ends_with("#\nmozilla/Alpha (Root).crt\nmozilla/Zeta_Root.crt\n"));
    CHECK(text_of(tree, "etc/ssl/certs/ca-certificates.crt") == second + first);
    CHECK(tree.find("etc/ssl/certs/Alpha_=Root=.pem")->target ==
          "/usr/share/ca-certificates/mozilla/Alpha (Root).crt");
    CHECK(subject_hash(first, "first") == legacy_hash(first));
    CHECK(tree.find("etc/ssl/certs/" + legacy_hash(first) + ".0")->target == "Zeta_Root.pem");
    CHECK(tree.find("etc/ssl/certs/" + legacy_hash(second) + ".0")->target == "Alpha_=Root=.pem");
    CHECK_THROWS_WITH_AS(subject_hash("not a certificate", "x.crt"),
                         doctest::Contains("not a PEM certificate"), compose::Error);
  }

  TEST_CASE("setcap writes the v2 security.capability bytes")
  {
    const std::string ping("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                           "\x00\x00\x00\x00",
                           20);
    CHECK(capability_xattr("cap_net_raw+ep") == ping);
    CHECK(capability_xattr("cap_net_raw=p")->at(0) == '\x00');
    CHECK_FALSE(capability_xattr("cap_no_such+ep"));
    Tree tree;
    tree.add_directory("usr/bin");
    tree.add_symlink("bin", "usr/bin");
    tree.add_file("usr/bin/ping", "ping", 04755);
    tree.add_file("usr/sbin/setcap", "setcap", 0755); // "command -v setcap" finds it
    std::vector<InstalledPackage> packages;
    packages.push_back(make_package(
        "iputils-ping",
        {{"postinst", "#!/bin/sh\nset -e\nif [ \"$1\" = configure ]; then\n"
                      "  if command -v setcap > /dev/null && setcap cap_net_raw+ep /bin/ping; then\n"
                      "    chmod u-s /bin/ping\n  fi\nfi\n"}}));
    DpkgState state;
    std::vector<std::string> warnings;
    const auto reports = reproduce_script_effects(packages, tree, k_epoch, state, warnings);
    CHECK(tree.find("usr/bin/ping")->xattrs.at("security.capability") == ping);
    // With the capability in place the postinst drops the setuid bit.
    CHECK(tree.find("usr/bin/ping")->mode == 0755);
    CHECK(report_for(reports, "iputils-ping", "postinst").status == "reproduced");
    CHECK(report_for(reports, "iputils-ping", "postinst").detail ==
          "setcap cap_net_raw+ep /bin/ping; chmod u-s /bin/ping");
  }

  TEST_CASE("dpkg-statoverride --add sets owner and mode once the group exists")
  {
    Tree tree = base_tree();
    tree.add_file("usr/lib/dbus-1.0/dbus-daemon-launch-helper", "helper", 0755);
    std::vector<InstalledPackage> packages;
    packages.push_back(make_package(
        "dbus", {{"postinst", "#!/bin/sh\nLAUNCHER=/usr/lib/dbus-1.0/dbus-daemon-launch-helper\n"
                              "if ! dpkg-statoverride --list \"$LAUNCHER\" >/dev/null; then\n"
                              "  dpkg-statoverride --update --add root messagebus 4754 \"$LAUNCHER\"\n"
                              "fi\n"}}));
    packages.push_back(make_package(
        "dbus-system-bus-common",
        {{"postinst", "#!/bin/sh\nadduser --system --group --home /nonexistent messagebus\n"}}));
    DpkgState state;
    std::vector<std::string> warnings;
    reproduce_script_effects(packages, tree, k_epoch, state, warnings);
    const auto helper = tree.find("usr/lib/dbus-1.0/dbus-daemon-launch-helper");
    CHECK(helper->mode == 04754);
    CHECK(helper->gid == 101);
    REQUIRE(state.statoverrides.size() == 1);
    CHECK(state.statoverrides[0].group == "messagebus");
    CHECK(warnings.empty());
  }

  TEST_CASE("reports: unknown commands are named, service calls are not needed")
  {
    SUBCASE("unknown command")
    {
      const ScriptReport report = classify_script(
          "x", "postinst", "#!/bin/sh\nset -e\nfrobnicate --all /etc/x\nlocale-gen\n");
      CHECK(report.status == "not reproduced");
      CHECK(report.detail.find("frobnicate --all /etc/x (line 3)") != std::string::npos);
      CHECK(report.detail.find("locale-gen (line 4)") != std::string::npos);
    }
    SUBCASE("service calls and debconf only")
    {
      const ScriptReport report = classify_script(
          "cron", "postinst",
          "#!/bin/sh\nset -e\n. /usr/share/debconf/confmodule\ndb_get cron/x\n"
          "invoke-rc.d cron start || exit 1\n");
      CHECK(report.status == "not needed");
      CHECK(report.detail.find("invoke-rc.d") != std::string::npos);
    }
    SUBCASE("enabling a service makes links the image lacks: left out")
    {
      const ScriptReport report = classify_script(
          "cron", "postinst",
          "#!/bin/sh\nset -e\n"
          "if [ -x /usr/bin/deb-systemd-helper ]; then\n  deb-systemd-helper enable cron.service\nfi\n"
          "deb-systemd-helper update-state cron.service\nupdate-rc.d cron defaults\n"
          "invoke-rc.d cron start || exit 1\n");
      CHECK(report.status == "not reproduced");
      CHECK(report.detail == "left out: deb-systemd-helper enable cron.service (line 4); "
                             "update-rc.d cron defaults (line 7)");
    }
    SUBCASE("writing a file through a redirection")
    {
      const ScriptReport report =
          classify_script("x", "postinst", "#!/bin/sh\necho yes > /etc/x.conf\n");
      CHECK(report.status == "not reproduced");
      CHECK(report.detail.find("writes /etc/x.conf") != std::string::npos);
    }
    SUBCASE("removal scripts and non-shell scripts")
    {
      CHECK(classify_script("x", "postrm", "#!/bin/sh\nrm -rf /etc/x\n").status == "not needed");
      CHECK(classify_script("x", "postinst", "#!/usr/bin/perl\nprint 1;\n").status ==
            "not reproduced");
    }
  }

  TEST_CASE("every .deb of the test mirror installs with install()")
  {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path base = cache && *cache ? std::filesystem::path(cache)
                                       : home          ? std::filesystem::path(home) / ".cache"
                                                       : std::filesystem::path();
    const std::filesystem::path pool = base / "compose-test" / "debian-mirror" / "pool";
    if (base.empty() || !std::filesystem::is_directory(pool)) {
      MESSAGE("skipped: no Debian test mirror at " << pool.string());
      return;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(pool))
      if (entry.is_regular_file() && entry.path().extension() == ".deb")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      MESSAGE("skipped: no .deb files under " << pool.string());
      return;
    }

    // Index records from each package's own control, then dependencies first (Pre-Depends
    // and Depends, first alternative present), as the resolver's plan would order them.
    std::map<std::string, repo::Package> records;
    std::map<std::string, std::filesystem::path> file_of;
    std::map<std::string, std::vector<std::string>> needs;
    std::map<std::string, std::string> provider; // virtual name -> package
    for (const auto& file : files) {
      const DebArchive archive = read_deb_file(file, file.filename().string());
      repo::Package package;
      package.name = archive.control.value("Package");
      package.version = archive.control.value("Version");
      package.architecture = archive.control.value("Architecture");
      package.multi_arch = archive.control.value("Multi-Arch");
      for (const auto& group : repo::parse_relations(archive.control.value("Replaces"),
                                                     repo::RelationKind::conflicts, package.name))
        package.replaces.push_back(group.front());
      for (const auto& group : repo::parse_relations(archive.control.value("Provides"),
                                                     repo::RelationKind::provides, package.name))
        provider.emplace(group.front().name, package.name);
      for (const char* field : {"Pre-Depends", "Depends"})
        for (const auto& group : repo::parse_relations(archive.control.value(field),
                                                       repo::RelationKind::depends, package.name))
          for (const auto& alternative : group)
            needs[package.name].push_back(alternative.name);
      file_of[package.name] = file;
      records[package.name] = std::move(package);
    }
    std::vector<std::string> order;
    std::set<std::string> placed, visiting;
    std::function<void(const std::string&)> place = [&](const std::string& name) {
      if (placed.contains(name) || visiting.contains(name))
        return;
      visiting.insert(name);
      for (const auto& dependency : needs[name]) {
        const std::string target = records.contains(dependency) ? dependency
                                   : provider.contains(dependency) ? provider[dependency]
                                                                   : std::string();
        if (!target.empty())
          place(target);
      }
      placed.insert(name);
      order.push_back(name);
    };
    for (const auto& [name, record] : records)
      place(name);

    std::vector<PackageFile> plan;
    for (const auto& name : order)
      plan.push_back({&records.at(name), file_of.at(name), ""});
    Tree tree;
    InstallOptions options;
    options.architecture = "amd64";
    options.epoch = k_epoch;
    options.extra_files.push_back({"etc/apt/sources.list.d/debian.sources", "Types: deb\n"});
    const InstallReport report = install(plan, options, tree);

    const std::string status = text_of(tree, "var/lib/dpkg/status");
    for (const auto& name : order) {
      CAPTURE(name);
      CHECK(status.find("Package: " + name + "\n") != std::string::npos);
      const bool same = records.at(name).multi_arch == "same";
      CHECK(tree.exists("var/lib/dpkg/info/" + name + (same ? ":amd64" : "") + ".list"));
    }
    CHECK(tree.find("bin")->target == "usr/bin");
    CHECK(text_of(tree, "etc/fstab") == "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n");
    CHECK(text_of(tree, "etc/apt/sources.list.d/debian.sources") == "Types: deb\n");
    // The checks below need packages the mirror may not carry (the essential set).
    if (records.contains("base-passwd")) {
      const std::string passwd = text_of(tree, "etc/passwd");
      for (const char* user : {"root:x:0:0:", "daemon:x:1:1:", "_apt:x:42:65534:"})
        CHECK(passwd.find(user) != std::string::npos);
    }
    if (records.contains("openssh-server") && records.contains("dbus-system-bus-common") &&
        tree.exists("etc/passwd")) {
      const std::string passwd = text_of(tree, "etc/passwd");
      CHECK(passwd.find("\nsshd:x:") != std::string::npos);
      CHECK(passwd.find("::/run/sshd:/usr/sbin/nologin\n") != std::string::npos);
      CHECK(passwd.find("\nmessagebus:x:") != std::string::npos);
    }
    if (records.contains("mawk")) {
      CHECK(tree.find("usr/bin/awk")->target == "/etc/alternatives/awk");
      CHECK(tree.resolve("usr/bin/awk"));
    }
    if (records.contains("libc-bin")) // ldconfig, reproduced (unpack/ldconfig)
      CHECK(tree.resolve("etc/ld.so.cache")->content.read().starts_with("glibc-ld.so.cache1.1"));
    if (records.contains("ca-certificates"))
      CHECK(tree.resolve("etc/ssl/certs/ca-certificates.crt")->content.size() > 100000);
    // iproute2 asks debconf (iproute2/setcaps, default false) before giving ip capabilities.
    if (records.contains("iproute2"))
      CHECK_FALSE(tree.resolve("usr/bin/ip")->xattrs.contains("security.capability"));
    if (records.contains("iputils-ping"))
      CHECK(tree.resolve("usr/bin/ping")->xattrs.contains("security.capability"));

    std::map<std::string, int> counts;
    std::string lines;
    for (const auto& script : report.scripts) {
      ++counts[script.status];
      if (script.script == "postinst" || script.script == "preinst")
        lines += "\n  " + script.package + " " + script.script + ": " + script.status + ": " +
                 script.detail;
    }
    for (const auto& warning : report.warnings)
      lines += "\n  warning: " + warning;
    MESSAGE("installed " << order.size() << " packages; scripts reproduced "
                         << counts["reproduced"] << ", not needed " << counts["not needed"]
                         << ", not reproduced " << counts["not reproduced"] << lines);
  }
}
