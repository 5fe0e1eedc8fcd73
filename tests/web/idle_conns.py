#!/usr/bin/env python3
"""Holds N idle TCP connections to HOST:PORT open (half a request line each, like a slow
phone or a slowloris) until told to stop on stdin, then reports how many the server accepted
and how many it had closed by then."""
import socket
import sys

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
        s.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")  # never finished
        socks.append(s)
    except OSError:
        s.close()
print(f"opened {len(socks)}", flush=True)
sys.stdin.readline()
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1, socket.MSG_PEEK) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
    s.close()
print(f"closed-by-server {closed}", flush=True)
