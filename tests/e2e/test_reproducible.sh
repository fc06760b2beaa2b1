#!/usr/bin/env bash
# Two builds of one recipe with different caches, output directories, TMPDIR, TZ, umask,
# working directory, clock and thread count (-j 1: one compression thread) give
# byte-identical outputs.
source "$(dirname "$0")/lib.sh"

make_mirror
write_recipe "$WORK/r.toml" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"

mkdir -p "$WORK/a/tmp" "$WORK/b/tmp" "$WORK/b/cwd"
(cd "$WORK/a" && umask 022 && TZ=UTC TMPDIR=$WORK/a/tmp SOURCE_DATE_EPOCH=1700000000 \
  CACHE=$WORK/a/cache run_compose "$WORK/r.toml" -o "$WORK/a/out" -q -j 1)
sleep 1
(cd "$WORK/b/cwd" && umask 077 && TZ=Pacific/Auckland TMPDIR=$WORK/b/tmp SOURCE_DATE_EPOCH=1700000000 \
  CACHE=$WORK/b/cache run_compose "$WORK/r.toml" -o "$WORK/b/out" -q -j 2)

for file in "$WORK"/a/out/*; do
  name=$(basename "$file")
  cmp "$file" "$WORK/b/out/$name" || fail "$name differs between the two builds"
done
[[ $(ls "$WORK/a/out" | wc -l) -ge 2 ]] || fail "expected outputs missing"
# The layer (the rootfs tarball, compressed) spans several 1 MiB gzip blocks, so the thread
# counts above changed who compressed which block.
layer=$(stat -L -c %s "$WORK/a/out/e2e.rootfs.tar")
((layer > 2 * 1048576)) || fail "the layer ($layer bytes) is too small to span several blocks"
# umask does not leak into output file modes.
[[ $(stat -L -c %a "$WORK/b/out/e2e.rootfs.tar") == 644 ]] || fail "umask leaked into the output mode"

# Without SOURCE_DATE_EPOCH the epoch is the newest package build time: still identical.
(cd "$WORK/a" && CACHE=$WORK/a/cache run_compose "$WORK/r.toml" -o "$WORK/a/out2" -q)
(cd "$WORK/b" && CACHE=$WORK/b/cache run_compose "$WORK/r.toml" -o "$WORK/b/out2" -q)
cmp "$WORK/a/out2/e2e.rootfs.tar" "$WORK/b/out2/e2e.rootfs.tar" || fail "default epoch is not stable"
echo "ok"

# Provenance: result.json and the OCI manifest annotations name this compose, the digest of
# its source tree (recomputed here from the checkout, as cmake/source_digest.cmake describes)
# and the libraries that shaped the bytes; the two agree.
digest=$(cd "$COMPOSE_SOURCE_DIR" &&
  { ls CMakeLists.txt; find cmake src -name '*.cmake' -o -name '*.cpp' -o -name '*.hpp'; } |
  LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
python3 - "$WORK/a/out/e2e.result.json" "$WORK/a/out/e2e.oci.tar" "sha256:$digest" <<'PY' ||
import json, sys, tarfile
report = json.load(open(sys.argv[1]))
provenance = report["provenance"]
assert provenance["source_digest"] == sys.argv[3], (provenance["source_digest"], sys.argv[3])
assert provenance["compose_version"] == report["compose_version"]
libraries = provenance["libraries"]
assert sorted(libraries) == ["libarchive", "libext2fs", "librnp", "openssl", "zlib", "zstd"], libraries
assert all(version and version[0].isdigit() for version in libraries.values()), libraries
tar = tarfile.open(sys.argv[2])
index = json.load(tar.extractfile("index.json"))
manifest = json.load(tar.extractfile("blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
annotations = manifest["annotations"]
assert annotations["compose.source-digest"] == sys.argv[3]
assert annotations["compose.version"] == report["compose_version"]
assert annotations["compose.libraries"] == ",".join(f"{k}={v}" for k, v in sorted(libraries.items()))
assert "compose.lock" not in annotations, "an unlocked build names a lock"
PY
  fail "provenance in result.json and the OCI annotations"
echo "provenance: ok"
