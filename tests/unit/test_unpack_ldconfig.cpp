// ldconfig on a tree: the ELF reader, glibc's name order, the cache format, and — with the
// host's own ldconfig (glibc 2.36 on the Debian 12 build machine) as the judge — the same
// links and a byte-identical /etc/ld.so.cache for a generated root.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdlib.h>

#include "stage/tree.hpp"
#include "tree_fixtures.hpp"
#include "unpack/elf_library.hpp"
#include "unpack/ld_so_cache.hpp"
#include "unpack/ldconfig.hpp"

using namespace compose::unpack;
using namespace std::string_literals;
using compose::stage::FileType;
using compose::stage::Inode;
using compose::stage::Tree;

namespace {

void put(std::string& out, std::size_t at, std::uint64_t value, unsigned size)
{
  for (unsigned i = 0; i < size; ++i)
    out[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// A minimal ELF64 shared object: one PT_LOAD over the whole file, PT_DYNAMIC with
// DT_STRTAB, DT_SONAME (when given) and DT_NEEDED entries, as a linker would lay them out.
std::string elf64_library(std::uint16_t machine, const std::string& soname,
                          const std::vector<std::string>& needed = {})
{
  std::string strings(1, '\0');
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dynamic;
  const std::size_t strtab = 64 + 2 * 56;
  dynamic.emplace_back(5, strtab);
  if (!soname.empty()) {
    dynamic.emplace_back(14, strings.size());
    strings += soname + '\0';
  }
  for (const std::string& name : needed) {
    dynamic.emplace_back(1, strings.size());
    strings += name + '\0';
  }
  dynamic.emplace_back(0, 0);
  const std::size_t dynamic_at = (strtab + strings.size() + 7) / 8 * 8;
  std::string out(dynamic_at + dynamic.size() * 16, '\0');
  out.replace(0, 4, "\x7f" "ELF");
  out[4] = 2; // ELFCLASS64
  out[5] = 1; // little-endian
  out[6] = 1;
  put(out, 16, 3, 2); // ET_DYN
  put(out, 18, machine, 2);
  put(out, 20, 1, 4);
  put(out, 32, 64, 8); // e_phoff
  put(out, 52, 64, 2);
  put(out, 54, 56, 2);
  put(out, 56, 2, 2); // e_phnum
  const auto phdr = [&](std::size_t at, std::uint32_t type, std::uint64_t offset, std::uint64_t size) {
    put(out, at, type, 4);
    put(out, at + 8, offset, 8);
    put(out, at + 16, offset, 8);
    put(out, at + 24, offset, 8);
    put(out, at + 32, size, 8);
    put(out, at + 40, size, 8);
    put(out, at + 48, 8, 8);
  };
  phdr(64, 1, 0, out.size());
  phdr(64 + 56, 2, dynamic_at, dynamic.size() * 16);
  out.replace(strtab, strings.size(), strings);
  for (std::size_t i = 0; i < dynamic.size(); ++i) {
    put(out, dynamic_at + i * 16, dynamic[i].first, 8);
    put(out, dynamic_at + i * 16 + 8, dynamic[i].second, 8);
  }
  return out;
}

constexpr std::uint16_t x86_64 = k_elf_machine_x86_64;

std::filesystem::path make_temp_directory()
{
  std::string name = (std::filesystem::temp_directory_path() / "compose-ldconfig-XXXXXX").string();
  REQUIRE(mkdtemp(name.data()) != nullptr);
  return name;
}

// Writes the tree's directories, files and symlinks under `root`.
void write_tree(const Tree& tree, const std::filesystem::path& root)
{
  tree.walk([&](const Tree::Visit& visit) {
    const std::filesystem::path path = root / visit.path;
    if (visit.inode.type == FileType::directory)
      std::filesystem::create_directories(path);
    else if (visit.inode.type == FileType::symlink)
      std::filesystem::create_symlink(visit.inode.target, path);
    else if (visit.inode.type == FileType::regular)
      std::ofstream(path, std::ios::binary) << visit.inode.content.read();
  });
}

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// "path -> target" for every symlink, sorted.
std::string links_of(const Tree& tree)
{
  std::string text;
  tree.walk([&](const Tree::Visit& visit) {
    if (visit.inode.type == FileType::symlink)
      text += visit.path + " -> " + visit.inode.target + "\n";
  });
  return text;
}

// A merged-/usr Debian root with the configuration libc-bin ships and libraries that take
// every branch of ldconfig's directory walk.
Tree generated_root(const std::string& ldconfig_bytes)
{
  Tree tree;
  tree.add_directory("usr/lib/x86_64-linux-gnu");
  tree.add_directory("usr/local/lib");
  tree.add_directory("usr/sbin");
  tree.add_symlink("lib", "usr/lib");
  tree.add_symlink("sbin", "usr/sbin");
  tree.add_file("usr/sbin/ldconfig", ldconfig_bytes, 0755);
  tree.add_file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n\n");
  tree.add_file("etc/ld.so.conf.d/libc.conf", "# libc default configuration\n/usr/local/lib\n");
  tree.add_file("etc/ld.so.conf.d/x86_64-linux-gnu.conf",
                "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n"
                "/usr/lib/x86_64-linux-gnu/\n");
  tree.add_file("etc/ld.so.conf.d/.hidden.conf", "/opt/hidden\n");
  tree.add_directory("opt/hidden");
  tree.add_file("opt/hidden/libhidden.so.1", elf64_library(x86_64, "libhidden.so.1"));
  const std::string lib = "usr/lib/x86_64-linux-gnu/";
  tree.add_file(lib + "libc.so.6", elf64_library(x86_64, "libc.so.6"));
  tree.add_file(lib + "libc.so", "/* GNU ld script */\nGROUP ( libc.so.6 )\n");
  tree.add_file(lib + "libfoo.so.1.2.3", elf64_library(x86_64, "libfoo.so.1", {"libc.so.6"}));
  tree.add_symlink(lib + "libfoo.so", "libfoo.so.1");
  tree.add_file(lib + "libold.so.1.0", elf64_library(x86_64, "libold.so.1"));
  tree.add_file(lib + "libold.so.1.10", elf64_library(x86_64, "libold.so.1"));
  tree.add_file(lib + "libold.so.1.9", elf64_library(x86_64, "libold.so.1"));
  tree.add_file(lib + "libnosoname.so.5", elf64_library(x86_64, ""));
  tree.add_symlink(lib + "libstale.so.3", "libstale.so.3.0.0");
  tree.add_file(lib + "libbar.so.2", elf64_library(x86_64, "libbar.so.2"));
  tree.add_symlink(lib + "libbar-compat.so.2", "libbar.so.2");
  tree.add_file(lib + "libarm.so.1", elf64_library(k_elf_machine_aarch64, "libarm.so.1"));
  tree.add_file(lib + "libz.so.1.3", elf64_library(x86_64, "libz.so.1"));
  tree.add_file(lib + "libzz.so.10", elf64_library(x86_64, "libzz.so.10"));
  tree.add_file(lib + "libzz.so.9", elf64_library(x86_64, "libzz.so.9"));
  tree.add_file(lib + "ld-linux-x86-64.so.2", elf64_library(x86_64, "ld-linux-x86-64.so.2"));
  tree.add_file(lib + "notalibrary.so.1", elf64_library(x86_64, "notalibrary.so.1"));
  tree.add_file(lib + "libshort.so.1", "\x7f" "ELF");
  tree.add_file("usr/local/lib/libdup.so.1", elf64_library(x86_64, "libdup.so.1"));
  tree.add_file(lib + "libdup.so.1", elf64_library(x86_64, "libdup.so.1"));
  tree.add_file("usr/lib/libtop.so.4.0", elf64_library(x86_64, "libtop.so.4"));
  return tree;
}

bool has_host_ldconfig()
{
  return std::filesystem::exists("/sbin/ldconfig") && std::system("/sbin/ldconfig --version >/dev/null 2>&1") == 0;
}

} // namespace

TEST_SUITE("unpack::read_elf_library")
{
  TEST_CASE("SONAME, DT_NEEDED, class and machine come from the dynamic segment")
  {
    const auto library = read_elf_library(elf64_library(x86_64, "libfoo.so.1", {"libc.so.6", "libm.so.6"}));
    REQUIRE(library);
    CHECK(library->elf_class == ElfClass::elf64);
    CHECK(library->machine == x86_64);
    CHECK(library->soname == "libfoo.so.1");
    CHECK(library->needed == std::vector<std::string>{"libc.so.6", "libm.so.6"});
    CHECK_FALSE(library->interpreter);
    CHECK_FALSE(read_elf_library(elf64_library(x86_64, ""))->soname);
  }

  TEST_CASE("what ldconfig skips is not a library")
  {
    std::string executable = elf64_library(x86_64, "x");
    executable[16] = 2; // ET_EXEC
    std::string big_endian = elf64_library(x86_64, "x");
    big_endian[5] = 2;
    std::string cut = elf64_library(x86_64, "libcut.so.1");
    cut.resize(cut.size() - 20);
    for (const std::string& bytes :
         {std::string("/* GNU ld script */\nGROUP ( libc.so.6 )\n" + std::string(64, ' ')),
          std::string("\x7f" "ELF"), executable, big_endian, cut})
      CHECK_FALSE(read_elf_library(bytes));
  }
}

TEST_SUITE("unpack::ld_so_cache")
{
  TEST_CASE("dl_cache_libcmp compares digit runs as numbers and puts digits last")
  {
    CHECK(dl_cache_libcmp("libfoo.so.10", "libfoo.so.9") > 0);
    CHECK(dl_cache_libcmp("libfoo.so.1", "libfoo.so.1") == 0);
    CHECK(dl_cache_libcmp("libfoo.so.1", "libfoo.so.1.0") < 0);
    CHECK(dl_cache_libcmp("lib1", "liba") > 0);
    CHECK(dl_cache_libcmp("liba", "libb") < 0);
  }

  TEST_CASE("entries sort descending, strings share tails, the generator ends the file")
  {
    const std::string bytes = ld_so_cache_bytes(
        {{"liba.so.1", "/lib/liba.so.1", 0x303}, {"libb.so.2", "/lib/libb.so.2", 0x303}}, "gen");
    CHECK(bytes.substr(0, 20) == "glibc-ld.so.cache1.1");
    CHECK(bytes[20] == 2); // nlibs
    // Each SONAME is the tail of its path: the table holds the two paths only.
    const std::string strings = "/lib/libb.so.2\0/lib/liba.so.1\0"s;
    CHECK(bytes.substr(48 + 2 * 24, strings.size()) == strings);
    CHECK(bytes[48 + 4] == static_cast<char>(48 + 48 + 5)); // libb's key: "libb.so.2" in its path
    CHECK(bytes.ends_with("gen"));
    CHECK(bytes.size() % 4 == 3);
  }
}

TEST_SUITE("unpack::run_ldconfig")
{
  TEST_CASE("nothing without glibc's ldconfig or for an architecture not reproduced")
  {
    Tree tree = generated_root("");
    tree.remove("usr/sbin/ldconfig");
    CHECK_FALSE(ldconfig_applies(tree, "amd64"));
    CHECK_FALSE(run_ldconfig(tree, "amd64", 0).written);
    CHECK_FALSE(tree.exists("etc/ld.so.cache"));
    Tree other = generated_root("");
    CHECK_FALSE(ldconfig_applies(other, "s390x"));
    CHECK(ldconfig_applies(other, "amd64"));
    CHECK(ldconfig_applies(other, "arm64"));
  }

  TEST_CASE("links and cache entries as ldconfig makes them")
  {
    Tree tree = generated_root("x ldconfig (Test GLIBC 1) stable release version 2.36\0y"s);
    const LdconfigReport report = run_ldconfig(tree, "amd64", 1234);
    CHECK(report.written);
    const std::string lib = "usr/lib/x86_64-linux-gnu/";
    CHECK(tree.find(lib + "libfoo.so.1")->target == "libfoo.so.1.2.3");
    CHECK(tree.find(lib + "libfoo.so.1")->mtime == 1234);
    CHECK(tree.find(lib + "libold.so.1")->target == "libold.so.1.10"); // the newest name
    CHECK(tree.find(lib + "libz.so.1")->target == "libz.so.1.3");
    CHECK_FALSE(tree.exists(lib + "libstale.so.3")); // a stale ".so." link is removed
    CHECK_FALSE(tree.exists(lib + "libarm.so.1.0"));
    CHECK(tree.find("usr/lib/libtop.so.4")->target == "libtop.so.4.0");
    const auto cache = tree.find("etc/ld.so.cache");
    REQUIRE(cache);
    CHECK(cache->mode == 0644);
    const std::string bytes = cache->content.read();
    CHECK(bytes.ends_with("ldconfig (Test GLIBC 1) stable release version 2.36"));
    CHECK(bytes.find("/usr/local/lib/libdup.so.1") != std::string_view::npos);
    CHECK(bytes.find("/lib/x86_64-linux-gnu/libdup.so.1") != std::string_view::npos);
    CHECK(bytes.find("libarm") == std::string_view::npos);
    CHECK(bytes.find("libhidden") == std::string_view::npos);
    CHECK(bytes.find("notalibrary") == std::string_view::npos);
    CHECK(bytes.find("/usr/lib/x86_64-linux-gnu") == std::string_view::npos); // /lib/… came first
  }

  TEST_CASE("the host's ldconfig makes the same links and the same cache, byte for byte")
  {
    if (!has_host_ldconfig()) {
      MESSAGE("skipped: the host has no glibc ldconfig");
      return;
    }
    const std::string ldconfig = read_file("/sbin/ldconfig");
    const std::filesystem::path directory = make_temp_directory();
    Tree theirs = generated_root(ldconfig);
    write_tree(theirs, directory);
    const std::string command = "/sbin/ldconfig -r '" + directory.string() + "' 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    const std::string expected = read_file(directory / "etc/ld.so.cache");
    Tree after = compose::testing::load_directory(directory);
    std::filesystem::remove_all(directory);

    Tree ours = generated_root(ldconfig);
    run_ldconfig(ours, "amd64", 0);
    CHECK(std::string(ours.find("etc/ld.so.cache")->content.read()) == expected);
    CHECK(links_of(ours) == links_of(after));
  }
}
