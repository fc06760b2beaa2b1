// The newc cpio writer: a 110-byte ASCII header of thirteen 8-digit hex fields, the name with
// its NUL padded to 4 bytes, then the data padded to 4 bytes; "TRAILER!!!" ends the archive.
#include "boot/cpio_writer.hpp"

#include <sys/stat.h>

#include <cstdio>

#include "util/error.hpp"

namespace compose::boot {

namespace {

void check_name(const std::string& name)
{
  if (name.empty() || name.front() == '/' || name.back() == '/')
    throw Error("cpio entry name " + quote(name) + " is not a relative path", "initramfs");
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string component = name.substr(start, end - start);
    if (component.empty() || component == "." || component == "..")
      throw Error("cpio entry name " + quote(name) + " has an empty, '.' or '..' component",
                  "initramfs");
    start = end + 1;
  }
}

void append_hex(std::string& out, std::uint64_t value)
{
  if (value > 0xffffffffU)
    throw Error("value " + std::to_string(value) + " does not fit a newc header field",
                "initramfs", "newc limits files to 4 GiB");
  char field[9];
  std::snprintf(field, sizeof field, "%08X", static_cast<unsigned>(value));
  out.append(field, 8);
}

void pad_to_four(std::string& out)
{
  while (out.size() % 4 != 0)
    out.push_back('\0');
}

struct Header {
  std::uint64_t inode = 0;
  std::uint64_t mode = 0;
  std::uint64_t links = 1;
  std::uint64_t mtime = 0;
  std::uint64_t size = 0;
};

void append_member(std::string& out, const Header& header, const std::string& name,
                   const std::string& data)
{
  out += "070701";
  append_hex(out, header.inode);
  append_hex(out, header.mode);
  append_hex(out, 0); // uid
  append_hex(out, 0); // gid
  append_hex(out, header.links);
  append_hex(out, header.mtime);
  append_hex(out, header.size);
  append_hex(out, 0); // device major
  append_hex(out, 0); // device minor
  append_hex(out, 0); // rdev major
  append_hex(out, 0); // rdev minor
  append_hex(out, name.size() + 1);
  append_hex(out, 0); // checksum: only the "070702" variant uses it
  out += name;
  out.push_back('\0');
  pad_to_four(out);
  out += data;
  pad_to_four(out);
}

std::uint32_t type_bits(CpioType type)
{
  switch (type) {
  case CpioType::directory:
    return S_IFDIR;
  case CpioType::symlink:
    return S_IFLNK;
  case CpioType::file:
    break;
  }
  return S_IFREG;
}

} // namespace

void CpioArchive::add(const std::string& name, CpioEntry entry)
{
  check_name(name);
  const std::size_t slash = name.rfind('/');
  if (slash != std::string::npos) {
    const auto parent = m_entries.find(name.substr(0, slash));
    if (parent == m_entries.end() || parent->second.type != CpioType::directory)
      throw Error("cpio entry " + quote(name) + " has no parent directory " +
                      quote(name.substr(0, slash)),
                  "initramfs", "add the directory first");
  }
  if (!m_entries.emplace(name, std::move(entry)).second)
    throw Error("cpio entry " + quote(name) + " was added twice", "initramfs");
}

void CpioArchive::add_directory(const std::string& name, std::uint32_t permissions)
{
  add(name, CpioEntry{CpioType::directory, permissions & 07777, {}});
}

void CpioArchive::add_file(const std::string& name, std::string content,
                           std::uint32_t permissions)
{
  add(name, CpioEntry{CpioType::file, permissions & 07777, std::move(content)});
}

void CpioArchive::add_symlink(const std::string& name, const std::string& target)
{
  if (target.empty())
    throw Error("cpio symbolic link " + quote(name) + " has an empty target", "initramfs");
  add(name, CpioEntry{CpioType::symlink, 0777, target});
}

std::string CpioArchive::bytes() const
{
  std::string out;
  std::size_t total = 0;
  for (const auto& [name, entry] : m_entries)
    total += 120 + name.size() + entry.content.size();
  out.reserve(total + 128);
  // Inode numbers count from 1 in name order; the kernel links entries with equal inode
  // numbers and nlink > 1 as hard links, so every entry gets its own number and nlink 1
  // (2 for directories, which the kernel ignores anyway).
  std::uint64_t inode = 1;
  for (const auto& [name, entry] : m_entries) {
    Header header;
    header.inode = inode++;
    header.mode = type_bits(entry.type) | entry.permissions;
    header.links = entry.type == CpioType::directory ? 2 : 1;
    header.mtime = m_mtime;
    header.size = entry.content.size();
    append_member(out, header, name, entry.content);
  }
  append_member(out, Header{}, "TRAILER!!!", {});
  return out;
}

} // namespace compose::boot
