// Owners for C library handles: every handle is freed by its unique_ptr, never by hand.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <type_traits>

namespace compose {

template <auto Free> struct FreeWith {
  template <typename T> void operator()(T* pointer) const noexcept { Free(pointer); }
};

using ArchiveReader = std::unique_ptr<archive, FreeWith<archive_read_free>>;
using ArchiveWriter = std::unique_ptr<archive, FreeWith<archive_write_free>>;
using ArchiveEntry = std::unique_ptr<archive_entry, FreeWith<archive_entry_free>>;
using CurlEasy = std::unique_ptr<CURL, FreeWith<curl_easy_cleanup>>;
using CurlMulti = std::unique_ptr<CURLM, FreeWith<curl_multi_cleanup>>;
using CurlList = std::unique_ptr<curl_slist, FreeWith<curl_slist_free_all>>;
using PKey = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using MdContext = std::unique_ptr<EVP_MD_CTX, FreeWith<EVP_MD_CTX_free>>;
using PKeyContext = std::unique_ptr<EVP_PKEY_CTX, FreeWith<EVP_PKEY_CTX_free>>;
using Bio = std::unique_ptr<BIO, FreeWith<BIO_free_all>>;

// Turns OpenSSL's error queue into one line of text (and clears it).
std::string openssl_error_text();

} // namespace compose
