// The recipe stage's own copy of a TOML document: a plain value tree in which every value
// and every key remembers the file:line:column it came from, so that merged fragments keep
// their origins (toml++ drops source regions when nodes are copied).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "recipe/recipe.hpp"

namespace compose::recipe::detail {

enum class NodeKind { string, integer, floating, boolean, date_time, array, table };

struct Member;

struct Node {
  NodeKind kind = NodeKind::table;
  std::string text;            // string value; the TOML spelling of dates and times
  std::int64_t integer = 0;    // integer value
  double floating = 0;         // float value
  bool boolean = false;        // boolean value
  std::vector<Node> items;     // array elements, in file order
  std::vector<Member> members; // table members, sorted by key (as toml++ hands them over)
  SourceLocation where;

  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  const Member* find_member(std::string_view key) const;
};

struct Member {
  std::string key;
  SourceLocation key_where;
  Node value;
};

// "a string", "an integer", "a table": for "expected …, found …" messages.
const char* kind_description(NodeKind kind);

// Deep equality of values, ignoring where they came from.
bool same_value(const Node& left, const Node& right);

// Parses TOML text. `display` names the file in locations and messages. Throws Error at
// the parser's file:line:column for malformed TOML.
Node parse_toml(std::string_view bytes, const std::string& display);

// One file read while loading a recipe, in load order (fragments first, top file last).
struct LoadedFile {
  std::string display;            // as locations spell it ("recipes/fragments/alpine.toml")
  std::filesystem::path absolute; // lexically normal absolute path
  std::string bytes;
};

struct LoadedDocument {
  Node merged;                   // every file's table merged, without `include` keys
  std::vector<LoadedFile> files; // load order; the top-level recipe is the last one
};

// Reads `file` and, depth first, the fragments its `include` array names; merges them
// (see docs/recipe.md, "Includes"). Throws Error at the include entry for missing files,
// cycles and nesting deeper than k_max_include_depth.
LoadedDocument load_document(const std::filesystem::path& file);
constexpr int k_max_include_depth = 16;

// Merges `later` into `earlier`: tables key by key, the arrays named in docs/recipe.md
// concatenated without duplicates, anything else replaced by the later value.
void merge_into(Node& earlier, Node later, const std::string& path = {});

// Expands ${name}, ${release}, ${architecture} and ${distribution} in every string of
// `node` ("$${" stays a literal "${"). Throws Error at the string for unknown variables.
struct Variables {
  std::string name, release, architecture, distribution;
  std::string version, point_release; // build inputs: the product release, the distro's point release
};
void expand_variables(Node& node, const Variables& variables);
std::string expand_string(const std::string& text, const Variables& variables,
                          const SourceLocation& where);

// Converts the merged document into a validated Recipe (fields other than file, fragments
// and digest). Throws Error at the offending value for every schema violation.
Recipe read_recipe(Node document, const SourceLocation& top, const BuildInputs& inputs);

// Closest candidate for a misspelt word, or empty when nothing is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

} // namespace compose::recipe::detail
