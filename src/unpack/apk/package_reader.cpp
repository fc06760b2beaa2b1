// Splitting and checking a v2 .apk (apk-format §5); see package_reader.hpp.
#include "unpack/apk/package_reader.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "repo/apk/signature.hpp"
#include "unpack/tar_reader.hpp"
#include "util/error.hpp"
#include "util/gzip_members.hpp"
#include "util/hash.hpp"

namespace compose::unpack::apk {

namespace {

// Data tars of large packages (toolchains, firmware) exceed the 256 MiB default guard.
constexpr std::size_t k_max_data_bytes = std::size_t{4} << 30;

std::vector<std::string> split_words(std::string_view text)
{
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < text.size()) {
    while (start < text.size() && (text[start] == ' ' || text[start] == '\t'))
      ++start;
    std::size_t end = start;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t')
      ++end;
    if (end > start)
      words.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return words;
}

template <typename Number>
Number parse_number_value(const std::string& value, const std::string& where, const char* key)
{
  Number number{};
  const auto [end, status] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (status != std::errc() || end != value.data() + value.size() || value.empty())
    throw Error(std::string(".PKGINFO ") + key + " is not a number: " + quote(value), where);
  return number;
}

std::string lower_case(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string identity_of(std::string_view control_member)
{
  return "Q1" + base64_encode(digest(DigestAlgorithm::sha1, control_member));
}

bool has_control_character(std::string_view text)
{
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// apk-format §5.5: relative names only, no control characters, no "", "." or ".."
// components. Directories may carry one trailing '/' (GNU tar writes "usr/bin/").
std::string checked_name(const std::string& raw, const std::string& where)
{
  if (has_control_character(raw))
    throw Error("entry name contains a control character: " + quote(raw), where);
  if (raw.starts_with("/"))
    throw Error("entry has an absolute name " + quote(raw), where);
  std::string_view name = raw;
  if (name.ends_with("/"))
    name.remove_suffix(1);
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part == "..")
      throw Error("entry name escapes the root through '..': " + quote(raw), where);
    if (part.empty() || part == ".")
      throw Error("entry name has an empty or '.' component: " + quote(raw), where);
    start = end + 1;
  }
  return std::string(name);
}

bool skipped_name(const std::string& path)
{
  // apk ignores top-level dot names (control files of legacy packages) and .keep_*
  // placeholders that keep empty directories in git.
  if (path.starts_with("."))
    return true;
  const std::size_t slash = path.rfind('/');
  const std::string_view base =
      slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
  return base.starts_with(".keep_");
}

// Compares the PAX checksum abuild stored with what the bytes hash to, and returns the
// installed db Z: value.
std::string checked_checksum(const TarEntry& entry, std::string_view hashed,
                             const std::string& where)
{
  const auto sha1 = entry.pax.find("APK-TOOLS.checksum.SHA1");
  const std::string actual = digest(DigestAlgorithm::sha1, hashed);
  if (sha1 != entry.pax.end()) {
    std::string stored;
    try {
      stored = from_hex(sha1->second);
    } catch (const Error&) {
      throw Error("APK-TOOLS.checksum.SHA1 is not hex: " + quote(sha1->second), where);
    }
    if (stored != actual)
      throw Error("content SHA-1 " + to_hex(actual) + " does not match APK-TOOLS.checksum.SHA1 " +
                      to_hex(stored),
                  where);
    return "Q1" + base64_encode(actual);
  }
  const auto md5 = entry.pax.find("APK-TOOLS.checksum.MD5");
  if (md5 != entry.pax.end()) {
    const std::string md5_actual = to_hex(digest(DigestAlgorithm::md5, hashed));
    if (md5_actual != md5->second)
      throw Error("content MD5 " + md5_actual + " does not match APK-TOOLS.checksum.MD5 " +
                      md5->second,
                  where);
    return md5_actual; // apk writes MD5 checksums as bare hex
  }
  // No stored checksum: the data member is still covered by datahash; record our own.
  return "Q1" + base64_encode(actual);
}

stage::FileType type_of(char type, const std::string& where)
{
  switch (type) {
  case '0':
  case '7': return stage::FileType::regular;
  case '1': return stage::FileType::regular; // hard link; the target's type is taken later
  case '2': return stage::FileType::symlink;
  case '3': return stage::FileType::char_device;
  case '4': return stage::FileType::block_device;
  case '5': return stage::FileType::directory;
  case '6': return stage::FileType::fifo;
  default:
    throw Error(std::string("unsupported tar entry type '") + type + "'", where);
  }
}

// `tars`: the data tar's entries in order; `content_of` gives a regular file's content.
void read_data_entries(ApkPackage& package, const std::vector<TarEntry>& tars,
                       const std::function<stage::Content(const TarEntry&)>& content_of)
{
  const std::string base = package.file_name + ": ";
  std::map<std::string, std::size_t> seen; // path -> index in entries (for hard links)
  for (const TarEntry& tar : tars) {
    const std::string where = base + tar.name;
    if (tar.name == "./" || tar.name == ".")
      continue; // the root itself; its metadata is not the package's to set
    const std::string path = checked_name(tar.name, where);
    if (path.empty() || skipped_name(path))
      continue;
    DataEntry entry;
    entry.path = path;
    entry.type = type_of(tar.type, where);
    entry.mode = tar.mode & 07777;
    entry.uid = tar.uid;
    entry.gid = tar.gid;
    entry.uname = tar.uname;
    entry.gname = tar.gname;
    entry.mtime = tar.mtime;
    entry.xattrs = tar.xattrs;
    switch (tar.type) {
    case '1': {
      const std::string target = checked_name(tar.linkname, where);
      const auto found = seen.find(target);
      if (found == seen.end() || package.entries[found->second].type == stage::FileType::directory)
        throw Error("hard link to " + quote(tar.linkname) +
                        ", which is not an earlier file of this package",
                    where);
      const DataEntry& first = package.entries[found->second];
      entry.type = first.type;
      entry.hard_link_to = first.hard_link_to.empty() ? first.path : first.hard_link_to;
      entry.checksum = first.checksum;
      break;
    }
    case '2':
      if (tar.linkname.empty())
        throw Error("symlink without a target", where);
      entry.symlink_target = tar.linkname;
      entry.checksum = checked_checksum(tar, tar.linkname, where);
      break;
    case '3':
    case '4':
      entry.device_major = tar.device_major;
      entry.device_minor = tar.device_minor;
      break;
    case '5':
    case '6': break;
    default: // regular
      entry.content = content_of(tar);
      entry.checksum = checked_checksum(tar, entry.content.read(), where);
      break;
    }
    seen[entry.path] = package.entries.size();
    package.entries.push_back(std::move(entry));
  }
}

// The compressed data members from `offset` on, inflated one after the other.
void inflate_data(std::string_view bytes, std::size_t offset, const std::string& file,
                  const std::function<void(std::string_view)>& write)
{
  // Packages from other builders may split the data over several members (apk-format §5.1).
  std::size_t total = 0;
  while (offset < bytes.size()) {
    GzipMember member = inflate_member(bytes, offset, file + ": data", k_max_data_bytes);
    total += member.inflated.size();
    if (total > k_max_data_bytes)
      throw Error("data inflates beyond " + std::to_string(k_max_data_bytes) + " bytes",
                  file + ": data");
    write(member.inflated);
    offset += member.size;
  }
}

// The package's own signature, judged as `policy` says; `first` is the inflated signature
// member when the file has one.
std::string check_signature(const std::optional<GzipMember>& first, std::string_view control,
                            const SignaturePolicy& policy, const std::string& file)
{
  const std::string where = file + ": signature";
  if (!policy.keys)
    return {};
  if (!first) {
    if (policy.required)
      throw Error("package is not signed (it has no .SIGN.* member)", where,
                  "a locked or bundled build installs only packages signed by a trusted key");
    return {};
  }
  const repo::apk::SignatureVerdict verdict = repo::apk::verify_signatures(
      repo::apk::read_signature_entries(first->inflated, where), control, *policy.keys);
  if (!verdict.signer.empty())
    return verdict.signer;
  if (!verdict.failed.empty())
    throw Error("package signature does not verify (signed by key " +
                    repo::apk::key_list(verdict.failed) + ")",
                where, "the file is not what the key signed; fetch it again or use another mirror");
  if (policy.required)
    throw Error("package is signed only by untrusted key(s) " +
                    repo::apk::key_list(verdict.untrusted, true),
                where, "a locked or bundled build installs only packages signed by a trusted key");
  return {};
}

} // namespace

PackageInfo parse_pkginfo(std::string_view text, const std::string& where)
{
  PackageInfo info;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.empty() || line.starts_with("#"))
      continue;
    const std::size_t equals = line.find(" = ");
    const std::string place = where + ":" + std::to_string(line_number);
    if (equals == std::string_view::npos)
      throw Error("malformed .PKGINFO line (expected 'key = value'): " +
                      quote(std::string(line)),
                  place);
    const std::string key(line.substr(0, equals));
    const std::string value(line.substr(equals + 3));
    if (key == "pkgname")
      info.name = value;
    else if (key == "pkgver")
      info.version = value;
    else if (key == "pkgdesc")
      info.description = value;
    else if (key == "url")
      info.url = value;
    else if (key == "builddate")
      info.build_time = parse_number_value<std::int64_t>(value, place, "builddate");
    else if (key == "packager")
      info.packager = value;
    else if (key == "size")
      info.size = parse_number_value<std::uint64_t>(value, place, "size");
    else if (key == "arch")
      info.arch = value;
    else if (key == "origin")
      info.origin = value;
    else if (key == "commit")
      info.commit = value;
    else if (key == "maintainer")
      info.maintainer = value;
    else if (key == "license")
      info.license = value;
    else if (key == "replaces_priority")
      info.replaces_priority = parse_number_value<int>(value, place, "replaces_priority");
    else if (key == "provider_priority")
      info.provider_priority = parse_number_value<int>(value, place, "provider_priority");
    else if (key == "datahash")
      info.datahash = value;
    else {
      std::vector<std::string>* list = key == "replaces"     ? &info.replaces
                                       : key == "depend"     ? &info.depends
                                       : key == "provides"   ? &info.provides
                                       : key == "install_if" ? &info.install_if
                                       : key == "triggers"   ? &info.triggers
                                                             : nullptr;
      if (list) {
        for (std::string& word : split_words(value))
          list->push_back(std::move(word));
      }
      // Other keys are informative; apk ignores keys it does not know, and so do we.
    }
  }
  return info;
}

ApkPackage check_package_bytes(std::string_view bytes, const repo::apk::Package& record,
                               std::size_t& data_offset, const SignaturePolicy& signature)
{
  ApkPackage package;
  package.file_name = record.file_name();
  const std::string& file = package.file_name;
  if (bytes.size() != record.size)
    throw Error("package file is " + std::to_string(bytes.size()) + " bytes, the index says S:" +
                    std::to_string(record.size),
                file, "the download is incomplete or not this package; fetch it again");

  // Member 1 is either the signature fragment or, for unsigned packages, the control member.
  GzipMember control = inflate_member(bytes, 0, file + ": first gzip member");
  bool first_is_signature = false;
  read_tar(control.inflated, file + ": first gzip member", [&](const TarEntry& entry) {
    if (entry.name.starts_with(".SIGN."))
      first_is_signature = true;
  });
  std::optional<GzipMember> signature_member;
  if (first_is_signature) {
    package.signed_member = true;
    signature_member = control;
    control = inflate_member(bytes, control.offset + control.size, file + ": control member");
  }
  const std::string_view control_bytes = bytes.substr(control.offset, control.size);
  package.identity = identity_of(control_bytes);
  if (package.identity != record.checksum)
    throw Error("control member checksum " + package.identity + " does not match the index C:" +
                    record.checksum,
                file + ": control member",
                "the file is not the package the index describes; fetch it again");
  package.signed_by = check_signature(signature_member, control_bytes, signature, file);

  bool first = true;
  std::string pkginfo;
  read_tar(control.inflated, file + ": control member", [&](const TarEntry& entry) {
    if (first && entry.name != ".PKGINFO")
      throw Error("control member starts with " + quote(entry.name) + ", not .PKGINFO",
                  file + ": control member");
    if (first)
      pkginfo = std::string(entry.content);
    else if (std::find(std::begin(k_script_actions), std::end(k_script_actions), entry.name) !=
             std::end(k_script_actions))
      package.scripts[entry.name] = std::string(entry.content);
    first = false;
  });
  if (first)
    throw Error("control member is empty (no .PKGINFO)", file + ": control member");
  package.info = parse_pkginfo(pkginfo, file + ": .PKGINFO");
  if (package.info.name != record.name || package.info.version != record.version)
    throw Error(".PKGINFO names " + quote(package.info.name + "-" + package.info.version) +
                    ", the index record " + quote(record.name + "-" + record.version),
                file + ": .PKGINFO");
  if (package.info.datahash.empty())
    throw Error("legacy package without datahash in .PKGINFO; refusing it", file + ": .PKGINFO",
                "rebuild the package with a current abuild");

  data_offset = control.offset + control.size;
  if (data_offset >= bytes.size())
    throw Error("package has no data member after the control member", file + ": data");
  const std::string data_hash = sha256_hex(bytes.substr(data_offset));
  if (data_hash != lower_case(package.info.datahash))
    throw Error("data SHA-256 " + data_hash + " does not match .PKGINFO datahash " +
                    package.info.datahash,
                file + ": data", "the file is corrupt; fetch it again");
  return package;
}

ApkPackage read_package(std::string_view bytes, const repo::apk::Package& record,
                        const SignaturePolicy& signature)
{
  std::size_t offset = 0;
  ApkPackage package = check_package_bytes(bytes, record, offset, signature);
  std::string data;
  inflate_data(bytes, offset, package.file_name, [&](std::string_view piece) { data += piece; });
  std::vector<TarEntry> tars;
  read_tar(data, package.file_name + ": data", [&](const TarEntry& tar) { tars.push_back(tar); });
  read_data_entries(package, tars,
                    [](const TarEntry& tar) { return stage::Content(std::string(tar.content)); });
  return package;
}

ApkPackage read_package(std::string_view bytes, const repo::apk::Package& record,
                        const SignaturePolicy& signature, DecodedCache& cache)
{
  std::size_t offset = 0;
  ApkPackage package = check_package_bytes(bytes, record, offset, signature);
  // check_package_bytes compared datahash with the data members' SHA-256: a verified key.
  const DecodedData data =
      cache.open(lower_case(package.info.datahash), package.file_name + ": data",
                 [&](const auto& write) {
        inflate_data(bytes, offset, package.file_name, write);
      });
  read_data_entries(package, data.entries,
                    [&data](const TarEntry& tar) { return data.content_of(tar); });
  return package;
}

} // namespace compose::unpack::apk
