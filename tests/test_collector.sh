#!/usr/bin/env bash
# test_collector: runs the real hailong-collector on 127.0.0.1 (a free port it picks itself) and
# talks to it with curl: enrolment, auth, batches and duplicates, every kind of bad request, caps,
# rate limits, the read side, clock flags, the fault switch, TLS and IPv6. Rows are checked with
# the sqlite3 CLI, or psql for the PostgreSQL run (only when HL_TEST_PG_URL is set).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bin=${HL_BIN_DIR:-$src/build/bin}/hailong-collector
need_tools test_collector curl sqlite3 gzip sha256sum
need_bins test_collector "$bin"
need_faults test_collector "$bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-coll.XXXXXX")
pids=()
pg_schema=
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "$pg_schema" ]; then
    psql -X -q "$HL_TEST_PG_URL" -c "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1 ||
      true
  fi
  [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

crlf() { head -1 "$1" | grep -q $'\r$'; }

# run NAME WANT_RC OUT ARGS...: the real binary, output to OUT, exit code checked.
run() {
  local name=$1 want=$2 out=$3; shift 3
  local rc=0
  "$bin" "$@" >"$out" 2>"$out.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$out" "$out.err" >&2
  else
    ok "$name: exit code $want"
  fi
}

# ---- the server ----

# start LOG ARGS...: starts `serve` on 127.0.0.1 port 0 and waits for the port it bound.
start() {
  local log=$1; shift
  rm -f "$tmp/port"
  "$bin" serve --listen "${listen:-127.0.0.1:0}" --port-file "$tmp/port" "$@" >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_port server "$tmp/port" "$server_pid" "$log" || return 1
  port=$(cat "$tmp/port")
  base=${scheme:-http}://${host:-127.0.0.1}:$port
}

# stop LOG [WANT_RC]: SIGTERM, a clean exit, and nothing from the sanitizers.
stop() {
  local log=$1 want=${2:-0} rc=0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" || rc=$?
  same "server stopped with exit code $want" "$rc" "$want"
  no_sanitizer "server log $(basename "$log")" "$log"
}

# ---- requests ----

now=$(($(date +%s) * 1000))
boot=bbbbbbbb-0000-4000-8000-000000000001
uuid() { printf 'aaaaaaaa-0000-4000-8000-%012d' "$1"; }
batch_uuid() { printf 'cccccccc-0000-4000-8000-%012d' "$1"; }

# vote N [RATING] [CREATED_AT] [MISUSE]: one vote as JSON.
vote() {
  local n=$1 rating=${2:-3} created=${3:-$now} misuse=${4:-false} reasons='[]'
  [ "$rating" = 1 ] && reasons='["cham-tre","thai-do"]'
  printf '{"uuid":"%s","seq":%d,"boot_id":"%s","officer":"%s","rating":%s,"reasons":%s,"created_at":%s,"misuse":%s}' \
    "$(uuid "$n")" "$n" "$boot" "$([ $((n % 2)) = 1 ] && echo tp-hung || echo vp-lan)" \
    "$rating" "$reasons" "$created" "$misuse"
}
# batch KIOSK BATCH_N VOTE...: a request body.
batch() {
  local k=$1 b=$2; shift 2
  local IFS=,
  printf '{"v":1,"kiosk_id":"%s","batch_id":"%s","frozen_at":%s,"votes":[%s]}' \
    "$k" "$(batch_uuid "$b")" "$now" "$*"
}

# post KIOSK TOKEN FILE [CURL ARGS...]: sets $code; body in $tmp/resp, headers in $tmp/hdr.
post() {
  local kiosk=$1 token=$2 file=$3; shift 3
  local auth=()
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
  code=$(curl -sS --max-time 20 ${cacert:+--cacert "$cacert"} -o "$tmp/resp" -D "$tmp/hdr" \
    -w '%{http_code}' -X POST "$base/v1/kiosks/$kiosk/vote-batches" "${auth[@]}" \
    -H 'Content-Type: application/json' "$@" --data-binary "@$file" 2>"$tmp/curl.err") ||
    code="curl-exit-$?"
}
# send KIOSK TOKEN JSON BATCH_N [CURL ARGS]: gzip, with the right Idempotency-Key.
send() {
  local kiosk=$1 token=$2 json=$3 b=$4; shift 4
  printf '%s' "$json" | gzip -c >"$tmp/body.gz"
  post "$kiosk" "$token" "$tmp/body.gz" -H 'Content-Encoding: gzip' \
    -H "Idempotency-Key: $(batch_uuid "$b")" "$@"
}
# get PATH TOKEN: GET, sets $code; body in $tmp/resp.
get() {
  local auth=()
  [ -n "${2:-}" ] && auth=(-H "Authorization: Bearer $2")
  code=$(curl -sS -g --max-time 20 ${cacert:+--cacert "$cacert"} -o "$tmp/resp" -D "$tmp/hdr" \
    -w '%{http_code}' "${auth[@]}" "$base$1" 2>"$tmp/curl.err") || code="curl-exit-$?"
}
# get_probe PATH: get, tried up to 3 times 0.3 s apart as a load balancer's health check would.
# Under a slow-connection attack a probe may meet the moment the server has closed an attacker's
# connection but its slot is not free yet (a reset); without the reserve every try fails.
get_probe() {
  local i
  for i in 1 2 3; do
    get "$1"
    [ "$code" = 200 ] && return 0
    sleep 0.3
  done
}
# expect NAME CODE [TEXT IN BODY]
expect() {
  if [ "$code" = "$2" ] && { [ -z "${3:-}" ] || contains "$tmp/resp" "$3"; }; then
    ok "$1: $2"
  else
    bad "$1: got $code, expected $2${3:+ with '$3'}"
    sed 's/^/    /' "$tmp/resp" "$tmp/curl.err" >&2 2>/dev/null || true
  fi
}
header() { tr -d '\r' <"$tmp/hdr" | sed -n "s/^$1: //Ip" | head -1; }

# ---- one full run against a database ----

suite() {
  local label=$1 db=$2
  echo "--- $label" >&2
  local out=$tmp/out

  # Only init makes a database; a second init finds it and changes nothing.
  run "$label: kiosk add before init" 2 "$out" kiosk add bombo-01 --db "$db"
  check "$label: ... says there is no collector database and how to make one" \
    contains "$out.err" "; create it with \`hailong-collector init --db"
  run "$label: init" 0 "$out" init --db "$db"
  check "$label: ... says it created it" contains "$out.err" "collector database created"
  run "$label: init again" 0 "$out" init --db "$db"
  check "$label: ... says it already exists" contains "$out.err" "collector database already exists"

  # Enrolment: the token is printed once; only its SHA-256 is stored.
  run "$label: kiosk add" 0 "$out" kiosk add bombo-01 --unit 'UBND xã Bom Bo, tỉnh Đồng Nai' \
    --db "$db"
  local t1
  t1=$(cat "$out")
  check "$label: the token looks like hlk_ + 43 base64url" \
    grep -qE '^hlk_[A-Za-z0-9_-]{43}$' "$out"
  check "$label: the notice says it is shown once" contains "$out.err" "shown only this once"
  local h1
  h1=$(printf '%s' "$t1" | sha256sum | cut -c1-64)
  same "$label: the database holds the token's hash" \
    "$(sql "SELECT count(*) FROM tokens WHERE token_hash = '$h1' AND name = 'bombo-01'")" 1
  same "$label: and not the token" \
    "$(sql "SELECT count(*) FROM tokens WHERE token_hash = '$t1' OR name = '$t1'")" 0
  if [ "$kind" = sqlite ]; then
    check "$label: the token appears nowhere in the file" \
      bash -c "! sqlite3 '$dbfile' .dump | grep -qF -- '$t1'"
  fi
  run "$label: kiosk add again" 2 "$out" kiosk add bombo-01 --db "$db"
  check "$label: ... says it already has a token" contains "$out.err" "already has an active token"
  run "$label: kiosk add bombo-02" 0 "$out" kiosk add bombo-02 --db "$db"
  local t2
  t2=$(cat "$out")
  run "$label: kiosk add bombo-03" 0 "$out" kiosk add bombo-03 --db "$db"
  local t3
  t3=$(cat "$out")
  run "$label: kiosk revoke bombo-03" 0 "$out" kiosk revoke bombo-03 --db "$db"
  run "$label: kiosk revoke bombo-03 again" 2 "$out" kiosk revoke bombo-03 --db "$db"
  check "$label: ... says there is no active token" contains "$out.err" "has no active token"
  run "$label: operator add" 0 "$out" operator add it-tinh --db "$db"
  local top
  top=$(cat "$out")
  check "$label: the operator token starts with hlo_" grep -qE '^hlo_[A-Za-z0-9_-]{43}$' "$out"
  # A commune leader's token: it reads Bom Bo's votes only (issue 11, roles at the API).
  run "$label: operator add --unit" 0 "$out" operator add lanh-dao-bombo \
    --unit 'UBND xã Bom Bo, tỉnh Đồng Nai' --db "$db"
  local tlead
  tlead=$(cat "$out")
  run "$label: operator add --unit not NFC" 2 "$out" operator add x --unit $'Bom Bo\xcc\x81' --db "$db"
  run "$label: operator revoke --unit" 2 "$out" operator revoke x --unit a --db "$db"
  check "$label: ... --unit belongs to operator add" contains "$out.err" "belongs to \`operator add\`"
  run "$label: operator list" 0 "$out" operator list --db "$db"
  check "$label: ... the province's token reads every unit" \
    grep -qE '^it-tinh +active +[0-9-]+ [0-9:]+  \(every unit\)$' "$out"
  check "$label: ... the leader's reads Bom Bo" \
    grep -qE '^lanh-dao-bombo +active +[0-9-]+ [0-9:]+  UBND xã Bom Bo, tỉnh Đồng Nai$' "$out"
  run "$label: kiosk list" 0 "$out" kiosk list --db "$db"
  check "$label: list shows bombo-01 active with its unit" \
    grep -qE '^bombo-01 +active +0 +- +UBND xã Bom Bo, tỉnh Đồng Nai$' "$out"
  check "$label: list shows bombo-03 revoked" grep -qE '^bombo-03 +revoked ' "$out"

  start "$tmp/server-$label.log" --db "$db" || return 0

  # Who may post.
  printf '%s' "$(batch bombo-01 1 "$(vote 1)")" | gzip -c >"$tmp/one.gz"
  local key=(-H 'Content-Encoding: gzip' -H "Idempotency-Key: $(batch_uuid 1)")
  post bombo-01 "" "$tmp/one.gz" "${key[@]}"
  expect "$label: no Authorization" 401 '"error":"Authorization header missing'
  same "$label: 401 names the scheme" "$(header WWW-Authenticate)" Bearer
  post bombo-01 "hlk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$tmp/one.gz" "${key[@]}"
  expect "$label: unknown token" 401 '"error":"unknown token"'
  post bombo-01 "" "$tmp/one.gz" "${key[@]}" -H "Authorization: Basic eDp5"
  expect "$label: not a Bearer token" 401 '"error":"Authorization'
  post bombo-01 "$t2" "$tmp/one.gz" "${key[@]}"
  expect "$label: another kiosk's token" 403 '"error":"token belongs to another kiosk"'
  post bombo-03 "$t3" "$tmp/one.gz" "${key[@]}"
  expect "$label: a revoked token" 403 '"error":"token revoked"'
  post bombo-01 "$top" "$tmp/one.gz" "${key[@]}"
  expect "$label: an operator token" 403 '"error":"not a kiosk token"'
  same "$label: nothing stored so far" "$(sql 'SELECT count(*) FROM votes')" 0

  # A good batch, then the same bytes again.
  send bombo-01 "$t1" "$(batch bombo-01 1 "$(vote 1)" "$(vote 2 2)" "$(vote 3 1)")" 1
  expect "$label: a good batch" 200 "\"batch_id\":\"$(batch_uuid 1)\""
  same "$label: a result per vote" "$(cat "$tmp/resp")" \
    "{\"batch_id\":\"$(batch_uuid 1)\",\"results\":[{\"uuid\":\"$(uuid 1)\",\"status\":\"accepted\"},{\"uuid\":\"$(uuid 2)\",\"status\":\"accepted\"},{\"uuid\":\"$(uuid 3)\",\"status\":\"accepted\"}]}"
  same "$label: rows stored" "$(sql "SELECT seq || ' ' || kiosk_id || ' ' || officer_code || ' ' || rating || ' ' || reasons || ' ' || misuse FROM votes ORDER BY seq")" \
    "1 bombo-01 tp-hung 3 [] 0
2 bombo-01 vp-lan 2 [] 0
3 bombo-01 tp-hung 1 [\"cham-tre\",\"thai-do\"] 0"
  local after
  after=$(($(date +%s) * 1000))
  same "$label: received_at set to the collector's time" \
    "$(sql "SELECT count(*) FROM votes WHERE received_at BETWEEN $((now - 60000)) AND $((after + 60000))")" 3
  send bombo-01 "$t1" "$(batch bombo-01 1 "$(vote 1)" "$(vote 2 2)" "$(vote 3 1)")" 1
  expect "$label: the same batch again" 200 '"status":"duplicate"'
  check "$label: ... all duplicate" bash -c "! grep -q accepted '$tmp/resp'"
  same "$label: ... no new rows" "$(sql 'SELECT count(*) FROM votes')" 3

  # One bad vote among good ones: rejected alone, with its reason.
  send bombo-01 "$t1" "$(batch bombo-01 2 "$(vote 4)" "$(vote 5 7)" "$(vote 6 2)")" 2
  expect "$label: a batch with a bad vote" 200 \
    "{\"uuid\":\"$(uuid 5)\",\"status\":\"rejected\",\"reason\":\"rating: must be 1, 2 or 3\"}"
  check "$label: ... the others accepted" contains "$tmp/resp" \
    "{\"uuid\":\"$(uuid 6)\",\"status\":\"accepted\"}"
  same "$label: ... the bad one not stored" "$(sql 'SELECT count(*) FROM votes')" 5

  # A NUL character (\u0000) in a string: cJSON would cut "tp-hung\u0000<script>" to "tp-hung".
  send bombo-01 "$t1" "$(batch bombo-01 90 "$(vote 90 | sed 's/"officer":"vp-lan"/"officer":"vp-lan\\u0000<script>"/')")" 90
  expect "$label: a string holding \\u0000" 400 '"error":"votes[0].officer: a NUL character'
  same "$label: ... nothing stored" "$(sql 'SELECT count(*) FROM votes')" 5
  # A kiosk id with a NUL passes the URL check (the URL says kA) unless the body is refused first.
  printf '%s' "$(batch 'bombo-01\u0000evil' 91 "$(vote 91)")" | gzip -c >"$tmp/nul-id.gz"
  post bombo-01 "$t1" "$tmp/nul-id.gz" -H 'Content-Encoding: gzip' \
    -H "Idempotency-Key: $(batch_uuid 91)"
  expect "$label: a kiosk_id holding \\u0000" 400 '"error":"kiosk_id: a NUL character'
  same "$label: ... nothing stored" "$(sql 'SELECT count(*) FROM votes')" 5

  # A uuid another kiosk already used.
  send bombo-02 "$t2" "$(batch bombo-02 3 "$(vote 1)" "$(vote 7)")" 3
  expect "$label: a uuid of another kiosk" 200 \
    "{\"uuid\":\"$(uuid 1)\",\"status\":\"rejected\",\"reason\":\"uuid already used by another kiosk\"}"
  same "$label: ... the row still belongs to bombo-01" \
    "$(sql "SELECT kiosk_id FROM votes WHERE uuid = '$(uuid 1)'")" bombo-01

  # Clock flags, judged by the batch's own clock (frozen_at = now here): two hours ahead of it is
  # suspect (and placed at the receipt); two days behind is a backlog delivered late, not a bad
  # clock (it once was marked); on time is fine.
  send bombo-02 "$t2" "$(batch bombo-02 4 "$(vote 8 3 $((now + 7200000)))" \
    "$(vote 9 3 $((now - 172800000)))" "$(vote 10 3 $((now - 60000)))")" 4
  expect "$label: votes with odd clocks are taken" 200 '"status":"accepted"'
  same "$label: ... and flagged clock_suspect" \
    "$(sql "SELECT seq || ':' || clock_suspect FROM votes WHERE seq IN (8, 9, 10) ORDER BY seq")" \
    "8:1
9:0
10:0"
  same "$label: ... the one from the future is placed at its receipt, the others at their time" \
    "$(sql "SELECT seq || ':' || (CASE WHEN placed_at = received_at THEN 'r' WHEN placed_at = created_at THEN 'c' ELSE '?' END) FROM votes WHERE seq IN (8, 9, 10) ORDER BY seq")" \
    "8:r
9:c
10:c"
  # A kiosk whose clock reads 2000-01-01 (a dead RTC battery): votes once refused ("not between
  # 2020-01-01 and 2100-01-01") are taken, marked, and placed by the kiosk's clock at sending
  # (X-Hailong-Sent-At): the vote cast an hour before that send lands an hour before receipt.
  y2000=946684800000
  send bombo-02 "$t2" "$(batch bombo-02 5 "$(vote 11 2 $y2000 false | sed 's/}$/,"clock_suspect":true}/')")" 5 \
    -H "X-Hailong-Sent-At: $((y2000 + 3600000))"
  expect "$label: a vote stamped 2000-01-01 is taken" 200 '"status":"accepted"'
  same "$label: ... marked, and placed an hour before its receipt (within a minute)" \
    "$(sql "SELECT clock_suspect || ':' || (CASE WHEN abs(placed_at - (received_at - 3600000)) < 60000 THEN 'ok' ELSE CAST(placed_at AS TEXT) END) FROM votes WHERE seq = 11")" \
    "1:ok"
  # A backlog a kiosk froze long ago and resends now: by X-Hailong-Sent-At its clock is right.
  send bombo-02 "$t2" "$(batch bombo-02 6 "$(vote 12 3 $((now - 2592000000)))" | sed "s/\"frozen_at\":$now/\"frozen_at\":$((now - 2592000000))/")" 6 \
    -H "X-Hailong-Sent-At: $(($(date +%s) * 1000))"
  expect "$label: a month-old batch resent today" 200 '"status":"accepted"'
  same "$label: ... is not a bad clock" "$(sql "SELECT clock_suspect FROM votes WHERE seq = 12")" 0
  send bombo-02 "$t2" "$(batch bombo-02 7 "$(vote 13)")" 7 -H "X-Hailong-Sent-At: soon"
  expect "$label: an X-Hailong-Sent-At that is not a time" 400 '"error":"X-Hailong-Sent-At: must be'
  send bombo-02 "$t2" "$(batch bombo-02 7 "$(vote 13 | sed 's/}$/,"clock_suspect":1}/')")" 7
  expect "$label: clock_suspect must be a boolean" 200 '"reason":"clock_suspect: is a number; must be true or false"'
  # The summaries below count the votes stored before these clock cases.
  # The totals the summaries read were kept at ingest: they still count the two votes deleted
  # by hand, until `totals rebuild`.
  local before_del
  before_del=$(sql "SELECT sum(total) FROM tot_day")
  same "$label: the totals kept at ingest count every vote" \
    "$before_del $(sql "SELECT sum(total) FROM tot_kday") $(sql "SELECT sum(total) FROM tot_kmonth")" \
    "$(sql "SELECT count(*) FROM votes") $(sql "SELECT count(*) FROM votes") $(sql "SELECT count(*) FROM votes")"
  sql "DELETE FROM votes WHERE kiosk_id = 'bombo-02' AND seq IN (11, 12)" >/dev/null
  run "$label: totals rebuild" 0 "$out" totals rebuild --db "$db"
  same "$label: ... the totals without the votes deleted by hand" \
    "$(sql "SELECT sum(total) FROM tot_day") $(sql "SELECT sum(total) FROM tot_kday") $(sql "SELECT sum(total) FROM tot_kmonth")" \
    "$((before_del - 2)) $((before_del - 2)) $((before_del - 2))"

  # Bad requests: 400 with a reason, nothing stored, the server goes on.
  local rows
  rows=$(sql 'SELECT count(*) FROM votes')
  printf '{"v":1,"kiosk_id":' >"$tmp/bad.json"
  post bombo-01 "$t1" "$tmp/bad.json" -H "Idempotency-Key: $(batch_uuid 5)"
  expect "$label: malformed JSON" 400 '"error":"body: not valid JSON'
  printf '{"v":1,"kiosk_id":"bombo-01","x":"\xc3\x28"}' >"$tmp/bad.json"
  post bombo-01 "$t1" "$tmp/bad.json" -H "Idempotency-Key: $(batch_uuid 5)"
  expect "$label: invalid UTF-8" 400 '"error":"body: invalid UTF-8 at byte'
  printf '{"v":1,"kiosk_id":"bombo-01","batch_id":"%s","frozen_at":1,"votes":"many"}' \
    "$(batch_uuid 5)" >"$tmp/bad.json"
  post bombo-01 "$t1" "$tmp/bad.json" -H "Idempotency-Key: $(batch_uuid 5)"
  expect "$label: wrong type" 400 '"error":"votes: is a string; must be an array of votes"'
  printf '{"v":1,"kiosk_id":"bombo-01","batch_id":"%s","frozen_at":1e999,"votes":[%s]}' \
    "$(batch_uuid 5)" "$(vote 20)" >"$tmp/bad.json"
  post bombo-01 "$t1" "$tmp/bad.json" -H "Idempotency-Key: $(batch_uuid 5)"
  expect "$label: a huge number" 400 '"error":"frozen_at: number too large'
  batch bombo-01 5 "$(vote 20)" >"$tmp/good.json"
  post bombo-01 "$t1" "$tmp/good.json"
  expect "$label: no Idempotency-Key" 400 '"error":"Idempotency-Key header missing'
  post bombo-01 "$t1" "$tmp/good.json" -H "Idempotency-Key: $(batch_uuid 6)"
  expect "$label: Idempotency-Key is not the batch_id" 400 \
    '"error":"Idempotency-Key must equal the body'"'"'s batch_id'
  post bombo-02 "$t2" "$tmp/good.json" -H "Idempotency-Key: $(batch_uuid 5)"
  expect "$label: kiosk_id differs from the URL" 400 \
    '"error":"kiosk_id: \"bombo-01\" in the body, but the URL names \"bombo-02\""'
  post bombo-01 "$t1" "$tmp/good.json" -H "Idempotency-Key: $(batch_uuid 5)" \
    -H 'Content-Encoding: gzip'
  expect "$label: not gzip though it says so" 400 '"error":"gzip:'
  post bombo-01 "$t1" "$tmp/good.json" -H "Idempotency-Key: $(batch_uuid 5)" \
    -H 'Content-Encoding: br'
  expect "$label: an unknown Content-Encoding" 415 '"error":"Content-Encoding: br'
  same "$label: none of that stored anything" "$(sql 'SELECT count(*) FROM votes')" "$rows"
  get /healthz
  expect "$label: /healthz still answers" 200 '{"status":"ok"}'

  # Size caps.
  head -c $((1100 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/big.json"
  post bombo-01 "$t1" "$tmp/big.json" -H "Idempotency-Key: $(batch_uuid 5)"
  expect "$label: a body over 1 MiB" 413 '"error":"body of'
  post bombo-01 "$t1" "$tmp/big.json" -H "Idempotency-Key: $(batch_uuid 5)" \
    -H 'Transfer-Encoding: chunked'
  expect "$label: a chunked body over 1 MiB" 413 '"error":"body larger than'
  head -c $((6 * 1024 * 1024)) /dev/zero | gzip -c >"$tmp/bomb.gz"
  post bombo-01 "$t1" "$tmp/bomb.gz" -H "Idempotency-Key: $(batch_uuid 5)" \
    -H 'Content-Encoding: gzip'
  expect "$label: a gzip bomb ($(stat -c %s "$tmp/bomb.gz") bytes -> 6 MiB)" 413 \
    '"error":"body: decompresses to more than'
  get /healthz
  expect "$label: /healthz after the bomb" 200

  # Memory amplification: 4 KB of gzip holding an array of 2 million elements (4 MB of JSON, under
  # the 4 MiB cap) made the parser build a ~170 MB tree before the 500-vote limit was checked.
  # Refused before parsing now: four of them move the collector's peak memory by little.
  { printf '{"v":1,"kiosk_id":"bombo-01","batch_id":"%s","frozen_at":1,"votes":[' "$(batch_uuid 6)"
    head -c $((2000000 * 2 - 2)) /dev/zero | tr '\0' '0' | sed 's/00/0,/g'
    printf '0]}'; } | gzip -9 >"$tmp/amp.gz"
  local hwm0 hwm1
  hwm0=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
  for i in 1 2 3 4; do
    post bombo-01 "$t1" "$tmp/amp.gz" -H "Idempotency-Key: $(batch_uuid 6)" \
      -H 'Content-Encoding: gzip'
  done
  expect "$label: 2 million elements in $(stat -c %s "$tmp/amp.gz") bytes of gzip" 400 \
    '"error":"body: more than'
  hwm1=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
  echo "    peak memory (VmHWM) $hwm0 kB -> $hwm1 kB" >&2
  check "$label: ... peak memory grew by less than 48 MB (was ~170 MB a request)" \
    test $((hwm1 - hwm0)) -lt $((48 * 1024))

  # Routes and methods.
  get /v1/nothing
  expect "$label: unknown path" 404 '"error":"no such endpoint'
  get /v1/kiosks/bombo-01/vote-batches
  expect "$label: GET on the batch endpoint" 405
  same "$label: 405 says Allow: POST" "$(header Allow)" POST

  # A kiosk's health report: its officers' names (kept under its unit), version, clock, backlog.
  health() { # KIOSK TOKEN JSON: POST to /status; sets code, body in $tmp/resp
    code=$(curl -sS --max-time 20 ${cacert:+--cacert "$cacert"} -o "$tmp/resp" -w '%{http_code}' \
      -X POST "$base/v1/kiosks/$1/status" -H "Authorization: Bearer $2" \
      -H 'Content-Type: application/json' --data-binary "$3" 2>"$tmp/curl.err") ||
      code="curl-exit-$?"
  }
  local hjson
  hjson='{"v":1,"kiosk_id":"bombo-01","sent_at":1793466000000,"version":"0.3.0","content_version":"00ff00ff00ff00ff","clock_suspect":false,"unsent":7,"officers":[{"code":"tp-hung","name":"Nguyễn Văn Hùng","title":"Trưởng phòng","counter":"Quầy 1"},{"code":"vp-lan","name":"<script>alert(1)</script>","title":"","counter":""}]}'
  health bombo-01 "$t1" "$hjson"
  expect "$label: a health report" 200 '{"status":"ok"}'
  local bell='\u0007' # a JSON escape, as a hardware keyboard's stray key would give
  health bombo-01 "$t1" "${hjson/Nguyễn Văn Hùng/Nguyễn${bell}Hùng}"
  expect "$label: ... a control character in a name" 400 '"error":"officers[0].name: holds a control character"'
  health bombo-01 "$t1" "${hjson/\"kiosk_id\":\"bombo-01\"/\"kiosk_id\":\"bombo-02\"}"
  expect "$label: ... another kiosk's id in the body" 400 '"error":"kiosk_id: \"bombo-02\" in the body'
  health bombo-02 "$t1" "$hjson"
  expect "$label: ... with another kiosk's token" 403 'token belongs to another kiosk'
  same "$label: ... the officers kept under the kiosk's unit" \
    "$(sql "SELECT unit || '|' || code || '|' || name || '|' || counter FROM officers ORDER BY code")" \
    "UBND xã Bom Bo, tỉnh Đồng Nai|tp-hung|Nguyễn Văn Hùng|Quầy 1
UBND xã Bom Bo, tỉnh Đồng Nai|vp-lan|<script>alert(1)</script>|"
  run "$label: kiosk health" 0 "$tmp/kh.out" kiosk health --db "$db"
  check "$label: ... bombo-01 reported: version, content, clock ok, 7 unsent, 2 officers" \
    grep -qE '^bombo-01 +[0-9-]+ [0-9:]+  0\.3\.0 +00ff00ff00ff00ff ok +7 +2  UBND xã Bom Bo, tỉnh Đồng Nai$' "$tmp/kh.out"
  check "$label: ... bombo-02 never did" grep -qE '^bombo-02 +never +- +- +- +0 +0  $' "$tmp/kh.out"

  # The read side.
  get '/v1/summary?by=unit'
  expect "$label: summary without a token" 401
  get '/v1/summary?by=unit' "$t1"
  expect "$label: summary with a kiosk token" 403 'not an operator token'
  get '/v1/summary?by=unit' "$top"
  expect "$label: summary by unit" 200 \
    '{"key":"UBND xã Bom Bo, tỉnh Đồng Nai","rating3":2,"rating2":2,"rating1":1,"counted":5,"satisfaction":0.8,"misuse":0,"clock_suspect":0,"total":5}'
  get '/v1/summary?by=kiosk' "$top"
  expect "$label: summary by kiosk" 200 '{"key":"bombo-02","rating3":4,'
  get '/v1/summary?by=officer' "$top"
  expect "$label: summary by officer" 200 '{"key":"tp-hung",'
  # Officer codes are unique only inside one commune: bombo-02 (no unit) has a tp-hung of its own,
  # once merged with Bom Bo's (issue 11). Each (unit, officer) is a group, with the same totals as
  # the votes grouped by their kiosk's unit.
  same "$label: ... one group per unit and officer, totals as in the database" \
    "$(python3 -c 'import json,sys; [print("%s|%s|%d" % (g["unit"], g["key"], g["total"])) for g in json.load(open(sys.argv[1]))["groups"]]' "$tmp/resp")" \
    "$(sql "SELECT coalesce(k.unit, '') || '|' || v.officer_code || '|' || count(*) FROM votes v LEFT JOIN kiosks k ON k.id = v.kiosk_id GROUP BY coalesce(k.unit, ''), v.officer_code ORDER BY coalesce(k.unit, ''), v.officer_code")"
  check "$label: ... tp-hung of two communes is two groups" \
    test "$(grep -o '"key":"tp-hung"' "$tmp/resp" | wc -l)" = 2
  check "$label: ... Bom Bo's tp-hung with the name its kiosk sent, the other's without" \
    bash -c "grep -qF '\"key\":\"tp-hung\",\"unit\":\"UBND xã Bom Bo, tỉnh Đồng Nai\",\"name\":\"Nguyễn Văn Hùng\",' '$tmp/resp' && grep -qF '\"key\":\"tp-hung\",\"unit\":\"\",\"name\":\"\",' '$tmp/resp'"
  get '/v1/summary?by=officer&unit=UBND%20x%C3%A3%20Bom%20Bo%2C%20t%E1%BB%89nh%20%C4%90%E1%BB%93ng%20Nai' "$top"
  expect "$label: summary by officer of one unit" 200 '"unit":"UBND xã Bom Bo, tỉnh Đồng Nai","groups":[{"key":"tp-hung","unit":"UBND xã Bom Bo, tỉnh Đồng Nai",'
  same "$label: ... only that unit's votes" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["total"])' "$tmp/resp")" \
    "$(sql "SELECT count(*) FROM votes WHERE kiosk_id = 'bombo-01'")"
  get '/v1/summary?by=officer&kiosk=bombo-02' "$top"
  expect "$label: summary by officer of one kiosk" 200 '"kiosk":"bombo-02","groups":[{"key":"tp-hung","unit":"",'
  same "$label: ... only that kiosk's votes" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["total"])' "$tmp/resp")" \
    "$(sql "SELECT count(*) FROM votes WHERE kiosk_id = 'bombo-02'")"
  # The leader's token: whatever it asks, Bom Bo's votes only; another unit is 403.
  get '/v1/summary?by=kiosk' "$tlead"
  expect "$label: a leader's summary" 200 '"unit":"UBND xã Bom Bo, tỉnh Đồng Nai","groups":[{"key":"bombo-01",'
  same "$label: ... holds only its unit's votes" \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["groups"]), r["total"]["total"])' "$tmp/resp")" \
    "1 $(sql "SELECT count(*) FROM votes WHERE kiosk_id = 'bombo-01'")"
  get '/v1/summary?unit=Kh%C3%A1c' "$tlead"
  expect "$label: a leader asking for another unit" 403 \
    '"error":"this token reads only the votes of its own unit; leave unit= out"'
  get '/v1/votes.csv' "$tlead"
  expect "$label: a leader's votes.csv" 200
  same "$label: ... its unit's kiosks only" "$(tail -n +2 "$tmp/resp" | cut -d, -f2 | sort -u)" bombo-01
  get '/v1/votes.csv?kiosk=bombo-02' "$tlead"
  expect "$label: a leader asking for another unit's kiosk" 200
  same "$label: ... gets no vote of it" "$(($(wc -l <"$tmp/resp") - 1))" 0
  get '/v1/summary?kiosk=bombo%2001' "$top"
  expect "$label: kiosk=bombo 01" 400 '"error":"kiosk: \"bombo 01\" is not a kiosk id'
  # A reporting period of Nghị định 09/2019 (the 15th to the 14th) names its days.
  get '/v1/summary?period=nd09-2026-11&by=day' "$top"
  expect "$label: period=nd09-2026-11" 200 '{"from":"2026-10-15","to":"2026-11-14","by":"day",'
  get '/v1/summary?period=2026-Q5' "$top"
  expect "$label: period=2026-Q5" 400 '"error":"period: \"2026-Q5\" is not a period; use YYYY, YYYY-MM, YYYY-Qn'
  get '/v1/summary?by=month' "$top"
  expect "$label: summary by month" 200 "\"by\":\"month\",\"groups\":[{\"key\":\"$(TZ=Asia/Ho_Chi_Minh date -d @$((now / 1000 - 172800)) +%Y-%m)\","
  local today
  today=$(TZ=Asia/Ho_Chi_Minh date +%F)
  get "/v1/summary?by=day&from=$today&to=$today" "$top"
  expect "$label: summary by day, today only" 200 "{\"key\":\"$today\","
  check "$label: ... without the vote dated two days ago" bash -c \
    "! grep -q '\"total\":{[^}]*\"total\":9}' '$tmp/resp'"
  get '/v1/summary?by=year' "$top"
  expect "$label: by=year" 400 '"error":"by: \"year\" is not unit, kiosk, officer, day or month"'
  get '/v1/summary?from=2026-02-30' "$top"
  expect "$label: from=2026-02-30" 400 '"error":"from: \"2026-02-30\" is not a date'
  get '/v1/summary?form=2026-01-01' "$top"
  expect "$label: a misspelt parameter" 400 '"error":"form: unknown parameter'
  # 5 000 query parameters: answered (400 naming the first), not dropped without a word
  get "/v1/summary?$(seq 0 4999 | sed 's/.*/a&=1/' | paste -sd'&')" "$top"
  expect "$label: 5 000 query parameters" 400 '"error":"a0: unknown parameter'
  get '/v1/votes.csv?by=unit' "$top"
  expect "$label: votes.csv?by=unit names by" 400 '"error":"by: unknown parameter; use from, to, period, unit, kiosk"'
  get '/v1/votes.csv' ""
  expect "$label: votes.csv without a token" 401
  get '/v1/votes.csv' "$top"
  expect "$label: votes.csv" 200
  same "$label: ... is text/csv" "$(header Content-Type)" "text/csv; charset=utf-8"
  same "$label: ... starts with a BOM" "$(head -c 3 "$tmp/resp" | od -An -tx1 | tr -d ' ')" efbbbf
  same "$label: ... header row" "$(head -1 "$tmp/resp" | tail -c +4 | tr -d '\r')" \
    "uuid,kiosk_id,unit,seq,boot_id,officer_code,rating,rating_label,reasons,created_at_local,received_at_local,misuse,clock_suspect,placed_at_local"
  check "$label: ... CRLF line ends" crlf "$tmp/resp"
  check "$label: ... the unit quoted (it has a comma)" contains "$tmp/resp" \
    "$(uuid 3),bombo-01,\"UBND xã Bom Bo, tỉnh Đồng Nai\",3,$boot,tp-hung,1,Chưa hài lòng,\"[\"\"cham-tre\"\",\"\"thai-do\"\"]\","
  same "$label: ... one line per vote" "$(($(wc -l <"$tmp/resp") - 1))" \
    "$(sql 'SELECT count(*) FROM votes')"
  get '/v1/votes.csv?kiosk=bombo-02' "$top"
  expect "$label: votes.csv of one kiosk" 200
  same "$label: ... its votes only" "$(tail -n +2 "$tmp/resp" | cut -d, -f2 | sort -u)" bombo-02
  same "$label: ... all of them" "$(($(wc -l <"$tmp/resp") - 1))" \
    "$(sql "SELECT count(*) FROM votes WHERE kiosk_id = 'bombo-02'")"

  stop "$tmp/server-$label.log"
  # A database that takes no write (a full or read-only disk; read-only=1 makes the server's every
  # connection refuse writes): /healthz says so before any batch has failed, where a read alone
  # answered "ok" while every batch got 503.
  HAILONG_COLLECTOR_FAULTS=read-only=1 start "$tmp/ro-$label.log" --db "$db" || return 0
  get /healthz
  expect "$label: read-only database: /healthz" 503 '"error":"database cannot be written'
  same "$label: ... with Retry-After" "$(header Retry-After)" 5
  send bombo-01 "$t1" "$(batch bombo-01 30 "$(vote 30)")" 30
  expect "$label: ... and a batch" 503 '"error":"database unavailable; retry later"'
  stop "$tmp/ro-$label.log"
  check "$label: ... the log says why" contains "$tmp/ro-$label.log" \
    "healthz: the database takes no write:"
  start "$tmp/rw-$label.log" --db "$db" || return 0
  get /healthz
  expect "$label: writable again: /healthz" 200 '{"status":"ok"}'
  stop "$tmp/rw-$label.log"
  same "$label: the write probe leaves no row behind" \
    "$(sql 'SELECT count(*) FROM schema_version WHERE version < 0')" 0
  check "$label: one log line per batch" grep -qE \
    "batch kiosk=bombo-01 batch=$(batch_uuid 2) status=200 accepted=2 duplicate=0 rejected=1 ms=[0-9]+" \
    "$tmp/server-$label.log"

  # One request per 100 s with a burst of 2: the third gets 429, however slow this machine.
  start "$tmp/rate-$label.log" --db "$db" --rate 0.01 --burst 2 || return 0
  local codes=""
  for i in 1 2 3; do
    send bombo-01 "$t1" "$(batch bombo-01 1 "$(vote 1)")" 1
    codes="$codes $code"
  done
  same "$label: rate limit" "$codes" " 200 200 429"
  # 100 s for a whole token, less what refilled meanwhile (a slow machine: 99)
  check "$label: 429 says when to retry (about 100 s)" \
    bash -c "[ '$(header Retry-After)' -ge 95 ] && [ '$(header Retry-After)' -le 100 ]"
  check "$label: 429 has a reason" contains "$tmp/resp" '"error":"too many requests'
  stop "$tmp/rate-$label.log"
}

sql_sqlite() { sqlite3 -batch -noheader "$dbfile" "$1"; }
sql_pg() { PGOPTIONS="-c search_path=$pg_schema" psql -X -q -A -t "$HL_TEST_PG_URL" -c "$1"; }
sql() { if [ "$kind" = sqlite ]; then sql_sqlite "$1"; else sql_pg "$1"; fi; }

# ---- usage errors (no database needed beyond the default) ----
out=$tmp/usage
cd "$tmp"
run "--help" 0 "$out" --help
for c in serve kiosk operator; do
  run "$c --help" 0 "$out" "$c" --help
done
run "no command" 2 "$out"
run "an unknown command" 2 "$out" frobnicate
run "kiosk with no action" 2 "$out" kiosk
run "kiosk add with a bad id" 2 "$out" kiosk add 'bom bo'
check "... names the id and the rule" contains "$out.err" '"bom bo" is not a valid kiosk id'
run "kiosk add --unit without a value" 2 "$out" kiosk add k --unit
check "... names the flag" contains "$out.err" "--unit needs a value"
run "serve --listen nonsense" 2 "$out" serve --listen nonsense
check "... names the flag and the value" contains "$out.err" '--listen: "nonsense" is not HOST:PORT'
run "serve --db mysql" 2 "$out" serve --db mysql://x/y
check "... names --db" contains "$out.err" '--db: "mysql://x/y" is not sqlite:PATH'
run "serve --rate 0" 2 "$out" serve --rate 0
run "init u.db" 0 "$out" init --db "sqlite:$tmp/u.db"
run "serve --tls-cert without --tls-key" 2 "$out" serve --listen 127.0.0.1:0 --tls-cert x.pem \
  --db "sqlite:$tmp/u.db"
check "... names the flag" contains "$out.err" "--tls-key"
rc=0
HAILONG_COLLECTOR_FAULTS=explode=1 "$bin" serve --db "sqlite:$tmp/u.db" >"$out" 2>&1 || rc=$?
same "a bad fault spec: exit code 2" "$rc" 2
check "... names the fault" contains "$out" 'unknown fault "explode"'
run "kiosk add on an unreachable database" 1 "$out" kiosk add k --db "sqlite:$tmp"

# ---- where the database is: --db or collector.conf; only init creates one ----
run "kiosk add on a missing database" 2 "$out" kiosk add k --db "sqlite:$tmp/missing.db"
check "... names the file and says how to create it" contains "$out.err" \
  "$tmp/missing.db: no such collector database; create it with \`hailong-collector init --db sqlite:$tmp/missing.db\` or check --db / collector.conf"
check "... and creates no file" bash -c "[ ! -e '$tmp/missing.db' ]"
run "kiosk list on a missing database" 2 "$out" kiosk list --db "sqlite:$tmp/missing.db"
run "operator add on a missing database" 2 "$out" operator add op --db "sqlite:$tmp/missing.db"
run "kiosk add in a missing folder" 2 "$out" kiosk add k --db sqlite:/nonexistent/dir/c.db
check "... says there is no such collector database" contains "$out.err" \
  "/nonexistent/dir/c.db: no such collector database"
run "serve on a missing database" 2 "$out" serve --listen 127.0.0.1:0 \
  --db "sqlite:$tmp/missing.db"
check "... names the file" contains "$out.err" "$tmp/missing.db: no such collector database"
check "... and creates no file" bash -c "[ ! -e '$tmp/missing.db' ]"
: >"$tmp/empty.db"
run "kiosk add on an empty file" 2 "$out" kiosk add k --db "sqlite:$tmp/empty.db"
check "... is not a collector database either" contains "$out.err" "no such collector database"
run "init in a missing folder" 1 "$out" init --db sqlite:/nonexistent/dir/c.db
check "... says it cannot open it" contains "$out.err" "cannot open the database"
rc=0 # no --db and no config file: nothing is guessed, not even a file in the current folder
(cd "$tmp" && HAILONG_COLLECTOR_CONF=$tmp/none.conf "$bin" kiosk add k >"$out" 2>"$out.err") ||
  rc=$?
same "kiosk add without --db or config: exit code 2" "$rc" 2
check "... says to pass --db or set db in the config" contains "$out.err" \
  "which database? Pass --db URL or set db = URL in $tmp/none.conf (no such file)"
check "... and creates no collector.db" bash -c "[ ! -e '$tmp/collector.db' ]"
HAILONG_COLLECTOR_CONF=$tmp/none.conf run "serve without --db or config" 2 "$out" serve
check "... says so" contains "$out.err" "Pass --db URL or set db = URL"
printf '# the collector\ndb = sqlite:%s/conf.db\n' "$tmp" >"$tmp/collector.conf"
HAILONG_COLLECTOR_CONF=$tmp/collector.conf run "init from the config file" 0 "$out" init
check "... creates the db it names" bash -c "[ -s '$tmp/conf.db' ]"
HAILONG_COLLECTOR_CONF=$tmp/collector.conf run "kiosk add from the config file" 0 "$out" \
  kiosk add conf-01
same "... is stored in the config's db" \
  "$(sqlite3 -batch "$tmp/conf.db" "SELECT count(*) FROM kiosks WHERE id = 'conf-01'")" 1
run "--config FILE" 0 "$out" kiosk list --config "$tmp/collector.conf"
check "... reads that file" contains "$out" conf-01
run "init of a second db" 0 "$out" init --db "sqlite:$tmp/other.db"
HAILONG_COLLECTOR_CONF=$tmp/collector.conf run "--db wins over the config" 0 "$out" \
  kiosk add other-01 --db "sqlite:$tmp/other.db"
same "... the kiosk is in --db's database" \
  "$(sqlite3 -batch "$tmp/other.db" "SELECT count(*) FROM kiosks WHERE id = 'other-01'")" 1
same "... not in the config's" \
  "$(sqlite3 -batch "$tmp/conf.db" "SELECT count(*) FROM kiosks WHERE id = 'other-01'")" 0
run "--config on a missing file" 2 "$out" kiosk list --config "$tmp/none.conf"
check "... names the flag and the file" contains "$out.err" "--config $tmp/none.conf: cannot read"
printf 'db = sqlite:%s/conf.db\nport = 80\n' "$tmp" >"$tmp/bad.conf"
run "a config with an unknown key" 2 "$out" kiosk list --config "$tmp/bad.conf"
check "... names the file, line and key" contains "$out.err" \
  "$tmp/bad.conf line 2: key \"port\" is not known"
printf '# no db here\n' >"$tmp/nodb.conf"
run "a config without db" 2 "$out" kiosk list --config "$tmp/nodb.conf"
check "... says so" contains "$out.err" "set db = URL in $tmp/nodb.conf (it has no db line)"
printf 'db = mysql://x\n' >"$tmp/my.conf"
run "a config with a bad db" 2 "$out" kiosk list --config "$tmp/my.conf"
check "... names the value and the file" contains "$out.err" \
  "--db: \"mysql://x\" is not sqlite:PATH or postgresql://USER@HOST/DATABASE; e.g. sqlite:/var/lib/hailong-collector/collector.db (db in $tmp/my.conf)"
# serve takes its settings from the same file (the packaged unit runs a bare `serve`): keys named
# as the flags, a flag on the command line winning over its key.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/conf-key.pem" -out "$tmp/conf-cert.pem" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
printf 'db = sqlite:%s/conf.db\nlisten = 127.0.0.1:0\ntls_cert = %s\ntls_key = %s\ntimeout = 5\nheader_timeout = 7\nrequest_timeout = 9\nmax_connections = 40\nmax_per_ip = 6\n' \
  "$tmp" "$tmp/conf-cert.pem" "$tmp/conf-key.pem" >"$tmp/serve.conf"
rm -f "$tmp/port"
"$bin" serve --config "$tmp/serve.conf" --port-file "$tmp/port" >"$tmp/conf-serve.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
if wait_port "serve from the config file" "$tmp/port" "$server_pid" "$tmp/conf-serve.log"; then
  same "serve from the config file: listen, tls_cert and tls_key (HTTPS /healthz)" \
    "$(curl -sS --cacert "$tmp/conf-cert.pem" "https://127.0.0.1:$(cat "$tmp/port")/healthz")" \
    '{"status":"ok"}'
fi
stop "$tmp/conf-serve.log"
check "... and the limits (max_connections, max_per_ip, timeout, header_timeout, request_timeout)" \
  contains "$tmp/conf-serve.log" \
  "limits: 40 connections (30 unfinished at most), 6 per address; idle 5 s, headers 7 s, request 9 s"
printf 'db = sqlite:%s/conf.db\nlisten = 127.0.0.1:99999\n' "$tmp" >"$tmp/listen.conf"
run "serve with a bad listen in the config" 2 "$out" serve --config "$tmp/listen.conf"
check "... names the key and the file" contains "$out.err" "listen in $tmp/listen.conf"
rm -f "$tmp/port"
"$bin" serve --config "$tmp/listen.conf" --listen 127.0.0.1:0 --port-file "$tmp/port" \
  >"$tmp/conf-flag.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
if wait_port "--listen over the config's listen" "$tmp/port" "$server_pid" "$tmp/conf-flag.log"; then
  same "--listen wins over the config's listen (plain HTTP /healthz)" \
    "$(curl -sS "http://127.0.0.1:$(cat "$tmp/port")/healthz")" '{"status":"ok"}'
fi
stop "$tmp/conf-flag.log"
printf 'db = sqlite:%s/conf.db\nrate = fast\n' "$tmp" >"$tmp/rate.conf"
run "serve with a bad rate in the config" 2 "$out" serve --config "$tmp/rate.conf"
check "... says the value came from the file" contains "$out.err" \
  "flags not on the command line are read from $tmp/rate.conf"
run "a config pointed at /dev/zero" 2 "$out" kiosk list --config /dev/zero
check "... refused with the limit, at once" contains "$out.err" \
  "--config /dev/zero: cannot read: larger than 256 KiB"
run "serve --tls-cert /dev/zero" 2 "$out" serve --db "sqlite:$tmp/conf.db" --listen 127.0.0.1:0 \
  --tls-cert /dev/zero --tls-key /dev/zero
check "... names the flag and the limit" contains "$out.err" "--tls-cert: /dev/zero: cannot read: larger than 1 MiB"
printf 'db = sqlite:%s/conf.db\ndb = sqlite:%s/other.db\n' "$tmp" "$tmp" >"$tmp/twice.conf"
run "a config that sets db twice" 2 "$out" kiosk list --config "$tmp/twice.conf"
check "... names the line" contains "$out.err" "$tmp/twice.conf line 2: db is set twice"

# ---- SQLite ----
kind=sqlite
dbfile=$tmp/collector.db
suite sqlite "sqlite:$dbfile"
same "sqlite: journal_mode" "$(sqlite3 -batch "$dbfile" 'PRAGMA journal_mode')" wal

# ---- the default rate limit lets a backlog drain: 40 batches at once, no 429 ----
run "default rate: kiosk add" 0 "$tmp/rate-token" kiosk add rate-01 --db "sqlite:$dbfile"
t_default=$(cat "$tmp/rate-token")
start "$tmp/default-rate.log" --db "sqlite:$dbfile"
codes=""
for i in $(seq 1 40); do
  send rate-01 "$t_default" "$(batch rate-01 40 "$(vote 40)")" 40
  [ "$code" = 200 ] || codes="$codes $i:$code"
done
same "the default rate (100/s, burst 200) takes 40 batches in a row" "$codes" ""
stop "$tmp/default-rate.log"

# ---- the fault switch (SQLite) ----
run "fault db: init" 0 "$tmp/ft" init --db "sqlite:$tmp/faults.db"
run "fault db: kiosk add" 0 "$tmp/ft" kiosk add f-01 --db "sqlite:$tmp/faults.db"
tf=$(cat "$tmp/ft")
kind=sqlite dbfile=$tmp/faults.db
HAILONG_COLLECTOR_FAULTS="status=503:1,retry-after=7,drop-after-commit=1" \
  start "$tmp/faults.log" --db "sqlite:$tmp/faults.db"
send f-01 "$tf" "$(batch f-01 1 "$(vote 1)")" 1
expect "fault status=503" 503 '"error":"fault injected: status 503"'
same "... with Retry-After: 7" "$(header Retry-After)" 7
same "... nothing stored" "$(sql 'SELECT count(*) FROM votes')" 0
send f-01 "$tf" "$(batch f-01 1 "$(vote 1)")" 1
same "fault drop-after-commit: no answer" "$code" curl-exit-52
same "... but committed" "$(sql 'SELECT count(*) FROM votes')" 1
send f-01 "$tf" "$(batch f-01 1 "$(vote 1)")" 1
expect "... the resend is a duplicate" 200 '"status":"duplicate"'
stop "$tmp/faults.log"
HAILONG_COLLECTOR_FAULTS="hang=1,hang-seconds=2" start "$tmp/hang.log" --db "sqlite:$tmp/faults.db"
send f-01 "$tf" "$(batch f-01 2 "$(vote 2)")" 2
same "fault hang: no answer" "$code" curl-exit-52
send f-01 "$tf" "$(batch f-01 2 "$(vote 2)")" 2
expect "... then the next request is served" 200 '"status":"accepted"'
stop "$tmp/hang.log"
# A batch that cannot be stored (as on a full disk): /healthz says so until one is stored again,
# where a read-only ping alone answered "ok" while every batch got 503.
HAILONG_COLLECTOR_FAULTS="store-fail=1" start "$tmp/store.log" --db "sqlite:$tmp/faults.db"
get /healthz
expect "fault store-fail: /healthz before" 200 '{"status":"ok"}'
send f-01 "$tf" "$(batch f-01 40 "$(vote 40)")" 40
expect "... the batch" 503 '"error":"database unavailable; retry later"'
get /healthz
expect "... /healthz after it" 503 'cannot store batches'
send f-01 "$tf" "$(batch f-01 40 "$(vote 40)")" 40
expect "... the resend is stored" 200 '"status":"accepted"'
get /healthz
expect "... /healthz again" 200 '{"status":"ok"}'
stop "$tmp/store.log"
HAILONG_COLLECTOR_FAULTS="kill-mid-request=1" start "$tmp/kill.log" --db "sqlite:$tmp/faults.db"
send f-01 "$tf" "$(batch f-01 3 "$(vote 3)")" 3
check "fault kill-mid-request: no answer" bash -c "[ '$code' != 200 ]"
rc=0
wait "$server_pid" || rc=$?
same "... the server exited with 9" "$rc" 9
same "... nothing stored" "$(sql "SELECT count(*) FROM votes WHERE seq = 3")" 0

# ---- slowloris: 64 connections from one address that never finish their request ----
# Each holds a connection (a thread); once they filled every slot, /healthz and the kiosks' batches
# failed for as long as it lasted. A client address may hold only --max-per-ip connections: the
# attacker (127.0.0.2) gets 8, and a kiosk (127.0.0.1) still gets through. Without the limit the
# same attack once shut the kiosk out; now the reserve (below) still lets it through.
cat >"$tmp/loris.py" <<'PY'
# loris.py: slow clients against the collector.
#   many PORT ADDRS PER_ADDR HOLD   PER_ADDR connections from each of 127.0.0.2 .. 127.0.0.(ADDRS+1)
#                                   that never finish their headers; "ready" once all are tried;
#                                   then one header line a second on each for HOLD seconds;
#                                   at the end "open N" (how many the server still held)
#   one PORT SRC HEADFILE MAXWAIT   one connection from SRC: HEADFILE's bytes, then one byte (a
#                                   header line's worth when HEADFILE does not end a header block)
#                                   a second until the server closes it or MAXWAIT s pass;
#                                   prints "closed" or "open"
import socket, sys, time

def conn(src, port):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(('127.0.0.1', port))
    return s

def closed(s):
    s.setblocking(False)
    try:
        d = s.recv(4096)
        return d == b''
    except BlockingIOError:
        return False
    except OSError:
        return True

mode = sys.argv[1]
port = int(sys.argv[2])
if mode == 'many':
    addrs, per, hold = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    socks = []
    for a in range(addrs):
        for _ in range(per):
            try:
                s = conn('127.0.0.%d' % (a + 2), port)
                s.sendall(b'POST /v1/kiosks/f-01/vote-batches HTTP/1.1\r\nHost: x\r\n')
                socks.append(s)
            except OSError:
                pass
    print('ready', flush=True)
    end = time.time() + hold
    while time.time() < end:  # one more header line now and then: never idle, never complete
        for s in socks:
            try:
                s.sendall(b'X-a: b\r\n')
            except OSError:
                pass
        time.sleep(1)
    print('open %d' % sum(1 for s in socks if not closed(s)), flush=True)
else:
    src, head, maxwait = sys.argv[3], open(sys.argv[4], 'rb').read(), float(sys.argv[5])
    s = conn(src, port)
    s.sendall(head)
    drip = b'x' if head.endswith(b'\r\n\r\n') else b'X-a: b\r\n'
    end = time.time() + maxwait
    while time.time() < end:
        time.sleep(1)
        if closed(s):
            print('closed', flush=True)
            sys.exit(0)
        try:
            s.sendall(drip)
        except OSError:
            print('closed', flush=True)
            sys.exit(0)
    print('open', flush=True)
PY
slowloris() { # PORT: 64 slow connections for 8 s in the background; returns once they are open
  python3 "$tmp/loris.py" many "$1" 1 64 8 >"$tmp/slowloris.out" 2>&1 &
  attacker=$!
  for _ in $(seq 100); do grep -q ready "$tmp/slowloris.out" && break; sleep 0.05; done
}
start "$tmp/loris0.log" --db "sqlite:$tmp/faults.db" --max-connections 32 --max-per-ip 0
slowloris "$port"
# Before the reserve of unfinished connections (below), this got no answer at all.
get_probe /healthz
expect "slowloris, no per-address limit: the reserve still lets /healthz through" 200
kill "$attacker" 2>/dev/null; wait "$attacker" 2>/dev/null || true
stop "$tmp/loris0.log"
start "$tmp/loris.log" --db "sqlite:$tmp/faults.db" --max-connections 32 --max-per-ip 8
slowloris "$port"
get_probe /healthz
expect "slowloris, --max-per-ip 8: /healthz answers" 200 '{"status":"ok"}'
send f-01 "$tf" "$(batch f-01 41 "$(vote 41)")" 41
expect "... and a kiosk's batch is stored" 200 '"status":"accepted"'
kill "$attacker" 2>/dev/null; wait "$attacker" 2>/dev/null || true
stop "$tmp/loris.log"
# The same from 8 addresses (127.0.0.2-9, 8 connections each, within --max-per-ip): 64 slow
# connections for 32 slots. Unfinished connections may hold at most 24 (3/4); each new one closes
# the oldest unfinished beyond that, so the other 8 stay free for requests that arrive whole.
start "$tmp/loris8.log" --db "sqlite:$tmp/faults.db" --max-connections 32 --max-per-ip 8
python3 "$tmp/loris.py" many "$port" 8 8 8 >"$tmp/loris8.out" 2>&1 &
attacker=$!
for _ in $(seq 200); do grep -q ready "$tmp/loris8.out" && break; sleep 0.05; done
get_probe /healthz
expect "slowloris from 8 addresses: /healthz answers" 200 '{"status":"ok"}'
send f-01 "$tf" "$(batch f-01 42 "$(vote 42)")" 42
expect "... and a kiosk's batch is stored" 200 '"status":"accepted"'
wait "$attacker" || true
open=$(sed -n 's/^open //p' "$tmp/loris8.out")
check "... the attackers kept at most 24 of 32 connections (they held ${open:-?})" \
  test "${open:-99}" -le 24
stop "$tmp/loris8.log"
check "... the log says oldest unfinished connections were closed" grep -qE \
  "connections closed: .* [1-9][0-9]* of the oldest unfinished for new ones \\(at most 24\\)" \
  "$tmp/loris8.log"

# ---- deadlines: headers, then body, however steadily they trickle ----
# --timeout counts inactivity only: one header line (or body byte) a second was never idle and
# held its connection as long as it went on. Each client here would go on for 60 s.
start "$tmp/deadline.log" --db "sqlite:$tmp/faults.db" --header-timeout 2 --request-timeout 3
printf 'POST /v1/kiosks/f-01/vote-batches HTTP/1.1\r\nHost: x\r\n' >"$tmp/head-part"
same "headers one line a second: closed by --header-timeout" \
  "$(python3 "$tmp/loris.py" one "$port" 127.0.0.3 "$tmp/head-part" 60)" closed
printf 'POST /v1/kiosks/f-01/vote-batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nIdempotency-Key: %s\r\nContent-Length: 100000\r\n\r\n' \
  "$tf" "$(batch_uuid 43)" >"$tmp/head-full"
same "a kiosk's body one byte a second: closed by --request-timeout" \
  "$(python3 "$tmp/loris.py" one "$port" 127.0.0.3 "$tmp/head-full" 60)" closed
printf 'POST /v1/kiosks/f-01/vote-batches HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n' \
  >"$tmp/head-anon"
same "an unauthenticated body one byte a second: closed too" \
  "$(python3 "$tmp/loris.py" one "$port" 127.0.0.3 "$tmp/head-anon" 60)" closed
get /healthz
expect "... and the server goes on" 200 '{"status":"ok"}'
send f-01 "$tf" "$(batch f-01 43 "$(vote 43)")" 43
expect "... a whole batch is stored" 200 '"status":"accepted"'
stop "$tmp/deadline.log"
check "... the log says why" contains "$tmp/deadline.log" \
  "connections closed: 1 without complete headers within 2 s"

# ---- a slow client is cut off ----
start "$tmp/slow.log" --db "sqlite:$tmp/faults.db" --timeout 1
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /v1/kiosks/f-01/vote-batches HTTP/1.1\r\nHost: x\r\n' >&3 # headers never end
rc=0
timeout 10 cat <&3 >/dev/null || rc=$?
exec 3<&-
same "a client that stalls is disconnected after --timeout" "$rc" 0
get /healthz
expect "... and the server goes on" 200
stop "$tmp/slow.log"

# ---- TLS ----
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
  scheme=https cacert=$tmp/cert.pem start "$tmp/tls.log" --db "sqlite:$tmp/faults.db" \
    --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
  cacert=$tmp/cert.pem get /healthz
  expect "TLS: /healthz over https" 200 '{"status":"ok"}'
  cacert=$tmp/cert.pem send f-01 "$tf" "$(batch f-01 4 "$(vote 4)")" 4
  expect "TLS: a batch over https" 200 '"status":"accepted"'
  stop "$tmp/tls.log"
  unset base
else
  echo "TLS part not run: openssl is missing" >&2
fi

# ---- IPv6 ----
if [ -e /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
  listen='[::1]:0' host='[::1]' start "$tmp/v6.log" --db "sqlite:$tmp/faults.db"
  get /healthz
  expect "IPv6: /healthz on [::1]" 200
  stop "$tmp/v6.log"
else
  echo "IPv6 part not run: no ::1 on this machine" >&2
fi

# ---- PostgreSQL ----
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  command -v psql >/dev/null || {
    bad "HL_TEST_PG_URL is set but psql is missing"
    HL_TEST_PG_URL=
  }
fi
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  # A schema of our own: the run starts empty even on a shared server.
  pg_schema=hl_test_$$_$RANDOM
  psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $pg_schema" >/dev/null
  kind=pg
  suite postgresql "$(pg_schema_url "$HL_TEST_PG_URL" "$pg_schema")"
else
  echo "PostgreSQL part not run: HL_TEST_PG_URL is not set" >&2
fi

finish
