// The parsed form of each verified Packages file, kept in the cache beside the downloads
// (<cache>/parsed/<key>), keyed by the file's verified SHA-256 and the URL it is read as:
// a warm build reads it instead of decompressing and parsing the index again. An entry
// that is damaged or of another format is reported, parsed afresh and replaced.
#pragma once

#include <filesystem>
#include <string>

#include "repo/deb/packages_index.hpp"
#include "util/log.hpp"

namespace compose::pipeline {

// `file` is the cache entry of the (compressed) Packages file, already checked against the
// signed digest `file_sha256`; `url` names it in messages and in the packages' origins.
// Throws Error only for the index itself (as read_packages_index does); a cache that cannot
// be written costs time, not the build.
repo::deb::PackagesIndex read_packages_index_cached(const std::filesystem::path& cache_dir,
                                                    const std::filesystem::path& file,
                                                    const std::string& file_sha256,
                                                    const std::string& url, Log& log);

} // namespace compose::pipeline
