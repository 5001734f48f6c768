#!/usr/bin/env bash
# test_feedback_e2e: a citizen's complaint from the kiosk's screen to the Chairman's letter, with
# the real programs, on SQLite and on PostgreSQL: the real hailong-kiosk (headless, scripted taps
# and typing on its on-screen keyboard, --sync) votes "Chưa hài lòng", offers the form, the
# citizen types a complaint, agrees to leave a name and a phone number, sends; a second citizen
# sends a suggestion and declines. The real hailong-collector on 127.0.0.1 receives both in the
# kiosk's batches; then its commands: the inbox, state changes (a backwards one refused), the
# letter (pdftotext: the Quốc hiệu, the citizen's name with its diacritics, the date line;
# pdffonts: every font embedded), the refusal for the anonymous item, the register as XLSX, and
# the contact data erased when its retention ends. Both databases are read afterwards: no contact
# byte of the citizen who declined, anywhere.
#
# PostgreSQL: HL_TEST_PG_URL (scripts/test.sh sets it); without it that half is skipped, loudly.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bindir=${HL_BIN_DIR:-$src/build/bin}
kbin=$bindir/hailong-kiosk
cbin=$bindir/hailong-collector
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
unset HAILONG_COLLECTOR_FAULTS http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
need_tools test_feedback_e2e sqlite3 pdftotext pdffonts pdfinfo python3 timeout
need_bins test_feedback_e2e "$kbin" "$cbin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-fb-e2e.XXXXXX")
pids=()
pg_schema=
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "$pg_schema" ]; then
    psql -X -q "$HL_TEST_PG_URL" -c "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1 ||
      true
  fi
  [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

NAME='Nguyễn Thị Hường'
PHONE='0912345678'
COMPLAINT='Chờ quá lâu, cán bộ hẹn ba lần'
SUGGESTION='Nên có thêm ghế chờ'

# run NAME WANT_RC ARGS...: the collector's command, its output in $tmp/run.out(.err).
run() {
  local name=$1 want=$2 rc=0
  shift 2
  "$cbin" "$@" >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$tmp/run.out" "$tmp/run.err" >&2
  else
    ok "$name: exit code $want"
  fi
}
csql() {
  if [ "$kind" = sqlite ]; then
    sqlite3 -batch -noheader -separator '|' "$dbfile" "$1"
  else
    PGOPTIONS="-c search_path=$pg_schema" psql -X -q -A -t -F '|' "$HL_TEST_PG_URL" -c "$1"
  fi
}
ksql() { sqlite3 -batch -noheader -separator '|' "$kdata/votes.db" "$1"; }

# The kiosk's script: a citizen votes "Chưa hài lòng" for the first officer, takes the apology
# screen's offer, types the complaint on the on-screen keyboard, agrees, leaves a name and phone,
# sends; a second citizen opens "Góp ý – Phản ánh" from Home, types a suggestion, declines.
kiosk_script() {
  cat <<EOF
expect home
tap rate
tap officer-tp-hung
tap rate-1
tap skip
expect thanks
tap more
expect fb-text
type $COMPLAINT
tap send
expect fb-consent
tap consent-yes
expect fb-contact
type $NAME
tap field-phone
type $PHONE
tap send
expect thanks
tap done
expect home
tap feedback
expect fb-kind
tap kind-gop-y
expect fb-officer
tap officer-none
expect fb-text
type $SUGGESTION
tap send
expect fb-consent
tap consent-no
expect thanks
tap done
sync-wait 30
quit
EOF
}

suite() {
  label=$1
  db=$2
  echo "--- $label" >&2
  run "$label: init" 0 init --db "$db"
  run "$label: kiosk add" 0 kiosk add bombo-01 --unit "UBND xã Bom Bo" --db "$db"
  cp "$tmp/run.out" "$tmp/token"
  run "$label: unit set" 0 unit set "UBND xã Bom Bo" --body "XÃ BOM BO" --place "Bom Bo" \
    --chairman "Điểu Văn Lợi" --db "$db"

  rm -f "$tmp/port"
  timeout 300 "$cbin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$db" \
    >"$tmp/serve-$label.log" 2>&1 &
  local spid=$!
  pids+=("$spid")
  wait_port "$label: collector" "$tmp/port" "$spid" "$tmp/serve-$label.log" || return 1

  kdata=$tmp/kiosk-$label
  kiosk_ini "$tmp/k-$label.ini" bombo-01 "$kdata" "http://127.0.0.1:$(cat "$tmp/port")" \
    "$tmp/token"
  kiosk_script >"$tmp/fb-$label.script"
  local rc=0
  timeout 120 "$kbin" --config "$tmp/k-$label.ini" --script "$tmp/fb-$label.script" --sync \
    >"$tmp/kiosk-$label.log" 2>&1 || rc=$?
  same "$label: the kiosk ran the script" "$rc" 0
  [ "$rc" -eq 0 ] || tail -20 "$tmp/kiosk-$label.log" | sed 's/^/    /' >&2
  no_sanitizer "$label: kiosk" "$tmp/kiosk-$label.log"

  # ---- the kiosk's side ----
  same "$label: the kiosk stored both items" "$(ksql 'SELECT count(*) FROM feedback')" 2
  same "$label: ... the complaint as typed, NFC, linked to the unhappy vote" \
    "$(ksql "SELECT f.kind || '|' || f.body || '|' || v.rating FROM feedback f JOIN votes v ON v.uuid = f.vote_uuid")" \
    "phan-anh|$COMPLAINT|1"
  same "$label: ... both sent" "$(ksql "SELECT count(*) FROM feedback WHERE sync_state = 'sent'")" 2
  same "$label: ... and no contact kept on the kiosk once sent" \
    "$(ksql 'SELECT count(*) FROM feedback WHERE contact_name IS NOT NULL OR contact_phone IS NOT NULL')" 0

  # ---- the collector's side ----
  local id anon
  id=$(csql "SELECT uuid FROM feedback WHERE kind = 'phan-anh'")
  anon=$(csql "SELECT uuid FROM feedback WHERE kind = 'gop-y'")
  same "$label: the collector holds the complaint with the consented contact" \
    "$(csql "SELECT body || '|' || consent || '|' || contact_name || '|' || contact_phone || '|' || state FROM feedback WHERE uuid = '$id'")" \
    "$COMPLAINT|1|$NAME|$PHONE|moi"
  same "$label: ... the suggestion, anonymous, without a contact byte" \
    "$(csql "SELECT body || '|' || consent || '|' || length(contact_name || contact_phone || contact_address) FROM feedback WHERE uuid = '$anon'")" \
    "$SUGGESTION|0|0"
  same "$label: ... the vote it follows is there too" \
    "$(csql "SELECT rating FROM votes WHERE uuid = (SELECT vote_uuid FROM feedback WHERE uuid = '$id')")" 1

  # ---- the inbox by command ----
  run "$label: feedback list" 0 feedback list --db "$db"
  check "$label: ... lists the complaint" contains "$tmp/run.out" "${id:0:8}"
  check "$label: ... and the suggestion" contains "$tmp/run.out" "$SUGGESTION"
  check "$label: ... never a contact" bash -c "! grep -q '$PHONE' '$tmp/run.out'"
  run "$label: feedback show" 0 feedback show "${id:0:8}" --db "$db"
  check "$label: ... without --contact, no phone" bash -c "! grep -q '$PHONE' '$tmp/run.out'"
  check "$label: ... says there is one" contains "$tmp/run.out" "Liên hệ:       có"
  run "$label: feedback contact" 0 feedback contact "${id:0:8}" --db "$db"
  check "$label: ... the name with its diacritics" contains "$tmp/run.out" "$NAME"
  run "$label: to dang-xu-ly" 0 feedback set "${id:0:8}" --by chu-tich --state dang-xu-ly \
    --handler "Văn phòng" --note "Giao văn phòng xác minh" --db "$db"
  run "$label: back to moi: refused" 2 feedback set "${id:0:8}" --by chu-tich --state moi --db "$db"
  check "$label: ... saying why" contains "$tmp/run.err" "it can move only forward"
  run "$label: a due date" 0 feedback set "${id:0:8}" --by chu-tich --due 2026-12-20 --db "$db"
  run "$label: ... shown" 0 feedback show "${id:0:8}" --db "$db"
  check "$label: ... as that day" contains "$tmp/run.out" "Hạn xử lý:     2026-12-20"
  run "$label: a day that does not exist" 2 feedback set "${id:0:8}" --by x --due 2026-02-31 --db "$db"
  run "$label: to da-tra-loi" 0 feedback set "${id:0:8}" --by chu-tich --state da-tra-loi --db "$db"
  same "$label: ... stored" "$(csql "SELECT state || '|' || handler FROM feedback WHERE uuid = '$id'")" \
    "da-tra-loi|Văn phòng"
  same "$label: ... logged" "$(csql "SELECT count(*) FROM feedback_log WHERE uuid = '$id'")" 4
  run "$label: no such state" 2 feedback set "${id:0:8}" --by x --state xong --db "$db"

  # ---- the letter ----
  run "$label: a letter for the anonymous item: refused" 2 letter "${anon:0:8}" --kind cam-on \
    --out "$tmp/no.pdf" --by chu-tich --summary "góp ý" --db "$db"
  check "$label: ... saying why" contains "$tmp/run.err" "has no name the citizen agreed to leave"
  check "$label: ... and no file" test ! -e "$tmp/no.pdf"
  run "$label: an apology without measures: refused" 2 letter "${id:0:8}" --kind xin-loi \
    --out "$tmp/l.pdf" --by chu-tich --summary "việc hẹn nhiều lần" --db "$db"
  run "$label: a letter dated a day that does not exist" 2 letter "${id:0:8}" --kind xin-loi \
    --out "$tmp/l.pdf" --by chu-tich --summary s --measures m --date 2026-02-30 --db "$db"
  run "$label: unit show" 0 unit show "UBND xã Bom Bo" --db "$db"
  check "$label: ... the Chairman" contains "$tmp/run.out" "chairman: Điểu Văn Lợi"
  run "$label: the letter" 0 letter "${id:0:8}" --kind xin-loi --out "$tmp/l-$label.pdf" \
    --by chu-tich --salutation Bà --summary "việc hẹn trả kết quả nhiều lần" \
    --measures "nhắc nhở cán bộ và trả kết quả ngay trong ngày" --date 2026-12-05 --db "$db"
  pdftotext -layout "$tmp/l-$label.pdf" "$tmp/l-$label.txt"
  check "$label: ... the Quốc hiệu" contains "$tmp/l-$label.txt" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
  check "$label: ... the tiêu ngữ" contains "$tmp/l-$label.txt" "Độc lập - Tự do - Hạnh phúc"
  check "$label: ... the citizen's name" contains "$tmp/l-$label.txt" "Kính gửi: Bà $NAME"
  check "$label: ... the date line" contains "$tmp/l-$label.txt" "Bom Bo, ngày 05 tháng 12 năm 2026"
  check "$label: ... numbered" contains "$tmp/l-$label.txt" "Số: 01/TXL-UBND"
  check "$label: ... one A4 page" bash -c "pdfinfo '$tmp/l-$label.pdf' | grep -q '^Pages: *1$' &&
    pdfinfo '$tmp/l-$label.pdf' | grep -q 'Page size: *595.* x 841.*\\|Page size: *595.* x 842.*'"
  pdffonts "$tmp/l-$label.pdf" >"$tmp/fonts-$label.txt"
  check "$label: ... every font embedded" awk 'NR > 2 { n++; if ($(NF-4) != "yes") bad = 1 }
    END { exit !(n > 0 && !bad) }' "$tmp/fonts-$label.txt"
  run "$label: the register" 0 letters export --out "$tmp/reg-$label.xlsx" --db "$db"
  check "$label: ... names the letter and the citizen" python3 - "$tmp/reg-$label.xlsx" "$NAME" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
text = z.read("xl/sharedStrings.xml").decode()
sys.exit(0 if "Sổ đăng ký thư" in z.read("xl/workbook.xml").decode() and sys.argv[2] in text
         and "TXL-UBND" in text else 1)
PY

  # ---- the retention: the contact is erased at serve's start once its time has passed ----
  kill -TERM "$spid" 2>/dev/null || true
  wait "$spid" || true
  csql "UPDATE feedback SET received_at = received_at - 34560000000" >/dev/null # 400 days
  run "$label: purge keeps what is within its days" 0 feedback purge --retention-days 500 --db "$db"
  check "$label: ... erasing nothing" contains "$tmp/run.err" "erased the contact data of 0 items"
  same "$label: ... the contact still there" \
    "$(csql "SELECT contact_phone FROM feedback WHERE uuid = '$id'")" "$PHONE"
  run "$label: purge --retention-days 0" 2 feedback purge --retention-days 0 --db "$db"
  rm -f "$tmp/port"
  timeout 60 "$cbin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$db" \
    --contact-retention-days 365 >"$tmp/serve2-$label.log" 2>&1 &
  spid=$!
  pids+=("$spid")
  wait_port "$label: collector again" "$tmp/port" "$spid" "$tmp/serve2-$label.log" || return 1
  local i
  for i in $(seq 1 50); do
    grep -q "retention: erased" "$tmp/serve2-$label.log" && break
    sleep 0.1
  done
  check "$label: retention: the log says so" contains "$tmp/serve2-$label.log" \
    "retention: erased the contact data of 1 feedback items"
  same "$label: ... the contact is gone" \
    "$(csql "SELECT contact_name || contact_phone || contact_address || '|' || CASE WHEN contact_erased_at > 0 THEN 1 ELSE 0 END FROM feedback WHERE uuid = '$id'")" \
    "|1"
  run "$label: ... a letter is refused now" 2 letter "${id:0:8}" --kind xin-loi --out "$tmp/x.pdf" \
    --by chu-tich --summary s --measures m --db "$db"
  kill -TERM "$spid" 2>/dev/null || true
  wait "$spid" || true
  no_sanitizer "$label: collector" "$tmp/serve-$label.log"
}

kind=sqlite dbfile=$tmp/c.db suite sqlite "sqlite:$tmp/c.db"
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  pg_schema=hl_fb_$$_$RANDOM
  psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $pg_schema" >/dev/null
  kind=pg dbfile= suite postgresql "$(pg_schema_url "$HL_TEST_PG_URL" "$pg_schema")"
else
  echo "test_feedback_e2e: PostgreSQL part NOT run: HL_TEST_PG_URL is not set" >&2
fi
finish
