// Reads a guest's /proc/mounts: where a device is mounted, to check the data disk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace compose::boot {

// The device a data disk gets in the guest: the second virtio disk.
inline constexpr std::string_view k_data_disk_device = "/dev/vdb";

struct MountEntry {
  std::string mount_point; // with /proc/mounts' octal escapes (\040 for a space) decoded
  std::string type;        // "ext4"
};

// The first mount of `device` in `proc_mounts` (lines "DEVICE MOUNT-POINT TYPE OPTIONS …"),
// or nothing when the device is not mounted.
std::optional<MountEntry> find_mount(const std::string& proc_mounts, std::string_view device);

} // namespace compose::boot
