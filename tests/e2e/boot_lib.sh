# Helpers of the `compose boot` tests (sourced after lib.sh): the product images built from
# the local test mirror, the one-file busybox image the engines import, and the check lists.
for tool in qemu-system-x86_64 ssh scp ssh-keygen mkfs.ext4 apt-get; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
[[ -x /bin/busybox ]] || { echo "skipped: busybox-static is not installed"; exit 77; }

boot_mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$boot_mirror"

# build_flavour FLAVOUR: builds recipes/debian-12-FLAVOUR.toml into $WORK/debian-12-FLAVOUR.ext4.
build_flavour() {
  local name=debian-12-$1
  SOURCE_DATE_EPOCH=1750000000 "$COMPOSE" "$COMPOSE_SOURCE_DIR/recipes/$name.toml" \
    --mirror "host-apt=file://$boot_mirror" -o "$WORK/out" --cache-dir "$WORK/cache" -q \
    >/dev/null || fail "building $name failed"
  # out/NAME.ext4 is a link into the published set (README): move the file it names.
  mv "$(readlink -f "$WORK/out/$name.ext4")" "$WORK/$name.ext4"
  rm -rf "$WORK/out"
}

# busybox_image FILE: a root filesystem of one file, Debian's static busybox as /bin/busybox,
# for `docker import` / `podman import`.
busybox_image() {
  mkdir -p "$WORK/busybox-root/bin"
  cp /bin/busybox "$WORK/busybox-root/bin/busybox"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$WORK/busybox-root" \
    -cf "$1" bin
}

# data_disk FILE: a fresh ext4 labelled miget-data, which the images mount on the engine's
# state directory.
data_disk() {
  rm -f "$1"
  truncate -s 1G "$1"
  mkfs.ext4 -q -F -L miget-data "$1"
}

# expect_checks OUTPUT CHECK...: every check passed, exactly these, in this order.
expect_checks() {
  local output=$1
  shift
  local passed
  passed=$(awk '$1 == "pass" { printf "%s ", $2 }' "$output")
  [[ "$passed" == "$* " ]] || { cat "$output" >&2; fail "$output: checks '$passed' differ from '$*'"; }
}

# detail OUTPUT CHECK: what the check reported.
detail() { awk -v check="$2" '$1 == "pass" && $2 == check { sub(/^pass +[^ ]+ +[0-9.]+ s  /, ""); print }' "$1"; }

# run_boot NAME ARGS...: `compose boot ARGS` with its output in $WORK/NAME.txt, .err and the
# console in .console.log; fails the test, showing them, when compose boot fails.
run_boot() {
  local name=$1
  shift
  "$COMPOSE" boot "$@" --log "$WORK/$name.console.log" >"$WORK/$name.txt" 2>"$WORK/$name.err" || {
    cat "$WORK/$name.txt" "$WORK/$name.err" >&2
    fail "compose boot $name failed"
  }
  cat "$WORK/$name.txt"
}
