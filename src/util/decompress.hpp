// Whole-buffer decompression of the compressions Debian repositories use (xz, gzip, zstd,
// bzip2, lzma) through libarchive's filters, chosen by the file name's suffix.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace compose {

// "Packages.xz" -> "xz"; "Packages" -> "" (plain). Throws Error naming `where` for a suffix
// that is not a known compression.
std::string compression_of(std::string_view file_name, const std::string& where);

// Decompresses `bytes` that were compressed with `compression` ("" = plain, returned as is).
// Throws Error naming `where` for a corrupt or truncated stream, or data in another format.
std::string decompress(std::string_view bytes, const std::string& compression,
                       const std::string& where);
// The same, handing the output to `sink` piece by piece instead of holding it.
void decompress_to(std::string_view bytes, const std::string& compression,
                   const std::string& where, const std::function<void(std::string_view)>& sink);

// The same, decompressing on a second thread while `sink` runs on the calling one (a few
// pieces queued between them): for a sink that costs as much as the decompression, such as
// a parser. The sink sees the pieces in order; its exceptions stop the decompression, and a
// decompression error reaches the caller after the sink has had every piece before it.
void decompress_to_in_parallel(std::string_view bytes, const std::string& compression,
                               const std::string& where,
                               const std::function<void(std::string_view)>& sink);

} // namespace compose
