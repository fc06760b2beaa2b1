// TableReader: reads one table of the merged recipe document, refusing unknown keys and
// values of the wrong type with the file:line:column they came from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "recipe/document.hpp"

namespace compose::recipe::detail {

class TableReader {
public:
  // `path` is the table's dotted name ("" for the top level, "outputs.ext4"); `array_entry`
  // marks an entry of an array of tables such as [[repositories]]. Throws Error for the
  // first key not in `allowed`, suggesting the closest allowed key.
  TableReader(const Node& table, std::string path, std::vector<std::string> allowed,
              bool array_entry = false);

  const Node& table() const { return m_table; }
  const SourceLocation& where() const { return m_table.where; }
  std::string title() const; // "the top-level table", "[image]", "a [[repositories]] entry"
  std::string key_name(std::string_view key) const; // "image.cmd"
  bool has(std::string_view key) const { return m_table.find(key) != nullptr; }

  // The value of `key`, checked to be of `kind`; nullptr when absent.
  const Node* get(std::string_view key, NodeKind kind) const;
  // As get(), but a missing key is an Error at this table's location, with `hint`.
  const Node& need(std::string_view key, NodeKind kind, const std::string& hint = {}) const;

  std::optional<std::string> string(std::string_view key) const;
  // Present and not empty; `hint` is shown when it is missing.
  std::string required_string(std::string_view key, const std::string& hint = {}) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t minimum,
                                      std::int64_t maximum) const;
  // An array of non-empty strings; each item's location is returned alongside.
  std::vector<const Node*> string_items(std::string_view key) const;
  std::vector<std::string> strings(std::string_view key) const;
  // A table whose values are all strings (env, labels).
  std::map<std::string, std::string> string_table(std::string_view key) const;

  // Throws Error("<message>", location of `key`'s value).
  [[noreturn]] void fail(const Node& value, const std::string& message,
                         const std::string& hint = {}) const;

private:
  const Node& m_table;
  std::string m_path;
  bool m_array_entry;
};

// Throws "wrong type for <described>: expected …, found …" at `value`; `described` is
// already quoted ("'image.cmd'", "entry 2 of 'packages'").
[[noreturn]] void wrong_type(const Node& value, const std::string& described, NodeKind expected);

// Checks `value` against `allowed`; otherwise throws "<what> 'value' is not valid" with the
// allowed list and a suggestion for a typo.
void check_choice(const Node& value, const std::string& what,
                  const std::vector<std::string>& allowed);

std::string join(const std::vector<std::string>& words, const std::string& separator = ", ");

} // namespace compose::recipe::detail
