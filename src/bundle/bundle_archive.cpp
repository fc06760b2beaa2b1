// Writing a bundle tar deterministically and unpacking one with every member checked against
// the manifest; see bundle_archive.hpp.
#include "bundle/bundle_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <fstream>
#include <set>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::bundle {

namespace {

constexpr std::size_t k_manifest_limit = 64u << 20; // far above any real manifest
constexpr std::size_t k_chunk = 1u << 16;
constexpr std::size_t k_signature_limit = 1u << 20; // a few signatures are a few KiB

std::string describe_member(const Member& member)
{
  return quote(member.path) + " (" + member.kind + ")";
}

void check_archive(archive* a, int status, const std::string& what, const std::string& where)
{
  if (status == ARCHIVE_OK)
    return;
  const char* text = archive_error_string(a);
  throw Error(what + ": " + (text ? text : "libarchive error " + std::to_string(status)), where);
}

void write_member(archive* a, archive_entry* entry, const std::string& path, std::uint64_t size,
                  const std::string& where)
{
  archive_entry_clear(entry);
  archive_entry_copy_pathname(entry, path.c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_uid(entry, 0);
  archive_entry_set_gid(entry, 0);
  archive_entry_set_mtime(entry, 0, 0);
  archive_entry_set_size(entry, static_cast<la_int64_t>(size));
  check_archive(a, archive_write_header(a, entry), "cannot write the header of " + quote(path),
                where);
}

void write_data(archive* a, std::string_view bytes, const std::string& path,
                const std::string& where)
{
  if (bytes.empty())
    return;
  if (archive_write_data(a, bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size()))
    check_archive(a, ARCHIVE_FATAL, "cannot write " + quote(path), where);
}

// Fails with a message that names the member and the check.
[[noreturn]] void reject(const std::string& member, const std::string& problem,
                         const fs::path& tar)
{
  throw Error("bundle member " + member + ": " + problem, tar.string(),
              "the bundle is damaged or was tampered with; copy it again or write a new one "
              "with `compose bundle`");
}

} // namespace

BundleWriter::BundleWriter(fs::path destination) : m_destination(std::move(destination)) {}

void BundleWriter::add(Source source)
{
  check_member_path(source.member.path);
  if (source.member.path == k_manifest_path || source.member.path == k_signature_path)
    throw Error("a bundle member cannot be called " + quote(source.member.path), source.origin);
  if (!known_kind(source.member.kind))
    throw Error("unknown bundle member kind " + quote(source.member.kind), source.origin);
  const auto found = m_members.find(source.member.path);
  if (found != m_members.end()) {
    const Member& old = found->second.member;
    if (old.sha256 == source.member.sha256 && old.kind == source.member.kind &&
        old.url == source.member.url)
      return;
    throw Error("two different files for bundle member " + quote(source.member.path) + ": " +
                    found->second.origin + " (" + old.sha256 + ") and " + source.origin + " (" +
                    source.member.sha256 + ")",
                m_destination.string(), "bundle recipes that agree on shared files");
  }
  m_members.emplace(source.member.path, std::move(source));
}

void BundleWriter::add_file(const std::string& path, const std::string& kind,
                            const fs::path& source, const std::string& url)
{
  Source entry;
  entry.member = {path, kind, 0, sha256_file_hex(source), url};
  entry.member.size = fs::file_size(source);
  entry.file = source;
  entry.origin = source.string();
  add(std::move(entry));
}

void BundleWriter::add_bytes(const std::string& path, const std::string& kind, std::string bytes,
                             const std::string& url)
{
  Source entry;
  entry.member = {path, kind, bytes.size(), sha256_hex(bytes), url};
  entry.bytes = std::move(bytes);
  entry.origin = path;
  add(std::move(entry));
}

void BundleWriter::add_recipe(BundledRecipe recipe)
{
  if (m_recipes.contains(recipe.name))
    throw Error("two bundled recipes are called " + quote(recipe.name) + ": " +
                    m_recipes.at(recipe.name).recipe + " and " + recipe.recipe,
                m_destination.string(), "a bundle finds recipes by name; rename one");
  m_recipes.emplace(recipe.name, std::move(recipe));
}

void BundleWriter::sign_with(std::function<std::string(const std::string&)> signer)
{
  m_signer = std::move(signer);
}

Manifest BundleWriter::manifest() const
{
  Manifest manifest;
  for (const auto& [name, recipe] : m_recipes)
    manifest.recipes.push_back(recipe);
  for (const auto& [path, source] : m_members)
    manifest.members.push_back(source.member);
  return manifest;
}

std::string BundleWriter::commit()
{
  const std::string where = m_destination.string();
  const std::string manifest = manifest_json(this->manifest());
  const std::string signature = m_signer ? m_signer(manifest) : std::string();
  AtomicFile file(m_destination);
  Hasher whole(DigestAlgorithm::sha256);
  ArchiveWriter writer(archive_write_new());
  archive* a = writer.get();
  check_archive(a, archive_write_set_format_pax_restricted(a), "tar format", where);
  check_archive(a, archive_write_add_filter_none(a), "tar filter", where);
  check_archive(a, archive_write_set_bytes_in_last_block(a, 1), "tar blocking", where);
  struct State {
    AtomicFile* file;
    Hasher* hasher;
  } state{&file, &whole};
  const auto write_callback = [](archive*, void* user, const void* data,
                                 std::size_t size) -> la_ssize_t {
    auto* s = static_cast<State*>(user);
    const std::string_view bytes(static_cast<const char*>(data), size);
    s->hasher->update(bytes);
    s->file->write(bytes);
    return static_cast<la_ssize_t>(size);
  };
  check_archive(a, archive_write_open2(a, &state, nullptr, write_callback, nullptr, nullptr),
                "cannot start the tar", where);

  ArchiveEntry entry(archive_entry_new());
  write_member(a, entry.get(), k_manifest_path, manifest.size(), where);
  write_data(a, manifest, k_manifest_path, where);
  if (m_signer) {
    write_member(a, entry.get(), k_signature_path, signature.size(), where);
    write_data(a, signature, k_signature_path, where);
  }
  for (const auto& [path, source] : m_members) {
    write_member(a, entry.get(), path, source.member.size, where);
    if (source.file.empty()) {
      write_data(a, source.bytes, path, where);
      continue;
    }
    // Files are read again here; a file that changed since add_file() would make the
    // manifest lie, so its bytes are hashed on the way.
    std::ifstream in(source.file, std::ios::binary);
    if (!in)
      throw Error("cannot read " + quote(source.file.string()), where);
    Hasher hasher(DigestAlgorithm::sha256);
    std::uint64_t written = 0;
    std::array<char, k_chunk> buffer{};
    while (in) {
      in.read(buffer.data(), buffer.size());
      const std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
      hasher.update(chunk);
      written += chunk.size();
      if (written > source.member.size)
        break;
      write_data(a, chunk, path, where);
    }
    if (written != source.member.size || hasher.finish_hex() != source.member.sha256)
      throw Error(quote(source.file.string()) + " changed while the bundle was written", where);
  }
  check_archive(a, archive_write_close(a), "cannot finish the tar", where);
  file.commit();
  return whole.finish_hex();
}

Manifest unpack_bundle(const fs::path& tar, const fs::path& directory)
{
  std::error_code ec;
  if (!fs::is_regular_file(tar, ec))
    throw Error("no bundle file " + quote(tar.string()), "",
                "write one with `compose bundle RECIPE… -o FILE`");
  fs::create_directories(directory.parent_path(), ec);
  if (!fs::create_directory(directory, ec))
    throw Error("cannot create " + quote(directory.string()) + " to unpack the bundle into" +
                (ec ? ": " + ec.message() : std::string(": it exists")));

  ArchiveReader reader(archive_read_new());
  archive* a = reader.get();
  archive_read_support_format_tar(a);
  check_archive(a, archive_read_open_filename(a, tar.c_str(), k_chunk),
                "cannot open the bundle", tar.string());

  Manifest manifest;
  bool have_manifest = false, have_signature = false;
  std::set<std::string> seen;
  archive_entry* entry = nullptr;
  for (;;) {
    const int status = archive_read_next_header(a, &entry);
    if (status == ARCHIVE_EOF)
      break;
    if (status != ARCHIVE_OK)
      check_archive(a, status, "the bundle is not a readable tar" +
                                   (have_manifest ? " after " + std::to_string(seen.size()) +
                                                        " member(s)"
                                                  : std::string()),
                    tar.string());
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name ? raw_name : "";
    if (archive_entry_filetype(entry) != AE_IFREG)
      reject(quote(name), "is not a regular file", tar);
    if (!have_manifest) {
      if (name != k_manifest_path)
        reject(quote(name), "comes first, but a bundle starts with " + quote(k_manifest_path),
               tar);
      const la_int64_t size = archive_entry_size(entry);
      if (size < 0 || static_cast<std::uint64_t>(size) > k_manifest_limit)
        reject(quote(name), "is too large for a manifest", tar);
      std::string text(static_cast<std::size_t>(size), '\0');
      if (archive_read_data(a, text.data(), text.size()) != size)
        reject(quote(name), "is cut off", tar);
      try {
        manifest = parse_manifest(text, std::string(k_manifest_path));
      } catch (Error& e) {
        e.at(tar.string());
        throw;
      }
      write_file_atomic(directory / k_manifest_path, text);
      have_manifest = true;
      continue;
    }
    if (name == k_signature_path) {
      if (!seen.empty() || have_signature)
        reject(quote(name), "must come right after " + quote(k_manifest_path) + ", once", tar);
      const la_int64_t size = archive_entry_size(entry);
      if (size < 0 || static_cast<std::uint64_t>(size) > k_signature_limit)
        reject(quote(name), "is too large for a signature", tar);
      std::string text(static_cast<std::size_t>(size), '\0');
      if (archive_read_data(a, text.data(), text.size()) != size)
        reject(quote(name), "is cut off", tar);
      write_file_atomic(directory / k_signature_path, text);
      have_signature = true;
      continue;
    }
    try {
      check_member_path(name);
    } catch (const Error& e) {
      reject(quote(name), e.message(), tar);
    }
    const Member* member = manifest.find(name);
    if (!member)
      reject(quote(name), "is not listed in " + std::string(k_manifest_path), tar);
    if (!seen.insert(name).second)
      reject(describe_member(*member), "appears twice in the tar", tar);
    if (archive_entry_size(entry) < 0 ||
        static_cast<std::uint64_t>(archive_entry_size(entry)) != member->size)
      reject(describe_member(*member),
             "size is " + std::to_string(archive_entry_size(entry)) + " bytes, " +
                 k_manifest_path + " lists " + std::to_string(member->size),
             tar);

    const fs::path target = directory / name;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      throw Error("cannot create " + quote(target.parent_path().string()) + ": " + ec.message());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error("cannot write " + quote(target.string()));
    Hasher hasher(DigestAlgorithm::sha256);
    const void* block = nullptr;
    std::size_t block_size = 0;
    la_int64_t offset = 0;
    std::uint64_t total = 0;
    for (;;) {
      const int read = archive_read_data_block(a, &block, &block_size, &offset);
      if (read == ARCHIVE_EOF)
        break;
      if (read != ARCHIVE_OK)
        reject(describe_member(*member),
               std::string("cannot be read: ") +
                   (archive_error_string(a) ? archive_error_string(a) : "libarchive error"),
               tar);
      const std::string_view bytes(static_cast<const char*>(block), block_size);
      hasher.update(bytes);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      total += bytes.size();
    }
    out.close();
    if (!out)
      throw Error("cannot write " + quote(target.string()));
    if (total != member->size)
      reject(describe_member(*member),
             "is cut off at " + std::to_string(total) + " of " + std::to_string(member->size) +
                 " bytes",
             tar);
    const std::string digest = hasher.finish_hex();
    if (digest != member->sha256)
      reject(describe_member(*member),
             "sha256 is " + digest + ", " + k_manifest_path + " lists " + member->sha256, tar);
  }
  if (!have_manifest)
    reject(quote(k_manifest_path), "is missing: the tar is empty", tar);
  for (const Member& member : manifest.members)
    if (!seen.contains(member.path))
      reject(describe_member(member), "is listed in " + std::string(k_manifest_path) +
                                          " but missing from the tar",
             tar);
  return manifest;
}

} // namespace compose::bundle
