// The kernel contract; see kernel_config.hpp.
#include "boot/kernel_config.hpp"

#include <sstream>

#include "util/decompress.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::boot {

std::map<std::string, std::string> parse_kernel_config(const std::string& text,
                                                       const std::string& where)
{
  std::map<std::string, std::string> options;
  std::istringstream lines(text);
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    if (line.empty() || line.starts_with('#'))
      continue; // comments include "# CONFIG_X is not set": absent is not set
    const std::size_t equals = line.find('=');
    if (!line.starts_with("CONFIG_") || equals == std::string::npos || equals == 7)
      throw Error("not a kernel configuration line: " + quote(line),
                  where + ":" + std::to_string(number),
                  "give the kernel's .config (e.g. /boot/config-$(uname -r) or /proc/config.gz)");
    const std::string value = line.substr(equals + 1);
    if (value != "n")
      options[line.substr(7, equals - 7)] = value;
  }
  return options;
}

std::map<std::string, std::string> read_kernel_config(const std::filesystem::path& file)
{
  std::string text = read_file(file);
  if (file.extension() == ".gz")
    text = decompress(text, "gz", file.string());
  return parse_kernel_config(text, file.string());
}

std::vector<KernelRequirement> kernel_requirements(const std::string& engine)
{
  // Docker's own contrib/check-config.sh and the boot notes of these machines are the
  // sources; "recommended" is what the engines run without, with a feature less.
  const std::vector<KernelRequirement> all = {
      {{"VIRTIO_BLK"}, "the root disk /dev/vda", true, ""},
      {{"VIRTIO_PCI", "VIRTIO_MMIO"}, "a virtio transport, PCI or MMIO", true, ""},
      {{"VIRTIO_NET"}, "the network interface", true, ""},
      {{"EXT4_FS"}, "the ext4 root and data disks", true, ""},
      {{"DEVTMPFS"}, "/dev, mounted by the init", true, ""},
      {{"TMPFS"}, "/run and /dev/shm", true, ""},
      {{"PROC_FS"}, "/proc", true, ""},
      {{"SYSFS"}, "/sys", true, ""},
      {{"UNIX98_PTYS"}, "/dev/pts, for SSH sessions", true, ""},
      {{"UNIX"}, "Unix sockets: supervisord, the engine's API", true, ""},
      {{"INET"}, "TCP/IP", true, ""},
      {{"CGROUPS"}, "cgroup2, mounted by the init", true, ""},
      {{"MEMCG"}, "the memory controller: container memory limits", true, ""},
      {{"CGROUP_PIDS"}, "the pids controller", true, ""},
      {{"CGROUP_BPF", "CGROUP_DEVICE"}, "device access control of containers", true, ""},
      {{"CPUSETS"}, "the cpuset controller: --cpuset-cpus", false, ""},
      {{"CGROUP_SCHED"}, "the cpu controller: --cpus", false, ""},
      {{"NAMESPACES"}, "namespaces", true, ""},
      {{"UTS_NS"}, "UTS namespaces", true, ""},
      {{"IPC_NS"}, "IPC namespaces", true, ""},
      {{"PID_NS"}, "PID namespaces", true, ""},
      {{"NET_NS"}, "network namespaces", true, ""},
      {{"USER_NS"}, "user namespaces: rootless containers, userns-remap", false, ""},
      {{"POSIX_MQUEUE"}, "/dev/mqueue in containers", true, ""},
      {{"OVERLAY_FS"}, "the overlay storage driver", true, ""},
      {{"SECCOMP_FILTER"}, "the engines' default seccomp profile", false, ""},
      {{"KEYS"}, "session keyrings in containers", false, ""},
      {{"VETH"}, "container network interfaces", true, ""},
      {{"BRIDGE"}, "the container bridge network", true, ""},
      {{"BRIDGE_NETFILTER"}, "iptables rules on bridged traffic", true, "docker"},
      {{"BRIDGE_NETFILTER"}, "iptables rules on bridged traffic", false, "podman"},
      {{"NF_CONNTRACK"}, "connection tracking", true, ""},
      {{"NF_NAT"}, "NAT of published ports", true, ""},
      {{"NFT_COMPAT", "IP_NF_IPTABLES"}, "iptables: the nft backend through nft_compat, or legacy",
       true, ""},
      {{"NETFILTER_XT_TARGET_MASQUERADE", "IP_NF_TARGET_MASQUERADE", "NFT_MASQ"},
       "masquerading of outgoing container traffic", true, ""},
      {{"NETFILTER_XT_MATCH_ADDRTYPE"}, "Docker's addrtype rules", true, "docker"},
      {{"NETFILTER_XT_MATCH_CONNTRACK"}, "Docker's conntrack rules", true, "docker"},
      {{"IPV6"}, "IPv6", false, ""},
      {{"TUN"}, "TUN devices: slirp4netns and pasta networking", false, "podman"},
  };
  std::vector<KernelRequirement> selected;
  for (const KernelRequirement& requirement : all)
    if (requirement.engine.empty() || requirement.engine == engine)
      selected.push_back(requirement);
  return selected;
}

std::vector<KernelRequirement> direct_boot_requirements(bool virtio_mmio)
{
  std::vector<KernelRequirement> requirements = {
      {{"DEVTMPFS_MOUNT"}, "/dev before init starts: its console", true, ""},
      {{"IP_PNP"}, "the address from ip= (no initramfs to set it)", true, ""},
  };
  if (virtio_mmio) {
    requirements.push_back({{"VIRTIO_MMIO"}, "the virtio-mmio transport of microvm", true, ""});
    requirements.push_back({{"VIRTIO_MMIO_CMDLINE_DEVICES"},
                            "virtio_mmio.device= on the command line, how QEMU names them",
                            true, ""});
  }
  return requirements;
}

std::vector<KernelFinding> check_kernel_config(const std::map<std::string, std::string>& config,
                                               const std::vector<KernelRequirement>& requirements)
{
  std::vector<KernelFinding> findings;
  for (const KernelRequirement& requirement : requirements) {
    KernelFinding finding;
    finding.requirement = &requirement;
    finding.option = requirement.options.front();
    // Built in beats a module, whichever alternative gives it.
    for (const char* wanted : {"y", "m"}) {
      for (const std::string& option : requirement.options) {
        const auto found = config.find(option);
        if (found != config.end() && found->second == wanted) {
          finding.option = option;
          finding.value = wanted;
          finding.status = finding.value == "y" ? KernelFinding::Status::built_in
                                                : KernelFinding::Status::module;
          break;
        }
      }
      if (finding.status != KernelFinding::Status::missing)
        break;
    }
    findings.push_back(std::move(finding));
  }
  return findings;
}

std::string unmet_requirements(const std::vector<KernelFinding>& findings, bool built_in)
{
  std::string unmet;
  for (const KernelFinding& finding : findings) {
    const bool module = finding.status == KernelFinding::Status::module;
    if (!finding.requirement->required ||
        !(finding.status == KernelFinding::Status::missing || (module && built_in)))
      continue;
    unmet += (unmet.empty() ? "" : "; ") + ("CONFIG_" + finding.option) +
             (module ? " (=m)" : "") + " for " + finding.requirement->purpose;
  }
  return unmet;
}

} // namespace compose::boot
