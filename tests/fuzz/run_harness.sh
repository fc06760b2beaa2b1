#!/usr/bin/env bash
# Runs one libFuzzer harness for a bounded time over its seed corpus (made on first use by
# make_seeds.py) and its committed regression inputs, then prints one summary line.
# Usage: run_harness.sh BINARY HARNESS
# Environment: COMPOSE_FUZZ_SECONDS (default 15), COMPOSE_FUZZ_ARTIFACTS (where a crashing
# input is written; default <build>/fuzz-findings/HARNESS), COMPOSE_FUZZ_SEED (libFuzzer's
# random seed; unset: a fresh one each run), COMPOSE_BUILD_DIR, COMPOSE_SOURCE_DIR.
set -euo pipefail
binary=$1 harness=$2
source_dir=${COMPOSE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build_dir=${COMPOSE_BUILD_DIR:-$(dirname "$binary")}
seconds=${COMPOSE_FUZZ_SECONDS:-15}
artifacts=${COMPOSE_FUZZ_ARTIFACTS:-$build_dir/fuzz-findings/$harness}
corpus=$build_dir/fuzz-corpus/$harness
regressions=$source_dir/tests/fuzz/regressions/$harness

if [[ ! -d $corpus ]]; then
  python3 "$source_dir/tests/fuzz/make_seeds.py" "$build_dir/fuzz-corpus.new" "$harness"
  mkdir -p "$build_dir/fuzz-corpus"
  mv "$build_dir/fuzz-corpus.new/$harness" "$corpus"
fi
mkdir -p "$artifacts"
# Images and signed files are large by nature; everything else is read record by record.
case $harness in
  openpgp) max_len=300000 ;;
  inspect_ext4) max_len=131072 ;;
  *) max_len=65536 ;;
esac
seed=()
[[ -n ${COMPOSE_FUZZ_SEED:-} ]] && seed=(-seed="$COMPOSE_FUZZ_SEED")
inputs=("$corpus")
[[ -d $regressions ]] && inputs+=("$regressions")

# The harnesses that read files write their scratch copies here.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/compose-fuzz-$harness.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
log=$build_dir/fuzz-$harness.log
status=0
TMPDIR=$scratch ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
  "$binary" "${seed[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "${inputs[@]}" >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
if ((status != 0)); then
  tail -n 60 "$log" >&2
  echo "fuzz $harness: FINDING after ${execs:-?} execs (exit $status); input kept in $artifacts/, log $log" >&2
  exit 1
fi
echo "fuzz $harness: ${execs:-0} execs in ${seconds}s, ${rate:-0} execs/s, no findings"
