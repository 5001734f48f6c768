#!/usr/bin/env bash
# Builds everything twice (warnings as errors; then address+undefined sanitizers) and runs the
# whole test suite in both builds. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test || exit 1
jobs=$(nproc)
passed=0 failed=0
run_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null || return 1
  cmake --build "$dir" -j"$jobs" || return 1
  local log="$dir/ctest.log"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 300) 2>&1 | tee "$log"
  local p f
  p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log")
  f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Exception|Timeout|Not Run)' "$log")
  passed=$((passed + p)); failed=$((failed + f))
  grep -q '100% tests passed' "$log"
}
status=0
run_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_WERROR=ON || status=1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_build build-asan -DCMAKE_BUILD_TYPE=Debug -DHL_WERROR=ON -DHL_SANITIZE=ON || status=1
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi # a build failure counts
echo "$passed passed, $failed failed"
exit $status
