#!/usr/bin/env bash
# The real proof of the .deb path: compose builds the product set (plus the "required" base)
# from a real, signed Debian bookworm mirror over file:// and over loopback HTTP. The package
# set is apt's; the dpkg database lists every package; dpkg, apt and the accounts work inside
# the image (chroot, when root); e2fsck and skopeo accept the outputs; no host keys, logs or
# apt lists are baked in; every script effect left out is a warning; a rebuild from the cache
# gives the same bytes.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
for tool in apt-get e2fsck skopeo; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"
export SOURCE_DATE_EPOCH=1750000000

# write_deb_recipe FILE URL
write_deb_recipe() {
  cat >"$1" <<TOML
name = "bookworm-host"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "required"
packages = ["docker.io", "containerd", "runc", "openssh-server", "supervisor", "cron",
            "ca-certificates", "iptables", "iproute2", "procps"]

[[repositories]]
url = "$2"
suites = ["\${release}"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[image]
entrypoint = ["/bin/sh"]
tags = ["bookworm-e2e"]

[outputs]
formats = ["rootfs-tar", "oci", "ext4"]
TOML
}
build() { # recipe out cache; stderr (the warnings) in out.stderr
  "$COMPOSE" "$1" -o "$2" --cache-dir "$3" -q >/dev/null 2>"$2.stderr" ||
    { cat "$2.stderr"; fail "compose $1 failed"; }
}

write_deb_recipe "$WORK/file.toml" "file://$mirror"
build "$WORK/file.toml" "$WORK/out" "$WORK/cache"
result=$WORK/out/bookworm-host.result.json
rootfs=$WORK/out/bookworm-host.rootfs.tar

# The package set is apt's answer for the same request.
python3 - "$result" >"$WORK/ours.txt" <<'PY'
import json, sys
for p in json.load(open(sys.argv[1]))["packages"]:
    print(p["name"], p["version"])
PY
sort -o "$WORK/ours.txt" "$WORK/ours.txt"
diff -u "$mirror/apt-resolution-required.txt" "$WORK/ours.txt" || fail "package set differs from apt's"
echo "packages: $(wc -l <"$WORK/ours.txt"), same as apt"

# Every script effect left out is a warning, printed and in the report, not only listed
# under "scripts" (real bookworm packages have some: deb-systemd-helper enable, update-rc.d, …).
python3 - "$result" "$WORK/out.stderr" <<'PY' || fail "a script left out is not a warning"
import json, sys
report = json.load(open(sys.argv[1]))
printed = open(sys.argv[2]).read()
left_out = [s for s in report["scripts"] if s["status"] == "not reproduced"]
assert left_out, "no script left out: this check proves nothing"
for script in left_out:
    warning = f'{script["package"]} {script["script"]} not reproduced: '
    assert any(w.startswith(warning) for w in report["warnings"]), warning + " (report)"
    assert "warning: " + warning in printed, warning + " (printed)"
# Service links (systemd .wants, SysV rc?.d) come only from the recipe: each enabling line
# of a script is one of the effects left out.
assert any("deb-systemd-helper enable ssh.service" in w for w in report["warnings"]), "ssh enable"
print(f"scripts left out: {len(left_out)}, each a warning")
PY

# The dpkg database lists every package as installed, with a file list each.
tar -xOf "$rootfs" var/lib/dpkg/status |
  awk '/^Package:/ { p = $2 } /^Status: install ok installed/ { print p }' | sort >"$WORK/status.txt"
cut -d' ' -f1 "$WORK/ours.txt" | sort -u | diff -u - "$WORK/status.txt" || fail "status differs"
tar -tf "$rootfs" | grep -c '^var/lib/dpkg/info/.*\.list$' >"$WORK/lists.txt"
(($(cat "$WORK/lists.txt") == $(wc -l <"$WORK/status.txt"))) || fail "a .list file is missing"

# Nothing host- or boot-specific is baked in.
if tar -tf "$rootfs" | grep -E '^etc/ssh/ssh_host_|^var/lib/apt/lists/[^/]+_|^var/cache/apt/.+\.bin$'; then
  fail "host keys, apt lists or apt caches in the image"
fi
tar -tvf "$rootfs" | awk '$6 == "etc/machine-id" && $3 != 0 { exit 1 }' ||
  fail "etc/machine-id has content"
tar -xOf "$rootfs" etc/apt/sources.list.d/compose.sources | grep -qx "Signed-By: /etc/apt/keyrings/debian-archive-keyring.gpg" ||
  fail "apt sources in the image lack Signed-By"

# Inside the image: dpkg and apt are content, root and the sshd user exist.
if [[ $(id -u) == 0 ]] && command -v chroot >/dev/null; then
  mkdir "$WORK/root"
  tar -xf "$rootfs" -C "$WORK/root"
  chroot "$WORK/root" dpkg --audit >"$WORK/audit.txt" || fail "dpkg --audit failed"
  [[ ! -s "$WORK/audit.txt" ]] || { cat "$WORK/audit.txt"; fail "dpkg --audit complains"; }
  [[ $(chroot "$WORK/root" dpkg-query -W -f='${db:Status-Abbrev}\n' | grep -c '^ii') == \
    $(wc -l <"$WORK/status.txt") ]] || fail "dpkg-query disagrees"
  chroot "$WORK/root" apt-get check -qq || fail "apt-get check failed"
  chroot "$WORK/root" getent passwd root sshd >/dev/null || fail "root or sshd missing"
  chroot "$WORK/root" getent group docker >/dev/null || fail "group docker missing"
  [[ $(chroot "$WORK/root" readlink -f /usr/sbin/iptables) == /usr/sbin/xtables-nft-multi ]] ||
    fail "iptables alternative not set"
  [[ -s $WORK/root/etc/ssl/certs/ca-certificates.crt ]] || fail "no CA bundle"
else
  echo "not root: chroot checks skipped"
fi

# External judges.
e2fsck -fn "$WORK/out/bookworm-host.ext4" >"$WORK/e2fsck.txt" 2>&1 || { cat "$WORK/e2fsck.txt"; fail "e2fsck"; }
skopeo inspect "oci-archive:$WORK/out/bookworm-host.oci.tar:bookworm-e2e" >/dev/null || fail "skopeo inspect"

# Same lock of inputs, same bytes: a rebuild from the warm cache into another directory.
build "$WORK/file.toml" "$WORK/again" "$WORK/cache"
for f in rootfs.tar oci.tar ext4; do
  cmp "$WORK/out/bookworm-host.$f" "$WORK/again/bookworm-host.$f" || fail "$f differs on rebuild"
done

# Over loopback HTTP, from a cold cache: the same packages, byte for byte.
start_http "$mirror"
write_deb_recipe "$WORK/http.toml" "$HTTP_URL"
build "$WORK/http.toml" "$WORK/out-http" "$WORK/cache-http"
grep -q "/pool/main/d/docker.io/" "$WORK/http.log" || fail "no package came over HTTP"
python3 - "$result" "$WORK/out-http/bookworm-host.result.json" <<'PY' || fail "HTTP build differs"
import json, sys
a, b = (json.load(open(f))["packages"] for f in sys.argv[1:])
assert [(p["name"], p["sha256"]) for p in a] == [(p["name"], p["sha256"]) for p in b]
PY
echo "ok"
