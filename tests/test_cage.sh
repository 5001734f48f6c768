#!/usr/bin/env bash
# test_cage: the kiosk session really draws. The real hailong-kiosk runs fullscreen inside cage
# (the Wayland kiosk compositor the hailong-kiosk package starts on tty1) on wlroots' headless
# back-end, through SDL's Wayland driver, as an unprivileged user (cage refuses root); grim takes
# a screenshot through the compositor and the test checks what a citizen would see: the header's
# blue band across the whole output, and the kiosk's log naming the wayland driver. Without a
# display the same kiosk must exit 1 (it would otherwise run invisibly).
# Usage: test_cage.sh HAILONG_KIOSK SOURCE_DIR OUT_PNG
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
kiosk=$1 src=$2 out=$3
need_tools test_cage cage grim Xwayland setpriv python3
need_bins test_cage "$kiosk"
user=nobody # cage drops root and refuses to run as root; any account without a login will do
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'kill "${cage_pid:-}" 2>/dev/null; wait 2>/dev/null; [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"' EXIT
run=$tmp/run data=$tmp/data
mkdir -p "$run" "$data"
chown "$user" "$run" "$data"
chmod 700 "$run"

# The demo lobby, as the package's kiosk.ini runs it.
# setpriv executes the command itself (runuser would fork): the cage started below with exec is
# $! itself, so the test stops it.
as_user() {
  setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
    env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$run" "$@"
}
# HAILONG_REDRAW_EVERY_FRAME: the headless back-end's capture shows a client only while it keeps
# committing frames, and an idle kiosk commits none (a real screen keeps its last frame). In the
# sanitizer build, Mesa's and libwayland's allocations held at exit are not ours: no leak check
# here (the address and undefined-behaviour checks stay on; headless tests check our leaks).
(exec setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
  env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$run" WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
  SDL_VIDEODRIVER=wayland HAILONG_REDRAW_EVERY_FRAME=1 ASAN_OPTIONS=detect_leaks=0 \
  cage -- "$kiosk" --config "$src/assets/demo/lobby.ini" --data-dir "$data") >"$tmp/cage.log" 2>&1 &
cage_pid=$!

# wait for the compositor's socket, then for a screenshot that is not black
sock=
for _ in $(seq 100); do
  sock=$(cd "$run" && ls wayland-? 2>/dev/null | head -1)
  [ -n "$sock" ] && break
  sleep 0.1
done
check "cage made its Wayland socket" test -n "$sock"
shot_ok=0
for _ in $(seq 60); do
  if as_user WAYLAND_DISPLAY="$sock" grim - >"$tmp/shot.png" 2>/dev/null &&
    python3 "$here/support/png_probe.py" "$tmp/shot.png" header >/dev/null 2>&1; then
    shot_ok=1
    break
  fi
  sleep 0.25
done
same "grim's screenshot shows the kiosk's header band across the output" "$shot_ok" 1
[ $shot_ok -eq 1 ] && cp "$tmp/shot.png" "$out"
check "the kiosk logged the Wayland driver" contains "$tmp/cage.log" "video: driver wayland"
check "... and started" contains "$tmp/cage.log" "started: mode lobby"
kill -TERM "$cage_pid" 2>/dev/null
wait "$cage_pid" 2>/dev/null
no_sanitizer "kiosk log" "$tmp/cage.log"
[ "$failed" -eq 0 ] || sed 's/^/    /' "$tmp/cage.log" >&2

# No display at all: exit 1 with the message, never a kiosk running blind.
rc=0
as_user SDL_VIDEODRIVER=offscreen "$kiosk" --config "$src/assets/demo/lobby.ini" \
  --data-dir "$data" >"$tmp/blind.log" 2>&1 || rc=$?
same "on SDL's offscreen driver the kiosk exits 1" "$rc" 1
check "... saying there is no display" contains "$tmp/blind.log" "no display"
finish
