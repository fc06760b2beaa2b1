// Detached signatures through librnp; see openpgp_sign.hpp.
#include "verify/openpgp_sign.hpp"

#include <rnp/rnp_err.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "verify/rnp_handles.hpp"

namespace fs = std::filesystem;

namespace compose::verify {

namespace {

bool key_flag(rnp_key_handle_t key, rnp_result_t (*query)(rnp_key_handle_t, bool*))
{
  bool value = false;
  return query(key, &value) == RNP_SUCCESS && value;
}

bool can_sign(rnp_key_handle_t key)
{
  bool allowed = false;
  return rnp_key_allows_usage(key, "sign", &allowed) == RNP_SUCCESS && allowed &&
         key_flag(key, rnp_key_have_secret) && key_flag(key, rnp_key_is_valid) &&
         !key_flag(key, rnp_key_is_revoked) && !key_flag(key, rnp_key_is_expired);
}

std::string fingerprint_of(rnp_key_handle_t key)
{
  char* text = nullptr;
  if (rnp_key_get_fprint(key, &text) != RNP_SUCCESS)
    return {};
  return lower_hex(take_rnp_text(text));
}

// The signing key: the first primary key with a secret part that may sign, else its first
// such subkey. Returns the key and its primary's fingerprint.
std::pair<RnpKey, std::string> find_signing_key(rnp_ffi_t ffi, const std::string& where)
{
  rnp_identifier_iterator_t raw_iterator = nullptr;
  if (rnp_identifier_iterator_create(ffi, &raw_iterator, "fingerprint") != RNP_SUCCESS)
    throw Error("cannot list the keys", where);
  std::unique_ptr<rnp_identifier_iterator_st, FreeWith<rnp_identifier_iterator_destroy>> iterator(
      raw_iterator);
  const char* identifier = nullptr;
  std::string primaries;
  while (rnp_identifier_iterator_next(iterator.get(), &identifier) == RNP_SUCCESS && identifier) {
    rnp_key_handle_t raw = nullptr;
    if (rnp_locate_key(ffi, "fingerprint", identifier, &raw) != RNP_SUCCESS || !raw)
      continue;
    RnpKey primary(raw);
    if (!key_flag(primary.get(), rnp_key_is_primary))
      continue;
    const std::string primary_fingerprint = fingerprint_of(primary.get());
    primaries += (primaries.empty() ? "" : ", ") + primary_fingerprint;
    if (can_sign(primary.get()))
      return {std::move(primary), primary_fingerprint};
    std::size_t count = 0;
    rnp_key_get_subkey_count(primary.get(), &count);
    for (std::size_t i = 0; i < count; ++i) {
      rnp_key_handle_t sub_raw = nullptr;
      if (rnp_key_get_subkey_at(primary.get(), i, &sub_raw) != RNP_SUCCESS || !sub_raw)
        continue;
      RnpKey subkey(sub_raw);
      if (can_sign(subkey.get()))
        return {std::move(subkey), primary_fingerprint};
    }
  }
  throw Error(primaries.empty() ? std::string("the file holds no OpenPGP secret key")
                                : "no valid secret key that may sign (keys: " + primaries + ")",
              where,
              "export the signing key with `gpg --export-secret-keys --armor FINGERPRINT`");
}

std::string first_line(const fs::path& file)
{
  std::string text = read_file(file);
  const std::size_t end = text.find_first_of("\r\n");
  return end == std::string::npos ? text : text.substr(0, end);
}

} // namespace

DetachedSignature sign_detached(const std::string& data, const fs::path& secret_key_file,
                                const fs::path& passphrase_file)
{
  const std::string where = secret_key_file.string();
  rnp_ffi_t raw_ffi = nullptr;
  if (rnp_ffi_create(&raw_ffi, "GPG", "GPG") != RNP_SUCCESS)
    throw Error("cannot start librnp");
  RnpFfi ffi(raw_ffi);
  const std::string key_bytes = read_file(secret_key_file);
  RnpInput key_input = rnp_memory_input(key_bytes);
  const rnp_result_t loaded = rnp_load_keys(ffi.get(), "GPG", key_input.get(),
                                            RNP_LOAD_SAVE_SECRET_KEYS | RNP_LOAD_SAVE_PUBLIC_KEYS);
  if (loaded != RNP_SUCCESS)
    throw Error(std::string("cannot load the OpenPGP secret key: ") + rnp_result_to_string(loaded),
                where);
  auto [key, signer] = find_signing_key(ffi.get(), where);

  if (key_flag(key.get(), rnp_key_is_protected)) {
    if (passphrase_file.empty())
      throw Error("the secret key is protected by a passphrase", where,
                  "give it with --passphrase-file FILE (compose never prompts)");
    const std::string passphrase = first_line(passphrase_file);
    if (rnp_key_unlock(key.get(), passphrase.c_str()) != RNP_SUCCESS)
      throw Error("the passphrase in " + quote(passphrase_file.string()) +
                      " does not unlock the secret key",
                  where);
  }

  RnpInput input = rnp_memory_input(data);
  rnp_output_t raw_output = nullptr;
  if (rnp_output_to_memory(&raw_output, 0) != RNP_SUCCESS)
    throw Error("cannot start OpenPGP signing", where);
  RnpOutput output(raw_output);
  rnp_op_sign_t raw_sign = nullptr;
  if (rnp_op_sign_detached_create(&raw_sign, ffi.get(), input.get(), output.get()) != RNP_SUCCESS)
    throw Error("cannot start OpenPGP signing", where);
  RnpSign operation(raw_sign);
  rnp_op_sign_set_armor(operation.get(), true);
  rnp_op_sign_set_hash(operation.get(), "SHA256");
  if (rnp_op_sign_add_signature(operation.get(), key.get(), nullptr) != RNP_SUCCESS)
    throw Error("the key cannot sign", where);
  const rnp_result_t signed_status = rnp_op_sign_execute(operation.get());
  if (signed_status != RNP_SUCCESS)
    throw Error(std::string("OpenPGP signing failed: ") + rnp_result_to_string(signed_status),
                where);

  uint8_t* buffer = nullptr;
  std::size_t length = 0;
  rnp_output_memory_get_buf(output.get(), &buffer, &length, false);
  DetachedSignature result;
  result.armored.assign(reinterpret_cast<const char*>(buffer), length);
  result.signer = signer;
  result.signing_key = fingerprint_of(key.get());
  return result;
}

} // namespace compose::verify
