#!/usr/bin/env bash
# Builds a local, real, signed Debian mirror with apt itself, for the Debian/Ubuntu tests:
#   tests/support/debian_mirror.sh DIR [--indexes-only] [PACKAGE...]
# DIR/dists/bookworm/InRelease and DIR/dists/bookworm/main/binary-amd64/Packages.xz are apt's
# own downloads, kept in their served, compressed form (so their SHA-256 matches InRelease);
# DIR/pool/… holds the .deb files of the packages' closure as apt resolves it, at the paths
# their Filename fields name. DIR/apt-resolution.txt is apt's own answer for the request
# (the resolution oracle). The mirror URI is read from this machine's apt configuration and
# never written anywhere. Re-running reuses what is already there.
set -euo pipefail
dir=$1
shift
indexes_only=0
if [[ "${1:-}" == "--indexes-only" ]]; then
  indexes_only=1
  shift
fi
suite=bookworm
arch=$(dpkg --print-architecture)
state=$dir/.apt
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/parts" \
  "$state/status-dir" "$dir/dists/$suite/main/binary-$arch"
touch "$state/status-dir/status"

# The first deb822 stanza of the machine's Debian sources, restricted to one suite.
source_file=$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
if [[ -n "$source_file" ]]; then
  awk 'BEGIN { RS = ""; ORS = "\n\n" } NR == 1' "$source_file" |
    sed -E "s/^Suites:.*/Suites: $suite/; s/^Components:.*/Components: main/" >"$state/parts/debian.sources"
else
  uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
  printf 'deb %s %s main\n' "$uri" "$suite" >"$state/parts/debian.list"
fi

cat >"$state/apt.conf" <<CONF
Dir::State::Lists "$state/lists";
Dir::State::status "$state/status-dir/status";
Dir::Cache "$state/cache";
Dir::Etc::SourceList "$state/none.list";
Dir::Etc::SourceParts "$state/parts";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "xz";
Acquire::IndexTargets::deb::Packages::KeepCompressedAs "xz";
APT::Architecture "$arch";
APT::Architectures "$arch";
Debug::NoLocking "true";
APT::Sandbox::User "root";
CONF
export APT_CONFIG=$state/apt.conf

if [[ ! -s "$dir/dists/$suite/InRelease" ]]; then
  apt-get update -qq
  cp "$state"/lists/*_dists_${suite}_InRelease "$dir/dists/$suite/InRelease"
  cp "$state"/lists/*_dists_${suite}_main_binary-${arch}_Packages.xz \
    "$dir/dists/$suite/main/binary-$arch/Packages.xz"
fi
((indexes_only)) && exit 0
(($#)) || exit 0

# apt's resolution for an empty system, then each package downloaded into its pool path.
apt-get install --simulate -qq "$@" | awk '$1 == "Inst" { print $2, substr($3, 2) }' |
  sort >"$dir/apt-resolution.txt"
while read -r name version; do
  filename=$(apt-cache show "$name=$version" | awk '$1 == "Filename:" { print $2; exit }')
  [[ -s "$dir/$filename" ]] && continue
  mkdir -p "$dir/$(dirname "$filename")"
  (cd "$dir/$(dirname "$filename")" && apt-get download -qq "$name=$version")
done <"$dir/apt-resolution.txt"
