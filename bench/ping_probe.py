#!/usr/bin/env python3
"""PING a server back to back on one connection until SIGTERM, then write
one line per PING to OUT: its send time (ns, CLOCK_REALTIME, the clock of
`date +%s%N`) and its round trip (ns). Used by bench/unlink_latency.sh.

    ping_probe.py PORT OUT
"""

import signal
import socket
import sys
import time


def main() -> None:
    port, out = int(sys.argv[1]), sys.argv[2]
    running = True

    def stop(_signum, _frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    conn = socket.create_connection(("127.0.0.1", port))
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Kept in memory: writing a file per PING would cost more than the PING.
    sent_at, rtt = [], []
    request, reply = b"PING\r\n", b"+PONG\r\n"
    while running:
        wall = time.time_ns()
        start = time.perf_counter_ns()
        conn.sendall(request)
        got = b""
        while len(got) < len(reply):
            chunk = conn.recv(64)
            if not chunk:
                running = False
                break
            got += chunk
        rtt.append(time.perf_counter_ns() - start)
        sent_at.append(wall)
    with open(out, "w", encoding="ascii") as f:
        for wall, ns in zip(sent_at, rtt):
            f.write(f"{wall} {ns}\n")


if __name__ == "__main__":
    main()
