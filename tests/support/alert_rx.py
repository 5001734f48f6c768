#!/usr/bin/env python3
"""alert_rx: a loopback receiver for tests of alert delivery (tests/reliability/test_alert_send.c):
a small SMTP server and a webhook (HTTP) receiver on 127.0.0.1 that keep what they are sent as
files, and can refuse their first deliveries to test the sender's errors and retries. Standard
library only (socketserver and http.server; not smtpd, deprecated and gone in 3.12).

    alert_rx.py DIR [--fail-data N] [--fail-http N] [--parent PID]

DIR/ports      "SMTP_PORT HTTP_PORT\\n", written (atomically) once both listen
DIR/mail-K.eml the K-th message accepted, exactly as received after DATA (dot-unstuffed, CRLF)
DIR/mail-K.env its envelope: "MAIL FROM:<a>" and one "RCPT TO:<b>" line per recipient
DIR/hook-K.body the K-th POST accepted: its body, byte for byte
DIR/hook-K.hdr  its request line and headers as received ("Name: value" lines)
DIR/refused-data, DIR/refused-http  how many deliveries were refused so far

--fail-data N: the first N DATA commands are answered 451 (nothing kept); --fail-http N: the first N
POSTs are answered 500. Runs until killed (SIGTERM), or until its parent ends: the process PID
(default: whichever started it) is no longer its parent.
"""
import argparse
import http.server
import os
import socketserver
import sys
import threading
import time

MAX_LINE = 4096  # RFC 5321 allows 1000; anything much longer is a broken client
MAX_MESSAGE = 10 * 1024 * 1024

args = None
lock = threading.Lock()
counts = {"mail": 0, "hook": 0, "refused-data": 0, "refused-http": 0}


def write_atomic(name, data):
    path = os.path.join(args.dir, name)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


def take(key, limit=None):
    """Counts one more of key and returns the new count; with limit, only while below it (else
    0), so two connections at once cannot both take the last refusal."""
    with lock:
        if limit is not None and counts[key] >= limit:
            return 0
        counts[key] += 1
        if key.startswith("refused"):
            write_atomic(key, b"%d\n" % counts[key])
        return counts[key]


class Smtp(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def read_line(self):
        line = self.rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ValueError("line too long")
        return line

    def handle(self):
        self.say("220 alert_rx ESMTP ready")
        mail_from, rcpts = None, []
        while True:
            line = self.read_line()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = text[:4].upper()
            if verb == "EHLO":
                # No STARTTLS and no AUTH offered: a sender that requires TLS must refuse.
                self.wfile.write(b"250-alert_rx\r\n250-8BITMIME\r\n250 SIZE %d\r\n" % MAX_MESSAGE)
                self.wfile.flush()
            elif verb == "HELO":
                self.say("250 alert_rx")
            elif text.upper().startswith("MAIL FROM:"):
                mail_from, rcpts = text[10:].strip(), []
                self.say("250 2.1.0 ok")
            elif text.upper().startswith("RCPT TO:"):
                if mail_from is None:
                    self.say("503 5.5.1 MAIL first")
                    continue
                rcpts.append(text[8:].strip())
                self.say("250 2.1.5 ok")
            elif verb == "DATA":
                if mail_from is None or not rcpts:
                    self.say("503 5.5.1 MAIL and RCPT first")
                    continue
                if take("refused-data", args.fail_data):
                    mail_from, rcpts = None, []
                    self.say("451 4.3.0 try again later")
                    continue
                self.say("354 end with <CRLF>.<CRLF>")
                data = self.read_data()
                if data is None:
                    return
                n = take("mail")
                env = "MAIL FROM:%s\n" % mail_from + "".join("RCPT TO:%s\n" % r for r in rcpts)
                write_atomic("mail-%d.env" % n, env.encode("utf-8"))
                write_atomic("mail-%d.eml" % n, data)
                mail_from, rcpts = None, []
                self.say("250 2.0.0 kept as mail-%d" % n)
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.say("250 2.0.0 ok")
            elif verb == "NOOP":
                self.say("250 2.0.0 ok")
            elif verb == "QUIT":
                self.say("221 2.0.0 bye")
                return
            else:
                self.say("502 5.5.2 not implemented")

    def read_data(self):
        """The message up to the lone dot, dot-unstuffed (RFC 5321 4.5.2); None when the client
        went away or sent too much."""
        out = []
        size = 0
        while True:
            line = self.read_line()
            if not line:
                return None
            if line == b".\r\n":
                return b"".join(out)
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size > MAX_MESSAGE:
                return None
            out.append(line)


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length < 0 or length > MAX_MESSAGE:
            self.reply(413, b"too large\n")
            return
        body = self.rfile.read(length)
        if take("refused-http", args.fail_http):
            self.reply(500, b"refused for the test\n")
            return
        n = take("hook")
        head = self.requestline + "\n" + "".join("%s: %s\n" % kv for kv in self.headers.items())
        write_atomic("hook-%d.hdr" % n, head.encode("utf-8", "surrogateescape"))
        write_atomic("hook-%d.body" % n, body)
        self.reply(200, b"ok\n")

    def do_GET(self):
        self.reply(405, b"POST only\n")

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class ThreadedTcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def orphan_watch(parent):
    """Ends the receiver when the test that started it is gone, even killed: no stray servers."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    global args
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a.add_argument("dir")
    a.add_argument("--fail-data", type=int, default=0, metavar="N")
    a.add_argument("--fail-http", type=int, default=0, metavar="N")
    # Given by the test: a parent that died before Python got here is noticed too.
    a.add_argument("--parent", type=int, default=os.getppid(), metavar="PID")
    args = a.parse_args()
    if os.getppid() != args.parent:
        return 1
    smtp = ThreadedTcp(("127.0.0.1", 0), Smtp)
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    for s in (smtp, hook):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ports = "%d %d\n" % (smtp.server_address[1], hook.server_address[1])
    write_atomic("ports", ports.encode("ascii"))
    orphan_watch(args.parent)


if __name__ == "__main__":
    sys.exit(main())
