#!/usr/bin/env bash
# Builds a local, real, signed Debian mirror with apt itself, for the Debian/Ubuntu tests:
#   tests/support/debian_mirror.sh DIR [--indexes-only] [EXTRA-PACKAGE...]
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
# Tests run in parallel and several use the mirror: one builds or checks it at a time.
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
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
# The detached-signature form of the same Release (Release + Release.gpg), for the
# fallback path. Fetched by apt's own helper from the configured mirror URI.
if [[ ! -s "$dir/dists/$suite/Release.gpg" ]]; then
  uri=$(apt-get indextargets --format '$(REPO_URI)' | head -n1)
  for name in Release Release.gpg; do
    /usr/lib/apt/apt-helper -qq download-file "${uri%/}/dists/$suite/$name" "$state/$name" >/dev/null
  done
  mv "$state/Release" "$dir/dists/$suite/Release"
  mv "$state/Release.gpg" "$dir/dists/$suite/Release.gpg"
fi
((indexes_only)) && exit 0

# The oracle answers: apt's resolution for an empty system of
#   apt-resolution.txt                the product set, with Recommends
#   apt-resolution-no-recommends.txt  the product set, without
#   apt-resolution-required.txt       mmdebstrap's "required" variant (Essential, Priority
#                                     required, apt) plus the product set, without Recommends
#   apt-resolution-podman.txt         the same for the podman flavour's set (the packages of
#                                     recipes/debian-12-podman.toml), so its closure is here too
product=(docker.io containerd runc openssh-server supervisor cron ca-certificates iptables
  iproute2 procps "$@")
podman_product=(podman fuse-overlayfs crun containernetworking-plugins catatonit openssh-server
  supervisor cron ca-certificates iptables iproute2 procps)
mapfile -t required < <(xz -dc "$dir/dists/$suite/main/binary-$arch/Packages.xz" |
  awk -v RS= '/\nPriority: required\n/ || /\nEssential: yes\n/ {
    match($0, /^Package: [^\n]+/); print substr($0, 10, RLENGTH - 9) }' | sort -u)
# Re-runs with the same request reuse the finished mirror. The podman set keeps its own
# stamp, so a mirror made for the product set alone is only extended, never redone.
stamp="${product[*]}"
podman_stamp="${podman_product[*]}"
stamped() { [[ -s "$dir/$1" && "$(cat "$dir/$1")" == "$2" ]]; }
stamped .complete "$stamp" && stamped .complete-podman "$podman_stamp" && exit 0
simulate() { # recommends output packages...
  local recommends=$1 output=$2 partial
  shift 2
  partial=$(mktemp "$state/resolution.XXXXXX")
  apt-get install --simulate -qq -o APT::Install-Recommends="$recommends" "$@" |
    awk '$1 == "Inst" { print $2, substr($3, 2) }' | sort >"$partial"
  mv "$partial" "$dir/$output" # readers never see a half-written answer
}
if ! stamped .complete "$stamp"; then
  rm -f "$dir/.complete"
  simulate true apt-resolution.txt "${product[@]}"
  simulate false apt-resolution-no-recommends.txt "${product[@]}"
  simulate false apt-resolution-required.txt "${required[@]}" apt "${product[@]}"
fi
if ! stamped .complete-podman "$podman_stamp"; then
  rm -f "$dir/.complete-podman"
  simulate false apt-resolution-podman.txt "${required[@]}" apt "${podman_product[@]}"
fi

# Every package of the four sets into its pool path, with one apt-get download (parallel
# transfers, checked by apt against the signed index). apt names a download
# name_version_arch.deb with ':' as %3a; Filename says where the pool keeps it.
sort -u "$dir"/apt-resolution*.txt >"$state/wanted.txt"
missing=()
declare -A pool_path
while read -r name version filename; do
  pool_path["$name $version"]=$filename
  [[ -s "$dir/$filename" ]] || missing+=("$name=$version")
done < <(awk '{ print $1 "=" $2 }' "$state/wanted.txt" | xargs apt-cache show --no-all-versions |
  awk '/^Package:/ { p = $2 } /^Version:/ { v = $2 } /^Filename:/ { print p, v, $2 }')
if ((${#missing[@]})); then
  rm -rf "$state/download" && mkdir -p "$state/download"
  (cd "$state/download" && apt-get download -qq "${missing[@]}")
  for file in "$state"/download/*.deb; do
    base=$(basename "$file" .deb)
    name=${base%%_*}
    rest=${base#*_}
    version=${rest%_*}
    version=${version//%3a/:}
    target=$dir/${pool_path["$name $version"]}
    mkdir -p "$(dirname "$target")"
    mv "$file" "$target"
  done
fi
printf "%s" "$stamp" >"$dir/.complete"
printf "%s" "$podman_stamp" >"$dir/.complete-podman"
