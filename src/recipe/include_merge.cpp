// Loads a recipe and the fragments it includes, depth first, and merges them into one
// document: fragments in the listed order, then the including file.
#include <algorithm>
#include <array>
#include <set>

#include "recipe/document.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

namespace compose::recipe::detail {

namespace {

// Arrays that collect entries from every file instead of being replaced by the last one.
constexpr std::array<std::string_view, 12> k_concatenated_arrays{
    "packages",     "repositories",        "image.tags",      "image.exposed_ports",
    "outputs.formats", "groups",           "users",           "files",
    "supervisor.programs", "init.runtime_dirs", "cleanup.paths",
    "cleanup.keep"};

bool is_concatenated(const std::string& path)
{
  return std::find(k_concatenated_arrays.begin(), k_concatenated_arrays.end(), path) !=
         k_concatenated_arrays.end();
}

struct IncludeEntry {
  std::string path;
  SourceLocation where;
};

// Takes the `include` array out of a file's table: it names files, it is not merged.
std::vector<IncludeEntry> take_includes(Node& table)
{
  auto found = std::find_if(table.members.begin(), table.members.end(),
                            [](const Member& member) { return member.key == "include"; });
  if (found == table.members.end())
    return {};
  const Node value = std::move(found->value);
  table.members.erase(found);
  if (value.kind != NodeKind::array)
    throw Error(std::string("wrong type for 'include': expected an array, found ") +
                    kind_description(value.kind),
                value.where.str(), "write include = [\"fragments/base.toml\"]");
  std::vector<IncludeEntry> entries;
  for (const Node& item : value.items) {
    if (item.kind != NodeKind::string)
      throw Error(std::string("wrong type for an 'include' entry: expected a string, found ") +
                      kind_description(item.kind),
                  item.where.str());
    if (item.text.empty())
      throw Error("empty 'include' entry", item.where.str());
    entries.push_back(IncludeEntry{item.text, item.where});
  }
  return entries;
}

class Loader {
public:
  LoadedDocument document;

  void load(const std::string& display, const fs::path& absolute)
  {
    std::string bytes = read_file(absolute);
    Node table = parse_toml(bytes, display);
    m_stack.push_back(Frame{display, identity_of(absolute)});
    m_loaded.insert(m_stack.back().identity);
    for (const IncludeEntry& entry : take_includes(table))
      include(entry, display, absolute);
    m_stack.pop_back();
    document.files.push_back(LoadedFile{display, absolute, std::move(bytes)});
    merge_into(document.merged, std::move(table));
  }

private:
  struct Frame {
    std::string display;
    fs::path identity;
  };

  static fs::path identity_of(const fs::path& absolute)
  {
    // Symlinked spellings of one file are the same file for cycles and repeats.
    std::error_code ignored;
    fs::path canonical = fs::weakly_canonical(absolute, ignored);
    return canonical.empty() ? absolute : canonical;
  }

  void include(const IncludeEntry& entry, const std::string& parent_display,
               const fs::path& parent_absolute)
  {
    const fs::path relative(entry.path);
    const fs::path absolute = (parent_absolute.parent_path() / relative).lexically_normal();
    const std::string display =
        relative.is_absolute()
            ? relative.lexically_normal().string()
            : (fs::path(parent_display).parent_path() / relative).lexically_normal().string();

    std::error_code error;
    if (!fs::is_regular_file(absolute, error))
      throw Error("include file not found: " + quote(entry.path), entry.where.str(),
                  "looked for " + quote(display) +
                      "; include paths are relative to the file that names them");
    const fs::path identity = identity_of(absolute);
    for (std::size_t i = 0; i < m_stack.size(); ++i) {
      if (m_stack[i].identity != identity)
        continue;
      std::string chain;
      for (std::size_t j = i; j < m_stack.size(); ++j)
        chain += m_stack[j].display + " -> ";
      throw Error("include cycle: " + chain + display, entry.where.str(),
                  "remove one of the include entries that lead back to " +
                      quote(m_stack[i].display));
    }
    // The top-level recipe is on the stack too, so nesting depth is the stack size.
    if (static_cast<int>(m_stack.size()) > k_max_include_depth)
      throw Error("includes nest deeper than " + std::to_string(k_max_include_depth) +
                      " files at " + quote(display),
                  entry.where.str(), "flatten the chain of fragments");
    // A fragment reached twice (a diamond) is loaded once, at its first place.
    if (m_loaded.count(identity))
      return;
    load(display, absolute);
  }

  std::vector<Frame> m_stack;
  std::set<fs::path> m_loaded;
};

} // namespace

void merge_into(Node& earlier, Node later, const std::string& path)
{
  for (Member& member : later.members) {
    const std::string member_path = path.empty() ? member.key : path + "." + member.key;
    const bool concatenated = is_concatenated(member_path);
    auto position = std::lower_bound(
        earlier.members.begin(), earlier.members.end(), member.key,
        [](const Member& existing, const std::string& key) { return existing.key < key; });
    if (position == earlier.members.end() || position->key != member.key) {
      // New tables and collecting arrays start empty and go through the merge below, so
      // that duplicates inside a single file are dropped as well.
      const bool start_empty = member.value.kind == NodeKind::table ||
                               (member.value.kind == NodeKind::array && concatenated);
      if (!start_empty) {
        earlier.members.insert(position, std::move(member));
        continue;
      }
      Node empty;
      empty.kind = member.value.kind;
      empty.where = member.value.where;
      position = earlier.members.insert(position, Member{member.key, member.key_where, empty});
    }
    Node& existing = position->value;
    if (existing.kind == NodeKind::table && member.value.kind == NodeKind::table) {
      merge_into(existing, std::move(member.value), member_path);
    } else if (existing.kind == NodeKind::array && member.value.kind == NodeKind::array &&
               concatenated) {
      for (Node& item : member.value.items) {
        const bool seen = std::any_of(existing.items.begin(), existing.items.end(),
                                      [&](const Node& kept) { return same_value(kept, item); });
        if (!seen)
          existing.items.push_back(std::move(item));
      }
    } else {
      *position = std::move(member);
    }
  }
}

LoadedDocument load_document(const fs::path& file)
{
  std::error_code error;
  if (!fs::is_regular_file(file, error))
    throw Error("recipe file not found", file.string(),
                "give the path of a .toml recipe, e.g. recipes/alpine-3.22-dockerd.toml");
  Loader loader;
  loader.load(file.string(), fs::absolute(file).lexically_normal());
  loader.document.merged.kind = NodeKind::table;
  loader.document.merged.where = SourceLocation{file.string(), 1, 1};
  return std::move(loader.document);
}

} // namespace compose::recipe::detail
