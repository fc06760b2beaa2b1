// .deb fixtures built in memory with libarchive's writers; see deb_builder.hpp.
#include "deb_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <set>

#include "util/error.hpp"
#include "util/handles.hpp"

namespace compose::test {

namespace {

la_ssize_t append_to_string(archive*, void* user, const void* buffer, size_t length)
{
  static_cast<std::string*>(user)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

void check(archive* writer, int status, const std::string& what)
{
  if (status < ARCHIVE_WARN) {
    const char* detail = archive_error_string(writer);
    throw Error("deb_builder: " + what + ": " + (detail ? detail : "libarchive error"));
  }
}

int add_filter(archive* writer, DebCompression compression)
{
  switch (compression) {
  case DebCompression::none:
    return archive_write_add_filter_none(writer);
  case DebCompression::gz:
    return archive_write_add_filter_gzip(writer);
  case DebCompression::xz:
    return archive_write_add_filter_xz(writer);
  case DebCompression::zst:
    return archive_write_add_filter_zstd(writer);
  }
  return ARCHIVE_FATAL;
}

struct TarWriter {
  TarWriter()
  {
    archive* a = writer.get();
    check(a, archive_write_set_format_pax_restricted(a), "tar format");
    check(a, archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY"), "tar options");
    check(a, archive_write_add_filter_none(a), "tar filter");
    check(a, archive_write_set_bytes_in_last_block(a, 1), "tar blocking");
    check(a, archive_write_open2(a, &bytes, nullptr, append_to_string, nullptr, nullptr),
          "tar open");
  }

  void add(const DebEntry& item)
  {
    archive* a = writer.get();
    ArchiveEntry entry(archive_entry_new());
    archive_entry_copy_pathname(entry.get(), item.path.c_str());
    archive_entry_set_uid(entry.get(), item.uid);
    archive_entry_set_gid(entry.get(), item.gid);
    archive_entry_copy_uname(entry.get(), item.uname.c_str());
    archive_entry_copy_gname(entry.get(), item.gname.c_str());
    archive_entry_set_mtime(entry.get(), 1700000000, 0);
    for (const auto& [name, value] : item.xattrs)
      archive_entry_xattr_add_entry(entry.get(), name.c_str(), value.data(), value.size());
    const std::uint32_t permissions = item.mode & 07777;
    switch (item.type) {
    case DebEntry::Type::directory:
      archive_entry_set_mode(entry.get(), AE_IFDIR | permissions);
      break;
    case DebEntry::Type::file:
      archive_entry_set_mode(entry.get(), AE_IFREG | permissions);
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(item.content.size()));
      break;
    case DebEntry::Type::symlink:
      archive_entry_set_mode(entry.get(), AE_IFLNK | 0777);
      archive_entry_copy_symlink(entry.get(), item.content.c_str());
      break;
    case DebEntry::Type::hardlink:
      archive_entry_set_mode(entry.get(), AE_IFREG | permissions);
      archive_entry_copy_hardlink(entry.get(), item.content.c_str());
      archive_entry_set_size(entry.get(), 0);
      break;
    case DebEntry::Type::char_device:
      archive_entry_set_mode(entry.get(), AE_IFCHR | permissions);
      archive_entry_set_rdevmajor(entry.get(), item.device_major);
      archive_entry_set_rdevminor(entry.get(), item.device_minor);
      break;
    case DebEntry::Type::fifo:
      archive_entry_set_mode(entry.get(), AE_IFIFO | permissions);
      break;
    }
    check(a, archive_write_header(a, entry.get()), "tar header of " + item.path);
    if (item.type == DebEntry::Type::file && !item.content.empty() &&
        archive_write_data(a, item.content.data(), item.content.size()) !=
            static_cast<la_ssize_t>(item.content.size()))
      check(a, ARCHIVE_FATAL, "tar data of " + item.path);
  }

  std::string finish()
  {
    check(writer.get(), archive_write_close(writer.get()), "tar close");
    return std::move(bytes);
  }

  std::string bytes; // declared before the writer, which writes into it until freed
  ArchiveWriter writer{archive_write_new()};
};

DebEntry entry_of(DebEntry::Type type, std::string path, std::string content, std::uint32_t mode)
{
  DebEntry entry;
  entry.type = type;
  entry.path = std::move(path);
  entry.content = std::move(content);
  entry.mode = mode;
  return entry;
}

std::string padded_field(const std::string& value, std::size_t width)
{
  std::string field = value.substr(0, width);
  field.resize(width, ' ');
  return field;
}

} // namespace

std::string deb_suffix(DebCompression compression)
{
  switch (compression) {
  case DebCompression::none:
    return "";
  case DebCompression::gz:
    return ".gz";
  case DebCompression::xz:
    return ".xz";
  case DebCompression::zst:
    return ".zst";
  }
  return "";
}

std::string deb_compress(const std::string& bytes, DebCompression compression)
{
  if (compression == DebCompression::none)
    return bytes;
  std::string out;
  ArchiveWriter writer(archive_write_new());
  archive* a = writer.get();
  check(a, archive_write_set_format_raw(a), "raw format");
  check(a, add_filter(a, compression), "filter");
  if (compression == DebCompression::gz)
    check(a, archive_write_set_filter_option(a, "gzip", "timestamp", nullptr), "gzip options");
  check(a, archive_write_set_bytes_in_last_block(a, 1), "blocking");
  check(a, archive_write_open2(a, &out, nullptr, append_to_string, nullptr, nullptr), "open");
  ArchiveEntry entry(archive_entry_new());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(bytes.size()));
  check(a, archive_write_header(a, entry.get()), "raw header");
  if (!bytes.empty() &&
      archive_write_data(a, bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size()))
    check(a, ARCHIVE_FATAL, "raw data");
  check(a, archive_write_close(a), "close");
  writer.reset();
  return out;
}

DebEntry deb_dir(std::string path, std::uint32_t mode)
{
  return entry_of(DebEntry::Type::directory, std::move(path), {}, mode);
}

DebEntry deb_file(std::string path, std::string content, std::uint32_t mode)
{
  return entry_of(DebEntry::Type::file, std::move(path), std::move(content), mode);
}

DebEntry deb_symlink(std::string path, std::string target)
{
  return entry_of(DebEntry::Type::symlink, std::move(path), std::move(target), 0777);
}

DebEntry deb_hardlink(std::string path, std::string target)
{
  return entry_of(DebEntry::Type::hardlink, std::move(path), std::move(target), 0644);
}

DebEntry deb_char_device(std::string path, std::uint32_t major, std::uint32_t minor,
                         std::uint32_t mode)
{
  DebEntry entry = entry_of(DebEntry::Type::char_device, std::move(path), {}, mode);
  entry.device_major = major;
  entry.device_minor = minor;
  return entry;
}

DebEntry deb_fifo(std::string path, std::uint32_t mode)
{
  return entry_of(DebEntry::Type::fifo, std::move(path), {}, mode);
}

DebEntry deb_owned(DebEntry entry, std::string uname, std::uint32_t uid, std::string gname,
                   std::uint32_t gid)
{
  entry.uname = std::move(uname);
  entry.uid = uid;
  entry.gname = std::move(gname);
  entry.gid = gid;
  return entry;
}

std::string deb_control(const std::string& name, const std::string& version,
                        const std::string& extra)
{
  return "Package: " + name + "\nVersion: " + version +
         "\nArchitecture: amd64\nMaintainer: Test <test@example.org>\n" + extra +
         "Description: test package " + name + "\n";
}

std::string deb_control_tar(const DebSpec& spec)
{
  static const std::set<std::string> scripts = {"preinst", "postinst", "prerm", "postrm", "config"};
  TarWriter tar;
  tar.add(deb_dir("./"));
  if (!spec.control.empty())
    tar.add(deb_file("./control", spec.control));
  for (const auto& [name, text] : spec.control_files)
    tar.add(deb_file("./" + name, text, scripts.contains(name) ? 0755 : 0644));
  return tar.finish();
}

std::string deb_data_tar(const std::vector<DebEntry>& entries)
{
  TarWriter tar;
  for (const DebEntry& entry : entries)
    tar.add(entry);
  return tar.finish();
}

std::string make_ar(const std::vector<ArMemberSpec>& members)
{
  std::string out = "!<arch>\n";
  for (const ArMemberSpec& member : members) {
    out += padded_field(member.name, 16) + padded_field("0", 12) + padded_field("0", 6) +
           padded_field("0", 6) + padded_field("100644", 8) +
           padded_field(std::to_string(member.data.size()), 10) + "`\n";
    out += member.data;
    if (member.data.size() % 2 == 1)
      out += '\n';
  }
  return out;
}

std::string make_deb(const DebSpec& spec)
{
  return make_ar({
      {"debian-binary", "2.0\n"},
      {"control.tar" + deb_suffix(spec.control_compression),
       deb_compress(deb_control_tar(spec), spec.control_compression)},
      {"data.tar" + deb_suffix(spec.data_compression),
       deb_compress(deb_data_tar(spec.data), spec.data_compression)},
  });
}

} // namespace compose::test
