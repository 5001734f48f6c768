#!/usr/bin/env bash
# Installs the Debian 12 packages Hài lòng needs to build, run and test; skips what is present.
set -euo pipefail
pkgs=(build-essential cmake pkg-config
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
  libsqlite3-dev sqlite3 libcjson-dev libinih-dev libutf8proc-dev libqrencode-dev
  libcurl4-openssl-dev zlib1g-dev
  libmicrohttpd-dev libpq-dev libsodium-dev libsystemd-dev
  libxlsxwriter-dev libpango1.0-dev libcairo2-dev
  libx11-dev libxtst-dev) # bench_tap: XGetImage and XTest clicks on the real kiosk window
if [ "${1:-}" = "--test" ]; then
  pkgs+=(xvfb xauth zbar-tools curl openssl unzip git clang-format)
  pkgs+=(poppler-utils) # the Chairman's letters checked with pdftotext, pdfinfo, pdffonts
  # packages and the kiosk session: cpack's dpkg-shlibdeps, lintian, a throw-away Debian root,
  # cage on its headless back-end and grim to screenshot it (tests/test_package.sh and friends)
  pkgs+=(dpkg-dev file lintian debootstrap cage xwayland grim)
  pkgs+=(nginx-light python3) # docs/DEPLOY.md's nginx site, run by tests/test_docs.sh
  pkgs+=(nodejs) # test_package runs the polkit rule as polkitd would (a JavaScript function)
  pkgs+=(libfaketime) # test_clock: the kiosk's PC clock at 2000 and 2099
  pkgs+=(clang) # libFuzzer: the fuzz targets' short runs (fuzz/CMakeLists.txt)
  pkgs+=(dbus-daemon python3-dbus python3-gi) # a private bus and a fake udisks2: test_udisks
  pkgs+=(postgresql-15 postgresql-client-15) # a throwaway server for the tests: scripts/pg-test.sh
  pkgs+=(chromium) # the dashboard in a real browser, headless (tests/test_dashboard_ui.sh)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
