// Parallel, deterministic layer compression; see layer_compressor.hpp.
#include "emit/oci/layer_compressor.hpp"

#include <zlib.h>
#include <zstd.h>

#include "util/error.hpp"

namespace compose::emit::oci {

namespace {

constexpr std::size_t k_block = 1 << 20;
constexpr std::size_t k_window = 32 << 10;
constexpr int k_gzip_level = 6; // the level Docker and containerd use

// One block as raw deflate, ending on a byte boundary (Z_SYNC_FLUSH) unless it is the last.
std::string deflate_block(std::string block, std::string dictionary, bool last)
{
  z_stream stream{};
  if (deflateInit2(&stream, k_gzip_level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("cannot start deflate");
  if (!dictionary.empty())
    deflateSetDictionary(&stream, reinterpret_cast<const Bytef*>(dictionary.data()),
                         static_cast<uInt>(dictionary.size()));
  std::string out(deflateBound(&stream, static_cast<uLong>(block.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(block.data());
  stream.avail_in = static_cast<uInt>(block.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH);
  const std::size_t produced = out.size() - stream.avail_out;
  deflateEnd(&stream);
  if (status != (last ? Z_STREAM_END : Z_OK))
    throw Error("deflate failed on a layer block");
  out.resize(produced);
  return out;
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
                                 unsigned threads)
    : m_compression(compression), m_file(blob_file), m_threads(threads ? threads : 1)
{
  if (compression == Compression::gzip) {
    // gzip header: no name, mtime 0, no extra flags, OS = 255 (unknown) on every host.
    emit(std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
    m_crc = crc32(0L, Z_NULL, 0);
    m_block.reserve(k_block);
  } else {
    m_zstd = std::make_unique<Zstd>();
    ZSTD_CCtx_setParameter(m_zstd->context, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(m_zstd->context, ZSTD_c_checksumFlag, 1);
    // A fixed worker count: zstd's output depends on whether workers are used, not on timing.
    ZSTD_CCtx_setParameter(m_zstd->context, ZSTD_c_nbWorkers, 2);
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
    const std::string out = m_pending.front().get();
    m_pending.pop_front();
    emit(out);
  }
}

void LayerCompressor::submit_block(bool last)
{
  m_crc = crc32(m_crc, reinterpret_cast<const Bytef*>(m_block.data()),
                static_cast<uInt>(m_block.size()));
  std::string dictionary = m_dictionary;
  // The next block is primed with the last 32 KiB of everything before it.
  if (m_block.size() >= k_window) {
    m_dictionary = m_block.substr(m_block.size() - k_window);
  } else {
    m_dictionary += m_block;
    if (m_dictionary.size() > k_window)
      m_dictionary.erase(0, m_dictionary.size() - k_window);
  }
  if (m_threads == 1) {
    emit(deflate_block(std::move(m_block), std::move(dictionary), last)); // no helper thread
  } else {
    // Up to `threads` blocks compress on helper threads while this thread produces more.
    m_pending.push_back(std::async(std::launch::async, deflate_block, std::move(m_block),
                                   std::move(dictionary), last));
  }
  m_block.clear();
  m_block.reserve(k_block);
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
    const std::size_t take = std::min(bytes.size(), k_block - m_block.size());
    m_block.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (m_block.size() == k_block)
      submit_block(false);
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
    submit_block(true);
    drain(0);
    std::string trailer(8, '\0');
    for (int i = 0; i < 4; ++i) {
      trailer[static_cast<std::size_t>(i)] = static_cast<char>((m_crc >> (8 * i)) & 0xff);
      trailer[static_cast<std::size_t>(4 + i)] = static_cast<char>((m_in >> (8 * i)) & 0xff);
    }
    emit(trailer);
  }
  m_file.commit();
  return CompressedLayer{m_diff_id.finish_hex(), m_digest.finish_hex(), m_out, m_in};
}

} // namespace compose::emit::oci
