// APKINDEX text -> Package records (apk.md §4). Parsed only after the signature checked out.
#include "repo/apk/index.hpp"

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

void finish(Package& package, std::size_t first_line, const std::string& where,
            std::vector<Package>& out)
{
  const std::string at = where + ":" + std::to_string(first_line);
  if (package.name.empty())
    throw Error("record has no package name (P:)", at);
  if (package.version.empty())
    throw Error("record for " + quote(package.name) + " has no version (V:)", at);
  if (package.checksum.empty())
    throw Error("record for " + quote(package.name) + " has no checksum (C:)", at);
  if (!is_valid_version(package.version))
    throw Error("record for " + quote(package.name) + " has an invalid version " +
                    quote(package.version),
                at);
  out.push_back(std::move(package));
}

} // namespace

std::vector<Package> parse_index_text(const std::string& text, const std::string& where,
                                      std::size_t repository_position)
{
  std::vector<Package> packages;
  Package current;
  current.repository = repository_position;
  bool in_record = false;
  std::size_t record_line = 0;
  std::size_t record_start = 0;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t line_start = start;
    std::size_t stop = text.find('\n', start);
    if (stop == std::string::npos)
      stop = text.size();
    const std::string_view line(text.data() + start, stop - start);
    ++line_number;
    start = stop + 1;
    if (line.empty()) {
      if (in_record) {
        current.record = text.substr(record_start, line_start - record_start);
        finish(current, record_line, where, packages);
        current = Package{};
        current.repository = repository_position;
        in_record = false;
      }
      if (stop == text.size())
        break;
      continue;
    }
    const std::string at = where + ":" + std::to_string(line_number);
    if (line.size() < 2 || line[1] != ':')
      throw Error("malformed line " + quote(std::string(line.substr(0, 60))) +
                      " (expected a letter, ':' and a value)",
                  at);
    if (!in_record) {
      in_record = true;
      record_line = line_number;
      record_start = line_start;
    }
    const char field = line[0];
    const std::string_view value = line.substr(2);
    switch (field) {
    case 'C': current.checksum = std::string(value); break;
    case 'P': current.name = std::string(value); break;
    case 'V': current.version = std::string(value); break;
    case 'A': current.arch = std::string(value); break;
    case 'S': current.size = parse_number<std::uint64_t>(value, at, field); break;
    case 'I': current.installed_size = parse_number<std::uint64_t>(value, at, field); break;
    case 'T': current.description = std::string(value); break;
    case 'U': current.url = std::string(value); break;
    case 'L': current.license = std::string(value); break;
    case 'o': current.origin = std::string(value); break;
    case 'm': current.maintainer = std::string(value); break;
    case 't': current.build_time = parse_number<std::int64_t>(value, at, field); break;
    case 'c': current.commit = std::string(value); break;
    case 'k': current.provider_priority = parse_number<int>(value, at, field); break;
    case 'D': current.depends = parse_dependencies(value, at); break;
    case 'p': current.provides = parse_dependencies(value, at); break;
    case 'i': current.install_if = parse_dependencies(value, at); break;
    default:
      // apk 2.14: unknown lower-case fields are ignored, an unknown upper-case field
      // means a newer format this package needs, so it must not be installed.
      if (field >= 'A' && field <= 'Z')
        current.uninstallable = true;
      break;
    }
  }
  if (in_record) {
    current.record = text.substr(record_start);
    if (!current.record.ends_with('\n'))
      current.record += '\n';
    finish(current, record_line, where, packages);
  }
  return packages;
}

} // namespace compose::repo::apk
