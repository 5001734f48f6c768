#!/usr/bin/env bash
# test_netfault: a bad network between the kiosk and the collector. The real hailong-kiosk
# (--script --sync, small batches) sends to the real hailong-collector through
# tests/support/faultproxy.py, which breaks 70 % of the exchanges, each fault kind in turn (a
# shuffled deck): connections refused, delayed, reset mid-request, requests cut short, answers
# lost after the collector stored the batch, answers cut short, requests delivered twice (one
# after the other, and two copies at once), answers given twice, answers trickled, silence until
# the kiosk's timeout. The kiosk votes in rounds of HL_NETFAULT_ROUND votes, restarted between
# rounds (so a batch whose answer was lost is resent by the next run), until HL_NETFAULT_VOTES;
# then the network heals and the kiosk must deliver everything. The collector must then hold
# exactly the kiosk's votes (every column), none twice; every vote marked sent at the kiosk, none
# quarantined; every fault kind must have happened.
# A second kiosk then runs ONE process throughout (restarts would hide a sender that a fault left
# stuck): it votes HL_NETFAULT_STEADY_VOTES votes under the faults, the network heals under it
# once every kind of fault has hit it, and it must deliver the rest by itself; `status` must then
# show nothing waiting or quarantined for either kiosk.
# On SQLite, and on PostgreSQL when HL_TEST_PG_URL is set (scripts/test.sh sets it).
# HL_NETFAULT_SEED repeats the proxy's choices (the moments still vary with the machine).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$src/tests/lib.sh"
bindir=${HL_BIN_DIR:-$src/build/bin}
kbin=$bindir/hailong-kiosk
cbin=$bindir/hailong-collector
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
unset HAILONG_COLLECTOR_FAULTS http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
need_tools test_netfault sqlite3 python3 timeout
need_bins test_netfault "$kbin" "$cbin"

total=${HL_NETFAULT_VOTES:-200}
round=${HL_NETFAULT_ROUND:-40}
steady_votes=${HL_NETFAULT_STEADY_VOTES:-$((total * 2 / 5))}
# Faults the steady kiosk meets before the network heals under it: 21 in a row hold every kind
# (the proxy's shuffled deck of 11); more in the long form.
steady_faults=$((steady_votes / 4 > 22 ? steady_votes / 4 : 22))
seed=${HL_NETFAULT_SEED:-$((($$ + $(date +%s)) % 32768))}
echo "test_netfault: $total votes in rounds of $round, seed $seed (HL_NETFAULT_SEED=$seed repeats" \
  "the proxy's choices)" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-netfault.XXXXXX")
cpid= ppid_= pg_schema=
cleanup() {
  [ -n "$ppid_" ] && kill -KILL "$ppid_" 2>/dev/null
  [ -n "$cpid" ] && kill -KILL "$cpid" 2>/dev/null
  [ -n "$pg_schema" ] &&
    psql -X -q "$HL_TEST_PG_URL" -c "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1
  [ -n "${HL_TEST_KEEP:-}" ] && echo "test_netfault: files kept in $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

cols="uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons, created_at, misuse"
csql() {
  if [ "$kind" = sqlite ]; then
    sqlite3 -batch -noheader -separator '|' "$tmp/collector.db" "$1"
  else
    psql -X -q -A -t -F '|' "$db" -c "$1"
  fi
}
ksql() { sqlite3 -batch -noheader -separator '|' "$data/votes.db" "$1"; }
k2sql() { sqlite3 -batch -noheader -separator '|' "$sdata/votes.db" "$1"; } # the steady kiosk's

# faults_so_far STATS: how many exchanges the proxy has broken until now (its live counts).
faults_so_far() {
  python3 -c '
import json, sys
try:
    f = json.load(open(sys.argv[1]))["faults"]
except (OSError, ValueError):
    print(0)
else:
    print(sum(v for k, v in f.items() if k != "pass"))' "$1"
}
# fault_counts STATS: the counts, one "kind n" a line.
fault_counts() {
  python3 -c '
import json, sys
for k, v in json.load(open(sys.argv[1]))["faults"].items():
    print(k, v)' "$1"
}

# steady LABEL DIR: the second kiosk, nf-02, in one process throughout, while the proxy still
# breaks exchanges: it votes $steady_votes votes (one a batch) and waits for them; once the
# proxy has broken $steady_faults of its exchanges since the last vote (every kind: see above)
# the network heals under the running kiosk, which must deliver every vote still waiting by
# itself. Sets steady_waiting (votes waiting when the network healed).
# The bounds only tell a stuck kiosk from a slow one, generously: the faults take about 0.5 s
# each (the hangs 2 s), the drain a few ms a batch.
steady() {
  local label=$1 d=$2 rc=0 f0 f i
  local fault_bound=$((30 + steady_faults * 3)) drain_bound=$((60 + steady_votes / 10))
  "$cbin" kiosk add nf-02 --unit "UBND xã Bom Bo" --db "$db" >"$d/token2" 2>"$d/enrol2.err" || {
    bad "$label: enrol the steady kiosk"
    sed 's/^/    /' "$d/enrol2.err" >&2
    return 0
  }
  kiosk_ini "$d/kiosk2.ini" nf-02 "$sdata" "http://127.0.0.1:$(cat "$d/pport")" "$d/token2" \
    "batch_max = 1"
  # sync-wait for as long as a script may: the test decides when the kiosk is stuck (below).
  { votes_script 1000 "$steady_votes"; printf 'sync-wait 3600\nquit\n'; } >"$d/steady.script"
  timeout $((30 + steady_votes / 10 + fault_bound + drain_bound + 60)) "$kbin" \
    --config "$d/kiosk2.ini" --script "$d/steady.script" --sync >"$d/steady.log" 2>&1 &
  local kp=$!
  # The faults are counted from the last vote on: a vote pokes the sender, which could hide a
  # sender that a fault left waiting for no reason (80 votes take about 2 s).
  for _ in $(seq 1 $(((30 + steady_votes / 10) * 5))); do
    [ "$(k2sql 'SELECT count(*) FROM votes' 2>/dev/null)" = "$steady_votes" ] && break
    kill -0 "$kp" 2>/dev/null || break
    sleep 0.2
  done
  cp "$d/stats.json" "$d/stats-steady-start.json"
  f0=$(faults_so_far "$d/stats.json")
  # Until the kiosk has met its faults, or it ended (it should not have).
  for _ in $(seq 1 $((fault_bound * 5))); do
    f=$(faults_so_far "$d/stats.json")
    [ $((f - f0)) -ge "$steady_faults" ] && break
    kill -0 "$kp" 2>/dev/null || break
    sleep 0.2
  done
  steady_waiting=$(sqlite3 -readonly -batch "$sdata/votes.db" \
    "SELECT count(*) FROM votes WHERE sync_state <> 'sent'" 2>/dev/null || echo '?')
  cp "$d/stats.json" "$d/stats-steady-heal.json"
  # The network heals (for good: the first part's last run comes after this).
  kill -USR1 "$ppid_"
  for ((i = 0; i < drain_bound * 5; i++)); do
    kill -0 "$kp" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$kp" 2>/dev/null; then
    bad "$label: steady kiosk: still running $drain_bound s after the network healed (stuck?):" \
      "$(k2sql "SELECT count(*) FROM votes WHERE sync_state <> 'sent'") votes waiting"
    kill -TERM "$kp" # timeout passes it on to the kiosk
  fi
  wait "$kp" || rc=$?
  # The kinds that did not grow between the last vote and the healing (none, or the proxy or the
  # kiosk stopped short).
  same "$label: steady kiosk: every kind of fault met after its last vote" \
    "$(join -a1 -a2 -e0 -o 0,1.2,2.2 <(fault_counts "$d/stats-steady-start.json" | sort) \
      <(fault_counts "$d/stats-steady-heal.json" | sort) |
      awk '$1 != "pass" && $3 - $2 < 1 { printf "%s ", $1 }')" ""
  check "$label: steady kiosk: votes waiting when the network healed under it ($steady_waiting)" \
    test "$steady_waiting" -gt 0
  same "$label: steady kiosk: the same run delivered them all once the network healed" "$rc" 0
  [ "$rc" = 0 ] || tail -5 "$d/steady.log" | sed 's/^/    /' >&2
  no_sanitizer "$label: steady kiosk" "$d/steady.log"
}

# run LABEL DB: one whole run against the collector on DB.
run() {
  local label=$1 rc
  db=$2
  local d=$tmp/$label
  mkdir -p "$d"
  data=$d/kiosk
  "$cbin" init --db "$db" 2>"$d/init.err" || {
    bad "$label: init the collector's database"
    sed 's/^/    /' "$d/init.err" >&2
    return 0
  }
  "$cbin" kiosk add nf-01 --unit "UBND xã Bom Bo" --db "$db" >"$d/token" 2>"$d/enrol.err" || {
    bad "$label: enrol the kiosk"
    return 0
  }
  # Not under `timeout`: its SIGTERM would reach the collector twice (the wrapper forwards it to
  # its whole group), and a second signal during the graceful stop is a hard one (exit 143).
  "$cbin" serve --listen 127.0.0.1:0 --port-file "$d/cport" --db "$db" >"$d/coll.log" 2>&1 &
  cpid=$!
  wait_port "$label: the collector" "$d/cport" "$cpid" "$d/coll.log" || return 0
  python3 "$src/tests/support/faultproxy.py" --upstream "$(cat "$d/cport")" \
    --port-file "$d/pport" --stats "$d/stats.json" --seed "$seed" --pass-share 0.3 \
    >"$d/proxy.log" 2>&1 &
  ppid_=$!
  wait_port "$label: the fault proxy" "$d/pport" "$ppid_" "$d/proxy.log" || return 0
  # Small batches (kiosk_ini sets short timeouts and back-off): many exchanges to break.
  kiosk_ini "$d/kiosk.ini" nf-01 "$data" "http://127.0.0.1:$(cat "$d/pport")" "$d/token" \
    "batch_max = 5"

  # The bad network: each run votes and gives the sender 4 s, which rarely suffices; a run ending
  # with votes still waiting exits 1 saying so, any other end is a failure.
  local cast=0 runs=0 bad_runs=0
  while [ "$cast" -lt "$total" ]; do
    local n=$((total - cast < round ? total - cast : round))
    { votes_script "$cast" "$n"; printf 'sync-wait 4\nquit\n'; } >"$d/run$runs.script"
    rc=0
    timeout 120 "$kbin" --config "$d/kiosk.ini" --script "$d/run$runs.script" --sync \
      >"$d/run$runs.log" 2>&1 || rc=$?
    if [ "$rc" != 0 ] && ! { [ "$rc" = 1 ] && grep -q 'still waiting after 4 s' "$d/run$runs.log"; }; then
      bad_runs=$((bad_runs + 1))
      echo "    $label: run $runs ended with $rc:" >&2
      tail -5 "$d/run$runs.log" | sed 's/^/      /' >&2
    fi
    no_sanitizer "$label: kiosk run $runs" "$d/run$runs.log"
    cast=$((cast + n))
    runs=$((runs + 1))
  done
  same "$label: every faulty run ended as a kiosk should (done, or votes still waiting)" \
    "$bad_runs" 0
  local waiting
  waiting=$(ksql "SELECT count(*) FROM votes WHERE sync_state <> 'sent'")

  # The second kiosk: one process through the faults and the healing (which it brings).
  sdata=$d/kiosk2 steady_waiting='?'
  steady "$label" "$d"

  # The network has healed (already, unless the steady part could not start): everything must
  # now arrive.
  kill -USR1 "$ppid_"
  printf 'sync-wait 60\nquit\n' >"$d/heal.script"
  rc=0
  timeout 120 "$kbin" --config "$d/kiosk.ini" --script "$d/heal.script" --sync \
    >"$d/heal.log" 2>&1 || rc=$?
  same "$label: once the network heals the kiosk delivers every vote" "$rc" 0
  [ "$rc" = 0 ] || tail -5 "$d/heal.log" | sed 's/^/    /' >&2
  no_sanitizer "$label: kiosk after healing" "$d/heal.log"

  kill -TERM "$ppid_"
  wait "$ppid_" 2>/dev/null || true
  ppid_=
  kill -TERM "$cpid"
  rc=0
  wait "$cpid" || rc=$?
  cpid=
  same "$label: the collector stopped cleanly" "$rc" 0
  no_sanitizer "$label: the collector" "$d/coll.log"

  same "$label: the kiosk recorded every vote tapped" "$(ksql 'SELECT count(*) FROM votes')" "$total"
  same "$label: the collector holds exactly the kiosk's votes" \
    "$(csql "SELECT $cols FROM votes WHERE kiosk_id = 'nf-01' ORDER BY seq")" \
    "$(ksql "SELECT $cols FROM votes ORDER BY seq")"
  same "$label: no vote twice at the collector (uuid, kiosk+seq)" \
    "$(csql "SELECT count(*) - count(DISTINCT uuid), count(*) - count(DISTINCT kiosk_id || '/' || seq) FROM votes")" \
    "0|0"
  same "$label: every vote marked sent at the kiosk, none quarantined" \
    "$(ksql "SELECT group_concat(sync_state || ':' || n, ' ') FROM (SELECT sync_state, count(*) AS n FROM votes GROUP BY sync_state)")" \
    "sent:$total"
  # The same for the steady kiosk (its own votes.db).
  same "$label: steady kiosk: it recorded every vote tapped" \
    "$(k2sql 'SELECT count(*) FROM votes')" "$steady_votes"
  same "$label: steady kiosk: the collector holds exactly its votes" \
    "$(csql "SELECT $cols FROM votes WHERE kiosk_id = 'nf-02' ORDER BY seq")" \
    "$(k2sql "SELECT $cols FROM votes ORDER BY seq")"
  same "$label: steady kiosk: every vote marked sent, none quarantined" \
    "$(k2sql "SELECT group_concat(sync_state || ':' || n, ' ')
      FROM (SELECT sync_state, count(*) AS n FROM votes GROUP BY sync_state)")" \
    "sent:$steady_votes"
  same "$label: the collector holds no vote of any other kiosk" \
    "$(csql "SELECT count(*) FROM votes WHERE kiosk_id NOT IN ('nf-01', 'nf-02')")" 0
  # What an operator would read: `hailong-kiosk status` on each kiosk's files.
  local ini
  for ini in "$d/kiosk.ini" "$d/kiosk2.ini"; do
    "$kbin" status --config "$ini" >"$ini.status" 2>&1 || true
    same "$label: status of $(basename "$ini" .ini): nothing waiting, nothing quarantined" \
      "$(grep -E '^(votes waiting|quarantined):' "$ini.status")" \
      "$(printf 'votes waiting: 0\nquarantined: 0')"
  done
  # Every kind of fault happened, so that a proxy that stopped breaking things is noticed.
  local missing
  missing=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join(k for k, v in s["faults"].items() if v == 0))' "$d/stats.json")
  same "$label: the proxy broke exchanges in every way it knows" "$missing" ""
  local got dup summary want=$((total + steady_votes))
  got=$(csql "SELECT count(*) FROM votes WHERE kiosk_id IN ('nf-01', 'nf-02')")
  dup=$(csql "SELECT count(*) - count(DISTINCT uuid) FROM votes")
  summary=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
f = s["faults"]
print("%d connections, %d exchanges (%s)" % (s["connections"], s["exchanges"],
      " ".join("%s=%d" % (k, v) for k, v in f.items())))' "$d/stats.json")
  echo "netfault: $label: $summary; $want votes: $total in $runs kiosk runs ($waiting still" \
    "waiting when the network healed), $steady_votes in one steady run ($steady_waiting waiting" \
    "when the network healed under it); collector $got, $((want - got)) lost, $dup duplicated" >&2
}

kind=sqlite
run sqlite "sqlite:$tmp/collector.db"
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  kind=pg
  pg_schema=hl_netfault_$$_$RANDOM
  if psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $pg_schema" >/dev/null; then
    run postgresql "$(pg_schema_url "$HL_TEST_PG_URL" "$pg_schema")"
  else
    bad "postgresql: cannot create a schema with HL_TEST_PG_URL"
  fi
else
  echo "test_netfault: PostgreSQL part SKIPPED (no HL_TEST_PG_URL); scripts/test.sh runs it" >&2
fi
finish
