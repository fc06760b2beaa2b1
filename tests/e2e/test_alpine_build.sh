#!/usr/bin/env bash
# Builds a docker-host root filesystem from a generated, signed Alpine mirror over file://
# and over loopback HTTP, and checks that it is a working system.
source "$(dirname "$0")/lib.sh"

make_mirror
write_recipe "$WORK/file.toml" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
SOURCE_DATE_EPOCH=1700000000 run_compose "$WORK/file.toml" -o "$WORK/out-file" -q >"$WORK/stdout"
grep -q "e2e.rootfs.tar" "$WORK/stdout" || fail "stdout does not list the tarball"

start_http "$WORK/mirror"
write_recipe "$WORK/http.toml" "$HTTP_URL" "${BASE_PACKAGES[@]}"
SOURCE_DATE_EPOCH=1700000000 CACHE=$WORK/cache-http run_compose "$WORK/http.toml" -o "$WORK/out-http" -q
grep -q "busybox-1.37.0-r18.apk" "$WORK/http.log" || fail "nothing was fetched over HTTP"

tar=$WORK/out-file/e2e.rootfs.tar
listing=$(tar --numeric-owner -tvf "$tar")
has() { grep -qE -- "$1" <<<"$listing" || fail "rootfs lacks: $1"; }
has ' bin/ls -> /bin/busybox$'
has ' bin/sh -> /bin/busybox$'
has '^-rwxr-xr-x 0/0 +1[0-9]{6} .* bin/busybox$'
has '^hrwxr-xr-x .* bin/ping6 link to bin/ping$'
has '^-rw-r----- 0/42 .* etc/shadow$'
has ' lib/apk/db/installed$'
has ' lib/apk/db/scripts.tar$'
has ' etc/apk/world$'
has "etc/apk/keys/$KEY"
has '^crw-rw-rw- 0/0 +1,3 .* dev/null$'
has '^drwxrwxrwt .* tmp/$'
# Every timestamp is the epoch; owners are numbers only.
python3 - "$tar" <<'PY' || fail "tar metadata is not as built"
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    members = t.getmembers()
    assert members, "empty tar"
    for m in members:
        assert m.mtime == 1700000000, (m.name, m.mtime)
        assert m.uname == "" and m.gname == "", (m.name, m.uname)
    ping = t.getmember("bin/ping")
    cap = ping.pax_headers.get("SCHILY.xattr.security.capability")
    assert cap is not None, "capability xattr missing"
    names = [m.name for m in members]
    assert names == sorted(names, key=lambda n: n.rstrip("/").split("/")), "not sorted depth-first"
PY

# The same packages over HTTP give the same tree; only /etc/apk/repositories names the URL.
python3 - "$tar" "$WORK/out-http/e2e.rootfs.tar" <<'PY' || fail "file:// and http:// builds differ"
import hashlib, sys, tarfile
def tree(path):
    with tarfile.open(path) as t:
        return {m.name: (m.mode, m.uid, m.gid, m.type, m.linkname,
                         hashlib.sha256(t.extractfile(m).read()).hexdigest() if m.isfile() else "")
                for m in t.getmembers() if m.name != "etc/apk/repositories"}
a, b = tree(sys.argv[1]), tree(sys.argv[2])
assert a == b, sorted(set(a.items()) ^ set(b.items()))[:5]
PY

# The database apk will read later.
mkdir "$WORK/root"
tar -xf "$tar" -C "$WORK/root"
grep -q '^P:busybox$' "$WORK/root/lib/apk/db/installed" || fail "installed db lacks busybox"
grep -q '^R:busybox$' "$WORK/root/lib/apk/db/installed" || fail "installed db lacks file lines"
grep -q '^Z:Q1' "$WORK/root/lib/apk/db/installed" || fail "installed db lacks checksums"
grep -qx 'docker' "$WORK/root/etc/apk/world" || fail "world lacks docker"
grep -q '^docker:x:' "$WORK/root/etc/group" || fail "docker group from the pre-install script is missing"
grep -q '^sshd:x:22:22:' "$WORK/root/etc/passwd" || fail "sshd user missing"

# The report: packages with digests, the unreproduced dcron script as a warning.
python3 - "$WORK/out-file/e2e.result.json" <<'PY' || fail "result.json is not as expected"
import json, sys
r = json.load(open(sys.argv[1]))
names = {p["name"] for p in r["packages"]}
assert {"busybox", "docker", "docker-engine", "containerd", "ssl_client"} <= names, names
assert all(len(p["sha256"]) == 64 for p in r["packages"])
assert r["epoch"] == 1700000000
assert any("dcron" in w and "rc-update" in w for w in r["warnings"]), r["warnings"]
assert any(s["status"] == "not reproduced" for s in r["scripts"])
assert r["outputs"][0]["kind"] == "rootfs-tar"
assert r["recipe"]["digest"].startswith("sha256:")
PY

# The real busybox runs inside the tree (as root only: chroot needs it).
if [[ $(id -u) -eq 0 ]]; then
  chroot "$WORK/root" /bin/sh -c 'ls /usr/bin/dockerd >/dev/null && id sshd' | grep -q 'uid=22(sshd)' ||
    fail "the image's busybox does not work"
fi
echo "ok"
