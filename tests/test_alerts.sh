#!/usr/bin/env bash
# test_alerts: the collector's alerts end to end, with an SMTP server and a webhook receiver of
# the test's own on 127.0.0.1 (tests/support/alert_sink.py), each refusing its first delivery. The
# real hailong-collector runs under libfaketime on a Wednesday: at 07:00 a kiosk of Lộc Ninh
# reports once and falls silent; at 09:00 the rules are checked against votes posted through the
# real protocol. Exactly the alerts the rules call for must arrive, each once, the refused ones
# retried: every "chưa hài lòng" of Bom Bo by e-mail, three "chưa hài lòng" for one officer of Tân
# Phú within an hour by webhook, the silent kiosk by both. SQLite, and PostgreSQL when
# HL_TEST_PG_URL is set.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bin=${HL_BIN_DIR:-$src/build/bin}/hailong-collector
need_tools test_alerts curl python3 sqlite3
need_bins test_alerts "$bin"
faketime_lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1 || true)
[ -n "$faketime_lib" ] || {
  echo "test_alerts: libfaketime is missing (scripts/deps.sh --test installs it)" >&2
  exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-alerts.XXXXXX")
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

# The collector's clock: Wednesday 18 November 2026 at $1 UTC (07:00 Vietnam time is 00:00 UTC),
# running on from there. The kiosks' clocks (sent_at) say 09:00, as the collector's does then.
fenv() {
  printf '%s\n' TZ=UTC "LD_PRELOAD=$faketime_lib" "FAKETIME=@2026-11-18 $1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    FAKETIME_DONT_RESET=1 "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
}
run() { # NAME WANT ARGS...
  local name=$1 want=$2 rc=0; shift 2
  "$bin" "$@" >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$tmp/run.out" "$tmp/run.err" >&2
  else
    ok "$name: exit code $want"
  fi
}
start() { # UTC_TIME_OF_DAY LOG ARGS...
  local at=$1 log=$2; shift 2
  rm -f "$tmp/port"
  mapfile -t e < <(fenv "$at")
  env "${e[@]}" "$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "$db" \
    --alert-interval 1 "$@" >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_port server "$tmp/port" "$server_pid" "$log" || exit 1
  base=http://127.0.0.1:$(cat "$tmp/port")
}
stop() {
  local rc=0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" || rc=$?
  same "server stopped with exit code 0" "$rc" 0
  no_sanitizer "server log" "$1"
}
# health KIOSK: its health report (officers with names), under the faked clock.
health() {
  local k=$1 now
  now=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$base/v1/kiosks/$k/status" \
    -H "Authorization: Bearer $(cat "$tmp/tok.$k")" -H 'Content-Type: application/json' \
    --data-binary "{\"v\":1,\"kiosk_id\":\"$k\",\"sent_at\":1794967200000,\"version\":\"0.3.0\",\"content_version\":\"ab\",\"clock_suspect\":false,\"unsent\":0,\"officers\":[{\"code\":\"cb-01\",\"name\":\"Nguyễn Văn Hùng\",\"title\":\"\",\"counter\":\"\"},{\"code\":\"cb-02\",\"name\":\"Trần Thị Lan\",\"title\":\"\",\"counter\":\"\"}],\"reasons\":[{\"code\":\"cham-tre\",\"label\":\"Chậm trễ\"}]}")
  same "health report of $k" "$now" 200
}
# votes KIOSK N "OFFICER:RATING:MINUTES_BEFORE_09:00"...: one batch.
votes() {
  local k=$1 n=$2 body='' i=0 spec o r m; shift 2
  for spec in "$@"; do
    IFS=: read -r o r m <<<"$spec"
    i=$((i + 1))
    local t=$((1794967200000 - m * 60000)) reasons='[]'
    [ "$r" = 1 ] && reasons='["cham-tre"]'
    body+="${body:+,}{\"uuid\":\"$(printf 'aaaaaaaa-0000-4000-8000-%04d%08d' "$n" "$i")\",\"seq\":$((n * 100 + i)),\"boot_id\":\"bbbbbbbb-0000-4000-8000-000000000001\",\"officer\":\"$o\",\"rating\":$r,\"reasons\":$reasons,\"created_at\":$t,\"misuse\":false}"
  done
  local bid
  bid=$(printf 'cccccccc-0000-4000-8000-%012d' "$n")
  local code
  code=$(curl -sS -o "$tmp/resp" -w '%{http_code}' -X POST "$base/v1/kiosks/$k/vote-batches" \
    -H "Authorization: Bearer $(cat "$tmp/tok.$k")" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $bid" -H "X-Hailong-Sent-At: 1794967205000" \
    --data-binary "{\"v\":1,\"kiosk_id\":\"$k\",\"batch_id\":\"$bid\",\"frozen_at\":1794967200000,\"votes\":[$body]}")
  same "batch $n of $k stored" "$code" 200
}
# feedback KIOSK N: one batch of feedback alone: a phản ánh about cb-01 with the citizen's
# consented contact, and a góp ý (which no rule alerts on).
feedback() {
  local k=$1 n=$2 bid code
  bid=$(printf 'cccccccc-0000-4000-8000-%012d' "$n")
  code=$(curl -sS -o "$tmp/resp" -w '%{http_code}' -X POST "$base/v1/kiosks/$k/vote-batches" \
    -H "Authorization: Bearer $(cat "$tmp/tok.$k")" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $bid" -H "X-Hailong-Sent-At: 1794967205000" \
    --data-binary "{\"v\":1,\"kiosk_id\":\"$k\",\"batch_id\":\"$bid\",\"frozen_at\":1794967200000,\"votes\":[],\"feedback\":[{\"uuid\":\"dddddddd-0000-4000-8000-00000000000$n\",\"seq\":1,\"boot_id\":\"bbbbbbbb-0000-4000-8000-000000000001\",\"kind\":\"phan-anh\",\"officer\":\"cb-01\",\"text\":\"Chờ quá lâu, cán bộ hẹn ba lần\",\"consent\":true,\"contact\":{\"name\":\"Nguyễn Thị Hường\",\"phone\":\"0913555666\"},\"created_at\":1794967100000},{\"uuid\":\"eeeeeeee-0000-4000-8000-00000000000$n\",\"seq\":2,\"boot_id\":\"bbbbbbbb-0000-4000-8000-000000000001\",\"kind\":\"gop-y\",\"text\":\"Thêm ghế chờ\",\"consent\":false,\"created_at\":1794967100000}]}")
  same "feedback batch $n of $k stored" "$code" 200
}
# wait_for FILE_GLOB N: up to 20 s for N files.
wait_for() {
  for _ in $(seq 1 200); do
    [ "$(ls $tmp/rx/$1 2>/dev/null | wc -l)" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
decode_mails() { # the mails' To, subjects and bodies, decoded, sorted
  python3 - "$tmp/rx" <<'EOF'
import email, email.header, glob, sys
out = []
for p in sorted(glob.glob(sys.argv[1] + "/mail-*.eml")):
    m = email.message_from_bytes(open(p, "rb").read())
    subj = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    to = " ".join(str(m["To"]).split())  # a long To: is folded across lines
    out.append("%s | %s | %s" % (to, subj, m.get_payload(decode=True).decode("utf-8").strip()))
print("\n".join(sorted(out)))
EOF
}

suite() {
  local label=$1
  db=$2
  echo "--- $label" >&2
  rm -rf "$tmp/rx"
  mkdir -p "$tmp/rx"
  python3 "$src/tests/support/alert_sink.py" "$tmp/rx" --fail-mail 1 --fail-hook 1 &
  pids+=($!)
  disown $! # killed at the end without a word from the shell
  for _ in $(seq 1 100); do [ -s "$tmp/rx/ports" ] && break; sleep 0.05; done
  read -r smtp_port hook_port <"$tmp/rx/ports"
  run "$label: init" 0 init --db "$db"
  local k
  for k in 'bombo-01:Xã Bom Bo' 'tanphu-01:Phường Tân Phú' 'locninh-01:Xã Lộc Ninh'; do
    run "$label: kiosk add ${k%%:*}" 0 kiosk add "${k%%:*}" --unit "${k#*:}" --db "$db"
    cp "$tmp/run.out" "$tmp/tok.${k%%:*}"
  done

  # The rules, and what is refused.
  run "$label: alert add without a kind" 2 alert add x --email a@b.vn --db "$db"
  run "$label: alert add without a destination" 2 alert add x --kind chua-hai-long --db "$db"
  run "$label: alert add with a bad address" 2 alert add x --kind chua-hai-long --email 'a b' --db "$db"
  run "$label: alert add many without a window" 2 alert add x --kind nhieu-chua-hai-long --count 3 \
    --webhook "http://127.0.0.1:$hook_port/" --db "$db"
  run "$label: alert add: each unhappy vote of Bom Bo" 0 alert add moi-phieu --kind chua-hai-long \
    --unit 'Xã Bom Bo' --email 'lanhdao@bombo.vn' --db "$db"
  run "$label: alert add: 3 in an hour, anywhere" 0 alert add ba-phieu --kind nhieu-chua-hai-long \
    --count 3 --window 60 --webhook "http://127.0.0.1:$hook_port/hook" --db "$db"
  run "$label: alert add: a kiosk silent for an hour" 0 alert add im-lang --kind may-im-lang \
    --window 60 --email 'it@tinh.vn, ct@tinh.vn' --webhook "http://127.0.0.1:$hook_port/hook" \
    --db "$db"
  run "$label: alert add: each phản ánh at Bom Bo" 0 alert add phan-anh --kind phan-anh \
    --unit 'Xã Bom Bo' --email lanhdao@bombo.vn --db "$db"
  run "$label: alert add: one more, then removed" 0 alert add thu --kind chua-hai-long \
    --email x@y.vn --db "$db"
  run "$label: alert remove" 0 alert remove thu --db "$db"
  run "$label: alert remove again" 2 alert remove thu --db "$db"
  run "$label: alert list" 0 alert list --db "$db"
  check "$label: ... four rules" bash -c "[ \$(grep -c -E '^(moi-phieu|ba-phieu|im-lang|phan-anh) ' '$tmp/run.out') = 4 ]"

  # 07:00: every kiosk reports; then Lộc Ninh's falls silent.
  start 00:00:00 "$tmp/serve1.log" --smtp-url "smtp://127.0.0.1:$smtp_port" --smtp-from hailong@tinh.vn
  health locninh-01
  sleep 2.5 # a round of the alerts' thread: its cursor starts here
  stop "$tmp/serve1.log"

  # 09:00: the others report and vote.
  start 02:00:00 "$tmp/serve2.log" --smtp-url "smtp://127.0.0.1:$smtp_port" --smtp-from hailong@tinh.vn
  health bombo-01
  health tanphu-01
  votes bombo-01 1 cb-01:1:10 cb-01:1:5 cb-01:3:4 cb-02:3:3 cb-02:2:2
  votes tanphu-01 2 cb-02:1:40 cb-02:1:25 cb-01:1:20 cb-02:1:15 cb-02:3:1
  feedback bombo-01 3
  check "$label: 4 mails arrive (2 unhappy votes of Bom Bo, its phản ánh, 1 silent kiosk)" wait_for 'mail-*.eml' 4
  check "$label: 2 webhooks arrive (3 in an hour at Tân Phú, the silent kiosk)" wait_for 'hook-*.json' 2
  sleep 3 # anything more would arrive now
  same "$label: exactly 4 mails" "$(ls "$tmp"/rx/mail-*.eml | wc -l)" 4
  same "$label: exactly 2 webhooks" "$(ls "$tmp"/rx/hook-*.json | wc -l)" 2
  same "$label: the first mail and the first webhook were refused, then retried" \
    "$(cat "$tmp/rx/refused-mail") $(cat "$tmp/rx/refused-hook")" "1 1"
  decode_mails >"$tmp/mails.txt"
  check "$label: ... the unhappy votes, to Bom Bo's leader, in Vietnamese with the officer's name" \
    bash -c "[ \$(grep -c '^lanhdao@bombo.vn | Chưa hài lòng: Nguyễn Văn Hùng (Xã Bom Bo) | Một người dân vừa đánh giá \"Chưa hài lòng\" đối với cán bộ Nguyễn Văn Hùng (mã cb-01) tại Xã Bom Bo, máy bombo-01' '$tmp/mails.txt') = 2 ]"
  check "$label: ... the phản ánh, to Bom Bo's leader, with its text" \
    grep -q '^lanhdao@bombo.vn | Phản ánh mới: Nguyễn Văn Hùng (Xã Bom Bo) | Một người dân vừa gửi phản ánh – kiến nghị từ máy đánh giá bombo-01' "$tmp/mails.txt"
  check "$label: ... its text in the mail" grep -q 'Nội dung: Chờ quá lâu, cán bộ hẹn ba lần' "$tmp/mails.txt"
  check "$label: ... never the citizen's contact" bash -c "! grep -q -e 0913555666 -e 'Thị Hường' '$tmp/mails.txt'"
  check "$label: ... and nothing for the góp ý" bash -c "! grep -q 'Thêm ghế chờ' '$tmp/mails.txt'"
  check "$label: ... the silent kiosk, to both addresses" \
    grep -q '^it@tinh.vn, ct@tinh.vn | Máy đánh giá không liên lạc: locninh-01 (Xã Lộc Ninh) | .*từ 07:00 ngày 18/11/2026' "$tmp/mails.txt"
  check "$label: ... each sent to every recipient" \
    bash -c "grep -h '^X-Rcpt' '$tmp'/rx/mail-*.eml | grep -q '<it@tinh.vn>, <ct@tinh.vn>'"
  python3 - "$tmp/rx" >"$tmp/hooks.txt" <<'EOF'
import glob, json, sys
for p in sorted(glob.glob(sys.argv[1] + "/hook-*.json")):
    j = json.load(open(p))
    print("%s|%s|%s|%s" % (j["kind"], j["unit"], j["officer_code"] or "", j["subject"]))
EOF
  check "$label: ... three unhappy votes in an hour for Tân Phú's cb-02 (not Bom Bo's two)" \
    grep -qx 'nhieu-chua-hai-long|Phường Tân Phú|cb-02|3 phiếu chưa hài lòng trong 60 phút: Trần Thị Lan (Phường Tân Phú)' "$tmp/hooks.txt"
  check "$label: ... the silent kiosk" grep -q '^may-im-lang|Xã Lộc Ninh||' "$tmp/hooks.txt"
  check "$label: ... with the alert's id in a header" grep -qi '^X-Hailong-Alert-Id: [0-9a-f]\{32\}' "$tmp"/rx/hook-1.hdr
  run "$label: alert log" 0 alert log --db "$db"
  same "$label: ... 6 alerts, all sent" "$(grep -c ' sent ' "$tmp/run.out")" 6
  check "$label: ... the refused ones took 2 attempts" bash -c "[ \$(grep -cE ' sent +2 ' '$tmp/run.out') = 2 ]"
  check "$label: ... the log says which attempt failed and why" \
    grep -q 'attempt 1 failed: .*451\|attempt 1 failed: .*HTTP 500' "$tmp/serve2.log"
  run "$label: alert log for one unit" 0 alert log --unit 'Xã Bom Bo' --db "$db"
  same "$label: ... only its alerts" "$(grep -c ' sent ' "$tmp/run.out")" 3
  stop "$tmp/serve2.log"

  # A restart raises nothing again: the same events, the same ids.
  start 02:05:00 "$tmp/serve3.log" --smtp-url "smtp://127.0.0.1:$smtp_port" --smtp-from hailong@tinh.vn
  sleep 3
  stop "$tmp/serve3.log"
  same "$label: after a restart, still 4 mails and 2 webhooks" \
    "$(ls "$tmp"/rx/mail-*.eml | wc -l) $(ls "$tmp"/rx/hook-*.json | wc -l)" "4 2"
}

kind=sqlite suite sqlite "sqlite:$tmp/c.db"
if [ -n "${HL_TEST_PG_URL:-}" ]; then
  pg_schema=hl_alerts_$$_$RANDOM
  psql -X -q "$HL_TEST_PG_URL" -c "CREATE SCHEMA $pg_schema" >/dev/null
  kind=pg suite postgresql "$(pg_schema_url "$HL_TEST_PG_URL" "$pg_schema")"
else
  echo "PostgreSQL part not run: HL_TEST_PG_URL is not set" >&2
fi
finish
