// APKINDEX text -> Package records (apk.md §4). Parsed only after the signature checked out.
#include "repo/apk/index.hpp"

#include <algorithm>
#include <charconv>

#include "util/error.hpp"

namespace compose::repo::apk {

namespace {

template <typename Number>
Number parse_number(std::string_view text, const std::string& where, char field)
{
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw Error(std::string("field ") + field + ": is not a number: " + quote(std::string(text)),
                where);
  return value;
}

// Checks a complete record; throws Error naming the record's first line when apk could not
// install it (no name, version or identity checksum).
void check_record(const Package& package, const std::string& at)
{
  if (package.name.empty())
    throw Error("record has no package name (P:)", at);
  if (package.version.empty())
    throw Error("record for " + quote(package.name) + " has no version (V:)", at);
  if (package.checksum.empty())
    throw Error("record for " + quote(package.name) + " has no checksum (C:)", at);
}

// One record: "X:value" lines. Throws Error naming the line for anything apk could not read.
Package parse_record(std::string_view record, std::size_t first_line, const std::string& where)
{
  Package package;
  std::size_t line_number = first_line;
  for (std::size_t start = 0; start < record.size(); ++line_number) {
    std::size_t stop = record.find('\n', start);
    if (stop == std::string_view::npos)
      stop = record.size();
    const std::string_view line = record.substr(start, stop - start);
    start = stop + 1;
    const std::string at = where + ":" + std::to_string(line_number);
    if (line.size() < 2 || line[1] != ':')
      throw Error("malformed line " + quote(std::string(line.substr(0, 60))) +
                      " (expected a letter, ':' and a value)",
                  at);
    const char field = line[0];
    const std::string_view value = line.substr(2);
    switch (field) {
    case 'C': package.checksum = std::string(value); break;
    case 'P': package.name = std::string(value); break;
    case 'V': package.version = std::string(value); break;
    case 'A': package.arch = std::string(value); break;
    case 'S': package.size = parse_number<std::uint64_t>(value, at, field); break;
    case 'I': package.installed_size = parse_number<std::uint64_t>(value, at, field); break;
    case 'T': package.description = std::string(value); break;
    case 'U': package.url = std::string(value); break;
    case 'L': package.license = std::string(value); break;
    case 'o': package.origin = std::string(value); break;
    case 'm': package.maintainer = std::string(value); break;
    case 't': package.build_time = parse_number<std::int64_t>(value, at, field); break;
    case 'c': package.commit = std::string(value); break;
    case 'k': package.provider_priority = parse_number<int>(value, at, field); break;
    case 'D': package.depends = parse_dependencies(value, at); break;
    case 'p': package.provides = parse_dependencies(value, at); break;
    case 'i': package.install_if = parse_dependencies(value, at); break;
    default:
      // apk 2.14: unknown lower-case fields are ignored, an unknown upper-case field
      // means a newer format this package needs, so it must not be installed.
      if (field >= 'A' && field <= 'Z')
        package.uninstallable = true;
      break;
    }
  }
  check_record(package, where + ":" + std::to_string(first_line));
  return package;
}

// "'aspell-ru' (line 812)" or "the record at line 812" when the name is unreadable.
std::string record_name(std::string_view record, std::size_t first_line)
{
  const std::size_t at = record.find("P:");
  if (at != std::string_view::npos && (at == 0 || record[at - 1] == '\n')) {
    const std::size_t stop = record.find('\n', at);
    return quote(std::string(record.substr(at + 2, stop == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : stop - at - 2))) +
           " (line " + std::to_string(first_line) + ")";
  }
  return "the record at line " + std::to_string(first_line);
}

} // namespace

std::vector<Package> parse_index_text(const std::string& text, const std::string& where,
                                      std::size_t repository_position,
                                      std::vector<std::string>* problems)
{
  std::vector<Package> packages;
  std::size_t line_number = 1;
  std::size_t start = 0;
  while (start < text.size()) {
    // A record runs to the next empty line; empty lines between records are skipped.
    if (text[start] == '\n') {
      ++start;
      ++line_number;
      continue;
    }
    std::size_t stop = text.find("\n\n", start);
    stop = stop == std::string::npos ? text.size() : stop + 1;
    const std::string_view record(text.data() + start, stop - start);
    const std::size_t first_line = line_number;
    line_number += static_cast<std::size_t>(std::count(record.begin(), record.end(), '\n'));
    start = stop;
    try {
      Package package = parse_record(record, first_line, where);
      package.repository = repository_position;
      package.position = packages.size();
      package.record = std::string(record);
      if (!package.record.ends_with('\n'))
        package.record += '\n';
      if (problems && !is_valid_version(package.version))
        problems->push_back("record " + record_name(record, first_line) + " has version " +
                            quote(package.version) +
                            ", which apk reads but does not consider valid");
      packages.push_back(std::move(package));
    } catch (const Error& e) {
      if (!problems)
        throw;
      // One odd record never makes the index unusable: it is left out and named.
      problems->push_back("skipped " + record_name(record, first_line) + ": " + e.message() +
                          " (at " + e.where() + ")");
    }
  }
  return packages;
}

} // namespace compose::repo::apk
