#!/usr/bin/env bash
# compose report: the components table from three locks (tests/golden/report/*.lock.json,
# hand-written in the lock format) is exactly tests/golden/report/components.md; a lock that
# does not parse is an error naming it.
source "$(dirname "$0")/lib.sh"
golden=$COMPOSE_SOURCE_DIR/tests/golden/report
"$COMPOSE" report "$golden/alpine-3.22-dockerd.lock.json" "$golden/alpine-3.22-podman.lock.json" \
  "$golden/ubuntu-24.04-dockerd.lock.json" >"$WORK/components.md"
diff -u "$golden/components.md" "$WORK/components.md" || fail "the table differs from the golden one"

sed 's/"format": 1/"format": 7/' "$golden/alpine-3.22-podman.lock.json" >"$WORK/future.lock.json"
status=0
"$COMPOSE" report "$WORK/future.lock.json" >/dev/null 2>"$WORK/stderr" || status=$?
[[ $status == 1 ]] || fail "a lock of another format did not fail"
grep -qF "lock file: format is 7; this compose reads 1" "$WORK/stderr" || { cat "$WORK/stderr"; fail "message"; }
grep -qF "at: $WORK/future.lock.json" "$WORK/stderr" || fail "the lock file is not named"
echo "ok"
