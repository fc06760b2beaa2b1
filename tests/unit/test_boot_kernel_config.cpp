// The kernel contract: .config lines parse (set, module, strings, "is not set", n), each
// requirement is met by any of its alternatives, built in before module, and the engine
// decides what is asked; junk is an error naming the line.
#include <doctest/doctest.h>

#include <algorithm>

#include "boot/kernel_config.hpp"
#include "util/error.hpp"

using namespace compose;

namespace {

const boot::KernelFinding& finding_for(const std::vector<boot::KernelFinding>& findings,
                                       const std::string& first_option)
{
  const auto found = std::find_if(findings.begin(), findings.end(), [&](const auto& finding) {
    return finding.requirement->options.front() == first_option;
  });
  REQUIRE(found != findings.end());
  return *found;
}

} // namespace

TEST_SUITE("boot::kernel_config")
{
  TEST_CASE(".config lines")
  {
    const auto config = boot::parse_kernel_config("#\n# Automatically generated file\n"
                                                  "CONFIG_EXT4_FS=y\nCONFIG_OVERLAY_FS=m\n"
                                                  "CONFIG_LOCALVERSION=\"-cloud\"\n"
                                                  "# CONFIG_USER_NS is not set\n"
                                                  "CONFIG_KEYS=n\n\n",
                                                  "config");
    CHECK(config.size() == 3);
    CHECK(config.at("EXT4_FS") == "y");
    CHECK(config.at("OVERLAY_FS") == "m");
    CHECK(config.at("LOCALVERSION") == "\"-cloud\"");
    CHECK_FALSE(config.contains("USER_NS"));
    CHECK_FALSE(config.contains("KEYS"));
    CHECK_THROWS_WITH_AS(boot::parse_kernel_config("CONFIG_A=y\nPackage: docker\n", "x.config"),
                         doctest::Contains("not a kernel configuration line: 'Package: docker'"),
                         Error);
    try {
      boot::parse_kernel_config("CONFIG_A=y\nCONFIG_=y\n", "x.config");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.where() == "x.config:2");
    }
  }

  TEST_CASE("alternatives, built in before module, missing")
  {
    const std::vector<boot::KernelRequirement> requirements = boot::kernel_requirements("docker");
    const auto findings = boot::check_kernel_config(
        {{"VIRTIO_PCI", "m"}, {"VIRTIO_MMIO", "y"}, {"OVERLAY_FS", "m"}, {"IP_NF_IPTABLES", "y"},
         {"IP_NF_TARGET_MASQUERADE", "m"}, {"NFT_MASQ", "y"}},
        requirements);
    CHECK(findings.size() == requirements.size());
    const boot::KernelFinding& transport = finding_for(findings, "VIRTIO_PCI");
    CHECK(transport.option == "VIRTIO_MMIO");
    CHECK(transport.status == boot::KernelFinding::Status::built_in);
    const boot::KernelFinding& overlay = finding_for(findings, "OVERLAY_FS");
    CHECK(overlay.status == boot::KernelFinding::Status::module);
    CHECK(overlay.value == "m");
    CHECK(finding_for(findings, "NFT_COMPAT").option == "IP_NF_IPTABLES");
    const boot::KernelFinding& masquerade = finding_for(findings, "NETFILTER_XT_TARGET_MASQUERADE");
    CHECK(masquerade.option == "NFT_MASQ");
    CHECK(masquerade.status == boot::KernelFinding::Status::built_in);
    const boot::KernelFinding& disk = finding_for(findings, "VIRTIO_BLK");
    CHECK(disk.status == boot::KernelFinding::Status::missing);
    CHECK(disk.value.empty());
    CHECK(disk.requirement->required);
  }

  TEST_CASE("the engine decides: Docker's iptables matches, podman's TUN")
  {
    const auto names = [](const std::string& engine) {
      std::vector<std::string> options;
      for (const boot::KernelRequirement& requirement : boot::kernel_requirements(engine))
        options.push_back(requirement.options.front() + (requirement.required ? "!" : "?"));
      return options;
    };
    const std::vector<std::string> docker = names("docker"), podman = names("podman");
    const auto has = [](const std::vector<std::string>& list, const std::string& name) {
      return std::find(list.begin(), list.end(), name) != list.end();
    };
    CHECK(has(docker, "NETFILTER_XT_MATCH_ADDRTYPE!"));
    CHECK_FALSE(has(podman, "NETFILTER_XT_MATCH_ADDRTYPE!"));
    CHECK(has(docker, "BRIDGE_NETFILTER!"));
    CHECK(has(podman, "BRIDGE_NETFILTER?"));
    CHECK(has(podman, "TUN?"));
    CHECK_FALSE(has(docker, "TUN?"));
    for (const auto* list : {&docker, &podman}) {
      CHECK(has(*list, "MEMCG!"));
      CHECK(has(*list, "OVERLAY_FS!"));
      CHECK(has(*list, "VIRTIO_BLK!"));
      CHECK(has(*list, "USER_NS?"));
    }
  }

  TEST_CASE("a boot without initramfs: its own needs, and modules do not count")
  {
    std::vector<boot::KernelRequirement> requirements = boot::kernel_requirements("docker");
    const auto pc = boot::direct_boot_requirements(false);
    const auto micro = boot::direct_boot_requirements(true);
    CHECK(pc.size() == 2);
    REQUIRE(micro.size() == 4);
    CHECK(micro[2].options.front() == "VIRTIO_MMIO");
    CHECK(micro[3].options.front() == "VIRTIO_MMIO_CMDLINE_DEVICES");
    requirements.insert(requirements.end(), micro.begin(), micro.end());
    // The cloud kernel's shape: virtio as modules, no IP_PNP.
    std::map<std::string, std::string> config;
    for (const boot::KernelRequirement& requirement : requirements)
      config[requirement.options.front()] = "y";
    config["VIRTIO_BLK"] = "m";
    config["VIRTIO_MMIO"] = "m";
    config.erase("IP_PNP");
    const auto findings = boot::check_kernel_config(config, requirements);
    CHECK(boot::unmet_requirements(findings, false) ==
          "CONFIG_IP_PNP for the address from ip= (no initramfs to set it)");
    const std::string built_in = boot::unmet_requirements(findings, true);
    CHECK(built_in.starts_with("CONFIG_VIRTIO_BLK (=m) for the root disk /dev/vda; "));
    CHECK(built_in.find("CONFIG_VIRTIO_MMIO (=m) for the virtio-mmio transport") !=
          std::string::npos);
    CHECK(built_in.find("CONFIG_IP_PNP for") != std::string::npos);
    // A recommended option never fails the check.
    config.erase("USER_NS");
    config["VIRTIO_BLK"] = config["VIRTIO_MMIO"] = config["IP_PNP"] = "y";
    CHECK(boot::unmet_requirements(boot::check_kernel_config(config, requirements), true).empty());
  }
}
