// The entrypoint's two worlds: the generated script's VM and container paths, and its
// decision function run under /bin/sh on fake evidence (marker files, PID 1's environment,
// /proc/mounts and /proc/1/cgroup) in a temporary root.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "overlay/overlays.hpp"
#include "recipe/recipe.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text)
{
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// stdout of a shell command that must exit 0.
std::string output_of(const std::string& command)
{
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 512> buffer{};
  while (const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), command);
  return output;
}

// Runs init_world PID ROOT under /bin/sh with `environment` (VAR=value words, or "") and
// returns "world|evidence".
std::string decide(const fs::path& root, const std::string& pid,
                   const std::string& environment = "")
{
  write(root / "decide.sh", compose::overlay::init_world_function() + "init_world " + pid +
                                " '" + root.string() + "'\nprintf '%s|%s' \"$world\" \"$evidence\"\n");
  return output_of("env -u container " + environment + " /bin/sh '" +
                   (root / "decide.sh").string() + "'");
}

compose::recipe::Recipe recipe_with_init(const std::string& hostname)
{
  compose::recipe::Recipe recipe;
  compose::recipe::InitSpec& init = recipe.overlays.init;
  init.enabled = true;
  init.runtime_dirs = {"/run/sshd"};
  init.data_label = "miget-data";
  init.data_mount = "/var/lib/docker";
  init.hostname = hostname;
  init.exec = {"/usr/bin/supervisord"};
  return recipe;
}

} // namespace

TEST_SUITE("overlay_init_world")
{
  TEST_CASE("a kernel-started PID 1 with nothing mounted is a VM")
  {
    const compose::TempPath root = compose::make_temp_directory("init-world");
    CHECK(decide(root.path(), "1") == "vm|");
    // The same root, but started by some other init: not ours to mount anything.
    CHECK(decide(root.path(), "42") == "container|not PID 1");
  }

  TEST_CASE("a VM whose initramfs handed over its mounts is still a VM")
  {
    const compose::TempPath root = compose::make_temp_directory("init-world");
    write(root.path() / "proc/mounts", "/dev/vda / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n");
    write(root.path() / "proc/1/cgroup", "0::/\n");
    write(root.path() / "proc/1/environ", std::string("HOME=/\0TERM=linux\0", 18));
    CHECK(decide(root.path(), "1") == "vm|");
  }

  TEST_CASE("each trace an engine leaves is evidence of a container, and named")
  {
    const compose::TempPath root = compose::make_temp_directory("init-world");
    const fs::path& r = root.path();
    SUBCASE("podman's marker and environment")
    {
      write(r / "run/.containerenv", "engine=\"podman-4.3.1\"\n");
      CHECK(decide(r, "1", "container=podman") ==
            "container|/run/.containerenv container=podman");
    }
    SUBCASE("docker's marker")
    {
      write(r / ".dockerenv", "");
      CHECK(decide(r, "1") == "container|/.dockerenv");
    }
    SUBCASE("PID 1's environment when we are not PID 1 (podman --init)")
    {
      static constexpr char environment[] = "PATH=/bin\0container=podman\0HOME=/root\0";
      write(r / "proc/1/environ", std::string(environment, sizeof environment - 1));
      CHECK(decide(r, "7") == "container|container=podman");
    }
    SUBCASE("an overlay root, the last / entry counting")
    {
      write(r / "proc/mounts", "rootfs / rootfs rw 0 0\noverlay / overlay rw,lowerdir=/l 0 0\n");
      CHECK(decide(r, "1") == "container|overlay-root");
    }
    SUBCASE("an engine's cgroup")
    {
      write(r / "proc/1/cgroup", "4:memory:/libpod_parent/libpod-0123abcd\n0::/\n");
      CHECK(decide(r, "1") == "container|engine-cgroup");
      write(r / "proc/1/cgroup", "1:name=systemd:/system.slice/docker-0123abcd.scope\n");
      CHECK(decide(r, "1") == "container|engine-cgroup");
    }
    SUBCASE("all at once, in a fixed order")
    {
      write(r / "run/.containerenv", "");
      write(r / ".dockerenv", "");
      write(r / "proc/mounts", "overlay / overlay rw 0 0\n");
      write(r / "proc/1/cgroup", "0::/docker/0123abcd\n");
      CHECK(decide(r, "1", "container=docker") ==
            "container|/run/.containerenv /.dockerenv container=docker overlay-root "
            "engine-cgroup");
    }
  }

  TEST_CASE("the script mounts only in the VM world")
  {
    const std::string script = compose::overlay::init_script(recipe_with_init("host"));
    CHECK(script.find(compose::overlay::init_world_function()) != std::string::npos);
    CHECK(script.find("init_world \"$$\" \"\"\n") != std::string::npos);
    CHECK(script.find("echo \"compose-init: $world${evidence:+ ($evidence)}\"\n") !=
          std::string::npos);
    // Every mount command sits inside an `if [ "$world" = vm ]` block, or is the data disk's,
    // which is looked for only in a VM.
    std::size_t at = 0;
    int mounts = 0;
    while ((at = script.find("mount ", at)) != std::string::npos) {
      const std::size_t line_start = script.rfind('\n', at) + 1;
      const std::string line = script.substr(line_start, script.find('\n', at) - line_start);
      at += 6;
      if (line.find("mount -t") == std::string::npos && line.find("mount \"$data\"") == std::string::npos)
        continue;
      ++mounts;
      const std::size_t opened = script.rfind("if [ \"$world\" = vm ]; then\n", line_start);
      const std::size_t data = script.rfind("[ \"$world\" = vm ] && data=$(findfs", line_start);
      const std::size_t closed = script.rfind("\nfi\n", line_start);
      const bool in_vm_block = opened != std::string::npos &&
                               (closed == std::string::npos || closed < opened);
      const bool data_disk = data != std::string::npos && line.find("$data") != std::string::npos;
      CHECK_MESSAGE((in_vm_block || data_disk), line);
    }
    CHECK(mounts == 8); // proc, sys, dev, devpts, shm, run, cgroup2 and the data disk
    CHECK(script.find("[ \"$world\" = vm ] && hostname 'host'") != std::string::npos);
    CHECK(script.find("[ \"$world\" = vm ] && data=$(findfs 'LABEL=miget-data'") !=
          std::string::npos);
    // The handover and the SSH modes are common to both worlds.
    CHECK(script.find("mkdir -p '/run/sshd'") != std::string::npos);
    CHECK(script.ends_with("exec '/usr/bin/supervisord'\n"));
  }

  TEST_CASE("the script, run as a container's entrypoint, mounts nothing")
  {
    // A stand-in `mount` that records its use, on a PATH the script cannot override: the
    // script sets PATH itself, so its exec target and tools are resolved through a copy
    // whose PATH line points at the stand-ins first.
    const compose::TempPath root = compose::make_temp_directory("init-world");
    const fs::path& r = root.path();
    for (const char* tool : {"mount", "hostname", "findfs", "blkid", "ip", "ssh-keygen"})
      write(r / "bin" / tool, std::string("#!/bin/sh\necho ") + tool + " \"$@\" >>'" +
                                  (r / "calls").string() + "'\n");
    write(r / "bin/supervisord", "#!/bin/sh\necho handed over\n");
    fs::permissions(r / "bin", fs::perms::owner_all);
    for (const auto& entry : fs::directory_iterator(r / "bin"))
      fs::permissions(entry.path(), fs::perms::owner_all);
    compose::recipe::Recipe recipe = recipe_with_init("host");
    recipe.overlays.init.exec = {(r / "bin/supervisord").string()};
    recipe.overlays.init.runtime_dirs = {(r / "run/sshd").string()};
    std::string script = compose::overlay::init_script(recipe);
    const std::string path_line = "export PATH=";
    script.insert(script.find(path_line) + path_line.size(), r.string() + "/bin:");
    write(r / "init.sh", script);
    // Not PID 1 here, and container=podman as the engine would set it.
    const std::string output =
        output_of("container=podman /bin/sh '" + (r / "init.sh").string() + "'");
    CHECK_MESSAGE(output.find("compose-init: container (") != std::string::npos, output);
    CHECK(output.find("container=podman") != std::string::npos);
    CHECK(output.find("handed over\n") != std::string::npos);
    CHECK(fs::is_directory(r / "run/sshd"));
    std::string calls;
    if (fs::exists(r / "calls"))
      calls = compose::read_file(r / "calls");
    CHECK(calls.find("mount") == std::string::npos);
    CHECK(calls.find("hostname") == std::string::npos);
    CHECK(calls.find("findfs") == std::string::npos);
  }
}
