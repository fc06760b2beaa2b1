// load_recipe: reads the recipe and its fragments, merges, validates and records the digest
// of the bytes read; also the small shared helpers of recipe.hpp.
#include "recipe/recipe.hpp"

#include "recipe/document.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::recipe {

std::string SourceLocation::str() const
{
  if (line == 0)
    return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const char* distribution_name(Distribution distribution)
{
  switch (distribution) {
  case Distribution::alpine:
    return "alpine";
  case Distribution::debian:
    return "debian";
  case Distribution::ubuntu:
    return "ubuntu";
  }
  return "unknown";
}

namespace {

// Paths relative to the recipe's directory keep digests independent of the cwd and of where
// the checkout lives.
std::string relative_to(const fs::path& base, const fs::path& file)
{
  return fs::absolute(file).lexically_normal().lexically_relative(base).generic_string();
}

} // namespace

std::string recipe_digest(const fs::path& top_directory, const std::vector<DigestInput>& files)
{
  const fs::path base = fs::absolute(top_directory).lexically_normal();
  Hasher hasher(DigestAlgorithm::sha256);
  for (const DigestInput& file : files) {
    const std::string relative = relative_to(base, file.path);
    const std::string length = std::to_string(file.bytes.size());
    hasher.update(relative.data(), relative.size() + 1); // with its NUL terminator
    hasher.update(length.data(), length.size() + 1);
    hasher.update(file.bytes);
  }
  return hasher.finish_hex();
}

Recipe load_recipe(const fs::path& file, const BuildInputs& build_inputs)
{
  detail::LoadedDocument document = detail::load_document(file);
  const SourceLocation top{file.string(), 1, 1};
  Recipe recipe = detail::read_recipe(std::move(document.merged), top, build_inputs);

  recipe.file = file;
  std::vector<DigestInput> inputs;
  for (detail::LoadedFile& loaded : document.files) {
    if (&loaded != &document.files.back())
      recipe.fragments.push_back(loaded.display);
    inputs.push_back(DigestInput{loaded.absolute, std::move(loaded.bytes)});
  }
  const fs::path top_directory = fs::absolute(file).lexically_normal().parent_path();
  recipe.digest = recipe_digest(top_directory, inputs);
  for (const DigestInput& input : inputs)
    recipe.file_digests.push_back({relative_to(top_directory, input.path), sha256_hex(input.bytes)});
  return recipe;
}

} // namespace compose::recipe
