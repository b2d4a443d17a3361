"""HTTP throughput under uvicorn (one worker, no access log, 127.0.0.1), against fair twins.

Two servers run two copies of the same generated project (``http_app.py``): the copy as
``generate`` left it, and its *twin*, whose AI blocks module has no instrumentation and whose
``POST /api/telemetry/log`` is a bare endpoint that reads and parses the same body (same route
position, same content type, ``json.loads`` of the same bytes, an answer of the same size). The
same URL is loaded on each server with ``wrk`` for a fixed time, each subject right before or
after its twin (alternating), and each ratio is the median of the per-round ratios. Then both
apps are called directly through ASGI in one process (``asgi_probe.py``): the in-app cost per
request, steadier than a load test, and its profile.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import load
import workspace
from common import BENCH_DIR, PYTHON, Options, Row, Section, Stats, bench_env, log, ratio_row

TELEMETRY_BODY = json.dumps(
    {
        "event_type": "ai_block_used",
        "payload": {
            "block_type": "ask-question",
            "chapter_id": "kinematics",
            "handler": "ask_question",
            "method": "POST",
            "route": "/api/ai/ask-question",
        },
    }
)
# The least any endpoint that writes one record per event pays: the bare endpoint plus the record.
FLOOR = "bare endpoint + one record of the event line"
QUESTION_BODY = json.dumps({"question": "What is a robot?", "chapter_id": "intro-to-robotics"})


@dataclass(frozen=True)
class Comparison:
    """A URL loaded on the instrumented server (the subject) and on the twin (the baseline)."""

    subject: str
    baseline: str
    path: str
    body: str
    status: int
    target: str


COMPARISONS = (
    Comparison(
        "POST /api/telemetry/log",
        "bare endpoint parsing the same body",
        "/api/telemetry/log",
        TELEMETRY_BODY,
        202,
        ">= 0.9x",
    ),
    Comparison(
        "ask-question, instrumented",
        "ask-question, uninstrumented twin",
        "/api/ai/ask-question",
        QUESTION_BODY,
        200,
        ">= 0.9x",
    ),
)


def make_copies(work: Path) -> tuple[Path, Path]:
    """A generated copy and its twin (AI blocks without instrumentation); their backends."""
    instrumented = work / "instrumented"
    plan = workspace.make_generated(instrumented)
    twin = work / "twin"
    shutil.copytree(instrumented, twin)
    module = twin / plan.module_path("api/ai_blocks.py")
    text = module.read_text(encoding="utf-8")
    stripped = workspace.strip_instrumentation(
        text, plan.module_import_name("api/ai_blocks.py"), plan.analytics_package
    )
    if stripped == text:
        raise RuntimeError(f"{module} carries no instrumentation to compare against")
    module.write_text(stripped, encoding="utf-8")
    return instrumented / plan.backend, twin / plan.backend


def _events(port: int) -> int:
    status, body = load.request(port, "GET", "/bench/events")
    if status != 200:
        raise RuntimeError(f"/bench/events answered {status}")
    count: int = json.loads(body)["records"]
    return count


def verify(ports: dict[str, int]) -> None:
    """Check statuses, that only the instrumented server writes records, and the answer sizes."""
    for comparison in COMPARISONS:
        answers: dict[str, bytes] = {}
        for server, port in ports.items():
            before = _events(port)
            status, body = load.request(port, "POST", comparison.path, comparison.body)
            if status != comparison.status:
                raise RuntimeError(f"{server} {comparison.path} answered {status}: {body[:300]!r}")
            written = _events(port) - before
            expected = 1 if server == "instrumented" else 0
            if written != expected:
                raise RuntimeError(
                    f"{server} {comparison.path} wrote {written} records, expected {expected}"
                )
            answers[server] = body
        if len(answers["instrumented"]) != len(answers["twin"]):
            raise RuntimeError(
                f"{comparison.path}: answers differ in size: {answers['instrumented']!r} vs "
                f"{answers['twin']!r}"
            )


def in_app(options: Options, backends: dict[str, Path], work: Path, section: Section) -> None:
    """Time and profile each endpoint of both apps called directly through ASGI."""
    rounds, number = (3, 200) if options.quick else (9, 500)
    endpoints = []
    for comparison in COMPARISONS:
        endpoints.append([comparison.subject, "instrumented", comparison.path, comparison.body])
        endpoints.append([comparison.baseline, "twin", comparison.path, comparison.body])
    log_path, log_body = COMPARISONS[0].path, COMPARISONS[0].body
    endpoints.append([FLOOR, "floor", log_path, log_body])
    spec = {
        "apps": {
            "instrumented": [str(backends["instrumented"]), False, False],
            "twin": [str(backends["twin"]), True, False],
            "floor": [str(backends["twin"]), True, True],
        },
        "endpoints": endpoints,
        "rounds": rounds,
        "number": number,
        "profile": [name for c in COMPARISONS for name in (c.subject, c.baseline)],
    }
    log(f"http: in-app cost per request, {rounds} rounds x {number} direct ASGI calls")
    result = subprocess.run(
        [PYTHON, str(BENCH_DIR / "asgi_probe.py"), json.dumps(spec)],
        cwd=work,
        env=bench_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"asgi_probe failed:\n{result.stderr[-2000:]}")
    document = json.loads(result.stdout)
    samples: dict[str, list[float]] = document["samples"]
    for comparison in COMPARISONS:
        subject, baseline = comparison.subject, comparison.baseline
        section.rows.append(Row(f"in-app: {baseline}", "µs/req", Stats.of(samples[baseline])))
        section.rows.append(
            ratio_row(f"in-app: {subject}", "µs/req", samples[subject], baseline, samples[baseline])
        )
        if comparison is COMPARISONS[0]:
            section.rows.append(
                ratio_row(f"in-app: {FLOOR}", "µs/req", samples[FLOOR], baseline, samples[baseline])
            )
        for name in (subject, baseline):
            section.profiles.append(
                (
                    f"cProfile: {name}, direct ASGI calls (by internal time)",
                    document["profiles"][name],
                )
            )


def run(options: Options) -> Section:
    """Load each URL on both servers in interleaved rounds; compare requests/s and p99."""
    section = Section("http", "HTTP under uvicorn (1 worker, no access log, 127.0.0.1)")
    load.require_wrk()
    started = time.perf_counter()
    work = workspace.fresh_dir("http")
    instrumented, twin = make_copies(work)
    backends = {"instrumented": instrumented, "twin": twin}
    results: dict[str, list[load.LoadResult]] = {}
    with contextlib.ExitStack() as stack:
        ports = {
            name: stack.enter_context(
                load.serve(
                    "http_app:app",
                    app_dir=BENCH_DIR,
                    env=bench_env(
                        BENCH_BACKEND=str(backend), BENCH_TWIN="1" if name == "twin" else "0"
                    ),
                    log_file=work / f"uvicorn-{name}.log",
                )
            )
            for name, backend in backends.items()
        }
        verify(ports)

        def load_once(name: str, comparison: Comparison, seconds: int) -> load.LoadResult:
            url = f"http://{load.HOST}:{ports[name]}{comparison.path}"
            return load.wrk(
                url,
                comparison.body,
                seconds=seconds,
                connections=options.http_connections,
                script_dir=work,
            )

        log(
            f"http: wrk, {options.http_rounds} rounds x {2 * len(COMPARISONS)} loads x "
            f"{options.http_seconds} s, {options.http_connections} connections"
        )
        for comparison in COMPARISONS:  # warm-up: first-request paths, caches, the allocator
            for name in backends:
                load_once(name, comparison, 1)
        for round_index in range(options.http_rounds):
            order = list(COMPARISONS) if round_index % 4 < 2 else list(reversed(COMPARISONS))
            for comparison in order:
                names = ["instrumented", "twin"] if round_index % 2 else ["twin", "instrumented"]
                for name in names:
                    key = comparison.subject if name == "instrumented" else comparison.baseline
                    results.setdefault(key, []).append(
                        load_once(name, comparison, options.http_seconds)
                    )

    for comparison in COMPARISONS:
        subject, baseline = comparison.subject, comparison.baseline
        rps = {key: [r.rps for r in results[key]] for key in (subject, baseline)}
        p99 = {key: [r.p99_ms for r in results[key]] for key in (subject, baseline)}
        section.rows.append(Row(f"{baseline}: throughput", "req/s", Stats.of(rps[baseline])))
        section.rows.append(
            ratio_row(
                f"{subject}: throughput",
                "req/s",
                rps[subject],
                baseline,
                rps[baseline],
                comparison.target,
            )
        )
        section.rows.append(Row(f"{baseline}: p99 latency", "ms", Stats.of(p99[baseline])))
        section.rows.append(
            ratio_row(f"{subject}: p99 latency", "ms", p99[subject], baseline, p99[baseline])
        )
    in_app(options, backends, work, section)
    requests = sum(r.requests for series in results.values() for r in series)
    section.notes.append(
        f"wrk: 1 thread, {options.http_connections} connections, {options.http_seconds} s per "
        f"load, {options.http_rounds} rounds after a 1 s warm-up of each ({requests:,} requests "
        "in all). The twin server runs a copy of the same project whose AI blocks module has "
        "the inserted statements removed and whose `POST /api/telemetry/log` route is replaced, "
        "at the same index of the route table, by a bare endpoint: `json.loads(await "
        "request.body())`, then a 202 JSON answer of the same size. Both servers were checked "
        "first: same statuses and answer sizes, one event record per request on the "
        "instrumented server, none on the twin. Records go through a StreamHandler on /dev/null."
    )
    section.notes.append(
        "in-app rows call both apps directly through ASGI in one process (no server, no socket), "
        "interleaved: routing, validation, the handler and the telemetry work per request. The "
        f"row '{FLOOR}' is the bare endpoint writing one record of a ready-made event line "
        "(`makeRecord` + `handle` on the same logger and handler): the floor of any endpoint "
        "that logs each event."
    )
    section.seconds = time.perf_counter() - started
    return section
