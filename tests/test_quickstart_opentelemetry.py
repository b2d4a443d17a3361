"""The quickstart of a ``sink = "opentelemetry"`` plan really runs, on a copy of the bundled one.

Like ``test_quickstart.py`` for the bundled plan: the copy's plan gets ``sink = "opentelemetry"``,
``generate`` rewrites its layer and documents, and the ```bash blocks of the copy's quickstart run
in order (the install blocks aside: this environment is the install). The SDK steps print records
through the SDK's console exporter, offline. The Collector step needs a Collector, so its
configuration is only checked: the YAML parses into a logs pipeline from OTLP, and the Python
snippet compiles.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomlkit
import yaml

from tests.cli_support import copy_bundled_project, run
from tests.test_quickstart import free_port, sh


@pytest.fixture(scope="module")
def environment() -> dict[str, str]:
    # `telemetry-scaffold` and `python` in the snippets resolve to this interpreter's environment.
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TELEMETRY_ENABLED", None)
    return env


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_bundled_project(tmp_path_factory.mktemp("quickstart-otel") / "project")
    config = root / "pyproject.toml"
    document = tomlkit.parse(config.read_text(encoding="utf-8"))
    document["tool"]["telemetry-scaffold"]["sink"] = "opentelemetry"  # type: ignore[index]
    config.write_text(tomlkit.dumps(document), encoding="utf-8")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    return root


def quickstart(project: Path) -> str:
    return (project / "specs/059-analytics-telemetry/quickstart.md").read_text(encoding="utf-8")


def blocks(project: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", quickstart(project), flags=re.S)


def test_the_quickstart_shows_the_whole_opentelemetry_path(project: Path) -> None:
    text = quickstart(project)
    for fragment in (
        "pip install 'opentelemetry-api>=1.45' 'opentelemetry-sdk>=1.45'",
        "ConsoleLogRecordExporter",
        '"event_name": "ai_block_used"',
        "log.record.uid",
        "OTLPLogExporter",
        "Send the records to an OpenTelemetry Collector",
        '"opentelemetry_sdk_configured":true',
    ):
        assert fragment in text, fragment
    assert "sink: LoggingSink" not in text and "logging.basicConfig" not in text


def test_cli_steps(project: Path, environment: dict[str, str]) -> None:
    commands = [
        line
        for block in blocks(project, "bash")
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
    assert re.search(
        r"All \d+ files are up to date\.", outputs["telemetry-scaffold generate --check"].stdout
    )
    emitted = next(r for c, r in outputs.items() if c.startswith("telemetry-scaffold emit ai_"))
    assert re.match(r"logged ai_block_used event [0-9a-f-]{36} at \S+Z\n", emitted.stdout)
    redacting = next(r for c, r in outputs.items() if "ada@example.com" in c)
    assert '"email": "[redacted]"' in redacting.stdout
    health = outputs["telemetry-scaffold health"].stdout
    for fragment in (
        "ok (in-process)",
        "sink: OpenTelemetrySink",
        "opentelemetry sdk configured: false",
        "up to date",
    ):
        assert fragment in health


@pytest.fixture
def server(project: Path, environment: dict[str, str]) -> Iterator[Server]:
    [start] = [
        block.strip()
        for block in blocks(project, "bash")
        if "uvicorn.run(" in block and "ConsoleLogRecordExporter" in block
    ]
    port = free_port()
    process = subprocess.Popen(
        # `exec` so that terminating bash terminates the server.
        ["bash", "-c", start.replace("port=8000", f"port={port}").replace("&& ", "&& exec ", 1)],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
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
    running = Server(f"http://127.0.0.1:{port}", process)
    yield running
    running.stop()


_UID = "log.record.uid"


def printed_records(text: str) -> list[dict[str, Any]]:
    """The JSON objects the console exporter printed one after another (other lines skipped)."""
    decoder = json.JSONDecoder()
    records: list[dict[str, Any]] = []
    index = text.find("{")
    while index != -1:
        try:
            item, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            end = index + 1
        else:
            if isinstance(item, dict) and isinstance(item.get("attributes"), dict):
                records.append(item)
        index = text.find("{", end)
    return records


class Server:
    """The quickstart's server: its URL, and what it printed once stopped."""

    def __init__(self, url: str, process: subprocess.Popen[str]) -> None:
        self.url = url
        self.process = process

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        stdout, _ = self.process.communicate(timeout=10)
        return stdout or ""


@pytest.mark.skipif(shutil.which("curl") is None, reason="the quickstart's HTTP steps use curl")
def test_http_steps_print_records(
    project: Path, environment: dict[str, str], server: Server
) -> None:
    steps = [
        block.strip().replace("http://127.0.0.1:8000", server.url)
        for block in blocks(project, "bash")
        if "127.0.0.1:8000" in block
    ]
    results = [sh(step, project, environment) for step in steps]
    for step, result in zip(steps, results, strict=True):
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    accepted, unknown, too_large, health, via_cli = (result.stdout for result in results)
    match = re.fullmatch(
        r'\{"status":"accepted","event_id":"([0-9a-f-]{36})","event_type":"ai_block_used",'
        r'"timestamp":"\S+Z"\}\n202\n',
        accepted,
    )
    assert match is not None, accepted
    assert (unknown.strip(), too_large.strip()) == ("422", "413")
    assert health.startswith('{"status":"ok","enabled":true,"sink":"OpenTelemetrySink",')
    assert health.endswith('"window_seconds":60,"opentelemetry_sdk_configured":true}\n200\n')
    assert f"via {server.url}" in via_cli and f"ok ({server.url})" in via_cli
    assert "opentelemetry sdk configured: true" in via_cli
    # The console exporter printed the posted event's record on the server's stdout.
    printed = server.stop()
    assert f'"log.record.uid": "{match[1]}"' in printed
    assert '"event_name": "ai_block_used"' in printed
    # The record step 5 shows as an example has the attributes the posted event's record has.
    [record] = [
        item for item in printed_records(printed) if item["attributes"].get(_UID) == match[1]
    ]
    [example] = [json.loads(block) for block in blocks(project, "json")]
    assert example["event_name"] == record["event_name"]
    assert {**example["attributes"], _UID: match[1]} == record["attributes"]


def test_error_capture_step_prints_the_record(project: Path, environment: dict[str, str]) -> None:
    [snippet] = [block for block in blocks(project, "bash") if "quickstart-failure" in block]
    result = sh(snippet, project, environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500"
    assert '"event_name": "error_event"' in result.stderr
    assert '"exception": "RuntimeError"' in result.stderr
    assert '"route": "/quickstart-failure"' in result.stderr
    assert '"log.record.uid"' in result.stderr


def test_collector_step_is_a_valid_configuration(project: Path) -> None:
    [config] = [yaml.safe_load(block) for block in blocks(project, "yaml")]
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == "127.0.0.1:4318"
    logs = config["service"]["pipelines"]["logs"]
    assert logs["receivers"] == ["otlp"]
    assert all(name in config["exporters"] for name in logs["exporters"])
    assert all(name in config["processors"] for name in logs["processors"])
    [setup] = [block for block in blocks(project, "python") if "OTLPLogExporter" in block]
    compile(setup, "quickstart-setup.py", "exec")
    assert 'endpoint="http://127.0.0.1:4318/v1/logs"' in setup


def test_python_steps_emit_one_record_each(project: Path, environment: dict[str, str]) -> None:
    # Step 3's snippets, in order, in a process with an SDK that prints every record: each one
    # becomes one OpenTelemetry record (the Collector step's snippet is checked above).
    snippets = [block for block in blocks(project, "python") if "OTLPLogExporter" not in block]
    assert snippets
    setup = (
        "import sys\n"
        "from opentelemetry._logs import set_logger_provider\n"
        "from opentelemetry.sdk._logs import LoggerProvider\n"
        "from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter, "
        "SimpleLogRecordProcessor\n"
        "provider = LoggerProvider()\n"
        "provider.add_log_record_processor("
        "SimpleLogRecordProcessor(ConsoleLogRecordExporter(out=sys.stdout)))\n"
        "set_logger_provider(provider)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", setup + "\n".join(snippets)],
        cwd=project / "backend",
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('"log.record.uid"') == len(snippets), result.stdout
    assert "WARNING" not in result.stderr
