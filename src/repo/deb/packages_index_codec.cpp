// Length-prefixed little-endian fields in a fixed order; see packages_index_codec.hpp.
#include "repo/deb/packages_index_codec.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::repo::deb {

namespace {

// Change the tag whenever Package, Relation or the reader's output changes meaning: old
// entries then miss and are rebuilt.
// v2: paragraphs as one text and its offsets; the digest follows the payload, so that the
// encoding can be written out as it is made.
constexpr std::string_view k_tag = "compose parsed Packages v2\n";
constexpr std::size_t k_digest_hex = 64;
// The sink gets the encoding in pieces of about this size.
constexpr std::size_t k_piece = std::size_t{1} << 20;

// A tripwire for the tag above: a field added to Package must be written here too.
static_assert(sizeof(Package) == 728 || sizeof(void*) != 8,
              "Package changed: encode the new field and change k_tag");

// Hands the encoding to a sink piece by piece, hashing what it hands on.
class Writer {
public:
  explicit Writer(const std::function<void(std::string_view)>& sink)
      : m_sink(sink), m_hasher(DigestAlgorithm::sha256)
  {
    m_out.reserve(k_piece + k_piece / 4);
  }
  // LEB128: most numbers here are short lengths, one byte each.
  void number(std::uint64_t value)
  {
    while (value >= 0x80) {
      m_out.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    m_out.push_back(static_cast<char>(value));
  }
  void text(std::string_view value)
  {
    number(value.size());
    m_out.append(value);
    if (m_out.size() >= k_piece)
      flush();
  }
  void texts(const std::vector<std::string>& values)
  {
    number(values.size());
    for (const std::string& value : values)
      text(value);
  }
  void relation(const Relation& value)
  {
    text(value.name);
    text(value.arch_qualifier);
    text(value.op);
    text(value.version);
  }
  void relations(const std::vector<Relation>& values)
  {
    number(values.size());
    for (const Relation& value : values)
      relation(value);
  }
  void groups(const std::vector<RelationGroup>& values)
  {
    number(values.size());
    for (const RelationGroup& group : values)
      relations(group);
  }
  // The rest of the payload, then its digest.
  void finish()
  {
    flush();
    m_sink(m_hasher.finish_hex());
  }

private:
  void flush()
  {
    m_hasher.update(m_out);
    m_sink(m_out);
    m_out.clear();
  }
  const std::function<void(std::string_view)>& m_sink;
  Hasher m_hasher;
  std::string m_out;
};

class Reader {
public:
  Reader(std::string_view bytes, const std::string& where) : m_bytes(bytes), m_where(where) {}

  std::uint64_t number()
  {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      const auto byte = static_cast<unsigned char>(m_bytes[m_at++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80)
        return value;
    }
    damaged();
  }
  std::uint32_t offset()
  {
    const std::uint64_t value = number();
    if (value > std::numeric_limits<std::uint32_t>::max())
      damaged();
    return static_cast<std::uint32_t>(value);
  }
  // A count of items that each take at least `item_bytes`: bounded by what is left.
  std::size_t count(std::size_t item_bytes)
  {
    const std::uint64_t value = number();
    if (value > (m_bytes.size() - m_at) / item_bytes)
      damaged();
    return static_cast<std::size_t>(value);
  }
  std::string text()
  {
    const std::size_t size = count(1);
    std::string value(m_bytes.substr(m_at, size));
    m_at += size;
    return value;
  }
  std::vector<std::string> texts()
  {
    std::vector<std::string> values(count(1));
    for (std::string& value : values)
      value = text();
    return values;
  }
  Relation relation()
  {
    Relation value;
    value.name = text();
    value.arch_qualifier = text();
    value.op = text();
    value.version = text();
    return value;
  }
  std::vector<Relation> relations()
  {
    std::vector<Relation> values(count(4));
    for (Relation& value : values)
      value = relation();
    return values;
  }
  std::vector<RelationGroup> groups()
  {
    std::vector<RelationGroup> values(count(1));
    for (RelationGroup& group : values)
      group = relations();
    return values;
  }
  bool at_end() const { return m_at == m_bytes.size(); }
  [[noreturn]] void damaged() const
  {
    throw Error("the parsed index is damaged (ends early or holds impossible sizes)", m_where);
  }

private:
  void need(std::size_t size) const
  {
    if (m_bytes.size() - m_at < size)
      damaged();
  }
  std::string_view m_bytes;
  const std::string& m_where;
  std::size_t m_at = 0;
};

void write_package(Writer& out, const Package& package)
{
  out.text(package.name);
  out.text(package.version);
  out.text(package.architecture);
  out.text(package.multi_arch);
  out.number(package.essential ? 1 : 0);
  out.text(package.priority);
  out.text(package.section);
  out.text(package.source);
  out.text(package.maintainer);
  out.text(package.homepage);
  out.text(package.description);
  out.number(package.installed_size_kib);
  out.groups(package.depends);
  out.groups(package.pre_depends);
  out.groups(package.recommends);
  out.groups(package.suggests);
  out.relations(package.conflicts);
  out.relations(package.breaks);
  out.relations(package.provides);
  out.relations(package.replaces);
  out.text(package.filename);
  out.number(package.size);
  out.text(package.sha256);
  out.text(package.paragraph.text());
  out.number(package.paragraph.ends().size());
  for (const std::uint32_t end : package.paragraph.ends())
    out.number(end);
  out.number(package.paragraph.line());
  out.texts(package.paragraph.tolerated());
  out.number(package.index);
  out.text(package.where);
}

Package read_package(Reader& in)
{
  Package package;
  package.name = in.text();
  package.version = in.text();
  package.architecture = in.text();
  package.multi_arch = in.text();
  package.essential = in.number() != 0;
  package.priority = in.text();
  package.section = in.text();
  package.source = in.text();
  package.maintainer = in.text();
  package.homepage = in.text();
  package.description = in.text();
  package.installed_size_kib = in.number();
  package.depends = in.groups();
  package.pre_depends = in.groups();
  package.recommends = in.groups();
  package.suggests = in.groups();
  package.conflicts = in.relations();
  package.breaks = in.relations();
  package.provides = in.relations();
  package.replaces = in.relations();
  package.filename = in.text();
  package.size = in.number();
  package.sha256 = in.text();
  std::string text = in.text();
  std::vector<std::uint32_t> ends(in.count(1));
  for (std::uint32_t& end : ends)
    end = in.offset();
  const std::size_t line = static_cast<std::size_t>(in.number());
  std::vector<std::string> tolerated = in.texts();
  try {
    package.paragraph = Paragraph(std::move(text), std::move(ends), line, std::move(tolerated));
  } catch (const Error&) {
    in.damaged();
  }
  package.index = static_cast<std::size_t>(in.number());
  package.where = in.text();
  return package;
}

} // namespace

void encode_packages_index(const PackagesIndex& index,
                           const std::function<void(std::string_view)>& sink)
{
  sink(k_tag);
  Writer out(sink);
  out.number(index.packages.size());
  for (const Package& package : index.packages)
    write_package(out, package);
  out.texts(index.warnings);
  out.finish();
}

std::string encode_packages_index(const PackagesIndex& index)
{
  std::string bytes;
  encode_packages_index(index, [&](std::string_view piece) { bytes += piece; });
  return bytes;
}

PackagesIndex decode_packages_index(std::string_view bytes, const std::string& where)
{
  if (!bytes.starts_with(k_tag) || bytes.size() < k_tag.size() + k_digest_hex)
    throw Error("not a parsed index of this compose version", where);
  const std::string_view payload =
      bytes.substr(k_tag.size(), bytes.size() - k_tag.size() - k_digest_hex);
  const std::string_view digest = bytes.substr(bytes.size() - k_digest_hex);
  if (sha256_hex(payload) != digest)
    throw Error("the parsed index does not match its digest", where);
  Reader in(payload, where);
  PackagesIndex index;
  const std::size_t count = in.count(1);
  index.packages.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    index.packages.push_back(read_package(in));
  index.warnings = in.texts();
  if (!in.at_end())
    in.damaged();
  return index;
}

} // namespace compose::repo::deb
