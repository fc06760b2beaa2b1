// Where tests find the source tree and the shared trust anchors.
#pragma once

#include <filesystem>

namespace compose::testing {

std::filesystem::path source_dir();  // the repository checkout
std::filesystem::path shared_keys(); // ../shared/keys beside the checkout, or $COMPOSE_SHARED_KEYS

} // namespace compose::testing
