// Deterministic tar from the Tree with libarchive's pax_restricted writer; see rootfs_tar.hpp.
#include "emit/tar/rootfs_tar.hpp"

#include <clocale>
#include <locale.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"

namespace compose::emit {

namespace {

struct SinkState {
  const ByteSink* sink;
  std::string failure;
};

la_ssize_t write_callback(archive*, void* user, const void* buffer, size_t length)
{
  auto& state = *static_cast<SinkState*>(user);
  try {
    (*state.sink)(std::string_view(static_cast<const char*>(buffer), length));
  } catch (const std::exception& e) {
    state.failure = e.what();
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

mode_t type_bits(stage::FileType type)
{
  switch (type) {
  case stage::FileType::regular: return AE_IFREG;
  case stage::FileType::directory: return AE_IFDIR;
  case stage::FileType::symlink: return AE_IFLNK;
  case stage::FileType::char_device: return AE_IFCHR;
  case stage::FileType::block_device: return AE_IFBLK;
  case stage::FileType::fifo: return AE_IFIFO;
  case stage::FileType::socket: return AE_IFSOCK;
  }
  return AE_IFREG;
}

// Switches the calling thread's locale for the life of the object (uselocale).
class ThreadLocale {
public:
  explicit ThreadLocale(const char* name) : own_(newlocale(LC_ALL_MASK, name, nullptr))
  {
    if (!own_)
      throw Error(std::string("the locale ") + name + " is not available", "tar writer");
    previous_ = uselocale(own_);
  }
  ~ThreadLocale()
  {
    uselocale(previous_);
    freelocale(own_);
  }
  ThreadLocale(const ThreadLocale&) = delete;
  ThreadLocale& operator=(const ThreadLocale&) = delete;

private:
  locale_t own_;
  locale_t previous_ = nullptr;
};

void check(archive* writer, int status, const std::string& what, const SinkState& state)
{
  if (status == ARCHIVE_OK)
    return;
  std::string reason = state.failure.empty() ? (archive_error_string(writer)
                                                    ? archive_error_string(writer)
                                                    : "unknown libarchive error")
                                             : state.failure;
  throw Error("cannot write tar: " + reason, what);
}

} // namespace

TarSummary write_tar_stream(const stage::Tree& tree, const TarOptions& options,
                            const ByteSink& sink)
{
  const ThreadLocale utf8_names("C.UTF-8");
  ArchiveWriter writer(archive_write_new());
  SinkState state{&sink, {}};
  archive* a = writer.get();
  check(a, archive_write_set_format_pax_restricted(a), "format", state);
  // Only the SCHILY form of xattrs, which Go's archive/tar (containerd, umoci) reads.
  check(a, archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY"), "options", state);
  // Names are bytes. libarchive converts them through this thread's locale, set to C.UTF-8
  // here: ASCII and UTF-8 names are stored as they are, and only a name that is not UTF-8
  // gets a per-entry hdrcharset=BINARY record (ARCHIVE_WARN, accepted below).
  check(a, archive_write_add_filter_none(a), "filter", state);
  check(a, archive_write_set_bytes_per_block(a, 10240), "blocking", state);
  check(a, archive_write_set_bytes_in_last_block(a, 1), "blocking", state);
  check(a, archive_write_open2(a, &state, nullptr, write_callback, nullptr, nullptr), "open",
        state);

  TarSummary summary;
  ArchiveEntry entry(archive_entry_new());
  tree.walk([&](const stage::Tree::Visit& visit) {
    if (visit.path.empty())
      return; // the root itself: readers create it; tools differ on "./"
    const stage::Inode& inode = visit.inode;
    if (inode.type == stage::FileType::socket) {
      summary.skipped_sockets.push_back(visit.path);
      return;
    }
    archive_entry_clear(entry.get());
    const bool directory = inode.type == stage::FileType::directory;
    archive_entry_copy_pathname(entry.get(), directory ? (visit.path + "/").c_str()
                                                       : visit.path.c_str());
    archive_entry_set_mode(entry.get(), type_bits(inode.type) | (inode.mode & 07777));
    archive_entry_set_uid(entry.get(), inode.uid);
    archive_entry_set_gid(entry.get(), inode.gid);
    archive_entry_set_mtime(entry.get(), options.epoch, 0);
    for (const auto& [name, value] : inode.xattrs)
      archive_entry_xattr_add_entry(entry.get(), name.c_str(), value.data(), value.size());
    const bool hardlink = !visit.first_name;
    if (hardlink) {
      archive_entry_copy_hardlink(entry.get(), visit.first_path.c_str());
      archive_entry_set_size(entry.get(), 0);
    } else if (inode.type == stage::FileType::regular) {
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(inode.content.size()));
    } else if (inode.type == stage::FileType::symlink) {
      archive_entry_copy_symlink(entry.get(), inode.target.c_str());
    } else if (inode.type == stage::FileType::char_device ||
               inode.type == stage::FileType::block_device) {
      archive_entry_set_rdevmajor(entry.get(), inode.rdev_major);
      archive_entry_set_rdevminor(entry.get(), inode.rdev_minor);
    }
    const int header = archive_write_header(a, entry.get());
    check(a, header == ARCHIVE_WARN ? ARCHIVE_OK : header, visit.path, state);
    if (!hardlink && inode.type == stage::FileType::regular && inode.content.size() != 0) {
      inode.content.stream([&](std::string_view data) {
        if (archive_write_data(a, data.data(), data.size()) != static_cast<la_ssize_t>(data.size()))
          check(a, ARCHIVE_FATAL, visit.path, state);
      });
    }
    ++summary.entries;
  });
  check(a, archive_write_close(a), "end of archive", state);
  return summary;
}

std::string write_rootfs_tar(const stage::Tree& tree, const std::filesystem::path& destination,
                             const TarOptions& options)
{
  AtomicFile file(destination);
  Hasher hasher(DigestAlgorithm::sha256);
  write_tar_stream(tree, options, [&](std::string_view bytes) {
    hasher.update(bytes);
    file.write(bytes);
  });
  file.commit();
  return hasher.finish_hex();
}

} // namespace compose::emit
