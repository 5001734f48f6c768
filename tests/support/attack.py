#!/usr/bin/env python3
"""attack: loads the collector the way an attacker would, for tests (test_load), while watching
its health and memory. Until SIGTERM (or --seconds):

  slowloris  --loris-addrs addresses (127.0.0.2, 127.0.0.3, ...) each hold --loris-per connections
             that send a partial request and then one header line every 2 s, never finishing it;
             a connection the collector closes is opened again at once
  bombs      --bombs threads post, back to back, 4 KB of gzip that holds a JSON array of 2 million
             elements (4 MB, under the decompressed cap) to a kiosk's URL, half of them with the
             token given (--token, a real kiosk's: the parser is reached) and half with none;
             from their own addresses (127.0.0.50, ...)
  health     GET /healthz from 127.0.0.1 every second (2 s timeout, one retry after 0.5 s, as a
             load balancer would), counted ok or failed
  memory     the collector's VmRSS (--pid) sampled every 0.2 s: the largest seen

At the end it writes JSON to --stats: slowloris connections opened, bomb answers by status,
health checks ok/total, largest VmRSS in KiB, and VmRSS at the start.
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
stats = {"loris_opened": 0, "loris_held_max": 0, "bomb_status": {}, "health_ok": 0,
         "health_total": 0, "health_failed_at": [], "rss_start_kib": 0, "rss_max_kib": 0}
held = [0]


def bump(key, by=1):
    with lock:
        stats[key] += by


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def loris(src, port):
    s = None
    while not stop.is_set():
        if s is None:
            try:
                s = socket.socket()
                s.bind((src, 0))
                s.settimeout(5)
                s.connect(("127.0.0.1", port))
                s.sendall(b"POST /v1/kiosks/k-01/vote-batches HTTP/1.1\r\nHost: x\r\n")
                bump("loris_opened")
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
        except (OSError, http.client.HTTPException):
            pass
        with lock:
            stats["bomb_status"][status] = stats["bomb_status"].get(status, 0) + 1
        if status == "error" or status == "429":
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
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--kiosk", default="k-01")
    ap.add_argument("--token", default="")
    ap.add_argument("--loris-addrs", type=int, default=8)
    ap.add_argument("--loris-per", type=int, default=16)
    ap.add_argument("--bombs", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=3600)
    a = ap.parse_args()
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
    for i in range(a.bombs):
        threads.append(threading.Thread(target=bomber, args=(i, a.port, a.token, body)))
    for t in threads:
        t.daemon = True
        t.start()
    print("attacking (bomb: %d bytes of gzip)" % len(body), flush=True)
    stop.wait(a.seconds)
    stop.set()
    for t in threads:
        t.join(15)
    stats["bomb_bytes"] = len(body)
    stats["seconds"] = round(time.time() - t0, 1)
    with open(a.stats + ".tmp", "w") as f:
        json.dump(stats, f)
    os.rename(a.stats + ".tmp", a.stats)


if __name__ == "__main__":
    sys.exit(main())
