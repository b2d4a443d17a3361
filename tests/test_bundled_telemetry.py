"""The bundled backend as generated and patched: telemetry is wired, safe, and never breaks it.

For every instrumented endpoint, the response with a recording sink and with a sink that raises
must equal the response of the same code without the inserted calls, and with telemetry switched
off; a failing sink costs one WARNING per event; the recorded context holds route, handler and
ids, never the reader's text.
"""

from __future__ import annotations

import ast
import importlib
import json
import logging
import shutil
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.hostile_support import ENCODINGS, SECRETS

BACKEND_DIR = Path(__file__).resolve().parent.parent / "backend"

QUESTION = "What does my private note about servo torque say?"
CONCEPT = "inverse kinematics for my thesis"

# (method, path, json body, expected event type); every instrumented route, plus failures.
CALLS: list[tuple[str, str, dict[str, Any] | None, str | None]] = [
    (
        "POST",
        "/api/ai/ask-question",
        {"question": QUESTION, "chapter_id": "kinematics"},
        "ai_block_used",
    ),
    (
        "POST",
        "/api/ai/explain-like-10",
        {"concept": CONCEPT, "chapter_id": "kinematics"},
        "ai_block_used",
    ),
    ("POST", "/api/ai/quiz", {"chapter_id": "control-basics", "num_questions": 2}, "ai_block_used"),
    ("POST", "/api/ai/diagram", {"concept": CONCEPT, "chapter_id": "kinematics"}, "ai_block_used"),
    ("GET", "/api/chapters/kinematics", None, "chapter_visit"),
    ("GET", "/api/chapters/no-such-chapter", None, "chapter_visit"),
    # Rejected before the handler runs: no event, same 422 either way.
    ("POST", "/api/ai/quiz", {"chapter_id": "x", "num_questions": 99}, None),
]


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class ExplodingSink(RecordingSink):
    def emit(self, event: Any) -> None:
        raise RuntimeError(f"sink down while writing {event.payload}")


@dataclass
class Backend:
    client: TestClient
    app: Any
    logger_module: ModuleType


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with imported_app(BACKEND_DIR) as main:
        logger_module = importlib.import_module("app.analytics.event_logger")
        with TestClient(main.app, raise_server_exceptions=False) as client:
            yield Backend(client, main.app, logger_module)


def _call(backend: Backend, method: str, path: str, body: dict[str, Any] | None) -> Any:
    response = backend.client.request(method, path, json=body)
    return response.status_code, response.json()


def _with_sink(backend: Backend, sink: Any, enabled: bool = True) -> Iterator[None]:
    logger = backend.logger_module.event_logger
    previous_sink, previous_enabled = logger.use_sink(sink), logger.enabled
    logger.enabled = enabled
    try:
        yield
    finally:
        logger.use_sink(previous_sink)
        logger.enabled = previous_enabled


@pytest.mark.parametrize(("method", "path", "body", "event_type"), CALLS)
def test_responses_are_identical_with_failing_or_recording_sink(
    backend: Backend,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    event_type: str | None,
) -> None:
    for _ in _with_sink(backend, RecordingSink(), enabled=False):
        baseline = _call(backend, method, path, body)

    recording = RecordingSink()
    for _ in _with_sink(backend, recording):
        assert _call(backend, method, path, body) == baseline
    expected = [event_type] if event_type else []
    assert [event.event_type for event in recording.events] == expected

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.analytics"):
        for _ in _with_sink(backend, ExplodingSink()):
            assert _call(backend, method, path, body) == baseline
    warnings = [r for r in caplog.records if r.name == "app.analytics"]
    assert len(warnings) == len(expected)
    for record in warnings:
        assert record.levelno == logging.WARNING
        message = record.getMessage()
        # The failure is named, the payload (and the sink's error text quoting it) is not.
        assert "RuntimeError" in message and "route" not in message and QUESTION not in message


def test_recorded_context_is_route_and_ids_never_user_text(backend: Backend) -> None:
    recording = RecordingSink()
    for _ in _with_sink(backend, recording):
        for method, path, body, _event in CALLS:
            _call(backend, method, path, body)
    allowed_keys = {"route", "method", "handler", "block_type", "chapter_id"}
    assert recording.events
    for event in recording.events:
        assert set(event.payload) <= allowed_keys, event.payload
        assert {"route", "method", "handler", "block_type"} <= set(event.payload)
        text = repr(event.payload)
        assert QUESTION not in text and CONCEPT not in text
    chapter = next(e for e in recording.events if e.event_type == "chapter_visit")
    assert chapter.payload == {
        "route": "/api/chapters/{chapter_id}",
        "method": "GET",
        "handler": "get_chapter",
        "block_type": "chapters",
        "chapter_id": "kinematics",
    }
    blocks = {e.payload["block_type"] for e in recording.events if e.event_type == "ai_block_used"}
    assert blocks == {"ask-question", "explain-like-10", "quiz", "diagram"}
    # The plan captures chapter_id: every event carries the chapter of its request.
    chapters = [
        (body or {}).get("chapter_id") or path.rsplit("/", 1)[-1]
        for _, path, body, event_type in CALLS
        if event_type
    ]
    assert [event.payload["chapter_id"] for event in recording.events] == chapters


def test_telemetry_endpoints_are_served(backend: Backend) -> None:
    recording = RecordingSink()
    for _ in _with_sink(backend, recording):
        visit = {"event_type": "chapter_visit", "payload": {"chapter_id": "kinematics"}}
        accepted = backend.client.post("/api/telemetry/log", json=visit)
        assert accepted.status_code == 202
        assert accepted.json()["event_type"] == "chapter_visit"
        # chapter_visit is declared: a property it does not declare is refused, and named only
        # as the payload (the key is the client's text).
        refused = backend.client.post(
            "/api/telemetry/log", json={"event_type": "chapter_visit", "payload": {"x": 1}}
        )
        health = backend.client.get("/api/telemetry/health")
    assert refused.status_code == 422
    assert [problem["loc"] for problem in refused.json()["detail"]] == [
        ["body", "payload", "chapter_id"],
        ["body", "payload"],
    ]
    assert health.status_code == 200
    assert health.json()["allowed_event_types"] == ["ai_block_used", "chapter_visit", "error_event"]
    assert [event.payload for event in recording.events] == [{"chapter_id": "kinematics"}]


def test_unhandled_errors_are_recorded_and_the_500_is_unchanged(backend: Backend) -> None:
    def explode(chapter_id: str) -> None:
        raise ZeroDivisionError(f"secret detail about {chapter_id}")

    backend.app.add_api_route("/api/test-only/explode/{chapter_id}", explode, methods=["GET"])
    recording = RecordingSink()
    for _ in _with_sink(backend, recording):
        response = backend.client.get("/api/test-only/explode/kinematics")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    [event] = recording.events
    assert event.event_type == "error_event"
    assert event.payload == {
        "exception": "ZeroDivisionError",
        "method": "GET",
        "route": "/api/test-only/explode/{chapter_id}",
    }


def _without_log_calls(source: str) -> str:
    """The module as it was before `generate`: drop the inserted log calls and their import."""
    tree = ast.parse(source)
    doomed = [
        node
        for node in ast.walk(tree)
        if (isinstance(node, ast.ImportFrom) and node.module == "app.analytics.event_logger")
        or (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id == "event_logger"
        )
    ]
    lines = source.splitlines(keepends=True)
    remove = {
        index for node in doomed for index in range(node.lineno - 1, node.end_lineno or node.lineno)
    }
    return "".join(line for index, line in enumerate(lines) if index not in remove)


@pytest.fixture(scope="module")
def uninstrumented_responses(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    twin = tmp_path_factory.mktemp("uninstrumented") / "backend"
    shutil.copytree(BACKEND_DIR, twin, ignore=shutil.ignore_patterns("__pycache__"))
    for module in ("api/ai_blocks.py", "api/chapters.py"):
        path = twin / "app" / module
        stripped = _without_log_calls(path.read_text())
        assert "event_logger" not in stripped
        path.write_text(stripped)
    with imported_app(twin) as main, TestClient(main.app, raise_server_exceptions=False) as client:
        return [
            (response.status_code, response.json())
            for method, path, body, _event in CALLS
            for response in [client.request(method, path, json=body)]
        ]


def test_responses_equal_the_code_without_telemetry(
    backend: Backend, uninstrumented_responses: list[Any]
) -> None:
    for _ in _with_sink(backend, ExplodingSink()):
        failing = [_call(backend, method, path, body) for method, path, body, _ in CALLS]
    recording = RecordingSink()
    for _ in _with_sink(backend, recording):
        recorded = [_call(backend, method, path, body) for method, path, body, _ in CALLS]
    assert failing == uninstrumented_responses
    assert recorded == uninstrumented_responses
    assert len(recording.events) == sum(event is not None for *_, event in CALLS)


@pytest.mark.parametrize("route", ["path", "query", "body"])
@pytest.mark.parametrize(
    "encoding", ["raw", "fullwidth", "zero-width-joiners", "rtl-marks", "percent"]
)
@pytest.mark.parametrize("secret", [s for s in SECRETS if "\n" not in s[0]])
def test_an_instrumented_route_records_no_secret_a_client_sends(
    backend: Backend, secret: tuple[str, str], encoding: str, route: str
) -> None:
    # The hostile payload generator's values as a path parameter, beside query parameters and
    # headers naming nothing, or as a body field the handler logs: never a 500, never recorded.
    value = ENCODINGS[encoding](secret[0])
    quoted = urllib.parse.quote(value, safe="")
    recording = RecordingSink()
    for _ in _with_sink(backend, recording):
        if route == "body":
            response = backend.client.post("/api/ai/quiz", json={"chapter_id": value})
        else:
            path = "/api/chapters/" + (quoted if route == "path" else "kinematics")
            response = backend.client.get(
                path,
                params={"ref": value},
                headers={"x-trace": quoted, "cookie": f"sid={quoted}"},
            )
    assert response.status_code < 500, response.text
    for event in recording.events:
        recorded = json.dumps(event.payload, ensure_ascii=False)
        assert secret[1] not in recorded, recorded
        assert len(value) < 12 or value.strip() not in recorded, recorded
