#!/usr/bin/env python3
"""alert_sink: what the collector's alerts are delivered to, on 127.0.0.1, for tests: a small SMTP
server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps each message it accepts as a
file, and a webhook receiver that keeps each POST's body and headers. Either can refuse its first
N deliveries (451 / HTTP 500) to test the retries.

    alert_sink.py DIR [--fail-mail N] [--fail-hook N]

Writes "SMTP_PORT HTTP_PORT" to DIR/ports once both listen; mail-1.eml, mail-2.eml ... and
hook-1.json (the body; hook-1.hdr the headers) ... as they arrive; refused attempts are counted in
DIR/refused-mail and DIR/refused-hook. Runs until killed.
"""
import argparse
import http.server
import os
import socketserver
import threading

a = argparse.ArgumentParser()
a.add_argument("dir")
a.add_argument("--fail-mail", type=int, default=0)
a.add_argument("--fail-hook", type=int, default=0)
args = a.parse_args()
lock = threading.Lock()
count = {"mail": 0, "hook": 0, "refused-mail": 0, "refused-hook": 0}


def bump(key):
    with lock:
        count[key] += 1
        n = count[key]
        if key.startswith("refused"):
            with open(os.path.join(args.dir, key), "w") as f:
                f.write(str(n))
        return n


class Smtp(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.say("220 alert_sink ESMTP")
        rcpt = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").strip()
            up = cmd.upper()
            if up.startswith("EHLO"):
                self.wfile.write(b"250-alert_sink\r\n250 8BITMIME\r\n")
            elif up.startswith("HELO"):
                self.say("250 alert_sink")
            elif up.startswith("MAIL FROM:"):
                rcpt = []
                self.say("250 ok")
            elif up.startswith("RCPT TO:"):
                rcpt.append(cmd[8:].strip())
                self.say("250 ok")
            elif up == "DATA":
                if count["refused-mail"] < args.fail_mail:
                    bump("refused-mail")
                    self.say("451 4.3.0 try again later")
                    continue
                self.say("354 go on")
                data = b""
                while True:
                    l2 = self.rfile.readline()
                    if not l2 or l2 == b".\r\n":
                        break
                    data += l2[1:] if l2.startswith(b"..") else l2
                n = bump("mail")
                with open(os.path.join(args.dir, "mail-%d.eml" % n), "wb") as f:
                    f.write(b"X-Rcpt: " + ", ".join(rcpt).encode() + b"\r\n" + data)
                self.say("250 queued")
            elif up in ("RSET", "NOOP"):
                self.say("250 ok")
            elif up == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 not implemented")


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if count["refused-hook"] < args.fail_hook:
            bump("refused-hook")
            self.send_response(500)
            self.end_headers()
            return
        n = bump("hook")
        with open(os.path.join(args.dir, "hook-%d.json" % n), "wb") as f:
            f.write(body)
        with open(os.path.join(args.dir, "hook-%d.hdr" % n), "w") as f:
            f.write(str(self.headers))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


class Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


smtp = Threaded(("127.0.0.1", 0), Smtp)
hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
for s in (smtp, hook):
    threading.Thread(target=s.serve_forever, daemon=True).start()
tmp = os.path.join(args.dir, "ports.tmp")
with open(tmp, "w") as f:
    f.write("%d %d\n" % (smtp.server_address[1], hook.server_address[1]))
os.rename(tmp, os.path.join(args.dir, "ports"))
threading.Event().wait()
