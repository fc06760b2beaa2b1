# Shared by the Debian benchmarks (sourced, not run): one timed sample per command, and the
# medians of the samples as a table. Expects $work (the run's scratch directory) and $bench
# (the script's name, for messages).

# measure LABEL COMMAND...: one sample "LABEL wall cpu rss_kib" into $work/samples; the
# command's stderr goes to $work/log-LABEL. CPU is user + system, children included; RSS is
# the largest single process.
measure() {
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" 2>"$work/log-$label" >/dev/null ||
    { cat "$work/log-$label" >&2; echo "$bench: $label failed" >&2; exit 1; }
  read -r wall user sys rss <"$work/time"
  echo "$label $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss" >>"$work/samples"
}

# print_medians LABEL=TITLE...: the median wall, CPU and peak RSS of each label's samples, in
# the order given, as a Markdown table; "LABEL wall cpu rss_kib" medians into $work/medians.
print_medians() {
  python3 - "$work/samples" "$work/medians" "$@" <<'PY'
import statistics, sys
samples = {}
for line in open(sys.argv[1]):
    label, wall, cpu, rss = line.split()
    samples.setdefault(label, []).append((float(wall), float(cpu), int(rss)))
titles = dict(arg.split("=", 1) for arg in sys.argv[3:])
runs = max(len(rows) for rows in samples.values())
print(f"medians of {runs} run(s)")
print(f"| {'':52} | wall s | CPU s | peak RSS |")
print(f"|{'-' * 54}|--------|-------|----------|")
with open(sys.argv[2], "w") as out:
    for label, title in titles.items():
        if label not in samples:
            continue
        wall, cpu, rss = (statistics.median(s[i] for s in samples[label]) for i in range(3))
        print(f"| {title:52} | {wall:6.1f} | {cpu:5.1f} | {rss / 1024:4.0f} MiB |")
        out.write(f"{label} {wall} {cpu} {rss}\n")
PY
}

# median FIELD LABEL: one median from $work/medians (FIELD 2 wall, 3 CPU, 4 RSS in KiB).
median() { awk -v f="$1" -v l="$2" '$1 == l { print $f }' "$work/medians"; }
