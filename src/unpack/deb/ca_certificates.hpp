// ca-certificates without running its postinst and update-ca-certificates: the debconf
// default (trust every mozilla/*.crt) written to /etc/ca-certificates.conf, the .pem links
// and the bundle in /etc/ssl/certs in that order, and `openssl rehash`'s <hash>.N links
// computed with OpenSSL's subject-name hash (deb.md §10).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stage/tree.hpp"

namespace compose::unpack::deb {

// OpenSSL's X509_NAME_hash of a PEM certificate's subject as 8 lower-case hex digits
// (the name `openssl rehash` links). Throws Error naming `where` for text that is not one
// PEM certificate.
std::string subject_hash(std::string_view pem, const std::string& where);

// Does everything when usr/share/ca-certificates is in the tree; returns a one-line summary
// ("142 certificates …"), or "" when there is nothing to do.
std::string apply_ca_certificates(stage::Tree& tree, std::int64_t epoch);

} // namespace compose::unpack::deb
