// The libFuzzer entry of one harness; CMake compiles this file once per harness with
// COMPOSE_FUZZ_ENTRY set to its function (fuzz_tar, …).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  compose::fuzz::COMPOSE_FUZZ_ENTRY(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
