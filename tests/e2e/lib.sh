# Shared helpers for the end-to-end tests (sourced). CTest provides COMPOSE (the binary),
# COMPOSE_FIXTURE (fixture generator) and COMPOSE_SOURCE_DIR. A failing test keeps its
# work directory and says where it is.
set -euo pipefail
: "${COMPOSE:?set by CTest}" "${COMPOSE_FIXTURE:?set by CTest}" "${COMPOSE_SOURCE_DIR:?set by CTest}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/compose-e2e.XXXXXX")
HTTP_PID=
finish() {
  local status=$?
  [[ -n "$HTTP_PID" ]] && kill "$HTTP_PID" 2>/dev/null || true
  if [[ $status -eq 0 ]]; then rm -rf "$WORK"; else echo "FAILED; work directory kept: $WORK" >&2; fi
}
trap finish EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# make_mirror [DIR] [BRANCH] [TRUST]: a signed Alpine mirror whose key and trust file go
# to TRUST (default $WORK/trust); sets KEY to the key's name.
make_mirror() {
  local dir=${1:-$WORK/mirror} branch=${2:-v3.22} trust=${3:-$WORK/trust}
  KEY=$("$COMPOSE_FIXTURE" alpine-mirror --out "$dir" --trust-dir "$trust" --branch "$branch")
}

# write_bookworm_recipe FILE NAME MIRROR-DIR: procps alone (no base) from a bookworm mirror
# over file://, trusting Debian's archive key.
write_bookworm_recipe() {
  cat >"$1" <<TOML
name = "$2"
distribution = "debian"
release = "bookworm"
base = "none"
packages = ["procps"]

[[repositories]]
url = "file://$3"
suites = ["bookworm"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]
TOML
}

# write_recipe FILE URL PACKAGE...: an Alpine 3.22 recipe trusting $KEY.
write_recipe() {
  local file=$1 url=$2
  shift 2
  local list=""
  for package in "$@"; do list+="\"$package\", "; done
  cat >"$file" <<TOML
name = "e2e"
distribution = "alpine"
release = "3.22"
architecture = "x86_64"
packages = [${list%, }]

[[repositories]]
url = "$url"
branch = "v\${release}"
repos = ["main", "community"]
keys = ["$KEY"]

[image]
entrypoint = ["/bin/sh"]
env = { PATH = "/usr/sbin:/usr/bin:/sbin:/bin" }
exposed_ports = ["22/tcp"]
tags = ["3.22-e2e", "latest"]

[outputs]
formats = ["rootfs-tar", "oci", "ext4"]
layer_compression = "${COMPRESSION:-gzip}"

[outputs.ext4]
headroom = "16M"
${EXT4_EXTRA:-}
TOML
}

BASE_PACKAGES=(alpine-baselayout alpine-keys busybox busybox-binsh apk-tools
  ca-certificates-bundle iputils-ping docker openssh-server supervisor dcron)

# run_compose ARGS...: compose with the generated trust and a private cache.
run_compose() {
  "$COMPOSE" "$@" --trust-dir "$WORK/trust" --keys-dir "$WORK/trust" \
    --cache-dir "${CACHE:-$WORK/cache}"
}

# expect_failure TEXT ARGS...: compose must exit 1, say TEXT on stderr, leave no output.
# Each call gets a fresh cache unless CACHE is set, so a tampered mirror file is really read.
expect_failure() {
  local text=$1
  shift
  local out=$WORK/out-fail
  rm -rf "$out"
  local status=0
  CACHE=${CACHE:-$(mktemp -d "$WORK/cache.XXXXXX")} run_compose "$@" -o "$out" \
    2>"$WORK/stderr" >/dev/null || status=$?
  [[ $status -eq 1 ]] || { cat "$WORK/stderr" >&2; fail "expected exit 1, got $status"; }
  grep -qF -- "$text" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr lacks: $text"; }
  grep -q "^compose: error: " "$WORK/stderr" || fail "no 'compose: error:' line"
  if [[ -e "$out" ]] && [[ -n "$(ls -A "$out")" ]]; then
    ls -la "$out" >&2
    fail "output left behind in $out"
  fi
}

# start_http ROOT [FAULTS]: serves ROOT on loopback; sets HTTP_URL.
start_http() {
  local args=("$1")
  [[ -n "${2:-}" ]] && args+=(--faults "$2")
  python3 "$COMPOSE_SOURCE_DIR/tests/support/http_server.py" "${args[@]}" --log "$WORK/http.log" \
    >"$WORK/http.port" &
  HTTP_PID=$!
  for _ in $(seq 100); do
    [[ -s "$WORK/http.port" ]] && break
    sleep 0.05
  done
  HTTP_URL="http://127.0.0.1:$(head -n1 "$WORK/http.port")"
}

# flip_byte FILE OFFSET: xor one byte with 0x01 (negative offsets count from the end).
flip_byte() {
  python3 - "$1" "$2" <<'PY'
import sys
path, offset = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[offset] ^= 1
open(path, "wb").write(bytes(data))
PY
}

# member_offset FILE N: byte offset of the N-th gzip member (0-based).
member_offset() {
  python3 - "$1" "$2" <<'PY'
import sys, zlib
data = open(sys.argv[1], "rb").read()
offset = 0
for _ in range(int(sys.argv[2])):
    d = zlib.decompressobj(31)
    d.decompress(data[offset:])
    offset = len(data) - len(d.unused_data)
print(offset)
PY
}
