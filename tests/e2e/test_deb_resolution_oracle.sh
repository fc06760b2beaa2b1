#!/usr/bin/env bash
# Resolution oracle for the product: for the product set, with and without Recommends, and for
# mmdebstrap's "required" base plus the product set, compose's package set equals
# `apt-get install --simulate` against the same real bookworm index and an empty dpkg status
# (answers written by tests/support/debian_mirror.sh).
source "$(dirname "$0")/lib.sh"
command -v apt-get >/dev/null || { echo "skipped: apt-get is not installed"; exit 77; }
mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"

check() { # base recommends answer-file
  cat >"$WORK/recipe.toml" <<TOML
name = "oracle"
distribution = "debian"
release = "bookworm"
base = "$1"
recommends = $2
packages = ["docker.io", "containerd", "runc", "openssh-server", "supervisor", "cron",
            "ca-certificates", "iptables", "iproute2", "procps"]

[[repositories]]
url = "file://$mirror"
suites = ["bookworm"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]
TOML
  "$COMPOSE" show-packages "$WORK/recipe.toml" --cache-dir "$WORK/cache" -q |
    awk '{ print $1, $2 }' | sort >"$WORK/compose.txt"
  diff -u "$mirror/$3" "$WORK/compose.txt" || fail "base=$1 recommends=$2 differs from apt"
  echo "agree: base=$1 recommends=$2: $(wc -l <"$WORK/compose.txt") packages"
}
check none true apt-resolution.txt
check none false apt-resolution-no-recommends.txt
check required false apt-resolution-required.txt
echo "ok"
