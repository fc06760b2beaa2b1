#!/usr/bin/env bash
# Interrupted builds leave nothing: SIGINT and SIGTERM while packages are fetched and while
# outputs are written remove the set being written (out/.compose/<image>/<pid>-…), the
# directories made for it and cache/tmp's partial downloads, and exit 130 / 143; a set a
# killed build left is removed by the next build, one of a running build is not.
source "$(dirname "$0")/lib.sh"

KEY=$("$COMPOSE_FIXTURE" alpine-mirror --preset large --packages 60 --size-mb 120 \
  --out "$WORK/mirror" --trust-dir "$WORK/trust")
bulk=()
for ((i = 0; i < 60; i++)); do bulk+=("bulk-$i"); done
write_recipe "$WORK/big.toml" "file://$WORK/mirror" "${bulk[@]}"

# interrupt SIGNAL EXPECTED-STATUS WHEN: starts a build and signals it once WHEN holds.
interrupt() {
  local signal=$1 expected=$2 when=$3 out=$WORK/out-$1 cache=$WORK/cache-$1-$RANDOM
  rm -rf "$out"
  "$COMPOSE" "$WORK/big.toml" -o "$out" --trust-dir "$WORK/trust" --keys-dir "$WORK/trust" \
    --cache-dir "$cache" >/dev/null 2>"$WORK/stderr" &
  local pid=$!
  for ((i = 0; i < 600; i++)); do
    eval "$when" && break
    sleep 0.05
  done
  kill "-$signal" "$pid" 2>/dev/null || fail "the build ended before it could be interrupted"
  local status=0
  wait "$pid" || status=$?
  [[ $status -eq $expected ]] || { cat "$WORK/stderr" >&2; fail "SIG$signal: exit $status, not $expected"; }
  grep -q "interrupted; partial outputs and downloads removed" "$WORK/stderr" ||
    fail "SIG$signal: no word of the interruption"
  if [[ -e $out ]]; then ls -laR "$out" >&2; fail "SIG$signal: out/ left behind"; fi
  if [[ -d $cache/tmp ]] && [[ -n $(ls -A "$cache/tmp") ]]; then
    fail "SIG$signal: partial downloads left: $(ls "$cache/tmp")"
  fi
  echo "SIG$signal ($when): exit $status, nothing left"
}

interrupt INT 130 '[[ -n $(ls -A "$cache/tmp" 2>/dev/null) ]]'
interrupt TERM 143 'compgen -G "$out/.compose/e2e/*/*" >/dev/null'
interrupt INT 130 'compgen -G "$out/.compose/e2e/*/*" >/dev/null'

# A set directory of a process that is gone goes; one of a live process stays.
stale=$WORK/out-stale/.compose/e2e
mkdir -p "$stale/999999999-dead" "$stale/$$-live"
echo partial >"$stale/999999999-dead/e2e.oci.tar"
"$COMPOSE" "$WORK/big.toml" -o "$WORK/out-stale" --trust-dir "$WORK/trust" --keys-dir "$WORK/trust" \
  --cache-dir "$WORK/cache-stale" >/dev/null 2>&1 || fail "the build after a killed one failed"
[[ ! -e $stale/999999999-dead ]] || fail "a dead build's set stayed"
[[ -d $stale/$$-live ]] || fail "a live build's set was removed"
[[ -s $WORK/out-stale/e2e.oci.tar ]] || fail "no output after the clean-up"
echo "stale staging of a killed build removed; a live one kept"
