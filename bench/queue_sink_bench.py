"""An instrumented endpoint under load with a 50 ms sink behind ``QueueSink``, against the plain
logging sink, in one uvicorn server (issue 9: requests/s >= 0.9x).

The server (``queue_sink_app``, written next to the generated copy) is the generated backend's
own app plus ``POST /bench/sink/{mode}``, which installs on the process-wide event logger either
the placeholder ``LoggingSink`` (records to a handler on ``/dev/null``) or ``QueueSink`` around a
backend that sleeps 50 ms per event, like a remote collector. Rounds alternate the two modes;
each round loads ``POST /api/ai/ask-question`` (instrumented: one event per request) for a fixed
time with ``wrk``, and the ratio is the median of the per-round ratios. A 50 ms backend
takes 20 events a second, so under load its queue fills and the rest are dropped and counted:
the point is that the server stays as fast as with the placeholder, and the drops are reported.
"""

from __future__ import annotations

import json
import time

import load
import workspace
from common import Options, Row, Section, Stats, bench_env, log, ratio_row

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


def _switch(port: int, mode: str) -> dict[str, int]:
    """Install the ``mode`` sink; return the health counters of the sink it replaced."""
    status, body = load.request(port, "POST", f"/bench/sink/{mode}")
    if status != 200:
        raise RuntimeError(f"/bench/sink/{mode} answered {status}: {body[:200]!r}")
    document: dict[str, int] = json.loads(body)
    return document


def run(options: Options) -> Section:
    """Compare requests/s with the slow sink behind ``QueueSink`` and with the logging sink."""
    section = Section("queue-sink", "A slow sink behind QueueSink, under load")
    load.require_wrk()
    started = time.perf_counter()
    work = workspace.fresh_dir("queue-sink")
    copy = work / "project"
    plan = workspace.make_generated(copy)
    (work / "queue_sink_app.py").write_text(
        APP.format(backend=str(copy / plan.backend)), encoding="utf-8"
    )
    rps: dict[str, list[float]] = {"logging": [], "queued": []}
    requests = {"logging": 0, "queued": 0}
    dropped = 0
    server = load.serve(
        "queue_sink_app:app", app_dir=work, env=bench_env(), log_file=work / "uvicorn.log"
    )
    with server as port:

        def load_once(seconds: int) -> load.LoadResult:
            url = f"http://{load.HOST}:{port}{PATH}"
            return load.wrk(
                url, BODY, seconds=seconds, connections=options.http_connections, script_dir=work
            )

        _switch(port, "logging")
        load_once(1)  # warm-up
        previous = "logging"
        log(f"queue-sink: {options.http_rounds} rounds x 2 sinks x {options.http_seconds} s")
        for round_index in range(options.http_rounds):
            order = ["logging", "queued"] if round_index % 2 else ["queued", "logging"]
            for mode in order:
                # Each switch answers the health of the sink it replaces (and closes it).
                replaced = _switch(port, mode)
                if previous == "queued":
                    dropped += replaced["dropped"]
                result = load_once(options.http_seconds)
                rps[mode].append(result.rps)
                requests[mode] += result.requests
                previous = mode
        replaced = _switch(port, "logging")
        if previous == "queued":
            dropped += replaced["dropped"]
    section.rows.append(
        Row("ask-question, logging sink: throughput", "req/s", Stats.of(rps["logging"]))
    )
    section.rows.append(
        ratio_row(
            "ask-question, 50 ms sink behind QueueSink: throughput",
            "req/s",
            rps["queued"],
            "logging sink",
            rps["logging"],
            f">= {TARGET}x",
        )
    )
    section.notes.append(
        f"POST {PATH} under uvicorn (1 worker), wrk with {options.http_connections} connections, "
        f"{options.http_seconds} s per sink and round, {options.http_rounds} rounds alternating "
        "which sink goes first; ratio = median of per-round ratios. The 50 ms backend takes 20 "
        f"events/s: of {requests['queued']:,} events sent through QueueSink(maxsize=10,000) the "
        f"server dropped and counted {dropped:,} (health `dropped`), and every request still "
        "answered 2xx."
    )
    section.seconds = time.perf_counter() - started
    return section
