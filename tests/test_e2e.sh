#!/usr/bin/env bash
# test_e2e: runs the real hailong-kiosk headless (--script, simulated clock) in lobby and desk mode
# and checks votes.db row by row with the sqlite3 CLI; also exit codes and messages for bad
# usage, bad config, bad content, a failed script step, and a corrupt votes.db moved aside.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
bin=${HL_BIN_DIR:-$src/build/bin}/hailong-kiosk
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
need_tools test_e2e sqlite3
need_bins test_e2e "$bin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# kiosk NAME WANT_RC OUT ARGS...: runs the real binary, output (stdout+stderr) to OUT; checks the
# exit code and that no sanitizer complained (the test also runs in the ASan/UBSan build).
kiosk() {
  local name=$1 want=$2 out=$3; shift 3
  local rc=0
  "$bin" "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$out" >&2
  else
    ok "$name: exit code $want"
  fi
  no_sanitizer "$name" "$out"
}

rows() { # every column the contract names, one vote a line, in seq order
  sqlite3 -batch -noheader -separator '|' "$1" \
    "SELECT seq, kiosk_id, officer_code, rating, reasons, created_at, misuse, sync_state
     FROM votes ORDER BY seq"
}
# uuid and boot_id: made at the kiosk; one boot for the run; the boot the kiosk logged.
identity_checks() { # NAME DB LOG N
  local name=$1 db=$2 log=$3 n=$4
  same "$name: uuids are distinct v4, one boot_id, seq 1..N" \
    "$(sqlite3 -batch "$db" "SELECT count(DISTINCT uuid), sum(length(uuid) = 36 AND
        substr(uuid, 15, 1) = '4' AND uuid = lower(uuid)), count(DISTINCT boot_id),
        min(seq), max(seq), count(*) FROM votes")" "$n|$n|1|1|$n|$n"
  local boot
  boot=$(sqlite3 -batch "$db" "SELECT DISTINCT boot_id FROM votes") || true
  check "$name: boot_id $boot is the one the kiosk logged" contains "$log" "boot $boot"
  same "$name: journal_mode" "$(sqlite3 -batch "$db" 'PRAGMA journal_mode')" wal
}

# session NAME WANT: runs $tmp/NAME.script with assets/demo/NAME.ini on a new data folder, then
# checks votes.db: the rows (WANT, one vote a line) and the identity of each vote.
session() {
  local name=$1 want=$2
  mkdir "$tmp/$name"
  kiosk "$name session" 0 "$tmp/$name.log" --config "$src/assets/demo/$name.ini" \
    --data-dir "$tmp/$name" --script "$tmp/$name.script" --clock "$clock"
  same "$name: votes.db rows" "$(rows "$tmp/$name/votes.db")" "$want"
  identity_checks "$name" "$tmp/$name/votes.db" "$tmp/$name.log" "$(wc -l <<<"$want")"
}

# The simulated clock starts at 09:30 Vietnam time = 02:30 UTC; created_at is UTC ms, advanced
# only by the script's waits.
t0=$(($(date -u -d '2026-11-26T02:30:00Z' +%s) * 1000))
clock=2026-11-26T09:30

# ---------------------------------------------------------------------------------------------
# Lobby mode (assets/demo/lobby.ini: idle 90 s, screen 45 s, thanks 6 s, follow-up 25 s,
# response_interval 5 s). Votes are at least 5 s apart, so none is misuse.
cat >"$tmp/lobby.script" <<'EOF'
expect home
# 1: tp-hung, very happy, at t0
tap rate
expect pick
tap officer-tp-hung
expect rate
tap rate-3
expect thanks
tap done
expect home
wait 60000
# 2: vh-mai, happy, at t0+60 s; the thank-you screen closes on its own after 6 s
tap rate
tap officer-vh-mai
tap rate-2
expect thanks
wait 6000
expect home
wait 30000
# 3: dc-minh, unhappy, two reasons sent, at t0+96 s
tap rate
tap officer-dc-minh
tap rate-1
expect reasons
tap reason-thai-do
tap reason-cham-tre
tap send
expect thanks
tap done
expect home
wait 45000
# 4: tc-tuan, unhappy, a reason chosen then skipped (skip clears it), at t0+141 s
tap rate
tap officer-tc-tuan
tap rate-1
expect reasons
tap reason-khac
tap skip
expect thanks
tap done
wait 20000
# a swipe across a face on the rate screen chooses nothing (t0+161 s)
tap rate
tap officer-tp-ha
expect rate
swipe rate-3
expect rate
swipe rate-1
expect rate
tap back
expect pick
tap back
expect home
wait 10000
# 5: vp-lan, unhappy, one reason, then the follow-up times out (keeps it), at t0+171 s
tap rate
tap officer-vp-lan
tap rate-1
tap reason-huong-dan
wait 25000
expect thanks
wait 6000
# the apology stays apology_duration (14 s; test_fb_ui times it): "Xong" ends it here
tap done
expect home
# idle: Home -> attract 90 s after the last touch (t0+171 s + 90 s); a touch on the big "rate"
# area wakes the kiosk and chooses nothing (stays on Home, no pick screen, no vote)
wait 90000
expect attract
tapxy 300 450
expect home
wait 1000
# 6: tp-hung, happy, at t0+293 s
tap rate
tap officer-tp-hung
tap rate-2
expect thanks
quit
EOF
session lobby "\
1|demo-lobby-01|tp-hung|3|[]|$t0|0|unsent
2|demo-lobby-01|vh-mai|2|[]|$((t0 + 60000))|0|unsent
3|demo-lobby-01|dc-minh|1|[\"cham-tre\",\"thai-do\"]|$((t0 + 96000))|0|unsent
4|demo-lobby-01|tc-tuan|1|[]|$((t0 + 141000))|0|unsent
5|demo-lobby-01|vp-lan|1|[\"huong-dan\"]|$((t0 + 171000))|0|unsent
6|demo-lobby-01|tp-hung|2|[]|$((t0 + 293000))|0|unsent"

# ---------------------------------------------------------------------------------------------
# Desk mode (assets/demo/desk.ini: counter 1 = vp-lan, the faces are on Home). 141,608 is the
# centre of the rate-3 face on Home at 1280x800.
cat >"$tmp/desk.script" <<'EOF'
expect home
# 1: very happy at t0
tap rate-3
expect thanks
tap done
expect home
# 2: pressed again 2 s later: stored, flagged as misuse
wait 2000
tap rate-3
expect thanks
tap done
expect home
wait 10000
# a swipe across the faces chooses nothing (t0+12 s)
swipe rate-2
expect home
swipe rate-1
expect home
wait 5000
# 3: unhappy, two reasons sent, at t0+17 s
tap rate-1
expect reasons
tap reason-di-lai
tap reason-huong-dan
tap send
expect thanks
wait 6000
# the apology stays apology_duration (14 s; test_fb_ui times it): "Xong" ends it here
tap done
expect home
wait 7000
# 4: unhappy, skipped, at t0+30 s
tap rate-1
expect reasons
tap skip
expect thanks
tap done
wait 30000
# 5: happy at t0+60 s
tap rate-2
expect thanks
tap done
# idle: attract 90 s after the last touch (t0+150 s); a touch where the rate-3 face is on Home
# only wakes the kiosk
wait 95000
expect attract
tapxy 141 608
expect home
wait 1000
# 6: the same touch on Home is a vote (so the touch above was on the face), at t0+156 s
tapxy 141 608
expect thanks
quit
EOF
session desk "\
1|demo-desk-01|vp-lan|3|[]|$t0|0|unsent
2|demo-desk-01|vp-lan|3|[]|$((t0 + 2000))|1|unsent
3|demo-desk-01|vp-lan|1|[\"huong-dan\",\"di-lai\"]|$((t0 + 17000))|0|unsent
4|demo-desk-01|vp-lan|1|[]|$((t0 + 30000))|0|unsent
5|demo-desk-01|vp-lan|2|[]|$((t0 + 60000))|0|unsent
6|demo-desk-01|vp-lan|3|[]|$((t0 + 156000))|0|unsent"

# A second run on the same file: a new boot, seq goes on from 7.
printf 'tap rate-2\nexpect thanks\nquit\n' >"$tmp/again.script"
kiosk "desk second run" 0 "$tmp/again.log" --config "$src/assets/demo/desk.ini" \
  --data-dir "$tmp/desk" --script "$tmp/again.script" --clock 2026-11-26T10:00
same "desk second run: seq 7, new boot_id" \
  "$(sqlite3 -batch "$tmp/desk/votes.db" "SELECT seq, rating, created_at,
      boot_id <> (SELECT boot_id FROM votes WHERE seq = 1) FROM votes WHERE seq > 6")" \
  "7|2|$((t0 + 1800000))|1"

# ---------------------------------------------------------------------------------------------
# Usage, config and content errors: exit 2 with a message naming what is wrong.
kiosk "--help" 0 "$tmp/help.log" --help
check "--help prints usage" contains "$tmp/help.log" "Usage: hailong-kiosk"
kiosk "unknown option" 2 "$tmp/unknown.log" --frobnicate
check "unknown option is named" contains "$tmp/unknown.log" '"--frobnicate"'
kiosk "--clock without --script" 2 "$tmp/clock.log" --clock "$clock"

printf '[kiosk]\nid = bad-01\nmode = dsk\n' >"$tmp/bad.ini"
kiosk "bad config" 2 "$tmp/badcfg.log" --config "$tmp/bad.ini" --data-dir "$tmp/unused"
check "bad config names file and line" contains "$tmp/badcfg.log" "$tmp/bad.ini:3:"
check "bad config names the key" contains "$tmp/badcfg.log" "mode"

cp -r "$src/assets/content" "$tmp/content"
printf '{ "format": 1, "officers": [ { "code": "vp-lan",, } ] }\n' >"$tmp/content/officers.json"
printf '[kiosk]\ncontent_dir = %s\n' "$tmp/content" >"$tmp/badcontent.ini"
kiosk "bad content" 2 "$tmp/badcontent.log" --config "$tmp/badcontent.ini" \
  --data-dir "$tmp/unused"
check "bad content names the file" contains "$tmp/badcontent.log" "$tmp/content/officers.json"

# No display: the real kiosk (no --script) must not run unseen on SDL's dummy or offscreen video
# driver but exit 1 with a message, so that its service restarts it (a kiosk that keeps running
# is stopped by timeout and fails). HAILONG_ALLOW_HEADLESS=1 lets benchmarks run it there.
# nodisplay NAME WANT_RC OUT VAR=VALUE...: runs the kiosk with no DISPLAY/WAYLAND_DISPLAY.
nodisplay() {
  local name=$1 want=$2 out=$3; shift 3
  local rc=0
  env -u DISPLAY -u WAYLAND_DISPLAY -u HAILONG_ALLOW_HEADLESS "$@" timeout 30 "$bin" \
    --config "$src/assets/demo/desk.ini" --data-dir "$tmp/nodisplay" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$out" >&2
  else
    ok "$name: exit code $want"
  fi
  no_sanitizer "$name" "$out"
}
nodisplay "dummy driver" 1 "$tmp/nodisp-dummy.log" SDL_VIDEODRIVER=dummy
check "dummy driver: says no display" contains "$tmp/nodisp-dummy.log" \
  "no display: SDL picked the 'dummy' video driver"
check "dummy driver: says what to check" contains "$tmp/nodisp-dummy.log" "graphical session"
nodisplay "offscreen driver" 1 "$tmp/nodisp-off.log" SDL_VIDEODRIVER=offscreen
check "offscreen driver: says no display" contains "$tmp/nodisp-off.log" \
  "no display: SDL picked the 'offscreen' video driver"
nodisplay "opted in (benchmarks)" 0 "$tmp/nodisp-allow.log" SDL_VIDEODRIVER=dummy \
  HAILONG_ALLOW_HEADLESS=1 HAILONG_BENCH_FIRST_FRAME=1
check "opted in: logs driver and renderer" contains "$tmp/nodisp-allow.log" \
  "video: driver dummy, renderer software"
check "--script logs driver and renderer" contains "$tmp/desk.log" "video: driver dummy"

# hailong-kiosk check: what the kiosk reads at start, read the same way, without a display.
kiosk "check on the demo" 0 "$tmp/check.log" check --config "$src/assets/demo/desk.ini" \
  --data-dir "$tmp/check-data"
check "check: says all is well with what it read" contains "$tmp/check.log" \
  "desk.ini: all well: kiosk demo-desk-01, mode desk, 6 officers, 31 procedures"
kiosk "check on bad content" 2 "$tmp/check-content.log" check --config "$tmp/badcontent.ini" \
  --data-dir "$tmp/unused"
check "check: names the content file" contains "$tmp/check-content.log" "$tmp/content/officers.json"
printf '[kiosk]\nmode = dsk\n' >"$tmp/check-mode.ini"
kiosk "check on a bad mode" 2 "$tmp/check-mode.log" check --config "$tmp/check-mode.ini"
check "check: names file, line and key" contains "$tmp/check-mode.log" \
  "$tmp/check-mode.ini:2: [kiosk] mode"
printf '[sync]\nurl = https://hailong.example.vn\ntoken_file = %s/no-token\n' "$tmp" \
  >"$tmp/check-token.ini"
kiosk "check with a missing token_file" 2 "$tmp/check-token.log" check \
  --config "$tmp/check-token.ini" --data-dir "$tmp/check-data"
check "check: names the token file" contains "$tmp/check-token.log" "$tmp/no-token"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  mkdir -p "$tmp/root-owned"
  chmod 755 "$tmp" "$tmp/root-owned"
  rc=0
  setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$bin" check \
    --config "$src/assets/demo/desk.ini" --data-dir "$tmp/root-owned" >"$tmp/check-rw.log" 2>&1 ||
    rc=$?
  same "check: a data folder the user cannot write: exit 1" "$rc" 1
  check "... and how to fix it" contains "$tmp/check-rw.log" "chown hailong:"
fi

# Files from outside are read with a size limit: pointed at /dev/zero, each is refused at once
# with the limit named (before: 2 GiB allocated, then an abort).
kiosk "config pointed at /dev/zero" 2 "$tmp/zero-config.log" check --config /dev/zero
check "... names the limit" contains "$tmp/zero-config.log" "/dev/zero: cannot open: larger than 256 KiB"
printf '[sync]\nurl = https://hailong.example.vn\ntoken_file = /dev/zero\n' >"$tmp/zero-token.ini"
kiosk "token_file pointed at /dev/zero" 2 "$tmp/zero-token.log" check --config "$tmp/zero-token.ini" \
  --data-dir "$tmp/check-data"
check "... names the limit" contains "$tmp/zero-token.log" "token_file: /dev/zero: cannot read: larger than 4 KiB"
mkdir -p "$tmp/zero-content"
cp "$src/assets/content/"*.json "$tmp/zero-content/"
ln -sf /dev/zero "$tmp/zero-content/officers.json"
printf '[kiosk]\ncontent_dir = %s/zero-content\n' "$tmp" >"$tmp/zero-content.ini"
kiosk "officers.json pointed at /dev/zero" 2 "$tmp/zero-content.log" check \
  --config "$tmp/zero-content.ini" --data-dir "$tmp/check-data"
check "... names the file and the limit" contains "$tmp/zero-content.log" \
  "officers.json: cannot open: larger than 4 MiB"
kiosk "import-procedures from /dev/zero" 2 "$tmp/zero-import.log" import-procedures /dev/zero \
  --content-dir "$tmp/zero-content"
check "... names the limit" contains "$tmp/zero-import.log" "/dev/zero: cannot open: larger than 16 MiB"
# (procedures.json must be a regular file to be read at all: one over the limit, sparse.)
truncate -s $((16 * 1024 * 1024 + 1)) "$tmp/zero-content/procedures.json"
rm -f "$tmp/zero-content/officers.json" # the link to /dev/zero: cp would write through it
cp "$src/assets/content/officers.json" "$tmp/zero-content/officers.json"
kiosk "procedures.json over 16 MiB" 2 "$tmp/zero-procs.log" check \
  --config "$tmp/zero-content.ini" --data-dir "$tmp/check-data"
check "... names the file and the limit" contains "$tmp/zero-procs.log" \
  "procedures.json: cannot open: larger than 16 MiB"
rm -f "$tmp/zero-content/procedures.json"
printf '[sync]\nurl = https://hailong.example.vn\ntoken = t0k\nca_file = /dev/zero\n' >"$tmp/zero-ca.ini"
kiosk "ca_file pointed at /dev/zero" 2 "$tmp/zero-ca.log" check --config "$tmp/zero-ca.ini" \
  --data-dir "$tmp/check-data"
check "... names it" contains "$tmp/zero-ca.log" "ca_file: /dev/zero: not a regular file"
# Regular files just over the limit (sparse: no disk used).
printf '[kiosk]\n' >"$tmp/big.ini"
truncate -s $((256 * 1024 + 1)) "$tmp/big.ini"
kiosk "a config over 256 KiB" 2 "$tmp/big-config.log" check --config "$tmp/big.ini"
check "... names the file and the limit" contains "$tmp/big-config.log" \
  "big.ini: cannot open: larger than 256 KiB"
truncate -s $((16 * 1024 * 1024 + 1)) "$tmp/big-procs.csv"
kiosk "import-procedures from a file over 16 MiB" 2 "$tmp/big-import.log" import-procedures \
  "$tmp/big-procs.csv" --content-dir "$tmp/zero-content"
check "... names the file and the limit" contains "$tmp/big-import.log" \
  "big-procs.csv: cannot open: larger than 16 MiB"
check "... and writes nothing" test ! -e "$tmp/zero-content/procedures.json"
# A \u0000 in a content string is refused naming the file, the place and the field (cJSON would
# have cut "Nguyễn\u0000<script>" to "Nguyễn" without a word).
sed '0,/"name": "/s//"name": "X\\u0000<script>/' "$src/assets/content/officers.json" \
  >"$tmp/zero-content/officers.json"
kiosk "\\u0000 in officers.json" 2 "$tmp/nul-content.log" check \
  --config "$tmp/zero-content.ini" --data-dir "$tmp/check-data"
check "... names the file and the field" contains "$tmp/nul-content.log" \
  "officers[0].name: holds \\u0000 (a NUL character)"

printf 'expect home\ntap rate-3\n' >"$tmp/missing.script"
kiosk "script taps a missing target" 1 "$tmp/missing.log" --data-dir "$tmp/missing" \
  --script "$tmp/missing.script" --clock "$clock"
check "failed step names script line and target" \
  contains "$tmp/missing.log" "$tmp/missing.script:2: no target \"rate-3\""

# ---------------------------------------------------------------------------------------------
# A corrupt votes.db is moved aside with its bytes intact, and votes still go into a new file.
mkdir "$tmp/corrupt"
for i in $(seq 1 300); do printf 'garbage %04d \001\377\000 not a database\n' "$i"; done \
  >"$tmp/corrupt/votes.db"
cp "$tmp/corrupt/votes.db" "$tmp/garbage.orig"
printf 'tap rate-1\nexpect reasons\ntap skip\nexpect thanks\nquit\n' >"$tmp/corrupt.script"
kiosk "corrupt votes.db" 0 "$tmp/corrupt.log" --config "$src/assets/demo/desk.ini" \
  --data-dir "$tmp/corrupt" --script "$tmp/corrupt.script" --clock "$clock"
shopt -s nullglob
moved=("$tmp"/corrupt/votes.db.corrupt-*)
shopt -u nullglob
same "exactly one votes.db.corrupt-* file" "${#moved[@]}" 1
if [ "${#moved[@]}" -eq 1 ]; then
  check "moved file keeps the original bytes" cmp -s "${moved[0]}" "$tmp/garbage.orig"
  check "the move is logged with both names" contains "$tmp/corrupt.log" "${moved[0]}"
else
  bad "no votes.db.corrupt-* in $tmp/corrupt"
fi
same "new votes.db has the vote" "$(rows "$tmp/corrupt/votes.db")" \
  "1|demo-desk-01|vp-lan|1|[]|$t0|0|unsent"


# ---------------------------------------------------------------------------------------------
# status on a read-only disk (issue 10, item 5): SQLite cannot make votes.db-shm there, which WAL
# mode needs even to read. A file closed cleanly is read as it is; a -wal holding votes is named
# rather than counted without them. A private mount namespace: nothing is mounted outside it.
ro_status() { # DIR FILES_FROM [WAL_BYTES]: copies FILES_FROM/* onto a read-only tmpfs at DIR
  local dir=$1 from=$2 wal=${3:-}
  local as_root=(-m)
  [ "$(id -u)" = 0 ] || as_root=(-rm) # unprivileged: a user namespace of its own
  mkdir -p "$dir"
  unshare "${as_root[@]}" bash -c '
    mount -t tmpfs none "$1" && cp "$2"/* "$1"/ &&
      { [ -z "$4" ] || printf "%s" "$4" >"$1/votes.db-wal"; } &&
      mount -o remount,ro "$1" && exec "$3" status --data-dir "$1"' _ "$dir" "$from" "$bin" "$wal"
}
rc=0
ro_status "$tmp/ro1" "$tmp/corrupt" >"$tmp/ro1.out" 2>&1 || rc=$?
same "status on a read-only disk: exit code" "$rc" 0
check "status on a read-only disk: counts the vote waiting" contains "$tmp/ro1.out" "votes waiting: 1"
rc=0
ro_status "$tmp/ro2" "$tmp/corrupt" "not empty" >"$tmp/ro2.out" 2>&1 || rc=$?
same "status on a read-only disk with a -wal: exit code" "$rc" 1
check "status on a read-only disk with a -wal: says why it cannot count" contains "$tmp/ro2.out" \
  "votes.db-wal holds votes not yet folded into votes.db, and on a read-only disk SQLite cannot read them"

finish
