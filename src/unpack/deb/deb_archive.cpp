// Reading a .deb: member order and names as dpkg-deb checks them, then the control tar
// into memory and the data tar decompressed once; see deb_archive.hpp.
#include "unpack/deb/deb_archive.hpp"

#include <array>
#include <optional>

#include "unpack/deb/ar_reader.hpp"
#include "unpack/tar_reader.hpp"
#include "util/decompress.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::unpack::deb {

namespace {

// The suffixes dpkg-deb accepts after "control.tar" and "data.tar" ("" = uncompressed).
constexpr std::array<std::string_view, 4> k_control_compressions = {"", ".gz", ".xz", ".zst"};
constexpr std::array<std::string_view, 6> k_data_compressions = {"",     ".gz",  ".xz",
                                                                 ".zst", ".bz2", ".lzma"};

template <std::size_t N>
std::string known_list(const std::string& base, const std::array<std::string_view, N>& suffixes)
{
  std::string out;
  for (const std::string_view suffix : suffixes)
    out += (out.empty() ? "" : ", ") + base + std::string(suffix);
  return out;
}

// "data.tar.xz" -> "xz"; throws for a suffix dpkg does not know ("data.tar.lz4").
template <std::size_t N>
std::string member_compression(const ArMember& member, const std::string& base,
                               const std::array<std::string_view, N>& suffixes,
                               const std::string& where)
{
  const std::string_view suffix = std::string_view(member.name).substr(base.size());
  for (const std::string_view known : suffixes)
    if (suffix == known)
      return std::string(known.empty() ? known : known.substr(1));
  throw Error("unknown compression " + quote(std::string(suffix)) + " of member " +
                  quote(member.name),
              where + ": " + member.name, "dpkg accepts " + known_list(base, suffixes));
}

// debian-binary is "2.<minor>\n" (dpkg-deb: major version 2, a newline required; text after
// the first line is ignored).
void check_format_version(const ArMember& member, const std::string& where)
{
  const std::string_view text = member.data;
  const std::size_t newline = text.find('\n');
  const std::string_view line = text.substr(0, newline);
  bool valid = newline != std::string_view::npos && line.size() > 2 && line.starts_with("2.");
  for (const char c : line.substr(std::min<std::size_t>(2, line.size())))
    valid = valid && c >= '0' && c <= '9';
  if (!valid)
    throw Error("unsupported .deb format version " + quote(std::string(text.substr(0, 16))) +
                    ", expected '2.0\\n'",
                where + ": debian-binary");
}

void read_control_tar(const std::string& tar, const std::string& where, DebArchive& archive)
{
  bool have_control = false;
  read_tar(tar, where, [&](const TarEntry& entry) {
    std::string_view name = entry.name;
    while (name.starts_with("./"))
      name.remove_prefix(2);
    while (name.ends_with('/'))
      name.remove_suffix(1);
    if (entry.type == '5' || name.empty() || name == ".")
      return;
    if (entry.type != '0' && entry.type != '7')
      throw Error("control member " + quote(entry.name) + " is not a regular file (tar type '" +
                      std::string(1, entry.type) + "')",
                  where);
    if (name == "control") {
      archive.control_text = std::string(entry.content);
      have_control = true;
      return;
    }
    archive.control_files[std::string(name)] =
        ControlMember{std::string(entry.content), entry.mode & 07777};
  });
  if (!have_control)
    throw Error("control archive has no ./control file", where,
                "every binary package carries ./control; the .deb is damaged");
  const std::string control_where = where + ": ./control";
  std::vector<repo::deb::Paragraph> paragraphs =
      repo::deb::parse_control(archive.control_text, control_where);
  if (paragraphs.size() != 1)
    throw Error("./control holds " + std::to_string(paragraphs.size()) +
                    " paragraphs, expected exactly one",
                control_where);
  archive.control = std::move(paragraphs.front());
}

// The data member, still compressed.
struct DataMember {
  std::string_view bytes;
  std::string compression;
};

// Everything but the data tar's decompression, which the callers do their way.
DataMember read_deb_members(const std::string& bytes, const std::string& where,
                            DebArchive& archive)
{
  const std::vector<ArMember> members = read_ar(bytes, where);
  if (members.empty() || members.front().name != "debian-binary")
    throw Error("first ar member is " +
                    (members.empty() ? std::string("missing") : quote(members.front().name)) +
                    ", expected 'debian-binary'",
                where, "this is an ar archive but not a Debian package");
  check_format_version(members.front(), where);

  const ArMember* control = nullptr;
  const ArMember* data = nullptr;
  std::string control_compression, data_compression;
  for (std::size_t i = 1; i < members.size() && !data; ++i) {
    const ArMember& member = members[i];
    const std::string member_where = where + ": " + member.name;
    // dpkg-deb skips members starting with '_' (reserved for additions such as signatures).
    if (member.name.starts_with('_'))
      continue;
    if (member.name.starts_with("control.tar")) {
      if (control)
        throw Error("second control member " + quote(member.name) + " after " +
                        quote(control->name),
                    member_where, "a .deb has exactly one control.tar member");
      control_compression =
          member_compression(member, "control.tar", k_control_compressions, where);
      control = &member;
    } else if (member.name.starts_with("data.tar")) {
      if (!control)
        throw Error("member " + quote(member.name) + " comes before the control member",
                    member_where, "dpkg-deb's order is debian-binary, control.tar.*, data.tar.*");
      data_compression = member_compression(member, "data.tar", k_data_compressions, where);
      data = &member;
    } else {
      throw Error("unexpected member " + quote(member.name) + " before the data member",
                  member_where,
                  "dpkg-deb's order is debian-binary, control.tar.*, data.tar.*; only names "
                  "starting with '_' may come in between");
    }
    if (member.data.empty())
      throw Error("member " + quote(member.name) + " is empty", member_where);
  }
  if (!control)
    throw Error("no control.tar member", where, "the .deb is damaged or not a binary package");
  if (!data)
    throw Error("no data.tar member after " + quote(control->name), where,
                "the .deb is damaged or cut short");

  const std::string control_where = where + ": " + control->name;
  read_control_tar(decompress(control->data, control_compression, control_where), control_where,
                   archive);
  archive.data_member = data->name;
  return {data->data, data_compression};
}

} // namespace

DebArchive read_deb(const std::string& bytes, const std::string& where)
{
  DebArchive archive;
  const DataMember data = read_deb_members(bytes, where, archive);
  archive.data_tar = decompress(data.bytes, data.compression, where + ": " + archive.data_member);
  return archive;
}

DebArchive read_deb_file(const std::filesystem::path& file, const std::string& where)
{
  return read_deb(read_file(file), where);
}

DebArchive read_deb_file(const std::filesystem::path& file, const std::string& where,
                         const std::string& sha256, DecodedCache& cache)
{
  const std::string bytes = read_file(file);
  DebArchive archive;
  const DataMember data = read_deb_members(bytes, where, archive);
  const std::string data_where = where + ": " + archive.data_member;
  archive.data = cache.open(sha256, data_where, [&](const auto& write) {
    decompress_to(data.bytes, data.compression, data_where, write);
  });
  return archive;
}

} // namespace compose::unpack::deb
