#!/usr/bin/env bash
# The rules of docs/ARCHITECTURE.md ("Never") and docs/STYLE.md that a compiler cannot see. The
# include paths of the CMake libraries already stop most wrong-way #includes; this catches the
# rest: relative includes that would get round them, internal headers used outside their folder,
# I/O from screens, banned functions, file and folder sizes, and formatting. Exit 1 with one line
# per broken rule; run by ctest (check_source) in both builds.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
say() { echo "check-source: $*" >&2; bad=1; }
src=$(git ls-files --cached --others --exclude-standard 'common/*.[ch]' 'sync/*.[ch]' 'kiosk/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' \
  'fuzz/*.[ch]' 2>/dev/null || find common sync kiosk tests bench fuzz -name '*.[ch]')
src=$(for f in $src; do [ -f "$f" ] && echo "$f"; done) # not the deleted ones
prod=$(printf '%s\n' $src | grep -E '^(common|sync|kiosk)/')

# 1. No #include "../x.h": a path outside the library's own folder gets round CMake's rules.
hits=$(grep -nE '^\s*#\s*include\s+"[^"]*\.\./' $src)
[ -n "$hits" ] && say "relative #include (link the library instead):"$'\n'"$hits"

# 2. sync/ and common/ never include kiosk/ headers; common/ includes nothing of sync/ either.
kiosk_h=$(cd kiosk && find . -name '*.h' -printf '%f\n' | sort -u | paste -sd'|')
sync_h=$(cd sync && find . -name '*.h' -printf '%f\n' | sort -u | paste -sd'|')
hits=$(grep -nE "#\s*include\s+\"($kiosk_h)\"" $(printf '%s\n' $prod | grep -E '^(sync|common)/'))
[ -n "$hits" ] && say "sync/ or common/ includes a kiosk/ header:"$'\n'"$hits"
hits=$(grep -nE "#\s*include\s+\"($sync_h)\"" $(printf '%s\n' $prod | grep -E '^common/'))
[ -n "$hits" ] && say "common/ includes a sync/ header:"$'\n'"$hits"

# 3. Internal headers (*_int.h) are included only inside their own folder.
for h in $(printf '%s\n' $src | grep '_int\.h$'); do
  dir=$(dirname "$h")
  users=$(grep -lE "#\s*include\s+\"$(basename "$h")\"" $src | grep -v "^$dir/[^/]*$")
  [ -n "$users" ] && say "$h is internal to $dir/ but included by: $users"
done

# 4. SDL only in the UI layers (gfx, app, screens, cli) and the tests of them.
hits=$(grep -nE '#\s*include\s+<SDL' $(printf '%s\n' $prod | grep -vE '^kiosk/(gfx|app|screens|cli)/'))
[ -n "$hits" ] && say "SDL below the UI (only kiosk/{gfx,app,screens,cli} may use it):"$'\n'"$hits"

# 5. Screens do no I/O of their own: votes only through app_vote/app_finish_reasons, the admin
#    session through admin_*; pure formatters of export are allowed.
hits=$(grep -nE '\b(store|store_reader|export|sync|usb|pin|job|desk)_[a-z_]+\s*\(' kiosk/screens/*.c |
  grep -vE '\b(export_(pct|rating_label|date_[a-z_]+|days_in_month)|pin_attempts_left)\s*\(')
[ -n "$hits" ] && say "a screen calls the store/export/sync layer directly (go through app_vote or admin_*):"$'\n'"$hits"

# 5b. One owner of votes.db: only kiosk/store/ speaks SQL to it (the collector has its own).
hits=$(grep -lE '#\s*include\s+<sqlite3\.h>' $(printf '%s\n' $prod | grep -E '^kiosk/') |
  grep -vE '^kiosk/(store|content)/')
[ -n "$hits" ] && say "SQLite used outside kiosk/store (and content's in-memory index):"$'\n'"$hits"

# 6. Screens never call each other: no screen's symbol in another screen file but scr_common.c/screens.c.
for f in kiosk/screens/scr_*.c; do
  case $f in */scr_common.c) continue ;; esac
  hits=$(grep -nE '\bscr_(home|pick|rate|reasons|thanks|attract|procs|proc_list|proc|search|fees|directory|pin|admin|admin_officer|admin_export)\b' "$f" |
    grep -vE '^[0-9]+:(const screen scr_|\s*/?\*)')
  [ -n "$hits" ] && say "$f names another screen (use app_go):"$'\n'"$hits"
done

# 6b. No circle between files: module A (a.c/a.h) includes b.h while b.c/b.h includes a.h. A
#     split module's internal header (x_int.h) counts as part of x. tsort reports any loop.
edges=$(for f in $prod; do
  m=$(basename "${f%.*}"); m=${m%_int}
  grep -ohE '^\s*#\s*include\s+"[^"]+\.h"' "$f" | sed -E 's/.*"([^"]+)\.h"/\1/; s/_int$//' |
    while read -r t; do [ "$t" != "$m" ] && echo "$m $t"; done
done)
loops=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null | grep -v '^tsort: -: input contains a loop:$')
[ -n "$loops" ] && say "a circle of #includes between modules:"$'\n'"$loops"

# 7. Banned functions (docs/STYLE.md).
hits=$(grep -nE '(^|[^_a-zA-Z0-9])(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok)\s*\(' $src |
  grep -vE '^\S+:\s*(/\*|\*)')
[ -n "$hits" ] && say "banned function (docs/STYLE.md: use util_fmt/util_strlcpy/util_parse_int):"$'\n'"$hits"

# 8. Sizes: no source file over 900 lines, no folder of more than 20 source files.
for f in $src; do
  n=$(wc -l <"$f")
  [ "$n" -gt 900 ] && say "$f has $n lines (at most 900: split it along its sections)"
done
for d in $(printf '%s\n' $src | xargs -n1 dirname | sort | uniq -c | awk '$1 > 20 {print $2}'); do
  say "folder $d has more than 20 source files"
done

# 9. Formatting (.clang-format).
if command -v clang-format >/dev/null; then
  out=$(clang-format --dry-run --Werror $src 2>&1 | grep -E '^[^ ].*: (error|warning):' | cut -d: -f1 | sort -u)
  [ -n "$out" ] && say "not formatted (run clang-format -i on them):"$'\n'"$out"
else
  say "clang-format is not installed (scripts/deps.sh --test installs it)"
fi

if [ $bad -eq 0 ]; then echo "check-source: all rules hold ($(printf '%s\n' $src | wc -l) files)"; fi
exit $bad
