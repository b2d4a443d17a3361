"""The committed quickstart's commands really run, on a copy of the bundled project.

Every ```bash block of `specs/059-analytics-telemetry/quickstart.md` is executed in order (the
install block aside: this environment is the install): `telemetry-scaffold` through this
interpreter, the server on a free loopback port instead of 8000, curl and the Python snippet through
bash. What each step prints is checked against the document's own **Expected** line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import REPO, copy_bundled_project

QUICKSTART = REPO / "specs/059-analytics-telemetry/quickstart.md"


def code_blocks(language: str) -> list[str]:
    """The quickstart's fenced blocks of ``language``, in order."""
    return re.findall(rf"```{language}\n(.*?)```", QUICKSTART.read_text(), flags=re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_project(tmp_path_factory.mktemp("quickstart") / "project")


@pytest.fixture(scope="module")
def environment() -> dict[str, str]:
    # `telemetry-scaffold` and `python` in the snippets resolve to this interpreter's environment.
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TELEMETRY_ENABLED", None)
    return env


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_quickstart_has_the_steps_this_test_runs() -> None:
    blocks = code_blocks("bash")
    assert any("pip install" in block for block in blocks)
    assert sum("telemetry-scaffold" in block for block in blocks) >= 6
    assert sum("curl" in block for block in blocks) >= 3


def test_cli_steps(project: Path, environment: dict[str, str]) -> None:
    commands = [
        line
        for block in code_blocks("bash")
        for line in block.splitlines()
        if line.startswith("telemetry-scaffold") and "--url" not in line
    ]
    outputs = {}
    for command in commands:
        result = sh(command, project, environment)
        expected = 1 if "not_an_event" in command else 0
        assert result.returncode == expected, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        outputs[command] = result
    check = outputs["telemetry-scaffold generate --check"]
    assert "All 19 files are up to date." in check.stdout
    # ai_block_used is declared: the quickstart's example payload is one its declaration accepts.
    example = """'{"chapter_id": "example-chapter_id"}'"""
    first_emit = next(r for c, r in outputs.items() if c.endswith(example))
    assert re.match(r"logged ai_block_used event [0-9a-f-]{36} at \S+Z\n", first_emit.stdout)
    redacting = next(r for c, r in outputs.items() if "ada@example.com" in c)
    assert '"email": "[redacted]"' in redacting.stdout
    rejected = outputs["telemetry-scaffold emit not_an_event"]
    assert "ai_block_used, chapter_visit, error_event" in rejected.stderr
    health = outputs["telemetry-scaffold health"]
    for fragment in ("ok (in-process)", "enabled: true", "sink: LoggingSink", "up to date"):
        assert fragment in health.stdout


@pytest.fixture
def server(project: Path, environment: dict[str, str]) -> Iterator[str]:
    [start] = [
        block.strip()
        for block in code_blocks("bash")
        if "uvicorn.run(" in block and "logging.basicConfig" in block
    ]
    port = free_port()
    process = subprocess.Popen(
        # `exec` so that terminating bash terminates the server.
        ["bash", "-c", start.replace("port=8000", f"port={port}").replace("&& ", "&& exec ", 1)],
        cwd=project,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the quickstart's server did not start"
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    _, logs = process.communicate(timeout=10)
    # The server was started with logging, so the events of the steps are in its output.
    assert "app.analytics" in logs and '"event_type":"ai_block_used"' in logs


@pytest.mark.skipif(shutil.which("curl") is None, reason="the quickstart's HTTP steps use curl")
def test_http_steps(project: Path, environment: dict[str, str], server: str) -> None:
    steps = [
        block.strip().replace("http://127.0.0.1:8000", server)
        for block in code_blocks("bash")
        if "127.0.0.1:8000" in block
    ]
    results = [sh(step, project, environment) for step in steps]
    for step, result in zip(steps, results, strict=True):
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    accepted, unknown, too_large, health, via_cli = (result.stdout for result in results)
    # The steps whose Expected line names a status and a body print both: the body, then the
    # status on a line of its own.
    assert re.fullmatch(
        r'\{"status":"accepted","event_id":"[0-9a-f-]{36}","event_type":"ai_block_used",'
        r'"timestamp":"\S+Z"\}\n202\n',
        accepted,
    )
    assert unknown.strip() == "422"
    assert too_large.strip() == "413"
    assert health == (
        '{"status":"ok","enabled":true,"sink":"LoggingSink",'
        '"allowed_event_types":["ai_block_used","chapter_visit","error_event"],'
        '"queue_depth":0,"dropped":0,"failed":0,"window_seconds":60}\n200\n'
    )
    assert f"via {server}" in via_cli and f"ok ({server})" in via_cli


def test_error_capture_step(project: Path, environment: dict[str, str]) -> None:
    [snippet] = [block for block in code_blocks("bash") if "quickstart-failure" in block]
    result = sh(snippet, project, environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500"
    assert (
        '"payload":{"exception":"RuntimeError","method":"GET","route":"/quickstart-failure"}'
        in (result.stderr)
    )


def test_python_steps_record_one_event_each(project: Path, environment: dict[str, str]) -> None:
    # Step 3's snippets, in order as a reader runs them (the later ones reuse the first's import),
    # in the backend folder with logging on: each records one event and no warning.
    blocks = code_blocks("python")
    assert blocks
    script = "import logging\nlogging.basicConfig(level=logging.INFO)\n" + "\n".join(blocks)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project / "backend",
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = [
        line for line in result.stderr.splitlines() if line.startswith("INFO:app.analytics:")
    ]
    assert len(records) == len(blocks), result.stderr
    assert "WARNING" not in result.stderr


def test_the_plain_server_command_serves_the_telemetry_api(
    project: Path, environment: dict[str, str]
) -> None:
    [start] = [
        line
        for block in code_blocks("bash")
        for line in block.splitlines()
        if line.startswith("cd backend && uvicorn ")
    ]
    port = free_port()
    assert "--port 8000" in start
    process = subprocess.Popen(
        [
            "bash",
            "-c",
            start.replace("--port 8000", f"--port {port}").replace("&& ", "&& exec ", 1),
        ],
        cwd=project,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                url = f"http://127.0.0.1:{port}/api/telemetry/health"
                with urllib.request.urlopen(url, timeout=2) as response:
                    status, answer = response.status, json.loads(response.read())
                break
            except OSError:
                assert process.poll() is None, "the quickstart's plain server command stopped"
                assert time.monotonic() < deadline, "the quickstart's server did not start"
                time.sleep(0.1)
        assert status == 200
        assert answer["sink"] == "LoggingSink"
    finally:
        process.terminate()
        process.wait(timeout=10)
