// LayerCompressor: turns the uncompressed layer tar into a gzip or zstd blob file while
// hashing both sides once (diff_id over the tar, digest over the blob). gzip is libdeflate
// (2-3x zlib's speed at the same level) on content-defined blocks of about 1 MiB
// (block_cutter.hpp), each its own gzip member,
// compressed on helper threads and written in order: the bytes depend on neither the
// thread count nor their timing. A gzip file of several members is still one gzip stream
// (RFC 1952 2.2; gzip, Go's compress/gzip, libarchive and containerd read it, and eStargz
// layers are built the same way). Given a block cache, members of blocks compressed by an
// earlier build are copied from it (gzip_block_cache.hpp): the same bytes, no compression.
#pragma once

#include <cstdint>
#include <filesystem>
#include <future>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emit/oci/block_cutter.hpp"
#include "emit/oci/gzip_block_cache.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace compose::emit::oci {

enum class Compression { gzip, zstd };

// "gzip" | "zstd"; throws Error naming the value and the choices otherwise.
Compression parse_compression(const std::string& name, const std::string& where);
const char* layer_media_type(Compression compression);
// What made the layer's bytes, for the build report: "libdeflate 1.14, level 6,
// content-defined members of 512 KiB to 4 MiB (gear hash, 19 bits)" or "zstd 1.5.4, level 3,
// 2 workers". Other engines give other layer digests.
std::string compression_engine(Compression compression);

struct CompressedLayer {
  std::string diff_id;   // sha256 hex of the uncompressed tar
  std::string digest;    // sha256 hex of the blob
  std::uint64_t size = 0; // of the blob
  std::uint64_t uncompressed_size = 0;
  std::size_t members = 0;        // gzip: members in the blob
  GzipBlockCache::Counts reuse;   // gzip with a block cache: what it served and kept
};

class LayerCompressor {
public:
  // `block_cache` empty: every gzip block is compressed.
  LayerCompressor(Compression compression, const std::filesystem::path& blob_file,
                  unsigned threads, const std::filesystem::path& block_cache = {});
  ~LayerCompressor();
  LayerCompressor(const LayerCompressor&) = delete;
  LayerCompressor& operator=(const LayerCompressor&) = delete;

  void write(std::string_view bytes);
  CompressedLayer finish(); // flushes, closes the file

private:
  struct Zstd;
  void submit_block();
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
  BlockCutter m_cutter;
  std::size_t m_members = 0;
  std::unique_ptr<GzipBlockCache> m_block_cache;
  struct Done {
    std::string member, block;
  };
  std::deque<std::future<Done>> m_pending;
  std::vector<std::string> m_spare_blocks;
  // zstd state
  std::unique_ptr<Zstd> m_zstd;
};

} // namespace compose::emit::oci
