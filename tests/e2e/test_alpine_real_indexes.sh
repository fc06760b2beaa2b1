#!/usr/bin/env bash
# The product recipes' userland on real Alpine indexes: `compose show-packages` through
# --mirror onto ../shared/data/alpine-real (real, Alpine-signed v3.16-v3.18 indexes, verified
# with the official keys) gives exactly the install set Alpine's own apk.static 2.14.4 gives
# for the same world; `compose lock` verifies and resolves them too and stops only where it
# needs the package files themselves, which the shared data does not hold.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SHARED=$(cd "$COMPOSE_SOURCE_DIR/.." && pwd)/shared
REAL=$SHARED/data/alpine-real
[[ -d $REAL ]] || { echo "no real Alpine data at $REAL"; exit 77; }
CDN=https://dl-cdn.alpinelinux.org/alpine
FRAGMENTS=$COMPOSE_SOURCE_DIR/recipes/fragments
flags=(--mirror "$CDN=file://$REAL" --keys-dir "$SHARED/keys/alpine" --cache-dir "$WORK/cache")

# real_recipe FILE RELEASE REPOS FRAGMENT…: a product recipe for an older release.
real_recipe() {
  local file=$1 release=$2 repos=$3 binsh='"busybox-binsh", '
  shift 3
  [[ $release == 3.16 ]] && binsh="" # busybox-binsh came with 3.17
  local includes=""
  for fragment in "$@"; do includes+="\"$FRAGMENTS/$fragment.toml\", "; done
  [[ -n $includes ]] || includes="  "
  cat >"$file" <<TOML
include = [${includes%, }]
name = "real-$release"
release = "$release"
distribution = "alpine"
architecture = "x86_64"
packages = ["alpine-baselayout", "alpine-keys", "busybox", $binsh"musl", "apk-tools",
            "ca-certificates-bundle"]

[[repositories]]
url = "$CDN"
branch = "v\${release}"
repos = [$repos]
keys = ["alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub"]
TOML
}

compared=0
for case in "3.16 main base" "3.17 main,community dockerd" "3.17 main,community podman" \
            "3.18 main,community dockerd" "3.18 main,community podman"; do
  read -r release repos flavour <<<"$case"
  repo_list=$(sed 's/\([a-z]*\)/"\1"/g' <<<"$repos")
  fragments=()
  [[ $flavour == base ]] || fragments+=(miget-base alpine-host)
  [[ $flavour == dockerd ]] && fragments+=(dockerd alpine-dockerd docker-compose)
  [[ $flavour == podman ]] && fragments+=(podman docker-compose)
  recipe=$WORK/real-$release-$flavour.toml
  real_recipe "$recipe" "$release" "$repo_list" "${fragments[@]}"
  "$COMPOSE" show-packages "$recipe" "${flags[@]}" >"$WORK/plan.txt" 2>"$WORK/plan.err" ||
    fail "show-packages on real v$release ($flavour): $(cat "$WORK/plan.err")"
  awk '{print $1 "-" $2}' "$WORK/plan.txt" | sort >"$WORK/ours.txt"
  world=$("$COMPOSE" show-config "$recipe" | python3 -c '
import json, sys
print(" ".join(p if isinstance(p, str) else p["name"] + p.get("constraint", "")
               for p in json.load(sys.stdin)["packages"]))')
  urls=()
  for repo in ${repos//,/ }; do urls+=("file://$REAL/v$release/$repo"); done
  python3 - "$world" "${urls[@]}" >"$WORK/theirs.txt" <<PY
import os, sys, tempfile
sys.path.insert(0, os.path.join("$COMPOSE_SOURCE_DIR", "tests", "support"))
import apk_oracle
with tempfile.TemporaryDirectory() as work:
    verdict, installed = apk_oracle.Oracle("$COMPOSE_SOURCE_DIR", work).resolve(
        sys.argv[2:], [sys.argv[1].split()])[0]
    if verdict != "ok":
        sys.exit("apk refused the world: %s" % installed)
    print("\n".join(installed))
PY
  diff -u "$WORK/theirs.txt" "$WORK/ours.txt" >"$WORK/diff.txt" ||
    fail "v$release $flavour: install sets differ (apk -, compose +): $(cat "$WORK/diff.txt")"
  echo "v$release $flavour: $(wc -l <"$WORK/ours.txt") packages, same as apk.static"
  compared=$((compared + 1))
done

# lock: verifies and resolves the real indexes, then needs the packages (not in the data).
real_recipe "$WORK/lock.toml" 3.18 '"main", "community"' miget-base alpine-host
if "$COMPOSE" lock "$WORK/lock.toml" "${flags[@]}" >"$WORK/lock.out" 2>"$WORK/lock.err"; then
  fail "lock succeeded without the package files"
fi
grep -q "signature does not verify\|invalid version\|invalid dependency" "$WORK/lock.err" &&
  fail "lock on real indexes failed in the readers: $(cat "$WORK/lock.err")"
grep -q "\.apk" "$WORK/lock.err" || fail "lock did not stop at a package file: $(cat "$WORK/lock.err")"
echo "real-index product worlds compared with apk.static: $compared, differences: 0"
