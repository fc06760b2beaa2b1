// Release parsing; see release_file.hpp.
#include "repo/deb/release_file.hpp"

#include <charconv>
#include <ctime>
#include <sstream>

#include "repo/deb/control_file.hpp"
#include "util/error.hpp"
#include "util/utc_text.hpp"

namespace compose::repo::deb {

namespace {

std::vector<std::string> words(const std::string& text)
{
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

bool is_hex64(const std::string& text)
{
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

std::int64_t parse_release_date(const std::string& text, const std::string& where)
{
  // "[Day, ]DD Mon YYYY HH:MM:SS UTC|+0000"
  std::vector<std::string> parts = words(text);
  if (!parts.empty() && parts[0].back() == ',')
    parts.erase(parts.begin());
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm time{};
  int month = -1;
  if (parts.size() == 5)
    for (int i = 0; i < 12; ++i)
      if (parts[1] == months[i])
        month = i;
  int hour = 0, minute = 0, second = 0;
  if (month < 0 || (parts[4] != "UTC" && parts[4] != "+0000" && parts[4] != "GMT") ||
      std::sscanf(parts[3].c_str(), "%d:%d:%d", &hour, &minute, &second) != 3)
    throw Error("unreadable date " + quote(text), where);
  int day = 0, year = 0;
  if (std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), day).ec != std::errc() ||
      std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), year).ec != std::errc())
    throw Error("unreadable date " + quote(text), where);
  time.tm_mday = day;
  time.tm_mon = month;
  time.tm_year = year - 1900;
  time.tm_hour = hour;
  time.tm_min = minute;
  time.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&time));
}

Release parse_release(const std::string& verified_text, const std::string& where)
{
  const std::vector<Paragraph> paragraphs = parse_control(verified_text, where);
  if (paragraphs.empty())
    throw Error("empty Release file", where);
  const Paragraph& fields = paragraphs.front();
  Release release;
  release.origin = fields.value("Origin");
  release.label = fields.value("Label");
  release.suite = fields.value("Suite");
  release.codename = fields.value("Codename");
  release.version = fields.value("Version");
  if (const auto date = fields.get("Date"))
    release.date = parse_release_date(*date, where);
  if (const auto valid = fields.get("Valid-Until"))
    release.valid_until = parse_release_date(*valid, where);
  release.architectures = words(fields.value("Architectures"));
  release.components = words(fields.value("Components"));
  release.acquire_by_hash = fields.value("Acquire-By-Hash") == "yes";
  const auto list = fields.get("SHA256");
  if (!list)
    throw Error("Release has no SHA256 list (MD5Sum and SHA1 alone are too weak)", where,
                "use a mirror that publishes SHA256 checksums");
  std::istringstream lines(*list);
  for (std::string line; std::getline(lines, line);) {
    const std::vector<std::string> entry = words(line);
    if (entry.empty())
      continue;
    std::uint64_t size = 0;
    if (entry.size() != 3 || !is_hex64(entry[0]) ||
        std::from_chars(entry[1].data(), entry[1].data() + entry[1].size(), size).ec !=
            std::errc())
      throw Error("malformed SHA256 line " + quote(line), where);
    release.files.push_back({entry[2], size, entry[0]});
  }
  return release;
}

void check_valid_until(const Release& release, std::int64_t now, bool allow_expired,
                       const std::string& where)
{
  if (!release.valid_until || now <= *release.valid_until || allow_expired)
    return;
  throw Error("Release expired: Valid-Until " + utc_text(*release.valid_until) +
                  " is before now, " + utc_text(now),
              where,
              "a current mirror publishes a fresh Release; for a snapshot or an air-gapped copy, "
              "accept it explicitly with --allow-expired-release (recorded in the build report)");
}

std::vector<const ReleaseEntry*> packages_indexes(const Release& release,
                                                  const std::string& component,
                                                  const std::string& architecture)
{
  const std::string base = component + "/binary-" + architecture + "/Packages";
  std::vector<const ReleaseEntry*> entries;
  for (const char* suffix : {".xz", ".gz", ""})
    for (const ReleaseEntry& entry : release.files)
      if (entry.path == base + suffix) {
        entries.push_back(&entry);
        break;
      }
  return entries;
}

std::string by_hash_path(const ReleaseEntry& entry)
{
  const std::size_t slash = entry.path.rfind('/');
  const std::string directory = slash == std::string::npos ? "" : entry.path.substr(0, slash + 1);
  return directory + "by-hash/SHA256/" + entry.sha256;
}

} // namespace compose::repo::deb
