// The boot initramfs from a generated module directory and a stand-in busybox.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <map>
#include <string>

#include "boot/init_script.hpp"
#include "boot/initramfs.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/handles.hpp"

using compose::Error;
using compose::boot::build_initramfs;
using compose::boot::InitramfsInputs;

namespace {

struct Fixture {
  compose::TempPath directory = compose::make_temp_directory("compose-initramfs-");
  InitramfsInputs inputs;

  Fixture()
  {
    const std::filesystem::path modules = directory.path() / "modules";
    std::filesystem::create_directories(modules / "kernel/drivers/block");
    std::filesystem::create_directories(modules / "kernel/drivers/virtio");
    compose::write_file_atomic(modules / "modules.dep",
                               "kernel/drivers/virtio/virtio.ko:\n"
                               "kernel/drivers/block/virtio_blk.ko: "
                               "kernel/drivers/virtio/virtio.ko\n");
    compose::write_file_atomic(modules / "modules.builtin", "kernel/fs/ext4/ext4.ko\n");
    compose::write_file_atomic(modules / "kernel/drivers/virtio/virtio.ko", "virtio module");
    compose::write_file_atomic(modules / "kernel/drivers/block/virtio_blk.ko", "blk module");
    compose::write_file_atomic(directory.path() / "busybox", "busybox binary");
    inputs.busybox = directory.path() / "busybox";
    inputs.module_directory = modules;
    inputs.modules = {"virtio_blk", "ext4"};
  }
};

// name -> (mode, content or link target)
std::map<std::string, std::pair<unsigned, std::string>> listing(const std::string& bytes)
{
  compose::ArchiveReader reader(archive_read_new());
  REQUIRE(archive_read_support_format_cpio(reader.get()) == ARCHIVE_OK);
  REQUIRE(archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::map<std::string, std::pair<unsigned, std::string>> entries;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    std::string content;
    if (const char* link = archive_entry_symlink(entry)) {
      content = link;
    } else {
      content.resize(static_cast<std::size_t>(archive_entry_size(entry)));
      if (!content.empty())
        archive_read_data(reader.get(), content.data(), content.size());
    }
    entries[archive_entry_pathname(entry)] = {archive_entry_mode(entry), content};
  }
  return entries;
}

} // namespace

TEST_SUITE("boot::initramfs")
{
  TEST_CASE("busybox, applet links, /init, modules in load order")
  {
    Fixture fixture;
    const compose::boot::Initramfs initramfs = build_initramfs(fixture.inputs);
    CHECK(initramfs.modules == std::vector<std::string>{"kernel/drivers/virtio/virtio.ko",
                                                        "kernel/drivers/block/virtio_blk.ko"});
    const auto entries = listing(initramfs.archive);
    CHECK(entries.at("bin/busybox") == std::pair<unsigned, std::string>{S_IFREG | 0755,
                                                                        "busybox binary"});
    for (const std::string& applet : compose::boot::init_applets())
      CHECK(entries.at("bin/" + applet).second == "busybox");
    CHECK(entries.at("init").first == (S_IFREG | 0755));
    CHECK(entries.at("init").second == compose::boot::init_script());
    CHECK(entries.at("lib/modules/virtio.ko").second == "virtio module");
    CHECK(entries.at("lib/modules/virtio_blk.ko").second == "blk module");
    CHECK(entries.at("etc/compose-modules").second == "virtio.ko\nvirtio_blk.ko\n");
    for (const char* directory : {"dev", "proc", "sys", "newroot"})
      CHECK(entries.at(directory).first == (S_IFDIR | 0755));
  }

  TEST_CASE("/init tries compose's entrypoint, then /sbin/init, when no init= is given")
  {
    CHECK(compose::boot::default_inits() ==
          std::vector<std::string>{"/usr/local/sbin/compose-init", "/sbin/init"});
    const std::string script = compose::boot::init_script();
    CHECK(script.find("@DEFAULT_INITS@") == std::string::npos);
    CHECK(script.find("for candidate in /usr/local/sbin/compose-init /sbin/init; do") !=
          std::string::npos);
    CHECK(script.find("fatal \"none of /usr/local/sbin/compose-init /sbin/init in the image") !=
          std::string::npos);
    // A given init= is used as it is, and only checked.
    CHECK(script.find("init=*) init=${word#init=} ;;") != std::string::npos);
  }

  TEST_CASE("two builds give the same bytes")
  {
    Fixture fixture;
    CHECK(build_initramfs(fixture.inputs).archive == build_initramfs(fixture.inputs).archive);
  }

  TEST_CASE("missing inputs are named")
  {
    Fixture fixture;
    SUBCASE("busybox")
    {
      fixture.inputs.busybox = fixture.directory.path() / "nope";
      CHECK_THROWS_WITH_AS(build_initramfs(fixture.inputs), doctest::Contains("no busybox at"),
                           Error);
    }
    SUBCASE("module file")
    {
      std::filesystem::remove(fixture.inputs.module_directory /
                              "kernel/drivers/block/virtio_blk.ko");
      CHECK_THROWS_WITH_AS(build_initramfs(fixture.inputs),
                           doctest::Contains("virtio_blk.ko"), Error);
    }
    SUBCASE("module directory")
    {
      fixture.inputs.module_directory = fixture.directory.path() / "none";
      CHECK_THROWS_WITH_AS(build_initramfs(fixture.inputs),
                           doctest::Contains("no modules.dep for this kernel"), Error);
    }
    SUBCASE("unknown module")
    {
      fixture.inputs.modules.push_back("zfs");
      CHECK_THROWS_WITH_AS(build_initramfs(fixture.inputs),
                           doctest::Contains("kernel has no module 'zfs'"), Error);
    }
  }
}
