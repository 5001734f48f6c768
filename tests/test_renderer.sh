#!/usr/bin/env bash
# test_renderer: [display] renderer with the real, windowed kiosk on Xvfb, whose only OpenGL is
# Mesa's software rasteriser (llvmpipe). auto picks SDL's software renderer and says why in its
# "renderer:" line, without loading Mesa's GL driver when there is no GPU device; with a (fake)
# GPU device it asks OpenGL and still picks software; accelerated and software force one; a bad
# value exits 2 naming the file, line and key. Each run presents its first frame and exits
# (HAILONG_BENCH_FIRST_FRAME=1).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/lib.sh"
kiosk=${HL_BIN_DIR:-$src/build/bin}/hailong-kiosk
export HAILONG_ASSETS=${HAILONG_ASSETS:-$src/assets}
need_tools test_renderer Xvfb
need_bins test_renderer "$kiosk"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hl-renderer.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${HL_TEST_KEEP:-}" = 1 ] || rm -rf "$tmp"
}
trap cleanup EXIT
start_xvfb "$tmp" || { finish; exit 1; }
# X11, Mesa and D-Bus leave allocations at exit that LeakSanitizer reports (see test_systemd).
xasan=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
mkdir -p "$tmp/no-gpu" "$tmp/fake-gpu"
: >"$tmp/fake-gpu/renderD128"

# run NAME WANT_RC RENDERER_LINE [VAR=VALUE...]: the kiosk with "[display] renderer = NAME's value"
# in $tmp/NAME.ini (written by the caller); its log and the dynamic loader's list of the files it
# opened (LD_DEBUG=files) in $tmp/NAME.*. Checks the exit code and that the log holds the line.
run() {
  local name=$1 want=$2 line=$3 rc=0; shift 3
  env -u SDL_VIDEODRIVER -u WAYLAND_DISPLAY -u LIBGL_ALWAYS_SOFTWARE DISPLAY="$display" "$xasan" \
    HAILONG_BENCH_FIRST_FRAME=1 LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/$name.ld" "$@" \
    timeout 60 "$kiosk" --config "$tmp/$name.ini" --data-dir "$tmp/$name" >"$tmp/$name.log" 2>&1 ||
    rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$name: exit code $want"; else
    bad "$name: exit code $rc, expected $want"
    sed 's/^/    /' "$tmp/$name.log" >&2
  fi
  check "$name: log says '$line'" contains "$tmp/$name.log" "$line"
  no_sanitizer "$name" "$tmp/$name.log"
}
# loaded_gl NAME: the run loaded a Mesa DRI driver (swrast_dri.so and friends: OpenGL itself).
# grep reads the files itself: "cat | grep -q" under pipefail fails whenever grep stops early.
loaded_gl() { grep -qs 'file=.*_dri\.so' "$tmp/$1".ld.*; }
ini() { printf '[display]\nfullscreen = false\nwidth = 640\nheight = 400\nrenderer = %s\n' "$2" >"$tmp/$1.ini"; }

ini auto auto
run auto 0 "renderer: software (no GPU device in $tmp/no-gpu: OpenGL would be a software rasteriser)" \
  HAILONG_DRI_DIR="$tmp/no-gpu"
check "auto without a GPU device: OpenGL is never loaded" eval '! loaded_gl auto'

ini auto-gpu auto
run auto-gpu 0 "renderer: software (OpenGL is llvmpipe" HAILONG_DRI_DIR="$tmp/fake-gpu"
check "auto with a GPU device: OpenGL was asked" loaded_gl auto-gpu

ini software software
run software 0 "renderer: software ([display] renderer = software)" HAILONG_DRI_DIR="$tmp/fake-gpu"
check "software: OpenGL is never loaded" eval '! loaded_gl software'

ini accelerated accelerated
run accelerated 0 "renderer: accelerated ([display] renderer = accelerated; OpenGL is " \
  HAILONG_DRI_DIR="$tmp/no-gpu"
check "accelerated: the log names the renderer SDL made" contains "$tmp/accelerated.log" \
  "video: driver x11, renderer opengl (accelerated"

# A bad value: exit 2 before any window, naming file, line and key.
printf '[display]\nfullscreen = false\nrenderer = gpu\n' >"$tmp/bad.ini"
run bad 2 "$tmp/bad.ini:3: [display] renderer: \"gpu\" is not a renderer; use auto (the default), software or accelerated"

finish
