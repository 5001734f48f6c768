#!/usr/bin/env bash
# Builds everything twice (warnings as errors; then address+undefined sanitizers) and runs the
# whole test suite in both builds, with a throwaway PostgreSQL (scripts/pg-test.sh) for the tests
# that need one. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test || exit 1
# PostgreSQL is required, never skipped: each build's ctest gets a database of its own.
. scripts/pg-test.sh
if ! pg_test_start hl_build hl_asan; then
  echo "scripts/test.sh: PostgreSQL could not be started (see above); the PostgreSQL tests are" \
    "required" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
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
HL_TEST_PG_URL=$(pg_test_url hl_build) \
  run_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_WERROR=ON -DHL_TEST_FAULTS=ON \
    -DCMAKE_INSTALL_PREFIX=/usr || status=1
HL_TEST_PG_URL=$(pg_test_url hl_asan) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_build build-asan -DCMAKE_BUILD_TYPE=Debug -DHL_WERROR=ON -DHL_SANITIZE=ON \
    -DHL_TEST_FAULTS=ON -DCMAKE_INSTALL_PREFIX=/usr || status=1
# Every parser of outside data under libFuzzer for 10 s (scripts/fuzz.sh; the long form is in
# scripts/soak.sh): one result a target.
mkdir -p build-fuzz
HL_FUZZ_JOBS=$jobs bash scripts/fuzz.sh 10 2>&1 | tee build-fuzz/fuzz.log
fp=$(grep -cE '^fuzz_[a-z_]+ +[0-9]+ .* ok$' build-fuzz/fuzz.log)
ff=$(grep -cE '^fuzz_[a-z_]+ +[0-9]+ .* FAILED' build-fuzz/fuzz.log)
passed=$((passed + fp)); failed=$((failed + ff))
if ! grep -q '^scripts/fuzz.sh: .* no crash$' build-fuzz/fuzz.log; then
  [ "$ff" -gt 0 ] || failed=$((failed + 1)) # the build or set-up failed: no target ran
  status=1
fi
# Each program alone must configure and build with only its own libraries (HL_BUILD_KIOSK,
# HL_BUILD_COLLECTOR); only the program target is built, to keep this step short.
run_alone() { # dir, target, cmake args...
  local dir=$1 target=$2; shift 2
  if cmake -S . -B "$dir" -DHL_WERROR=ON "$@" >/dev/null &&
    cmake --build "$dir" -j"$jobs" --target "$target" >"$dir/build.log" 2>&1 &&
    "$dir/bin/$target" --version >/dev/null; then
    passed=$((passed + 1))
  else
    echo "scripts/test.sh: $target alone ($dir, $*) failed; see $dir/build.log" >&2
    failed=$((failed + 1)); status=1
  fi
}
run_alone build-kiosk-only hailong-kiosk -DHL_BUILD_COLLECTOR=OFF
run_alone build-collector-only hailong-collector -DHL_BUILD_KIOSK=OFF
# The packages installed into a throw-away Debian 12 root and upgraded (tests/test_deploy.sh: a
# minute or two, network to deb.debian.org). HAILONG_TEST_DEPLOY=0 skips it, loudly.
if [ "${HAILONG_TEST_DEPLOY:-1}" = 0 ]; then
  echo "scripts/test.sh: test_deploy SKIPPED (HAILONG_TEST_DEPLOY=0): packages not installed" >&2
else
  mkdir -p build-deploy
  bash tests/test_deploy.sh . build-deploy 2>&1 | tee build-deploy/test.log
  tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' build-deploy/test.log | tail -1)
  if [ -n "$tally" ]; then
    p=${tally%% passed*}; f=${tally#*passed, }; f=${f%% failed}
    passed=$((passed + p)); failed=$((failed + f))
    [ "$f" -eq 0 ] || status=1
  else
    echo "scripts/test.sh: test_deploy ended without its tally; see build-deploy/test.log" >&2
    failed=$((failed + 1)); status=1
  fi
fi
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi # a build failure counts
pg_test_stop
echo "$passed passed, $failed failed"
exit $status
