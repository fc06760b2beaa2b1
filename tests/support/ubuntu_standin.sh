#!/usr/bin/env bash
# Stand-ins for the Ubuntu archive and Docker's apt repository, for building the shipped
# Ubuntu recipes where neither can be reached:
#   tests/support/ubuntu_standin.sh DEBIAN-MIRROR OUT-DIR CODENAME
# OUT/ubuntu: an archive in Ubuntu's layout (CODENAME, -updates and -security; main and
#   universe) whose main holds the real, signed-by-Debian bookworm packages of the test
#   mirror (tests/support/debian_mirror.sh), re-indexed and signed by a throwaway key.
# OUT/docker: Docker's layout (dists/CODENAME/stable, pool/stable/…) with docker-ce,
#   docker-ce-cli and containerd.io built from the real dockerd, docker, containerd and runc
#   binaries of Debian's packages, with Docker's package names, paths (dockerd in /usr/bin)
#   and relations (containerd.io provides and conflicts with containerd and runc).
# OUT/keys: the two throwaway public keys under the file names of the real ones
#   (ubuntu-archive-keyring.gpg, docker.asc); OUT/trust: the repository's keys/*.toml with
#   those two keys' pins swapped for the throwaways'.
set -euo pipefail
debian=$1 out=$2 codename=$3
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
arch=amd64
export SOURCE_DATE_EPOCH=1750000000
mkdir -p "$out"
export GNUPGHOME=$out/gnupg
mkdir -p -m 700 "$GNUPGHOME"

# make_key NAME FILE [--armor]: a throwaway signing key; prints its fingerprint.
make_key() {
  gpg --batch --quiet --passphrase '' --quick-gen-key "$1 <$1@example.invalid>" ed25519 sign never 2>/dev/null
  local fingerprint
  fingerprint=$(gpg --with-colons --list-keys "$1@example.invalid" 2>/dev/null | awk -F: '$1 == "fpr" { print tolower($10); exit }')
  gpg --export ${3:-} "$fingerprint" >"$2"
  echo "$fingerprint"
}
mkdir -p "$out/keys"
ubuntu_fpr=$(make_key ubuntu-standin "$out/keys/ubuntu-archive-keyring.gpg")
docker_fpr=$(make_key docker-standin "$out/keys/docker.asc" --armor)

# sign_release DIR SUITE COMPONENTS KEY: Release over the Packages files below DIR, InRelease.
sign_release() {
  local dir=$1 suite=$2 components=$3 key=$4
  {
    printf 'Origin: Stand-in\nLabel: Stand-in\nSuite: %s\nCodename: %s\n' "$suite" "$suite"
    printf 'Date: Mon, 16 Jun 2025 00:00:00 UTC\nArchitectures: %s\nComponents: %s\nSHA256:\n' \
      "$arch" "$components"
    (cd "$dir" && find . -name 'Packages*' -type f | sed 's|^\./||' | sort | while read -r file; do
      printf ' %s %s %s\n' "$(sha256sum "$file" | cut -d' ' -f1)" "$(stat -c %s "$file")" "$file"
    done)
  } >"$dir/Release"
  gpg --batch --quiet --yes --local-user "$key" --digest-algo SHA256 --clearsign \
    --output "$dir/InRelease" "$dir/Release"
}

# The Ubuntu stand-in: bookworm's main as CODENAME's main; the other pockets empty.
ubuntu=$out/ubuntu
rm -rf "$ubuntu" && mkdir -p "$ubuntu"
ln -s "$debian/pool" "$ubuntu/pool"
for suite in "$codename" "$codename-updates" "$codename-security"; do
  for component in main universe; do
    dir=$ubuntu/dists/$suite/$component/binary-$arch
    mkdir -p "$dir"
    if [[ $suite == "$codename" && $component == main ]]; then
      cp "$debian/dists/bookworm/main/binary-$arch/Packages.xz" "$dir/Packages.xz"
    else
      : | xz -c >"$dir/Packages.xz"
    fi
  done
  sign_release "$ubuntu/dists/$suite" "$suite" "main universe" "$ubuntu_fpr"
done

# The Docker stand-in: three packages made from Debian's binaries, cached between runs.
debs=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/docker-standin-2
if [[ ! -e "$debs/.complete" ]]; then
  rm -rf "$debs.tmp" && mkdir -p "$debs.tmp/x"
  for package in docker.io containerd runc; do
    deb=$(ls "$debian"/pool/main/*/*/"${package}"_*.deb | head -n1)
    dpkg-deb -x "$deb" "$debs.tmp/x/$package"
  done
  # build_deb NAME VERSION DEPENDS EXTRA-FIELDS FILE...: FILE is SOURCE:DESTINATION.
  build_deb() {
    local name=$1 version=$2 depends=$3 extra=$4
    shift 4
    local root=$debs.tmp/root-$name
    mkdir -p "$root/DEBIAN"
    for pair in "$@"; do
      install -D -m 755 "$debs.tmp/x/${pair%%:*}" "$root/${pair#*:}"
    done
    {
      printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$name" "$version" "$arch"
      printf 'Maintainer: Docker <support@docker.com>\nSection: admin\nPriority: optional\n'
      printf 'Homepage: https://www.docker.com\nDepends: %s\n' "$depends"
      [[ -n "$extra" ]] && printf '%s\n' "$extra"
      printf 'Description: %s (stand-in built from Debian binaries)\n' "$name"
    } >"$root/DEBIAN/control"
    # As debhelper's dh_md5sums does: dpkg --audit wants them.
    (cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | sort | xargs md5sum) \
      >"$root/DEBIAN/md5sums"
    dpkg-deb --root-owner-group -Zgzip -z1 --build "$root" "$debs.tmp/${name}_${version#*:}_$arch.deb" >/dev/null
  }
  build_deb containerd.io 1.7.28-1 "libc6 (>= 2.34), libseccomp2 (>= 2.5.0)" \
    "Provides: containerd, runc
Conflicts: containerd, runc
Replaces: containerd, runc" \
    containerd/usr/bin/containerd:usr/bin/containerd \
    containerd/usr/bin/containerd-shim-runc-v2:usr/bin/containerd-shim-runc-v2 \
    runc/usr/sbin/runc:usr/bin/runc
  build_deb docker-ce-cli 5:28.5.1-1 "libc6 (>= 2.34)" "" docker.io/usr/bin/docker:usr/bin/docker
  build_deb docker-ce 5:28.5.1-1 \
    "containerd.io (>= 1.7.27), docker-ce-cli, iptables, libseccomp2 (>= 2.3.0), libc6 (>= 2.34)" \
    "Recommends: ca-certificates, git, pigz, procps, xz-utils" \
    docker.io/usr/sbin/dockerd:usr/bin/dockerd
  rm -rf "$debs.tmp/x" "$debs.tmp"/root-*
  touch "$debs.tmp/.complete"
  rm -rf "$debs" && mv "$debs.tmp" "$debs"
fi
docker=$out/docker
rm -rf "$docker" && mkdir -p "$docker/pool/stable/d" "$docker/dists/$codename/stable/binary-$arch"
cp "$debs"/*.deb "$docker/pool/stable/d/"
(cd "$docker" && apt-ftparchive packages pool/stable >"dists/$codename/stable/binary-$arch/Packages")
gzip -9n -k "$docker/dists/$codename/stable/binary-$arch/Packages"
sign_release "$docker/dists/$codename" "$codename" stable "$docker_fpr"

# The trust configuration: the shipped one, with the two pins swapped.
mkdir -p "$out/trust"
cp "$source_dir"/keys/*.toml "$out/trust/"
python3 - "$out/trust" "$out/keys" "$ubuntu_fpr" "$docker_fpr" <<'PY'
import hashlib, os, re, sys
trust, keys, ubuntu, docker = sys.argv[1:]
for file, name, fingerprint in (("ubuntu.toml", "ubuntu-archive-keyring.gpg", ubuntu),
                                ("docker.toml", "docker.asc", docker)):
    path = os.path.join(trust, file)
    text = open(path).read()
    digest = hashlib.sha256(open(os.path.join(keys, name), "rb").read()).hexdigest()
    start = text.index(f'name = "{name}"')
    end = text.find("[[key]]", start)
    end = len(text) if end < 0 else end
    entry = re.sub(r'sha256 = "[0-9a-f]+"', f'sha256 = "{digest}"', text[start:end])
    entry = re.sub(r'fingerprints = \[[^\]]*\]', f'fingerprints = ["{fingerprint}"]', entry)
    open(path, "w").write(text[:start] + entry + text[end:])
PY
