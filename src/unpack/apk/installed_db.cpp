// Writing the apk installed database; see installed_db.hpp.
#include "unpack/apk/installed_db.hpp"

#include <algorithm>
#include <cstdio>

#include "unpack/apk/package_reader.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::unpack::apk {

namespace {

std::string octal(std::uint32_t value)
{
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%o", value);
  return buffer;
}

std::string big_endian_32(std::size_t value)
{
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i)
    bytes[static_cast<std::size_t>(i)] = static_cast<char>((value >> (24 - 8 * i)) & 0xff);
  return bytes;
}

std::string dependency_list(const std::vector<repo::apk::Dependency>& dependencies)
{
  std::string text;
  for (const repo::apk::Dependency& dependency : dependencies)
    text += (text.empty() ? "" : " ") + dependency.text();
  return text;
}

std::string word_list(const std::vector<std::string>& words)
{
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : " ") + word;
  return text;
}

// "uid:gid:mode[:xattr hash]", or empty when apk would leave the default out.
std::string permissions_line(const Permissions& permissions, std::uint32_t default_mode)
{
  if (permissions.uid == 0 && permissions.gid == 0 && permissions.mode == default_mode &&
      permissions.xattr_hash.empty())
    return {};
  std::string line = std::to_string(permissions.uid) + ":" + std::to_string(permissions.gid) +
                     ":" + octal(permissions.mode);
  if (!permissions.xattr_hash.empty())
    line += ":" + permissions.xattr_hash;
  return line;
}

// apk 2.14 apk_pkg_write_index_header: C P V A S I T U L always, the rest when set.
void write_header(std::string& out, const repo::apk::Package& record)
{
  out += "C:" + record.checksum + "\n";
  out += "P:" + record.name + "\n";
  out += "V:" + record.version + "\n";
  if (!record.arch.empty())
    out += "A:" + record.arch + "\n";
  out += "S:" + std::to_string(record.size) + "\n";
  out += "I:" + std::to_string(record.installed_size) + "\n";
  out += "T:" + record.description + "\n";
  out += "U:" + record.url + "\n";
  out += "L:" + record.license + "\n";
  if (!record.origin.empty())
    out += "o:" + record.origin + "\n";
  if (!record.maintainer.empty())
    out += "m:" + record.maintainer + "\n";
  if (record.build_time != 0)
    out += "t:" + std::to_string(record.build_time) + "\n";
  if (!record.commit.empty())
    out += "c:" + record.commit + "\n";
  if (record.provider_priority && *record.provider_priority != 0)
    out += "k:" + std::to_string(*record.provider_priority) + "\n";
  if (!record.depends.empty())
    out += "D:" + dependency_list(record.depends) + "\n";
  if (!record.provides.empty())
    out += "p:" + dependency_list(record.provides) + "\n";
  if (!record.install_if.empty())
    out += "i:" + dependency_list(record.install_if) + "\n";
}

// apk 2.14 put_octal: right-aligned octal digits filling the field, zero-padded on the left,
// with a terminating NUL only where `terminated` (apk passes 1 for mode, uid, gid and the
// checksum, 0 for size and mtime, which therefore use all 12 digits).
enum class Nul { terminated, unterminated };

void put_octal(char* field, std::size_t width, std::uint64_t value, Nul nul)
{
  std::size_t digits = width;
  if (nul == Nul::terminated)
    field[--digits] = '\0';
  for (std::size_t i = digits; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

// apk 2.14 apk_tar_write_entry: a GNU header ("ustar  " magic, owners root), the name cut
// to 99 bytes by strlcpy. 2.14 writes no long-name entries (apk 3 does), so longer names are
// stored truncated, as on every real Alpine system.
void append_tar_header(std::string& out, const std::string& name, std::uint32_t mode,
                       std::uint64_t size, std::int64_t mtime)
{
  char header[512] = {};
  std::copy_n(name.data(), std::min<std::size_t>(name.size(), 99), header); // NUL-terminated
  put_octal(header + 100, 8, mode, Nul::terminated);
  put_octal(header + 108, 8, 0, Nul::terminated);
  put_octal(header + 116, 8, 0, Nul::terminated);
  put_octal(header + 124, 12, size, Nul::unterminated);
  put_octal(header + 136, 12, static_cast<std::uint64_t>(std::max<std::int64_t>(mtime, 0)),
            Nul::unterminated);
  header[156] = '0';
  std::copy_n("ustar  ", 8, header + 257); // GNU magic "ustar " + version " \0"
  std::copy_n("root", 4, header + 265);
  std::copy_n("root", 4, header + 297);
  std::fill_n(header + 148, 8, ' ');
  unsigned sum = 0;
  for (const char byte : header)
    sum += static_cast<unsigned char>(byte);
  put_octal(header + 148, 7, sum, Nul::terminated); // "%06o\0 "
  out.append(header, sizeof header);
}

void append_tar_data(std::string& out, std::string_view data)
{
  out += data;
  out.append((512 - data.size() % 512) % 512, '\0');
}

} // namespace

std::string xattr_hash(const std::map<std::string, std::string>& xattrs)
{
  if (xattrs.empty())
    return {};
  Hasher hasher(DigestAlgorithm::sha1);
  for (const auto& [name, value] : xattrs) { // std::map: sorted by name bytes
    hasher.update(big_endian_32(name.size()));
    hasher.update(name);
    hasher.update(big_endian_32(value.size()));
    hasher.update(value);
  }
  return "Q1" + base64_encode(hasher.finish());
}

std::string installed_text(const std::vector<InstalledPackage>& packages)
{
  std::vector<const InstalledPackage*> sorted;
  for (const InstalledPackage& package : packages)
    sorted.push_back(&package);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    if (a->record.name != b->record.name)
      return a->record.name < b->record.name;
    return a->record.version < b->record.version;
  });
  std::string out;
  for (const InstalledPackage* package : sorted) {
    write_header(out, package->record);
    if (!package->replaces.empty())
      out += "r:" + word_list(package->replaces) + "\n";
    if (package->replaces_priority != 0)
      out += "q:" + std::to_string(package->replaces_priority) + "\n";
    if (package->broken_files)
      out += "f:f\n";
    for (const InstalledDirectory& directory : package->directories) {
      out += "F:" + directory.path + "\n";
      if (const std::string acl = permissions_line(directory.permissions, 0755); !acl.empty())
        out += "M:" + acl + "\n";
      for (const InstalledFile& file : directory.files) {
        out += "R:" + file.name + "\n";
        if (const std::string acl = permissions_line(file.permissions, 0644); !acl.empty())
          out += "a:" + acl + "\n";
        if (!file.checksum.empty())
          out += "Z:" + file.checksum + "\n";
      }
    }
    out += "\n";
  }
  return out;
}

std::string scripts_tar(const std::vector<InstalledPackage>& packages)
{
  std::string out;
  for (const InstalledPackage& package : packages) {
    for (const std::string_view action : k_script_actions) {
      const auto script = package.scripts.find(std::string(action));
      if (script == package.scripts.end())
        continue;
      const std::string name = package.record.name + "-" + package.record.version + "." +
                               package.record.checksum + std::string(action);
      append_tar_header(out, name, 0755, script->second.size(), package.record.build_time);
      append_tar_data(out, script->second);
    }
  }
  out.append(1024, '\0');
  return out;
}

std::string triggers_text(const std::vector<InstalledPackage>& packages)
{
  std::string out;
  for (const InstalledPackage& package : packages) {
    // apk_db_triggers_write keys on the .PKGINFO triggers alone (abuild writes them only
    // for packages with a .trigger script).
    if (package.triggers.empty())
      continue;
    out += package.record.checksum + " " + word_list(package.triggers) + "\n";
  }
  return out;
}

} // namespace compose::unpack::apk
