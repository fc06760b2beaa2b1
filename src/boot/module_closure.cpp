// The module closure: modules.dep gives each module's hard dependencies (load them first),
// modules.softdep the "pre:"/"post:" ones, modules.alias maps names such as "crc32c" to
// the modules providing them, and modules.builtin lists what needs no loading.
#include "boot/module_closure.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <sstream>

#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::boot {

namespace {

std::string normalize(std::string name)
{
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// "kernel/drivers/block/virtio_blk.ko" -> "virtio_blk"; compressed suffixes are kept out
// of the name too, though busybox insmod could not load them.
std::string name_of_path(const std::string& path)
{
  std::string base = path.substr(path.rfind('/') + 1);
  const std::size_t dot = base.find(".ko");
  if (dot != std::string::npos)
    base.resize(dot);
  return normalize(base);
}

std::vector<std::string> words(const std::string& line)
{
  std::istringstream stream(line);
  std::vector<std::string> result;
  std::string word;
  while (stream >> word)
    result.push_back(word);
  return result;
}

template <typename Visit>
void for_each_line(const std::string& text, Visit visit)
{
  std::size_t start = 0;
  std::size_t number = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    ++number;
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line.front() != '#')
      visit(line, number);
    start = end + 1;
  }
}

class ClosureWalk {
public:
  explicit ClosureWalk(const ModuleDatabase& database) : m_database(database) {}

  // The modules a name stands for: itself, or every module an alias pattern maps it to.
  // Empty when built in; `found` says whether the name is known at all.
  std::vector<std::string> providers(const std::string& requested, bool& found) const
  {
    const std::string name = normalize(requested);
    found = true;
    if (m_database.paths.contains(name))
      return {name};
    if (m_database.builtin.contains(name))
      return {};
    std::vector<std::string> result;
    bool matched = false;
    for (const auto& [pattern, target] : m_database.aliases) {
      if (fnmatch(pattern.c_str(), requested.c_str(), 0) != 0 &&
          fnmatch(pattern.c_str(), name.c_str(), 0) != 0)
        continue;
      matched = true;
      // An alias may point at a built-in module, which is as good as loaded.
      if (m_database.paths.contains(target) &&
          std::find(result.begin(), result.end(), target) == result.end())
        result.push_back(target);
    }
    found = matched;
    return result;
  }

  void visit(const std::string& name)
  {
    if (m_done.contains(name) || m_active.contains(name))
      return;
    m_active.insert(name);
    visit_soft(m_database.soft_before, name);
    if (const auto deps = m_database.dependencies.find(name);
        deps != m_database.dependencies.end())
      // modules.dep lists the modules a module needs with the deepest last; loading in
      // reverse list order (and recursing) gives a valid order, as modprobe does.
      for (auto dep = deps->second.rbegin(); dep != deps->second.rend(); ++dep)
        visit(*dep);
    m_active.erase(name);
    m_done.insert(name);
    m_order.push_back(m_database.paths.at(name));
    visit_soft(m_database.soft_after, name);
  }

  std::vector<std::string> take_order() { return std::move(m_order); }

private:
  void visit_soft(const std::map<std::string, std::vector<std::string>>& table,
                  const std::string& name)
  {
    const auto soft = table.find(name);
    if (soft == table.end())
      return;
    for (const std::string& requested : soft->second) {
      bool found = false;
      for (const std::string& provider : providers(requested, found))
        visit(provider);
    }
  }

  const ModuleDatabase& m_database;
  std::set<std::string> m_done;
  std::set<std::string> m_active;
  std::vector<std::string> m_order;
};

} // namespace

ModuleDatabase parse_module_database(const std::string& dep_text, const std::string& softdep_text,
                                     const std::string& alias_text,
                                     const std::string& builtin_text)
{
  ModuleDatabase database;
  for_each_line(dep_text, [&](const std::string& line, std::size_t number) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      throw Error("line is not 'module.ko: dependencies…'",
                  "modules.dep:" + std::to_string(number));
    const std::string path = line.substr(0, colon);
    const std::string name = name_of_path(path);
    database.paths[name] = path;
    std::vector<std::string>& deps = database.dependencies[name];
    for (const std::string& dep : words(line.substr(colon + 1))) {
      deps.push_back(name_of_path(dep));
      database.paths.emplace(name_of_path(dep), dep);
    }
  });
  for_each_line(softdep_text, [&](const std::string& line, std::size_t number) {
    const std::vector<std::string> fields = words(line);
    if (fields.size() < 2 || fields[0] != "softdep")
      throw Error("line is not 'softdep module pre: … post: …'",
                  "modules.softdep:" + std::to_string(number));
    const std::string name = normalize(fields[1]);
    // Names before any "pre:" or "post:" are "pre:" ones, as modprobe.d(5) reads them.
    std::vector<std::string>* target = &database.soft_before[name];
    for (std::size_t index = 2; index < fields.size(); ++index) {
      if (fields[index] == "pre:")
        target = &database.soft_before[name];
      else if (fields[index] == "post:")
        target = &database.soft_after[name];
      else
        target->push_back(fields[index]);
    }
  });
  for_each_line(alias_text, [&](const std::string& line, std::size_t number) {
    const std::vector<std::string> fields = words(line);
    if (fields.size() != 3 || fields[0] != "alias")
      throw Error("line is not 'alias pattern module'",
                  "modules.alias:" + std::to_string(number));
    database.aliases.emplace_back(fields[1], normalize(fields[2]));
  });
  for_each_line(builtin_text, [&](const std::string& line, std::size_t) {
    database.builtin.insert(name_of_path(line));
  });
  return database;
}

ModuleDatabase load_module_database(const std::filesystem::path& module_directory)
{
  const std::filesystem::path dep = module_directory / "modules.dep";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dep, ec))
    throw Error("no modules.dep for this kernel", dep.string(),
                "install the kernel's modules (linux-image-cloud-amd64) or pass --initrd");
  const auto optional_file = [&](const char* name) {
    const std::filesystem::path path = module_directory / name;
    return std::filesystem::is_regular_file(path, ec) ? read_file(path) : std::string();
  };
  try {
    return parse_module_database(read_file(dep), optional_file("modules.softdep"),
                                 optional_file("modules.alias"),
                                 optional_file("modules.builtin"));
  } catch (Error& e) {
    e.at(module_directory.string());
    throw;
  }
}

std::vector<std::string> resolve_module_closure(const ModuleDatabase& database,
                                                const std::vector<std::string>& names)
{
  ClosureWalk walk(database);
  std::vector<std::string> unknown;
  for (const std::string& name : names) {
    bool found = false;
    const std::vector<std::string> providers = walk.providers(name, found);
    if (!found) {
      unknown.push_back(quote(name));
      continue;
    }
    for (const std::string& provider : providers)
      walk.visit(provider);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& name : unknown)
      list += (list.empty() ? "" : ", ") + name;
    throw Error("kernel has no module " + list, "modules.dep",
                "check the name with `modinfo -k KVER NAME`, or use another kernel");
  }
  return walk.take_order();
}

const std::vector<std::string>& default_boot_modules()
{
  static const std::vector<std::string> modules = {
      "virtio_pci", "virtio_mmio", "virtio_blk", "virtio_net", "virtio_rng", "ext4",
      "crc32c_generic", "overlay", "veth", "tun", "br_netfilter", "nf_tables", "nft_compat",
      "nft_chain_nat", "nft_ct", "nft_masq", "nft_nat", "nft_reject_inet", "nft_fib_inet",
      "x_tables", "xt_MASQUERADE", "xt_addrtype", "xt_conntrack", "xt_tcpudp", "xt_comment",
      "xt_mark", "xt_nat", "xt_set", "ip_tables", "iptable_nat", "iptable_filter",
      "ip6_tables", "ip6table_nat", "ip6table_filter", "nf_conntrack_netlink", "ip_set",
      "ip_set_hash_net"};
  return modules;
}

} // namespace compose::boot
