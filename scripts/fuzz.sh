#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (-DHL_FUZZ=ON) and runs each for SECONDS
# (default 10) on a copy of its corpus fuzz/corpus/NAME in a temporary folder, so the repository's
# corpus never grows. Prints one line of figures per target, and for a crash (or leak, timeout,
# out-of-memory) which target and where its input was kept; exits 1 if any target failed.
#   scripts/fuzz.sh [SECONDS]        e.g. scripts/fuzz.sh 600 for the long form
# Environment: HL_FUZZ_BUILD (build folder, default build-fuzz), HL_FUZZ_ONLY (run the targets
# whose name holds this word), HL_FUZZ_OUT (where logs and crash inputs go, default
# HL_FUZZ_BUILD/fuzz-out), HL_FUZZ_JOBS (build jobs, default 1).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
case $secs in '' | *[!0-9]*)
  echo "usage: scripts/fuzz.sh [SECONDS per target]" >&2
  exit 2
  ;;
esac
build=${HL_FUZZ_BUILD:-build-fuzz}
out=${HL_FUZZ_OUT:-$build/fuzz-out}
only=${HL_FUZZ_ONLY:-}
cc=${CC:-clang}
command -v "$cc" >/dev/null || {
  echo "scripts/fuzz.sh: $cc not found; libFuzzer needs clang (apt-get install clang)" >&2
  exit 2
}

# The largest input each target is given: room for every limit its parser checks (a query string
# is short; 521 wire results need ~17 KiB), but not more, since a bigger input only makes each run
# slower without reaching new code.
max_len() {
  case $1 in
  fuzz_collector_query) echo 2048 ;;
  fuzz_config) echo 8192 ;;
  fuzz_content | fuzz_proc_csv | fuzz_wire_health) echo 16384 ;;
  *) echo 32768 ;; # fuzz_proc_json, fuzz_wire_*
  esac
}

targets=()
for src in fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  [ -n "$only" ] && [[ $t != *"$only"* ]] && continue
  targets+=("$t")
done
[ ${#targets[@]} -gt 0 ] || {
  echo "scripts/fuzz.sh: no target matches HL_FUZZ_ONLY=$only" >&2
  exit 2
}

# Sanitizers instead of Debian's hardening (fortify hides some overflows from ASan).
mkdir -p "$build"
CC=$cc cmake -S . -B "$build" -DHL_FUZZ=ON -DHL_HARDEN=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >"$build/fuzz-configure.log" 2>&1 || {
  cat "$build/fuzz-configure.log" >&2
  exit 2
}
cmake --build "$build" -j"${HL_FUZZ_JOBS:-1}" --target "${targets[@]}" || exit 2

mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Undefined behaviour stops the run like a crash (it only prints and goes on by default).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -1; }
failed=()
printf '%-22s %6s %12s %9s %7s %7s %7s  %s\n' target secs execs exec/s cov ft corpus result
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  mkdir -p "$tmp/$name" "$out/$t"
  cp -r fuzz/corpus/"$name"/. "$tmp/$name/"
  log=$out/$t.log
  # -artifact_prefix keeps a crash's input outside the temporary folder; the run is
  # single-process (-j1 rule) and stops at the first failure.
  "$build/bin/$t" -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$t/" "$tmp/$name" \
    >"$log" 2>&1
  rc=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  result=ok
  if [ $rc -ne 0 ]; then
    artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
    what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-zA-Z-]+|runtime error: .*|deadly signal|timeout|out-of-memory' "$log")
    result="FAILED (exit $rc: ${what:-see log}) input: ${artifact:-none written} log: $log"
    failed+=("$t")
  fi
  printf '%-22s %6s %12s %9s %7s %7s %7s  %s\n' "$t" "$secs" "$(stat "$log" number_of_executed_units)" \
    "$(stat "$log" average_exec_per_sec)" "${cov:--}" "${ft:--}" "${corp:--}" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "scripts/fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  echo "Replay one: $build/bin/TARGET INPUT; keep the input as a regression in fuzz/corpus/NAME/" >&2
  exit 1
fi
echo "scripts/fuzz.sh: ${#targets[@]} targets, ${secs} s each, no crash"
