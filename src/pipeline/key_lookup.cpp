// Key material lookup for builds; see key_lookup.hpp.
#include "pipeline/key_lookup.hpp"

#include "util/files.hpp"

namespace compose::pipeline {

verify::KeyLookup key_lookup(const BuildOptions& options, fetch::Fetcher& fetcher,
                             bool system_keyrings)
{
  verify::KeyLookup lookup;
  lookup.directories = options.keys_dirs;
  if (system_keyrings)
    lookup.directories.emplace_back("/usr/share/keyrings");
  lookup.cache_dir = options.fetch.cache_dir / "trust";
  lookup.offline = options.fetch.offline;
  lookup.download = [&fetcher](const std::string& url,
                               const std::function<void(const std::string&)>& check) {
    fetch::Request request;
    request.urls = {url};
    request.cache_key = "key:" + url;
    request.kind = fetch::Kind::key;
    request.display_name = url.substr(url.rfind('/') + 1);
    // A key that fails its pin is refused before it can enter the cache.
    request.validate = [&check](const std::filesystem::path& file) { check(read_file(file)); };
    return read_file(fetcher.fetch(request).path);
  };
  return lookup;
}

} // namespace compose::pipeline
