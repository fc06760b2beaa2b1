// "2G", "512M", "1048576": a byte count as recipes (ext4 size) and `compose cache prune
// --max-size` spell it; K, M, G, T are powers of 1024, either case.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace compose {

// std::nullopt for anything else, and for a size that does not fit in 64 bits.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// 1610612736 -> "1.5 GiB"; below 1 KiB "N B". For people, in reports.
std::string format_byte_size(std::uint64_t bytes);

} // namespace compose
