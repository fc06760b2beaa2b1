// Streaming digests (OpenSSL EVP) and the encodings the formats use for them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/handles.hpp"

namespace compose {

enum class DigestAlgorithm { sha1, sha256, sha512, md5 };

// Feed bytes with update(), read the raw digest once with finish().
class Hasher {
public:
  explicit Hasher(DigestAlgorithm algorithm);
  Hasher(Hasher&&) noexcept = default;
  Hasher& operator=(Hasher&&) noexcept = default;

  void update(const void* data, std::size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  std::string finish(); // raw digest bytes; the hasher cannot be used afterwards
  std::string finish_hex() ;
  DigestAlgorithm algorithm() const { return m_algorithm; }

private:
  DigestAlgorithm m_algorithm;
  MdContext m_context;
};

std::string digest(DigestAlgorithm algorithm, std::string_view bytes); // raw
std::string sha256_hex(std::string_view bytes);
std::string sha256_file_hex(const std::filesystem::path& path); // throws Error

std::string to_hex(std::string_view raw);
std::string from_hex(std::string_view hex);           // throws Error on bad input
std::string base64_encode(std::string_view raw);
std::string base64_decode(std::string_view text);     // throws Error on bad input
const char* algorithm_name(DigestAlgorithm algorithm); // "sha256"

} // namespace compose
