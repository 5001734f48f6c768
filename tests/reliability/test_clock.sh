#!/usr/bin/env bash
# test_clock: no vote is lost to a clock (issue 10, item 4). The real kiosk (--script --sync) runs
# under libfaketime with its PC's clock at 2000-01-01 (a dead RTC battery) and at 2099, and on a
# simulated clock that is set back an hour and forward again mid-morning; the real collector on
# 127.0.0.1 keeps its own clock. Every vote must reach the collector (none quarantined), keep its
# order, carry the clock_suspect mark where the clock was in doubt and only there, and be placed
# by the reports on the day it was really cast; `status` and the collector's summary say so.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$src/tests/lib.sh"
bindir=${HL_BIN_DIR:-$src/build/bin}
kbin=$bindir/hailong-kiosk
cbin=$bindir/hailong-collector
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
unset HAILONG_COLLECTOR_FAULTS http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
need_tools test_clock sqlite3 curl timeout
need_bins test_clock "$kbin" "$cbin"
faketime_lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1 || true)
[ -n "$faketime_lib" ] || {
  echo "test_clock: libfaketime is missing (scripts/deps.sh --test installs it)" >&2
  exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-clock.XXXXXX")
cpid=
cleanup() {
  [ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
  [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

db=sqlite:$tmp/collector.db
"$cbin" init --db "$db" >/dev/null 2>&1
optoken=$("$cbin" operator add it --db "$db" 2>/dev/null)
"$cbin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$db" >"$tmp/coll.log" 2>&1 &
cpid=$!
wait_port "the collector" "$tmp/port" "$cpid" "$tmp/coll.log" || exit 1
port=$(cat "$tmp/port")
csql() { sqlite3 -batch -noheader -separator '|' "$tmp/collector.db" "$1"; }
ksql() { sqlite3 -batch -noheader -separator '|' "$1/votes.db" "$2"; }

# kiosk ID: its config and token; sets ini, data.
kiosk() {
  data=$tmp/$1
  ini=$tmp/$1.ini
  mkdir -p "$data"
  "$cbin" kiosk add "$1" --db "$db" >"$tmp/$1.token" 2>/dev/null
  printf '[kiosk]\nid = %s\nmode = lobby\ndata_dir = %s\n[sync]\nurl = http://127.0.0.1:%s\n' \
    "$1" "$data" "$port" >"$ini"
  printf 'token_file = %s\nstart_delay_max = 0\nbackoff_base_ms = 100\nbackoff_cap_ms = 800\n' \
    "$tmp/$1.token" >>"$ini"
}
# votes N: N votes 7 s apart on the simulated clock (beyond the response interval).
votes() {
  local i
  for ((i = 0; i < $1; i++)); do
    printf 'tap rate\ntap officer-tp-hung\ntap rate-3\nexpect thanks\ntap done\nwait 7000\n'
  done
}
# run_kiosk NAME SCRIPT [ENV...]: the kiosk with --sync to the end of SCRIPT; 0 expected.
run_kiosk() {
  local name=$1 script=$2 rc=0
  shift 2
  env "$@" timeout 120 "$kbin" --config "$ini" --script "$script" --sync >"$tmp/$name.log" 2>&1 ||
    rc=$?
  same "$name: the kiosk ran its script and sent everything" "$rc" 0
  [ "$rc" = 0 ] || tail -5 "$tmp/$name.log" | sed 's/^/    /' >&2
  no_sanitizer "$name" "$tmp/$name.log"
}
# The libfaketime environment for a PC clock that starts at $1 (UTC) and runs on from there. The
# monotonic clock stays real; the sanitizers' runtime tolerates the preload.
# Sets fenv, for `env "${fenv[@]}" PROGRAM`.
faked() {
  fenv=("LD_PRELOAD=$faketime_lib" "FAKETIME=@$1" FAKETIME_DONT_FAKE_MONOTONIC=1
    FAKETIME_DONT_RESET=1 "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- 1. the PC's clock at 2000-01-01 08:00 ----
kiosk k2000
{ votes 5; printf 'sync-wait 30\nquit\n'; } >"$tmp/k2000.script"
t0=$(now_ms)
faked "2000-01-01 01:00:00"
run_kiosk "clock at 2000" "$tmp/k2000.script" "${fenv[@]}"
t1=$(now_ms)
same "clock at 2000: the kiosk stamped its votes in 2000 and marked every one" \
  "$(ksql "$data" "SELECT count(*), sum(created_at < 946771200000), sum(clock_suspect) FROM votes")" \
  "5|5|5"
same "clock at 2000: the collector took all 5 (none quarantined at the kiosk)" \
  "$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'k2000'") $(ksql "$data" "SELECT count(*) FROM votes WHERE sync_state = 'sent'")" \
  "5 5"
same "clock at 2000: ... marked clock_suspect at the collector" \
  "$(csql "SELECT sum(clock_suspect) FROM votes WHERE kiosk_id = 'k2000'")" 5
# Placed by the kiosk's clock at sending: within this run (the script's 35 s are simulated, the
# whole batch is sent within seconds of the clock's start), in the order of seq.
same "clock at 2000: ... placed within this run, not in 2000" \
  "$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'k2000' AND placed_at BETWEEN $((t0 - 60000)) AND $((t1 + 1000))")" 5
same "clock at 2000: ... in the order they were cast" \
  "$(csql "SELECT group_concat(seq, ',') FROM (SELECT seq FROM votes WHERE kiosk_id = 'k2000' ORDER BY placed_at, seq)")" \
  "1,2,3,4,5"
faked "2000-01-01 02:00:00"
env "${fenv[@]}" "$kbin" status --config "$ini" >"$tmp/status2000.out" 2>&1 || true
check "clock at 2000: status counts the votes with a doubtful clock" \
  contains "$tmp/status2000.out" "votes with a doubtful clock: 5 (the latest stamped 2000-01-01"
check "clock at 2000: status warns that the clock cannot be right" \
  contains "$tmp/status2000.out" "WARNING: this PC's clock reads 2000-01-01"
"$kbin" status --config "$ini" >"$tmp/status-now.out" 2>&1 || true
check "clock set right: status no longer warns (the count stays)" \
  bash -c "! grep -q WARNING '$tmp/status-now.out' && grep -q 'votes with a doubtful clock: 5' '$tmp/status-now.out'"
# The report places them today (Vietnam time), where they were cast.
today=$(TZ=Asia/Ho_Chi_Minh date -d "@$((t1 / 1000))" +%F)
curl -sS -H "Authorization: Bearer $optoken" \
  "http://127.0.0.1:$port/v1/summary?by=day&from=$today&to=$today" >"$tmp/sum.json"
check "clock at 2000: the summary by day counts all 5 today ($today), marked" \
  contains "$tmp/sum.json" "{\"key\":\"$today\",\"rating3\":5,\"rating2\":0,\"rating1\":0,\"counted\":5,\"satisfaction\":1,\"misuse\":0,\"clock_suspect\":5,\"total\":5}"

# ---- 2. the PC's clock at 2099: plausible, but an hour's worth of skew is not ----
kiosk k2099
{ votes 3; printf 'sync-wait 30\nquit\n'; } >"$tmp/k2099.script"
t0=$(now_ms)
faked "2099-06-01 01:00:00"
run_kiosk "clock at 2099" "$tmp/k2099.script" "${fenv[@]}"
t1=$(now_ms)
same "clock at 2099: the kiosk cannot know (a plausible time, no jump): nothing marked there" \
  "$(ksql "$data" "SELECT count(*), sum(clock_suspect) FROM votes")" "3|0"
same "clock at 2099: the collector took all 3, marked by the batch's clock" \
  "$(csql "SELECT count(*), sum(clock_suspect) FROM votes WHERE kiosk_id = 'k2099'")" "3|3"
same "clock at 2099: ... placed within this run, in order" \
  "$(csql "SELECT group_concat(seq, ',') FROM (SELECT seq FROM votes WHERE kiosk_id = 'k2099' AND placed_at BETWEEN $((t0 - 60000)) AND $((t1 + 1000)) ORDER BY placed_at, seq)")" \
  "1,2,3"

# ---- 3. set back an hour mid-morning, then forward again (the simulated clock) ----
kiosk kjump
{
  votes 3
  printf 'set-clock 2026-11-20T08:00\n'
  votes 3
  printf 'set-clock 2026-11-20T11:00\n'
  votes 2
  printf 'sync-wait 30\nquit\n'
} >"$tmp/kjump.script"
rc=0
timeout 120 "$kbin" --config "$ini" --clock 2026-11-20T09:00 --script "$tmp/kjump.script" --sync \
  >"$tmp/kjump.log" 2>&1 || rc=$?
same "clock jumps: the kiosk ran on a clock set back and forward" "$rc" 0
no_sanitizer "clock jumps" "$tmp/kjump.log"
same "clock jumps: only the first vote after each setting is marked" \
  "$(ksql "$data" "SELECT group_concat(seq || ':' || clock_suspect, ' ') FROM (SELECT * FROM votes ORDER BY seq)")" \
  "1:0 2:0 3:0 4:1 5:0 6:0 7:1 8:0"
same "clock jumps: the collector has them all with the same marks" \
  "$(csql "SELECT group_concat(seq || ':' || clock_suspect, ' ') FROM (SELECT * FROM votes WHERE kiosk_id = 'kjump' ORDER BY seq)")" \
  "1:0 2:0 3:0 4:1 5:0 6:0 7:1 8:0"
# Sent today by a right clock: each placed at its own time (20 November), the set-back ones an
# hour earlier in the day, so a report by hour shows them where the clock said.
same "clock jumps: each placed at the time its clock showed, on 20 November" \
  "$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'kjump' AND placed_at = created_at AND created_at BETWEEN 1795107600000 AND 1795150800000")" 8
same "clock jumps: seq keeps the order of casting although the times go back" \
  "$(csql "SELECT group_concat(seq, ',') FROM (SELECT seq FROM votes WHERE kiosk_id = 'kjump' ORDER BY seq)")" \
  "1,2,3,4,5,6,7,8"

got=$(csql "SELECT count(DISTINCT uuid) || ' ' || sum(clock_suspect) FROM votes")
echo "clock: 16 votes cast on a wrong or moving clock (5 at 2000, 3 at 2099, 8 around two jumps)," \
  "${got% *} at the collector, ${got#* } marked clock_suspect, $((16 - ${got% *})) lost" >&2
kill "$cpid" && wait "$cpid" 2>/dev/null || true
cpid=
no_sanitizer "the collector" "$tmp/coll.log"
finish
