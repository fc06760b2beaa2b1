// The manifest.json of an offline bundle, parsed and written back.
#include "bundle/manifest.hpp"
#include "harness.hpp"

namespace compose::fuzz {

void fuzz_bundle_manifest(std::string_view input)
{
  expect_errors([&] {
    const bundle::Manifest manifest = bundle::parse_manifest(std::string(input), "manifest.json");
    (void)bundle::manifest_json(manifest);
    for (const bundle::Member& member : manifest.members)
      if (!member.url.empty())
        (void)bundle::mirror_path_for_url(member.url);
  });
}

} // namespace compose::fuzz
