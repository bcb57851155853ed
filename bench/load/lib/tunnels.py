#!/usr/bin/env python3
"""S6: opens many intercepted tunnels (CONNECT, then a TLS handshake inside), holds them idle, closes them.

Reports how long opening took and, given the proxy's pid, its resident memory before, while holding (and the
peak while opening) and some seconds after closing. Direct (no --proxy) opens TLS connections to the target
itself, as a baseline for the opening time. Prints "METRIC name value" lines for run.sh.
"""
import argparse
import asyncio
import sys
import time

from tlsclient import client_context, proxy_address


def rss_kb(pid: int | None) -> int:
    if not pid:
        return 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def open_tunnel(proxy, host, port, ctx, sem, timeout):
    async with sem:
        async def go():
            if proxy:
                reader, writer = await asyncio.open_connection(*proxy)
                writer.write(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                if head.split(b" ")[1:2] != [b"200"]:
                    writer.close()
                    raise ConnectionError(f"CONNECT refused: {head[:80]!r}")
            else:
                reader, writer = await asyncio.open_connection(host, port)
            await writer.start_tls(ctx, server_hostname=host)
            return writer
        return await asyncio.wait_for(go(), timeout)


async def run(args) -> None:
    proxy = proxy_address(args.proxy)
    ctx = client_context(args.cafile)
    host, port = args.target.rsplit(":", 1)
    sem = asyncio.Semaphore(args.concurrency)

    before = rss_kb(args.pid)
    peak = before
    done = asyncio.Event()

    async def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kb(args.pid))
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    began = time.perf_counter()
    results = await asyncio.gather(*(open_tunnel(proxy, host, int(port), ctx, sem, args.timeout) for _ in range(args.count)),
                                   return_exceptions=True)
    opened = time.perf_counter() - began
    writers = [r for r in results if not isinstance(r, BaseException)]
    failures = [r for r in results if isinstance(r, BaseException)]
    for ex in failures[:3]:
        print(f"tunnels: {type(ex).__name__}: {ex}", file=sys.stderr)

    await asyncio.sleep(args.hold)
    holding = rss_kb(args.pid)
    done.set()
    await sampler
    peak = max(peak, holding)

    for w in writers:
        w.close()
    await asyncio.sleep(args.after)
    after = rss_kb(args.pid)

    print(f"METRIC errors {len(failures)}")
    print(f"METRIC open_s {opened:.3f}")
    if args.pid:
        print(f"METRIC rss_before_mb {before / 1024:.1f}")
        print(f"METRIC hold_rss_mb {holding / 1024:.1f}")
        print(f"METRIC peak_rss_mb {peak / 1024:.1f}")
        print(f"METRIC after_rss_mb {after / 1024:.1f}")
        if writers:
            print(f"METRIC per_tunnel_kb {(holding - before) / len(writers):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy", help="host:port of the proxy; direct when absent")
    parser.add_argument("--target", required=True, help="host:port to CONNECT to")
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes in flight at once")
    parser.add_argument("--pid", type=int, help="the proxy's pid, to read its RSS")
    parser.add_argument("--hold", type=float, default=3, help="seconds to hold the tunnels before reading RSS")
    parser.add_argument("--after", type=float, default=5, help="seconds after closing before reading RSS")
    parser.add_argument("--timeout", type=float, default=30)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
