// Parallel, deterministic layer compression; see layer_compressor.hpp.
#include "emit/oci/layer_compressor.hpp"

#include <libdeflate.h>
#include <zstd.h>

#include "util/error.hpp"

namespace compose::emit::oci {

namespace {

// Fixed, whatever the thread count: the content decides where members start.
constexpr std::size_t k_block = BlockCutter::k_max_block;
constexpr int k_gzip_level = 6; // the level Docker and containerd use
constexpr int k_zstd_level = 3;
constexpr int k_zstd_workers = 2;

// One block as one complete gzip member. libdeflate writes the header the way the layer
// needs it on every host: no name, mtime 0, XFL 0 at this level, OS 255 (unknown).
std::string gzip_member(const std::string& block)
{
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(k_gzip_level);
  if (!compressor)
    throw Error("cannot start libdeflate (out of memory)");
  std::string out(libdeflate_gzip_compress_bound(compressor, block.size()), '\0');
  const std::size_t produced =
      libdeflate_gzip_compress(compressor, block.data(), block.size(), out.data(), out.size());
  libdeflate_free_compressor(compressor);
  if (produced == 0)
    throw Error("libdeflate could not compress a layer block");
  out.resize(produced);
  return out;
}

std::string member_of(const std::string& block, GzipBlockCache* cache)
{
  if (!cache)
    return gzip_member(block);
  const std::string key = cache->key(block);
  if (std::optional<std::string> member = cache->find(key, block))
    return std::move(*member);
  std::string member = gzip_member(block);
  cache->store(key, member);
  return member;
}

} // namespace

Compression parse_compression(const std::string& name, const std::string& where)
{
  if (name == "gzip")
    return Compression::gzip;
  if (name == "zstd")
    return Compression::zstd;
  throw Error("unknown layer compression " + quote(name), where, "use \"gzip\" or \"zstd\"");
}

std::string compression_engine(Compression compression)
{
  if (compression == Compression::gzip)
    return std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING + ", level " +
           std::to_string(k_gzip_level) + ", content-defined members of " +
           std::to_string(BlockCutter::k_min_block >> 10) + " KiB to " +
           std::to_string(BlockCutter::k_max_block >> 20) + " MiB (gear hash, " +
           std::to_string(BlockCutter::k_mask_bits) + " bits)";
  return std::string("zstd ") + ZSTD_versionString() + ", level " + std::to_string(k_zstd_level) +
         ", " + std::to_string(k_zstd_workers) + " workers";
}

const char* layer_media_type(Compression compression)
{
  return compression == Compression::gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                          : "application/vnd.oci.image.layer.v1.tar+zstd";
}

struct LayerCompressor::Zstd {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ~Zstd() { ZSTD_freeCCtx(context); }
};

LayerCompressor::LayerCompressor(Compression compression, const std::filesystem::path& blob_file,
                                 unsigned threads, const std::filesystem::path& block_cache)
    : m_compression(compression), m_file(blob_file, AtomicFile::Sync::scratch), m_threads(threads ? threads : 1)
{
  if (compression == Compression::gzip) {
    m_block.reserve(k_block);
    if (!block_cache.empty())
      m_block_cache = std::make_unique<GzipBlockCache>(block_cache, compression_engine(compression));
  } else {
    m_zstd = std::make_unique<Zstd>();
    ZSTD_CCtx_setParameter(m_zstd->context, ZSTD_c_compressionLevel, k_zstd_level);
    ZSTD_CCtx_setParameter(m_zstd->context, ZSTD_c_checksumFlag, 1);
    // A fixed worker count: zstd's output depends on whether workers are used, not on timing.
    ZSTD_CCtx_setParameter(m_zstd->context, ZSTD_c_nbWorkers, k_zstd_workers);
  }
}

LayerCompressor::~LayerCompressor()
{
  for (auto& pending : m_pending)
    if (pending.valid())
      pending.wait();
}

void LayerCompressor::emit(std::string_view bytes)
{
  m_digest.update(bytes);
  m_out += bytes.size();
  m_file.write(bytes);
}

void LayerCompressor::drain(std::size_t keep)
{
  while (m_pending.size() > keep) {
    Done done = m_pending.front().get();
    m_pending.pop_front();
    emit(done.member);
    done.block.clear();
    m_spare_blocks.push_back(std::move(done.block));
  }
}

void LayerCompressor::submit_block()
{
  ++m_members;
  if (m_threads == 1) {
    emit(member_of(m_block, m_block_cache.get())); // no helper thread
  } else {
    // Up to `threads` blocks compress on helper threads while this thread produces more.
    // Their buffers come back for reuse (fresh ones cost a page fault per 4 KiB).
    m_pending.push_back(std::async(
        std::launch::async,
        [cache = m_block_cache.get()](std::string block) {
          std::string member = member_of(block, cache);
          return Done{std::move(member), std::move(block)};
        },
        std::move(m_block)));
    m_block = std::string();
    if (!m_spare_blocks.empty()) {
      m_block = std::move(m_spare_blocks.back());
      m_spare_blocks.pop_back();
    }
    m_block.reserve(k_block);
  }
  m_block.clear();
  drain(m_threads);
}

void LayerCompressor::write(std::string_view bytes)
{
  m_diff_id.update(bytes);
  m_in += bytes.size();
  if (m_compression == Compression::zstd) {
    ZSTD_inBuffer input{bytes.data(), bytes.size(), 0};
    std::string out(ZSTD_CStreamOutSize(), '\0');
    while (input.pos < input.size) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      const std::size_t status =
          ZSTD_compressStream2(m_zstd->context, &output, &input, ZSTD_e_continue);
      if (ZSTD_isError(status))
        throw Error(std::string("zstd: ") + ZSTD_getErrorName(status));
      emit(std::string_view(out.data(), output.pos));
    }
    return;
  }
  while (!bytes.empty()) {
    const BlockCutter::Cut cut = m_cutter.scan(m_block.size(), bytes);
    m_block.append(bytes.substr(0, cut.take));
    bytes.remove_prefix(cut.take);
    if (cut.ends)
      submit_block();
  }
}

CompressedLayer LayerCompressor::finish()
{
  if (m_compression == Compression::zstd) {
    std::string out(ZSTD_CStreamOutSize(), '\0');
    ZSTD_inBuffer input{nullptr, 0, 0};
    std::size_t remaining = 0;
    do {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      remaining = ZSTD_compressStream2(m_zstd->context, &output, &input, ZSTD_e_end);
      if (ZSTD_isError(remaining))
        throw Error(std::string("zstd: ") + ZSTD_getErrorName(remaining));
      emit(std::string_view(out.data(), output.pos));
    } while (remaining != 0);
  } else {
    // The last, partial block; an empty layer is still one (empty) member.
    if (!m_block.empty() || m_members == 0)
      submit_block();
    drain(0);
  }
  m_file.commit();
  CompressedLayer layer;
  layer.diff_id = m_diff_id.finish_hex();
  layer.digest = m_digest.finish_hex();
  layer.size = m_out;
  layer.uncompressed_size = m_in;
  layer.members = m_members;
  if (m_block_cache)
    layer.reuse = m_block_cache->counts();
  return layer;
}

} // namespace compose::emit::oci
