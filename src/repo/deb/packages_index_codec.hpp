// A parsed Packages index as bytes and back, so that a warm build reads the parsed form of
// an index it has read before instead of decompressing and parsing 50 MB of text again.
// The bytes carry a format tag and a SHA-256 of their payload: a damaged or foreign file
// is refused (Error), never half-read.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "repo/deb/packages_index.hpp"

namespace compose::repo::deb {

// Hands the encoding to `sink` in pieces (about 1 MiB each): a cache file can be written
// without holding the encoding whole.
void encode_packages_index(const PackagesIndex& index,
                           const std::function<void(std::string_view)>& sink);
std::string encode_packages_index(const PackagesIndex& index);

// Throws Error naming `where` when the bytes are not a complete, intact encoding of this
// format version.
PackagesIndex decode_packages_index(std::string_view bytes, const std::string& where);

} // namespace compose::repo::deb
