#!/usr/bin/env python3
"""Save→reload latency of `gongkai serve`.

Usage: serve_latency.py SITE_ROOT FILE [--edits 50] [--bin PATH] [--url-path /2020/]

Starts `gongkai serve --root SITE_ROOT --port 0`, connects to its live-reload WebSocket as a
browser would, then EDITS times appends a unique marker paragraph to FILE (a narrative file,
relative to SITE_ROOT) and measures the time from just before the write to the arrival of the
`reload` event; after each event it fetches the page to confirm the edit is already served.
Prints p50, p95 and max in milliseconds. FILE is restored at the end. Standard library only
(a minimal WebSocket client is included).
"""
import argparse
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def ws_connect(host, port, path):
    s = socket.create_connection((host, port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise RuntimeError("handshake failed")
        head += chunk
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError("no upgrade: %r" % head)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    return buf


def ws_message(s, timeout):
    s.settimeout(timeout)
    while True:
        b0, b1 = recv_exact(s, 2)
        opcode, length = b0 & 0x0F, b1 & 0x7F
        if length == 126:
            length = int.from_bytes(recv_exact(s, 2), "big")
        elif length == 127:
            length = int.from_bytes(recv_exact(s, 8), "big")
        payload = recv_exact(s, length)
        if opcode == 1:
            return json.loads(payload.decode())
        if opcode == 8:
            raise RuntimeError("closed by server")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root")
    ap.add_argument("file")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "gongkai"))
    ap.add_argument("--url-path", default=None, help="page that shows FILE, checked after each reload")
    ap.add_argument("--cooldown", type=float, default=0.15)
    ap.add_argument("--label", default=None, help="ends the output with `serve save-to-reload p95: X ms (LABEL)`")
    ap.add_argument("--start-timeout", type=float, default=120, help="seconds to wait for the first build")
    a = ap.parse_args()

    path = os.path.join(a.root, a.file)
    original = open(path, encoding="utf-8").read()
    proc = subprocess.Popen([a.bin, "serve", "--root", a.root, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        started = time.monotonic()
        for line in proc.stdout:
            if time.monotonic() - started > a.start_timeout:
                break
            if "http://127.0.0.1:" in line:
                port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
                break
        if port is None:
            raise RuntimeError("serve did not start")
        ws = ws_connect("127.0.0.1", port, "/__gongkai/live")
        time.sleep(0.3)
        samples = []
        for i in range(a.edits):
            marker = "延迟测量标记%06d" % i
            t0 = time.monotonic()
            with open(path, "w", encoding="utf-8") as f:
                f.write(original + "\n" + marker + "\n")
            while True:
                event = ws_message(ws, 10)
                if event.get("type") in ("reload", "css"):
                    break
                if event.get("type") == "error":
                    raise RuntimeError("rebuild failed: %s" % event.get("html", "")[:200])
            samples.append((time.monotonic() - t0) * 1000)
            if a.url_path:
                body = urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, a.url_path), timeout=10).read().decode()
                if marker not in body:
                    raise RuntimeError("edit %d not served after its reload event" % i)
            time.sleep(a.cooldown)
        q = statistics.quantiles(samples, n=20)
        print("%s: %d edits of %s, save→reload event: p50 %.0f ms, p95 %.0f ms, max %.0f ms"
              % (a.root, len(samples), a.file, statistics.median(samples), q[18], max(samples)))
        if a.label:
            print("serve save-to-reload p95: %.0f ms (%s)" % (q[18], a.label))
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
