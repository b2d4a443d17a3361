"""`emit` and `health`: in-process through the generated layer, and against a server."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from telemetry_cli.console import printable
from telemetry_cli.layer import import_layer
from telemetry_cli.plan import load_plan
from telemetry_cli.views import emitted_lines
from tests.cli_support import make_project, purge_app_modules, run

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@pytest.fixture
def project(generated_project: Path) -> Path:
    return generated_project


def emit(project: Path, *args: str) -> Any:
    return run("emit", "--root", str(project), *args)


def test_emit_logs_and_prints_the_event(project: Path) -> None:
    result = emit(project, "chapter_visit", "--payload", '{"chapter_id": "ch-01"}')
    assert result.exit_code == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first.startswith("logged chapter_visit event ")
    assert json.loads("\n".join(rest)) == {"chapter_id": "ch-01"}


def test_emit_json_shows_the_event_after_redaction(project: Path) -> None:
    payload = '{"chapter_id": "ch-01", "user_email": "a@example.org", "zip": "12345"}'
    result = emit(project, "chapter_visit", "--payload", payload, "--json")
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert event["event_type"] == "chapter_visit"
    assert event["payload"] == {
        "chapter_id": "ch-01",
        "user_email": "[redacted]",
        "zip": "12345",
    }
    import re

    assert re.fullmatch(UUID, event["event_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["timestamp"])


def test_emit_without_payload_uses_an_empty_object(project: Path) -> None:
    result = emit(project, "error_event", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["payload"] == {}


def test_emit_payload_from_file_and_stdin(project: Path, tmp_path: Path) -> None:
    payload_file = tmp_path / "payload.json"
    payload_file.write_text('{"block_type": "quiz"}')
    from_file = emit(project, "ai_block_used", "--payload-file", str(payload_file), "--json")
    assert json.loads(from_file.stdout)["payload"] == {"block_type": "quiz"}

    from typer.testing import CliRunner

    from telemetry_cli.cli import app

    result = CliRunner().invoke(
        app,
        ["emit", "--root", str(project), "ai_block_used", "--payload", "-", "--json"],
        input='{"block_type": "diagram"}',
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["payload"] == {"block_type": "diagram"}


def test_unknown_type_suggests_the_closest(project: Path) -> None:
    result = emit(project, "chapter_vist")
    assert result.exit_code == 1
    assert "unknown event type 'chapter_vist'" in result.stderr
    assert "allowed: ai_block_used, chapter_visit, error_event" in result.stderr
    assert "did you mean 'chapter_visit'?" in result.stderr


def test_an_unknown_type_in_other_letter_case_suggests_the_type(project: Path) -> None:
    result = emit(project, "CHAPTER_VISIT")
    assert result.exit_code == 1
    assert "did you mean 'chapter_visit'?" in result.stderr


def test_unknown_type_among_thousands_names_twenty(tmp_path: Path) -> None:
    many = ", ".join(f'"event_number_{index}"' for index in range(3000))
    config = f"event-types = [{many}]\ninstrument = {{}}\ncapture-errors = false\n"
    root = make_project(tmp_path / "project", config)
    assert run("generate", "--root", str(root)).exit_code == 0
    try:
        result = emit(root, "event_number_x")
    finally:
        purge_app_modules()
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "allowed: event_number_0, event_number_1," in line
    assert "event_number_19 and 2980 more" in line
    assert len(line) < 1024


@pytest.mark.parametrize(
    ("payload", "exit_code", "fragment"),
    [
        ('{"a": 1,}', 2, "invalid JSON at line 1, column 9"),
        ('{\n  "a": tru\n}', 2, "line 2, column 8"),
        ("[1, 2]", 1, "event rejected"),
        ('"text"', 1, "event rejected"),
        (json.dumps({"blob": "x" * 40_000}), 1, "event rejected"),
        (json.dumps({f"k{i}": i for i in range(129)}), 1, "event rejected"),
    ],
)
def test_bad_payloads(project: Path, payload: str, exit_code: int, fragment: str) -> None:
    result = emit(project, "chapter_visit", "--payload", payload)
    assert result.exit_code == exit_code
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("source", ["/dev/null", "empty-file", "blank-file", "inline"])
def test_an_empty_payload_source_is_named_as_empty(
    project: Path, tmp_path: Path, source: str
) -> None:
    if source == "inline":
        args = ["--payload", "  "]
    elif source == "/dev/null":
        args = ["--payload-file", "/dev/null"]
    else:
        path = tmp_path / "p.json"
        path.write_text("" if source == "empty-file" else "\n \t\n")
        args = ["--payload-file", str(path)]
    result = emit(project, "chapter_visit", *args)
    assert result.exit_code == 2
    assert "the payload is empty; give a JSON object" in result.stderr
    assert "Traceback" not in result.stderr


def test_payload_given_twice_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{}")
    result = emit(
        project, "chapter_visit", "--payload", "{}", "--payload-file", str(tmp_path / "p.json")
    )
    assert result.exit_code == 2
    missing = emit(project, "chapter_visit", "--payload-file", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert "file not found" in missing.stderr


def test_emit_before_generate_says_what_to_do(tmp_path: Path) -> None:
    root = make_project(tmp_path / "fresh")
    result = emit(root, "chapter_visit")
    assert result.exit_code == 2
    assert "run telemetry-scaffold generate first" in result.stderr


def test_health_in_process_is_ok_when_in_sync(project: Path) -> None:
    result = run("health", "--root", str(project))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("ok (in-process)")
    assert "event types: ai_block_used, chapter_visit, error_event" in result.stdout
    assert "sink: LoggingSink" in result.stdout
    assert "generated files: up to date" in result.stdout

    document = json.loads(run("health", "--root", str(project), "--json").stdout)
    assert document["status"] == "ok"
    assert document["layer"]["allowed_event_types"] == [
        "ai_block_used",
        "chapter_visit",
        "error_event",
    ]
    assert document["up_to_date"] is True


def test_health_reports_drift(project: Path) -> None:
    (project / "backend/app/analytics/telemetry_router.py").unlink()
    result = run("health", "--root", str(project), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["status"] == "unhealthy"
    [entry] = [
        item
        for item in document["out_of_date"]
        if item["path"] == "backend/app/analytics/telemetry_router.py"
    ]
    assert entry["labels"] == ["missing"]
    assert any("out of date; run `telemetry-scaffold generate`" in p for p in document["problems"])


def test_health_before_generate_is_unhealthy(tmp_path: Path) -> None:
    root = make_project(tmp_path / "fresh")
    result = run("health", "--root", str(root))
    assert result.exit_code == 1
    assert "run telemetry-scaffold generate first" in result.stdout


# --- against a server -------------------------------------------------------------------------


class _Scripted(BaseHTTPRequestHandler):
    """Answers every request with the status and body queued by the test."""

    answers: ClassVar[list[tuple[int, bytes]]] = []
    received: ClassVar[list[dict[str, Any]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.received.append({"path": self.path, "body": json.loads(body) if body else None})
        status, payload = self.answers.pop(0)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    _Scripted.answers.clear()
    _Scripted.received.clear()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _queue(status: int, body: Any) -> None:
    _Scripted.answers.append((status, json.dumps(body).encode()))


ACCEPTED = {
    "status": "accepted",
    "event_id": "0b7c56a4-4f5e-4b6a-9d1e-2f3a4b5c6d7e",
    "event_type": "chapter_visit",
    "timestamp": "2026-01-01T00:00:00.000Z",
}


def test_emit_url_posts_to_the_plan_prefix(project: Path, server: str) -> None:
    _queue(202, ACCEPTED)
    result = emit(project, "chapter_visit", "--payload", '{"chapter_id": "c"}', "--url", server)
    assert result.exit_code == 0, result.stderr
    assert f"via {server}" in result.stdout
    assert _Scripted.received == [
        {
            "path": "/api/telemetry/log",
            "body": {"event_type": "chapter_visit", "payload": {"chapter_id": "c"}},
        }
    ]


@pytest.mark.parametrize(
    ("status", "body", "fragment"),
    [
        (422, {"detail": "unknown event type 'x'"}, "event rejected by the server: HTTP 422"),
        (413, {"detail": "Request body too large"}, "HTTP 413: Request body too large"),
        (503, {"detail": "Telemetry sink unavailable"}, "could not log the event: HTTP 503"),
        (404, {"detail": "Not Found"}, "HTTP 404: Not Found"),
    ],
)
def test_emit_url_maps_errors(
    project: Path, server: str, status: int, body: Any, fragment: str
) -> None:
    _queue(status, body)
    result = emit(project, "chapter_visit", "--url", server)
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert result.stderr.count("\n") == 1


def test_emit_url_connection_refused(project: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = emit(project, "chapter_visit", "--url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "connection refused; is the server running?" in result.stderr


def test_emit_url_timeout(project: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = emit(
            project, "chapter_visit", "--url", f"http://127.0.0.1:{port}", "--timeout", "0.5"
        )
        assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "no answer within 0.5 s" in result.stderr


def test_bad_url_is_a_usage_error(project: Path) -> None:
    result = emit(project, "chapter_visit", "--url", "localhost:8000")
    assert result.exit_code == 2
    assert "expected http://host[:port]" in result.stderr


def test_health_url(project: Path, server: str) -> None:
    _queue(
        200,
        {
            "status": "ok",
            "enabled": True,
            "sink": "LoggingSink",
            "allowed_event_types": ["chapter_visit"],
        },
    )
    result = run("health", "--root", str(project), "--url", server)
    assert result.exit_code == 0
    assert "sink: LoggingSink" in result.stdout
    assert _Scripted.received[0]["path"] == "/api/telemetry/health"

    _queue(500, {"detail": "boom"})
    failing = run("health", "--root", str(project), "--url", server, "--json")
    assert failing.exit_code == 1
    assert json.loads(failing.stdout)["status"] == "unhealthy"


def test_a_404_names_where_the_endpoint_was_looked_for(project: Path, server: str) -> None:
    # A --url with a path of its own (or another api-prefix) makes an address the server lacks.
    hint = "give --url as the server's base URL (http://host:port) and check that the server's"
    _queue(404, {"detail": "Not Found"})
    emitted = emit(project, "chapter_visit", "--url", server + "/api")
    assert emitted.exit_code == 1
    assert f"no telemetry endpoint at {server}/api/api/telemetry/log: {hint}" in emitted.stderr
    _queue(404, {"detail": "Not Found"})
    checked = run("health", "--root", str(project), "--url", server + "/api")
    assert checked.exit_code == 1
    assert f"no telemetry endpoint at {server}/api/api/telemetry/health: {hint}" in checked.stdout


def test_emit_and_health_against_the_real_generated_app(project: Path) -> None:
    """The whole path: uvicorn serving the generated backend, the CLI talking to it."""
    pytest.importorskip("uvicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--no-access-log"],
        cwd=project / "backend",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        ok = emit(project, "ai_block_used", "--payload", '{"block_type": "quiz"}', "--url", url)
        assert ok.exit_code == 0, ok.stderr
        rejected = emit(project, "nope", "--url", url)
        assert rejected.exit_code == 1
        assert "HTTP 422" in rejected.stderr
        health = run("health", "--root", str(project), "--url", url, "--json")
        assert health.exit_code == 0
        assert json.loads(health.stdout)["layer"]["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_emit_shows_the_record_the_application_would_log(project: Path) -> None:
    result = emit(project, "chapter_visit", "--payload", '{"token": "abc", "chapter_id": "c"}')
    assert result.exit_code == 0
    [record] = [
        line for line in result.stderr.splitlines() if line.startswith("INFO app.analytics")
    ]
    logged = json.loads(record.split(": ", 1)[1])
    assert logged["payload"] == {"token": "[redacted]", "chapter_id": "c"}
    assert logged["event_id"] in result.stdout


def test_emit_with_telemetry_disabled_validates_but_does_not_record(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEMETRY_ENABLED", "false")
    result = emit(project, "chapter_visit")
    assert result.exit_code == 0
    assert result.stdout.startswith("validated chapter_visit event")
    assert "not recorded" in result.stdout
    assert "INFO app.analytics" not in result.stderr
    assert json.loads(emit(project, "chapter_visit", "--json").stdout)["status"] == "disabled"
    assert emit(project, "nope").exit_code == 1  # still validated


@pytest.mark.filterwarnings("ignore:TELEMETRY_ENABLED=:RuntimeWarning")
def test_emit_names_the_telemetry_enabled_value_that_turned_it_off(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A value the layer cannot read turns telemetry off too: emit says which one it read.
    monkeypatch.setenv("TELEMETRY_ENABLED", "flase")
    result = emit(project, "chapter_visit")
    assert result.exit_code == 0
    assert "(not recorded: TELEMETRY_ENABLED='flase' turns telemetry off)" in result.stdout
    assert "INFO app.analytics" not in result.stderr
    disabled = json.loads(emit(project, "chapter_visit", "--json").stdout)
    assert disabled["disabled_by"] == "TELEMETRY_ENABLED='flase'"


@pytest.mark.parametrize("value", ["", "true", "enabled"])
def test_emit_names_no_telemetry_enabled_value_when_the_app_turned_it_off(
    project: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # The app's own code may turn the logger off (``event_logger.enabled = False`` in a test or
    # settings branch); a value that leaves it on is no reason.
    monkeypatch.setenv("TELEMETRY_ENABLED", value)
    layer = import_layer(load_plan(root=project))
    monkeypatch.setattr(layer.module.event_logger, "enabled", False)
    event = layer.record("chapter_visit", {})
    assert event["status"] == "disabled"
    assert event["disabled_by"] is None
    [line, _] = emitted_lines(event, None)
    assert line.plain.endswith("(not recorded: the logger is disabled)")


def test_no_far_fetched_suggestion(project: Path) -> None:
    result = emit(project, "not_an_event")
    assert result.exit_code == 1
    assert "did you mean" not in result.stderr


# --- a layer that is not the generated one ----------------------------------------------------

LOGGER = "backend/app/analytics/event_logger.py"
MODELS = "backend/app/analytics/analytics_models.py"


@pytest.mark.parametrize("path", [LOGGER, MODELS])
def test_emit_refuses_a_hand_edited_layer(project: Path, path: str) -> None:
    target = project / path
    target.write_text(target.read_text() + "\nEDITED = True\n")
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert f"{path} was edited by hand since telemetry-scaffold wrote it" in result.stderr
    health = run("health", "--root", str(project), "--json")
    assert health.exit_code == 1
    document = json.loads(health.stdout)
    assert any("edited by hand" in problem for problem in document["problems"])


def test_emit_uses_a_layer_checked_out_with_crlf_line_endings(project: Path) -> None:
    # git's core.autocrlf (or eol=crlf) gives every line CRLF: the layer as written, not edited.
    for path in (LOGGER, MODELS):
        target = project / path
        target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    result = run("emit", "--root", str(project), "chapter_visit", "--payload", "{}")
    assert "edited by hand" not in result.stderr
    assert result.exit_code == 0, result.stderr


def test_emit_refuses_a_hand_written_layer(project: Path) -> None:
    # The shape of a backend that had its own analytics package before adopting the tool.
    (project / ".telemetry-scaffold.json").unlink()
    (project / LOGGER).write_text('"""Ours."""\n\ndef log(event_type, payload):\n    pass\n')
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "is not known to be telemetry-scaffold's (.telemetry-scaffold.json is missing)" in (
        result.stderr
    )


@pytest.mark.parametrize("damage", ["{", '{"files": {}}'])
def test_emit_says_the_manifest_is_damaged_not_that_the_layer_is_foreign(
    project: Path, damage: str
) -> None:
    (project / ".telemetry-scaffold.json").write_text(damage)
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "(.telemetry-scaffold.json is damaged)" in result.stderr
    assert "was not written by" not in result.stderr


def test_emit_names_a_module_the_manifest_does_not_list(project: Path) -> None:
    manifest = json.loads((project / ".telemetry-scaffold.json").read_text())
    del manifest["files"][LOGGER]
    (project / ".telemetry-scaffold.json").write_text(json.dumps(manifest))
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert (
        f"{LOGGER} was not written by telemetry-scaffold (.telemetry-scaffold.json does not "
        in (result.stderr)
    )


def test_a_layer_without_the_interface_is_named(project: Path) -> None:
    (project / LOGGER).write_text('"""Ours."""\n')
    manifest = json.loads((project / ".telemetry-scaffold.json").read_text())
    manifest["files"][LOGGER] = "sha256:" + hashlib.sha256(b'"""Ours."""\n').hexdigest()
    (project / ".telemetry-scaffold.json").write_text(json.dumps(manifest))
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "is not the module telemetry-scaffold generates (no ALLOWED_EVENT_TYPES" in result.stderr


def test_a_missing_layer_module_says_to_generate(project: Path) -> None:
    (project / MODELS).unlink()
    result = run("emit", "--root", str(project), "chapter_visit")
    assert result.exit_code == 2
    assert f"{MODELS} not found; run telemetry-scaffold generate" in result.stderr


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, ünïcode 路径 and \\ backslash", "plain text, ünïcode 路径 and \\ backslash"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("\u202eevil\u200b", "\\u202eevil\\u200b"),
        ("\x9b2J\x00\x7f", "\\x9b2J\\x00\\x7f"),
        ("\U000e0001tag", "\\U000e0001tag"),
    ],
)
def test_printable_escapes_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(shown) == shown  # escaping is stable


def test_health_in_process_follows_the_layers_own_verdict(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telemetry_cli.layer import Layer

    degraded = {
        "status": "degraded",
        "enabled": True,
        "sink": "QueueSink(LoggingSink)",
        "allowed_event_types": ["chapter_visit"],
        "queue_depth": 3,
        "dropped": 2,
        "failed": 1,
        "window_seconds": 60,
    }
    monkeypatch.setattr(Layer, "health", lambda self: degraded)
    result = run("health", "--root", str(project))
    assert result.exit_code == 1
    assert result.stdout.startswith("unhealthy (in-process)")
    for line in ("queue depth: 3", "dropped: 2", "failed: 1", "generated files: up to date"):
        assert f"  {line}\n" in result.stdout
    assert "problem: the layer reports status 'degraded'" in result.stdout
