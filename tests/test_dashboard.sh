#!/usr/bin/env bash
# test_dashboard: the collector's web dashboard over HTTP, against the real hailong-collector on
# 127.0.0.1 filled through its real protocol (tests/support/seed_collector.py): accounts
# (`user add|list|disable`), login with its CSRF pair, lock-out, sessions and logout, every page and
# download, each role's boundary (a commune's leader asking for another commune gets 403), the
# escaping of hostile names, the figures against the database, the minimum-count rule, periods.
# SQLite, and PostgreSQL when HL_TEST_PG_URL is set. The browser's view: tests/test_dashboard_ui.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bin=${HL_BIN_DIR:-$src/build/bin}/hailong-collector
need_tools test_dashboard curl sqlite3 python3 unzip
need_bins test_dashboard "$bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-dash.XXXXXX")
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

# run NAME WANT_RC ARGS... (stdin passed through): the real binary, its exit code checked; output
# in $tmp/run.out and $tmp/run.err.
run() {
  local name=$1 want=$2 rc=0; shift 2
  "$bin" "$@" >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$tmp/run.out" "$tmp/run.err" >&2
  else
    ok "$name: exit code $want"
  fi
}

# web JAR METHOD PATH [CURL ARGS...]: one request with cookie jar JAR; sets $code; the body in
# $tmp/resp, the headers in $tmp/hdr.
web() {
  local jar=$1 method=$2 path=$3; shift 3
  code=$(curl -sS -g --max-time 30 -o "$tmp/resp" -D "$tmp/hdr" -w '%{http_code}' \
    -b "$tmp/$jar.jar" -c "$tmp/$jar.jar" -X "$method" "$base$path" "$@" 2>"$tmp/curl.err") ||
    code="curl-exit-$?"
}
expect() {
  if [ "$code" = "$2" ] && { [ -z "${3:-}" ] || contains "$tmp/resp" "$3"; }; then
    ok "$1: $2"
  else
    bad "$1: got $code, expected $2${3:+ with '$3'}"
    head -c 2000 "$tmp/resp" | sed 's/^/    /' >&2 || true
  fi
}
header() { tr -d '\r' <"$tmp/hdr" | sed -n "s/^$1: //Ip" | head -1; }
cookie() { awk -v n="$2" '$6 == n {print $7}' "$tmp/$1.jar"; }
# login JAR USER PASSWORD: the login page (its CSRF cookie and field), then the form.
login() {
  web "$1" GET /dang-nhap
  local csrf
  csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/resp" | head -1)
  web "$1" POST /dang-nhap --data-urlencode "csrf=$csrf" --data-urlencode "user=$2" \
    --data-urlencode "password=$3"
}
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/resp" | head -1; }

start() {
  rm -f "$tmp/port"
  "$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$db" >"$tmp/serve.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_port server "$tmp/port" "$server_pid" "$tmp/serve.log" || exit 1
  base=http://127.0.0.1:$(cat "$tmp/port")
}
stop() {
  local rc=0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" || rc=$?
  same "server stopped with exit code 0" "$rc" 0
  no_sanitizer "server log" "$tmp/serve.log"
  # Every refusal above is an answer, not a failure: the log holds no error.
  check "no error in the server's log" bash -c "! grep ' error: ' '$tmp/serve.log'"
}

sql_sqlite() { sqlite3 -batch -noheader "$dbfile" "$1"; }
sql_pg() { PGOPTIONS="-c search_path=$pg_schema" psql -X -q -A -t "$HL_TEST_PG_URL" -c "$1"; }
sql() { if [ "$kind" = sqlite ]; then sql_sqlite "$1"; else sql_pg "$1"; fi; }
# The number as the dashboard writes it: 12.345.
vn_int() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|\.\)/\1.\2\3/;ta'; }

today=$(TZ=Asia/Ho_Chi_Minh date +%F)
from=$(TZ=Asia/Ho_Chi_Minh date -d "$today - 40 days" +%F)
range="from=$from&to=$today"
bombo='Xã Bom Bo'
bombo_q='X%C3%A3%20Bom%20Bo'
tanphu_q='Ph%C6%B0%E1%BB%9Dng%20T%C3%A2n%20Ph%C3%BA'

suite() {
  local label=$1
  db=$2
  echo "--- $label" >&2
  run "$label: init" 0 init --db "$db"
  local k
  for k in 'bombo-01:Xã Bom Bo' 'bombo-02:Xã Bom Bo' 'tanphu-01:Phường Tân Phú' \
    'locninh-01:Xã Lộc Ninh'; do
    run "$label: kiosk add ${k%%:*}" 0 kiosk add "${k%%:*}" --unit "${k#*:}" --db "$db"
    printf '%s' "$(cat "$tmp/run.out")" >"$tmp/tok.${k%%:*}"
  done

  # ---- accounts ----
  printf 'matkhau-tinh-123\n' | run "$label: user add province" 0 user add tinh --role province --db "$db"
  printf 'matkhau-xa-12345\n' | run "$label: user add commune" 0 user add bombo --role commune \
    --unit "$bombo" --db "$db"
  printf 'matkhau-canbo-12\n' | run "$label: user add officer" 0 user add canbo --role officer \
    --unit "$bombo" --officer cb-02 --db "$db"
  printf 'ngan\n' | run "$label: user add with a short password" 2 user add x --role province --db "$db"
  check "$label: ... says how long it must be" contains "$tmp/run.err" "10 to 128 characters"
  printf 'matkhau-dai-dai\n' | run "$label: user add commune without --unit" 2 user add x \
    --role commune --db "$db"
  check "$label: ... names --unit" contains "$tmp/run.err" "--unit"
  printf 'matkhau-dai-dai\n' | run "$label: user add with a bad role" 2 user add x --role xa --db "$db"
  printf 'matkhau-dai-dai\n' | run "$label: user add officer without --officer" 2 user add x \
    --role officer --unit "$bombo" --db "$db"
  run "$label: user list" 0 user list --db "$db"
  check "$label: ... shows the three, with roles and units" \
    grep -qE '^canbo +officer +active .* cb-02 +Xã Bom Bo$' "$tmp/run.out"
  check "$label: ... the province sees every unit" grep -qE '^tinh +province .*\(every unit\)$' "$tmp/run.out"
  same "$label: only an argon2id hash is stored" \
    "$(sql "SELECT count(*) FROM users WHERE pw_hash LIKE '\$argon2id\$%' AND pw_hash NOT LIKE '%matkhau%'")" 3

  # ---- votes through the real protocol ----
  start
  python3 "$src/tests/support/seed_collector.py" --url "$base" --votes 600 --days 30 --end "$today" \
    --hostile --kiosk "bombo-01:$(cat "$tmp/tok.bombo-01"):$bombo" \
    --kiosk "bombo-02:$(cat "$tmp/tok.bombo-02"):$bombo" \
    --kiosk "tanphu-01:$(cat "$tmp/tok.tanphu-01"):Phường Tân Phú" >"$tmp/seed.out" 2>&1 ||
    { bad "$label: seeding"; cat "$tmp/seed.out" >&2; }
  # Lộc Ninh: a few votes only (the minimum-count rule), from a kiosk before reason labels.
  python3 "$src/tests/support/seed_collector.py" --url "$base" --votes 12 --days 10 --end "$today" \
    --seed 5 --old-kiosk --desk 4 --kiosk "locninh-01:$(cat "$tmp/tok.locninh-01"):Xã Lộc Ninh" \
    >>"$tmp/seed.out" 2>&1 || { bad "$label: seeding Lộc Ninh"; cat "$tmp/seed.out" >&2; }

  # ---- signing in ----
  web anon GET /
  expect "$label: / without a session" 303
  same "$label: ... to the login page" "$(header Location)" /dang-nhap
  web anon GET "/xa?unit=$bombo_q"
  expect "$label: a commune page without a session" 303
  web anon GET "/tai/phieu.csv?$range"
  expect "$label: a download without a session" 303
  web anon GET /dang-nhap
  expect "$label: the login page" 200 'name="password"'
  check "$label: ... sets its CSRF cookie, HttpOnly, SameSite=Strict" \
    grep -qiE '^Set-Cookie: hl_login=[0-9a-f]{40}; Path=/; HttpOnly; SameSite=Strict' "$tmp/hdr"
  check "$label: ... a Content-Security-Policy without scripts" \
    grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'self'" "$tmp/hdr"
  web anon POST /dang-nhap --data 'user=tinh&password=matkhau-tinh-123'
  expect "$label: a login without the CSRF field" 403 "Trang đăng nhập đã cũ"
  web other POST /dang-nhap --data "csrf=$(cookie anon hl_login)&user=tinh&password=matkhau-tinh-123"
  expect "$label: a login with another browser's CSRF token" 403
  login tinh tinh sai-mat-khau-1
  expect "$label: a wrong password" 401 "Tên đăng nhập hoặc mật khẩu không đúng."
  login tinh ai-day matkhau-tinh-123
  expect "$label: an unknown user: the same answer" 401 "Tên đăng nhập hoặc mật khẩu không đúng."
  login tinh tinh matkhau-tinh-123
  expect "$label: the right password" 303
  same "$label: ... to /" "$(header Location)" /
  check "$label: ... a session cookie, HttpOnly, SameSite=Strict, not Secure over plain HTTP" \
    grep -qiE '^Set-Cookie: hl_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200$' \
    <(tr -d '\r' <"$tmp/hdr")
  same "$label: ... only its hash is stored" \
    "$(sql "SELECT count(*) FROM sessions WHERE id_hash = '$(printf '%s' "$(cookie tinh hl_session)" | sha256sum | cut -c1-64)'")" 1
  same "$label: ... and the failed logins are forgotten" \
    "$(sql "SELECT failed FROM users WHERE name = 'tinh'")" 0

  # ---- the province's overview ----
  web tinh GET "/?$range"
  expect "$label: the overview" 200 "các xã, phường"
  local u n
  for u in "Xã Bom Bo" "Phường Tân Phú" "Xã Lộc Ninh"; do
    check "$label: ... lists $u" contains "$tmp/resp" ">$u</a>"
  done
  n=$(sql "SELECT count(*) FROM votes WHERE misuse = 0")
  check "$label: ... counts every vote ($n)" contains "$tmp/resp" "<b>$(vn_int "$n")</b><span>phiếu được tính"
  check "$label: ... a rate with its 95 % interval" contains "$tmp/resp" "khoảng tin cậy 95"
  check "$label: ... Lộc Ninh (12 votes) is not ranked" \
    grep -qE '<tr class="low"><td>–</td><td class="name"><a href="/xa\?unit=X%C3%A3%20L%E1%BB%99c%20Ninh[^"]*">Xã Lộc Ninh</a>.*chưa đủ 30 phiếu' "$tmp/resp"
  check "$label: ... the trend chart is SVG drawn by the server" contains "$tmp/resp" '<svg class="chart"'
  check "$label: ... no script at all" bash -c "! grep -qi '<script' '$tmp/resp'"

  # ---- a commune ----
  web tinh GET "/xa?unit=$bombo_q&$range"
  expect "$label: Bom Bo's page" 200 "<h1>Xã Bom Bo</h1>"
  check "$label: ... the hostile officer's name is text" \
    contains "$tmp/resp" "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Hùng&quot;"
  check "$label: ... and the title too" contains "$tmp/resp" "&lt;b&gt;Trưởng&lt;/b&gt; &lt;img src=x"
  check "$label: ... nothing of theirs as markup" bash -c "! grep -qiE '<script|<img|<b>Tr' '$tmp/resp'"
  check "$label: ... reasons by their labels" contains "$tmp/resp" "Hướng dẫn chưa rõ ràng"
  check "$label: ... the hour x weekday map" contains "$tmp/resp" '<svg class="heat"'
  check "$label: ... its kiosks" contains "$tmp/resp" ">bombo-02"
  check "$label: ... titles and counters" contains "$tmp/resp" ">Quầy "
  n=$(sql "SELECT count(*) FROM votes v JOIN kiosks k ON k.id = v.kiosk_id WHERE k.unit = '$bombo' AND v.misuse = 0")
  check "$label: ... its count ($n)" contains "$tmp/resp" "<b>$(vn_int "$n")</b><span>phiếu được tính"
  web tinh GET "/xa?unit=X%C3%A3%20L%E1%BB%99c%20Ninh&$range"
  expect "$label: Lộc Ninh's page" 200
  check "$label: ... reasons without labels show their codes" contains "$tmp/resp" "(mã do máy gửi)"
  # Issue 13: a vote for the desk as a whole (the kiosk's "Không nhớ tên cán bộ", officer _desk).
  check "$label: ... the desk's votes named as the kiosk names them" \
    contains "$tmp/resp" 'Không nhớ tên cán bộ <span class="note">_desk</span>'
  same "$label: ... which are there" \
    "$(sql "SELECT count(*) > 0 FROM votes WHERE officer_code = '_desk'" | sed 's/^t$/1/')" 1
  web tinh GET "/xa?unit=$bombo_q&period=nd09-$(date -d "$today" +%Y)-Q1"
  expect "$label: a report period of Nghị định 09" 200 "Từ 15/12/"
  web tinh GET "/xa?unit=$bombo_q&from=2026-13-01&to=2026-12-01"
  expect "$label: a bad date" 400 "Khoảng ngày không hợp lệ"
  web tinh GET "/?period=2026-Q9"
  expect "$label: a bad period" 400 "Kỳ không hợp lệ"

  # ---- downloads ----
  web tinh GET "/tai/phieu.csv?$range"
  expect "$label: the votes as CSV" 200
  check "$label: ... UTF-8 with a BOM and Vietnamese headers" \
    bash -c "head -c 3 '$tmp/resp' | od -An -tx1 | grep -q 'ef bb bf' && head -1 '$tmp/resp' | grep -q '^.*Mã phiếu,Xã, phường\|^.*Mã phiếu,\"Xã, phường\"'"
  same "$label: ... one row per vote" "$(($(wc -l <"$tmp/resp") - 1))" "$(sql 'SELECT count(*) FROM votes')"
  check "$label: ... officers' names and reasons' labels" \
    bash -c "grep -q 'Chưa hài lòng' '$tmp/resp' && grep -q 'Chậm trễ' '$tmp/resp'"
  check "$label: ... a file name" grep -qi "^Content-Disposition: attachment; filename=\"hailong-phieu-$from-$today.csv\"" "$tmp/hdr"
  web tinh GET "/tai/tong-hop.xlsx?$range"
  expect "$label: the overview's table as XLSX" 200
  # Written in constant memory: the strings are inline in the sheet.
  unzip -p "$tmp/resp" xl/worksheets/sheet1.xml >"$tmp/strings.xml" 2>/dev/null || true
  check "$label: ... Vietnamese headers and units" \
    bash -c "grep -q 'Tỷ lệ hài lòng (máy đánh giá)' '$tmp/strings.xml' && grep -q 'Phường Tân Phú' '$tmp/strings.xml'"
  web tinh GET "/tai/tong-hop.csv?unit=$bombo_q&$range"
  expect "$label: a commune's table as CSV" 200 "Họ và tên"
  web tinh GET "/tai/khac.csv?$range"
  expect "$label: an unknown download" 404

  # ---- a commune's leader ----
  login bombo bombo matkhau-xa-12345
  expect "$label: the commune's leader signs in" 303
  web bombo GET /
  expect "$label: ... / takes them to their commune" 303
  same "$label: ... which is" "$(header Location)" "/xa?unit=$bombo_q"
  web bombo GET "/xa?unit=$bombo_q&$range"
  expect "$label: ... their page" 200 "<h1>Xã Bom Bo</h1>"
  check "$label: ... no link to the province" bash -c "! grep -q 'Toàn tỉnh' '$tmp/resp'"
  web bombo GET "/xa?unit=$tanphu_q&$range"
  expect "$label: ... another commune's page" 403 "chỉ xem được số liệu của đơn vị mình"
  web bombo GET "/tai/phieu.csv?unit=$tanphu_q&$range"
  expect "$label: ... another commune's CSV" 403
  web bombo GET "/tai/phieu.csv?$range"
  expect "$label: ... their own votes" 200
  same "$label: ... only theirs" "$(($(wc -l <"$tmp/resp") - 1))" \
    "$(sql "SELECT count(*) FROM votes v JOIN kiosks k ON k.id = v.kiosk_id WHERE k.unit = '$bombo'")"

  # ---- an officer ----
  login canbo canbo matkhau-canbo-12
  web canbo GET "/xa?unit=$bombo_q&$range"
  expect "$label: an officer's page" 200 "Kết quả của tôi"
  same "$label: ... only their own row" "$(grep -o '<span class="note">cb-0[0-9]</span>' "$tmp/resp" | sort -u)" \
    '<span class="note">cb-02</span>'
  web canbo GET "/tai/phieu.csv?$range"
  same "$label: ... only their own votes in the CSV" "$(($(wc -l <"$tmp/resp") - 1))" \
    "$(sql "SELECT count(*) FROM votes v JOIN kiosks k ON k.id = v.kiosk_id WHERE k.unit = '$bombo' AND v.officer_code = 'cb-02'")"

  # ---- logging out: a form with its CSRF token ----
  web bombo GET "/xa?unit=$bombo_q"
  local token
  token=$(csrf_of)
  web bombo POST /dang-xuat
  expect "$label: logout without the CSRF token" 403
  web bombo POST /dang-xuat --data "csrf=0000000000000000000000000000000000000000"
  expect "$label: logout with a wrong CSRF token" 403
  web bombo POST /dang-xuat --data "csrf=$token"
  expect "$label: logout" 303
  web bombo GET "/xa?unit=$bombo_q"
  expect "$label: ... the session is over" 303

  # ---- lock-out after 5 wrong passwords in a row ----
  local i
  for i in 1 2 3 4; do login lock canbo "sai-$i-matkhau"; done
  expect "$label: four wrong passwords" 401 "không đúng"
  login lock canbo sai-5-matkhau
  expect "$label: the fifth locks the account" 401 "tạm khóa"
  login lock canbo matkhau-canbo-12
  expect "$label: ... then even the right password waits" 429 "tạm khóa"
  check "$label: ... the log names the failures" grep -q 'failed login for "canbo" from 127.0.0.1' "$tmp/serve.log"
  web canbo GET "/xa?unit=$bombo_q"
  expect "$label: ... a session opened before the lock goes on" 200
  printf 'matkhau-canbo-12\n' | run "$label: user add again unlocks" 0 user add canbo --role officer \
    --unit "$bombo" --officer cb-02 --db "$db"
  login lock canbo matkhau-canbo-12
  expect "$label: ... and the right password works" 303

  # ---- disabling an account ends its sessions ----
  run "$label: user disable" 0 user disable canbo --db "$db"
  web canbo GET "/xa?unit=$bombo_q"
  expect "$label: ... its session is over at once" 303
  run "$label: user disable again" 2 user disable canbo --db "$db"

  web anon GET /static/app.css
  expect "$label: the style sheet" 200 "@font-face"
  web anon GET /static/noto-sans.ttf
  expect "$label: the font, built in" 200
  check "$label: ... a TrueType file" bash -c "head -c 4 '$tmp/resp' | od -An -tx1 | grep -q '00 01 00 00'"
  web anon GET /v1/summary
  expect "$label: the API is still the API" 401
  stop
}

kind=sqlite dbfile=$tmp/c.db suite sqlite "sqlite:$tmp/c.db"

if [ -n "${HL_TEST_PG_URL:-}" ]; then
  command -v psql >/dev/null || {
    bad "HL_TEST_PG_URL is set but psql is missing"
    HL_TEST_PG_URL=
  }
fi
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  pg_schema=hl_dash_$$_$RANDOM
  psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $pg_schema" >/dev/null
  kind=pg suite postgresql "$(pg_schema_url "$HL_TEST_PG_URL" "$pg_schema")"
else
  echo "PostgreSQL part not run: HL_TEST_PG_URL is not set" >&2
fi

finish
