#!/usr/bin/env bash
# test_sync_e2e: the real hailong-kiosk (headless, scripted taps, --sync) sends its votes to the
# real hailong-collector on 127.0.0.1, on SQLite and on PostgreSQL. After every scenario the
# collector must hold exactly the kiosk's votes (uuid, seq, boot, officer, rating, reasons, time,
# misuse), none twice, and the kiosk must have marked every vote sent. Scenarios: a plain run (then
# its health report: the officers and the reasons' labels; a reason renamed in the content); the
# collector not started yet; killed mid-request; answering 500, 503 with Retry-After, 429; hanging
# (the kiosk's request timeout fires); dropping the connection after committing (the resend comes
# back duplicate); the kiosk killed with -9 while sending; TLS with a CA made here (trusted with
# ca_file, refused without); unknown, another kiosk's and revoked tokens; and on PostgreSQL two
# collectors with four kiosks at once.
#
# PostgreSQL is required: HL_TEST_PG_URL (scripts/test.sh starts a throwaway server and sets it).
# HL_TEST_NO_PG=1 skips that half, loudly, for a developer without PostgreSQL at hand.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bindir=${HL_BIN_DIR:-$src/build/bin}
kbin=$bindir/hailong-kiosk
cbin=$bindir/hailong-collector
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
unset HAILONG_COLLECTOR_FAULTS http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
need_tools test_sync_e2e sqlite3 openssl timeout
need_bins test_sync_e2e "$kbin" "$cbin"
need_faults test_sync_e2e "$cbin"
if [ -z "${HL_TEST_PG_URL:-}" ] && [ "${HL_TEST_NO_PG:-}" != 1 ]; then
  echo "test_sync_e2e: HL_TEST_PG_URL is not set, and the PostgreSQL half is required." >&2
  echo "  Run scripts/test.sh (it starts a throwaway PostgreSQL), or" >&2
  echo "  bash scripts/pg-test.sh ctest -R test_sync_e2e, or set HL_TEST_NO_PG=1 to skip it." >&2
  exit 1
fi
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  command -v psql >/dev/null || {
    echo "test_sync_e2e: HL_TEST_PG_URL is set but psql is missing" >&2
    exit 1
  }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-sync-e2e.XXXXXX")
pids=()        # every background process we started (the `timeout` wrappers)
pg_schemas=()  # PostgreSQL schemas to drop at the end
t_start=$(date +%s)

# The process `timeout` runs (signals go to it, so its exit status is the program's own).
child_of() {
  local p=$1 c
  if [ -r "/proc/$p/task/$p/children" ]; then
    read -r c _ <"/proc/$p/task/$p/children" || true
    [ -n "${c:-}" ] && { echo "$c"; return 0; }
  fi
  for f in /proc/[0-9]*/stat; do
    read -r c _ _ pp _ <"$f" 2>/dev/null || continue
    [ "$pp" = "$p" ] && { echo "$c"; return 0; }
  done
  return 1
}
cleanup() {
  local p c
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
      c=$(child_of "$p") || c=
      [ -n "$c" ] && kill -KILL "$c" 2>/dev/null
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  if [ -n "${HL_TEST_PG_URL:-}" ]; then
    for s in "${pg_schemas[@]}"; do
      psql -X -q "$HL_TEST_PG_URL" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
    done
  fi
  [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the collector ----
# coll_start NAME DB PORT [serve options...]: starts `serve` on 127.0.0.1:PORT (0: any) with
# HAILONG_COLLECTOR_FAULTS=$faults, waits until it listens; sets cpid (the timeout wrapper),
# cport, clog.
coll_start() {
  local name=$1 db=$2 p=$3; shift 3
  clog=$tmp/coll-$name.log
  rm -f "$tmp/port-$name"
  HAILONG_COLLECTOR_FAULTS=${faults:-} timeout 300 "$cbin" serve --listen "127.0.0.1:$p" \
    --port-file "$tmp/port-$name" --db "$db" "$@" >"$clog" 2>&1 &
  cpid=$!
  pids+=("$cpid")
  wait_port "$name: the collector" "$tmp/port-$name" "$cpid" "$clog" || return 1
  cport=$(cat "$tmp/port-$name")
}
# coll_stop PID LOG: SIGTERM to the collector itself, a clean exit, no sanitizer report.
coll_stop() {
  local p=$1 log=$2 c rc=0
  c=$(child_of "$p") || c=
  [ -n "$c" ] && kill -TERM "$c" 2>/dev/null
  wait "$p" || rc=$?
  same "$(basename "$log" .log): the collector stopped cleanly" "$rc" 0
  no_sanitizer "$(basename "$log" .log)" "$log"
}

# ---- the kiosk ----
# kiosk_bg NAME INI SCRIPT: starts the kiosk (--script --sync) in the background; sets kpid, klog.
kiosk_bg() {
  local name=$1 ini=$2 script=$3
  klog=$tmp/kiosk-$name.log
  timeout 120 "$kbin" --config "$ini" --script "$script" --sync >"$klog" 2>&1 &
  kpid=$!
  pids+=("$kpid")
}
# kiosk_wait NAME PID LOG WANT_RC
kiosk_wait() {
  local name=$1 p=$2 log=$3 want=$4 rc=0
  wait "$p" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: the kiosk exited with $rc, expected $want"
    tail -20 "$log" | sed 's/^/    /' >&2
  else
    ok "$name: the kiosk exited with $want"
  fi
  no_sanitizer "$name" "$log"
}
# kiosk_run NAME INI SCRIPT WANT_RC: in the foreground.
kiosk_run() {
  kiosk_bg "$1" "$2" "$3"
  kiosk_wait "$1" "$kpid" "$klog" "$4"
}
# kiosk_record NAME INI FIRST N: N votes recorded with sync off (they wait in votes.db).
kiosk_record() {
  local f=$tmp/${1// /-}.script rc=0
  { votes_script "$3" "$4"; printf 'quit\n'; } >"$f"
  timeout 120 "$kbin" --config "$2" --script "$f" >"$f.log" 2>&1 || rc=$?
  same "$1: $4 votes recorded with sync off" "$rc" 0
  no_sanitizer "$1" "$f.log"
}
# script_file NAME FIRST N [TAIL]: a script of N votes, then TAIL (default: sync-wait 30).
script_file() {
  local f=$tmp/$1.script
  { votes_script "$2" "$3"; printf '%s\nquit\n' "${4:-sync-wait 30}"; } >"$f"
  echo "$f"
}

# ---- reading both sides ----
cols="uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons, created_at, misuse"
kiosk_rows() { # DATA_DIR
  sqlite3 -batch -noheader -separator '|' "$1/votes.db" "SELECT $cols FROM votes ORDER BY seq"
}
kiosk_sql() { sqlite3 -batch -noheader -separator '|' "$1/votes.db" "$2"; }
csql() { # SQL on the collector's database ($kind, $dbfile / $pg_url)
  if [ "$kind" = sqlite ]; then
    sqlite3 -batch -noheader -separator '|' "$dbfile" "$1"
  else
    psql -X -q -A -t -F '|' "$pg_url" -c "$1"
  fi
}
coll_rows() { csql "SELECT $cols FROM votes WHERE kiosk_id = '$1' ORDER BY seq"; }
# exact NAME KIOSK_ID DATA_DIR WANT_N: the collector holds exactly the kiosk's votes, once each.
exact() {
  local name=$1 id=$2 data=$3 n=$4
  same "$name: the kiosk recorded every tapped vote" "$(kiosk_sql "$data" 'SELECT count(*) FROM votes')" "$n"
  same "$name: the collector holds exactly the kiosk's votes" "$(coll_rows "$id")" \
    "$(kiosk_rows "$data")"
  same "$name: the kiosk marked them all sent" \
    "$(kiosk_sql "$data" "SELECT count(*) FROM votes WHERE sync_state <> 'sent'")" 0
  same "$name: no vote twice at the collector (uuid, kiosk+seq)" \
    "$(csql "SELECT count(*) - count(DISTINCT uuid), count(*) - count(DISTINCT kiosk_id || '/' || seq) FROM votes")" \
    "0|0"
}
init_db() { # makes $db: only `hailong-collector init` creates a collector's database
  "$cbin" init --db "$db" 2>"$tmp/init.err" || {
    bad "init $db"
    sed 's/^/    /' "$tmp/init.err" >&2
    return 1
  }
}
enrol() { # ID: prints the token
  "$cbin" kiosk add "$1" --unit "UBND xã Bom Bo" --db "$db" 2>"$tmp/enrol.err" || {
    bad "enrol $1"
    sed 's/^/    /' "$tmp/enrol.err" >&2
    return 1
  }
}

# ---- a TLS CA, made here (used by each backend's TLS part) ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 2 \
  -subj "/CN=Hai long test CA" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$tmp/server.key" -out "$tmp/server.csr" \
  -subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  >"$tmp/server.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
  -CAcreateserial -out "$tmp/server.pem" -days 2 -extfile "$tmp/server.ext" >/dev/null 2>&1
check "TLS: the server certificate verifies against the test CA" \
  openssl verify -CAfile "$tmp/ca.pem" "$tmp/server.pem"

# ---- one backend ----
suite() {
  local label=$1
  db=$2
  echo "--- $label" >&2
  local d=$tmp/$label
  mkdir -p "$d"
  local ini=$d/k1.ini data=$d/k1 tok=$d/k1.token n=0 s
  init_db || return 0
  enrol e2e-01 >"$tok" || return 0

  # 1. A plain run: N votes tapped, then sync-wait.
  faults='' coll_start "$label-main" "$db" 0 || return 0
  local port=$cport main=$cpid mainlog=$clog
  kiosk_ini "$ini" e2e-01 "$data" "http://127.0.0.1:$port" "$tok"
  s=$(script_file "$label-plain" 0 8 $'sync-wait 30\nhealth-wait 30')
  kiosk_run "$label plain" "$ini" "$s" 0
  n=$((n + 8))
  exact "$label plain" e2e-01 "$data" "$n"
  # After delivering, the kiosk reported its health and its officers (their names in the reports).
  same "$label plain: the kiosk's health report: version, clock ok, nothing unsent" \
    "$(csql "SELECT version || '|' || clock_suspect || '|' || unsent || '|' || length(content_version) FROM kiosk_health WHERE kiosk_id = 'e2e-01'")" \
    "$("$kbin" --version | awk '{print $2}')|0|0|16"
  same "$label plain: ... the demo's officers, under the kiosk's unit, with their names" \
    "$(csql "SELECT count(*) || '|' || min(unit) || '|' || max(CASE WHEN code = 'tp-hung' THEN name END) FROM officers")" \
    "$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["officers"]; print("%d|UBND xã Bom Bo|%s" % (len(o), [x["name"] for x in o if x["code"] == "tp-hung"][0]))' "$HAILONG_ASSETS/content/officers.json")"
  same "$label plain: ... and the demo's reasons with their labels, under the kiosk's unit" \
    "$(csql "SELECT unit || '|' || code || '|' || label FROM reasons" | LC_ALL=C sort)" \
    "$(python3 -c 'import json,sys; [print("UBND xã Bom Bo|%s|%s" % (x["code"], x["label"])) for x in json.load(open(sys.argv[1]))["reasons"]]' "$HAILONG_ASSETS/content/reasons.json" | LC_ALL=C sort)"
  same "$label plain: ... \"cham-tre\" shown as \"Phải chờ lâu\"" \
    "$(csql "SELECT label FROM reasons WHERE code = 'cham-tre'")" "Phải chờ lâu"
  check "$label plain: the kiosk's status says idle" \
    bash -c "'$kbin' status --config '$ini' | grep -q 'last error: none'"
  # 1b. The commune renames a reason: the next report carries the new label, which replaces the
  # old one, and the content version changes with it. The label is longer than the report's 255
  # bytes: the kiosk cuts it between two characters (289 bytes: the cut falls inside "ễ").
  local v_before
  v_before=$(csql "SELECT content_version FROM kiosk_health WHERE kiosk_id = 'e2e-01'")
  rm -rf "$d/content" && cp -r "$HAILONG_ASSETS/content" "$d/content"
  python3 -c 'import json,sys; f=sys.argv[1]; c=json.load(open(f)); [x.update(label="Chậm trễ hẹn " + "ễ" * 90) for x in c["reasons"] if x["code"] == "cham-tre"]; json.dump(c, open(f, "w"), ensure_ascii=False)' "$d/content/reasons.json"
  kiosk_ini "$d/k1-relabel.ini" e2e-01 "$data" "http://127.0.0.1:$port" "$tok"
  sed -i "/^data_dir = /a content_dir = $d/content" "$d/k1-relabel.ini"
  s=$(script_file "$label-relabel" 8 1 $'sync-wait 30\nhealth-wait 30')
  kiosk_run "$label relabel" "$d/k1-relabel.ini" "$s" 0
  n=$((n + 1))
  exact "$label relabel" e2e-01 "$data" "$n"
  same "$label relabel: the collector shows the new label" \
    "$(csql "SELECT count(*) || '|' || max(CASE WHEN code = 'cham-tre' THEN label END) FROM reasons")" \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["reasons"]; print("%d|%s" % (len(r), [x["label"] for x in r if x["code"] == "cham-tre"][0].encode()[:255].decode(errors="ignore")))' "$d/content/reasons.json")"
  check "$label relabel: the content version changed with the label" \
    test "$(csql "SELECT content_version FROM kiosk_health WHERE kiosk_id = 'e2e-01'")" != "$v_before"
  coll_stop "$main" "$mainlog"

  # 2. The collector is not started yet when the kiosk votes: it comes up 1.5 s later.
  s=$(script_file "$label-late" 8 3)
  kiosk_bg "$label late" "$ini" "$s"
  local kp=$kpid kl=$klog
  sleep 1.5
  faults='' coll_start "$label-late" "$db" "$port" || return 0
  kiosk_wait "$label collector started late" "$kp" "$kl" 0
  n=$((n + 3))
  check "$label late: the kiosk met a refused connection first" contains "$kl" "network:"
  exact "$label collector started late" e2e-01 "$data" "$n"
  coll_stop "$cpid" "$clog"

  # 3. Killed mid-request (before committing); the test restarts it on the same port.
  faults=kill-mid-request=1 coll_start "$label-kill" "$db" "$port" || return 0
  local killed=$cpid killlog=$clog
  s=$(script_file "$label-kill" 11 3)
  kiosk_bg "$label kill" "$ini" "$s"
  kp=$kpid kl=$klog
  local rc=0
  wait "$killed" || rc=$?
  same "$label kill-mid-request: the collector died (exit 9)" "$rc" 9
  faults='' coll_start "$label-after-kill" "$db" "$port" || return 0
  kiosk_wait "$label collector killed mid-request" "$kp" "$kl" 0
  n=$((n + 3))
  exact "$label collector killed mid-request" e2e-01 "$data" "$n"
  coll_stop "$cpid" "$clog"

  # 4-6. Answering 500 once; 503 twice with Retry-After: 1; 429 once.
  local spec name i=0
  for spec in "status=500:1" "status=503:2,retry-after=1" "status=429:1"; do
    name="$label ${spec%%,*}"
    faults=$spec coll_start "$label-status-$i" "$db" "$port" || return 0
    s=$(script_file "$label-status-$i" $((14 + 2 * i)) 2)
    local t0 t1
    t0=$(date +%s%N)
    kiosk_run "$name" "$ini" "$s" 0
    t1=$(date +%s%N)
    n=$((n + 2))
    check "$name: the kiosk logged the answer and retried" contains "$klog" \
      "the collector answered HTTP ${spec:7:3}"
    if [ "$spec" = "status=503:2,retry-after=1" ]; then
      check "$name: Retry-After honoured (two waits of 1 s)" \
        test $(((t1 - t0) / 1000000)) -ge 2000
    fi
    exact "$name" e2e-01 "$data" "$n"
    coll_stop "$cpid" "$clog"
    i=$((i + 1))
  done

  # 7. Hanging: the kiosk's request timeout (request_timeout_ms = 2000) fires, it resends.
  faults=hang=1,hang-seconds=60 coll_start "$label-hang" "$db" "$port" || return 0
  s=$(script_file "$label-hang" 20 2)
  kiosk_run "$label hang" "$ini" "$s" 0
  n=$((n + 2))
  check "$label hang: the kiosk's timeout fired" grep -qiE "network: .*(timed out|timeout)" "$klog"
  check "$label hang: the collector held the request" contains "$clog" "fault: hang"
  exact "$label hang" e2e-01 "$data" "$n"
  coll_stop "$cpid" "$clog"

  # 8. The connection dropped after the commit: the resend comes back duplicate.
  faults=drop-after-commit=1 coll_start "$label-drop" "$db" "$port" || return 0
  s=$(script_file "$label-drop" 22 3)
  kiosk_run "$label drop-after-commit" "$ini" "$s" 0
  n=$((n + 3))
  check "$label drop-after-commit: the collector dropped an answer" contains "$clog" \
    "fault: drop-after-commit"
  check "$label drop-after-commit: the resend came back duplicate" \
    grep -qE "batch kiosk=e2e-01 .*status=200 accepted=0 duplicate=[1-9]" "$clog"
  exact "$label drop-after-commit" e2e-01 "$data" "$n"
  coll_stop "$cpid" "$clog"

  # 9a. The kiosk killed with -9 while a request is in flight (the collector holds it): three
  # votes recorded with sync off, then a run that only syncs.
  kiosk_record "$label k9 votes" "$ini" 25 3
  n=$((n + 3))
  printf 'sync-wait 30\nquit\n' >"$tmp/$label-drain.script"
  faults=hang=1,hang-seconds=60 coll_start "$label-k9" "$db" "$port" || return 0
  kiosk_bg "$label kill -9" "$ini" "$tmp/$label-drain.script"
  kp=$kpid kl=$klog
  for _ in $(seq 1 400); do
    contains "$clog" "fault: hang" && break
    sleep 0.025
  done
  check "$label kill -9: a request was in flight" contains "$clog" "fault: hang"
  local kc
  kc=$(child_of "$kp") || kc=
  [ -n "$kc" ] && kill -KILL "$kc"
  rc=0
  wait "$kp" || rc=$?
  same "$label kill -9: the kiosk died" "$rc" 137
  same "$label kill -9: its batch stays frozen in votes.db" \
    "$(kiosk_sql "$data" "SELECT count(*) > 0 FROM batches")" 1
  coll_stop "$cpid" "$clog"
  # (20 requests a second, bursts of 5: the drain below takes about two seconds)
  faults='' coll_start "$label-k9b" "$db" "$port" --rate 20 --burst 5 || return 0
  kiosk_run "$label kill -9, restarted" "$ini" "$tmp/$label-drain.script" 0
  exact "$label kiosk killed -9 mid-request" e2e-01 "$data" "$n"

  # 9b. Killed -9 while draining a backlog: 40 votes recorded with sync off, then a run that only
  # syncs, one vote per batch, killed once the collector has some of them.
  kiosk_record "$label backlog" "$ini" 28 40
  n=$((n + 40))
  kiosk_ini "$d/k1-small.ini" e2e-01 "$data" "http://127.0.0.1:$port" "$tok" "batch_max = 1"
  local before
  before=$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'e2e-01'")
  kiosk_bg "$label drain" "$d/k1-small.ini" "$tmp/$label-drain.script"
  kp=$kpid kl=$klog
  local got=$before
  for _ in $(seq 1 2000); do
    got=$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'e2e-01'")
    [ "$got" -ge $((before + 3)) ] && break
    kill -0 "$kp" 2>/dev/null || break
    sleep 0.005
  done
  kc=$(child_of "$kp") || kc=
  [ -n "$kc" ] && kill -KILL "$kc"
  rc=0
  wait "$kp" || rc=$?
  same "$label kill -9 mid-drain: the kiosk died" "$rc" 137
  local left
  left=$(kiosk_sql "$data" "SELECT count(*) FROM votes WHERE sync_state <> 'sent'")
  check "$label kill -9 mid-drain: votes were left to send ($left of 40)" test "$left" -gt 0
  kiosk_run "$label kill -9 mid-drain, restarted" "$ini" "$tmp/$label-drain.script" 0
  exact "$label kiosk killed -9 mid-drain" e2e-01 "$data" "$n"
  coll_stop "$cpid" "$clog"

  # 10. TLS: a collector with a certificate from the test CA.
  faults='' coll_start "$label-tls" "$db" 0 --tls-cert "$tmp/server.pem" \
    --tls-key "$tmp/server.key" || return 0
  local tport=$cport
  kiosk_ini "$d/k1-tls.ini" e2e-01 "$data" "https://127.0.0.1:$tport" "$tok" \
    "ca_file = $tmp/ca.pem"
  s=$(script_file "$label-tls" 68 3)
  kiosk_run "$label TLS with ca_file" "$d/k1-tls.ini" "$s" 0
  n=$((n + 3))
  exact "$label TLS with ca_file" e2e-01 "$data" "$n"
  local tdata=$d/tls-no-ca ttok=$d/tls-no-ca.token
  enrol e2e-tls >"$ttok" || return 0
  kiosk_ini "$d/tls-no-ca.ini" e2e-tls "$tdata" "https://127.0.0.1:$tport" "$ttok"
  s=$(script_file "$label-tls-no-ca" 0 2 "sync-wait 2")
  kiosk_run "$label TLS without ca_file" "$d/tls-no-ca.ini" "$s" 1
  same "$label TLS without ca_file: nothing arrives" \
    "$(csql "SELECT count(*) FROM votes WHERE kiosk_id = 'e2e-tls'")" 0
  "$kbin" status --config "$d/tls-no-ca.ini" >"$tmp/$label-tls-status" 2>&1 || true
  check "$label TLS without ca_file: status shows the certificate error" \
    grep -qiE "^last error: .*network: .*(certificate|SSL)" "$tmp/$label-tls-status"
  same "$label TLS without ca_file: both votes still waiting" \
    "$(kiosk_sql "$tdata" "SELECT count(*) FROM votes WHERE sync_state = 'unsent'")" 2
  coll_stop "$cpid" "$clog"

  # 11. Auth: an unknown token, another kiosk's token, a revoked token.
  faults='' coll_start "$label-auth" "$db" "$port" || return 0
  printf 'hlk_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | cut -c1-43)" \
    >"$d/unknown.token"
  enrol e2e-rev >"$d/rev.token" || return 0
  "$cbin" kiosk revoke e2e-rev --db "$db" 2>/dev/null || bad "$label: kiosk revoke"
  enrol e2e-other >/dev/null || return 0
  local case kid ktok
  for case in "unknown:e2e-unknown:$d/unknown.token:401" "other:e2e-other:$tok:403" \
    "revoked:e2e-rev:$d/rev.token:403"; do
    IFS=: read -r name kid ktok code <<<"$case"
    kiosk_ini "$d/auth-$name.ini" "$kid" "$d/auth-$name" "http://127.0.0.1:$port" "$ktok"
    s=$(script_file "$label-auth-$name" 0 2 "sync-wait 1")
    kiosk_run "$label auth $name token" "$d/auth-$name.ini" "$s" 1
    "$kbin" status --config "$d/auth-$name.ini" >"$tmp/$label-auth-$name.status" 2>&1 || true
    check "$label auth $name token: status says stopped: auth (HTTP $code)" \
      grep -qE "^state: stopped: auth .*HTTP $code" "$tmp/$label-auth-$name.status"
    same "$label auth $name token: the collector holds nothing from it" \
      "$(csql "SELECT count(*) FROM votes WHERE kiosk_id = '$kid'")" 0
    same "$label auth $name token: its votes wait" \
      "$(kiosk_sql "$d/auth-$name" "SELECT count(*) FROM votes WHERE sync_state = 'unsent'")" 2
  done
  exact "$label after the auth cases" e2e-01 "$data" "$n"
  coll_stop "$cpid" "$clog"
}

# Two collectors on one database, four kiosks at once: two rounds, the kiosks switching
# collectors between them; round 1 with faults on both collectors.
multi() {
  local label=$1
  db=$2
  echo "--- $label: two collectors, four kiosks" >&2
  local d=$tmp/$label-multi k
  mkdir -p "$d"
  init_db || return 0
  for k in 1 2 3 4; do enrol "m-0$k" >"$d/m$k.token" || return 0; done
  faults='drop-after-commit=1' coll_start "$label-A" "$db" 0 || return 0
  local pa=$cport ca=$cpid la=$clog
  faults='status=503:1,retry-after=1' coll_start "$label-B" "$db" 0 || return 0
  local pb=$cport cb=$cpid lb=$clog
  local round first kp=() kl=() url
  for round in 1 2; do
    kp=() kl=()
    for k in 1 2 3 4; do
      if [ $(((k + round) % 2)) = 0 ]; then url=http://127.0.0.1:$pa; else url=http://127.0.0.1:$pb; fi
      kiosk_ini "$d/m$k.ini" "m-0$k" "$d/m$k" "$url" "$d/m$k.token" "batch_max = 2"
      first=$((k * 7 + round * 3))
      votes_script "$first" 5 >"$d/m$k-$round.script"
      printf 'sync-wait 60\nquit\n' >>"$d/m$k-$round.script"
      kiosk_bg "$label multi m-0$k round $round" "$d/m$k.ini" "$d/m$k-$round.script"
      kp+=("$kpid") kl+=("$klog")
    done
    for k in 1 2 3 4; do
      kiosk_wait "$label multi m-0$k round $round" "${kp[$((k - 1))]}" "${kl[$((k - 1))]}" 0
    done
    for k in 1 2 3 4; do
      exact "$label multi m-0$k round $round" "m-0$k" "$d/m$k" $((round * 5))
    done
    same "$label multi round $round: the database holds the four kiosks' votes, no more" \
      "$(csql "SELECT count(*) FROM votes WHERE kiosk_id LIKE 'm-0%'")" $((round * 20))
  done
  check "$label multi: collector A dropped an answer after committing" contains "$la" \
    "fault: drop-after-commit"
  check "$label multi: collector B answered 503" contains "$lb" "fault injected: status 503"
  check "$label multi: both collectors stored batches" \
    bash -c "grep -q 'status=200 accepted=[1-9]' '$la' && grep -q 'status=200 accepted=[1-9]' '$lb'"
  coll_stop "$ca" "$la"
  coll_stop "$cb" "$lb"
}

# ---- SQLite ----
kind=sqlite
dbfile=$tmp/collector.db
suite sqlite "sqlite:$dbfile"
same "sqlite: the collector's file is in WAL mode" "$(sqlite3 -batch "$dbfile" 'PRAGMA journal_mode')" wal

# ---- PostgreSQL ----
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  kind=pg
  for part in single multi; do
    schema=hl_e2e_${part}_$$_$RANDOM
    pg_schemas+=("$schema")
    if ! psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $schema" >/dev/null; then
      bad "postgresql: cannot create a schema with HL_TEST_PG_URL"
      continue
    fi
    pg_url=$(pg_schema_url "$HL_TEST_PG_URL" "$schema")
    if [ "$part" = single ]; then suite postgresql "$pg_url"; else multi postgresql "$pg_url"; fi
  done
else
  echo "test_sync_e2e: PostgreSQL part SKIPPED (HL_TEST_NO_PG=1); scripts/test.sh runs it" >&2
fi

echo "test_sync_e2e: $(($(date +%s) - t_start)) s" >&2
finish
