#!/usr/bin/env bash
# The rootfs tree-compare tool (tests/support/tree_compare.py) finds the differences it is built
# for on two generated tarballs, and its agreement bar fails a comparison that falls below it.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skipped: python3 is not installed"; exit 77; }
tool=$COMPOSE_SOURCE_DIR/tests/support/tree_compare.py
python3 "$tool" --self-test

mkdir -p "$WORK/a/etc" "$WORK/b/etc"
echo same >"$WORK/a/etc/x"; echo same >"$WORK/b/etc/x"
echo one >"$WORK/a/etc/y"; echo two >"$WORK/b/etc/y"
tar -C "$WORK/a" --owner=0 --group=0 -cf "$WORK/a.tar" .
tar -C "$WORK/b" --owner=0 --group=0 -cf "$WORK/b.tar" .
python3 "$tool" "$WORK/a.tar" "$WORK/b.tar" --min-agreement 70 >"$WORK/pass.txt" \
  || fail "75% agreement was refused under a 70% bar: $(cat "$WORK/pass.txt")"
grep -q 'agreement: 75.00%' "$WORK/pass.txt" || fail "expected 75.00%: $(cat "$WORK/pass.txt")"
if python3 "$tool" "$WORK/a.tar" "$WORK/b.tar" --min-agreement 80 >/dev/null 2>&1; then
  fail "75% agreement passed an 80% bar"
fi
echo ok
