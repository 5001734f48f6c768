# lib.sh: what the shell tests (test_e2e, test_collector, test_sync_e2e) share; sourced, never run:
# pass/fail counting and the checks, the sanitizer scan of a log, required tools and binaries, the
# collector's fault switch, waiting for a collector's port, and the final tally.

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1" >&2; }
bad() { failed=$((failed + 1)); echo "FAIL $1" >&2; }
# check NAME COMMAND...: passes when the command succeeds.
check() {
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
# same NAME GOT WANT: exact text comparison, with a diff (its first 40 lines) on failure.
same() {
  if [ "$2" = "$3" ]; then
    ok "$1"
  else
    bad "$1"
    diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -40 | sed 's/^/    /' >&2 || true
  fi
}
# contains FILE TEXT: FILE holds TEXT (a fixed string).
contains() { grep -qF -- "$2" "$1"; }
# no_sanitizer NAME LOG: fails NAME when LOG holds a report of the address/undefined sanitizers
# (every test also runs in the sanitizer build).
no_sanitizer() {
  if grep -qE 'Sanitizer|runtime error:' "$2"; then
    bad "$1: sanitizer report"
    sed 's/^/    /' "$2" >&2
  fi
}

# need_tools TEST TOOL...: exits 1 naming the first tool that is not installed.
need_tools() {
  local test=$1 tool; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || {
      echo "$test: $tool is missing (scripts/deps.sh --test installs it)" >&2
      exit 1
    }
  done
}
# need_bins TEST PATH...: exits 1 naming the first program that is not built.
need_bins() {
  local test=$1 b; shift
  for b in "$@"; do
    [ -x "$b" ] || {
      echo "$test: $b not built" >&2
      exit 1
    }
  done
}
# need_faults TEST COLLECTOR: exits 1 unless that hailong-collector has its test-only fault switch
# (HAILONG_COLLECTOR_FAULTS), which a release build leaves out and would silently ignore.
need_faults() {
  "$2" --version 2>/dev/null | grep -q 'test faults' || {
    echo "$1: $2 has no fault switch (HAILONG_COLLECTOR_FAULTS), which this test needs;" \
      "build with cmake -DHL_TEST_FAULTS=ON (scripts/test.sh does)" >&2
    exit 1
  }
}

# wait_port NAME PORT_FILE PID LOG: waits up to 10 s for a `serve --port-file PORT_FILE` started
# as PID to write its port. 1, after failing "NAME did not start" with its LOG, if it never does.
wait_port() {
  local name=$1 file=$2 pid=$3 log=$4
  for _ in $(seq 1 400); do
    [ -s "$file" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.025
  done
  [ -s "$file" ] && return 0
  bad "$name did not start"
  sed 's/^/    /' "$log" >&2
  return 1
}

# start_xvfb DIR: an X server for the real, windowed kiosk (Xvfb, 1280x800x24, its own display
# number), its log in DIR/xvfb.log. Sets $display and adds the server's pid to the caller's $pids
# array (the caller's cleanup ends it). 1, after failing "Xvfb did not start", if it never does.
start_xvfb() {
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$1/display" 2>"$1/xvfb.log" &
  pids+=($!)
  for _ in $(seq 1 400); do [ -s "$1/display" ] && break; sleep 0.025; done
  if ! [ -s "$1/display" ]; then
    bad "Xvfb did not start"
    sed 's/^/    /' "$1/xvfb.log" >&2
    return 1
  fi
  display=:$(head -n1 "$1/display")
}

# pg_schema_url URL SCHEMA: URL with SCHEMA as the search path, so that a run has tables of its
# own on a shared server.
pg_schema_url() {
  local sep='?'
  case $1 in *\?*) sep='&' ;; esac
  printf '%s%soptions=-csearch_path%%3D%s\n' "$1" "$sep" "$2"
}

# finish: the tally line; its status is the test's (nonzero when anything failed).
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# ---- a kiosk voting in script mode with sync (test_sync_e2e, test_netfault, test_load) ----
# The demo content's officers.
officers=(tp-hung vh-mai dc-minh tc-tuan tp-ha vp-lan)
# votes_script FIRST N: N lobby-mode votes (officer, rating 3/2/1, reasons after a 1), the kth
# vote numbered FIRST+k so that repeated calls vary; every fifth comes 1 s after the one before
# (within the response interval: stored as misuse).
votes_script() {
  local first=$1 n=$2 i k o r
  for ((k = 0; k < n; k++)); do
    i=$((first + k))
    o=${officers[$((i % 6))]}
    r=$((3 - i % 3))
    printf 'tap rate\ntap officer-%s\ntap rate-%s\n' "$o" "$r"
    if [ "$r" = 1 ]; then
      case $((i % 4)) in
      0) printf 'tap reason-cham-tre\ntap reason-thai-do\ntap send\n' ;;
      1) printf 'tap reason-khac\ntap send\n' ;;
      *) printf 'tap skip\n' ;;
      esac
    fi
    printf 'expect thanks\ntap done\n'
    if [ $((i % 5)) = 4 ]; then printf 'wait 1000\n'; else printf 'wait 7000\n'; fi
  done
}
# kiosk_ini FILE ID DATA URL TOKEN_FILE [extra [sync] lines...]
kiosk_ini() {
  local f=$1 id=$2 data=$3 url=$4 tok=$5; shift 5
  {
    printf '[kiosk]\nid = %s\nmode = lobby\ndata_dir = %s\n' "$id" "$data"
    printf '[display]\nfullscreen = false\n'
    printf '[sync]\nurl = %s\ntoken_file = %s\nstart_delay_max = 0\n' "$url" "$tok"
    printf 'backoff_base_ms = 100\nbackoff_cap_ms = 800\nrequest_timeout_ms = 2000\n'
    local l
    for l in "$@"; do printf '%s\n' "$l"; done
  } >"$f"
}
