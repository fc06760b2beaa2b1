// Concatenated gzip members (RFC 1952 §2.2): apk signs and hashes the *compressed* bytes
// of individual members, so we need each member's exact byte range, not just its content.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace compose {

struct GzipMember {
  std::size_t offset = 0; // first byte (0x1f) of the member in the input
  std::size_t size = 0;   // compressed length, header to trailer inclusive
  std::string inflated;   // decompressed content
};

// Inflates exactly one member starting at `offset`. Throws Error (naming `where`) when the
// member is truncated, corrupt, or would inflate beyond `max_inflated` bytes.
GzipMember inflate_member(std::string_view bytes, std::size_t offset, const std::string& where,
                          std::size_t max_inflated = std::size_t{256} << 20);

} // namespace compose
