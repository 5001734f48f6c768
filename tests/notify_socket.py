#!/usr/bin/env python3
"""notify_socket.py SOCKET OUT: stands in for systemd's notification socket in test_systemd.

Binds a unix datagram socket at SOCKET (the path given to a program as NOTIFY_SOCKET) and appends
every message it receives to OUT, one field a line ("READY=1", "STATUS=...", "WATCHDOG=1"), each
datagram followed by a line "--". Runs until SIGTERM; SOCKET is removed at exit."""
import os
import signal
import socket
import sys


def main() -> int:
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with open(out, "a", encoding="utf-8") as f:
            while True:
                data = s.recv(65536)
                f.write(data.decode("utf-8", "replace").rstrip("\n") + "\n--\n")
                f.flush()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
