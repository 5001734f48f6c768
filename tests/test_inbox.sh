#!/usr/bin/env bash
# test_inbox: the dashboard's feedback inbox (issue 12) over HTTP, against the real
# hailong-collector on 127.0.0.1, its items sent as kiosks send them (gzip'ed batches with a
# "feedback" array, tests/support/seed_collector.py --feedback): the list per role and filter, an
# item's page, contact data shown to the commune's own leader only (never to the province, another
# commune, the list, a download or the log), a citizen's HTML shown as text, state changes with
# and without the CSRF token, a backwards move refused with its message, overdue marks, erased
# contacts, officers refused, commendations per officer on the commune's page.
# SQLite, and PostgreSQL when HL_TEST_PG_URL is set (scripts/pg-test.sh).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bin=${HL_BIN_DIR:-$src/build/bin}/hailong-collector
need_tools test_inbox curl sqlite3 python3 pdftotext
need_bins test_inbox "$bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-inbox.XXXXXX")
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

run() {
  local name=$1 want=$2 rc=0; shift 2
  "$bin" "$@" >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$tmp/run.out" "$tmp/run.err" >&2
  fi
}
# web JAR METHOD PATH [CURL ARGS...]: sets $code; the body in $tmp/resp, the headers in $tmp/hdr.
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
has() { check "$1" contains "$tmp/resp" "$2"; }
hasnt() { check "$1" bash -c "! grep -qF -- \"\$1\" '$tmp/resp'" _ "$2"; }
header() { tr -d '\r' <"$tmp/hdr" | sed -n "s/^$1: //Ip" | head -1; }
login() {
  web "$1" GET /dang-nhap
  local csrf
  csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/resp" | head -1)
  web "$1" POST /dang-nhap --data-urlencode "csrf=$csrf" --data-urlencode "user=$2" \
    --data-urlencode "password=$3"
  expect "$label: $2 signs in" 303
}
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/resp" | head -1; }
links() { grep -o 'href="/hop-thu/[0-9a-f-]*"' "$tmp/resp" | sort -u | wc -l; }

sql_sqlite() { sqlite3 -batch -noheader "$dbfile" "$1"; }
sql_pg() { PGOPTIONS="-c search_path=$pg_schema" psql -X -q -A -t "$HL_TEST_PG_URL" -c "$1"; }
sql() { if [ "$kind" = sqlite ]; then sql_sqlite "$1"; else sql_pg "$1"; fi; }

today=$(TZ=Asia/Ho_Chi_Minh date +%F)
yesterday=$(TZ=Asia/Ho_Chi_Minh date -d "$today - 1 day" +%F)
yesterday_vn=$(TZ=Asia/Ho_Chi_Minh date -d "$today - 1 day" +%d/%m/%Y)
from=$(TZ=Asia/Ho_Chi_Minh date -d "$today - 30 days" +%F)
range="from=$from&to=$today"
bombo='Xã Bom Bo'
bombo_q='X%C3%A3%20Bom%20Bo'
tanphu_q='Ph%C6%B0%E1%BB%9Dng%20T%C3%A2n%20Ph%C3%BA'

suite() {
  label=$1
  db=$2
  echo "--- $label" >&2
  run "$label: init" 0 init --db "$db"
  local k
  for k in 'bombo-01:Xã Bom Bo' 'tanphu-01:Phường Tân Phú'; do
    run "$label: kiosk add ${k%%:*}" 0 kiosk add "${k%%:*}" --unit "${k#*:}" --db "$db"
    printf '%s' "$(cat "$tmp/run.out")" >"$tmp/tok.${k%%:*}"
  done
  printf 'matkhau-tinh-123\n' | run "$label: user add province" 0 user add tinh --role province --db "$db"
  printf 'matkhau-xa-12345\n' | run "$label: user add commune" 0 user add bombo --role commune \
    --unit "$bombo" --db "$db"
  printf 'matkhau-xa-12345\n' | run "$label: user add another commune" 0 user add tanphu \
    --role commune --unit "Phường Tân Phú" --db "$db"
  printf 'matkhau-canbo-12\n' | run "$label: user add officer" 0 user add canbo --role officer \
    --unit "$bombo" --officer cb-02 --db "$db"

  rm -f "$tmp/port"
  "$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$db" >"$tmp/serve.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_port server "$tmp/port" "$server_pid" "$tmp/serve.log" || exit 1
  base=http://127.0.0.1:$(cat "$tmp/port")

  python3 "$src/tests/support/seed_collector.py" --url "$base" --votes 120 --days 10 \
    --end "$today" --hostile --feedback 9 \
    --kiosk "bombo-01:$(cat "$tmp/tok.bombo-01"):$bombo" \
    --kiosk "tanphu-01:$(cat "$tmp/tok.tanphu-01"):Phường Tân Phú" >"$tmp/seed.out" 2>&1 ||
    { bad "$label: seeding"; cat "$tmp/seed.out" >&2; }
  same "$label: 18 items stored through the real protocol" "$(sql 'SELECT count(*) FROM feedback')" 18
  same "$label: ... contacts only with consent" \
    "$(sql "SELECT count(*) FROM feedback WHERE contact_phone LIKE '0913%' AND consent = 1")" 10
  # The hostile item: Bom Bo's first, with consent, a contact, a vote before it.
  local id id8 phone other
  id=$(sql "SELECT uuid FROM feedback WHERE kiosk_id = 'bombo-01' AND seq = 1")
  id8=${id:0:8}
  phone=$(sql "SELECT contact_phone FROM feedback WHERE uuid = '$id'")
  same "$label: ... its phone" "$phone" 0913000000
  other=$(sql "SELECT uuid FROM feedback WHERE kiosk_id = 'tanphu-01' AND seq = 1")

  login tinh tinh matkhau-tinh-123
  login bombo bombo matkhau-xa-12345
  login tanphu tanphu matkhau-xa-12345
  login canbo canbo matkhau-canbo-12

  # ---- who may see the inbox ----
  web anon GET /hop-thu
  expect "$label: the inbox without a session" 303
  web anon POST "/hop-thu/$id" --data "trang-thai=dong"
  expect "$label: a change without a session" 403
  web canbo GET /hop-thu
  expect "$label: an officer: no inbox" 403 "Hộp thư góp ý chỉ dành cho lãnh đạo"
  web canbo GET "/hop-thu/$id"
  expect "$label: ... nor an item" 403
  hasnt "$label: ... nor its phone" "$phone"
  web canbo GET "/xa?unit=$bombo_q"
  hasnt "$label: ... and no link to it" 'href="/hop-thu"'

  # ---- the list ----
  web bombo GET "/xa?unit=$bombo_q&$range"
  has "$label: the commune's page links to the inbox" '<a href="/hop-thu">Hộp thư góp ý <span class="count"'
  web bombo GET /hop-thu
  expect "$label: the commune's inbox" 200 "<h1>Hộp thư góp ý – Xã Bom Bo</h1>"
  has "$label: ... the navigation counts its new items" '<a href="/hop-thu">Hộp thư góp ý <span class="count" title="9 ý kiến mới chưa xử lý">9 mới</span></a>'

  same "$label: ... its 9 items" "$(links)" 9
  hasnt "$label: ... none of Tân Phú's" "${other:0:8}"
  has "$label: ... short ids" ">$id8</a>"
  has "$label: ... kinds in words" "Phản ánh – kiến nghị"
  has "$label: ... states as badges" '<span class="badge st-moi">Mới</span>'
  has "$label: ... the citizen's HTML as text" "&lt;script&gt;alert(&#39;hộp thư&#39;)&lt;/script&gt; &amp; &quot;Lan&quot;"
  hasnt "$label: ... never as markup" "<script"
  hasnt "$label: ... no phone in the list" "0913"
  check "$label: ... newest first" bash -c "grep -o 'href=\"/hop-thu/[0-9a-f-]*\"' '$tmp/resp' | head -1 | grep -q \
    \"\$(printf '%s' \"\$1\" | cut -c1-8)\"" _ \
    "$(sql "SELECT uuid FROM feedback WHERE unit = '$bombo' ORDER BY received_at DESC, uuid LIMIT 1")"
  web bombo GET "/hop-thu?unit=$tanphu_q"
  expect "$label: ... another commune's inbox" 403
  web tinh GET /hop-thu
  expect "$label: the province's inbox" 200
  has "$label: ... every unit's new items counted" '>18 mới</span>' 
  same "$label: ... every unit's items" "$(links)" 18
  has "$label: ... a unit filter" '<option value="Phường Tân Phú">'
  hasnt "$label: ... no phone" "0913"
  web tinh GET "/hop-thu?unit=$tanphu_q"
  same "$label: ... one unit" "$(links)" 9
  web tinh GET "/hop-thu?loai=bieu-duong"
  same "$label: ... by kind" "$(links)" "$(sql "SELECT count(*) FROM feedback WHERE kind = 'bieu-duong'")"
  hasnt "$label: ... only that kind" '>Góp ý</td>'
  web tinh GET "/hop-thu?trang-thai=dong"
  same "$label: ... by state: none closed yet" "$(links)" 0
  has "$label: ... says so" "Chưa có ý kiến nào theo bộ lọc này."
  web tinh GET "/hop-thu?trang-thai=xoa"
  expect "$label: ... a bad filter" 400 "Bộ lọc không hợp lệ"

  # ---- an item ----
  web bombo GET "/hop-thu/$id"
  expect "$label: the item, for its commune's leader" 200 "Người xử lý"
  has "$label: ... the contact" "$phone"
  has "$label: ... the contact's name" "$(sql "SELECT contact_name FROM feedback WHERE uuid = '$id'")"
  has "$label: ... the full text, escaped" "&lt;b&gt;đậm&lt;/b&gt;"$'\n'"Dòng thứ hai của ý kiến."
  hasnt "$label: ... never as markup" "<script"
  has "$label: ... the vote it follows" "Sau lượt đánh giá</dt><dd>$(sql "SELECT CASE rating WHEN 3 THEN 'Rất hài lòng' WHEN 2 THEN 'Hài lòng' ELSE 'Chưa hài lòng' END FROM votes WHERE uuid = (SELECT vote_uuid FROM feedback WHERE uuid = '$id')") lúc"
  has "$label: ... its log: received" "Nhận từ máy đánh giá"
  has "$label: ... only forward moves offered" '<option value="moi" selected>Mới (giữ nguyên)</option><option value="dang-xu-ly">'
  web bombo GET "/hop-thu/$id8"
  expect "$label: ... by its short id" 200 "$id"
  web tinh GET "/hop-thu/$id"
  expect "$label: the item, for the province" 200 "Có thông tin liên hệ (chỉ lãnh đạo xã xem được)"
  hasnt "$label: ... without the phone" "$phone"
  hasnt "$label: ... without any contact" "0913"
  web tanphu GET "/hop-thu/$id"
  expect "$label: another commune's item" 403
  hasnt "$label: ... without the phone" "$phone"
  web bombo GET "/hop-thu/$other"
  expect "$label: ... either way" 403
  web bombo GET /hop-thu/0123456789abcdef
  expect "$label: an unknown item" 404 "Không có ý kiến này"

  # ---- changing it: a form with the CSRF token ----
  web bombo GET "/hop-thu/$id"
  local token
  token=$(csrf_of)
  web bombo POST "/hop-thu/$id" --data "trang-thai=dang-xu-ly"
  expect "$label: a change without the CSRF token" 403 "mã chống giả mạo"
  web bombo POST "/hop-thu/$id" --data "csrf=0000000000000000000000000000000000000000&trang-thai=dang-xu-ly"
  expect "$label: ... with a wrong one" 403
  web canbo POST "/hop-thu/$id" --data "csrf=$token&trang-thai=dang-xu-ly"
  expect "$label: ... by an officer" 403
  same "$label: ... nothing changed" "$(sql "SELECT state FROM feedback WHERE uuid = '$id'")" moi
  web bombo POST "/hop-thu/$id" --data-urlencode "csrf=$token" --data-urlencode "trang-thai=dang-xu-ly" \
    --data-urlencode "nguoi-xu-ly=Chị Lan <b>" --data-urlencode "han=$yesterday" \
    --data-urlencode "ghi-chu=Đã gọi điện, hẹn thứ Hai"
  expect "$label: a change with the token" 303
  same "$label: ... back to the item" "$(header Location)" "/hop-thu/$id?da-luu=1"
  same "$label: ... stored" "$(sql "SELECT state || '|' || handler FROM feedback WHERE uuid = '$id'")" \
    "dang-xu-ly|Chị Lan <b>"
  web bombo GET "/hop-thu/$id?da-luu=1"
  has "$label: ... says so" "Đã lưu thay đổi."
  has "$label: ... the log in words" "Chuyển sang “Đang xử lý”; giao cho Chị Lan &lt;b&gt;; hạn xử lý $yesterday_vn"
  has "$label: ... with the note" "Đã gọi điện, hẹn thứ Hai"
  has "$label: ... and who" '<td class="name" data-l="Người">bombo</td>'
  has "$label: ... due yesterday: overdue" "$yesterday_vn <span class=\"late\">Quá hạn</span>"
  web bombo GET /hop-thu
  has "$label: ... overdue in the list too" '<span class="late">Quá hạn</span>'
  has "$label: ... counted" '<span class="late">1 quá hạn</span>'
  web bombo POST "/hop-thu/$id" --data "csrf=$token&trang-thai=da-tra-loi"
  expect "$label: answered" 303
  web bombo GET "/hop-thu/$id"
  hasnt "$label: ... no longer overdue" "Quá hạn"
  web bombo POST "/hop-thu/$id" --data "csrf=$token&trang-thai=moi"
  expect "$label: a move back is refused" 409 "Không chuyển được ý kiến từ “Đã trả lời” về “Mới”"
  same "$label: ... nothing changed" "$(sql "SELECT state FROM feedback WHERE uuid = '$id'")" da-tra-loi
  web bombo POST "/hop-thu/$id" --data "csrf=$token&trang-thai=dong"
  expect "$label: closed" 303
  web bombo GET "/hop-thu/$id"
  has "$label: ... may be reopened" '<option value="dang-xu-ly">Đang xử lý (mở lại)</option>'
  hasnt "$label: ... but not made new" '<option value="moi"'
  web bombo POST "/hop-thu/$id" --data "csrf=$token&trang-thai=dang-xu-ly&ghi-chu=M%E1%BB%9F%20l%E1%BA%A1i"
  expect "$label: ... reopened" 303
  same "$label: ... five lines in its log" "$(sql "SELECT count(*) FROM feedback_log WHERE uuid = '$id'")" 5
  web bombo POST "/hop-thu/$id" --data "csrf=$token&han=2026-02-31"
  expect "$label: a bad due date" 400 "Hạn xử lý không hợp lệ"

  # ---- the Chairman's letter from the item's page ----
  web bombo GET "/hop-thu/$id"
  has "$label: the leader gets the letter form" "Tạo thư (PDF)"
  token=$(csrf_of)
  web tinh GET "/hop-thu/$id"
  hasnt "$label: ... the province does not" "Tạo thư (PDF)"
  local ltr=(--data-urlencode "csrf=$token" --data-urlencode "loai=xin-loi" --data-urlencode "danh-xung=Bà"
    --data-urlencode "tom-tat=việc hẹn trả kết quả nhiều lần")
  web bombo POST "/hop-thu/$id/thu" "${ltr[@]}" --data-urlencode "bien-phap=trả kết quả ngay trong ngày"
  expect "$label: ... no letterhead yet" 409 "Chưa có tiêu đề văn bản của xã"
  run "$label: unit set" 0 unit set "$bombo" --body "XÃ BOM BO" --place "Bom Bo" --chairman "Điểu Văn Lợi" --db "$db"
  web bombo POST "/hop-thu/$id/thu" "${ltr[@]}"
  expect "$label: ... an apology needs its measures" 400 "biện pháp"
  web bombo POST "/hop-thu/$id/thu" --data-urlencode "csrf=0000" --data-urlencode "loai=xin-loi"
  expect "$label: ... refused without the CSRF token" 403
  web tinh POST "/hop-thu/$id/thu" "${ltr[@]}" --data-urlencode "bien-phap=x"
  expect "$label: ... refused to the province" 403
  web bombo POST "/hop-thu/$id/thu" "${ltr[@]}" --data-urlencode "bien-phap=trả kết quả ngay trong ngày"
  expect "$label: the letter" 200
  same "$label: ... a PDF" "$(header Content-Type)" "application/pdf"
  pdftotext -layout "$tmp/resp" "$tmp/letter.txt" 2>/dev/null || true
  check "$label: ... the Quốc hiệu" contains "$tmp/letter.txt" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
  check "$label: ... to the citizen by name" contains "$tmp/letter.txt" \
    "Kính gửi: Bà $(sql "SELECT contact_name FROM feedback WHERE uuid = '$id'")"
  check "$label: ... numbered in the register" contains "$tmp/letter.txt" "Số: 01/TXL-UBND"
  check "$label: ... signed by the Chairman" contains "$tmp/letter.txt" "Điểu Văn Lợi"
  same "$label: ... registered" "$(sql "SELECT number || ' ' || kind || ' ' || created_by FROM letters")" "1 xin-loi bombo"
  web bombo GET "/hop-thu/$id"
  has "$label: ... and in the item's log" "Thư xin lỗi số 01/TXL-UBND"
  local anon
  anon=$(sql "SELECT uuid FROM feedback WHERE unit = '$bombo' AND consent = 0 LIMIT 1")
  web bombo GET "/hop-thu/$anon"
  has "$label: an anonymous item: no letter" "Không gửi thư được"
  web bombo POST "/hop-thu/$anon/thu" --data-urlencode "csrf=$token" --data-urlencode "loai=cam-on" \
    --data-urlencode "danh-xung=Ông/Bà" --data-urlencode "tom-tat=x"
  expect "$label: ... refused if asked" 409 "không để lại họ tên"

  # ---- contact data erased when its retention ended ----
  sql "UPDATE feedback SET contact_name = '', contact_phone = '', contact_address = '', contact_erased_at = $(($(date +%s) * 1000)) WHERE uuid = '$id'" >/dev/null
  web bombo GET "/hop-thu/$id"
  has "$label: an erased contact says so" "Thông tin liên hệ đã được xoá theo thời hạn lưu trữ (ngày $(TZ=Asia/Ho_Chi_Minh date +%d/%m/%Y))"
  web tinh GET "/hop-thu/$id"
  has "$label: ... to the province too" "Thông tin liên hệ đã được xoá theo thời hạn lưu trữ"
  has "$label: the item taken in hand is no longer counted new" '>17 mới</span>' 

  # ---- contact data nowhere else ----
  local page
  for page in "/xa?unit=$bombo_q&$range" "/tai/phieu.csv?$range" "/tai/tong-hop.csv?$range" \
    "/tai/phieu.xlsx?$range"; do
    web bombo GET "$page"
    hasnt "$label: no contact in $page" "0913"
  done
  check "$label: no contact in the server's log" bash -c "! grep -q 0913 '$tmp/serve.log'"

  # ---- commendations per officer on the commune's page ----
  web bombo GET "/xa?unit=$bombo_q&$range"
  has "$label: a commendations column" "<th>Biểu dương</th>"
  local code n
  read -r code n < <(sql "SELECT f.officer_code || ' ' || count(*) FROM feedback f WHERE f.unit = '$bombo' AND f.kind = 'bieu-duong' AND EXISTS (SELECT 1 FROM votes v WHERE v.officer_code = f.officer_code AND v.kiosk_id = 'bombo-01') GROUP BY f.officer_code ORDER BY count(*) DESC, f.officer_code LIMIT 1")
  check "$label: ... $code has $n" grep -qP "<span class=\"note\">$code</span>(?:(?!</tr>).)*<td class=\"praise\">$n</td></tr>" "$tmp/resp"
  same "$label: ... and the column adds up" \
    "$(grep -oP '<td class="praise">\K[0-9]+' "$tmp/resp" | awk '{ s += $1 } END { print s + 0 }')" \
    "$(sql "SELECT count(*) FROM feedback f WHERE f.unit = '$bombo' AND f.kind = 'bieu-duong' AND f.officer_code IN (SELECT DISTINCT officer_code FROM votes WHERE kiosk_id = 'bombo-01')")"

  kill -TERM "$server_pid" 2>/dev/null || true
  local rc=0
  wait "$server_pid" || rc=$?
  same "$label: server stopped with exit code 0" "$rc" 0
  no_sanitizer "$label: server log" "$tmp/serve.log"
  check "$label: no error in the server's log" bash -c "! grep ' error: ' '$tmp/serve.log'"
}

kind=sqlite dbfile=$tmp/c.db suite sqlite "sqlite:$tmp/c.db"

if [ -n "${HL_TEST_PG_URL:-}" ]; then
  pg_schema=hl_inbox_$$_$RANDOM
  psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $pg_schema" >/dev/null
  kind=pg suite postgresql "$(pg_schema_url "$HL_TEST_PG_URL" "$pg_schema")"
else
  echo "PostgreSQL part not run: HL_TEST_PG_URL is not set" >&2
fi

finish
