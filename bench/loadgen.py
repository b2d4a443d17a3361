"""A small HTTP/1.1 keep-alive load generator, for machines without ``wrk``.

It speaks just enough HTTP for the benchmark (one fixed POST, ``Content-Length`` responses) over
raw asyncio streams, because a full client such as httpx costs more CPU per request than the
server under test and would measure itself. It only connects to 127.0.0.1 and stops after a
fixed time. Run as a script it prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Tally:
    """What the connections saw."""

    latencies: list[float] = field(default_factory=list)
    non_2xx: int = 0
    errors: int = 0


async def _connection(host: str, port: int, request: bytes, deadline: float, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            tally.latencies.append(time.perf_counter() - start)
            if not 200 <= status < 300:
                tally.non_2xx += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        tally.errors += 1
    finally:
        writer.close()


async def _load(url: str, body: bytes, seconds: float, connections: int) -> Tally:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if host != "127.0.0.1":
        raise ValueError("the load generator only targets 127.0.0.1")
    port = parts.port or 80
    request = (
        f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body
    tally = Tally()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(_connection(host, port, request, deadline, tally) for _ in range(connections))
    )
    return tally


def load(url: str, body: bytes, seconds: float, connections: int) -> dict[str, float]:
    """Send ``body`` to ``url`` from ``connections`` connections for ``seconds``."""
    start = time.perf_counter()
    tally = asyncio.run(_load(url, body, seconds, connections))
    elapsed = time.perf_counter() - start
    latencies = sorted(tally.latencies)
    if not latencies:
        raise RuntimeError(f"no response from {url} ({tally.errors} connection errors)")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": p99 * 1000,
        "non_2xx": tally.non_2xx,
        "errors": tally.errors,
    }


def main() -> None:
    """Command line: ``loadgen.py URL BODY --seconds S --connections C``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("body")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    result = load(args.url, args.body.encode("utf-8"), args.seconds, args.connections)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
