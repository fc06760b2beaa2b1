// The dpkg database (/var/lib/dpkg) of an image whose packages were unpacked without dpkg:
// status, info/<package>.{list,md5sums,conffiles,<scripts>,…}, diversions, statoverride,
// alternatives/<name>, triggers/, arch, lock files — byte for byte what dpkg writes after
// "dpkg --install", so dpkg -l/-L/-S/--audit and apt work inside the image (deb.md §9.3).
// No "available" file is written: dpkg and apt do not need it, and mmdebstrap writes none.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "stage/tree.hpp"
#include "unpack/deb/unpacker.hpp"

namespace compose::unpack::deb {

// One unpacked package as the database records it: the unpacker's result plus the md5 of
// each conffile as shipped (taken right after unpacking, before any script effect edits it).
struct InstalledPackage {
  UnpackedPackage unpacked;
  std::vector<std::pair<std::string, std::string>> conffiles; // "/etc/x" -> md5 hex
};

// "dpkg-divert --package dash --divert /usr/bin/sh.distrib --add /usr/bin/sh".
struct Diversion {
  std::string path;        // "/bin/sh"
  std::string diverted_to; // "/bin/sh.distrib"
  std::string package;     // "dash"; ":" for a local diversion
};

// "dpkg-statoverride --add root messagebus 4754 /usr/lib/…/dbus-daemon-launch-helper".
struct StatOverride {
  std::string owner, group;
  std::uint32_t mode = 0;
  std::string path;
};

// One alternative group as update-alternatives keeps it (alternatives/<name>).
struct AlternativeChoice {
  std::string path;                           // "/usr/bin/mawk"
  long priority = 0;
  std::map<std::string, std::string> slaves;  // slave name -> this choice's target
};
struct Alternative {
  std::string name;                         // "awk"
  std::string link;                         // "/usr/bin/awk"
  std::map<std::string, std::string> slaves; // slave name -> slave link, sorted by name
  std::vector<AlternativeChoice> choices;    // in registration order
  // The choice "auto" mode selects: highest priority, the earlier one on a tie.
  const AlternativeChoice* best() const;
};

struct DpkgState {
  std::vector<Diversion> diversions;     // in the order the scripts added them (the file
                                         // lists the newest first, as dpkg-divert does)
  std::vector<StatOverride> statoverrides;
  std::map<std::string, Alternative> alternatives;
};

// The md5 of each conffile the package lists, read from the tree as unpacked. Throws Error
// naming the package when a listed conffile is not a regular file in the tree.
std::vector<std::pair<std::string, std::string>> conffile_digests(const UnpackedPackage& package,
                                                                  const stage::Tree& tree);

// The info/ file stem: "<name>" or "<name>:<arch>" for Multi-Arch: same.
std::string info_name(const UnpackedPackage& package);

// One status stanza (no trailing blank line): the .deb's own control fields in dpkg's
// order, "Status: install ok installed", Conffiles with the shipped md5s.
std::string status_stanza(const InstalledPackage& package);

// The alternatives/<name> admin file.
std::string alternative_admin_file(const Alternative& alternative);

// Writes var/lib/dpkg/ into the tree (replacing files of the same names). `packages` in
// install order; a path a later package took over (replaced_paths) leaves the earlier
// .list; the status file is sorted by name, then architecture.
void write_dpkg_database(const std::vector<InstalledPackage>& packages, const DpkgState& state,
                         const std::string& architecture, std::int64_t epoch, stage::Tree& tree);

} // namespace compose::unpack::deb
