#!/usr/bin/env bash
# test_netfault: a bad network between the kiosk and the collector. The real hailong-kiosk
# (--script --sync, small batches) sends to the real hailong-collector through
# tests/support/faultproxy.py, which breaks 70 % of the exchanges, each fault kind in turn (a
# shuffled deck): connections refused, delayed, reset mid-request, requests cut short, answers
# lost after the collector stored the batch, answers cut short, requests delivered twice, answers
# given twice, answers trickled, silence until the kiosk's timeout. The kiosk votes in rounds of
# HL_NETFAULT_ROUND votes, restarted between rounds (so a batch whose answer was lost is resent by
# the next run), until HL_NETFAULT_VOTES; then the network heals and the kiosk must deliver
# everything. The collector must then hold exactly the kiosk's votes (every column), none twice;
# every vote marked sent at the kiosk, none quarantined; every fault kind must have happened.
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

  # The network heals: everything must now arrive.
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
  # Every kind of fault happened, so that a proxy that stopped breaking things is noticed.
  local missing
  missing=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join(k for k, v in s["faults"].items() if v == 0))' "$d/stats.json")
  same "$label: the proxy broke exchanges in every way it knows" "$missing" ""
  local got dup summary
  got=$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'nf-01'")
  dup=$(csql "SELECT count(*) - count(DISTINCT uuid) FROM votes")
  summary=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
f = s["faults"]
print("%d connections, %d exchanges (%s)" % (s["connections"], s["exchanges"],
      " ".join("%s=%d" % (k, v) for k, v in f.items())))' "$d/stats.json")
  echo "netfault: $label: $summary; $total votes in $runs kiosk runs ($waiting still waiting when" \
    "the network healed), collector $got, $((total - got)) lost, $dup duplicated" >&2
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
