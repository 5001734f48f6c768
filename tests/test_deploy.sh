#!/usr/bin/env bash
# test_deploy: both packages installed as on a real PC, then upgraded. Builds release packages of
# this tree twice (version N, and N+1 with one more schema migration: HL_TEST_SCHEMA_BUMP),
# makes a throw-away Debian 12 root with debootstrap, and in it (chroot):
#  - apt-get install ./hailong-*.deb, so dependencies resolve from Debian as on a kiosk PC;
#  - the users, folders and conffiles the packages made; hailong-kiosk --version;
#  - the collector started with its unit's ExecStart as its user, answering /healthz;
#  - votes recorded by the installed kiosk (its --script mode), the configs edited;
#  - N+1 installed over N: the edits and the votes kept, the databases copied aside before their
#    migration, and N's programs refusing the upgraded databases with the version to install.
# Slow (a few minutes, network to deb.debian.org): scripts/test.sh runs it once, after the two
# builds; HAILONG_TEST_DEPLOY=0 skips it there (say so when you do). Needs root (debootstrap,
# chroot). Usage: test_deploy.sh SRC_DIR WORK_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
src=$(cd "$1" && pwd)
work=$2
need_tools test_deploy debootstrap chroot cmake cpack dpkg-deb sqlite3 curl mount
[ "$(id -u)" -eq 0 ] || { echo "test_deploy: needs root (debootstrap, chroot)" >&2; exit 1; }
mkdir -p "$work"
work=$(cd "$work" && pwd)
root=$work/root
# The host's own Debian mirror (and apt proxy, if it has one), so the root is made the way this
# machine installs packages; HAILONG_DEBIAN_MIRROR overrides.
host_mirror() {
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}'; } |
    grep -v security | grep -E '/debian/?$' | head -1
}
mirror=${HAILONG_DEBIAN_MIRROR:-$(host_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
proxy=$(apt-config dump 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -1)
[ -n "$proxy" ] && export http_proxy=$proxy
cleanup() {
  umount "$root/proc" 2>/dev/null
  [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$root"
}
trap cleanup EXIT
t0=$(date +%s)
step() { echo "---- $1 ($(($(date +%s) - t0)) s)" >&2; }

# ---- release packages of this tree: N, and N+1 with a schema migration more ----
version=$(sed -n 's/^project(hailong VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
next="$version+test1" # dpkg orders 0.1.0+test1 after 0.1.0
build_pkgs() { # dir, cmake args...
  local dir=$1; shift
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DHL_BUILD_TESTS=OFF "$@" >"$dir.log" 2>&1 &&
    cmake --build "$dir" -j"$(nproc)" >>"$dir.log" 2>&1 &&
    (cd "$dir" && rm -f ./*.deb && cpack -G DEB) >>"$dir.log" 2>&1
}
step "building release packages $version and $next"
build_pkgs "$work/build-n" || { bad "build the $version packages (see $work/build-n.log)"; finish; exit 1; }
build_pkgs "$work/build-n1" -DHL_PACKAGE_VERSION="$next" -DHL_TEST_SCHEMA_BUMP=ON ||
  { bad "build the $next packages (see $work/build-n1.log)"; finish; exit 1; }
ok "release packages $version and $next built"

# ---- a Debian 12 root (debootstrap once; its tarball is reused by later runs) ----
step "Debian 12 root"
rm -rf "$root"
mkdir -p "$root"
if [ -s "$work/bookworm.tar" ]; then
  tar -xf "$work/bookworm.tar" -C "$root"
else
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { bad "debootstrap bookworm from $mirror (see $work/debootstrap.log)"; finish; exit 1; }
  tar -cf "$work/bookworm.tar" -C "$root" .
fi
# /proc in the root: the installed kiosk finds its assets beside /proc/self/exe. Should mounting
# be refused here, say so and point the kiosk at them instead.
assets_env=()
if ! mount -t proc proc "$root/proc" 2>"$work/mount.log"; then
  echo "test_deploy: cannot mount /proc in the root ($(cat "$work/mount.log")); the kiosk runs" \
    "there with HAILONG_ASSETS=/usr/share/hailong" >&2
  assets_env=(HAILONG_ASSETS=/usr/share/hailong)
fi
[ -n "$proxy" ] && printf 'Acquire::http::Proxy "%s";\n' "$proxy" >"$root/etc/apt/apt.conf.d/01proxy"
cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SRC
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
as_user() { # user, command...
  local u=$1; shift
  chroot --userspec="$u:$u" "$root" env -i PATH=/usr/bin:/bin HOME=/tmp "$@"
}
in_root apt-get update -qq >"$work/apt.log" 2>&1 || { bad "apt-get update in the root"; finish; exit 1; }

# ---- install N ----
step "installing $version"
mkdir -p "$root/tmp/n" "$root/tmp/n1"
cp "$work"/build-n/hailong-*.deb "$root/tmp/n/"
cp "$work"/build-n1/hailong-*.deb "$root/tmp/n1/"
in_root sh -c 'apt-get install -y -q ./tmp/n/hailong-kiosk_*.deb ./tmp/n/hailong-collector_*.deb' \
  >"$work/install-n.log" 2>&1
rc=$?
same "apt-get install ./hailong-kiosk_$version ./hailong-collector_$version (dependencies from Debian)" "$rc" 0
[ $rc -eq 0 ] || { tail -30 "$work/install-n.log" | sed 's/^/    /' >&2; finish; exit 1; }
same "hailong-kiosk --version" "$(in_root hailong-kiosk --version 2>&1 | head -1)" \
  "hailong-kiosk $version"
check "cage came with it" test -x "$root/usr/bin/cage"
check "libpam-systemd came with it (the kiosk's logind session)" \
  bash -c "chroot '$root' dpkg-query -W -f='\${Status}' libpam-systemd | grep -q 'install ok installed'"
# both units verified by the root's own systemd, against the programs the packages installed
in_root systemd-analyze verify --man=no /lib/systemd/system/hailong-kiosk.service \
  /lib/systemd/system/hailong-collector.service >"$work/verify.log" 2>&1
same "systemd-analyze verify of both installed units, in the root" "$?" 0
[ -s "$work/verify.log" ] && sed 's/^/    /' "$work/verify.log" >&2
check "user hailong exists" bash -c "chroot '$root' getent passwd hailong >/dev/null"
check "user hailong-collector exists" bash -c "chroot '$root' getent passwd hailong-collector >/dev/null"
check "hailong is in the video and input groups" \
  bash -c "chroot '$root' id -nG hailong | grep -qw video && chroot '$root' id -nG hailong | grep -qw input"
# (owners as the root's own /etc/passwd names them)
same "/var/lib/hailong: owner and mode" "$(in_root stat -c '%U %a' /var/lib/hailong)" "hailong 750"
same "/var/lib/hailong-collector: owner and mode" \
  "$(in_root stat -c '%U %a' /var/lib/hailong-collector)" "hailong-collector 750"
same "the collector's database made by the package" \
  "$(in_root stat -c '%U' /var/lib/hailong-collector/collector.db 2>&1)" hailong-collector
check "kiosk.ini is a conffile" \
  bash -c "chroot '$root' dpkg-query -W -f='\${Conffiles}' hailong-kiosk | grep -q /etc/hailong/kiosk.ini"
check "collector.conf is a conffile" \
  bash -c "chroot '$root' dpkg-query -W -f='\${Conffiles}' hailong-collector | grep -q /etc/hailong/collector.conf"
check "the kiosk service is enabled" test -L "$root/etc/systemd/system/multi-user.target.wants/hailong-kiosk.service"
check "the collector service is enabled" \
  test -L "$root/etc/systemd/system/multi-user.target.wants/hailong-collector.service"

# ---- the collector as its unit starts it, after the one edit of collector.conf ----
step "collector from its unit's ExecStart"
sed -i 's/^listen = .*/listen = 127.0.0.1:0/' "$root/etc/hailong/collector.conf"
exec_start=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/hailong-collector.service")
same "the unit's ExecStart" "$exec_start" "/usr/bin/hailong-collector serve"
rm -f "$root/tmp/port"
# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
as_user hailong-collector $exec_start --port-file /tmp/port >"$work/collector.log" 2>&1 &
cpid=$!
if wait_port collector "$root/tmp/port" "$cpid" "$work/collector.log"; then
  same "the installed collector answers /healthz" \
    "$(curl -sS "http://127.0.0.1:$(cat "$root/tmp/port")/healthz")" '{"status":"ok"}'
fi
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null

# ---- votes on the installed kiosk (as its user), the kiosk's config edited ----
step "votes with $version"
cat >"$root/tmp/votes.txt" <<'SCRIPT'
tap rate
tap officer-tp-ha
tap rate-3
wait 60000
tap rate
tap officer-tp-ha
tap rate-2
wait 60000
tap rate
tap officer-tp-ha
tap rate-3
wait 60000
SCRIPT
as_user hailong env "${assets_env[@]}" sh -c 'SDL_VIDEODRIVER=dummy hailong-kiosk --config /etc/hailong/kiosk.ini --script /tmp/votes.txt' \
  >"$work/votes.log" 2>&1
rc=$?
same "the installed kiosk records votes (--script)" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/    /' "$work/votes.log" >&2
db=$root/var/lib/hailong/votes.db
votes_n=$(sqlite3 -readonly "$db" 'SELECT count(*) FROM votes' 2>&1)
same "3 votes in /var/lib/hailong/votes.db" "$votes_n" 3
schema_n=$(sqlite3 -readonly "$db" 'PRAGMA user_version')
cschema_n=$(sqlite3 -readonly "$root/var/lib/hailong-collector/collector.db" \
  'SELECT max(version) FROM schema_version' 2>&1)
sed -i 's/^slogan_rotate = .*/slogan_rotate = 12/' "$root/etc/hailong/kiosk.ini"
check "kiosk.ini edited" grep -q '^slogan_rotate = 12$' "$root/etc/hailong/kiosk.ini"

# ---- upgrade to N+1 ----
step "upgrading to $next"
in_root sh -c 'apt-get install -y -q ./tmp/n1/hailong-kiosk_*.deb ./tmp/n1/hailong-collector_*.deb' \
  </dev/null >"$work/install-n1.log" 2>&1
rc=$?
same "apt-get install of $next over $version (no question asked)" "$rc" 0
[ $rc -eq 0 ] || tail -30 "$work/install-n1.log" | sed 's/^/    /' >&2
same "hailong-kiosk --version after the upgrade" "$(in_root hailong-kiosk --version 2>&1 | head -1)" \
  "hailong-kiosk $next"
check "the kiosk.ini edit is kept" grep -q '^slogan_rotate = 12$' "$root/etc/hailong/kiosk.ini"
check "the collector.conf edit is kept" grep -q '^listen = 127.0.0.1:0$' "$root/etc/hailong/collector.conf"
check "no .dpkg-dist or .dpkg-new left beside them" \
  bash -c "! ls '$root'/etc/hailong/*.dpkg-* 2>/dev/null | grep -q ."
# the new kiosk starts as the service would start it (here on a script of one wait, without a
# display): it copies votes.db aside, then migrates it
printf 'wait 1000\n' >"$root/tmp/idle.txt"
as_user hailong env "${assets_env[@]}" sh -c 'SDL_VIDEODRIVER=dummy hailong-kiosk --config /etc/hailong/kiosk.ini --script /tmp/idle.txt' \
  >"$work/start-n1.log" 2>&1
rc=$?
same "$next: the kiosk starts on the old votes.db" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/    /' "$work/start-n1.log" >&2
same "the 3 votes are kept" "$(sqlite3 -readonly "$db" 'SELECT count(*) FROM votes')" 3
same "votes.db migrated one schema up" "$(sqlite3 -readonly "$db" 'PRAGMA user_version')" \
  $((schema_n + 1))
bak=$(ls "$root"/var/lib/hailong/votes.db.pre-v$((schema_n + 1))-*.bak 2>/dev/null | head -1)
check "a copy made before the migration: votes.db.pre-v$((schema_n + 1))-*.bak" test -n "$bak"
if [ -n "$bak" ]; then
  same "... at the old schema with the 3 votes" \
    "$(sqlite3 -readonly "$bak" 'PRAGMA user_version; SELECT count(*) FROM votes' | tr '\n' ' ')" \
    "$schema_n 3 "
  same "... owned by the kiosk's user" "$(in_root stat -c %U "${bak#"$root"}")" hailong
fi
as_user hailong-collector hailong-collector kiosk list >"$work/klist-n1.log" 2>&1
same "$next: hailong-collector kiosk list" "$?" 0
cbak=$(ls "$root"/var/lib/hailong-collector/collector.db.pre-v$((cschema_n + 1))-*.bak 2>/dev/null | head -1)
check "the collector's database copied before its migration" test -n "$cbak"

# ---- N's programs refuse what N+1 upgraded ----
step "$version against $next's databases"
dpkg-deb -x "$(ls "$work"/build-n/hailong-kiosk_*.deb)" "$root/tmp/old"
dpkg-deb -x "$(ls "$work"/build-n/hailong-collector_*.deb)" "$root/tmp/old"
as_user hailong /tmp/old/usr/bin/hailong-kiosk status --config /etc/hailong/kiosk.ini \
  >"$work/old.log" 2>&1
same "$version's hailong-kiosk on the upgraded votes.db: exit 2" "$?" 2
check "... saying which version to install" contains "$work/old.log" \
  "install hailong-kiosk $next or newer"
as_user hailong-collector /tmp/old/usr/bin/hailong-collector kiosk list >"$work/old-c.log" 2>&1
same "$version's hailong-collector on the upgraded collector.db: exit 2" "$?" 2
check "... saying which version to install" contains "$work/old-c.log" \
  "install hailong-collector $next or newer"

# ---- purge: the packages go, the votes stay (the commune's and the province's record) ----
step "purging both packages"
in_root apt-get purge -y -q hailong-kiosk hailong-collector </dev/null >"$work/purge.log" 2>&1
same "apt-get purge hailong-kiosk hailong-collector" "$?" 0
check "the programs are gone" test ! -e "$root/usr/bin/hailong-kiosk"
check "the configuration is gone" test ! -e "$root/etc/hailong/kiosk.ini"
check "the units are no longer enabled" \
  bash -c "! ls '$root'/etc/systemd/system/multi-user.target.wants/hailong-* 2>/dev/null | grep -q ."
same "the votes are kept" "$(sqlite3 -readonly "$db" 'SELECT count(*) FROM votes')" 3
check "the collector's database is kept" test -s "$root/var/lib/hailong-collector/collector.db"
check "purge says where the data was kept" contains "$work/purge.log" \
  "the votes in /var/lib/hailong are kept"
step "done in $(($(date +%s) - t0)) s"
finish
