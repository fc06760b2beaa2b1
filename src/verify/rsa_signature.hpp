// RSA PKCS#1 v1.5 signatures over a digest, as apk signs indexes and packages.
#pragma once

#include <string_view>

#include "util/hash.hpp"

struct evp_pkey_st;

namespace compose::verify {

// True when `signature` is a valid PKCS#1 v1.5 signature by `key` over `digest` (raw bytes
// computed with `algorithm`). OpenSSL does all parsing; we never look inside.
bool verify_rsa_digest(evp_pkey_st* key, DigestAlgorithm algorithm, std::string_view digest,
                       std::string_view signature);

} // namespace compose::verify
