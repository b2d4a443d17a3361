"""Call the benchmark app's endpoints directly through ASGI, without a server or a socket.

This isolates what the app itself spends per request (routing, validation, the handler, the
telemetry work) from uvicorn's HTTP parsing and the network, so it is far less noisy than a load
test and can be profiled: it explains the HTTP figures. The harness runs it as a worker process
(the app reads its configuration from the environment, as under uvicorn) and reads one JSON
document from its stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[Message]],
        Callable[[Message], Awaitable[None]],
    ],
    Awaitable[None],
]


def _scope(path: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("ascii"),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: ASGIApp, path: str, body: bytes) -> int:
    sent = False
    status = 0

    async def receive() -> Message:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a disconnect never comes while the app is working
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(_scope(path, body), receive, send)
    return status


async def _batch(app: ASGIApp, path: str, body: bytes, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        status = await _call(app, path, body)
        if not 200 <= status < 300:
            raise RuntimeError(f"{path} answered {status}")
    return (time.perf_counter() - start) / number * 1e6


async def _measure(
    app: ASGIApp, endpoints: list[tuple[str, str, bytes]], rounds: int, number: int
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name, _, _ in endpoints}
    for round_index in range(rounds + 1):
        shift = round_index % len(endpoints)
        for name, path, body in endpoints[shift:] + endpoints[:shift]:
            per_request = await _batch(app, path, body, number)
            if round_index:  # round 0 warms up
                samples[name].append(per_request)
    return samples


async def _profile(app: ASGIApp, path: str, body: bytes, number: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    await _batch(app, path, body, number)
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats("tottime").print_stats(18)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    return "\n".join(lines[start:])


def main() -> None:
    """Worker entry point: ``asgi_probe.py SPEC_JSON`` (endpoints, rounds, number, profile)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "spec", help="JSON: endpoints [[name, path, body]], rounds, number, profile"
    )
    spec = json.loads(parser.parse_args().spec)
    import http_app  # configured from the environment, like under uvicorn

    app: ASGIApp = http_app.app
    endpoints = [(name, path, body.encode("utf-8")) for name, path, body in spec["endpoints"]]
    samples = asyncio.run(_measure(app, endpoints, spec["rounds"], spec["number"]))
    profiles = {
        name: asyncio.run(_profile(app, path, body, spec["number"] * 2))
        for name, path, body in endpoints
        if name in spec["profile"]
    }
    json.dump({"samples": samples, "profiles": profiles}, sys.stdout)


if __name__ == "__main__":
    main()
