// Hand-made tar and gzip for fixtures; see tar_builder.hpp.
#include "tar_builder.hpp"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace compose::testing {

namespace {

void put(std::string& header, std::size_t offset, std::size_t width, const std::string& value)
{
  std::memcpy(header.data() + offset, value.data(), std::min(width, value.size()));
}

void put_octal(std::string& header, std::size_t offset, std::size_t width, std::uint64_t value)
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
  std::memcpy(header.data() + offset, buffer, width - 1);
}

std::string header(const std::string& name, char type, std::uint64_t size, const TarItem& item,
                   const std::string& link)
{
  std::string h(512, '\0');
  put(h, 0, 100, name);
  put_octal(h, 100, 8, item.mode & 07777);
  put_octal(h, 108, 8, item.uid);
  put_octal(h, 116, 8, item.gid);
  put_octal(h, 124, 12, size);
  put_octal(h, 136, 12, static_cast<std::uint64_t>(item.mtime));
  std::memset(h.data() + 148, ' ', 8);
  h[156] = type;
  put(h, 157, 100, link);
  put(h, 257, 6, std::string("ustar\0", 6));
  put(h, 263, 2, "00");
  put(h, 265, 32, item.uname);
  put(h, 297, 32, item.gname);
  put_octal(h, 329, 8, item.devmajor);
  put_octal(h, 337, 8, item.devminor);
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  std::memcpy(h.data() + 148, checksum, 7);
  return h;
}

std::string padded(const std::string& data)
{
  std::string out = data;
  out.resize((data.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string pax_record(const std::string& key, const std::string& value)
{
  // "<length> <key>=<value>\n" where length counts itself.
  const std::size_t body = key.size() + value.size() + 3;
  std::size_t length = body + 1;
  while (std::to_string(length).size() + body != length)
    ++length;
  return std::to_string(length) + " " + key + "=" + value + "\n";
}

} // namespace

TarItem file_item(std::string path, std::string content, std::uint32_t mode)
{
  TarItem item;
  item.path = std::move(path);
  item.content = std::move(content);
  item.mode = mode;
  return item;
}

std::string tar_item(const TarItem& item)
{
  std::map<std::string, std::string> pax = item.pax;
  if (item.path.size() > 100)
    pax["path"] = item.path;
  if (item.link.size() > 100)
    pax["linkpath"] = item.link;
  std::string out;
  if (!pax.empty()) {
    std::string records;
    for (const auto& [key, value] : pax)
      records += pax_record(key, value);
    TarItem meta = item;
    const std::string base = item.path.substr(item.path.rfind('/') + 1);
    const std::string dir = item.path.find('/') == std::string::npos
                                ? std::string(".")
                                : item.path.substr(0, item.path.rfind('/'));
    out += header((dir + "/PaxHeaders/" + base).substr(0, 99), 'x', records.size(), meta, "");
    out += padded(records);
  }
  const bool has_data = item.type == '0';
  out += header(item.path.substr(0, 100), item.type, has_data ? item.content.size() : 0, item,
                item.link.substr(0, 100));
  if (has_data)
    out += padded(item.content);
  return out;
}

std::string tar_end(std::size_t archive_size_so_far, std::size_t record)
{
  std::size_t total = archive_size_so_far + 1024;
  total = (total + record - 1) / record * record;
  return std::string(total - archive_size_so_far, '\0');
}

std::string gzip_member(const std::string& bytes)
{
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  const std::size_t written = out.size() - stream.avail_out;
  deflateEnd(&stream);
  if (status != Z_STREAM_END)
    throw std::runtime_error("deflate failed");
  out.resize(written);
  return out;
}

} // namespace compose::testing
