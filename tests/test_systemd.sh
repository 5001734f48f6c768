#!/usr/bin/env bash
# test_systemd: what the programs tell systemd, with the real binaries. sd_notify to a stand-in
# notification socket (notify_socket.py): the windowed kiosk under Xvfb says READY=1 once its first
# frame is shown, feeds the watchdog while idle (also as a child of the unit's main process, as
# under cage) and never for a WATCHDOG_PID that is not its own or its parent's, and says
# STOPPING=1 on SIGTERM; the collector says READY=1 once it listens, feeds its watchdog and says
# STOPPING=1. Journald priorities: with JOURNAL_STREAM naming stderr, <3> on errors (the kiosk's
# run, its commands, the collector) and <6> on info lines, no timestamp; otherwise the old format.
# The clock line of `hailong-kiosk status` agrees with timedatectl (or the kernel, read apart).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bin_dir=${HL_BIN_DIR:-$src/build/bin}
kiosk=$bin_dir/hailong-kiosk collector=$bin_dir/hailong-collector
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets} SDL_AUDIODRIVER=dummy
need_tools test_systemd python3 Xvfb curl pgrep
need_bins test_systemd "$kiosk" "$collector"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-sd.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${HL_TEST_KEEP:-}" = 1 ] || rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for NAME FILE PATTERN [PID]: waits up to 60 s until FILE holds a line matching PATTERN
# (grep -E); 1 and a failure naming NAME if it never does (or if PID ended first).
wait_for() {
  local name=$1 file=$2 pat=$3 pid=${4:-}
  for _ in $(seq 1 1200); do
    grep -qE -- "$pat" "$file" 2>/dev/null && return 0
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
    sleep 0.05
  done
  grep -qE -- "$pat" "$file" 2>/dev/null && return 0
  bad "$name: no line /$pat/ in $(basename "$file")"
  sed 's/^/    /' "$file" >&2 || true
  return 1
}

# listen NAME: a fresh notification socket $tmp/NAME.sock whose messages go to $tmp/NAME.msgs.
listen() {
  : >"$tmp/$1.msgs"
  python3 "$src/tests/notify_socket.py" "$tmp/$1.sock" "$tmp/$1.msgs" &
  pids+=($!)
  listener=$!
  for _ in $(seq 1 400); do
    [ -S "$tmp/$1.sock" ] && return 0
    sleep 0.025
  done
  bad "$1: the notification socket did not appear"
  return 1
}

# stop_wait NAME PID WANT_RC LOG: SIGTERM to PID, then its exit code must be WANT_RC.
stop_wait() {
  local name=$1 pid=$2 want=$3 log=$4 rc=0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$name: exit code $want after SIGTERM"; else
    bad "$name: exit code $rc after SIGTERM, expected $want"
    sed 's/^/    /' "$log" >&2
  fi
  no_sanitizer "$name" "$log"
}

# ---------------------------------------------------------------------------------------------
# An X server for the real, windowed kiosk (the kiosk refuses SDL's dummy and offscreen drivers).
start_xvfb "$tmp" || { finish; exit 1; }
# In the sanitizer build: the X11, Mesa and D-Bus libraries SDL loads for a real window leave
# allocations behind at exit that LeakSanitizer reports (not ours: every headless test checks our
# leaks). Only the windowed runs below go without leak checking; address and UB checks stay on.
xasan=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# kiosk_x NAME VAR=VALUE...: starts the real kiosk in a window on Xvfb (lobby demo, data in
# $tmp/NAME), its stdout+stderr in $tmp/NAME.log; the variables are set for it. Sets $kpid.
kiosk_x() {
  local name=$1; shift
  mkdir -p "$tmp/$name"
  env -u SDL_VIDEODRIVER -u WAYLAND_DISPLAY -u NOTIFY_SOCKET -u WATCHDOG_USEC -u WATCHDOG_PID \
    DISPLAY="$display" "$xasan" "$@" "$kiosk" --config "$src/assets/demo/lobby.ini" \
    --data-dir "$tmp/$name" --windowed=800x500 >"$tmp/$name.log" 2>&1 &
  kpid=$!
  pids+=("$kpid")
}

# 1. Ready, watchdog while idle, stopping. WATCHDOG_PID is the kiosk's own pid here: the shell
#    execs it, as systemd would start it directly. 400 ms: a feed due at least every 200 ms.
listen ready
mkdir -p "$tmp/ready"
env -u SDL_VIDEODRIVER -u WAYLAND_DISPLAY DISPLAY="$display" "$xasan" \
  NOTIFY_SOCKET="$tmp/ready.sock" WATCHDOG_USEC=400000 \
  bash -c 'export WATCHDOG_PID=$$; exec "$@"' sh "$kiosk" \
  --config "$src/assets/demo/lobby.ini" --data-dir "$tmp/ready" --windowed=800x500 \
  >"$tmp/ready.log" 2>&1 &
kpid=$!
pids+=("$kpid")
if wait_for "kiosk READY" "$tmp/ready.msgs" '^READY=1$' "$kpid"; then
  ok "kiosk: READY=1 arrives"
  check "kiosk: it is the real windowed kiosk (SDL's x11 driver)" \
    contains "$tmp/ready.log" "video: driver x11"
  check "kiosk: a STATUS= line with its id and mode" \
    grep -q '^STATUS=kiosk demo-lobby-01 (lobby) on screen$' "$tmp/ready.msgs"
fi
check "kiosk: the watchdog interval is logged" contains "$tmp/ready.log" \
  "systemd watchdog: 400 ms, fed every 100 to 200 ms"
# Nothing touches the idle kiosk: the feeds come from its loop waking for them alone.
n0=$(grep -c '^WATCHDOG=1$' "$tmp/ready.msgs" || true)
if wait_for "kiosk watchdog" "$tmp/ready.msgs" "WATCHDOG" "$kpid"; then
  for _ in $(seq 1 1200); do
    [ "$(grep -c '^WATCHDOG=1$' "$tmp/ready.msgs")" -ge $((n0 + 8)) ] && break
    kill -0 "$kpid" 2>/dev/null || break
    sleep 0.05
  done
  n1=$(grep -c '^WATCHDOG=1$' "$tmp/ready.msgs" || true)
  check "kiosk: WATCHDOG=1 keeps arriving while idle ($n1 so far)" [ "$n1" -ge $((n0 + 8)) ]
fi
stop_wait "kiosk" "$kpid" 0 "$tmp/ready.log"
check "kiosk: STOPPING=1 on SIGTERM" grep -q '^STOPPING=1$' "$tmp/ready.msgs"
check "kiosk: STOPPING=1 is the last message" \
  [ "$(grep -v '^--$' "$tmp/ready.msgs" | tail -n1)" = STOPPING=1 ]
kill "$listener" 2>/dev/null || true

# 2. As under cage: WATCHDOG_PID is the PARENT's pid (the unit's main process, which passed its
#    environment on). libsystemd's sd_watchdog_enabled() would say no; the kiosk must feed.
listen child
mkdir -p "$tmp/child"
env -u SDL_VIDEODRIVER -u WAYLAND_DISPLAY DISPLAY="$display" "$xasan" \
  NOTIFY_SOCKET="$tmp/child.sock" WATCHDOG_USEC=400000 \
  bash -c 'export WATCHDOG_PID=$$; "$@"; exit $?' sh "$kiosk" \
  --config "$src/assets/demo/lobby.ini" --data-dir "$tmp/child" --windowed=800x500 \
  >"$tmp/child.log" 2>&1 &
ppid_=$!
pids+=("$ppid_")
if wait_for "child kiosk READY" "$tmp/child.msgs" '^READY=1$' "$ppid_"; then
  ok "kiosk as a child: READY=1 arrives"
  wait_for "child kiosk watchdog" "$tmp/child.msgs" '^WATCHDOG=1$' "$ppid_" &&
    ok "kiosk as a child of WATCHDOG_PID: WATCHDOG=1 arrives"
fi
# SIGTERM to the kiosk (the parent shell would die of one itself); the shell exits with its code.
kchild=$(pgrep -P "$ppid_" || true)
[ -n "$kchild" ] && kill -TERM "$kchild"
rc=0
wait "$ppid_" || rc=$?
same "kiosk as a child: exit code after SIGTERM" "$rc" 0
no_sanitizer "kiosk as a child" "$tmp/child.log"
check "kiosk as a child: STOPPING=1" grep -q '^STOPPING=1$' "$tmp/child.msgs"
kill "$listener" 2>/dev/null || true

# 3. WATCHDOG_PID names another process (here the socket's listener: neither the kiosk nor its
#    parent): the watchdog is not the kiosk's, nothing is fed. 200 ms would mean a feed at least
#    every 100 ms: by STOPPING=1, after READY=1 and 30 of those intervals, none may have come.
listen other
kiosk_x other NOTIFY_SOCKET="$tmp/other.sock" WATCHDOG_USEC=200000 WATCHDOG_PID="$listener"
if wait_for "kiosk (other WATCHDOG_PID) READY" "$tmp/other.msgs" '^READY=1$' "$kpid"; then
  ok "kiosk, another WATCHDOG_PID: READY=1 arrives"
  sleep 2
fi
stop_wait "kiosk, another WATCHDOG_PID" "$kpid" 0 "$tmp/other.log"
check "kiosk, another WATCHDOG_PID: STOPPING=1" grep -q '^STOPPING=1$' "$tmp/other.msgs"
check "kiosk, another WATCHDOG_PID: no WATCHDOG=1 sent" \
  bash -c '! grep -q "^WATCHDOG=1$" "$1"' sh "$tmp/other.msgs"
check "kiosk, another WATCHDOG_PID: no watchdog logged" \
  bash -c '! grep -q "systemd watchdog" "$1"' sh "$tmp/other.log"
kill "$listener" 2>/dev/null || true

# 4. Without NOTIFY_SOCKET: nothing about systemd at all (and no watchdog from WATCHDOG_USEC).
kiosk_x plain WATCHDOG_USEC=200000
wait_for "kiosk without systemd starts" "$tmp/plain.log" "kiosk .* started" "$kpid" || true
sleep 1
stop_wait "kiosk without NOTIFY_SOCKET" "$kpid" 0 "$tmp/plain.log"
check "kiosk without NOTIFY_SOCKET: no watchdog" \
  bash -c '! grep -qE "systemd|notification" "$1"' sh "$tmp/plain.log"

# 5. The collector: READY=1 once it listens (its port already written), a watchdog it feeds, and
#    STOPPING=1 on SIGTERM.
"$collector" init --db "sqlite:$tmp/collector.db" >"$tmp/init.log" 2>&1 ||
  { bad "collector init"; cat "$tmp/init.log" >&2; }
listen coll
NOTIFY_SOCKET="$tmp/coll.sock" WATCHDOG_USEC=400000 \
  bash -c 'export WATCHDOG_PID=$$; exec "$@"' sh "$collector" serve --listen 127.0.0.1:0 \
  --db "sqlite:$tmp/collector.db" --port-file "$tmp/coll.port" >"$tmp/coll.log" 2>&1 &
cpid=$!
pids+=("$cpid")
if wait_for "collector READY" "$tmp/coll.msgs" '^READY=1$' "$cpid"; then
  ok "collector: READY=1 arrives"
  check "collector: the port was written before READY=1" [ -s "$tmp/coll.port" ]
  port=$(cat "$tmp/coll.port")
  check "collector: STATUS= names where it listens" \
    grep -q "^STATUS=listening on 127.0.0.1:0 (port $port, http)$" "$tmp/coll.msgs"
  check "collector: answers /healthz once ready" \
    curl -fsS --noproxy '*' -o /dev/null "http://127.0.0.1:$port/healthz"
  for _ in $(seq 1 1200); do
    [ "$(grep -c '^WATCHDOG=1$' "$tmp/coll.msgs")" -ge 3 ] && break
    kill -0 "$cpid" 2>/dev/null || break
    sleep 0.05
  done
  check "collector: WATCHDOG=1 keeps arriving" \
    [ "$(grep -c '^WATCHDOG=1$' "$tmp/coll.msgs")" -ge 3 ]
fi
stop_wait "collector" "$cpid" 0 "$tmp/coll.log"
check "collector: STOPPING=1 on SIGTERM" grep -q '^STOPPING=1$' "$tmp/coll.msgs"
kill "$listener" 2>/dev/null || true

# ---------------------------------------------------------------------------------------------
# Journald priorities. journal ID WANT_RC CMD...: runs CMD with stderr appended to $tmp/ID.err
# and JOURNAL_STREAM naming that file (what systemd sets for a unit whose stderr is the journal).
journal() {
  local id=$1 want=$2 rc=0; shift 2
  : >"$tmp/$id.err"
  JOURNAL_STREAM=$(stat -c '%d:%i' "$tmp/$id.err") "$@" >/dev/null 2>>"$tmp/$id.err" || rc=$?
  if [ "$rc" -eq "$want" ]; then ok "journal $id: exit code $want"; else
    bad "journal $id: exit code $rc, expected $want"
    sed 's/^/    /' "$tmp/$id.err" >&2
  fi
  no_sanitizer "journal $id" "$tmp/$id.err"
}
printf 'expect home\ntap rate-3\n' >"$tmp/missing.script"
journal run 1 env SDL_VIDEODRIVER=dummy "$kiosk" --data-dir "$tmp/jk" --script "$tmp/missing.script"
check "journal: an info line has <6> and no timestamp" \
  grep -qE '^<6>info: video: driver dummy' "$tmp/run.err"
check "journal: the error line has <3>" \
  grep -qE '^<3>error: .*missing.script:2: no target "rate-3"' "$tmp/run.err"
check "journal: every line has a priority" bash -c '! grep -vqE "^<[0-7]>" "$1"' sh "$tmp/run.err"

journal nodisplay 1 env -u DISPLAY -u WAYLAND_DISPLAY -u HAILONG_ALLOW_HEADLESS \
  SDL_VIDEODRIVER=dummy "$kiosk" --data-dir "$tmp/jk"
check "journal: 'no display' is an error (<3>)" \
  grep -qE "^<3>error: no display: SDL picked the 'dummy' video driver" "$tmp/nodisplay.err"
printf '[kiosk]\nid = bad-01\nmode = dsk\n' >"$tmp/bad.ini"
journal badcfg 2 "$kiosk" --config "$tmp/bad.ini"
check "journal: a configuration error of the kiosk's run is <3>" \
  grep -qE "^<3>hailong-kiosk: .*bad.ini:3:" "$tmp/badcfg.err"
journal usage 2 "$kiosk" status --frobnicate
check "journal: a command's usage error is <3> on each of its lines" \
  bash -c 'grep -q "^<3>hailong-kiosk: status: .*--frobnicate" "$1" && grep -q "^<3>Try " "$1"' \
  sh "$tmp/usage.err"
journal collector 2 "$collector" serve --listen 127.0.0.1:0 --db "sqlite:$tmp/none/missing.db"
check "journal: the collector's error is <3>" \
  grep -qE "^<3>hailong-collector serve: " "$tmp/collector.err"

# JOURNAL_STREAM inherited but stderr elsewhere (not the file it names): the old format.
: >"$tmp/elsewhere.err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$tmp/elsewhere.err") SDL_VIDEODRIVER=dummy "$kiosk" \
  --data-dir "$tmp/jk" --script "$tmp/missing.script" >/dev/null 2>"$tmp/plainfmt.err" || true
no_sanitizer "plain format" "$tmp/plainfmt.err"
ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z hailong'
check "no journal: timestamped info line" \
  grep -qE "$ts info: video: driver dummy" "$tmp/plainfmt.err"
check "no journal: timestamped error line" grep -qE "$ts error: .*no target" "$tmp/plainfmt.err"
check "no journal: no priority prefixes" bash -c '! grep -qE "^<[0-7]>" "$1"' sh "$tmp/plainfmt.err"

# ---------------------------------------------------------------------------------------------
# The clock line of `status` says what timedatectl says (NTPSynchronized), or where timedatectl
# cannot answer (no systemd running, as in a container), what the kernel says read apart:
# adjtimex's maximum error under 16 s, the test timedated makes.
"$kiosk" status --data-dir "$tmp/jk" >"$tmp/status.out" 2>"$tmp/status.err" ||
  { bad "status runs"; cat "$tmp/status.err" >&2; }
if want=$(timedatectl show -p NTPSynchronized --value 2>/dev/null) && [ -n "$want" ]; then
  how=timedatectl
else
  how="the kernel (adjtimex)"
  want=$(python3 - <<'EOF'
import ctypes
class Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long),
                ("status", ctypes.c_int), ("rest", ctypes.c_char * 256)]
t = Timex()
r = ctypes.CDLL(None, use_errno=True).adjtimex(ctypes.byref(t))
print("unknown" if r < 0 else "yes" if t.maxerror < 16000000 else "no")
EOF
  )
fi
case $want in
yes) line="clock: synchronised (NTP)" ;;
no) line="clock: NOT synchronised" ;;
*) line="clock: unknown" ;;
esac
check "status: '$line', as $how says ($want)" grep -q "^$line" "$tmp/status.out"

finish
