// OpenPGP through librnp; see openpgp.hpp.
#include "verify/openpgp.hpp"

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>

#include "util/error.hpp"
#include "util/handles.hpp"
#include "util/utc_text.hpp"
#include "verify/rnp_handles.hpp"

namespace compose::verify {

namespace {

using Ffi = RnpFfi;
using Input = RnpInput;
using Output = RnpOutput;
using Verify = RnpVerify;
using KeyHandle = RnpKey;

std::string lower(std::string text)
{
  return lower_hex(std::move(text));
}

Input memory_input(const std::string& bytes)
{
  return rnp_memory_input(bytes);
}

std::string take(char* text)
{
  return take_rnp_text(text);
}

std::string describe(rnp_result_t status)
{
  switch (status) {
  case RNP_SUCCESS: return "good";
  case RNP_ERROR_SIGNATURE_EXPIRED: return "expired";
  case RNP_ERROR_KEY_NOT_FOUND: return "unknown key";
  case RNP_ERROR_SIGNATURE_INVALID: return "bad";
  default: return std::string("unusable (") + rnp_result_to_string(status) + ")";
  }
}

// When a key (with its primary) stops being valid; 0 when it does not expire.
std::int64_t valid_until(rnp_key_handle_t key)
{
  uint64_t until = 0;
  if (rnp_key_valid_till64(key, &until) != RNP_SUCCESS || until == UINT64_MAX)
    return 0;
  return static_cast<std::int64_t>(until);
}

std::string date_text(std::int64_t seconds)
{
  return utc_format(seconds, "%Y-%m-%d");
}

VerifiedText run(rnp_op_verify_t raw, Output& output, const std::vector<std::string>& pinned,
                 const std::string& where)
{
  Verify operation(raw);
  const rnp_result_t executed = rnp_op_verify_execute(operation.get());
  VerifiedText result;
  std::size_t count = 0;
  rnp_op_verify_get_signature_count(operation.get(), &count);
  if (count == 0)
    throw Error("no OpenPGP signature found (" + std::string(rnp_result_to_string(executed)) + ")",
                where);
  for (std::size_t i = 0; i < count; ++i) {
    rnp_op_verify_signature_t signature = nullptr;
    rnp_op_verify_get_signature_at(operation.get(), i, &signature);
    SignatureCheck check;
    check.status = describe(rnp_op_verify_signature_get_status(signature));
    char* hash = nullptr;
    if (rnp_op_verify_signature_get_hash(signature, &hash) == RNP_SUCCESS)
      check.hash = take(hash);
    uint32_t created = 0, expires = 0;
    rnp_op_verify_signature_get_times(signature, &created, &expires);
    check.created = created;
    // The issuer's key id, so that an unknown key is still named.
    rnp_signature_handle_t handle_raw = nullptr;
    if (rnp_op_verify_signature_get_handle(signature, &handle_raw) == RNP_SUCCESS && handle_raw) {
      const std::unique_ptr<rnp_signature_handle_st, FreeWith<rnp_signature_handle_destroy>>
          handle(handle_raw);
      char* keyid = nullptr;
      if (rnp_signature_get_keyid(handle.get(), &keyid) == RNP_SUCCESS)
        check.key_id = lower(take(keyid));
    }
    rnp_key_handle_t key_raw = nullptr;
    if (rnp_op_verify_signature_get_key(signature, &key_raw) == RNP_SUCCESS && key_raw) {
      KeyHandle key(key_raw);
      check.key_valid_until = valid_until(key.get());
      // librnp says "invalid" for a signature made after its key's validity ended: say why.
      if (check.status == "bad" && check.key_valid_until != 0 &&
          check.created >= check.key_valid_until)
        check.status =
            "signature made after its key expired (" + date_text(check.key_valid_until) + ")";
      char* fingerprint = nullptr;
      if (rnp_key_get_fprint(key.get(), &fingerprint) == RNP_SUCCESS)
        check.key_fingerprint = lower(take(fingerprint));
      bool primary = false;
      rnp_key_is_primary(key.get(), &primary);
      if (primary) {
        check.primary_fingerprint = check.key_fingerprint;
      } else if (rnp_key_get_primary_fprint(key.get(), &fingerprint) == RNP_SUCCESS) {
        check.primary_fingerprint = lower(take(fingerprint));
      }
    }
    // apt refuses signatures over MD5 and SHA-1: a collision could forge the text.
    const std::string digest = lower(check.hash);
    if (check.status == "good" && (digest == "md5" || digest == "sha1"))
      check.status = "weak digest";
    if (check.status == "good" && !pinned.empty() &&
        std::find(pinned.begin(), pinned.end(), check.primary_fingerprint) == pinned.end())
      check.status = "not pinned";
    if (check.status == "good" && result.signed_by.empty()) {
      result.signed_by = check.primary_fingerprint;
      result.signed_at = check.created;
      result.key_valid_until = check.key_valid_until;
    }
    result.signatures.push_back(check);
  }
  if (result.signed_by.empty()) {
    std::string details;
    for (const SignatureCheck& check : result.signatures)
      details += (details.empty() ? "" : "; ") + check.status +
                 (check.status.starts_with("signature") ? "" : " signature") +
                 (!check.key_fingerprint.empty() ? " by " + check.key_fingerprint
                  : !check.key_id.empty()        ? " by key id " + check.key_id
                                                 : std::string());
    throw Error("no acceptable OpenPGP signature: " + details, where,
                "the file differs from what the key signed, or it was signed by a key this "
                "repository does not trust");
  }
  if (output) {
    uint8_t* buffer = nullptr;
    std::size_t length = 0;
    rnp_output_memory_get_buf(output.get(), &buffer, &length, false);
    result.text.assign(reinterpret_cast<const char*>(buffer), length);
  }
  return result;
}

// InRelease must be exactly one clear-signed message: apt refuses anything around it, so a
// second, unsigned "Release" cannot be smuggled next to the signed one.
void check_framing(const std::string& file, const std::string& where)
{
  static const std::string begin = "-----BEGIN PGP SIGNED MESSAGE-----";
  static const std::string end = "-----END PGP SIGNATURE-----";
  if (!file.starts_with(begin))
    throw Error("not a clear-signed message (it must start with '" + begin + "')", where);
  const std::size_t last = file.rfind(end);
  if (last == std::string::npos)
    throw Error("clear-signed message has no signature block", where);
  if (file.find(begin, 1) != std::string::npos)
    throw Error("more than one signed message in one file", where);
  for (std::size_t i = last + end.size(); i < file.size(); ++i)
    if (!std::isspace(static_cast<unsigned char>(file[i])))
      throw Error("data after the signature block", where,
                  "an InRelease file holds exactly one signed message");
}

} // namespace

RnpInput rnp_memory_input(const std::string& bytes)
{
  rnp_input_t input = nullptr;
  if (rnp_input_from_memory(&input, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                            false) != RNP_SUCCESS)
    throw Error("cannot read OpenPGP data");
  return RnpInput(input);
}

std::string lower_hex(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct OpenPgpKeyring::Impl {
  Ffi ffi;
};

OpenPgpKeyring::OpenPgpKeyring() : m_impl(std::make_unique<Impl>())
{
  rnp_ffi_t ffi = nullptr;
  if (rnp_ffi_create(&ffi, "GPG", "GPG") != RNP_SUCCESS)
    throw Error("cannot start librnp");
  m_impl->ffi.reset(ffi);
}

OpenPgpKeyring::~OpenPgpKeyring() = default;
OpenPgpKeyring::OpenPgpKeyring(OpenPgpKeyring&&) noexcept = default;
OpenPgpKeyring& OpenPgpKeyring::operator=(OpenPgpKeyring&&) noexcept = default;

void OpenPgpKeyring::add(const std::string& key_bytes, const std::string& where)
{
  Input input = memory_input(key_bytes);
  const rnp_result_t status = rnp_load_keys(m_impl->ffi.get(), "GPG", input.get(),
                                            RNP_LOAD_SAVE_PUBLIC_KEYS);
  if (status != RNP_SUCCESS)
    throw Error(std::string("cannot load OpenPGP keys: ") + rnp_result_to_string(status), where);
}

std::vector<std::string> OpenPgpKeyring::primary_fingerprints() const
{
  std::vector<std::string> out;
  rnp_identifier_iterator_t iterator = nullptr;
  if (rnp_identifier_iterator_create(m_impl->ffi.get(), &iterator, "fingerprint") != RNP_SUCCESS)
    return out;
  const char* identifier = nullptr;
  while (rnp_identifier_iterator_next(iterator, &identifier) == RNP_SUCCESS && identifier) {
    rnp_key_handle_t raw = nullptr;
    if (rnp_locate_key(m_impl->ffi.get(), "fingerprint", identifier, &raw) != RNP_SUCCESS || !raw)
      continue;
    KeyHandle key(raw);
    bool primary = false;
    rnp_key_is_primary(key.get(), &primary);
    if (primary)
      out.push_back(lower(identifier));
  }
  rnp_identifier_iterator_destroy(iterator);
  std::sort(out.begin(), out.end());
  return out;
}

VerifiedText verify_cleartext(const std::string& file, const OpenPgpKeyring& keys,
                              const std::vector<std::string>& pinned, const std::string& where)
{
  check_framing(file, where);
  Input input = memory_input(file);
  rnp_output_t raw_output = nullptr;
  rnp_output_to_memory(&raw_output, 0);
  Output output(raw_output);
  rnp_op_verify_t operation = nullptr;
  if (rnp_op_verify_create(&operation, keys.impl().ffi.get(), input.get(), output.get()) !=
      RNP_SUCCESS)
    throw Error("cannot start OpenPGP verification", where);
  return run(operation, output, pinned, where);
}

VerifiedText verify_detached(const std::string& data, const std::string& signature,
                             const OpenPgpKeyring& keys, const std::vector<std::string>& pinned,
                             const std::string& where)
{
  Input data_input = memory_input(data);
  Input signature_input = memory_input(signature);
  rnp_op_verify_t operation = nullptr;
  if (rnp_op_verify_detached_create(&operation, keys.impl().ffi.get(), data_input.get(),
                                    signature_input.get()) != RNP_SUCCESS)
    throw Error("cannot start OpenPGP verification", where);
  Output none;
  VerifiedText result = run(operation, none, pinned, where);
  result.text = data;
  return result;
}

std::string key_expired_since(const VerifiedText& verified, std::int64_t now)
{
  if (verified.key_valid_until == 0 || verified.key_valid_until > now)
    return {};
  return "signed on " + utc_text(verified.signed_at) + " by key " + verified.signed_by +
         ", which expired on " + utc_text(verified.key_valid_until);
}

} // namespace compose::verify
