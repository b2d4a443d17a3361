"""The event catalog on the command line: emit, its shell completion, health, --check."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from telemetry_cli import remote
from telemetry_cli.emit import emit_words, payload_completions, words_being_completed
from tests.catalog_support import catalog_plan
from tests.cli_support import make_project, purge_app_modules, run

CATALOG = """
instrument = { "api/ai_blocks.py" = { event = "ai_block_used", capture = ["chapter_id"] } }

[tool.telemetry-scaffold.events.ai_block_used]
description = "A reader used one of a chapter's AI blocks."
properties.chapter_id = { type = "string", max-length = 20 }
properties.num_questions = { type = "integer", required = false, minimum = 1 }
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = make_project(tmp_path / "project", CATALOG)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    purge_app_modules()
    yield root
    purge_app_modules()


def emit(project: Path, *args: str) -> tuple[int, str, str]:
    result = run("emit", "--root", str(project), *args)
    return result.exit_code, result.stdout, result.stderr


def test_generate_instruments_with_the_captured_property(project: Path) -> None:
    source = (project / "backend" / "app" / "api" / "ai_blocks.py").read_text()
    assert '"chapter_id": body.chapter_id,' in source
    assert '"chapter_id": chapter_id,' in source
    assert (
        project / "specs" / "059-analytics-telemetry" / "contracts" / "events.schema.json"
    ).is_file()


def test_emit_records_a_payload_that_matches_the_declaration(project: Path) -> None:
    code, stdout, stderr = emit(
        project, "ai_block_used", "--payload", '{"chapter_id": "ch-1", "num_questions": 2}'
    )
    assert code == 0, stderr
    assert stdout.startswith("logged ai_block_used event ")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{}", "property 'chapter_id': Field required"),
        ('{"chapter_id": 5}', "property 'chapter_id': Input should be a valid string"),
        (
            '{"chapter_id": "c", "num_questions": 0}',
            "property 'num_questions': Input should be greater than or equal to 1",
        ),
        (
            '{"chapter_id": "c", "secret_note": "zQ9Qz"}',
            "payload: a property that is not declared; declared: chapter_id, num_questions, "
            "route, method, handler, block_type",
        ),
    ],
)
def test_emit_refuses_a_payload_naming_the_property(
    project: Path, payload: str, message: str
) -> None:
    code, stdout, stderr = emit(project, "ai_block_used", "--payload", payload)
    assert code == 1
    assert stdout == ""
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"event rejected: {message}" in stderr
    assert "zQ9Qz" not in stderr


def test_a_servers_refusal_names_the_property() -> None:
    answer = remote.Response(
        422,
        {
            "detail": [
                {"type": "missing", "loc": ["body", "payload", "chapter_id"], "msg": "Required"},
                {"type": "extra_forbidden", "loc": ["body", "payload"], "msg": "Not declared"},
                {"type": "literal_error", "loc": ["body", "event_type"], "msg": "Unknown"},
                {"type": "json_invalid", "loc": ["body"], "msg": "Not JSON"},
            ]
        },
    )
    assert remote.describe_error(answer) == (
        "HTTP 422: payload.chapter_id: Required; payload: Not declared; event_type: Unknown; "
        "Not JSON"
    )


def test_emit_over_http_names_the_property(project: Path) -> None:
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
        good = emit(project, "ai_block_used", "--payload", '{"chapter_id": "c"}', "--url", url)
        assert good[0] == 0, good[2]
        code, _, stderr = emit(
            project, "ai_block_used", "--payload", '{"chapter_id": 1}', "--url", url
        )
        assert code == 1
        assert (
            "event rejected by the server: HTTP 422: payload.chapter_id: Input should be a valid "
            "string" in stderr
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_health_lists_the_declared_events(project: Path) -> None:
    result = run("health", "--root", str(project), "--json")
    assert json.loads(result.stdout)["declared_events"] == ["ai_block_used"]
    text = run("health", "--root", str(project))
    assert "  declared events: ai_block_used" in text.stdout.splitlines()


def test_check_names_every_file_a_changed_property_makes_stale(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'chapter_id = { type = "string", max-length = 20 }', 'chapter_id = { type = "integer" }'
        )
    )
    result = run("generate", "--check", "--root", str(project))
    assert result.exit_code == 1
    stale = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("stale ")}
    for path in (
        "backend/app/analytics/analytics_models.py",  # the payload model
        "backend/app/analytics/event_logger.py",  # the tracking method's parameter type
        "specs/059-analytics-telemetry/contracts/telemetry-api.yaml",
        "specs/059-analytics-telemetry/contracts/events.schema.json",
        "specs/059-analytics-telemetry/data-model.md",
    ):
        assert path in stale, (path, result.stdout)


# --- shell completion of --payload ------------------------------------------------------------


def test_completion_offers_payloads_with_the_declared_properties(tmp_path: Path) -> None:
    plan = catalog_plan(tmp_path)
    offered = payload_completions(plan, "ai_block_used", "")
    assert offered[0] == ('{"chapter_id": "example-chapter_id"}', "the required properties")
    assert ('{"chapter_id": "example-chapter_id", "num_questions": 1}', "with num_questions") in (
        offered
    )
    assert all(json.loads(value) for value, _ in offered)
    assert payload_completions(plan, "chapter_visit", "") == []  # free-form
    assert payload_completions(plan, "no_such_event", "") == []


def test_completion_offers_the_property_being_typed(tmp_path: Path) -> None:
    plan = catalog_plan(tmp_path)
    assert payload_completions(plan, "ai_block_used", '{"ch') == [
        ('{"chapter_id": ', "string, required")
    ]
    typed = '{"chapter_id": "c", "'
    assert [value for value, _ in payload_completions(plan, "ai_block_used", typed)] == [
        typed + f'{name}": '
        for name in ("num_questions", "block_type", "route", "method", "handler")
    ]
    assert payload_completions(plan, "quiz_completed", '{"sc') == [
        ('{"score": ', "number, required")
    ]


def test_the_shell_gets_the_completions(project: Path) -> None:
    """The real script protocol (zsh's), through the installed command."""
    command = Path(sys.executable).parent / "telemetry-scaffold"
    result = subprocess.run(
        [str(command)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(project),
            "_TELEMETRY_SCAFFOLD_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "telemetry-scaffold emit ai_block_used --payload '{\"num",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "num_questions" in result.stdout and "integer, optional" in result.stdout


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("telemetry-scaffold emit ai_block_used --payload", ("ai_block_used", None)),
        ("telemetry-scaffold emit --root /x --url http://h page_view", ("page_view", "/x")),
        ("""telemetry-scaffold emit a --payload '{"k": "it'""", ("a", None)),
        ("""telemetry-scaffold emit a --payload '{"k": "it's'""", ("a", None)),
        ("telemetry-scaffold health", (None, None)),
    ],
)
def test_the_event_type_is_read_from_the_line_being_completed(
    monkeypatch: pytest.MonkeyPatch, line: str, expected: tuple[str | None, str | None]
) -> None:
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
    assert emit_words(words_being_completed()) == expected


CAPTURED_AS_TEXT = """
[tool.telemetry-scaffold.instrument."api/items.py"]
event = "item_viewed"
capture = ["item", "kind", "tag", "note", "size", "when"]

[tool.telemetry-scaffold.events.item_viewed]
properties.item = { type = "string" }
properties.kind = { type = "string" }
properties.tag = { type = "string", required = false }
properties.note = { type = "string", required = false }
properties.size = { type = "string", required = false }
properties.when = { type = "string", required = false }
"""

ITEMS_PY = """from datetime import date
from enum import Enum

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/items")


class Kind(str, Enum):
    book = "book"
    video = "video"


class Resize(BaseModel):
    size: int


@router.get("/{item}/{kind}")
def view(item: int, kind: Kind, tag: int | None = None, note: str | None = None):
    return {"item": item}


@router.post("/{item}/{kind}/resize")
def resize(item: int, kind: Kind, body: Resize, when: date | None = None):
    return {"item": item}
"""


def test_captured_string_properties_take_each_value_as_its_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An int, a str enum member, an optional int (None stays None, not "None"), an optional
    # str, a body field of type int and a date, each captured into a string property: every
    # event passes its model instead of being dropped, with the value as a client would write it.
    from fastapi.testclient import TestClient

    root = make_project(tmp_path / "project", CAPTURED_AS_TEXT)
    (root / "backend" / "app" / "api" / "items.py").write_text(ITEMS_PY)
    main = root / "backend" / "app" / "main.py"
    main.write_text(
        main.read_text().replace(
            "from app.api import ai_blocks", "from app.api import ai_blocks, items"
        )
        + "app.include_router(items.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    source = (root / "backend" / "app" / "api" / "items.py").read_text()
    assert '"item": str(item),' in source
    assert '"kind": kind,' in source
    assert '"tag": None if tag is None else str(tag),' in source
    assert '"note": note,' in source
    assert '"size": str(body.size),' in source
    assert '"when": when,' in source
    assert run("generate", "--root", str(root), "--check").exit_code == 0

    purge_app_modules()
    sys.path.insert(0, str(root / "backend"))
    try:
        from app.main import app  # type: ignore[import-not-found]

        client = TestClient(app)
        with caplog.at_level("INFO", logger="app.analytics"):
            assert client.get("/items/7/book").status_code == 200
            assert client.get("/items/7/video?tag=3&note=n").status_code == 200
            assert client.post("/items/8/book/resize?when=2025-01-27", json={"size": 5}).json()
    finally:
        sys.path.remove(str(root / "backend"))
        purge_app_modules()
    records = [json.loads(record.getMessage()) for record in caplog.records]
    assert [record.get("payload", {}).get("item") for record in records] == ["7", "7", "8"], [
        record.getMessage() for record in caplog.records
    ]
    first, second, third = (record["payload"] for record in records)
    assert (first["kind"], first.get("tag"), first.get("note")) == ("book", None, None)
    assert (second["kind"], second["tag"], second["note"]) == ("video", "3", "n")
    assert (third["size"], third["when"]) == ("5", "2025-01-27")

    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend" / "app" / "api" / "items.py").read_text() == ITEMS_PY
