"""HTTP throughput and p99 latency under uvicorn (one worker, no access log) on 127.0.0.1.

One server runs :mod:`http_app`; a load generator (``wrk`` when installed, else
:mod:`loadgen`) drives each endpoint for a fixed time, and the endpoints are interleaved round by
round, so that each comparison (telemetry endpoint vs. a bare endpoint; instrumented AI block vs.
its un-instrumented twin) is made in the same server under the same conditions.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import workspace
from common import BENCH_DIR, PYTHON, Options, Row, Section, Stats, bench_env, log, ratio_row

HOST = "127.0.0.1"
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
QUESTION_BODY = json.dumps({"question": "What is a robot?", "chapter_id": "intro-to-robotics"})


@dataclass(frozen=True)
class Endpoint:
    """A POST endpoint to load, the body to send, and the status it must answer."""

    name: str
    path: str
    body: str
    status: int
    logs_event: bool


ENDPOINTS = (
    Endpoint("bare POST (ignores body)", "/bench/bare", TELEMETRY_BODY, 202, False),
    Endpoint("POST /api/telemetry/log", "/api/telemetry/log", TELEMETRY_BODY, 202, True),
    Endpoint(
        "ask-question, un-instrumented",
        "/bench/pristine/api/ai/ask-question",
        QUESTION_BODY,
        200,
        False,
    ),
    Endpoint("ask-question, instrumented", "/api/ai/ask-question", QUESTION_BODY, 200, True),
)
COMPARISONS = (
    ("POST /api/telemetry/log", "bare POST (ignores body)", ">= 0.7x"),
    ("ask-question, instrumented", "ask-question, un-instrumented", ">= 0.9x"),
)


@dataclass(frozen=True)
class LoadResult:
    """One timed load on one endpoint."""

    rps: float
    p99_ms: float
    requests: int
    bad: int


def round_order(round_index: int) -> list[Endpoint]:
    """The endpoints of one round: each subject next to its baseline, who goes first alternating.

    Back-to-back pairs keep a slow spell of the shared machine inside one pair's ratio.
    """
    by_name = {endpoint.name: endpoint for endpoint in ENDPOINTS}
    pairs = [[by_name[subject], by_name[baseline]] for subject, baseline, _ in COMPARISONS]
    if round_index % 2:
        pairs = [pair[::-1] for pair in pairs]
    if (round_index // 2) % 2:
        pairs.reverse()
    return [endpoint for pair in pairs for endpoint in pair]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _request(port: int, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def serve(backend: Path, pristine: Path, log_file: Path) -> Iterator[int]:
    """Run uvicorn with :mod:`http_app` and yield its port; stop it afterwards."""
    port = _free_port()
    env = bench_env(BENCH_BACKEND=str(backend), BENCH_PRISTINE_AI_BLOCKS=str(pristine))
    argv = [PYTHON, "-m", "uvicorn", "http_app:app", "--app-dir", str(BENCH_DIR)]
    argv += ["--host", HOST, "--port", str(port), "--workers", "1"]
    argv += ["--no-access-log", "--log-level", "warning"]
    with log_file.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            argv, cwd=log_file.parent, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(
                        f"uvicorn exited {server.returncode}:\n{log_file.read_text()[-2000:]}"
                    )
                with contextlib.suppress(OSError):
                    if _request(port, "GET", "/bench/events")[0] == 200:
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


def _events(port: int) -> int:
    status, body = _request(port, "GET", "/bench/events")
    if status != 200:
        raise RuntimeError(f"/bench/events answered {status}")
    count: int = json.loads(body)["records"]
    return count


def verify(port: int) -> None:
    """Check every endpoint's status and that exactly the instrumented ones write a record."""
    for endpoint in ENDPOINTS:
        before = _events(port)
        status, body = _request(port, "POST", endpoint.path, endpoint.body)
        if status != endpoint.status:
            raise RuntimeError(
                f"{endpoint.path} answered {status}, expected {endpoint.status}: {body[:300]!r}"
            )
        logged = _events(port) - before
        if logged != (1 if endpoint.logs_event else 0):
            raise RuntimeError(
                f"{endpoint.path} wrote {logged} event records, expected "
                f"{1 if endpoint.logs_event else 0}"
            )


_WRK_DURATION = re.compile(r"^\s*([\d.]+)(us|ms|s)$")


def _wrk_ms(text: str) -> float:
    match = _WRK_DURATION.match(text)
    if match is None:
        raise ValueError(f"cannot read wrk duration {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, endpoint: Endpoint, options: Options, seconds: float, work: Path) -> LoadResult:
    script = work / (endpoint.path.strip("/").replace("/", "_") + ".lua")
    if not script.exists():
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(endpoint.body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n',
            encoding="utf-8",
        )
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{options.http_connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    output = result.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if result.returncode != 0 or rps is None or p99 is None or total is None:
        raise RuntimeError(f"wrk failed on {url}:\n{output}\n{result.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    bad_count = int(bad.group(1)) if bad else 0
    if errors:
        bad_count += sum(int(value) for value in errors.groups())
    return LoadResult(float(rps.group(1)), _wrk_ms(p99.group(1)), int(total.group(1)), bad_count)


def _python_load(url: str, endpoint: Endpoint, options: Options, seconds: float) -> LoadResult:
    result = subprocess.run(
        [
            PYTHON,
            str(BENCH_DIR / "loadgen.py"),
            url,
            endpoint.body,
            "--seconds",
            str(seconds),
            "--connections",
            str(options.http_connections),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"loadgen failed on {url}:\n{result.stderr[-2000:]}")
    document = json.loads(result.stdout)
    return LoadResult(
        document["rps"],
        document["p99_ms"],
        int(document["requests"]),
        int(document["non_2xx"]) + int(document["errors"]),
    )


def in_app(options: Options, backend: Path, pristine: Path, work: Path, section: Section) -> None:
    """Time and profile each endpoint called directly through ASGI (see ``asgi_probe.py``)."""
    rounds, number = (3, 200) if options.quick else (9, 500)
    spec = {
        "endpoints": [[e.name, e.path, e.body] for e in ENDPOINTS],
        "rounds": rounds,
        "number": number,
        "profile": [subject for subject, _, _ in COMPARISONS],
    }
    log(f"http: in-app cost per request, {rounds} rounds x {number} direct ASGI calls")
    result = subprocess.run(
        [PYTHON, str(BENCH_DIR / "asgi_probe.py"), json.dumps(spec)],
        cwd=work,
        env=bench_env(BENCH_BACKEND=str(backend), BENCH_PRISTINE_AI_BLOCKS=str(pristine)),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"asgi_probe failed:\n{result.stderr[-2000:]}")
    document = json.loads(result.stdout)
    samples: dict[str, list[float]] = document["samples"]
    for subject, baseline, _ in COMPARISONS:
        section.rows.append(Row(f"in-app {baseline}", "µs/req", Stats.of(samples[baseline])))
        section.rows.append(
            ratio_row(f"in-app {subject}", "µs/req", samples[subject], baseline, samples[baseline])
        )
        section.profiles.append(
            (
                f"cProfile: {subject}, direct ASGI calls (by internal time)",
                document["profiles"][subject],
            )
        )
    section.notes.append(
        "in-app rows call the same app directly through ASGI (no server, no socket): the cost "
        "of routing, validation, the handler and the telemetry work per request, "
        f"{rounds} interleaved rounds of {number} calls."
    )


def loadgen_name(options: Options) -> str:
    """Which load generator this run uses: ``wrk`` when asked for or found, else Python."""
    if options.loadgen == "wrk" or (options.loadgen == "auto" and shutil.which("wrk")):
        return "wrk"
    return "python"


def run(options: Options) -> Section:
    """Load each endpoint in interleaved rounds and compare requests/s and p99 latency."""
    section = Section("http", "HTTP under uvicorn (1 worker, no access log, 127.0.0.1)")
    started = time.perf_counter()
    work = workspace.fresh_dir("http")
    copy = work / "project"
    plan = workspace.make_generated(copy)
    patched = copy / plan.module_path("api/ai_blocks.py")
    pristine_text = workspace.strip_instrumentation(
        patched.read_text(encoding="utf-8"),
        plan.module_import_name("api/ai_blocks.py"),
        plan.analytics_package,
    )
    if pristine_text == patched.read_text(encoding="utf-8"):
        raise RuntimeError(f"{patched} carries no instrumentation to compare against")
    pristine = work / "ai_blocks_pristine.py"
    pristine.write_text(pristine_text, encoding="utf-8")

    generator = loadgen_name(options)
    samples: dict[str, list[LoadResult]] = {endpoint.name: [] for endpoint in ENDPOINTS}
    with serve(copy / plan.backend, pristine, work / "uvicorn.log") as port:
        verify(port)
        base_url = f"http://{HOST}:{port}"

        def load(endpoint: Endpoint, seconds: float) -> LoadResult:
            url = base_url + endpoint.path
            if generator == "wrk":
                return _wrk(url, endpoint, options, seconds, work)
            return _python_load(url, endpoint, options, seconds)

        log(
            f"http: {generator}, {options.http_rounds} rounds x {len(ENDPOINTS)} endpoints x "
            f"{options.http_seconds:g} s, {options.http_connections} connections"
        )
        for endpoint in ENDPOINTS:  # warm-up: imports, caches, the first-request paths
            load(endpoint, 1.0)
        for round_index in range(options.http_rounds):
            for endpoint in round_order(round_index):
                result = load(endpoint, options.http_seconds)
                if result.bad:
                    raise RuntimeError(f"{endpoint.path}: {result.bad} failed responses under load")
                samples[endpoint.name].append(result)

    rps = {name: [r.rps for r in results] for name, results in samples.items()}
    p99 = {name: [r.p99_ms for r in results] for name, results in samples.items()}
    for subject, baseline, target in COMPARISONS:
        section.rows.append(Row(f"{baseline}: throughput", "req/s", Stats.of(rps[baseline])))
        section.rows.append(
            ratio_row(
                f"{subject}: throughput", "req/s", rps[subject], baseline, rps[baseline], target
            )
        )
        section.rows.append(Row(f"{baseline}: p99 latency", "ms", Stats.of(p99[baseline])))
        section.rows.append(
            ratio_row(f"{subject}: p99 latency", "ms", p99[subject], baseline, p99[baseline])
        )
    in_app(options, copy / plan.backend, pristine, work, section)
    requests = sum(r.requests for results in samples.values() for r in results)
    section.notes.append(
        f"load generator: {generator} ({options.http_connections} connections, 1 thread, "
        f"{options.http_seconds:g} s per endpoint per round, {options.http_rounds} rounds after a "
        f"1 s warm-up each; {requests:,} requests in all). Each subject runs right before or "
        "after its baseline (alternating), and its ratio is the median of the per-round ratios. "
        "The un-instrumented twin is the AI "
        "blocks module with the inserted statements removed, mounted under /bench/pristine in the "
        "same app; event records go through a StreamHandler on /dev/null."
    )
    section.seconds = time.perf_counter() - started
    return section
