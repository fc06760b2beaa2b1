// Owners for librnp handles, shared by OpenPGP verification and signing: every handle is
// freed by its unique_ptr, never by hand.
#pragma once

#include <rnp/rnp.h>

#include <memory>
#include <string>

#include "util/handles.hpp"

namespace compose::verify {

using RnpFfi = std::unique_ptr<rnp_ffi_st, FreeWith<rnp_ffi_destroy>>;
using RnpInput = std::unique_ptr<rnp_input_st, FreeWith<rnp_input_destroy>>;
using RnpOutput = std::unique_ptr<rnp_output_st, FreeWith<rnp_output_destroy>>;
using RnpVerify = std::unique_ptr<rnp_op_verify_st, FreeWith<rnp_op_verify_destroy>>;
using RnpSign = std::unique_ptr<rnp_op_sign_st, FreeWith<rnp_op_sign_destroy>>;
using RnpKey = std::unique_ptr<rnp_key_handle_st, FreeWith<rnp_key_handle_destroy>>;
using RnpText = std::unique_ptr<char, FreeWith<rnp_buffer_destroy>>;

// Takes ownership of a librnp string and returns a copy ("" for null).
inline std::string take_rnp_text(char* text)
{
  RnpText owner(text);
  return text ? std::string(text) : std::string();
}

// A librnp input over `bytes` (not copied: they must outlive the input). Throws Error.
RnpInput rnp_memory_input(const std::string& bytes);

// Lower-case hex, as compose writes fingerprints.
std::string lower_hex(std::string text);

} // namespace compose::verify
