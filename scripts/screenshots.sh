#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png by running the real kiosk on a scripted session (headless).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target hailong-kiosk >/dev/null
out=docs/screenshots
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SDL_VIDEODRIVER=dummy HAILONG_LOG=warn
cat >"$tmp/lobby.txt" <<SCRIPT
screenshot $out/home-lobby.png
tap rate
screenshot $out/pick.png
tap officer-tp-ha
screenshot $out/rate.png
tap rate-1
tap reason-cham-tre
tap reason-huong-dan
screenshot $out/reasons.png
tap send
screenshot $out/apology.png
tap more
type Chờ quá lâu, cán bộ hẹn ba lần mới trả kết quả
screenshot $out/fb-text.png
tap send
screenshot $out/fb-consent.png
tap consent-yes
type Nguyễn Thị Hường
tap field-phone
type 0912345678
screenshot $out/fb-contact.png
tap send
screenshot $out/fb-thanks.png
tap done
tap feedback
screenshot $out/fb-kind.png
tap back
wait 100000
screenshot $out/attract.png
SCRIPT
build/bin/hailong-kiosk --data-dir "$tmp/lobby" --script "$tmp/lobby.txt" --clock 2026-11-26T09:30
cat >"$tmp/desk.txt" <<SCRIPT
screenshot $out/home-desk.png
tap rate-3
screenshot $out/thanks.png
SCRIPT
build/bin/hailong-kiosk --config assets/demo/desk.ini --data-dir "$tmp/desk" \
  --script "$tmp/desk.txt" --clock 2026-11-26T09:30
cat >"$tmp/procs.txt" <<SCRIPT
tap procs
screenshot $out/procs.png
tap field-0
screenshot $out/proc-list.png
tap proc-0
screenshot $out/proc.png
tap back
tap back
tap search
tap key-k
tap key-e
tap key-t
tap key-space
tap key-h
tap key-o
screenshot $out/search.png
tap back
tap back
tap fees
screenshot $out/fees.png
tap back
tap directory
screenshot $out/directory.png
SCRIPT
build/bin/hailong-kiosk --data-dir "$tmp/procs" --script "$tmp/procs.txt" --clock 2026-11-26T09:30
cat >"$tmp/portrait.txt" <<SCRIPT
screenshot $out/home-desk-portrait.png
SCRIPT
build/bin/hailong-kiosk --config assets/demo/desk.ini --data-dir "$tmp/portrait" \
  --windowed=1080x1920 --script "$tmp/portrait.txt" --clock 2026-11-26T09:30
echo "screenshots written to $out/"
