// /etc/ld.so.cache as glibc's ldconfig writes it: the "glibc-ld.so.cache1.1" format alone
// (ldconfig's default since glibc 2.32), entries in the order ld.so's binary search needs,
// the tail-merged string table and the extension directory naming the generator.
// Layout (glibc elf/cache.c, sysdeps/generic/dl-cache.h), little-endian:
//   header (48 bytes): magic "glibc-ld.so.cache" "1.1", nlibs, len_strings, flags (2 =
//     little-endian), 3 padding bytes, extension_offset, 12 unused bytes;
//   nlibs entries (24 bytes): flags, key (SONAME), value (path), osversion 0, hwcap 0 —
//     key and value are offsets from the start of the file;
//   the string table; zeros up to a multiple of 4; the extension directory (magic
//     0xeaa42174, count 1, one section: tag 0 "generator", flags, offset, size) followed by
//     the generator text, without a NUL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace compose::unpack {

// Library flags (glibc sysdeps/generic/ldconfig.h): the type in the low byte, the ABI the
// loader requires in the next ones.
constexpr std::int32_t k_ld_flag_elf = 0x0001;
constexpr std::int32_t k_ld_flag_elf_libc5 = 0x0002;
constexpr std::int32_t k_ld_flag_elf_libc6 = 0x0003;
constexpr std::int32_t k_ld_flag_x8664_lib64 = 0x0300;
constexpr std::int32_t k_ld_flag_x8664_libx32 = 0x0800;
constexpr std::int32_t k_ld_flag_arm_libhf = 0x0900;
constexpr std::int32_t k_ld_flag_aarch64_lib64 = 0x0a00;
constexpr std::int32_t k_ld_flag_arm_libsf = 0x1000;

struct LdCacheEntry {
  std::string soname; // "libc.so.6"
  std::string path;   // "/lib/x86_64-linux-gnu/libc.so.6"
  std::int32_t flags = k_ld_flag_elf_libc6;
};

// glibc's _dl_cache_libcmp: names compare byte by byte, except that runs of digits compare
// as numbers and a digit sorts after any other byte ("libfoo.so.10" > "libfoo.so.9").
// Negative, zero or positive like strcmp.
int dl_cache_libcmp(std::string_view left, std::string_view right);

// The cache file for `entries`, given in the order ldconfig added them (directory by
// directory): they are sorted as add_to_cache keeps its list — SONAME descending by
// dl_cache_libcmp, then flags descending, equal entries in the order given.
std::string ld_so_cache_bytes(std::vector<LdCacheEntry> entries, std::string_view generator);

} // namespace compose::unpack
