#!/usr/bin/env python3
"""faultproxy: an HTTP/1.1 proxy for tests that stands between the kiosk's sender and the
collector on loopback and breaks, at random (seeded), what a bad network breaks.

Requests are parsed (headers, then Content-Length bytes of body: the sender sends no chunked
bodies and no "Expect: 100-continue"), so a fault hits one exchange, and keep-alive connections
carry many. Every exchange goes to the collector on a fresh upstream connection. Faults:

  pass          forwarded both ways untouched
  refuse        the client's connection closed before anything is forwarded
  delay         0.2 to 2 s before forwarding, then passed
  reset_req     half the request forwarded, then both connections reset (RST)
  trunc_req     a request cut short forwarded (the collector waits for the rest), then closed
  lost_answer   the collector gets the whole request and answers; the client's connection is
                reset instead of the answer (the batch is stored, the kiosk never learns it)
  trunc_answer  half the answer given, then the client's connection closed
  replay        the request delivered twice to the collector, the client given the second
                answer (a duplicate in the network)
  replay_race   the request sent on two upstream connections at once (the two copies race in
                the collector: on PostgreSQL one transaction waits on the other's rows), the
                client given the first connection's answer
  double_answer the answer given twice on the keep-alive connection (the stale copy arrives
                where the client expects its next answer)
  trickle       the answer given 16 bytes at a time, 20 ms apart
  hang          nothing forwarded or answered until the client gives up (its request timeout)

Usage: faultproxy.py --upstream PORT --port-file FILE --stats FILE [--seed N] [--pass-share F]
Faults come from a shuffled deck of the kinds (each once in any eleven faults, so any 21 faults
in a row hold every kind), the rest of the exchanges (--pass-share) pass. SIGUSR1 turns every fault
off (pass-through from then on). --stats holds the counts of each fault, and of exchanges and
connections, as JSON: rewritten (atomically, by rename) as each exchange's fault is chosen, so a
test can follow them live, and once more on SIGTERM, which ends the proxy.
"""
import argparse
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

FAULTS = ["refuse", "delay", "reset_req", "trunc_req", "lost_answer", "trunc_answer", "replay",
          "replay_race", "double_answer", "trickle", "hang"]


class Proxy:
    def __init__(self, upstream, seed, pass_share, stats_path):
        self.upstream = upstream
        self.stats_path = stats_path
        self.rng = random.Random(seed)
        self.pass_share = pass_share
        self.faulty = True
        self.deck = []
        self.lock = threading.Lock()
        self.counts = {k: 0 for k in ["pass"] + FAULTS}
        self.connections = 0
        self.exchanges = 0

    def choose(self):
        with self.lock:
            self.exchanges += 1
            if not self.faulty or self.rng.random() < self.pass_share:
                kind = "pass"
            else:
                # A shuffled deck rather than independent draws: every kind comes once in any
                # len(FAULTS) faults, so a short run still meets them all.
                if not self.deck:
                    self.deck = FAULTS[:]
                    self.rng.shuffle(self.deck)
                kind = self.deck.pop()
            self.counts[kind] += 1
            self._write_stats()
            return kind, self.rng.random()

    def _write_stats(self, suffix=".tmp"):
        """Writes the counts to the stats file (the caller holds the lock, or is the end)."""
        tmp = self.stats_path + suffix
        with open(tmp, "w") as f:
            json.dump({"connections": self.connections, "exchanges": self.exchanges,
                       "faults": dict(self.counts)}, f)
        os.rename(tmp, self.stats_path)

    def write_stats(self):
        with self.lock:
            self._write_stats()


def reset(sock):
    """Closes sock with a RST (SO_LINGER 0) rather than a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class Reader:
    """Buffered reads of whole HTTP messages from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def message(self, is_response):
        """One message's bytes (head and body), or EOFError when the peer closed first."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise EOFError
            self._fill()
        end = self.buf.index(b"\r\n\r\n") + 4
        head = self.buf[:end]
        length = None
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length is None:
            if not is_response:
                length = 0
            else:  # no length: the body runs to the end of the connection
                try:
                    while True:
                        self._fill()
                except (EOFError, OSError):
                    pass
                msg, self.buf = self.buf, b""
                return msg, True
        while len(self.buf) < end + length:
            self._fill()
        msg, self.buf = self.buf[:end + length], self.buf[end + length:]
        return msg, close


def exchange_upstream(port, request):
    """Sends request on a new connection to the collector and returns its answer (bytes)."""
    up = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        up.sendall(request)
        answer, _ = Reader(up).message(True)
        return answer
    finally:
        up.close()


def exchange_upstream_twice_at_once(port, request):
    """Sends request on two new connections to the collector, both before reading either answer,
    so that the collector handles the two copies at the same time. The first one's answer."""
    ups = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(2)]
    try:
        for up in ups:
            up.sendall(request)
        answers = [Reader(up).message(True)[0] for up in ups]
        return answers[0]
    finally:
        for up in ups:
            up.close()


def serve_client(proxy, client):
    reader = Reader(client)
    try:
        while True:
            try:
                request, _ = reader.message(False)
            except (EOFError, OSError, ValueError):
                client.close()
                return
            kind, r = proxy.choose()
            if kind == "refuse":
                client.close()
                return
            if kind == "hang":
                # Until the client gives up: it closes, and recv returns.
                try:
                    client.settimeout(60)
                    while client.recv(65536):
                        pass
                except OSError:
                    pass
                client.close()
                return
            if kind in ("reset_req", "trunc_req"):
                cut = max(1, int(len(request) * (0.1 + 0.8 * r)))
                try:
                    up = socket.create_connection(("127.0.0.1", proxy.upstream), timeout=30)
                    up.sendall(request[:cut])
                    if kind == "reset_req":
                        reset(up)
                    else:
                        up.shutdown(socket.SHUT_WR)
                        time.sleep(0.05)
                        up.close()
                except OSError:
                    pass
                (reset if kind == "reset_req" else lambda s: s.close())(client)
                return
            if kind == "delay":
                time.sleep(0.2 + 1.8 * r)
            try:
                if kind == "replay_race":
                    answer = exchange_upstream_twice_at_once(proxy.upstream, request)
                else:
                    answer = exchange_upstream(proxy.upstream, request)
                if kind == "replay":
                    answer = exchange_upstream(proxy.upstream, request)
            except (EOFError, OSError, ValueError):
                client.close()  # the collector is down: so is the way to it
                return
            if kind == "lost_answer":
                reset(client)
                return
            if kind == "trunc_answer":
                client.sendall(answer[:max(1, int(len(answer) * (0.1 + 0.8 * r)))])
                client.close()
                return
            if kind == "trickle":
                for i in range(0, len(answer), 16):
                    client.sendall(answer[i:i + 16])
                    time.sleep(0.02)
            elif kind == "double_answer":
                client.sendall(answer + answer)
            else:
                client.sendall(answer)
    except OSError:
        client.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pass-share", type=float, default=0.3)
    a = ap.parse_args()
    proxy = Proxy(a.upstream, a.seed, a.pass_share, a.stats)
    proxy.write_stats()

    def calm(signum, frame):
        proxy.faulty = False  # one store, no lock: the main thread may be holding it

    def stop(signum, frame):
        # Not under the lock: the handler runs in the main thread, which may have been holding
        # it. A file of its own, so that a thread writing its .tmp at this moment cannot mix in;
        # os._exit below stops the threads, so these counts are final.
        proxy._write_stats(".final")
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGUSR1, calm)
    signal.signal(signal.SIGTERM, stop)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        client, _ = srv.accept()
        with proxy.lock:
            proxy.connections += 1
        threading.Thread(target=serve_client, args=(proxy, client), daemon=True).start()


if __name__ == "__main__":
    main()
