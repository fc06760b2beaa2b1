// A recipe: TOML, variable expansion and the schema (in memory: includes are not followed,
// so the harness reads no other file).
#include "harness.hpp"
#include "recipe/document.hpp"
#include "recipe/recipe.hpp"

namespace compose::fuzz {

void fuzz_recipe(std::string_view input)
{
  expect_errors([&] {
    recipe::detail::Node document = recipe::detail::parse_toml(input, "fuzz.toml");
    (void)recipe::detail::read_recipe(std::move(document), recipe::SourceLocation{"fuzz.toml", 1, 1},
                                      recipe::BuildInputs{});
  });
}

} // namespace compose::fuzz
