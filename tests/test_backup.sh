#!/usr/bin/env bash
# test_backup: upgrades and backups that lose nothing, with the real programs and real files.
# - hailong-kiosk backup while the real kiosk votes (--script), three times; every vote recorded
#   before a backup began is in it, seq without gaps, integrity_check ok; restored into a fresh
#   data folder, the kiosk opens it and goes on from its last seq.
# - hailong-collector backup while the real collector (loopback) stores batches; every batch
#   acknowledged before the backup began is in it; restored, the collector opens it.
# - before a migration both copy an existing database aside (the copy at the old schema, every
#   row); a copy that cannot be written (a file size limit: the disk "full") refuses the
#   migration, exit 1, and changes nothing.
# - a database a newer version upgraded is refused with exit 2 by the kiosk's start and every
#   command that opens it, and by the collector's, naming the version to install.
# - the backup commands' usage errors (existing FILE without --force, missing folder, PostgreSQL).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
kbin=${HL_BIN_DIR:-$src/build/bin}/hailong-kiosk
cbin=${HL_BIN_DIR:-$src/build/bin}/hailong-collector
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
need_tools test_backup sqlite3 curl gzip
need_bins test_backup "$kbin" "$cbin"
ini=$src/assets/demo/lobby.ini

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-backup.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [ -n "${HL_TEST_KEEP:-}" ] && echo "test_backup: files kept in $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

# run NAME WANT_RC OUT BIN ARGS...: a real program, stdout+stderr to OUT, exit code checked.
run() {
  local name=$1 want=$2 out=$3 b=$4; shift 4
  local rc=0
  "$b" "$@" >"$out" 2>&1 </dev/null || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$out" >&2
  else
    ok "$name: exit code $want"
  fi
  no_sanitizer "$name" "$out"
}
q() { sqlite3 -batch -noheader "$@"; }
# the files in a folder, one a line
files() { (cd "$1" && ls -A | sort); }

# vote_script FILE N: N votes in lobby mode, 5 s apart on the simulated clock (no misuse).
vote_script() {
  for _ in $(seq 1 "$2"); do
    printf 'tap rate\ntap officer-tp-hung\ntap rate-3\nexpect thanks\ntap done\nwait 5000\n'
  done >"$1"
  echo quit >>"$1"
}

# ================================ the kiosk ================================

# ---- backup while the kiosk votes, three times; then restore ----
vote_script "$tmp/many.script" 400
mkdir "$tmp/k"
"$kbin" --config "$ini" --data-dir "$tmp/k" --script "$tmp/many.script" >"$tmp/k.log" 2>&1 &
kpid=$!
pids+=("$kpid")
# wait_votes N: until the kiosk has recorded N votes (or has stopped).
wait_votes() {
  for _ in $(seq 1 2400); do
    [ -f "$tmp/k/votes.db" ] &&
      [ "$(q -readonly "$tmp/k/votes.db" 'SELECT count(*) FROM votes' 2>/dev/null || echo 0)" -ge "$1" ] &&
      return 0
    kill -0 "$kpid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
for n in 1 2 3; do
  check "kiosk backup $n: the kiosk has voted $((n * 40)) times" wait_votes $((n * 40))
  # Every vote with a seq up to this one was thanked (committed) before the backup began.
  before=$(q -readonly "$tmp/k/votes.db" 'SELECT max(seq) FROM votes')
  run "kiosk backup $n while voting" 0 "$tmp/kb$n.out" "$kbin" backup --config "$ini" \
    --data-dir "$tmp/k" --out "$tmp/kb$n.db"
  got=$(q "$tmp/kb$n.db" 'SELECT count(*) || " " || min(seq) || " " || max(seq) FROM votes')
  read -r cnt lo hi <<<"$got"
  check "kiosk backup $n: every vote up to seq $before is in it (it has 1..$hi)" \
    test "$lo" = 1 -a "$hi" -ge "$before" -a "$cnt" = "$hi"
  same "kiosk backup $n: integrity_check" "$(q "$tmp/kb$n.db" 'PRAGMA integrity_check')" ok
  same "kiosk backup $n: one file (rollback journal), mode 0600" \
    "$(q "$tmp/kb$n.db" 'PRAGMA journal_mode') $(stat -c %a "$tmp/kb$n.db")" "delete 600"
  check "kiosk backup $n: says what it saved" contains "$tmp/kb$n.out" \
    "to $tmp/kb$n.db: $cnt votes (seq up to $hi), schema"
  check "kiosk backup $n: no temporary file left" test -z "$(ls "$tmp" | grep -F "kb$n.db.tmp")"
done
rc=0
wait "$kpid" || rc=$?
same "the voting kiosk ended normally" "$rc" 0
no_sanitizer "voting kiosk" "$tmp/k.log"
final=$(q "$tmp/k/votes.db" 'SELECT max(seq) FROM votes')
check "the kiosk went on voting after the last backup ($hi < $final)" test "$hi" -lt "$final"
# The copy holds exactly what the kiosk had recorded up to its last vote, field by field.
cols="uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons, created_at, misuse"
same "kiosk backup 3: its votes are the kiosk's first $hi, unchanged" \
  "$(q "$tmp/kb3.db" "SELECT $cols FROM votes ORDER BY seq")" \
  "$(q "$tmp/k/votes.db" "SELECT $cols FROM votes WHERE seq <= $hi ORDER BY seq")"

# Restore (docs/SCHEMA.md): the kiosk stopped, the copy put in place as votes.db with no stale
# -wal/-shm beside it, the kiosk started.
mkdir "$tmp/restored"
cp "$tmp/kb3.db" "$tmp/restored/votes.db"
run "restored: status opens it" 0 "$tmp/r-status.out" "$kbin" status --config "$ini" \
  --data-dir "$tmp/restored"
vote_script "$tmp/one.script" 1
run "restored: the kiosk starts on it and votes" 0 "$tmp/r-kiosk.out" "$kbin" --config "$ini" \
  --data-dir "$tmp/restored" --script "$tmp/one.script"
same "restored: the next vote continues the sequence without a gap" \
  "$(q "$tmp/restored/votes.db" 'SELECT count(*) || " " || max(seq) FROM votes')" \
  "$((hi + 1)) $((hi + 1))"
same "restored: integrity_check" "$(q "$tmp/restored/votes.db" 'PRAGMA integrity_check')" ok

# ---- the backup command's usage and errors ----
kb1sum=$(sha256sum <"$tmp/kb1.db")
run "kiosk backup: FILE exists, no --force" 2 "$tmp/e1.out" "$kbin" backup --data-dir "$tmp/k" \
  --out "$tmp/kb1.db"
check "kiosk backup: says FILE exists and how to replace it" contains "$tmp/e1.out" \
  "kb1.db already exists; nothing was overwritten; add --force to replace it"
same "kiosk backup: the existing FILE is left alone" "$(sha256sum <"$tmp/kb1.db")" "$kb1sum"
run "kiosk backup --force replaces it" 0 "$tmp/e2.out" "$kbin" backup --data-dir "$tmp/k" \
  --out "$tmp/kb1.db" --force
same "kiosk backup --force: the new copy has every vote" \
  "$(q "$tmp/kb1.db" 'SELECT count(*) FROM votes')" "$final"
run "kiosk backup: no such folder" 2 "$tmp/e3.out" "$kbin" backup --data-dir "$tmp/k" \
  --out "$tmp/nowhere/x.db"
check "kiosk backup: names the missing folder" contains "$tmp/e3.out" "$tmp/nowhere does not exist"
run "kiosk backup: no --out" 2 "$tmp/e4.out" "$kbin" backup --data-dir "$tmp/k"
run "kiosk backup: no votes.db" 1 "$tmp/e5.out" "$kbin" backup --data-dir "$tmp/nothing" \
  --out "$tmp/x.db"
check "kiosk backup: says there is no vote database" contains "$tmp/e5.out" "no vote database here"
run "kiosk backup --help" 0 "$tmp/e6.out" "$kbin" backup --help
check "kiosk backup --help: usage" contains "$tmp/e6.out" "Usage: hailong-kiosk backup --out FILE"

# ---- the copy before a migration ----
# A real schema-2 file: the kiosk's own file without what migrations 3 (settings), 4
# (votes.clock_suspect) and 5 (feedback) added. kl: the schema this kiosk migrates to.
kl=$(q "$tmp/kb2.db" 'PRAGMA user_version')
make_v2() { # DIR
  mkdir -p "$1"
  cp "$tmp/kb2.db" "$1/votes.db"
  q "$1/votes.db" 'DROP TABLE feedback; DROP TABLE settings; DROP INDEX votes_clock_suspect;
    ALTER TABLE votes DROP COLUMN clock_suspect;
    PRAGMA user_version = 2; PRAGMA journal_mode = WAL' >/dev/null
}
make_v2 "$tmp/up"
v2rows=$(q "$tmp/up/votes.db" "SELECT $cols FROM votes ORDER BY seq")
same "upgrade: this kiosk's schema is 4 or later (the test builds a schema-2 file from it)" \
  "$([ "$kl" -ge 4 ] && echo yes)" yes
n2=$(q "$tmp/up/votes.db" 'SELECT count(*) FROM votes')
run "upgrade 2 -> $kl: the kiosk starts" 0 "$tmp/up.out" "$kbin" --config "$ini" \
  --data-dir "$tmp/up" --script "$tmp/one.script"
bak=$(ls "$tmp/up" | grep -E "^votes\\.db\\.pre-v$kl-"'[0-9]{8}T[0-9]{6}Z\.bak$' || true)
check "upgrade: the copy votes.db.pre-v$kl-<UTC time>.bak is there ($bak)" test -n "$bak"
if [ -n "$bak" ]; then
  same "upgrade: the copy is at schema 2" "$(q "$tmp/up/$bak" 'PRAGMA user_version')" 2
  same "upgrade: the copy has every vote, unchanged" \
    "$(q "$tmp/up/$bak" "SELECT $cols FROM votes ORDER BY seq")" "$v2rows"
  same "upgrade: the copy's integrity_check" "$(q "$tmp/up/$bak" 'PRAGMA integrity_check')" ok
  check "upgrade: the log names the copy" contains "$tmp/up.out" \
    "upgrading the vote database from schema 2 to $kl; copied it first to $tmp/up/$bak"
fi
same "upgrade: votes.db is at schema $kl with every vote and the new one" \
  "$(q "$tmp/up/votes.db" 'SELECT user_version FROM pragma_user_version') $(q "$tmp/up/votes.db" 'SELECT count(*) FROM votes')" \
  "$kl $((n2 + 1))"
same "upgrade: votes.db records the program that upgraded it" \
  "$(q "$tmp/up/votes.db" "SELECT value FROM settings WHERE key = 'schema_v${kl}_by'")" \
  "hailong-kiosk $("$kbin" --version | awk '{print $2}')"

# The copy cannot be written (files limited to 40 KiB: the 48 KiB copy fails like a full disk):
# nothing is migrated, every file as it was, nothing left behind; the kiosk starts anyway, as on
# any disk that refuses votes.db, and refuses votes with a message until the disk allows.
make_v2 "$tmp/full"
before_files=$(files "$tmp/full")
before_sum=$(sha256sum <"$tmp/full/votes.db")
rc=0
(
  trap '' XFSZ
  ulimit -f 40
  exec "$kbin" --config "$ini" --data-dir "$tmp/full" --script "$tmp/one.script"
) >"$tmp/full.out" 2>&1 || rc=$?
same "upgrade with the copy failing: the kiosk starts anyway (exit 0)" "$rc" 0
check "upgrade with the copy failing: ... and says so" contains "$tmp/full.out" \
  "the kiosk starts anyway and refuses votes with a message"
check "upgrade with the copy failing: says it did not upgrade, and why" contains "$tmp/full.out" \
  "votes.db: not upgraded from schema 2 to $kl, because the copy made before an upgrade could not be written"
check "upgrade with the copy failing: says nothing was changed" contains "$tmp/full.out" \
  "nothing was changed"
same "upgrade with the copy failing: votes.db unchanged" "$(sha256sum <"$tmp/full/votes.db")" \
  "$before_sum"
same "upgrade with the copy failing: no copy or temporary file left" \
  "$(files "$tmp/full" | grep -vE '^votes\.db-(wal|shm)$')" "$(grep -vE '^votes\.db-(wal|shm)$' <<<"$before_files")"
same "upgrade with the copy failing: still schema 2" "$(q "$tmp/full/votes.db" 'PRAGMA user_version')" 2
run "upgrade once there is room again" 0 "$tmp/full2.out" "$kbin" --config "$ini" \
  --data-dir "$tmp/full" --script "$tmp/one.script"
same "upgrade once there is room again: schema $kl, one copy" \
  "$(q "$tmp/full/votes.db" 'PRAGMA user_version') $(ls "$tmp/full" | grep -c '\.bak$')" "$kl 1"

# ---- a newer version's file is refused, exit 2, naming the version ----
mkdir "$tmp/newer"
cp "$tmp/kb3.db" "$tmp/newer/votes.db"
q "$tmp/newer/votes.db" "PRAGMA user_version = $((kl + 1));
  INSERT INTO settings VALUES ('schema_v$((kl + 1))_by', 'hailong-kiosk 9.9.0', 0)"
newer_sum=$(sha256sum <"$tmp/newer/votes.db")
kv=$("$kbin" --version | awk '{print $2}')
want="$tmp/newer/votes.db was written by hailong-kiosk 9.9.0 (schema $((kl + 1))); this is hailong-kiosk $kv (schema $kl): install hailong-kiosk 9.9.0 or newer"
run "newer: the kiosk refuses to start" 2 "$tmp/n1.out" "$kbin" --config "$ini" \
  --data-dir "$tmp/newer" --script "$tmp/one.script"
check "newer: the kiosk names the version" contains "$tmp/n1.out" "$want"
run "newer: status" 2 "$tmp/n2.out" "$kbin" status --data-dir "$tmp/newer"
check "newer: status names the version" contains "$tmp/n2.out" "$want"
run "newer: export" 2 "$tmp/n3.out" "$kbin" export --data-dir "$tmp/newer" --from 2026-01-01 \
  --to 2026-12-31 --out "$tmp/n.csv"
check "newer: export names the version" contains "$tmp/n3.out" "$want"
check "newer: export wrote nothing" test ! -e "$tmp/n.csv"
run "newer: report" 2 "$tmp/n4.out" "$kbin" report --data-dir "$tmp/newer" --month 2026-11
check "newer: report names the version" contains "$tmp/n4.out" "$want"
run "newer: backup" 2 "$tmp/n5.out" "$kbin" backup --data-dir "$tmp/newer" --out "$tmp/n.db"
check "newer: backup names the version" contains "$tmp/n5.out" "$want"
rc=0
printf '2468\n2468\n' | "$kbin" set-pin --data-dir "$tmp/newer" >"$tmp/n6.out" 2>&1 || rc=$?
same "newer: set-pin exit code" "$rc" 2
check "newer: set-pin names the version" contains "$tmp/n6.out" "$want"
same "newer: the file is untouched" "$(sha256sum <"$tmp/newer/votes.db")" "$newer_sum"
# Upgraded by a version from before this record: still refused, without a version to name.
q "$tmp/newer/votes.db" "DELETE FROM settings WHERE key = 'schema_v$((kl + 1))_by'"
run "newer, no version recorded: status" 2 "$tmp/n7.out" "$kbin" status --data-dir "$tmp/newer"
check "newer, no version recorded: says a newer hailong-kiosk wrote it" contains "$tmp/n7.out" \
  "has schema $((kl + 1)), from a newer hailong-kiosk; this is hailong-kiosk $kv (schema $kl)"

# ================================ the collector ================================
cdb=$tmp/c/collector.db
mkdir "$tmp/c"
run "collector init" 0 "$tmp/c-init.out" "$cbin" init --db "sqlite:$cdb"
"$cbin" kiosk add bak-01 --db "sqlite:$cdb" >"$tmp/token" 2>/dev/null
token=$(cat "$tmp/token")
"$cbin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "sqlite:$cdb" >"$tmp/c.log" 2>&1 &
spid=$!
pids+=("$spid")
wait_port collector "$tmp/port" "$spid" "$tmp/c.log"
base=http://127.0.0.1:$(cat "$tmp/port")

# A sender: 300 batches of 5 votes (seq 5b-4 .. 5b), one after another; a batch's number goes to
# acked only after its 200 (the collector committed it).
now=$(($(date +%s) * 1000))
sender() {
  local b k json votes
  for b in $(seq 1 300); do
    votes=
    for k in $(seq $((5 * b - 4)) $((5 * b))); do
      votes+=$(printf '{"uuid":"aaaaaaaa-0000-4000-8000-%012d","seq":%d,"boot_id":"bbbbbbbb-0000-4000-8000-000000000001","officer":"tp-hung","rating":3,"reasons":[],"created_at":%s,"misuse":false},' "$k" "$k" "$now")
    done
    json=$(printf '{"v":1,"kiosk_id":"bak-01","batch_id":"cccccccc-0000-4000-8000-%012d","frozen_at":%s,"votes":[%s]}' "$b" "$now" "${votes%,}")
    code=$(printf '%s' "$json" | gzip -c | curl -sS --max-time 20 -o /dev/null -w '%{http_code}' \
      -X POST "$base/v1/kiosks/bak-01/vote-batches" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
      -H "Idempotency-Key: cccccccc-0000-4000-8000-$(printf '%012d' "$b")" --data-binary @-) ||
      code=curl-failed
    [ "$code" = 200 ] || { echo "batch $b: $code" >"$tmp/sender.err"; return 1; }
    echo "$b" >>"$tmp/acked"
  done
}
: >"$tmp/acked"
sender &
sender_pid=$!
pids+=("$sender_pid")
wait_acked() {
  for _ in $(seq 1 2400); do
    [ "$(wc -l <"$tmp/acked")" -ge "$1" ] && return 0
    kill -0 "$sender_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
for n in 1 2 3; do
  check "collector backup $n: $((n * 30)) batches stored" wait_acked $((n * 30))
  acked=$(wc -l <"$tmp/acked")
  run "collector backup $n while receiving" 0 "$tmp/cb$n.out" "$cbin" backup --db "sqlite:$cdb" \
    --out "$tmp/cb$n.db"
  got=$(q "$tmp/cb$n.db" 'SELECT count(*) || " " || min(seq) || " " || max(seq) FROM votes')
  read -r cnt lo hi <<<"$got"
  check "collector backup $n: every vote of the $acked batches acknowledged before it (1..$((5 * acked))) is in it (it has 1..$hi, $cnt)" \
    test "$lo" = 1 -a "$hi" -ge $((5 * acked)) -a "$cnt" = "$hi"
  same "collector backup $n: integrity_check" "$(q "$tmp/cb$n.db" 'PRAGMA integrity_check')" ok
  check "collector backup $n: says what it saved" contains "$tmp/cb$n.out" \
    "to $tmp/cb$n.db: $cnt votes from 1 kiosks, schema"
done
rc=0
wait "$sender_pid" || rc=$?
same "the sender's batches were all stored" "$rc" 0
cfinal=$(q "$cdb" 'SELECT count(*) FROM votes')
same "the collector has all 1500 votes" "$cfinal" 1500
check "the collector went on storing after the last backup ($hi < $cfinal)" test "$hi" -lt "$cfinal"
kill -TERM "$spid"
rc=0
wait "$spid" || rc=$?
same "collector stopped cleanly" "$rc" 0
no_sanitizer "collector" "$tmp/c.log"
# Restore (docs/COLLECTOR.md): stopped, the copy in place, no stale -wal/-shm, started.
mkdir "$tmp/c-restored"
cp "$tmp/cb3.db" "$tmp/c-restored/collector.db"
run "collector restored: opens it" 0 "$tmp/cr.out" "$cbin" kiosk list \
  --db "sqlite:$tmp/c-restored/collector.db"
check "collector restored: the kiosk and its votes are there" grep -qE "^bak-01 +active +$hi " \
  "$tmp/cr.out"
same "collector restored: integrity_check" \
  "$(q "$tmp/c-restored/collector.db" 'PRAGMA integrity_check')" ok

run "collector backup: FILE exists, no --force" 2 "$tmp/ce1.out" "$cbin" backup \
  --db "sqlite:$cdb" --out "$tmp/cb1.db"
check "collector backup: says FILE exists" contains "$tmp/ce1.out" \
  "already exists; nothing was overwritten; add --force to replace it"
run "collector backup --force" 0 "$tmp/ce2.out" "$cbin" backup --db "sqlite:$cdb" \
  --out "$tmp/cb1.db" --force
run "collector backup: PostgreSQL" 2 "$tmp/ce3.out" "$cbin" backup \
  --db 'postgresql://hailong:secret@db.example/hailong' --out "$tmp/h.dump"
check "collector backup: PostgreSQL: the pg_dump command, without the password" contains \
  "$tmp/ce3.out" "pg_dump --format=custom --file=$tmp/h.dump 'postgresql://hailong@db.example/hailong'"
check "collector backup: PostgreSQL: how to restore" contains "$tmp/ce3.out" \
  "pg_restore --clean --if-exists --dbname='postgresql://hailong@db.example/hailong' $tmp/h.dump"
run "collector backup: no such database" 2 "$tmp/ce4.out" "$cbin" backup \
  --db "sqlite:$tmp/none.db" --out "$tmp/x.db"
check "collector backup: creates no database" test ! -e "$tmp/none.db"

# ---- the collector's copy before a migration ----
# A real schema-1 database: schema 2 only added schema_version.program, schema 3 votes.placed_at,
# 4 tokens.unit, 5 to 8 tables.
# cl: the schema this collector migrates to.
cl=$(q "$tmp/cb1.db" 'SELECT max(version) FROM schema_version')
make_c1() { # FILE: a database of the current schema taken back to schema 1 (every later migration undone)
  cp "$tmp/cb1.db" "$1"
  q "$1" 'ALTER TABLE schema_version DROP COLUMN program; DELETE FROM schema_version
    WHERE version > 1; DROP INDEX votes_placed_at; ALTER TABLE votes DROP COLUMN placed_at;
    ALTER TABLE tokens DROP COLUMN unit; DROP TABLE kiosk_health; DROP TABLE officers;
    DROP TABLE tot_day; DROP TABLE tot_kday; DROP TABLE tot_kmonth; DROP TABLE tot_hour;
    DROP TABLE tot_reason; DROP TABLE users;
    DROP TABLE sessions; DROP TABLE reasons; DROP TABLE alert_rules; DROP TABLE alerts;
    DROP TABLE alert_cursor; DROP INDEX votes_received_at; DROP TABLE feedback;
    DROP TABLE feedback_log; DROP TABLE unit_profiles; DROP TABLE letters;
    PRAGMA journal_mode = WAL' >/dev/null
}
make_c1 "$tmp/c1.db"
c1rows=$(q "$tmp/c1.db" 'SELECT * FROM votes ORDER BY seq')
run "collector upgrade 1 -> $cl" 0 "$tmp/cu.out" "$cbin" kiosk list --db "sqlite:$tmp/c1.db"
cbak=$(cd "$tmp" && ls | grep -E "^c1\\.db\\.pre-v$cl-"'[0-9]{8}T[0-9]{6}Z\.bak$' || true)
check "collector upgrade: the copy c1.db.pre-v$cl-<UTC time>.bak is there ($cbak)" test -n "$cbak"
if [ -n "$cbak" ]; then
  same "collector upgrade: the copy is at schema 1 with every vote" \
    "$(q "$tmp/$cbak" 'SELECT max(version) FROM schema_version')
$(q "$tmp/$cbak" 'SELECT * FROM votes ORDER BY seq')" "1
$c1rows"
  check "collector upgrade: the log names the copy" contains "$tmp/cu.out" \
    "upgrading the database from schema 1 to $cl; copied it first to $tmp/$cbak"
fi
cv=$("$cbin" --version | awk '{print $2}')
same "collector upgrade: schema $cl, the program recorded, every vote" \
  "$(q "$tmp/c1.db" 'SELECT max(version) FROM schema_version') $(q "$tmp/c1.db" "SELECT program FROM schema_version WHERE version = $cl") $(q "$tmp/c1.db" 'SELECT count(*) FROM votes')" \
  "$cl hailong-collector $cv $cfinal"
make_c1 "$tmp/cfull.db"
csum=$(sha256sum <"$tmp/cfull.db")
size_kib=$(($(stat -c %s "$tmp/cfull.db") / 1024 - 4))
rc=0
(
  trap '' XFSZ
  ulimit -f "$size_kib"
  exec "$cbin" kiosk list --db "sqlite:$tmp/cfull.db"
) >"$tmp/cfull.out" 2>&1 || rc=$?
same "collector upgrade with the copy failing: exit 1" "$rc" 1
check "collector upgrade with the copy failing: says so" contains "$tmp/cfull.out" \
  "cfull.db: not upgraded from schema 1 to $cl, because the copy made before an upgrade could not be written"
same "collector upgrade with the copy failing: the database unchanged, nothing left beside it" \
  "$(sha256sum <"$tmp/cfull.db") $(cd "$tmp" && ls | grep -c '^cfull\.db\.')" "$csum 0"
same "collector upgrade: the totals filled from the votes (migration 6)" \
  "$(q "$tmp/c1.db" 'SELECT sum(total) FROM tot_day') $(q "$tmp/c1.db" 'SELECT sum(total) FROM tot_kday') $(q "$tmp/c1.db" 'SELECT sum(total) FROM tot_kmonth') $(q "$tmp/c1.db" 'SELECT sum(n) FROM tot_hour')" \
  "$(q "$tmp/c1.db" 'SELECT count(*) FROM votes') $(q "$tmp/c1.db" 'SELECT count(*) FROM votes') $(q "$tmp/c1.db" 'SELECT count(*) FROM votes') $(q "$tmp/c1.db" 'SELECT count(*) FROM votes WHERE misuse = 0')"

# ---- the collector refuses a newer version's database, exit 2 ----
cp "$tmp/cb1.db" "$tmp/cnew.db"
q "$tmp/cnew.db" "INSERT INTO schema_version (version, program) VALUES ($((cl + 1)), 'hailong-collector 9.9.0')"
cwant="$tmp/cnew.db was written by hailong-collector 9.9.0 (schema $((cl + 1))); this is hailong-collector $cv (schema $cl): install hailong-collector 9.9.0 or newer"
for c in "init" "kiosk list" "operator add ops" "backup --out $tmp/cn.db" "serve --listen 127.0.0.1:0"; do
  # shellcheck disable=SC2086
  run "collector newer: $c" 2 "$tmp/cn.out" "$cbin" $c --db "sqlite:$tmp/cnew.db"
  check "collector newer: $c names the version" contains "$tmp/cn.out" "$cwant"
done

finish
