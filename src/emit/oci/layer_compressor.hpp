// LayerCompressor: turns the uncompressed layer tar into a gzip or zstd blob file while
// hashing both sides once (diff_id over the tar, digest over the blob). gzip uses every
// core the way pigz does — independent 1 MiB blocks, each primed with the previous 32 KiB
// as dictionary — so the bytes never depend on thread timing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <future>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "util/files.hpp"
#include "util/hash.hpp"

namespace compose::emit::oci {

enum class Compression { gzip, zstd };

// "gzip" | "zstd"; throws Error naming the value and the choices otherwise.
Compression parse_compression(const std::string& name, const std::string& where);
const char* layer_media_type(Compression compression);

struct CompressedLayer {
  std::string diff_id;   // sha256 hex of the uncompressed tar
  std::string digest;    // sha256 hex of the blob
  std::uint64_t size = 0; // of the blob
  std::uint64_t uncompressed_size = 0;
};

class LayerCompressor {
public:
  LayerCompressor(Compression compression, const std::filesystem::path& blob_file,
                  unsigned threads);
  ~LayerCompressor();
  LayerCompressor(const LayerCompressor&) = delete;
  LayerCompressor& operator=(const LayerCompressor&) = delete;

  void write(std::string_view bytes);
  CompressedLayer finish(); // flushes, closes the file

private:
  struct Zstd;
  void submit_block(bool last);
  void drain(std::size_t keep);
  void emit(std::string_view bytes);

  Compression m_compression;
  AtomicFile m_file;
  unsigned m_threads;
  Hasher m_diff_id{DigestAlgorithm::sha256};
  Hasher m_digest{DigestAlgorithm::sha256};
  std::uint64_t m_in = 0, m_out = 0;
  // gzip state
  std::string m_block;
  std::string m_dictionary;
  unsigned long m_crc = 0;
  std::deque<std::future<std::string>> m_pending;
  // zstd state
  std::unique_ptr<Zstd> m_zstd;
};

} // namespace compose::emit::oci
