// The sections of the recipe schema that live in their own files.
#pragma once

#include "recipe/table_reader.hpp"

namespace compose::recipe::detail {

// [image] and [outputs] of the top-level table `top`; defaults when absent.
ImageConfig read_image(const TableReader& top);
OutputSpec read_outputs(const TableReader& top);
// [[groups]], [[users]], [ssh], [supervisor], [init], [[files]], [cleanup].
Overlays read_overlays(const TableReader& top);

// "2G", "512M", "4096" or an integer: bytes (K, M, G and T are powers of 1024).
std::uint64_t read_size(const Node& value, const std::string& name);

} // namespace compose::recipe::detail
