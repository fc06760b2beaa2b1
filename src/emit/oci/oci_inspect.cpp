// OCI archive inspection; see oci_inspect.hpp.
#include "emit/oci/oci_inspect.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <nlohmann/json.hpp>

#include <map>

#include "util/error.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"
#include "util/json_nesting.hpp"
#include "util/printable.hpp"

using nlohmann::json;

namespace compose::emit::oci {

namespace {

std::map<std::string, std::string> read_members(const std::filesystem::path& file)
{
  ArchiveReader reader(archive_read_new());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
    throw Error(std::string("cannot open: ") + archive_error_string(reader.get()), file.string());
  std::map<std::string, std::string> members;
  archive_entry* entry = nullptr;
  int status = ARCHIVE_OK;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    const char* path = archive_entry_pathname(entry);
    std::string name = path ? path : "";
    if (name.starts_with("./"))
      name.erase(0, 2);
    if (archive_entry_filetype(entry) != AE_IFREG)
      continue;
    std::string& bytes = members[name];
    char buffer[1 << 16];
    la_ssize_t got = 0;
    while ((got = archive_read_data(reader.get(), buffer, sizeof buffer)) > 0)
      bytes.append(buffer, static_cast<std::size_t>(got));
    if (got < 0)
      throw Error(std::string("corrupt member: ") + archive_error_string(reader.get()),
                  file.string() + ": " + name);
  }
  if (status != ARCHIVE_EOF)
    throw Error(std::string("not a readable tar: ") + archive_error_string(reader.get()),
                file.string());
  return members;
}

// The archive's JSON is untrusted: fields are read through these, so a missing field or a
// wrong type is a problem to report, never an exception or undefined behaviour.
const json* field(const json* object, const char* key)
{
  if (!object || !object->is_object())
    return nullptr;
  const auto found = object->find(key);
  return found == object->end() ? nullptr : &*found;
}

std::string text_field(const json* object, const char* key)
{
  const json* value = field(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

// oci-layout marks the directory as an image layout: {"imageLayoutVersion": "1.0.0"}.
void check_layout_file(const std::string& bytes, const std::filesystem::path& file)
{
  check_json_nesting(bytes, file.string() + ": oci-layout");
  const json layout = json::parse(bytes, nullptr, false);
  const json* version = field(&layout, "imageLayoutVersion");
  if (!version || !version->is_string())
    throw Error("oci-layout is not a JSON object with an imageLayoutVersion", file.string(),
                "not an OCI image layout, or a damaged one");
  if (!version->get<std::string>().starts_with("1."))
    throw Error("oci-layout has imageLayoutVersion " + printable(version->dump()) +
                    "; inspect reads version 1 layouts",
                file.string());
}

std::string mode_text(mode_t mode)
{
  const char* types = "?pc?d?b?-?l?s???";
  std::string text(1, types[(mode >> 12) & 15]);
  const char* letters = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    text += (mode & (0400 >> i)) ? letters[i] : '-';
  // setuid, setgid and sticky show in the execute columns, as ls does.
  const struct { mode_t bit; std::size_t column; char set, unset; } specials[] = {
      {04000, 3, 's', 'S'}, {02000, 6, 's', 'S'}, {01000, 9, 't', 'T'}};
  for (const auto& special : specials)
    if (mode & special.bit)
      text[special.column] = text[special.column] == '-' ? special.unset : special.set;
  return text;
}

} // namespace

OciReport inspect_oci_archive(const std::filesystem::path& file)
{
  const std::map<std::string, std::string> members = read_members(file);
  if (!members.contains("oci-layout") || !members.contains("index.json"))
    throw Error("not an OCI image layout (no oci-layout or index.json)", file.string());
  check_layout_file(members.at("oci-layout"), file);
  OciReport report;
  auto problem = [&](const std::string& text) { report.problems.push_back(text); };

  // Every blob is named by its own digest.
  for (const auto& [name, bytes] : members)
    if (name.starts_with("blobs/sha256/") && sha256_hex(bytes) != name.substr(13))
      problem(name + ": content does not match its name (sha256 " + sha256_hex(bytes) + ")");

  auto blob = [&](const json* descriptor, const std::string& what) -> const std::string* {
    const std::string digest = text_field(descriptor, "digest");
    const auto found = members.find("blobs/sha256/" + digest.substr(digest.find(':') + 1));
    if (!digest.starts_with("sha256:") || found == members.end()) {
      problem(what + " " + printable(digest) + " is missing");
      return nullptr;
    }
    const json* size = field(descriptor, "size");
    if (!size || !size->is_number_unsigned() || size->get<std::uint64_t>() != found->second.size())
      problem(what + " " + printable(digest) + " has size " + std::to_string(found->second.size()) +
              ", descriptor says " +
              (!size                         ? std::string("nothing")
               : size->is_number_unsigned() ? std::to_string(size->get<std::uint64_t>())
                                            : std::string("a ") + size->type_name()));
    return &found->second;
  };

  // Deep nesting is refused before parsing: the values are copied and compared below.
  auto parse = [&](const std::string& bytes, const std::string& name) {
    check_json_nesting(bytes, file.string() + ": " + name);
    return json::parse(bytes, nullptr, false);
  };
  const json index = parse(members.at("index.json"), "index.json");
  const json* manifests = field(&index, "manifests");
  if (!manifests || !manifests->is_array())
    throw Error("index.json is not an image index", file.string());
  for (const json& descriptor : *manifests) {
    if (const json* annotations = field(&descriptor, "annotations"))
      report.tags.push_back(printable(text_field(annotations, "org.opencontainers.image.ref.name")));
    if (report.manifest_digest.empty())
      report.manifest_digest = printable(text_field(&descriptor, "digest"));
  }
  if (manifests->empty())
    throw Error("index.json lists no manifests", file.string());

  const std::string* manifest_bytes = blob(&manifests->front(), "manifest");
  if (!manifest_bytes)
    return report;
  const json manifest = parse(*manifest_bytes, "manifest");
  const std::string* config_bytes = blob(field(&manifest, "config"), "config");
  const json config = config_bytes ? parse(*config_bytes, "config") : json();
  if (config.is_object())
    report.platform = printable(text_field(&config, "os") + "/" + text_field(&config, "architecture"));
  const json* diff_ids = field(field(&config, "rootfs"), "diff_ids");
  const json* layers = field(&manifest, "layers");
  if (!layers || !layers->is_array()) {
    problem("the manifest lists no layers");
    return report;
  }
  std::size_t layer_number = 0;
  for (const json& layer : *layers) {
    const std::string* bytes = blob(&layer, "layer");
    if (!bytes)
      continue;
    ArchiveReader reader(archive_read_new());
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_open_memory(reader.get(), bytes->data(), bytes->size());
    // The diff_id is the digest of the uncompressed tar: hash it while listing.
    ArchiveReader raw(archive_read_new());
    archive_read_support_filter_all(raw.get());
    archive_read_support_format_raw(raw.get());
    archive_read_open_memory(raw.get(), bytes->data(), bytes->size());
    archive_entry* entry = nullptr;
    Hasher diff(DigestAlgorithm::sha256);
    if (archive_read_next_header(raw.get(), &entry) == ARCHIVE_OK) {
      char buffer[1 << 16];
      la_ssize_t got = 0;
      while ((got = archive_read_data(raw.get(), buffer, sizeof buffer)) > 0)
        diff.update(buffer, static_cast<std::size_t>(got));
      if (got < 0)
        problem("layer " + printable(text_field(&layer, "digest")) + " does not decompress");
    }
    const std::string diff_id = "sha256:" + diff.finish_hex();
    if (!diff_ids || !diff_ids->is_array() || diff_ids->size() <= layer_number ||
        (*diff_ids)[layer_number] != diff_id)
      problem("layer " + printable(text_field(&layer, "digest")) + " has diff_id " + diff_id +
              ", which the config does not list");
    while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
      const char* name = archive_entry_pathname(entry);
      std::string line = mode_text(archive_entry_mode(entry)) + " " +
                         std::to_string(archive_entry_uid(entry)) + "/" +
                         std::to_string(archive_entry_gid(entry)) + " " +
                         std::to_string(archive_entry_size(entry)) + " " +
                         printable(name ? name : "");
      if (const char* link = archive_entry_symlink(entry))
        line += " -> " + printable(link);
      if (const char* link = archive_entry_hardlink(entry))
        line += " link to " + printable(link);
      report.entries.push_back(std::move(line));
    }
    ++layer_number;
  }
  return report;
}

std::string format_report(const OciReport& report)
{
  std::string text = "platform: " + report.platform + "\nmanifest: " + report.manifest_digest +
                     "\ntags:";
  for (const std::string& tag : report.tags)
    text += " " + tag;
  text += "\n";
  for (const std::string& entry : report.entries)
    text += entry + "\n";
  for (const std::string& problem : report.problems)
    text += "problem: " + problem + "\n";
  return text;
}

} // namespace compose::emit::oci
