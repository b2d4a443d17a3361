"""Call the benchmark's apps directly through ASGI, without a server or a socket.

This isolates what an app itself spends per request (routing, validation, the handler, the
telemetry work) from uvicorn's HTTP parsing and the network: far steadier than a load test, and
it can be profiled, so it explains the HTTP figures. The harness runs it as a worker process that
holds both apps (the instrumented copy's and its twin's, see ``http_app.py``), calls each
endpoint in interleaved rounds and prints one JSON document.
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
from pathlib import Path
from typing import Any

import http_app

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
    """µs per request over ``number`` sequential requests."""
    start = time.perf_counter()
    for _ in range(number):
        status = await _call(app, path, body)
        if not 200 <= status < 300:
            raise RuntimeError(f"{path} answered {status}")
    return (time.perf_counter() - start) / number * 1e6


Endpoint = tuple[str, ASGIApp, str, bytes]


async def _measure(endpoints: list[Endpoint], rounds: int, number: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name, _, _, _ in endpoints}
    for round_index in range(rounds + 1):
        shift = round_index % len(endpoints)
        for name, app, path, body in endpoints[shift:] + endpoints[:shift]:
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
    """Worker: ``asgi_probe.py SPEC_JSON``; see ``http_bench.in_app`` for the spec."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec", help="JSON: apps, endpoints [[name, app, path, body]], ...")
    spec = json.loads(parser.parse_args().spec)
    apps: dict[str, ASGIApp] = {
        name: http_app.build(Path(backend), twin=twin, floor=floor)
        for name, (backend, twin, floor) in spec["apps"].items()
    }
    endpoints: list[Endpoint] = [
        (name, apps[app], path, body.encode("utf-8")) for name, app, path, body in spec["endpoints"]
    ]
    samples = asyncio.run(_measure(endpoints, spec["rounds"], spec["number"]))
    profiles = {
        name: asyncio.run(_profile(app, path, body, spec["number"] * 2))
        for name, app, path, body in endpoints
        if name in spec["profile"]
    }
    json.dump({"samples": samples, "profiles": profiles}, sys.stdout)


if __name__ == "__main__":
    main()
