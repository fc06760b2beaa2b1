// One gzip member at a time with zlib; see gzip_members.hpp.
#include "util/gzip_members.hpp"

#include <zlib.h>

#include <array>
#include <limits>
#include <memory>

#include "util/error.hpp"

namespace compose {

GzipMember inflate_member(std::string_view bytes, std::size_t offset, const std::string& where,
                          std::size_t max_inflated)
{
  if (offset >= bytes.size())
    throw Error("expected a gzip member at byte " + std::to_string(offset) + ", found end of file",
                where);
  z_stream stream{};
  // windowBits 15 + 16: gzip wrapper only, so one member ends with Z_STREAM_END.
  if (inflateInit2(&stream, 15 + 16) != Z_OK)
    throw Error("cannot initialise zlib", where);
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&stream, &inflateEnd);

  const std::string_view input = bytes.substr(offset);
  GzipMember member;
  member.offset = offset;
  std::array<unsigned char, 1 << 16> buffer{};
  std::size_t consumed = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (stream.avail_in == 0) {
      const std::size_t chunk =
          std::min<std::size_t>(input.size() - consumed, std::numeric_limits<uInt>::max());
      if (chunk == 0)
        throw Error("gzip member at byte " + std::to_string(offset) + " is truncated", where);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + consumed));
      stream.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    stream.next_out = buffer.data();
    stream.avail_out = static_cast<uInt>(buffer.size());
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      const std::string reason = stream.msg ? stream.msg : "error " + std::to_string(status);
      throw Error("gzip member at byte " + std::to_string(offset) + " is corrupt: " + reason,
                  where);
    }
    member.inflated.append(reinterpret_cast<const char*>(buffer.data()),
                           buffer.size() - stream.avail_out);
    if (member.inflated.size() > max_inflated)
      throw Error("gzip member at byte " + std::to_string(offset) + " inflates beyond " +
                      std::to_string(max_inflated) + " bytes",
                  where);
  }
  member.size = consumed - stream.avail_in;
  return member;
}

} // namespace compose
