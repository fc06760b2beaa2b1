// What ldconfig reads from a shared library: the ELF class, machine and flags from the
// header, the program interpreter, and the SONAME and DT_NEEDED names from the dynamic
// segment (glibc elf/readelflib.c). Nothing here knows about the cache or the tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace compose::unpack {

enum class ElfClass : std::uint8_t { elf32 = 1, elf64 = 2 };

constexpr std::uint16_t k_elf_machine_386 = 3;
constexpr std::uint16_t k_elf_machine_arm = 40;
constexpr std::uint16_t k_elf_machine_x86_64 = 62;
constexpr std::uint16_t k_elf_machine_aarch64 = 183;

struct ElfLibrary {
  ElfClass elf_class = ElfClass::elf64;
  std::uint16_t machine = 0;
  std::uint32_t flags = 0;                // e_flags (the ARM float ABI lives here)
  std::optional<std::string> interpreter; // PT_INTERP, when there is one
  std::optional<std::string> soname;      // DT_SONAME
  std::vector<std::string> needed;        // DT_NEEDED, in dynamic-section order
};

// The library described by `bytes`, or nullopt where ldconfig skips the file: shorter than
// an ELF64 header, not ELF (linker scripts such as libc.so), not ET_DYN, big-endian, no
// PT_DYNAMIC or no DT_STRTAB, or a header, segment or name that runs past the end.
std::optional<ElfLibrary> read_elf_library(std::string_view bytes);

} // namespace compose::unpack
