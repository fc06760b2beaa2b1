#!/usr/bin/env bash
# The shipped Ubuntu dockerd recipes, unchanged, built against stand-ins for the Ubuntu
# archive (release, -updates and -security pockets; main and universe) and Docker's apt
# repository (tests/support/ubuntu_standin.sh: real Debian packages re-indexed and signed by
# throwaway keys under the real keys' names; docker-ce, docker-ce-cli and containerd.io made
# from Debian's binaries with Docker's names and relations). Two repositories with their own
# keys, pockets, components: Docker CE replaces docker.io, the image's apt sources name the
# public repositories with their keys, the overlays hold, and a tampered Docker InRelease is
# refused.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
for tool in apt-get apt-ftparchive dpkg-deb gpg xz debugfs; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
facts() { python3 "$COMPOSE_SOURCE_DIR/tests/support/image_facts.py" "$@"; }
debian=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$debian"

cp -r "$COMPOSE_SOURCE_DIR/recipes" "$WORK/recipes"
# The Docker Compose download, served locally and pinned (see test_product_recipes).
mkdir -p "$WORK/downloads/v2.40.0"
printf '#!/bin/sh\necho "Docker Compose version v2.40.0 (stand-in)"\n' \
  >"$WORK/downloads/v2.40.0/docker-compose-linux-x86_64"
stand_in=$(sha256sum <"$WORK/downloads/v2.40.0/docker-compose-linux-x86_64" | cut -d' ' -f1)
sed -i "s/^sha256 = .*/sha256 = \"$stand_in\"/" "$WORK/recipes/fragments/docker-compose.toml"

build() { # build RECIPE STANDIN OUT
  COMPOSE_TEST_BUILDER_SECRET=builder-secret-5c1e SOURCE_DATE_EPOCH=1750000000 \
    "$COMPOSE" "$1" --trust-dir "$2/trust" --keys-dir "$2/keys" --cache-dir "$WORK/cache" \
    --mirror "http://archive.ubuntu.com/ubuntu=file://$2/ubuntu" \
    --mirror "https://download.docker.com/linux/ubuntu=file://$2/docker" \
    --mirror "https://github.com/docker/compose/releases/download=file://$WORK/downloads" \
    --release-version 1.0.0 -o "$3" -q
}

for pair in 24.04:noble 22.04:jammy; do
  version=${pair%%:*} codename=${pair#*:}
  name=ubuntu-$version-dockerd
  standin=$WORK/standin-$codename
  "$COMPOSE_SOURCE_DIR/tests/support/ubuntu_standin.sh" "$debian" "$standin" "$codename"
  build "$WORK/recipes/$name.toml" "$standin" "$WORK/out" >/dev/null 2>"$WORK/build.err" ||
    { cat "$WORK/build.err" >&2; fail "$name did not build"; }
  root=$WORK/root-$codename
  mkdir "$root"
  tar -xf "$WORK/out/$name.rootfs.tar" -C "$root"

  # Docker CE from Docker's repository, not Debian's or Ubuntu's docker.io.
  installed=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package} ${Status}\n')
  for package in docker-ce docker-ce-cli containerd.io openssh-server supervisor cron; do
    grep -qx "$package install ok installed" <<<"$installed" || fail "$name: $package not installed"
  done
  for package in docker.io containerd runc; do
    if grep -q "^$package " <<<"$installed"; then fail "$name: $package installed"; fi
  done
  dpkg --root="$root" --audit >"$WORK/audit.txt" 2>&1 || true
  [[ ! -s "$WORK/audit.txt" ]] || { cat "$WORK/audit.txt" >&2; fail "$name: dpkg --audit"; }
  [[ -x "$root/usr/bin/dockerd" ]] || fail "$name: no /usr/bin/dockerd"
  grep -q '^command=/usr/bin/dockerd ' "$root/etc/supervisor/supervisord.conf" ||
    fail "$name: supervisord does not start dockerd"

  # apt in the image: the public repositories, each with its own key, all pockets.
  sources=$root/etc/apt/sources.list.d/compose.sources
  python3 - "$sources" "$codename" <<'PY' || { cat "$sources" >&2; fail "$name: apt sources"; }
import sys
stanzas = [dict(line.split(": ", 1) for line in block.splitlines())
           for block in open(sys.argv[1]).read().strip().split("\n\n")]
codename = sys.argv[2]
ubuntu = [s for s in stanzas if s["URIs"] == "http://archive.ubuntu.com/ubuntu"]
docker = [s for s in stanzas if s["URIs"] == "https://download.docker.com/linux/ubuntu"]
assert sorted(s["Suites"] for s in ubuntu) == sorted(
    [codename, codename + "-updates", codename + "-security"]), ubuntu
assert all(s["Components"] == "main universe" for s in ubuntu), ubuntu
assert all(s["Signed-By"] == "/etc/apt/keyrings/ubuntu-archive-keyring.gpg" for s in ubuntu)
assert [(s["Suites"], s["Components"], s["Signed-By"]) for s in docker] == [
    (codename, "stable", "/etc/apt/keyrings/docker.asc")], docker
assert len(stanzas) == 4, stanzas
PY
  cmp -s "$root/etc/apt/keyrings/docker.asc" "$standin/keys/docker.asc" || fail "$name: docker.asc"

  # The overlays, in every output; nothing of the builder or the local copies.
  for kind in rootfs.tar oci.tar ext4; do
    output=$WORK/out/$name.$kind
    facts stat "$output" /home/miget/.ssh /home/miget/.ssh/authorized_keys >"$WORK/stat.txt"
    [[ "$(cat "$WORK/stat.txt")" == "/home/miget/.ssh dir 0700 1000 1000 0
/home/miget/.ssh/authorized_keys file 0600 1000 1000 0" ]] ||
      { cat "$WORK/stat.txt" >&2; fail "$name.$kind: SSH directory"; }
    if facts contains "$output" builder-secret-5c1e; then fail "$name.$kind: builder environment"; fi
    if facts contains "$output" "$WORK"; then fail "$name.$kind: names a local path"; fi
  done
  if ls "$root"/etc/ssh/ssh_host_* >/dev/null 2>&1; then fail "$name: baked host keys"; fi
  grep -q '"pkg:deb/ubuntu/docker-ce@' "$WORK/out/$name.cdx.json" || fail "$name: SBOM purls"
  # The product's tags for release 1.0.0.
  facts oci-tags "$WORK/out/$name.oci.tar" | sort >"$WORK/tags.txt"
  if [[ $codename == noble ]]; then
    expected="1.0.0-ubuntu-24.04-dockerd 1.0.0-ubuntu24-dockerd 1.0.0-ubuntu24 ubuntu24 latest stable-ubuntu24-dockerd"
  else
    expected="1.0.0-ubuntu-22.04-dockerd 1.0.0-ubuntu22-dockerd 1.0.0-ubuntu22 ubuntu22 stable-ubuntu22-dockerd"
  fi
  tr ' ' '\n' <<<"$expected" | sort | diff - "$WORK/tags.txt" || fail "$name: tags"
  rm -rf "$WORK/out" "$root"
done

# A tampered Docker InRelease: refused, naming Docker's repository; nothing written.
sed -i 's/^Suite: noble$/Suite: noble-tampered/' "$WORK/standin-noble/docker/dists/noble/InRelease"
status=0
build "$WORK/recipes/ubuntu-24.04-dockerd.toml" "$WORK/standin-noble" "$WORK/out-bad" \
  >/dev/null 2>"$WORK/bad.err" || status=$?
[[ $status -eq 1 ]] || { cat "$WORK/bad.err" >&2; fail "a tampered InRelease was accepted"; }
grep -q "https://download.docker.com/linux/ubuntu/dists/noble/InRelease" "$WORK/bad.err" ||
  { cat "$WORK/bad.err" >&2; fail "the error does not name Docker's InRelease"; }
[[ ! -e "$WORK/out-bad" ]] || [[ -z "$(ls -A "$WORK/out-bad")" ]] || fail "output after a bad signature"
echo "ubuntu 24.04 and 22.04 dockerd recipes built from the stand-ins and verified"
