// RSA verification through EVP_PKEY_verify; see rsa_signature.hpp.
#include "verify/rsa_signature.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "util/handles.hpp"

namespace compose::verify {

bool verify_rsa_digest(EVP_PKEY* key, DigestAlgorithm algorithm, std::string_view digest,
                       std::string_view signature)
{
  const EVP_MD* md = algorithm == DigestAlgorithm::sha1     ? EVP_sha1()
                     : algorithm == DigestAlgorithm::sha512 ? EVP_sha512()
                                                            : EVP_sha256();
  PKeyContext context(EVP_PKEY_CTX_new(key, nullptr));
  const bool ok =
      context && EVP_PKEY_verify_init(context.get()) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) == 1 &&
      EVP_PKEY_CTX_set_signature_md(context.get(), md) == 1 &&
      EVP_PKEY_verify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                      signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                      digest.size()) == 1;
  ERR_clear_error(); // a bad signature is an answer, not an error to report later
  return ok;
}

} // namespace compose::verify
