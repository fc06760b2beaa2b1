// Reading .deb files: the ar container, member order, compressions and the control tar.
#include <doctest/doctest.h>

#include "deb_builder.hpp"
#include "unpack/deb/ar_reader.hpp"
#include "unpack/deb/deb_archive.hpp"
#include "unpack/tar_reader.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::Error;
using namespace compose::unpack::deb;
namespace test = compose::test;

namespace {

test::DebSpec hello_spec()
{
  test::DebSpec spec;
  spec.control = test::deb_control("hello", "1.0-1", "Depends: libc6 (>= 2.36)\n");
  spec.control_files["postinst"] = "#!/bin/sh\nexit 0\n";
  spec.control_files["md5sums"] = "d41d8cd98f00b204e9800998ecf8427e  usr/bin/hello\n";
  spec.data = {test::deb_dir("./"), test::deb_dir("./usr/"), test::deb_dir("./usr/bin/"),
               test::deb_file("./usr/bin/hello", "#!/bin/sh\necho hello\n", 0755)};
  return spec;
}

std::vector<std::string> tar_names(const std::string& tar)
{
  std::vector<std::string> names;
  compose::unpack::read_tar(tar, "data.tar", [&](const compose::unpack::TarEntry& entry) {
    names.push_back(entry.name);
  });
  return names;
}

std::string member(const test::DebSpec& spec, bool control)
{
  return control ? test::deb_compress(test::deb_control_tar(spec), test::DebCompression::xz)
                 : test::deb_compress(test::deb_data_tar(spec.data), test::DebCompression::xz);
}

} // namespace

TEST_SUITE("unpack::deb::deb_archive")
{
  TEST_CASE("every compression dpkg-deb writes for control and data")
  {
    const test::DebCompression compressions[] = {test::DebCompression::none,
                                                 test::DebCompression::gz, test::DebCompression::xz,
                                                 test::DebCompression::zst};
    for (const test::DebCompression control : compressions) {
      for (const test::DebCompression data : compressions) {
        test::DebSpec spec = hello_spec();
        spec.control_compression = control;
        spec.data_compression = data;
        CAPTURE(test::deb_suffix(control));
        CAPTURE(test::deb_suffix(data));
        const DebArchive archive = read_deb(test::make_deb(spec), "hello_1.0-1_amd64.deb");
        CHECK(archive.control.value("Package") == "hello");
        CHECK(archive.control.value("Depends") == "libc6 (>= 2.36)");
        CHECK(archive.control_text == spec.control);
        CHECK(archive.data_member == "data.tar" + test::deb_suffix(data));
        REQUIRE(archive.control_files.size() == 2);
        CHECK(archive.control_files.at("postinst").bytes == "#!/bin/sh\nexit 0\n");
        CHECK(archive.control_files.at("postinst").mode == 0755);
        CHECK(archive.control_files.at("md5sums").mode == 0644);
        CHECK(tar_names(archive.data_tar) ==
              std::vector<std::string>{"./", "./usr/", "./usr/bin/", "./usr/bin/hello"});
      }
    }
  }

  TEST_CASE("members starting with '_' are skipped and GNU '/' name terminators accepted")
  {
    const test::DebSpec spec = hello_spec();
    const std::string bytes = test::make_ar({{"debian-binary/", "2.0\n"},
                                             {"_gpgorigin", "signature"},
                                             {"control.tar.xz/", member(spec, true)},
                                             {"_extra", "x"},
                                             {"data.tar.xz", member(spec, false)},
                                             {"trailing-member", "ignored after data"}});
    const DebArchive archive = read_deb(bytes, "hello.deb");
    CHECK(archive.control.value("Package") == "hello");
    CHECK(archive.data_member == "data.tar.xz");
    CHECK(tar_names(archive.data_tar).size() == 4);
  }

  TEST_CASE("ar members keep their data and offsets and odd sizes are padded")
  {
    const std::string bytes = test::make_ar({{"a", "123"}, {"b", "45"}});
    const std::vector<ArMember> members = read_ar(bytes, "x.a");
    REQUIRE(members.size() == 2);
    CHECK(members[0].name == "a");
    CHECK(members[0].data == "123");
    CHECK(members[0].offset == 8);
    CHECK(members[1].data == "45");
    CHECK(members[1].offset == 8 + 60 + 4);
    // A last odd-sized member without its pad byte has lost nothing.
    CHECK(read_ar(test::make_ar({{"a", "123"}}).substr(0, 8 + 60 + 3), "x.a").size() == 1);
  }

  TEST_CASE("bad containers and members name the .deb and the member")
  {
    const test::DebSpec spec = hello_spec();
    const std::string good = test::make_deb(spec);
    const std::string control = member(spec, true);
    const std::string data = member(spec, false);
    test::DebSpec no_control = spec;
    no_control.control.clear();
    const std::string control_without_control = member(no_control, true);
    auto patched = [&](std::size_t offset, const std::string& text) {
      std::string bytes = good;
      bytes.replace(offset, text.size(), text);
      return bytes;
    };
    constexpr std::size_t size_field = 8 + 48; // debian-binary's size field

    struct Case {
      const char* name;
      std::string bytes;
      const char* message;
      const char* where;
    };
    const Case cases[] = {
        {"bad magic", "!<arc>\n" + good.substr(7), "not an ar archive: expected the magic",
         "(at bad.deb)"},
        {"empty file", "", "not an ar archive", "(at bad.deb)"},
        {"truncated member", good.substr(0, good.size() - 100),
         "ar member is truncated: its header announces", "(at bad.deb: data.tar.xz)"},
        {"truncated header", good.substr(0, 8 + 30), "ar member header is truncated: 30 of 60",
         "(at bad.deb: ar member at byte 8)"},
        {"size beyond file", patched(size_field, "99999     "), "its header announces 99999 bytes",
         "(at bad.deb: debian-binary)"},
        {"non-digit size", patched(size_field, "4x        "),
         "ar member size '4x        ' is not a decimal number", "(at bad.deb: debian-binary)"},
        {"negative size", patched(size_field, "-4        "), "is not a decimal number",
         "(at bad.deb: debian-binary)"},
        {"empty size", patched(size_field, "          "), "ar member size is empty",
         "(at bad.deb: debian-binary)"},
        {"bad header terminator", patched(8 + 58, "x\n"),
         "ar member header does not end with '`\\n'", "(at bad.deb: debian-binary)"},
        {"bad padding",
         test::make_ar({{"debian-binary", "2.0\n"}, {"control.tar.xz", "abc"}})
                 .replace(8 + 60 + 4 + 60 + 3, 1, "x") +
             "more",
         "ar padding byte after the member is 'x'", "(at bad.deb: control.tar.xz)"},
        {"wrong order",
         test::make_ar(
             {{"debian-binary", "2.0\n"}, {"data.tar.xz", data}, {"control.tar.xz", control}}),
         "member 'data.tar.xz' comes before the control member", "(at bad.deb: data.tar.xz)"},
        {"two control members",
         test::make_ar({{"debian-binary", "2.0\n"},
                        {"control.tar.xz", control},
                        {"control.tar.gz", control},
                        {"data.tar.xz", data}}),
         "second control member 'control.tar.gz' after 'control.tar.xz'",
         "(at bad.deb: control.tar.gz)"},
        {"unknown compression",
         test::make_ar(
             {{"debian-binary", "2.0\n"}, {"control.tar.xz", control}, {"data.tar.lz4", data}}),
         "unknown compression '.lz4' of member 'data.tar.lz4'", "(at bad.deb: data.tar.lz4)"},
        {"unknown control compression",
         test::make_ar(
             {{"debian-binary", "2.0\n"}, {"control.tar.bz2", control}, {"data.tar.xz", data}}),
         "unknown compression '.bz2' of member 'control.tar.bz2'", "(at bad.deb: control.tar.bz2)"},
        {"unknown member before data",
         test::make_ar({{"debian-binary", "2.0\n"},
                        {"control.tar.xz", control},
                        {"extra", "x"},
                        {"data.tar.xz", data}}),
         "unexpected member 'extra' before the data member", "(at bad.deb: extra)"},
        {"first member not debian-binary",
         test::make_ar({{"control.tar.xz", control}, {"data.tar.xz", data}}),
         "first ar member is 'control.tar.xz', expected 'debian-binary'", "(at bad.deb)"},
        {"bad debian-binary major",
         test::make_ar(
             {{"debian-binary", "3.0\n"}, {"control.tar.xz", control}, {"data.tar.xz", data}}),
         "unsupported .deb format version '3.0\\x0a', expected '2.0\\n'",
         "(at bad.deb: debian-binary)"},
        {"debian-binary without newline",
         test::make_ar(
             {{"debian-binary", "2.0"}, {"control.tar.xz", control}, {"data.tar.xz", data}}),
         "unsupported .deb format version '2.0'", "(at bad.deb: debian-binary)"},
        {"missing control member", test::make_ar({{"debian-binary", "2.0\n"}}),
         "no control.tar member", "(at bad.deb)"},
        {"missing data member",
         test::make_ar({{"debian-binary", "2.0\n"}, {"control.tar.xz", control}}),
         "no data.tar member after 'control.tar.xz'", "(at bad.deb)"},
        {"empty data member",
         test::make_ar(
             {{"debian-binary", "2.0\n"}, {"control.tar.xz", control}, {"data.tar.xz", ""}}),
         "member 'data.tar.xz' is empty", "(at bad.deb: data.tar.xz)"},
        {"corrupt data stream",
         test::make_ar({{"debian-binary", "2.0\n"},
                        {"control.tar.xz", control},
                        {"data.tar.xz", data.substr(0, data.size() / 2)}}),
         "cannot decompress (xz)", "(at bad.deb: data.tar.xz)"},
        {"data in another compression than its name",
         test::make_ar(
             {{"debian-binary", "2.0\n"}, {"control.tar.xz", control}, {"data.tar.gz", data}}),
         "cannot decompress (gz)", "(at bad.deb: data.tar.gz)"},
        {"missing ./control",
         test::make_ar({{"debian-binary", "2.0\n"},
                        {"control.tar.xz", control_without_control},
                        {"data.tar.xz", data}}),
         "control archive has no ./control file", "(at bad.deb: control.tar.xz)"},
        {"two paragraphs in ./control",
         [&] {
           test::DebSpec twice = spec;
           twice.control += "\nPackage: other\n";
           return test::make_deb(twice);
         }(),
         "./control holds 2 paragraphs, expected exactly one",
         "(at bad.deb: control.tar.xz: ./control)"},
    };
    for (const Case& test_case : cases) {
      SUBCASE(test_case.name)
      {
        CHECK_THROWS_WITH_AS(read_deb(test_case.bytes, "bad.deb"),
                             doctest::Contains(test_case.message), Error);
        CHECK_THROWS_WITH_AS(read_deb(test_case.bytes, "bad.deb"),
                             doctest::Contains(test_case.where), Error);
      }
    }
  }

  TEST_CASE("a .deb cut short at any byte is rejected with an Error")
  {
    for (const test::DebCompression compression :
         {test::DebCompression::none, test::DebCompression::gz, test::DebCompression::xz}) {
      test::DebSpec spec = hello_spec();
      spec.control_compression = compression;
      spec.data_compression = compression;
      const std::string bytes = test::make_deb(spec);
      // The last member's pad byte carries nothing, so only shorter cuts must fail.
      const std::size_t complete = bytes.back() == '\n' ? bytes.size() - 1 : bytes.size();
      std::size_t rejected = 0;
      for (std::size_t length = 0; length < complete; ++length) {
        try {
          read_deb(bytes.substr(0, length), "cut.deb");
        } catch (const Error& error) {
          CHECK(error.where().starts_with("cut.deb"));
          ++rejected;
        }
      }
      CHECK(rejected == complete);
    }
  }

  TEST_CASE("read_deb_file reads the file and names it")
  {
    compose::TempPath directory = compose::make_temp_directory("compose-deb-test");
    const std::filesystem::path file = directory.path() / "hello.deb";
    compose::write_file_atomic(file, test::make_deb(hello_spec()));
    CHECK(read_deb_file(file, "hello.deb").control.value("Version") == "1.0-1");
    CHECK_THROWS_AS(read_deb_file(directory.path() / "absent.deb", "absent.deb"), Error);
  }
}
