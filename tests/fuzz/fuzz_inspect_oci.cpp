// `compose inspect` of an OCI image layout tar.
#include "emit/oci/oci_inspect.hpp"
#include "harness.hpp"

namespace compose::fuzz {

void fuzz_inspect_oci(std::string_view input)
{
  const std::filesystem::path file = scratch_file(input, ".oci.tar");
  expect_errors([&] { (void)emit::oci::format_report(emit::oci::inspect_oci_archive(file)); });
}

} // namespace compose::fuzz
