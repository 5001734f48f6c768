#!/usr/bin/env bash
# test_package: the Debian packages. cpack -G DEB from this build, then: lintian without errors,
# the files where Debian wants them, dependencies computed from the binaries (the collector pulls
# nothing of SDL, the kiosk nothing of libmicrohttpd or libpq), the conffiles, the maintainer
# scripts, and systemd-analyze verify (and the collector's exposure) on the units.
# Usage: test_package.sh BUILD_DIR [SANITIZE(0/1)]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=$(cd "$1" && pwd)
if [ "${2:-0}" = 1 ]; then
  # (exit 77: ctest's SKIP_RETURN_CODE, shown as skipped, never as passed)
  echo "test_package: skipped in the sanitizer build: no package is ever made of sanitized" \
    "binaries (the ordinary build runs this test)" >&2
  exit 77
fi
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
need_tools test_package cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze
tmp=$(mktemp -d)
trap '[ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"' EXIT

(cd "$build" && cpack -G DEB -B "$tmp/out") >"$tmp/cpack.log" 2>&1
rc=$?
same "cpack -G DEB" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/    /' "$tmp/cpack.log" >&2
kiosk=$(ls "$tmp"/out/hailong-kiosk_*.deb 2>/dev/null | head -1)
coll=$(ls "$tmp"/out/hailong-collector_*.deb 2>/dev/null | head -1)
check "hailong-kiosk_*.deb made" test -f "$kiosk"
check "hailong-collector_*.deb made" test -f "$coll"
[ -f "$kiosk" ] && [ -f "$coll" ] || { finish; exit 1; }

# lintian: no error and no warning (the one deliberate one is overridden in the package: the
# bundled fonts)
lintian --fail-on error,warning --tag-display-limit 0 "$kiosk" "$coll" >"$tmp/lintian.log" 2>&1
rc=$?
same "lintian: no errors, no warnings" "$rc" 0
grep -v 'root privileges' "$tmp/lintian.log" | sed 's/^/    lintian: /' >&2
# and Debian's hardening flags (CMake's HL_HARDEN), which lintian reports only as information
lintian -I --tag-display-limit 0 "$kiosk" "$coll" 2>/dev/null | grep 'hardening-' >"$tmp/harden.log"
same "binaries built with fortify, stack protector and relro/now (no lintian hardening-* tag)" \
  "$(cat "$tmp/harden.log")" ""

# contents
mkdir -p "$tmp/k" "$tmp/c"
dpkg-deb -x "$kiosk" "$tmp/k"
dpkg-deb -x "$coll" "$tmp/c"
for f in usr/bin/hailong-kiosk usr/share/hailong/fonts/NotoSans-Regular.ttf \
  usr/share/hailong/content/officers.json etc/hailong/kiosk.ini \
  lib/systemd/system/hailong-kiosk.service usr/share/polkit-1/rules.d/50-hailong-kiosk.rules \
  usr/share/doc/hailong-kiosk/copyright usr/share/doc/hailong-kiosk/changelog.gz \
  usr/share/man/man1/hailong-kiosk.1.gz usr/share/doc/hailong-kiosk/DEPLOY.md \
  usr/share/doc/hailong-kiosk/huong-dan-quan-tri.md; do
  check "hailong-kiosk has /$f" test -e "$tmp/k/$f"
done
for f in usr/bin/hailong-collector etc/hailong/collector.conf usr/share/man/man1/hailong-collector.1.gz \
  lib/systemd/system/hailong-collector.service usr/share/doc/hailong-collector/copyright \
  usr/share/doc/hailong-collector/changelog.gz usr/share/doc/hailong-collector/DEPLOY.md \
  usr/share/doc/hailong-collector/COLLECTOR.md; do
  check "hailong-collector has /$f" test -e "$tmp/c/$f"
done
check "hailong-collector has no kiosk file" test ! -e "$tmp/c/usr/bin/hailong-kiosk"
check "hailong-kiosk has no collector file" test ! -e "$tmp/k/usr/bin/hailong-collector"
outside=$(cd "$tmp/k" && find . -type f | grep -vE '^\./(usr/(bin|share)|etc/hailong|lib/systemd/system)/' ; \
  cd "$tmp/c" && find . -type f | grep -vE '^\./(usr/(bin|share)|etc/hailong|lib/systemd/system)/')
same "no file outside /usr/bin, /usr/share, /etc/hailong and /lib/systemd/system" "$outside" ""
check "the installed kiosk.ini keeps the votes in /var/lib/hailong" \
  grep -q '^data_dir = /var/lib/hailong$' "$tmp/k/etc/hailong/kiosk.ini"
check "the installed collector.conf names its SQLite database" \
  grep -q '^db = sqlite:/var/lib/hailong-collector/collector.db$' "$tmp/c/etc/hailong/collector.conf"
for b in k/usr/bin/hailong-kiosk c/usr/bin/hailong-collector; do
  # (the build folder may sit inside the source folder: the source path covers both)
  for p in "$src" "$build"; do
    check "no path of the build ($p) in /${b#*/}" \
      bash -c "[ -n '$p' ] && ! grep -q -a -F '$p' '$tmp/$b'"
  done
  check "/${b#*/} is stripped (no symbol table, no debug info)" \
    bash -c "! readelf -S '$tmp/$b' | grep -qE '\\.(symtab|debug_)'"
done
# the shipped collector.conf works as it is (only its database moved here): init makes the
# database, so the service starts out of the box
sed "s|^db = sqlite:.*|db = sqlite:$tmp/conf-check.db|" "$tmp/c/etc/hailong/collector.conf" \
  >"$tmp/collector.conf"
"$tmp/c/usr/bin/hailong-collector" init --config "$tmp/collector.conf" >"$tmp/init.log" 2>&1
rc=$?
same "the shipped collector.conf is read by hailong-collector init" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/    /' "$tmp/init.log" >&2
check "... which made the database it names" test -s "$tmp/conf-check.db"

# dependencies computed from the binaries (dpkg-shlibdeps), plus the declared ones
kdep=$(dpkg-deb -f "$kiosk" Depends)
cdep=$(dpkg-deb -f "$coll" Depends)
for d in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libcurl4 libsqlite3-0 libsystemd0 cage xwayland \
  libpam-systemd adduser; do
  check "hailong-kiosk depends on $d" grep -q "\\b$d\\b" <<<"$kdep"
done
for d in libmicrohttpd12 libpq5 libsqlite3-0 libsystemd0 adduser; do
  check "hailong-collector depends on $d" grep -q "\\b$d\\b" <<<"$cdep"
done
check "hailong-collector needs nothing of SDL" bash -c "! grep -q sdl <<<'$cdep'"
check "hailong-kiosk needs no libmicrohttpd or libpq" bash -c "! grep -qE 'microhttpd|libpq' <<<'$kdep'"
check "hailong-kiosk recommends udisks2" grep -q udisks2 <<<"$(dpkg-deb -f "$kiosk" Recommends)"

# conffiles and maintainer scripts
dpkg-deb -e "$kiosk" "$tmp/k-ctl"
dpkg-deb -e "$coll" "$tmp/c-ctl"
same "hailong-kiosk conffiles" "$(cat "$tmp/k-ctl/conffiles")" /etc/hailong/kiosk.ini
same "hailong-collector conffiles" "$(cat "$tmp/c-ctl/conffiles")" /etc/hailong/collector.conf
for p in k c; do
  for s in postinst prerm postrm; do
    check "$p: $s is executable and parses (sh -n)" \
      bash -c "[ -x '$tmp/$p-ctl/$s' ] && sh -n '$tmp/$p-ctl/$s'"
  done
done
check "kiosk postinst makes the system user hailong" \
  grep -q 'adduser --system --group --home /var/lib/hailong ' "$tmp/k-ctl/postinst"
check "collector postinst makes the system user hailong-collector" \
  grep -q 'adduser --system --group --home /var/lib/hailong-collector ' "$tmp/c-ctl/postinst"
rule=$tmp/k/usr/share/polkit-1/rules.d/50-hailong-kiosk.rules
same "the polkit rule names exactly the six udisks2 actions the kiosk uses" \
  "$(grep -o '"org\.freedesktop\.[a-z0-9.-]*"' "$rule" | tr -d '"' | sort | tr '\n' ' ')" \
  "$(printf '%s\n' filesystem-mount filesystem-mount-other-seat power-off-drive \
    power-off-drive-other-seat eject-media eject-media-other-seat |
    sed 's/^/org.freedesktop.udisks2./' | sort | tr '\n' ' ')"
# The rule run as polkitd runs it (a JavaScript function given the action and the subject; node
# comes from scripts/deps.sh --test): YES only for hailong and those actions, NOT_HANDLED for
# anything else.
rc=0
if ! command -v node >/dev/null; then
  echo "    node is missing: run scripts/deps.sh --test" >&2
  rc=127
else
  node - "$rule" >"$tmp/polkit.log" 2>&1 <<'JS'
const fs = require("fs");
let rule = null;
const polkit = { Result: { YES: "yes", NOT_HANDLED: null }, addRule: (f) => { rule = f; } };
new Function("polkit", fs.readFileSync(process.argv[2], "utf8"))(polkit);
const ask = (id, user) => rule({ id: id }, { user: user });
const u = "org.freedesktop.udisks2.";
const yes = ["filesystem-mount", "filesystem-mount-other-seat", "power-off-drive",
  "power-off-drive-other-seat", "eject-media", "eject-media-other-seat"];
const no = ["filesystem-unmount-others", "modify-device", "encrypted-unlock", "loop-setup",
  "filesystem-fstab", "open-device", "modify-system-configuration"];
let bad = 0;
for (const a of yes) {
  if (ask(u + a, "hailong") !== "yes") { console.log("not granted: " + a); bad++; }
  if (ask(u + a, "nobody") !== null) { console.log("granted to nobody: " + a); bad++; }
}
for (const a of no.map((a) => u + a).concat(["org.freedesktop.login1.reboot",
  "org.freedesktop.systemd1.manage-units"]))
  if (ask(a, "hailong") !== null) { console.log("granted: " + a); bad++; }
process.exit(bad ? 1 : 0);
JS
  rc=$?
fi
same "the polkit rule, run: hailong gets those six and nothing else, others nothing" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/    /' "$tmp/polkit.log" >&2 2>/dev/null || true

# the units: systemd-analyze verify (the ExecStart paths pointed at the extracted binaries; cage
# is the host's), and
# the collector's exposure as systemd rates it (lower is better; "OK" is below 2)
for u in k/lib/systemd/system/hailong-kiosk.service c/lib/systemd/system/hailong-collector.service; do
  name=$(basename "$u")
  sed -e "s|/usr/bin/hailong-|$tmp/${u%%/*}/usr/bin/hailong-|g" "$tmp/$u" >"$tmp/$name"
  # (Documentation=man:... is checked too: man looks in the package's own pages)
  MANPATH=$tmp/${u%%/*}/usr/share/man systemd-analyze verify "$tmp/$name" >"$tmp/verify.log" 2>&1
  rc=$?
  same "systemd-analyze verify $name" "$rc" 0
  [ $rc -eq 0 ] || sed 's/^/    /' "$tmp/verify.log" >&2
done
exposure=$(systemd-analyze security --offline=true "$tmp/hailong-collector.service" 2>/dev/null |
  sed -n 's/.*Overall exposure level for hailong-collector.service: \([0-9.]*\).*/\1/p')
echo "    hailong-collector.service exposure: $exposure" >&2
check "hailong-collector.service exposure below 2.0 (systemd-analyze security)" \
  awk -v e="$exposure" 'BEGIN { exit !(e != "" && e < 2.0) }'
k_unit=$tmp/k/lib/systemd/system/hailong-kiosk.service
check "the kiosk runs under cage on tty1 as hailong" \
  bash -c "grep -q '^ExecStart=/usr/bin/cage -- /usr/bin/hailong-kiosk --config /etc/hailong/kiosk.ini$' '$k_unit' && grep -q '^TTYPath=/dev/tty1$' '$k_unit' && grep -q '^User=hailong$' '$k_unit'"
check "... without VT switching (no cage -s) and restarted on any exit" \
  bash -c "! grep -q 'cage -s' '$k_unit' && grep -q '^Restart=always$' '$k_unit'"
check "... Type=notify, NotifyAccess=all, a watchdog" \
  bash -c "grep -q '^Type=notify$' '$k_unit' && grep -q '^NotifyAccess=all$' '$k_unit' && grep -q '^WatchdogSec=' '$k_unit'"
finish
