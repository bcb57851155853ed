#!/usr/bin/env python3
"""S4: one HTTPS request to each of many hosts never seen before, then a repeat to each, one after another.

Every request opens a new connection (through the proxy: CONNECT, then TLS inside the tunnel) and reads a
whole response. Hosts are loopback addresses (127.0.0.2, 127.0.0.3, ...) so no DNS is involved. TLS sessions
are not resumed (a full handshake every time). Prints "METRIC name value" lines for run.sh.
"""
import argparse
import ipaddress
import socket
import ssl
import statistics
import sys
import time

from tlsclient import client_context, proxy_address


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the end of the response head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def fetch(host: str, port: int, proxy: tuple[str, int] | None, ctx: ssl.SSLContext, timeout: float) -> float:
    start = time.perf_counter()
    if proxy:
        raw = socket.create_connection(proxy, timeout=timeout)
        raw.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        head, _ = read_head(raw)
        if not head.split(b"\r\n", 1)[0].split(b" ")[1:2] == [b"200"]:
            raw.close()
            raise ConnectionError(f"CONNECT refused: {head[:80]!r}")
    else:
        raw = socket.create_connection((host, port), timeout=timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with ctx.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(f"GET /small HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        head, body = read_head(tls)
        lines = head.decode("latin-1").split("\r\n")
        if lines[0].split(" ")[1] != "200":
            raise ConnectionError(f"status {lines[0]!r}")
        length = next(int(l.split(":", 1)[1]) for l in lines[1:] if l.lower().startswith("content-length:"))
        while len(body) < length:
            chunk = tls.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the end of the body")
            body += chunk
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy", help="host:port of the proxy; direct when absent")
    parser.add_argument("--cafile", required=True, help="CA that signs what the client sees")
    parser.add_argument("--first", default="127.0.0.2", help="first host address")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=15)
    args = parser.parse_args()

    proxy = proxy_address(args.proxy)
    ctx = client_context(args.cafile)
    first_host = ipaddress.ip_address(args.first)
    firsts, repeats, errors = [], [], 0
    began = time.perf_counter()
    for i in range(args.count):
        host = str(first_host + i)
        try:
            first = fetch(host, args.port, proxy, ctx, args.timeout)
            repeat = fetch(host, args.port, proxy, ctx, args.timeout)
        except (OSError, ValueError, IndexError, StopIteration) as ex:
            errors += 1
            print(f"newhosts: {host}: {ex}", file=sys.stderr)
            continue
        firsts.append(first)
        repeats.append(repeat)
    elapsed = time.perf_counter() - began
    print(f"METRIC errors {errors}")
    print(f"METRIC elapsed_s {elapsed:.3f}")
    if firsts:
        print(f"METRIC first_ms {statistics.median(firsts):.3f}")
        print(f"METRIC repeat_ms {statistics.median(repeats):.3f}")
        print(f"METRIC new_vs_known_ms {statistics.median(f - r for f, r in zip(firsts, repeats)):.3f}")
        print(f"METRIC first_p90_ms {statistics.quantiles(firsts, n=10)[-1]:.3f}")


if __name__ == "__main__":
    main()
