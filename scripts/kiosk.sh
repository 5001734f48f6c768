#!/usr/bin/env bash
# Builds hailong-kiosk and runs it in a window on the bundled demo content.
# Extra arguments go to the kiosk, e.g. scripts/kiosk.sh --windowed=1920x1080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target hailong-kiosk
mkdir -p build/demo-data
if [ $# -eq 0 ]; then set -- --windowed; fi
exec build/bin/hailong-kiosk --data-dir build/demo-data "$@"
