// ldconfig on the tree; see ldconfig.hpp. Each step cites the glibc 2.36 function it
// follows (elf/ldconfig.c, elf/readlib.c, sysdeps/unix/sysv/linux/*/readelflib.c).
#include "unpack/ldconfig.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <optional>
#include <set>

#include "unpack/elf_library.hpp"
#include "unpack/ld_so_cache.hpp"
#include "util/error.hpp"

namespace compose::unpack {

namespace {

enum class LoaderAbi { x86_64, aarch64 };

struct Architecture {
  LoaderAbi abi;
  std::string triplet; // the multiarch directory name
};

std::optional<Architecture> architecture_of(const std::string& debian_architecture)
{
  if (debian_architecture == "amd64")
    return Architecture{LoaderAbi::x86_64, "x86_64-linux-gnu"};
  if (debian_architecture == "arm64")
    return Architecture{LoaderAbi::aarch64, "aarch64-linux-gnu"};
  return std::nullopt;
}

struct KnownName {
  const char* name;
  std::int32_t flag;
};

// readlib.c's interpreters[] and known_libs[] as each ldconfig build has them (the
// generic "/lib/" LD_SO entry plus the architecture's SYSDEP_KNOWN_* lists).
const std::vector<KnownName> k_x86_64_interpreters = {
    {"/lib/ld-linux-x86-64.so.2", k_ld_flag_elf_libc6},
    {"/lib/ld-linux.so.2", k_ld_flag_elf_libc6},
    {"/libx32/ld-linux-x32.so.2", k_ld_flag_elf_libc6},
    {"/lib64/ld-linux-x86-64.so.2", k_ld_flag_elf_libc6}};
const std::vector<KnownName> k_aarch64_interpreters = {
    {"/lib/ld-linux-aarch64.so.1", k_ld_flag_elf_libc6},
    {"/lib/ld-linux-aarch64_be.so.1", k_ld_flag_elf_libc6},
    {"/lib/ld-linux-aarch64_ilp32.so.1", k_ld_flag_elf_libc6},
    {"/lib/ld-linux-aarch64_be_ilp32.so.1", k_ld_flag_elf_libc6},
    {"/lib/ld-linux.so.3", k_ld_flag_elf_libc6},
    {"/lib/ld-linux-armhf.so.3", k_ld_flag_elf_libc6}};
const std::vector<KnownName> k_known_libraries = {{"libc.so.6", k_ld_flag_elf_libc6},
                                                  {"libm.so.6", k_ld_flag_elf_libc6}};

// elf/readelflib.c: ELF, then libc6 when the interpreter or a DT_NEEDED name says so.
std::int32_t generic_flag(const ElfLibrary& library, const std::vector<KnownName>& interpreters)
{
  std::int32_t flag = k_ld_flag_elf;
  if (library.interpreter)
    for (const KnownName& known : interpreters)
      if (*library.interpreter == known.name) {
        flag = known.flag;
        break;
      }
  for (const std::string& needed : library.needed) {
    if (flag != k_ld_flag_elf)
      break;
    for (const KnownName& known : k_known_libraries)
      if (needed == known.name) {
        flag = known.flag;
        break;
      }
  }
  return flag;
}

// The architecture's process_elf_file: the cache flags of a library, or nullopt when this
// ldconfig skips it (another machine's library).
std::optional<std::int32_t> library_flags(LoaderAbi abi, const ElfLibrary& library)
{
  if (abi == LoaderAbi::x86_64) { // sysdeps/unix/sysv/linux/x86/readelflib.c
    if (library.machine == k_elf_machine_x86_64)
      return (library.elf_class == ElfClass::elf64 ? k_ld_flag_x8664_lib64
                                                   : k_ld_flag_x8664_libx32) |
             k_ld_flag_elf_libc6;
    if (library.machine == k_elf_machine_386 && library.elf_class == ElfClass::elf32)
      return generic_flag(library, k_x86_64_interpreters);
    return std::nullopt;
  }
  // sysdeps/unix/sysv/linux/arm/readelflib.c, which aarch64 uses: every 64-bit object is
  // an AArch64 libc6 library; 32-bit EABI5 objects are told apart by their float ABI.
  if (library.elf_class == ElfClass::elf64)
    return k_ld_flag_aarch64_lib64 | k_ld_flag_elf_libc6;
  constexpr std::uint32_t eabi_mask = 0xff000000, eabi_5 = 0x05000000;
  constexpr std::uint32_t float_hard = 0x400, float_soft = 0x200;
  std::int32_t flag = generic_flag(library, k_aarch64_interpreters);
  if ((library.flags & eabi_mask) == eabi_5)
    flag = (library.flags & float_hard)   ? (k_ld_flag_arm_libhf | k_ld_flag_elf_libc6)
           : (library.flags & float_soft) ? (k_ld_flag_arm_libsf | k_ld_flag_elf_libc6)
                                          : k_ld_flag_elf_libc6;
  return flag;
}

// Legacy hwcap subdirectories ldconfig 2.36 still descends into (is_hwcap_platform): the
// cache written here has no hwcap entries, so their libraries are reported as left out.
bool is_hwcap_subdirectory(LoaderAbi abi, const std::string& name)
{
  if (name == "tls")
    return true;
  return abi == LoaderAbi::x86_64 && (name == "x86_64" || name == "avx512_1" || name == "i586" ||
                                      name == "i686" || name == "haswell" || name == "xeon_phi");
}

// dl-is_dso.h: lib*.so*, ld-*.so*, ld.so.*, ld64.so.*.
bool looks_like_library(const std::string& name)
{
  return ((name.starts_with("lib") || name.starts_with("ld-")) &&
          name.find(".so") != std::string::npos) ||
         name.starts_with("ld.so.") || name.starts_with("ld64.so.");
}

bool is_prelink_temporary(const std::string& name)
{
  const std::size_t mark = name.rfind(".#prelink#");
  return name.ends_with(".#prelink#") ||
         (mark != std::string::npos && mark + 17 == name.size() && name[mark + 10] == '.');
}

// Like stat(2) inside the image: follows every symlink; nullptr for what does not resolve
// (absent, a loop, "..").
std::shared_ptr<stage::Inode> resolve(const stage::Tree& tree, const std::string& absolute)
{
  try {
    const std::string path = stage::Tree::normalise(absolute);
    return path.empty() ? tree.root() : tree.resolve(path);
  } catch (const Error&) {
    return nullptr;
  }
}

struct Directory {
  std::string path; // as configured, without trailing '/': "/lib/x86_64-linux-gnu"
  std::shared_ptr<stage::Inode> inode;
};

class Scanner {
public:
  Scanner(stage::Tree& tree, Architecture architecture, std::int64_t epoch)
      : m_tree(tree), m_architecture(std::move(architecture)), m_epoch(epoch)
  {
  }

  // parse_conf: "include PATTERN…", "hwcap …" (ignored since 2.26), or a directory per line;
  // '#' starts a comment anywhere.
  void read_configuration(const std::string& file, int depth)
  {
    const auto inode = resolve(m_tree, file);
    if (!inode || inode->type != stage::FileType::regular || depth > 16)
      return;
    const std::string text_bytes = inode->content.read();
    std::string_view text = text_bytes;
    while (!text.empty()) {
      const std::size_t end = std::min(text.find('\n'), text.size());
      std::string line(text.substr(0, end));
      text.remove_prefix(std::min(end + 1, text.size()));
      line = line.substr(0, line.find('#'));
      const std::size_t start = line.find_first_not_of(" \t\n\v\f\r");
      if (start == std::string::npos)
        continue;
      line.erase(0, start);
      if (line.starts_with("include") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
        std::string rest = line.substr(8);
        std::size_t at = 0;
        while (at <= rest.size()) {
          const std::size_t stop = std::min(rest.find_first_of(" \t", at), rest.size());
          std::string pattern = rest.substr(at, stop - at);
          at = stop + 1;
          if (pattern.empty())
            continue;
          if (!pattern.starts_with("/"))
            pattern = file.substr(0, file.rfind('/') + 1) + pattern;
          for (const std::string& included : expand_glob(pattern))
            read_configuration(included, depth + 1);
        }
      } else if (line.size() > 5 && (line[5] == ' ' || line[5] == '\t') &&
                 std::equal(line.begin(), line.begin() + 5, "hwcap", [](char a, char b) {
                   return (a | 0x20) == b;
                 })) {
        continue;
      } else {
        add_directory(line);
      }
    }
  }

  // add_dir_1: "DIR[=TYPE]" with trailing blanks and slashes dropped; a directory already
  // listed under another name (the same inode, as /lib/… and /usr/lib/… with merged /usr)
  // keeps its first name.
  void add_directory(std::string line)
  {
    line = line.substr(0, line.find('='));
    while (!line.empty() && std::string_view(" \t\n\v\f\r/").find(line.back()) != std::string_view::npos)
      line.pop_back();
    if (line.empty())
      return;
    const auto inode = resolve(m_tree, line);
    if (!inode)
      return;
    if (std::any_of(m_directories.begin(), m_directories.end(),
                    [&](const Directory& listed) { return listed.inode == inode; }))
      return;
    m_directories.push_back({line, inode});
    if (inode->type == stage::FileType::directory && inode->children.contains("glibc-hwcaps"))
      m_report.left_out.push_back(line + "/glibc-hwcaps: libraries for CPU levels are not in the cache");
  }

  void scan_all()
  {
    for (const Directory& directory : m_directories)
      if (directory.inode->type == stage::FileType::directory)
        scan(directory);
  }

  LdconfigReport finish(const std::string& generator)
  {
    stage::Inode cache;
    cache.mode = 0644;
    cache.mtime = m_epoch;
    cache.content = stage::Content(ld_so_cache_bytes(m_entries, generator));
    m_tree.add("etc/ld.so.cache", std::move(cache), stage::Existing::replace,
               stage::ParentSymlinks::follow, true);
    m_report.written = true;
    m_report.libraries = m_entries.size();
    return m_report;
  }

private:
  struct Library {
    std::string name, soname;
    std::int32_t flag;
    bool is_link;
  };

  // glob(3) without flags: wildcards in any component, a leading '.' matched only by a
  // '.', results sorted as bytes (ldconfig runs under LC_ALL=C in libc-bin's scripts).
  std::vector<std::string> expand_glob(const std::string& pattern) const
  {
    std::vector<std::string> paths = {""};
    std::size_t at = 1;
    while (at <= pattern.size()) {
      const std::size_t stop = std::min(pattern.find('/', at), pattern.size());
      const std::string part = pattern.substr(at, stop - at);
      at = stop + 1;
      if (part.empty())
        continue;
      std::vector<std::string> next;
      for (const std::string& path : paths) {
        if (part.find_first_of("*?[") == std::string::npos) {
          next.push_back(path + "/" + part);
          continue;
        }
        const auto directory = resolve(m_tree, path.empty() ? "/" : path);
        if (!directory || directory->type != stage::FileType::directory)
          continue;
        for (const auto& [name, child] : directory->children)
          if (fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0)
            next.push_back(path + "/" + name);
      }
      paths = std::move(next);
    }
    std::erase_if(paths, [&](const std::string& path) {
      try {
        return !m_tree.find(stage::Tree::normalise(path), stage::ParentSymlinks::follow);
      } catch (const Error&) {
        return true;
      }
    });
    std::sort(paths.begin(), paths.end());
    return paths;
  }

  // search_dir: every library-looking name; a symlink counts as a link only when it is
  // named by the SONAME it reaches, or is the "libfoo.so" development link to it.
  void scan(const Directory& directory)
  {
    std::vector<Library> libraries; // newest first, as glibc's dlibs list
    std::vector<std::string> stale;
    const auto children = directory.inode->children; // links are made after the walk
    for (const auto& [name, child] : children) {
      const bool is_link = child->type == stage::FileType::symlink;
      if (child->type != stage::FileType::regular && !is_link &&
          child->type != stage::FileType::directory)
        continue;
      if (!looks_like_library(name)) {
        if (child->type != stage::FileType::regular &&
            is_hwcap_subdirectory(m_architecture.abi, name)) {
          const auto target = resolve(m_tree, directory.path + "/" + name);
          if (target && target->type == stage::FileType::directory)
            m_report.left_out.push_back(directory.path + "/" + name +
                                        ": legacy hwcap subdirectory, not in the cache");
        }
        continue;
      }
      if (is_prelink_temporary(name))
        continue;
      const auto target = is_link ? resolve(m_tree, directory.path + "/" + name) : child;
      if (!target) {
        if (name.find(".so.") != std::string::npos)
          stale.push_back(name); // "Remove stale symlinks."
        continue;
      }
      if (target->type != stage::FileType::regular)
        continue;
      const std::optional<ElfLibrary> library = read_elf_library(target->content.read());
      if (!library)
        continue;
      const std::optional<std::int32_t> flag = library_flags(m_architecture.abi, *library);
      if (!flag)
        continue;
      std::string soname = library->soname.value_or(name);
      bool counts_as_link = is_link;
      if (is_link && name != soname &&
          !(name.ends_with(".so") && soname.compare(0, name.size(), name) == 0))
        counts_as_link = false;
      if (counts_as_link)
        soname = name;
      add_library(libraries, {name, soname, *flag, counts_as_link}, directory.path);
    }
    for (const std::string& name : stale) {
      directory.inode->children.erase(name);
      m_report.removed.push_back(directory.path + "/" + name);
    }
    for (auto library = libraries.rbegin(); library != libraries.rend(); ++library) {
      if (!library->is_link)
        make_soname_link(directory, library->name, library->soname);
      m_entries.push_back({library->soname, directory.path + "/" + library->soname, library->flag});
    }
  }

  // One library per SONAME and directory: a file beats a link, else the newer name wins.
  void add_library(std::vector<Library>& libraries, Library found, const std::string& where)
  {
    for (Library& known : libraries) {
      if (known.soname != found.soname)
        continue;
      if ((!found.is_link && known.is_link) ||
          (found.is_link == known.is_link && dl_cache_libcmp(known.name, found.name) < 0)) {
        if (known.flag != found.flag) {
          const bool known_generic = known.flag == k_ld_flag_elf;
          const bool found_libc = found.flag == k_ld_flag_elf_libc5 || found.flag == k_ld_flag_elf_libc6;
          const bool known_libc = known.flag == k_ld_flag_elf_libc5 || known.flag == k_ld_flag_elf_libc6;
          if ((known_generic && found_libc) || (known_libc && found.flag == k_ld_flag_elf))
            known.flag = found.flag;
          else
            m_report.left_out.push_back(where + ": " + known.name + " and " + found.name +
                                        " have the same SONAME but different types");
        }
        known.name = found.name;
        known.is_link = found.is_link;
      }
      return;
    }
    libraries.push_back(std::move(found));
  }

  // create_links: DIR/SONAME -> FILE unless it already reaches the same file; an existing
  // non-link is left alone.
  void make_soname_link(const Directory& directory, const std::string& name,
                        const std::string& soname)
  {
    const std::string base = directory.path + "/";
    if (const auto current = resolve(m_tree, base + soname)) {
      if (current == resolve(m_tree, base + name))
        return;
      const auto entry = directory.inode->children.find(soname);
      if (entry == directory.inode->children.end() ||
          entry->second->type != stage::FileType::symlink)
        return;
    }
    auto link = std::make_shared<stage::Inode>();
    link->type = stage::FileType::symlink;
    link->mode = 0777;
    link->mtime = m_epoch;
    link->target = name;
    directory.inode->children[soname] = std::move(link);
    m_report.links.push_back(base + soname + " -> " + name);
  }

  stage::Tree& m_tree;
  Architecture m_architecture;
  std::int64_t m_epoch;
  std::vector<Directory> m_directories;
  std::vector<LdCacheEntry> m_entries;
  LdconfigReport m_report;
};

std::shared_ptr<stage::Inode> ldconfig_binary(const stage::Tree& tree)
{
  const auto binary = resolve(tree, "/sbin/ldconfig");
  return binary && binary->type == stage::FileType::regular ? binary : nullptr;
}

// The generator text ldconfig records ("ldconfig (Debian GLIBC 2.36-9+deb12u14) stable
// release version 2.36"): one string literal in the image's own ldconfig binary, so the
// cache names the glibc build that would have written it.
std::string generator_of(const stage::Inode& ldconfig)
{
  const std::string binary = ldconfig.content.read();
  const std::string_view bytes = binary;
  for (std::size_t at = bytes.find("ldconfig ("); at != std::string_view::npos;
       at = bytes.find("ldconfig (", at + 1)) {
    const std::size_t end = bytes.find('\0', at);
    const std::string_view text = bytes.substr(at, end == std::string_view::npos ? end : end - at);
    if (text.find(" release version ") != std::string_view::npos)
      return std::string(text);
  }
  return "ldconfig (compose) release version unknown";
}

} // namespace

bool ldconfig_applies(const stage::Tree& tree, const std::string& architecture)
{
  return architecture_of(architecture) && ldconfig_binary(tree);
}

LdconfigReport run_ldconfig(stage::Tree& tree, const std::string& architecture,
                            std::int64_t epoch)
{
  const std::optional<Architecture> target = architecture_of(architecture);
  const auto ldconfig = ldconfig_binary(tree);
  if (!target || !ldconfig)
    return {};
  Scanner scanner(tree, *target, epoch);
  scanner.read_configuration("/etc/ld.so.conf", 0);
  // The trusted directories of Debian's glibc build, after the configured ones.
  for (const std::string& directory : {"/lib/" + target->triplet, "/usr/lib/" + target->triplet,
                                       std::string("/lib"), std::string("/usr/lib")})
    scanner.add_directory(directory);
  scanner.scan_all();
  return scanner.finish(generator_of(*ldconfig));
}

} // namespace compose::unpack
