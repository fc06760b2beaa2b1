// Digests through OpenSSL EVP; hex and base64 without locale or padding surprises.
#include "util/hash.hpp"

#include <openssl/err.h>

#include <array>
#include <fstream>

#include "util/error.hpp"

namespace compose {

std::string openssl_error_text()
{
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!text.empty())
      text += "; ";
    text += buffer.data();
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

namespace {
const EVP_MD* evp_for(DigestAlgorithm algorithm)
{
  switch (algorithm) {
  case DigestAlgorithm::sha1: return EVP_sha1();
  case DigestAlgorithm::sha256: return EVP_sha256();
  case DigestAlgorithm::sha512: return EVP_sha512();
  case DigestAlgorithm::md5: return EVP_md5();
  }
  return EVP_sha256();
}
} // namespace

const char* algorithm_name(DigestAlgorithm algorithm)
{
  switch (algorithm) {
  case DigestAlgorithm::sha1: return "sha1";
  case DigestAlgorithm::sha256: return "sha256";
  case DigestAlgorithm::sha512: return "sha512";
  case DigestAlgorithm::md5: return "md5";
  }
  return "?";
}

Hasher::Hasher(DigestAlgorithm algorithm) : m_algorithm(algorithm), m_context(EVP_MD_CTX_new())
{
  if (!m_context || EVP_DigestInit_ex(m_context.get(), evp_for(algorithm), nullptr) != 1)
    throw Error("cannot start " + std::string(algorithm_name(algorithm)) +
                " digest: " + openssl_error_text());
}

void Hasher::update(const void* data, std::size_t size)
{
  if (size != 0 && EVP_DigestUpdate(m_context.get(), data, size) != 1)
    throw Error("digest update failed: " + openssl_error_text());
}

std::string Hasher::finish()
{
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(m_context.get(), out.data(), &length) != 1)
    throw Error("digest finish failed: " + openssl_error_text());
  return std::string(reinterpret_cast<const char*>(out.data()), length);
}

std::string Hasher::finish_hex() { return to_hex(finish()); }

std::string digest(DigestAlgorithm algorithm, std::string_view bytes)
{
  Hasher hasher(algorithm);
  hasher.update(bytes);
  return hasher.finish();
}

std::string sha256_hex(std::string_view bytes) { return to_hex(digest(DigestAlgorithm::sha256, bytes)); }

std::string sha256_file_hex(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot open file for hashing", path.string());
  Hasher hasher(DigestAlgorithm::sha256);
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    throw Error("read error while hashing", path.string());
  return hasher.finish_hex();
}

std::string to_hex(std::string_view raw)
{
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string from_hex(std::string_view hex)
{
  auto value = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw Error("invalid hex digit in " + quote(std::string(hex)));
  };
  if (hex.size() % 2 != 0)
    throw Error("odd-length hex string " + quote(std::string(hex)));
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<char>(value(hex[i]) * 16 + value(hex[i + 1])));
  return out;
}

std::string base64_encode(std::string_view raw)
{
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(raw[i]) << 16) |
                   (static_cast<unsigned char>(raw[i + 1]) << 8) |
                   static_cast<unsigned char>(raw[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i < raw.size()) {
    const auto a = static_cast<unsigned char>(raw[i]);
    const auto b = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0;
    const auto n = (a << 16) | (b << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < raw.size() ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text)
{
  auto value = [&](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r')
      continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = value(c);
    if (v < 0 || padding != 0)
      throw Error("invalid base64 text " + quote(std::string(text.substr(0, 64))));
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (padding > 2)
    throw Error("invalid base64 padding in " + quote(std::string(text.substr(0, 64))));
  return out;
}

} // namespace compose
