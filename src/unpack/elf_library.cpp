// Reading the few ELF fields ldconfig uses; see elf_library.hpp. Offsets follow the
// System V gABI tables for Elf32_/Elf64_ Ehdr, Phdr and Dyn (little-endian only: every
// architecture whose cache we write is).
#include "unpack/elf_library.hpp"

#include <cstring>

namespace compose::unpack {

namespace {

constexpr std::uint32_t k_pt_dynamic = 2;
constexpr std::uint32_t k_pt_interp = 3;
constexpr std::uint32_t k_pt_load = 1;
constexpr std::int64_t k_dt_null = 0;
constexpr std::int64_t k_dt_needed = 1;
constexpr std::int64_t k_dt_strtab = 5;
constexpr std::int64_t k_dt_soname = 14;
constexpr std::uint16_t k_et_dyn = 3;

// Bounds-checked little-endian reads; a read past the end makes the file unreadable, as
// glibc's check_ptr does ("file … is truncated").
class Reader {
public:
  explicit Reader(std::string_view bytes) : m_bytes(bytes) {}

  bool fits(std::uint64_t offset, std::uint64_t size) const
  {
    return offset <= m_bytes.size() && size <= m_bytes.size() - offset;
  }
  std::uint64_t unsigned_at(std::uint64_t offset, unsigned size) const
  {
    std::uint64_t value = 0;
    for (unsigned i = size; i > 0; --i)
      value = (value << 8) | static_cast<unsigned char>(m_bytes[offset + i - 1]);
    return value;
  }
  // A NUL-terminated string starting at `offset`, or nullopt when it does not end in the file.
  std::optional<std::string> string_at(std::uint64_t offset) const
  {
    if (offset >= m_bytes.size())
      return std::nullopt;
    const std::size_t end = m_bytes.find('\0', offset);
    if (end == std::string_view::npos)
      return std::nullopt;
    return std::string(m_bytes.substr(offset, end - offset));
  }

private:
  std::string_view m_bytes;
};

// Field offsets and sizes of one ELF class.
struct Layout {
  unsigned word;                 // size of Addr/Off/Xword: 4 or 8
  unsigned phoff, flags, phnum;  // in the header
  unsigned phdr_size;     // sizeof(ElfN_Phdr): glibc steps by it, not by e_phentsize
  unsigned p_offset, p_vaddr, p_filesz;
  unsigned dyn_size;      // sizeof(ElfN_Dyn)
};

constexpr Layout k_elf32 = {4, 28, 36, 44, 32, 4, 8, 16, 8};
constexpr Layout k_elf64 = {8, 32, 48, 56, 56, 8, 16, 32, 16};

struct Segment {
  std::uint32_t type;
  std::uint64_t offset, vaddr, filesz;
};

} // namespace

std::optional<ElfLibrary> read_elf_library(std::string_view bytes)
{
  // process_file: anything shorter than the larger of a.out's and ELF64's headers is skipped.
  if (bytes.size() < 64 || std::memcmp(bytes.data(), "\x7f" "ELF", 4) != 0)
    return std::nullopt;
  const Reader reader(bytes);
  const auto ident_class = static_cast<unsigned char>(bytes[4]);
  if ((ident_class != 1 && ident_class != 2) || bytes[5] != 1 /* ELFDATA2LSB */)
    return std::nullopt;
  if (reader.unsigned_at(16, 2) != k_et_dyn)
    return std::nullopt;

  ElfLibrary library;
  library.elf_class = static_cast<ElfClass>(ident_class);
  const Layout& layout = library.elf_class == ElfClass::elf32 ? k_elf32 : k_elf64;
  library.machine = static_cast<std::uint16_t>(reader.unsigned_at(18, 2));
  library.flags = static_cast<std::uint32_t>(reader.unsigned_at(layout.flags, 4));
  const std::uint64_t phoff = reader.unsigned_at(layout.phoff, layout.word);
  const auto phnum = static_cast<unsigned>(reader.unsigned_at(layout.phnum, 2));

  std::vector<Segment> segments;
  std::optional<Segment> dynamic;
  for (unsigned i = 0; i < phnum; ++i) {
    const std::uint64_t at = phoff + std::uint64_t{i} * layout.phdr_size;
    if (!reader.fits(at, layout.phdr_size))
      return std::nullopt;
    const Segment segment{static_cast<std::uint32_t>(reader.unsigned_at(at, 4)),
                          reader.unsigned_at(at + layout.p_offset, layout.word),
                          reader.unsigned_at(at + layout.p_vaddr, layout.word),
                          reader.unsigned_at(at + layout.p_filesz, layout.word)};
    segments.push_back(segment);
    if (segment.type == k_pt_dynamic)
      dynamic = segment; // the last one wins, as in glibc
    else if (segment.type == k_pt_interp) {
      library.interpreter = reader.string_at(segment.offset);
      if (!library.interpreter)
        return std::nullopt;
    }
  }
  if (!dynamic || dynamic->filesz == 0)
    return std::nullopt;

  // The dynamic entries up to DT_NULL; DT_STRTAB is a virtual address, mapped to a file
  // offset through the PT_LOAD segment holding it (offset 0 when none does).
  std::vector<std::pair<std::int64_t, std::uint64_t>> entries;
  for (std::uint64_t at = dynamic->offset;; at += layout.dyn_size) {
    if (!reader.fits(at, layout.dyn_size))
      return std::nullopt;
    auto tag = static_cast<std::int64_t>(reader.unsigned_at(at, layout.word));
    if (layout.word == 4)
      tag = static_cast<std::int32_t>(static_cast<std::uint32_t>(tag));
    if (tag == k_dt_null)
      break;
    entries.emplace_back(tag, reader.unsigned_at(at + layout.word, layout.word));
  }
  std::optional<std::uint64_t> strings;
  for (const auto& [tag, value] : entries) {
    if (tag != k_dt_strtab)
      continue;
    std::uint64_t load_offset = 0;
    for (const Segment& segment : segments)
      if (segment.type == k_pt_load && value >= segment.vaddr &&
          value - segment.vaddr < segment.filesz) {
        load_offset = segment.vaddr - segment.offset;
        break;
      }
    strings = value - load_offset;
    break;
  }
  if (!strings)
    return std::nullopt;
  for (const auto& [tag, value] : entries) {
    if (tag != k_dt_needed && tag != k_dt_soname)
      continue;
    std::optional<std::string> name = reader.string_at(*strings + value);
    if (!name)
      return std::nullopt;
    if (tag == k_dt_needed)
      library.needed.push_back(std::move(*name));
    else if (!library.soname)
      library.soname = std::move(*name);
  }
  return library;
}

} // namespace compose::unpack
