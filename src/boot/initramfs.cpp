// Assembles the boot initramfs: directories the kernel and /init expect, /bin/busybox with
// a link per applet /init calls, the modules (flattened into lib/modules/) and the file
// listing them in load order.
#include "boot/initramfs.hpp"

#include "boot/cpio_writer.hpp"
#include "boot/init_script.hpp"
#include "boot/module_closure.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::boot {

Initramfs build_initramfs(const InitramfsInputs& inputs)
{
  Initramfs result;
  const ModuleDatabase database = load_module_database(inputs.module_directory);
  result.modules = resolve_module_closure(database, inputs.modules);

  CpioArchive archive;
  for (const char* directory : {"bin", "dev", "etc", "lib", "newroot", "proc", "sys"})
    archive.add_directory(directory);
  const std::string module_directory(k_module_directory);
  archive.add_directory(module_directory);

  std::error_code ec;
  if (!std::filesystem::is_regular_file(inputs.busybox, ec))
    throw Error("no busybox at " + quote(inputs.busybox.string()), "initramfs",
                "install busybox-static");
  archive.add_file("bin/busybox", read_file(inputs.busybox), 0755);
  for (const std::string& applet : init_applets())
    archive.add_symlink("bin/" + applet, "busybox");
  archive.add_file("init", init_script(), 0755);

  std::string order;
  for (const std::string& module : result.modules) {
    const std::string file = module.substr(module.rfind('/') + 1);
    try {
      archive.add_file(module_directory + "/" + file,
                       read_file(inputs.module_directory / module));
    } catch (Error& e) {
      e.at("initramfs");
      throw;
    }
    order += file + "\n";
  }
  archive.add_file(std::string(k_module_order_file), order);
  result.archive = archive.bytes();
  return result;
}

} // namespace compose::boot
