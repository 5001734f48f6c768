#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: installs PostgreSQL if it is missing, makes a cluster in a
# temporary directory owned by the postgres user (root cannot run the server itself), starts it
# on 127.0.0.1 and a free port, creates a role with a password and one database per name given,
# and removes it all again at exit.
#
#   bash scripts/pg-test.sh COMMAND [ARGS...]   runs COMMAND with HL_TEST_PG_URL set (database
#                                               hl_test), then stops the cluster; exits with
#                                               COMMAND's status (1 if PostgreSQL cannot start)
#   . scripts/pg-test.sh                        defines the functions below, and nothing more:
#   pg_test_start DB...   starts the cluster, creates the databases; 0, or 1 with the reason on
#                         standard error (and the server's log). Sets a trap that stops it at exit.
#   pg_test_url DB        prints postgresql://USER:PASSWORD@127.0.0.1:PORT/DB
#   pg_test_stop          stops the server and deletes the cluster (idempotent)
#
# Nothing here skips: a caller that needs PostgreSQL fails when it cannot be had.

pg_test_dir='' pg_test_port='' pg_test_user=hailong_test pg_test_pass='' pg_test_bin=''

pg_test_log() { echo "pg-test: $*" >&2; }

# Runs a command as the cluster's owner: postgres when we are root, else ourselves.
pg_test_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin.
pg_test_find_bin() {
  local d best=''
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && best=$d
  done
  [ -n "$best" ] && printf '%s\n' "$best"
}

pg_test_install() {
  if pg_test_find_bin >/dev/null && command -v psql >/dev/null &&
    { [ "$(id -u)" -ne 0 ] || getent passwd postgres >/dev/null; }; then
    return 0
  fi
  pg_test_log "installing PostgreSQL (Debian: postgresql-15, postgresql-client-15)"
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
      --no-install-recommends postgresql-15 postgresql-client-15 >&2 || {
    pg_test_log "apt-get could not install postgresql-15"
    return 1
  }
  pg_test_find_bin >/dev/null || {
    pg_test_log "postgresql-15 is installed but no initdb under /usr/lib/postgresql/*/bin"
    return 1
  }
}

pg_test_stop() {
  [ -n "$pg_test_dir" ] || return 0
  if [ -f "$pg_test_dir/data/postmaster.pid" ]; then
    pg_test_as_owner "$pg_test_bin/pg_ctl" -D "$pg_test_dir/data" -m fast -w -t 30 stop \
      >/dev/null 2>&1 || pg_test_log "pg_ctl stop failed; the server may still run"
  fi
  rm -rf "$pg_test_dir"
  pg_test_dir=''
}

pg_test_url() {
  printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$pg_test_user" "$pg_test_pass" "$pg_test_port" \
    "$1"
}

# Superuser SQL through the cluster's own socket (trust for local connections only).
pg_test_psql() {
  pg_test_as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$pg_test_dir/sock" -p "$pg_test_port" \
    -U postgres -d postgres "$@"
}

pg_test_start() {
  pg_test_install || return 1
  pg_test_bin=$(pg_test_find_bin)
  # /tmp, not $TMPDIR: every directory above the cluster must be searchable by postgres.
  pg_test_dir=$(mktemp -d /tmp/hl-pg.XXXXXX) || return 1
  mkdir -p "$pg_test_dir/sock"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$pg_test_dir" || return 1
  fi
  trap pg_test_stop EXIT
  trap 'pg_test_stop; exit 130' INT TERM
  pg_test_pass=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  if ! pg_test_as_owner "$pg_test_bin/initdb" -D "$pg_test_dir/data" -U postgres -E UTF8 \
    --no-locale --auth-local=trust --auth-host=scram-sha-256 --no-sync \
    >"$pg_test_dir/initdb.log" 2>&1; then
    pg_test_log "initdb failed:"
    sed 's/^/    /' "$pg_test_dir/initdb.log" >&2
    pg_test_stop
    return 1
  fi
  # A free port: try a few random ones (another server may hold one).
  local try started=0
  for try in 1 2 3 4 5 6 7 8; do
    pg_test_port=$((20000 + RANDOM % 20000))
    if pg_test_as_owner "$pg_test_bin/pg_ctl" -D "$pg_test_dir/data" -l "$pg_test_dir/server.log" \
      -w -t 60 -o "-p $pg_test_port -k $pg_test_dir/sock -c listen_addresses=127.0.0.1" \
      start >/dev/null 2>&1; then
      started=1
      break
    fi
    grep -q 'could not bind\|Address already in use' "$pg_test_dir/server.log" 2>/dev/null ||
      break
    pg_test_log "port $pg_test_port is taken; trying another ($try)"
  done
  if [ "$started" -ne 1 ]; then
    pg_test_log "the PostgreSQL server did not start; its log:"
    sed 's/^/    /' "$pg_test_dir/server.log" >&2 2>/dev/null || true
    pg_test_stop
    return 1
  fi
  if ! pg_test_psql -c "CREATE ROLE $pg_test_user LOGIN PASSWORD '$pg_test_pass'" >/dev/null; then
    pg_test_log "cannot create the role $pg_test_user"
    pg_test_stop
    return 1
  fi
  local db
  for db in "$@"; do
    pg_test_psql -c "CREATE DATABASE $db OWNER $pg_test_user ENCODING 'UTF8' TEMPLATE template0" \
      >/dev/null || {
      pg_test_log "cannot create the database $db"
      pg_test_stop
      return 1
    }
  done
  # Prove the URL works the way the tests will use it (TCP, password).
  local first=${1:-postgres}
  if ! psql -X -q -A -t "$(pg_test_url "$first")" -c 'SELECT 1' >/dev/null 2>"$pg_test_dir/c.err"; then
    pg_test_log "the server runs but $pg_test_user cannot log in over TCP:"
    sed 's/^/    /' "$pg_test_dir/c.err" >&2
    pg_test_stop
    return 1
  fi
  pg_test_log "PostgreSQL $("$pg_test_bin/postgres" --version | awk '{print $3}') on" \
    "127.0.0.1:$pg_test_port, cluster $pg_test_dir/data, databases: $*"
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  if [ $# -eq 0 ]; then
    echo "usage: bash scripts/pg-test.sh COMMAND [ARGS...] (or source it: see the top)" >&2
    exit 2
  fi
  pg_test_start hl_test || {
    echo "pg-test: PostgreSQL could not be started; not running $1" >&2
    exit 1
  }
  HL_TEST_PG_URL=$(pg_test_url hl_test)
  export HL_TEST_PG_URL
  rc=0
  "$@" || rc=$?
  pg_test_stop
  exit "$rc"
fi
