"""An instrumented endpoint under load with a 50 ms sink behind ``QueueSink``, against the plain
logging sink, in one uvicorn server (issue 9: requests/s >= 0.9x).

The server (``queue_sink_app``, written next to the generated copy) is the generated backend's
own app plus ``POST /bench/sink/{mode}``, which installs on the process-wide event logger either
the placeholder ``LoggingSink`` (records to a handler on ``/dev/null``) or ``QueueSink`` around a
backend that sleeps 50 ms per event, like a remote collector. Rounds alternate the two modes;
each round loads ``POST /api/ai/ask-question`` (instrumented: one event per request) for a fixed
time with ``loadgen.py``, and the ratio is the median of the per-round ratios. A 50 ms backend
takes 20 events a second, so under load its queue fills and the rest are dropped and counted:
the point is that the server stays as fast as with the placeholder, and the drops are reported.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from common import BENCH_DIR, PYTHON, Options, Row, Section, Stats, bench_env

HOST = "127.0.0.1"
PATH = "/api/ai/ask-question"
BODY = json.dumps({"question": "What is a robot?", "chapter_id": "intro-to-robotics"})
TARGET = 0.9

APP = '''
"""The generated app plus a switch between the logging sink and a slow sink behind QueueSink."""

import logging
import os
import sys
import time

sys.path.insert(0, {backend!r})

from app.analytics.event_logger import LoggingSink, QueueSink, event_logger
from app.main import app

analytics = logging.getLogger("app.analytics")
analytics.setLevel(logging.INFO)
analytics.propagate = False
analytics.addHandler(logging.StreamHandler(open(os.devnull, "w", encoding="utf-8")))


class SlowSink:
    """A backend taking 50 ms per event."""

    delay = 0.05

    def emit(self, event):
        time.sleep(self.delay)

    def flush(self):
        pass

    def close(self):
        pass


@app.post("/bench/sink/{{mode}}")
async def use_sink(mode: str) -> dict:
    previous = event_logger.sink
    if isinstance(previous, QueueSink):
        previous.sink.delay = 0  # drain the backlog at once
    health = event_logger.health()
    new = QueueSink(SlowSink(), maxsize=10_000) if mode == "queued" else LoggingSink()
    event_logger.use_sink(new)
    previous.close()
    return {{"dropped": health.dropped, "failed": health.failed}}
'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _post(port: int, path: str) -> dict[str, int]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("POST", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
        document: dict[str, int] = json.loads(body)
        return document
    finally:
        connection.close()


@contextlib.contextmanager
def _serve(work: Path, backend: Path) -> Iterator[int]:
    (work / "queue_sink_app.py").write_text(APP.format(backend=str(backend)), encoding="utf-8")
    port = _free_port()
    argv = [PYTHON, "-m", "uvicorn", "queue_sink_app:app", "--host", HOST, "--port", str(port)]
    argv += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    log_file = work / "queue_sink_server.log"
    with log_file.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            argv, cwd=work, env=bench_env(), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"uvicorn exited:\n{log_file.read_text()[-2000:]}")
                with contextlib.suppress(OSError), socket.create_connection((HOST, port), 1):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start within 60 s")
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _load(port: int, options: Options) -> dict[str, float]:
    result = subprocess.run(
        [
            PYTHON,
            str(BENCH_DIR / "loadgen.py"),
            f"http://{HOST}:{port}{PATH}",
            BODY,
            "--seconds",
            str(options.http_seconds),
            "--connections",
            str(options.http_connections),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=options.http_seconds + 60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"loadgen failed:\n{result.stderr[-2000:]}")
    document: dict[str, float] = json.loads(result.stdout)
    if document["non_2xx"] or document["errors"]:
        raise RuntimeError(f"bad answers under load: {document}")
    return document


def measure(options: Options, work: Path, backend: Path, section: Section) -> None:
    """Add the rows and notes of the slow-sink comparison to ``section``."""
    rounds = options.http_rounds
    rps: dict[str, list[float]] = {"logging": [], "queued": []}
    requests = {"logging": 0.0, "queued": 0.0}
    dropped = 0
    with _serve(work, backend) as port:
        _post(port, "/bench/sink/logging")
        _load(port, Options.make(quick=True))  # warm-up
        previous = "logging"
        for round_index in range(rounds):
            order = ["logging", "queued"] if round_index % 2 else ["queued", "logging"]
            for mode in order:
                # Each switch answers the health of the sink it replaces (and closes it).
                replaced = _post(port, f"/bench/sink/{mode}")
                if previous == "queued":
                    dropped += replaced["dropped"]
                result = _load(port, options)
                rps[mode].append(result["rps"])
                requests[mode] += result["requests"]
                previous = mode
        replaced = _post(port, "/bench/sink/logging")
        if previous == "queued":
            dropped += replaced["dropped"]
    ratios = [q / p for q, p in zip(rps["queued"], rps["logging"], strict=True)]
    ratio = statistics.median(ratios)
    section.rows.append(
        Row("ask-question, logging sink: throughput", "req/s", Stats.of(rps["logging"]))
    )
    section.rows.append(
        Row(
            "ask-question, 50 ms sink behind QueueSink: throughput",
            "req/s",
            Stats.of(rps["queued"]),
            "logging sink",
            ratio,
            f">= {TARGET}x",
            ratio >= TARGET,
        )
    )
    section.notes.append(
        f"slow sink: POST {PATH} under uvicorn (1 worker), {options.http_connections} "
        f"connections of bench/loadgen.py, {options.http_seconds:g} s per mode and round, "
        f"{rounds} rounds alternating which mode goes first; ratio = median of per-round ratios. "
        f"The 50 ms backend took 20 events/s: of {int(requests['queued']):,} events sent through "
        f"QueueSink(maxsize=10,000) the server dropped and counted about {dropped:,} (health "
        "`dropped`), and every request still answered 200."
    )
