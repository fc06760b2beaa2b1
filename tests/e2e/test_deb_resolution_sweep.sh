#!/usr/bin/env bash
# Resolution oracle over many requests: for each, compose's package set equals
# `apt-get install --simulate` against the same real bookworm index and an empty dpkg status,
# with and without Recommends. (test_deb_resolution_oracle covers the product's own set.)
# "podman netavark": a provider named on the command line satisfies the virtual
# container-network-stack of another, because apt marks every requested package first.
# Not in the list: libreoffice-writer with Recommends, where apt breaks a tie between equal
# providers of x-terminal-emulator by its internal cache order (zutty) and compose by name
# (alacritty); apt also needs over a minute for that one.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
command -v apt-get >/dev/null || { echo "skipped: apt-get is not installed"; exit 77; }
mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror" --indexes-only
export APT_CONFIG=$mirror/.apt/apt.conf

requests=("build-essential" "python3 git curl" "podman" "systemd openssh-server" "emacs-nox"
  "nginx php-fpm" "postgresql" "buildah" "default-jdk-headless" "podman netavark"
  "golang-github-containers-common netavark"
  "docker.io containerd runc openssh-server supervisor cron ca-certificates iptables iproute2 procps")
failures=0
for request in "${requests[@]}"; do
  for recommends in true false; do
    list=""
    for name in $request; do list+="\"$name\", "; done
    cat >"$WORK/recipe.toml" <<TOML
name = "sweep"
distribution = "debian"
release = "bookworm"
base = "none"
recommends = $recommends
packages = [${list%, }]

[[repositories]]
url = "file://$mirror"
suites = ["bookworm"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]
TOML
    # shellcheck disable=SC2086
    apt-get install --simulate -qq -o APT::Install-Recommends=$recommends $request |
      awk '$1 == "Inst" { print $2, substr($3, 2) }' | sort >"$WORK/apt.txt"
    "$COMPOSE" show-packages "$WORK/recipe.toml" --cache-dir "$WORK/cache" -q |
      awk '{ print $1, $2 }' | sort >"$WORK/compose.txt" || true
    if diff -u "$WORK/apt.txt" "$WORK/compose.txt" >"$WORK/diff.txt"; then
      echo "agree: $request (recommends=$recommends): $(wc -l <"$WORK/apt.txt") packages"
    else
      echo "DIFFER: $request (recommends=$recommends):"
      head -n 20 "$WORK/diff.txt"
      failures=$((failures + 1))
    fi
  done
done
((failures == 0)) || fail "$failures request(s) resolved differently from apt"
