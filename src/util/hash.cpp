// Digests through OpenSSL EVP; hex and base64 without locale or padding surprises.
#include "util/hash.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <array>

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

namespace {

// Feeds `length` bytes of `fd` from `offset` to the hasher; false on a read error or EOF.
bool hash_range(int fd, off_t offset, off_t length, Hasher& hasher, std::vector<char>& buffer)
{
  while (length > 0) {
    const std::size_t want = static_cast<std::size_t>(
        std::min<off_t>(length, static_cast<off_t>(buffer.size())));
    const ssize_t got = ::pread(fd, buffer.data(), want, offset);
    if (got <= 0)
      return false;
    hasher.update(buffer.data(), static_cast<std::size_t>(got));
    offset += got;
    length -= got;
  }
  return true;
}

} // namespace

// Holes are hashed as the zeros they read as, without reading them: a sparse 2 GB disk image
// with 500 MB of data would otherwise cost the kernel 1.5 GB of zero-filled page cache.
std::string sha256_file_hex(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error("cannot open file for hashing", path.string());
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    throw Error("cannot read file for hashing", path.string());
  }
  static const std::vector<char> zeros(1 << 20, '\0');
  std::vector<char> buffer(1 << 20);
  Hasher hasher(DigestAlgorithm::sha256);
  bool ok = true;
  for (off_t at = 0; ok && at < info.st_size;) {
    off_t data = ::lseek(fd, at, SEEK_DATA);
    if (data < 0)
      data = errno == ENXIO ? info.st_size : at; // ENXIO: only a hole is left
    for (; at < data; at += std::min<off_t>(data - at, static_cast<off_t>(zeros.size())))
      hasher.update(zeros.data(), static_cast<std::size_t>(
                                      std::min<off_t>(data - at, static_cast<off_t>(zeros.size()))));
    if (at >= info.st_size)
      break;
    off_t hole = ::lseek(fd, at, SEEK_HOLE);
    if (hole < 0 || hole <= at)
      hole = info.st_size; // no hole support: the rest is read
    ok = hash_range(fd, at, std::min(hole, info.st_size) - at, hasher, buffer);
    at = std::min(hole, info.st_size);
  }
  ::close(fd);
  if (!ok)
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
