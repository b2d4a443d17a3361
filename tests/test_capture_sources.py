"""Captured properties from unusual sources: each arrives typed right, or `generate` refuses it.

Optional body models, fields that are models themselves, values a dependency provides, type
aliases of aliases inside ``Annotated`` or ``| None``, enums of every kind: for each, `generate`
either inserts a call whose event passes its model with the value a client would write (checked
by requesting the route and reading the logged event), or fails naming the handler and the fix
on one line. Either way ``remove`` gives the module back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import make_project, purge_app_modules, run
from tests.route_support import include_in_main

HEAD = """from enum import Enum, IntEnum
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

router = APIRouter(prefix="/p")

ShelfId = Annotated[str, Field(min_length=1)]
ShelfKey = ShelfId
CountAlias = Annotated[int, Field(ge=0)]
CountKey = CountAlias


class Color(Enum):
    red = "red"
    green = "green"


class Rank(IntEnum):
    low = 1
    high = 2


class Meta(BaseModel):
    shelf: str


class Note(BaseModel):
    shelf: ShelfKey
    count: int = 0
    meta: Meta | None = None


def current_count() -> int:
    return 7

"""

# name: (declared property, capture, handler, request, the captured value logged)
WORKS: dict[str, tuple[str, str, str, tuple[str, str, Any], object]] = {
    "optional-body": (
        '{ type = "string", required = false }',
        "shelf",
        "def h(body: Note | None = None):",
        ("POST", "/p/x", {"shelf": "s1"}),
        "s1",
    ),
    "optional-body-sent-none": (
        '{ type = "string", required = false }',
        "shelf",
        "def h(body: Optional[Note] = None):",
        ("POST", "/p/x", None),
        None,
    ),
    "optional-body-int-field-as-text": (
        '{ type = "string", required = false }',
        "count",
        "def h(body: Note | None = None):",
        ("POST", "/p/x", {"shelf": "s1", "count": 3}),
        "3",
    ),
    "dependency-annotated": (
        '{ type = "string" }',
        "count",
        "def h(count: Annotated[int, Depends(current_count)]):",
        ("GET", "/p/x", None),
        "7",
    ),
    "dependency-model": (
        '{ type = "string" }',
        "shelf",
        'def h(note: Note = Depends(lambda: Note(shelf="dn"))):',
        ("GET", "/p/x", None),
        "dn",
    ),
    "alias-of-alias-in-annotated": (
        '{ type = "string" }',
        "count",
        "def h(count: Annotated[CountKey, Path()]):",
        ("GET", "/p/x/{count}", "12"),
        "12",
    ),
    "alias-of-alias-integer": (
        '{ type = "integer" }',
        "count",
        "def h(count: CountKey):",
        ("GET", "/p/x/{count}", "12"),
        12,
    ),
    "plain-enum-into-a-string-enum": (
        '{ type = "string", enum = ["red", "green"] }',
        "color",
        "def h(color: Color):",
        ("GET", "/p/x/{color}", "red"),
        "red",
    ),
    "optional-plain-enum": (
        '{ type = "string", required = false }',
        "color",
        "def h(color: Color | None = None):",
        ("GET", "/p/x?color=green", None),
        "green",
    ),
    "int-enum-into-an-integer": (
        '{ type = "integer" }',
        "rank",
        "def h(rank: Rank):",
        ("GET", "/p/x/{rank}", "2"),
        2,
    ),
    "int-enum-into-a-string": (
        '{ type = "string" }',
        "rank",
        "def h(rank: Rank):",
        ("GET", "/p/x/{rank}", "2"),
        "2",
    ),
}

# name: (declared property, capture, handler, what the one line says)
REFUSED: dict[str, tuple[str, str, str, str]] = {
    "optional-body-for-a-required-property": (
        '{ type = "string" }',
        "shelf",
        "def h(body: Note | None = None):",
        "its body `body` is optional, so the required property `shelf` would be missing "
        "whenever no body is sent; make `shelf` optional (required = false) in the plan, or the "
        "body required, or mark the handler `# telemetry-scaffold: skip`",
    ),
    "a-field-that-is-a-model": (
        '{ type = "string", required = false }',
        "meta",
        "def h(body: Note):",
        "its body field `body.meta` is `Meta | None`, whose text would be request content, not "
        "a string for the captured property `meta`; capture one of its fields instead, or mark "
        "the handler `# telemetry-scaffold: skip`",
    ),
    "an-unannotated-dependency": (
        '{ type = "string" }',
        "count",
        "def h(count=Depends(current_count)):",
        "its parameter `count` holds what a dependency returns, without a type annotation, so "
        "the captured string property `count` cannot be checked against it; annotate the "
        "parameter, or mark the handler `# telemetry-scaffold: skip`",
    ),
    "alias-of-alias-str-in-annotated-into-an-integer": (
        '{ type = "integer" }',
        "shelf",
        "def h(shelf: Annotated[ShelfKey, Path()]):",
        "its parameter `shelf` is `Annotated[ShelfKey, Path()]`, which the captured integer "
        "property `shelf` does not accept",
    ),
    "optional-alias-str-into-an-integer": (
        '{ type = "integer", required = false }',
        "shelf",
        "def h(shelf: ShelfKey | None = None):",
        "its parameter `shelf` is `ShelfKey | None`, which the captured integer property "
        "`shelf` does not accept",
    ),
    "str-valued-enum-into-an-integer": (
        '{ type = "integer" }',
        "color",
        "def h(color: Color):",
        "its parameter `color` is `Color`, which the captured integer property `color` does "
        "not accept",
    ),
}

MODULE = "backend/app/api/p.py"


def _project(tmp_path: Path, declared: str, capture: str, handler: str, route: str) -> Path:
    plan = (
        'event-types = ["ai_block_used", "error_event", "probe"]\n'
        '[tool.telemetry-scaffold.instrument]\n"api/ai_blocks.py" = "ai_block_used"\n'
        f'"api/p.py" = {{ event = "probe", capture = ["{capture}"] }}\n'
        f"[tool.telemetry-scaffold.events.probe]\nproperties.{capture} = {declared}\n"
    )
    root = make_project(tmp_path / "project", plan)
    method = "post" if route.startswith("POST") else "get"
    path = route.split()[1].removeprefix("/p")
    (root / MODULE).write_text(
        f'{HEAD}\n@router.{method}("{path}")\n{handler}\n    return {{"ok": True}}\n'
    )
    include_in_main(root, "p")
    return root


@pytest.mark.parametrize("name", sorted(WORKS))
def test_a_captured_value_arrives_typed_as_declared(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    from fastapi.testclient import TestClient

    declared, capture, handler, (method, url, body), expected = WORKS[name]
    root = _project(tmp_path, declared, capture, handler, f"{method} {url.split('?')[0]}")
    original = (root / MODULE).read_bytes()
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    if isinstance(body, str):  # a path parameter's value
        url, body = url.replace("{" + capture + "}", body), None
    purge_app_modules()
    sys.path.insert(0, str(root / "backend"))
    try:
        from app.main import app  # type: ignore[import-not-found]

        client = TestClient(app)
        with caplog.at_level("INFO", logger="app.analytics"):
            response = client.request(method, url, json=body)
    finally:
        sys.path.remove(str(root / "backend"))
        purge_app_modules()
    assert response.status_code == 200, response.text
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1, messages
    event = json.loads(messages[0])  # not a warning that the event was dropped
    assert event["event_type"] == "probe"
    assert event["payload"].get(capture) == expected
    assert type(event["payload"].get(capture)) is type(expected)
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_bytes() == original


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_source_that_cannot_fill_the_property_is_refused_on_one_line(
    tmp_path: Path, name: str
) -> None:
    declared, capture, handler, reason = REFUSED[name]
    route = "POST /p/x" if "body" in handler else "GET /p/x"
    if "Path()" in handler:
        route = f"GET /p/x/{{{capture}}}"
    root = _project(tmp_path, declared, capture, handler, route)
    original = (root / MODULE).read_bytes()
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1, result.stdout
    lines = [
        line.strip() for line in result.stdout.splitlines() if "cannot be instrumented" in line
    ]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith(f"{MODULE}:"), lines[0]
    assert "route h (" in lines[0]
    assert reason in lines[0], lines[0]
    assert (root / MODULE).read_bytes() == original
    assert run("generate", "--root", str(root), "--check").exit_code == 1
