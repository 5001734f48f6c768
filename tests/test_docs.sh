#!/usr/bin/env bash
# test_docs: the step-by-step blocks of docs/DEPLOY.md that an IT officer copies, run as written.
# A block is a fenced block right after a line "<!-- test:NAME ... -->". Today: the private CA
# (its certificate must really serve HTTPS that curl, as the kiosk's libcurl, accepts with
# ca_file = ca.pem, for the documented host name and no other), and the nginx site in front of
# the collector (nginx -t, then HTTPS through it to a real collector, bodies of a batch's size).
# Usage: test_docs.sh DEPLOY_MD HAILONG_COLLECTOR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
doc=$1 bin=$2
need_tools test_docs openssl curl nginx
need_bins test_docs "$bin"
tmp=$(mktemp -d)
trap 'kill "${server_pid:-}" "${nginx_pid:-}" 2>/dev/null; [ -n "${HL_TEST_KEEP:-}" ] || rm -rf "$tmp"' EXIT

# block NAME: prints the shell block marked test:NAME in $doc.
block() {
  awk -v name="test:$1" '
    index($0, "<!-- " name) == 1 { armed = 1; next }
    armed && /^```[a-z]+$/ { inside = 1; armed = 0; next }
    inside && /^```$/ { exit }
    inside { print }' "$doc"
}

ca=$(block private-ca)
check "DEPLOY.md has the private-ca block" test -n "$ca"
host=$(printf '%s\n' "$ca" | sed -n 's/^HOST=\([^ ]*\).*/\1/p')
check "... and it names the host in HOST=" test -n "$host"
(cd "$tmp" && bash -euo pipefail -c "$ca") >"$tmp/ca.out" 2>&1
rc=$?
same "the block runs without error" "$rc" 0
check "... and ends with openssl verify's OK" contains "$tmp/ca.out" "collector.pem: OK"
[ $rc -eq 0 ] || sed 's/^/    /' "$tmp/ca.out" >&2

"$bin" init --db "sqlite:$tmp/c.db" >/dev/null 2>&1
"$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "sqlite:$tmp/c.db" \
  --tls-cert "$tmp/collector.pem" --tls-key "$tmp/collector.key" >"$tmp/serve.log" 2>&1 &
server_pid=$!
if wait_port collector "$tmp/port" "$server_pid" "$tmp/serve.log"; then
  port=$(cat "$tmp/port")
  code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.pem" \
    --resolve "$host:$port:127.0.0.1" "https://$host:$port/healthz" 2>"$tmp/curl.err")
  same "a client trusting only ca.pem reaches https://$host/healthz" "$code" 200
  rc=0
  curl -sS -o /dev/null --cacert "$tmp/ca.pem" --resolve "other.example:$port:127.0.0.1" \
    "https://other.example:$port/healthz" 2>/dev/null || rc=$?
  same "... and refuses the certificate for another name (curl 60: not ok)" "$rc" 60
  rc=0
  curl -sS -o /dev/null --cacert /etc/ssl/certs/ca-certificates.crt \
    --resolve "$host:$port:127.0.0.1" "https://$host:$port/healthz" 2>/dev/null || rc=$?
  same "... and the public CAs alone do not trust it (curl 60)" "$rc" 60
fi

# ---- nginx in front of the collector, with the certificate made above ----
site=$(block nginx)
check "DEPLOY.md has the nginx block" test -n "$site"
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the collector behind nginx speaks plain HTTP on loopback
kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
no_sanitizer "collector log (TLS)" "$tmp/serve.log"
rm -f "$tmp/port"
"$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --db "sqlite:$tmp/c.db" \
  >"$tmp/serve.log" 2>&1 &
server_pid=$!
wait_port collector "$tmp/port" "$server_pid" "$tmp/serve.log"
cport=$(cat "$tmp/port" 2>/dev/null)
# The documented file, with the test's ports and folder in place of the real ones.
printf '%s\n' "$site" | sed -e "s|127.0.0.1:8080|127.0.0.1:$cport|; s|10.0.0.12:8080|127.0.0.1:$cport|" \
  -e "s|listen 443 |listen 127.0.0.1:$nport |; /listen \[::\]:443/d" \
  -e "s|/etc/hailong/tls/|$tmp/|" >"$tmp/site.conf"
mkdir -p "$tmp/ngx"
chmod 711 "$tmp" # nginx workers run as nobody and write request bodies under ngx/
chmod 777 "$tmp/ngx"
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/ngx/nginx.pid;
error_log $tmp/ngx/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tmp/ngx/body;
    proxy_temp_path $tmp/ngx/proxy;
    include $tmp/site.conf;
}
CONF
nginx -t -c "$tmp/nginx.conf" >"$tmp/ngx-t.log" 2>&1
check "nginx -t accepts the documented site" contains "$tmp/ngx-t.log" "syntax is ok"
nginx -c "$tmp/nginx.conf" -g 'daemon off;' >"$tmp/ngx/out.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null --cacert "$tmp/ca.pem" --resolve "$host:$nport:127.0.0.1" \
    "https://$host:$nport/healthz" && break
  sleep 0.05
done
body=$(curl -sS --cacert "$tmp/ca.pem" --resolve "$host:$nport:127.0.0.1" \
  "https://$host:$nport/healthz" 2>&1)
same "through nginx: https://$host/healthz answers the collector's" "$body" '{"status":"ok"}'
# A body of the largest size a kiosk sends (just under 1 MiB) reaches the collector, which reads
# it and answers in JSON; nginx's own limit (client_max_body_size) must not answer first.
token=$("$bin" kiosk add k-01 --unit "UBND xã Thử" --db "sqlite:$tmp/c.db" 2>/dev/null | tail -1)
python3 -c 'import sys; sys.stdout.write("{" + " " * (1048576 - 2) + "}")' >"$tmp/big"
got=$(curl -sS --cacert "$tmp/ca.pem" --resolve "$host:$nport:127.0.0.1" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -H 'Idempotency-Key: cccccccc-0000-4000-8000-000000000001' \
  --data-binary @"$tmp/big" "https://$host:$nport/v1/kiosks/k-01/vote-batches" 2>&1)
check "... a batch-sized body (1 MB) reaches the collector (its JSON answer, not nginx's page)" \
  test "${got:0:1}" = "{"
[ "${got:0:1}" = "{" ] || echo "    got: ${got:0:300}" >&2
# One byte more is refused with 413 (by nginx or the collector: the kiosk splits the batch on
# 413 whoever says it), never a 502 that the kiosk would retry for ever.
printf 'x' >>"$tmp/big"
code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.pem" \
  --resolve "$host:$nport:127.0.0.1" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' --data-binary @"$tmp/big" \
  "https://$host:$nport/v1/kiosks/k-01/vote-batches" 2>&1)
same "... one byte over 1 MiB: 413, which makes a kiosk split its batch" "$code" 413
kill -TERM "$nginx_pid" 2>/dev/null
wait "$nginx_pid" 2>/dev/null

kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
no_sanitizer "collector log" "$tmp/serve.log"

finish
