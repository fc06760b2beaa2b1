#!/usr/bin/env bash
# The OCI archive and the ext4 image of one build, judged by external tools: skopeo and
# umoci accept the archive and unpack the same tree as the rootfs tarball; e2fsck finds
# nothing to fix and debugfs reads back the same tree; inspect catches tampering.
source "$(dirname "$0")/lib.sh"
for tool in skopeo umoci e2fsck debugfs; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done

make_mirror
write_recipe "$WORK/r.toml" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
SOURCE_DATE_EPOCH=1700000000 run_compose "$WORK/r.toml" -o "$WORK/out" -q
oci=$WORK/out/e2e.oci.tar
ext4=$WORK/out/e2e.ext4
rootfs=$WORK/out/e2e.rootfs.tar

# skopeo: one descriptor per tag, a copy checks every blob digest.
for tag in 3.22-e2e latest; do
  skopeo inspect "oci-archive:$oci:$tag" >"$WORK/inspect.json" || fail "skopeo inspect $tag"
done
grep -q '"Architecture": "amd64"' "$WORK/inspect.json" || fail "architecture not amd64"
skopeo copy -q "oci-archive:$oci:latest" "dir:$WORK/skopeo-copy" || fail "skopeo copy"

# Compare a directory tree with the rootfs tarball: path, type, mode, owner, size, content,
# link target and xattrs (when the reader keeps them).
compare_tree() {
  python3 - "$rootfs" "$1" "$2" <<'PY'
import hashlib, os, stat, sys, tarfile
tar_path, root, check_xattrs = sys.argv[1], sys.argv[2], sys.argv[3] == "xattrs"
with_devices = sys.argv[3] != "no-devices"  # debugfs rdump skips device nodes
want = {}
with tarfile.open(tar_path) as t:
    links = {}
    for m in t.getmembers():
        name = m.name.rstrip("/")
        if m.islnk():
            links[name] = m.linkname
            continue
        kind = "d" if m.isdir() else "l" if m.issym() else "f" if m.isfile() else "c" if m.ischr() else "p" if m.isfifo() else "b"
        digest = hashlib.sha256(t.extractfile(m).read()).hexdigest() if m.isfile() else ""
        xattrs = {k[len("SCHILY.xattr."):]: v for k, v in m.pax_headers.items() if k.startswith("SCHILY.xattr.")}
        want[name] = (kind, m.mode & 0o7777, m.uid, m.gid, m.size if m.isfile() else 0, digest, m.linkname if m.issym() else "", xattrs)
    for name, target in links.items():
        want[name] = want[target.rstrip("/")]
    if not with_devices:
        want = {k: v for k, v in want.items() if v[0] not in ("c", "b")}
got = {}
for directory, dirs, files in os.walk(root):
    for entry in dirs + files:
        path = os.path.join(directory, entry)
        name = os.path.relpath(path, root)
        if name == "lost+found":
            dirs.remove(entry)
            continue
        st = os.lstat(path)
        kind = "d" if stat.S_ISDIR(st.st_mode) else "l" if stat.S_ISLNK(st.st_mode) else "f" if stat.S_ISREG(st.st_mode) else "c" if stat.S_ISCHR(st.st_mode) else "p" if stat.S_ISFIFO(st.st_mode) else "b"
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest() if kind == "f" else ""
        xattrs = {}
        if kind != "l":
            for key in os.listxattr(path, follow_symlinks=False):
                xattrs[key] = os.getxattr(path, key, follow_symlinks=False).decode("latin-1")
        got[name] = (kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_size if kind == "f" else 0, digest, os.readlink(path) if kind == "l" else "", xattrs)
def strip(entries):
    out = {}
    for k, v in entries.items():
        mode = v[1] & 0o777 if (not with_devices and v[0] == "d") else v[1]  # rdump drops 01000/02000 on dirs
        out[k] = (v[0], mode) + v[2:7] + ((v[7],) if check_xattrs else ())
    return out
want_s = {k: v for k, v in strip(want).items()}
for k, v in list(want_s.items()):
    if check_xattrs:
        want_s[k] = v[:7] + ({a: b for a, b in v[7].items()},)
diff = sorted(set(want_s) ^ set(strip(got)))
assert not diff, ("names differ", diff[:10])
bad = [(k, want_s[k], strip(got)[k]) for k in want_s if want_s[k] != strip(got)[k]]
assert not bad, bad[:5]
print(f"{len(want_s)} entries agree")
PY
}

# umoci unpacks the layer (as root it keeps owners, devices and xattrs).
mkdir "$WORK/layout"
tar -xf "$oci" -C "$WORK/layout"
umoci unpack --image "$WORK/layout:3.22-e2e" "$WORK/bundle" >/dev/null || fail "umoci unpack"
compare_tree "$WORK/bundle/rootfs" xattrs || fail "umoci's tree differs from the rootfs tarball"

# ext4: e2fsck has nothing to fix; debugfs dumps the same tree; the capability survives.
e2fsck -fn "$ext4" >"$WORK/e2fsck.log" 2>&1 || { cat "$WORK/e2fsck.log"; fail "e2fsck -fn"; }
mkdir "$WORK/dump"
debugfs -R "rdump / $WORK/dump" "$ext4" >/dev/null 2>&1 || fail "debugfs rdump"
compare_tree "$WORK/dump" no-devices || fail "debugfs' tree differs from the rootfs tarball"
debugfs -R "stat /tmp" "$ext4" 2>/dev/null | grep -q "Mode:  01777" || fail "/tmp lost its sticky bit"
debugfs -R "stat /dev/null" "$ext4" 2>/dev/null | grep -q "Type: character special" ||
  fail "/dev/null is not a character device in ext4"
debugfs -R "stat /dev/null" "$ext4" 2>/dev/null | grep -q "Device major/minor number: 01:03" ||
  fail "/dev/null has the wrong device number in ext4"
debugfs -R "ea_list /bin/ping" "$ext4" 2>/dev/null | grep -q "security.capability" ||
  fail "security.capability lost in ext4"

# inspect checks both outputs, and names the blob that was changed.
"$COMPOSE" inspect "$oci" >"$WORK/oci-listing" || fail "inspect rejected a good archive"
grep -q ' bin/busybox$' "$WORK/oci-listing" || fail "inspect does not list the layer"
"$COMPOSE" inspect "$ext4" >/dev/null || fail "inspect rejected a good ext4 image"
cp "$oci" "$WORK/tampered.oci.tar"
python3 - "$WORK/tampered.oci.tar" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
at = data.find(b'"rootfs":{"diff_ids"')   # inside the config blob
data[at + 2] ^= 1
open(path, "wb").write(bytes(data))
PY
if "$COMPOSE" inspect "$WORK/tampered.oci.tar" >"$WORK/tampered.out" 2>&1; then fail "tampering not found"; fi
grep -q "content does not match its name" "$WORK/tampered.out" || fail "tampered blob not named"

# zstd layers work too (skopeo reads them; umoci 0.4.7 does not).
COMPRESSION=zstd write_recipe "$WORK/zstd.toml" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
SOURCE_DATE_EPOCH=1700000000 run_compose "$WORK/zstd.toml" -o "$WORK/out-zstd" -q
grep -q 'tar+zstd' <(tar -xOf "$WORK/out-zstd/e2e.oci.tar" --wildcards 'blobs/sha256/*' 2>/dev/null) ||
  fail "no zstd layer"
"$COMPOSE" inspect "$WORK/out-zstd/e2e.oci.tar" >/dev/null || fail "inspect rejected the zstd archive"

# Bad output settings fail before anything is written.
COMPRESSION=lzma write_recipe "$WORK/bad.toml" "file://$WORK/mirror" busybox
expect_failure "lzma" "$WORK/bad.toml"
EXT4_EXTRA='size = "1M"' write_recipe "$WORK/small.toml" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
expect_failure "too small" "$WORK/small.toml"
EXT4_EXTRA='features = ["bogus_feature"]' write_recipe "$WORK/feature.toml" "file://$WORK/mirror" busybox
expect_failure "bogus_feature" "$WORK/feature.toml"
echo "ok"
