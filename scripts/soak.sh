#!/usr/bin/env bash
# The long forms of the reliability suites (docs/RELIABILITY.md), the one command behind the
# figures there: 200 kills of the kiosk, 3 x 2 000 power cuts on each kind of disk, a minute of
# taps on every screen and ten minutes of memory, the network faults and the load on the collector
# at length, and every fuzz target for ten minutes. About two hours on 2 cores; the test command
# (scripts/test.sh) runs the short forms of the same suites.
#   scripts/soak.sh [SUITE...]     suites: crash powercut abuse clock netfault load fuzz (default all)
# Environment: HL_SOAK_BUILD (build folder, default build), HL_SOAK_FUZZ_SECONDS (per target,
# default 600). Each suite's output goes to BUILD/soak/SUITE.log; its figure lines are printed.
# Ends with "N passed, N failed" (one a suite run); exit 0 only if every one passed.
set -uo pipefail
cd "$(dirname "$0")/.."
all=(crash powercut abuse clock netfault load fuzz)
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=("${all[@]}")
for s in "${suites[@]}"; do
  [[ " ${all[*]} " == *" $s "* ]] || {
    echo "usage: scripts/soak.sh [${all[*]}]: unknown suite '$s'" >&2
    exit 2
  }
done
bash scripts/deps.sh --test || exit 1
build=${HL_SOAK_BUILD:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_WERROR=ON -DHL_TEST_FAULTS=ON \
  >/dev/null && cmake --build "$build" -j"$(nproc)" >/dev/null || {
  echo "scripts/soak.sh: the build in $build failed" >&2
  exit 1
}
build=$(cd "$build" && pwd)
mkdir -p "$build/soak"
# What ctest would set (tests/CMakeLists.txt HL_TEST_ENV), for the scripts run directly here so
# that their figures are printed.
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy HAILONG_ASSETS=$PWD/assets \
  HL_TEST_SRC=$PWD/tests HL_BIN_DIR=$build/bin
. scripts/pg-test.sh
pg_started=0
if [[ " ${suites[*]} " == *" netfault "* ]] && pg_test_start hl_soak; then
  export HL_TEST_PG_URL
  HL_TEST_PG_URL=$(pg_test_url hl_soak)
  pg_started=1
fi

passed=0 failed=0
step() { # name, command...: runs it, logs it, prints its figure lines
  local name=$1 log=$build/soak/$1.log
  shift
  echo "== $name: $*" >&2
  local t0=$SECONDS
  if (cd "$build" && "$@") >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "   ok ($((SECONDS - t0)) s)" >&2
  else
    failed=$((failed + 1))
    echo "   FAILED ($((SECONDS - t0)) s); see $log" >&2
  fi
  grep -E '^(crash|powercut|abuse|clock|netfault|load):|^fuzz_[a-z_]+ |^target ' "$log" >&2 || true
}
for s in "${suites[@]}"; do
  case $s in
  crash) step crash env HL_CRASH_KILLS=200 bash "$PWD/tests/reliability/test_crash.sh" ;;
  powercut)
    for seed in 101 202 303; do
      step "powercut-$seed" env HL_POWERCUT_ROUNDS=2000 HL_POWERCUT_SEED=$seed bin/test_powercut
      step "powercut-nopsow-$seed" env HL_POWERCUT_ROUNDS=2000 HL_POWERCUT_SEED=$seed \
        HL_POWERCUT_NO_PSOW=1 bin/test_powercut
    done
    ;;
  abuse) step abuse env HL_ABUSE_SECONDS=60 HL_ABUSE_MINUTES=10 bin/test_abuse ;;
  clock) step clock bash "$PWD/tests/reliability/test_clock.sh" ;;
  netfault) step netfault env HL_NETFAULT_VOTES=${HL_NETFAULT_VOTES:-3000} bash "$PWD/tests/reliability/test_netfault.sh" ;;
  load) step load env HL_LOAD_RUNS=40 bash "$PWD/tests/reliability/test_load.sh" ;;
  fuzz) step fuzz env HL_FUZZ_BUILD="$PWD/build-fuzz" bash "$PWD/scripts/fuzz.sh" \
    "${HL_SOAK_FUZZ_SECONDS:-600}" ;;
  esac
done
[ $pg_started = 1 ] && pg_test_stop
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
