// APKINDEX.tar.gz: check the signature over the compressed bytes, then parse (apk.md §3).
// The file is gzip members glued together: first a tar fragment of ".SIGN.<ALG>.<key>"
// entries, then the signed data (a tar with DESCRIPTION and APKINDEX). The signature covers
// the compressed bytes from the second member to the end of the file.
#include "repo/apk/index.hpp"

#include <archive.h>
#include <archive_entry.h>

#include "repo/apk/signature.hpp"
#include "util/error.hpp"
#include "util/gzip_members.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"

namespace compose::repo::apk {

namespace {

// Reads DESCRIPTION and APKINDEX from the (verified, inflated) data tar.
std::pair<std::string, std::string> read_index_members(const std::string& tar,
                                                       const std::string& where)
{
  ArchiveReader reader(archive_read_new());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_memory(reader.get(), tar.data(), tar.size()) != ARCHIVE_OK)
    throw Error(std::string("cannot read index tar: ") + archive_error_string(reader.get()),
                where);
  std::string description, index;
  bool have_index = false;
  archive_entry* entry = nullptr;
  int status = ARCHIVE_OK;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    const std::string name = archive_entry_pathname(entry);
    std::string* target = name == "DESCRIPTION" ? &description
                          : name == "APKINDEX"  ? &index
                                                : nullptr;
    if (!target)
      continue;
    have_index |= target == &index;
    char buffer[65536];
    la_ssize_t got = 0;
    while ((got = archive_read_data(reader.get(), buffer, sizeof buffer)) > 0)
      target->append(buffer, static_cast<std::size_t>(got));
    if (got < 0)
      throw Error(std::string("cannot read ") + name + ": " + archive_error_string(reader.get()),
                  where);
  }
  if (status != ARCHIVE_EOF)
    throw Error(std::string("corrupt index tar: ") + archive_error_string(reader.get()), where);
  if (!have_index)
    throw Error("the signed data holds no APKINDEX member", where);
  while (!description.empty() && (description.back() == '\n' || description.back() == '\r'))
    description.pop_back();
  return {description, index};
}

} // namespace

Index load_index(const std::string& file_bytes, Repository repository,
                 const verify::Keyring& keys, const std::string& where)
{
  if (file_bytes.size() < 2 || static_cast<unsigned char>(file_bytes[0]) != 0x1f ||
      static_cast<unsigned char>(file_bytes[1]) != 0x8b)
    throw Error("not a gzip file (an APKINDEX.tar.gz was expected)", where);
  const GzipMember first = inflate_member(file_bytes, 0, where, 1 << 20);
  if (!is_signature_member(first.inflated))
    throw Error("index is not signed (its first member holds no .SIGN.* entry)", where,
                "use the mirror's signed APKINDEX.tar.gz");
  const std::vector<SignatureEntry> signatures = read_signature_entries(first.inflated, where);
  const std::size_t signed_from = first.offset + first.size;
  if (signed_from >= file_bytes.size())
    throw Error("index has a signature but no data", where);
  const std::string_view signed_bytes(file_bytes.data() + signed_from,
                                      file_bytes.size() - signed_from);

  const SignatureVerdict verdict = verify_signatures(signatures, signed_bytes, keys);
  if (verdict.signer.empty()) {
    if (!verdict.failed.empty())
      throw Error("index signature does not verify (signed by key " + key_list(verdict.failed) +
                      ")",
                  where,
                  "the file differs from what the key signed; fetch it again or use another "
                  "mirror");
    throw Error("index is signed only by untrusted key(s) " + key_list(verdict.untrusted, true),
                where,
                "trust the key in the recipe (repositories.keys) if it is genuinely the "
                "repository's key, and pin it in keys/");
  }
  const std::string& signer = verdict.signer;

  // Only now is anything of the data inflated and parsed.
  std::string tar;
  for (std::size_t offset = signed_from; offset < file_bytes.size();) {
    GzipMember member = inflate_member(file_bytes, offset, where);
    tar += member.inflated;
    offset += member.size;
  }
  const auto [description, text] = read_index_members(tar, where);

  Index index;
  repository.description = description;
  repository.signed_by = signer;
  repository.index_sha256 = sha256_hex(file_bytes);
  index.repository = std::move(repository);
  index.packages = parse_index_text(text, where + ": APKINDEX", 0, &index.problems);
  return index;
}

} // namespace compose::repo::apk
