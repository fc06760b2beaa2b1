// The Unix ar container a .deb is made of: an 8-byte global header, then members, each a
// 60-byte text header followed by its data, padded to an even offset.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace compose::unpack::deb {

struct ArMember {
  std::string name;       // the header's name without padding or GNU '/' terminator
  std::string_view data;  // into the input
  std::size_t offset = 0; // where the member header starts, for messages
};

// Splits `bytes` into members, in file order. Throws Error naming `where` (and the member
// when it has one) for a bad global magic, a header cut short, a size field that is not
// decimal digits, a size beyond the end of the input, a bad header terminator or a missing
// padding byte between members.
std::vector<ArMember> read_ar(std::string_view bytes, const std::string& where);

} // namespace compose::unpack::deb
