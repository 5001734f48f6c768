#!/usr/bin/env bash
# test_crash: the real hailong-kiosk (--script, desk mode) voting without pause is killed with
# SIGKILL at random moments, then started again on the same data folder, HL_CRASH_KILLS times
# (default 20; 200 or more for the long form). Every vote the kiosk acknowledged (its debug line
# "vote seq N uuid U recorded ...", written only after the commit, right before the thank-you or
# reasons screen) must then be in votes.db with its seq and rating, a thank-you after reasons with
# its reasons; PRAGMA integrity_check ok; seq 1..N without gaps or repeats; no file moved aside as
# damaged; and the kiosk starts again. Kills land in start-up (migrations on the first run, pending
# votes released), in votes, reasons, and the idle upkeep (checkpoint, daily copy).
# HL_CRASH_SEED repeats a run's choice of kill moments (the moments in real time still vary).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$src/tests/lib.sh"
bin=${HL_BIN_DIR:-$src/build/bin}/hailong-kiosk
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
need_tools test_crash sqlite3
need_bins test_crash "$bin"

kills=${HL_CRASH_KILLS:-20}
seed=${HL_CRASH_SEED:-$((($$ + $(date +%s)) % 32768))}
RANDOM=$seed
echo "test_crash: $kills kills, seed $seed (HL_CRASH_SEED=$seed repeats the choices)" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-crash.XXXXXX")
kpid=
cleanup() {
  [ -n "$kpid" ] && kill -KILL "$kpid" 2>/dev/null || true
  [ -n "${HL_TEST_KEEP:-}" ] && echo "test_crash: files kept in $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
data=$tmp/data
mkdir "$data"

# The script: votes one after another in every way a citizen can, far more than a run lives to
# tap. Every 40th vote the kiosk is left idle until the attract screen (the write-ahead log folded
# into votes.db, the daily copy made), then woken.
for i in $(seq 1 6000); do
  case $((i % 5)) in
    0 | 3) printf 'tap rate-3\nexpect thanks\ntap done\n' ;;
    1) printf 'tap rate-2\nexpect thanks\nwait 6000\nexpect home\n' ;;
    2) printf 'tap rate-1\nexpect reasons\ntap reason-cham-tre\ntap reason-thai-do\ntap send\n'
       printf 'expect thanks\ntap done\n' ;;
    4) printf 'tap rate-1\nexpect reasons\ntap skip\nexpect thanks\ntap done\n' ;;
  esac
  printf 'expect home\nwait %d\n' $((i * 37 % 700))
  [ $((i % 40)) -eq 0 ] && printf 'wait 91000\nexpect attract\ntapxy 5 5\nexpect home\n'
done >"$tmp/votes.script"
echo quit >>"$tmp/votes.script"

q() { sqlite3 -batch -noheader -separator '|' "$@"; }
ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# The acknowledgements so far: "uuid|seq|rating" for every vote logged as recorded, and
# "uuid|n" for every thank-you after reasons (n reasons saved).
: >"$tmp/acked"
: >"$tmp/reasons"
startup_kills=0 vote_kills=0 started_runs=0 unacked_max=0
# Acknowledged votes (and reasons) missing at the latest check: once lost, a vote stays missing,
# so the latest count is the total.
lost_votes=0 lost_reasons=0

# collect LOG: appends the run's acknowledgements. A line cut short by the kill has no uuid
# followed by " recorded" or ":" yet, so it is not taken.
collect() {
  sed -nE 's/.* debug: vote seq ([0-9]+) uuid ([0-9a-f-]{36}) recorded \(officer [^,]+, rating ([123]), misuse [01]\): (thank-you shown|reasons asked)$/\2|\1|\3/p' \
    "$1" >>"$tmp/acked"
  sed -nE 's/.* debug: vote seq [0-9]+ uuid ([0-9a-f-]{36}): ([0-9]+) reason\(s\) saved: thank-you shown$/\1|\2/p' \
    "$1" >>"$tmp/reasons"
}

# check_db NAME N: the state after N kills, read from a copy of the files as the kill left them (so
# that reading changes nothing the next start finds: the sqlite3 tool would fold the -wal).
check_db() {
  local name=$1 n=$2 snap=$tmp/snap f failed_before=$failed
  rm -rf "$snap" && mkdir "$snap"
  for f in votes.db votes.db-wal; do
    [ -f "$data/$f" ] && cp "$data/$f" "$snap/$f"
  done
  if ls "$data" | grep -q corrupt; then
    bad "$name: a file was moved aside as damaged: $(ls "$data" | tr '\n' ' ')"
  fi
  if [ ! -f "$snap/votes.db" ]; then
    # Killed before the first start made the file: nothing can have been acknowledged.
    same "$name: no votes.db yet, nothing acknowledged" "$(wc -l <"$tmp/acked")" 0
    return
  fi
  local integ
  integ=$(q "$snap/votes.db" 'PRAGMA integrity_check' 2>&1 || true)
  [ "$integ" = ok ] || bad "$name: integrity_check: $integ"
  if [ "$(q "$snap/votes.db" "SELECT count(*) FROM sqlite_master WHERE name = 'votes'" 2>&1 ||
    true)" != 1 ]; then
    # Killed in the first start before its first migration committed: an empty file.
    same "$name: votes.db without tables yet, nothing acknowledged" "$(wc -l <"$tmp/acked")" 0
    return 0
  fi
  local shape
  shape=$(q "$snap/votes.db" "SELECT count(*) = count(DISTINCT seq) AND
      coalesce(min(seq), 1) = 1 AND coalesce(max(seq), 0) = count(*) FROM votes" 2>&1 || true)
  [ "$shape" = 1 ] || bad "$name: seq not 1..N without gaps: $(q "$snap/votes.db" \
    'SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM votes' 2>&1)"
  q "$snap/votes.db" 'SELECT uuid, seq, rating FROM votes' | sort >"$tmp/have" ||
    bad "$name: votes.db cannot be read"
  sort -u "$tmp/acked" >"$tmp/want"
  local lost
  lost=$(comm -23 "$tmp/want" "$tmp/have" | wc -l)
  lost_votes=$lost
  if [ "$lost" -ne 0 ]; then
    bad "$name: $lost acknowledged vote(s) missing or changed in votes.db"
    comm -23 "$tmp/want" "$tmp/have" | head -5 | sed 's/^/    /' >&2
  fi
  q "$snap/votes.db" "SELECT uuid, json_array_length(reasons) FROM votes
      WHERE sync_state <> 'pending'" | sort >"$tmp/have_r" || bad "$name: votes.db cannot be read"
  sort -u "$tmp/reasons" >"$tmp/want_r"
  lost=$(comm -23 "$tmp/want_r" "$tmp/have_r" | wc -l)
  lost_reasons=$lost
  if [ "$lost" -ne 0 ]; then
    bad "$name: $lost thank-you(s) after reasons without those reasons in votes.db"
    comm -23 "$tmp/want_r" "$tmp/have_r" | head -5 | sed 's/^/    /' >&2
  fi
  # A kill between a commit and its log line leaves one vote recorded but never acknowledged;
  # more than one a kill would mean the log line does not stand for each vote.
  local unacked=$(($(wc -l <"$tmp/have") - $(wc -l <"$tmp/want")))
  [ "$unacked" -gt "$unacked_max" ] && unacked_max=$unacked
  if [ "$unacked" -lt 0 ] || [ "$unacked" -gt "$n" ]; then
    bad "$name: $unacked vote(s) stored but not acknowledged (at most one a kill)"
  fi
  [ "$failed" -eq "$failed_before" ] && ok "$name: integrity_check ok, seq 1..$(wc -l \
    <"$tmp/have") without gaps, all $(wc -l <"$tmp/want") acknowledged votes there"
  return 0
}

for n in $(seq 1 "$kills"); do
  log=$tmp/run-$n.log
  HAILONG_LOG=debug "$bin" --config "$src/assets/demo/desk.ini" --data-dir "$data" \
    --script "$tmp/votes.script" >"$log" 2>&1 </dev/null &
  kpid=$!
  if [ "$n" -eq 1 ] || [ $((RANDOM % 4)) -eq 0 ]; then
    # In start-up (about 40 ms here, more with sanitizers): opening (on the first run creating
    # and migrating) votes.db, releasing the votes the last kill left pending, content, fonts.
    ms_sleep $((RANDOM % 60))
    startup_kills=$((startup_kills + 1))
  else
    # The kiosk must come up after the previous kill, then is killed while voting.
    for _ in $(seq 1 1000); do
      grep -q ' started: mode ' "$log" && break
      kill -0 "$kpid" 2>/dev/null || break
      sleep 0.02
    done
    if ! grep -q ' started: mode ' "$log"; then
      bad "run $n: the kiosk did not start after kill $((n - 1))"
      sed 's/^/    /' "$log" >&2
    fi
    ms_sleep $((RANDOM % 1200))
    vote_kills=$((vote_kills + 1))
  fi
  grep -q ' started: mode ' "$log" && started_runs=$((started_runs + 1))
  if ! kill -0 "$kpid" 2>/dev/null; then
    rc=0
    wait "$kpid" || rc=$?
    bad "run $n: the kiosk stopped by itself (exit $rc) before its kill"
    sed 's/^/    /' "$log" | tail -20 >&2
  fi
  kill -KILL "$kpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  kpid=
  no_sanitizer "run $n" "$log"
  if grep -q ' error: ' "$log"; then
    bad "run $n: the kiosk logged an error"
    grep ' error: ' "$log" | head -5 | sed 's/^/    /' >&2
  fi
  collect "$log"
  check_db "kill $n" "$n"
done

# One more start after the last kill: it must open the file, vote once more with the next seq,
# and end normally.
printf 'expect home\ntap rate-3\nexpect thanks\nquit\n' >"$tmp/last.script"
# (from the copy the last check read: opening the live file would fold its -wal first)
before=0
[ -f "$tmp/snap/votes.db" ] && before=$(q "$tmp/snap/votes.db" 'SELECT coalesce(max(seq), 0) FROM votes')
rc=0
HAILONG_LOG=debug "$bin" --config "$src/assets/demo/desk.ini" --data-dir "$data" \
  --script "$tmp/last.script" >"$tmp/last.log" 2>&1 </dev/null || rc=$?
same "a clean start after the last kill: exit code" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$tmp/last.log" >&2
no_sanitizer "the clean start" "$tmp/last.log"
collect "$tmp/last.log"
check_db "after the clean start" "$kills"
same "the clean start's vote has the next seq" \
  "$(sed -nE 's/.* debug: vote seq ([0-9]+) uuid .* thank-you shown$/\1/p' "$tmp/last.log")" \
  "$((before + 1))"
same "integrity_check on the live file" "$(q "$data/votes.db" 'PRAGMA integrity_check')" ok

acked=$(sort -u "$tmp/acked" | wc -l)
lost_total=$((lost_votes + lost_reasons))
stored=$(q "$data/votes.db" 'SELECT count(*) FROM votes')
check "the kiosk voted between kills ($acked acknowledged votes in $vote_kills runs killed while voting)" \
  test "$acked" -ge "$vote_kills"
echo "crash: $kills kills ($startup_kills aimed at start-up, $((kills - started_runs)) of them" \
  "before the kiosk was up; $vote_kills while voting), $acked acknowledged votes, $lost_total" \
  "lost; $stored stored (at most $unacked_max stored but not yet acknowledged at a kill)"
echo "crash: $kills kills, $acked acknowledged votes, $lost_total lost"
finish
