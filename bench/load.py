"""Serve an app under uvicorn on 127.0.0.1 and load it with ``wrk``: the HTTP benchmarks' tools.

``wrk`` (Debian: ``apt-get install wrk``) is the load generator; without it the HTTP benchmarks
report that they could not run. Loads are bounded in time and go to this machine only.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from common import PYTHON

HOST = "127.0.0.1"


@dataclass(frozen=True)
class LoadResult:
    """One timed load on one URL."""

    rps: float
    p99_ms: float
    requests: int


def require_wrk() -> None:
    """Raise when ``wrk`` is not installed."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")


def request(port: int, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
    """Send one request to the server on ``port``; return its status and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(app: str, *, app_dir: Path, env: Mapping[str, str], log_file: Path) -> Iterator[int]:
    """Run ``uvicorn app`` (one worker, no access log) and yield its port; stop it afterwards."""
    port = _free_port()
    argv = [PYTHON, "-m", "uvicorn", app, "--app-dir", str(app_dir), "--host", HOST]
    argv += ["--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]
    with log_file.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            argv, cwd=log_file.parent, env=dict(env), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(
                        f"uvicorn exited {server.returncode}:\n{log_file.read_text()[-2000:]}"
                    )
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


_DURATION = re.compile(r"^\s*([\d.]+)(us|ms|s)$")


def _ms(text: str) -> float:
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"cannot read wrk duration {text!r}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


def wrk(url: str, body: str, *, seconds: int, connections: int, script_dir: Path) -> LoadResult:
    """POST ``body`` as JSON to ``url`` for ``seconds`` on ``connections`` connections (1 thread).

    Raises:
        RuntimeError: wrk failed, or a response was not 2xx, or a socket error occurred.
    """
    script = script_dir / f"post-{hashlib.sha1(body.encode()).hexdigest()[:12]}.lua"
    if not script.exists():
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n',
            encoding="utf-8",
        )
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=seconds + 60)
    output = result.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if result.returncode != 0 or rps is None or p99 is None or total is None:
        raise RuntimeError(f"wrk failed on {url}:\n{output}\n{result.stderr}")
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"failed responses under load on {url}:\n{output}")
    return LoadResult(float(rps.group(1)), _ms(p99.group(1)), int(total.group(1)))
