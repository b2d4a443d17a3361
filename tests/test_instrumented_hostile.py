"""Hostile values and requests through the routes `generate` instruments, in the user's server.

The inserted call runs in the user's request: whatever a captured value is (a dependency's
object whose ``__str__`` raises, an account holding a password hash, a secret in a header or a
cookie, a huge body field), the route answers exactly as it does without telemetry, and no
secret reaches a record.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import make_project, purge_app_modules, run
from tests.route_support import include_in_main

MODULE = "backend/app/api/p.py"
PLAN = """event-types = ["ai_block_used", "error_event", "probe"]
[tool.telemetry-scaffold.instrument]
"api/ai_blocks.py" = "ai_block_used"
"api/p.py" = { event = "probe", capture = ["shelf", "note"] }
[tool.telemetry-scaffold.events.probe]
properties.shelf = { type = "string", required = false }
properties.note = { type = "string", required = false }
"""
SOURCE = """from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Header, HTTPException
from pydantic import BaseModel

router = APIRouter(prefix="/p")


@dataclass
class Account:
    name: str
    hashed_password: str


class Session:
    def __str__(self) -> str:
        raise RuntimeError("no text for hunter2's session")


class Huge:
    def __str__(self) -> str:
        return "x" * 5_000_000


class Note(BaseModel):
    shelf: str
    note: str = ""


def account() -> Account:
    return Account("ada", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUWhunter2")


@router.get("/account")
def read_account(shelf: Annotated[Account, Depends(account)]):
    return {"ok": "account"}


@router.get("/session")
async def read_session(note: Annotated[Session, Depends(Session)]):
    return {"ok": "session"}


@router.get("/huge")
def read_huge(shelf: Annotated[Huge, Depends(Huge)]):
    return {"ok": "huge"}


@router.get("/headers")
async def headers(shelf: Annotated[str, Header()] = "", note: Annotated[str, Cookie()] = ""):
    return {"ok": "headers"}


@router.get("/count")
def count(shelf: int = 3, str: int = 1):
    return {"ok": shelf + str}


@router.post("/body")
def body(body: Note):
    if body.shelf == "missing":
        raise HTTPException(404, "no such shelf")
    return {"ok": "body"}
"""

# name: (method, url, request options, status, body, the payload's captured values or None
# when the event is dropped)
REQUESTS: dict[str, tuple[str, str, dict[str, Any], int, Any, dict[str, Any] | None]] = {
    "an-account-holding-a-password-hash": (
        "GET", "/p/account", {}, 200, {"ok": "account"}, {"shelf": "[redacted]"},
    ),
    "a-dependency-whose-text-raises": ("GET", "/p/session", {}, 200, {"ok": "session"}, None),
    "a-dependency-whose-text-is-huge": ("GET", "/p/huge", {}, 200, {"ok": "huge"}, None),
    "a-bearer-token-in-a-header-a-session-in-a-cookie": (
        "GET",
        "/p/headers",
        {"headers": {"shelf": "Bearer abcDEF1234567890hunter2", "cookie": "note=abc"}},
        200,
        {"ok": "headers"},
        {"shelf": "[redacted]", "note": "abc"},
    ),
    "a-password-in-a-body-field": (
        "POST",
        "/p/body",
        {"json": {"shelf": "s1", "note": "my password is hunter2!"}},
        200,
        {"ok": "body"},
        {"shelf": "s1", "note": "[redacted]"},
    ),
    "a-reset-link-in-a-body-field": (
        "POST",
        "/p/body",
        {"json": {"shelf": "/users/42", "note": "/reset-password/Zx8fK2pQ9hunter2mN4vB7tYc"}},
        200,
        {"ok": "body"},
        {"shelf": "/users/42", "note": "[redacted]"},
    ),
    "an-ssh-key-given-in-a-body-field": (
        "POST",
        "/p/body",
        {"json": {"shelf": "sort_key=title", "note": "ssh_key=hunter2-abc"}},
        200,
        {"ok": "body"},
        {"shelf": "sort_key=title", "note": "[redacted]"},
    ),
    "a-huge-body-field": (
        "POST", "/p/body", {"json": {"shelf": "s1", "note": "hunter2 " * 200_000}},
        200, {"ok": "body"}, None,
    ),
    # The handler's own `str` (a parameter) is no builtin: the text comes from the logger.
    "a-parameter-named-str": ("GET", "/p/count", {}, 200, {"ok": 4}, {"shelf": "3"}),
    "a-handler-that-raises-an-http-exception": (
        "POST", "/p/body", {"json": {"shelf": "missing"}},
        404, {"detail": "no such shelf"}, {"shelf": "missing", "note": ""},
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("instrumented") / "project", PLAN)
    (root / MODULE).write_text(SOURCE)
    include_in_main(root, "p")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    return root


def test_a_captured_object_gets_its_text_from_the_logger_and_the_plan_round_trips(
    project: Path,
) -> None:
    source = (project / MODULE).read_text()
    # The text of a value of the app's own class runs the app's code: the logger reads it
    # without ever raising. A string is passed as it is.
    assert '"shelf": event_logger.text(shelf),' in source
    assert '"note": event_logger.text(note),' in source
    assert '"shelf": body.shelf,' in source
    assert run("generate", "--root", str(project), "--check").exit_code == 0


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_a_hostile_value_never_changes_the_answer_nor_reaches_a_record(
    project: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    import json

    from fastapi.testclient import TestClient

    method, url, options, status, answer, captured = REQUESTS[name]
    purge_app_modules()
    sys.path.insert(0, str(project / "backend"))
    try:
        from app.main import app  # type: ignore[import-not-found]

        client = TestClient(app, raise_server_exceptions=False)
        with caplog.at_level("INFO", logger="app.analytics"):
            response = client.request(method, url, **options)
    finally:
        sys.path.remove(str(project / "backend"))
        purge_app_modules()
    assert (response.status_code, response.json()) == (status, answer)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1, messages  # logged once, at the handler's start
    assert "hunter2" not in messages[0]
    assert len(messages[0]) < 1_000
    if captured is None:
        assert messages[0].startswith("Dropped analytics event 'probe': "), messages
    else:
        payload = json.loads(messages[0])["payload"]
        assert {key: payload.get(key) for key in captured} == captured


def test_remove_gives_the_module_back(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", PLAN)
    (root / MODULE).write_text(SOURCE)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_text() != SOURCE
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / MODULE).read_text() == SOURCE


# A `:path` parameter is logged as its length: a handler binding `len` or `str` itself (a
# parameter, a local assigned later, which Python makes local from the start) would turn the
# inserted call into a TypeError or an UnboundLocalError before the handler's code.
SHADOWING = """from fastapi import APIRouter

router = APIRouter(prefix="/q")


@router.get("/params/{rest:path}")
def params(rest: str, len: int = 0, str: int = 1):
    return {"ok": len + str}


@router.get("/locals/{rest:path}")
async def local_names(rest: str):
    len, str = 2, "x"
    return {"ok": str * len}


@router.get("/plain/{rest:path}")
def plain(rest: str):
    return {"ok": rest}
"""
SHADOWING_PLAN = """[tool.telemetry-scaffold.instrument]
"api/ai_blocks.py" = "ai_block_used"
"api/q.py" = "ai_block_used"
"""


def test_a_handler_binding_len_or_str_itself_answers_as_before(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    from fastapi.testclient import TestClient

    root = make_project(tmp_path / "project", SHADOWING_PLAN)
    (root / "backend/app/api/q.py").write_text(SHADOWING)
    include_in_main(root, "q")
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "len(str(rest))" in (root / "backend/app/api/q.py").read_text()  # the plain handler
    purge_app_modules()
    sys.path.insert(0, str(root / "backend"))
    try:
        from app.main import app

        client = TestClient(app, raise_server_exceptions=False)
        with caplog.at_level("INFO", logger="app.analytics"):
            answers = [client.get(f"/q/{name}/a/b").json() for name in ("params", "locals")]
    finally:
        sys.path.remove(str(root / "backend"))
        purge_app_modules()
    assert answers == [{"ok": 1}, {"ok": "xx"}]
    payloads = [json.loads(record.getMessage())["payload"] for record in caplog.records]
    assert [payload["rest_length"] for payload in payloads] == [3, 3]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/api/q.py").read_text() == SHADOWING


# Handlers capturing every kind of property from path and query parameters and body models,
# answered with and without telemetry: the inserted call changes no answer, whatever a client
# sends (out of the plan's bounds, huge, not UTF-8, control characters, a secret, no body).
TYPED_PLAN = """event-types = ["ai_block_used", "error_event", "probe"]
[tool.telemetry-scaffold.instrument]
"api/ai_blocks.py" = "ai_block_used"
"api/t.py" = { event = "probe", capture = ["name", "count", "ratio", "flag", "tags", "kind", \
"tokens", "note", "rest"] }
[tool.telemetry-scaffold.events.probe]
properties.name = { type = "string", required = false, max-length = 64 }
properties.count = { type = "integer", required = false, minimum = 0, maximum = 100 }
properties.ratio = { type = "number", required = false }
properties.flag = { type = "boolean", required = false }
properties.tags = { type = "array", items = { type = "string" }, required = false }
properties.kind = { type = "string", required = false, enum = ["a", "b"] }
properties.tokens = { type = "integer", required = false }
properties.note = { type = "string", required = false }
properties.rest = { type = "string", required = false }
"""
TYPED = """from enum import Enum
from typing import Annotated, Optional

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

router = APIRouter(prefix="/t")


class Kind(str, Enum):
    a = "a"
    b = "b"


class Ask(BaseModel):
    name: str
    note: Optional[str] = None
    count: int = 0
    tags: list[str] = []


@router.get("/path/{name}/{count}")
def path_params(name: str, count: int):
    return {"ok": [name, count]}


@router.get("/query")
async def query(
    name: str = "",
    count: int = 0,
    ratio: float = 0.0,
    flag: bool = False,
    tags: list[str] = Query(default=[]),
    kind: Kind = Kind.a,
    tokens: int = 0,
    note: Optional[str] = None,
):
    return {"ok": [name, count, ratio, flag, tags, kind.value, tokens, note]}


@router.post("/body")
def body(ask: Ask):
    return {"ok": [ask.name, ask.count, len(ask.tags)]}


@router.post("/maybe")
def maybe(ask: Ask | None = None):
    return {"ok": None if ask is None else ask.name}


@router.get("/rest/{rest:path}")
def rest(rest: str):
    return {"ok": rest}


@router.get("/bounded")
def bounded(count: Annotated[int, Query(ge=0, le=10**30)] = 0):
    return {"ok": count}


@router.get("/raise")
def raising(name: str = ""):
    raise HTTPException(418, name)
"""
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
# name: (method, url, request options, the payload's captured values or None when the event
# is dropped, or ... when the request never reaches the handler)
TYPED_REQUESTS: dict[str, tuple[str, str, dict[str, Any], Any]] = {
    "a-secret-as-a-path-parameter": (
        "GET", f"/t/path/{GITHUB_TOKEN}/5", {}, {"name": "[redacted]", "count": 5},
    ),
    "an-integer-above-the-plan-s-maximum": ("GET", "/t/path/ada/101", {}, None),
    "an-integer-of-4000-digits": ("GET", "/t/path/ada/" + "9" * 4000, {}, None),
    "a-negative-integer": ("GET", "/t/path/ada/-5", {}, None),
    "a-name-longer-than-the-plan-s-max-length": ("GET", "/t/path/" + "é" * 100 + "/1", {}, None),
    # The warning names the property and the rule, never the value.
    "a-secret-longer-than-the-plan-s-max-length": (
        "GET", f"/t/path/{GITHUB_TOKEN * 3}/1", {}, None,
    ),
    "a-secret-that-is-no-member-of-the-enum": ("GET", f"/t/query?kind={GITHUB_TOKEN}", {}, ...),
    "control-characters-and-escape-sequences": (
        "GET", "/t/path/%00%01%1b[31m/1", {}, {"name": "\x00\x01\x1b[31m", "count": 1},
    ),
    "percent-encoding-that-is-no-utf-8": (
        "GET", "/t/path/%ED%A0%80%FF/1", {}, {"name": "\ufffd" * 4, "count": 1},
    ),
    "not-utf-8-in-the-query": (
        "GET", "/t/query?note=%C0%AF&kind=b", {}, {"note": "\ufffd\ufffd", "kind": "b"},
    ),
    "a-count-of-tokens-is-kept": ("GET", "/t/query?tokens=1500", {}, {"tokens": 1500}),
    "a-card-number-as-a-count-of-tokens": (
        "GET", "/t/query?tokens=4111111111111111", {}, {"tokens": "[redacted]"},
    ),
    "a-number-of-100-digits-as-tokens": (
        "GET", f"/t/query?tokens={10**100}", {}, {"tokens": "[redacted]"},
    ),
    "the-largest-float": ("GET", "/t/query?ratio=1e308", {}, {"ratio": 1e308}),
    "a-value-that-is-no-member-of-the-enum": ("GET", "/t/query?kind=c", {}, ...),
    "secrets-in-a-list-of-query-values": (
        "GET", f"/t/query?tags={GITHUB_TOKEN}&tags=password%3Dhunter2&tags=x", {},
        {"tags": ["[redacted]", "[redacted]", "x"]},
    ),
    "thousands-of-query-values": (
        "GET", "/t/query?" + "&".join(f"tags={index}" for index in range(5000)), {}, None,
    ),
    "a-direction-override-and-a-nul-in-the-query": (
        "GET", "/t/query?name=%E2%80%AE%00evil", {}, {"name": "\u202e\x00evil"},
    ),
    "secrets-in-a-body": (
        "POST", "/t/body",
        {"json": {"name": GITHUB_TOKEN, "note": f"Bearer {GITHUB_TOKEN}", "count": 3,
                  "tags": [GITHUB_TOKEN]}},
        {"name": "[redacted]", "note": "[redacted]", "count": 3, "tags": ["[redacted]"]},
    ),
    "an-integer-of-40-digits-in-a-body": (
        "POST", "/t/body", {"json": {"name": "ada", "count": 10**40}}, None,
    ),
    "a-body-of-100000-tags": (
        "POST", "/t/body", {"json": {"name": "a", "tags": ["x"] * 100_000}}, None,
    ),
    "a-body-that-fails-validation": ("POST", "/t/body", {"json": {"name": 5}}, ...),
    "a-body-that-is-no-json": (
        "POST", "/t/body",
        {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}}, ...,
    ),
    "a-body-nested-100000-deep": (
        "POST", "/t/body",
        {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}}, ...,
    ),
    "a-password-told-in-a-body-field": (
        "POST", "/t/maybe", {"json": {"name": "hunter2 is my password"}}, {"name": "[redacted]"},
    ),
    "no-body-for-an-optional-model": (
        "POST", "/t/maybe", {}, {"name": None, "count": None, "tags": None, "note": None},
    ),
    "a-reset-link-as-a-path": (
        "GET", "/t/rest/reset-password/Zx8fK2pQ9hunter2mN4vB7tYc", {}, {"rest": "[redacted]"},
    ),
    "a-path-of-20000-segments": ("GET", "/t/rest/" + "a/" * 20_000, {}, None),
    "an-integer-beyond-the-plan-in-a-validated-query": (
        "GET", f"/t/bounded?count={10**29}", {}, None,
    ),
    "a-secret-in-a-handler-that-raises": (
        "GET", f"/t/raise?name={GITHUB_TOKEN}", {}, {"name": "[redacted]"},
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def typed_projects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The typed handlers' project instrumented, and a copy of it with telemetry removed."""
    import shutil

    root = make_project(tmp_path_factory.mktemp("typed") / "project", TYPED_PLAN)
    (root / "backend/app/api/t.py").write_text(TYPED)
    include_in_main(root, "t")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    plain = root.parent / "plain"
    shutil.copytree(root, plain)
    assert run("remove", "--root", str(plain)).exit_code == 0
    assert "event_logger" not in (plain / "backend/app/api/t.py").read_text()
    return root, plain


def _answer(
    root: Path, request: tuple[str, str, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> tuple[int, bytes, list[str]]:
    """The status and body ``root``'s app answers ``request`` with, and what it logged."""
    from fastapi.testclient import TestClient

    caplog.clear()
    purge_app_modules()
    sys.path.insert(0, str(root / "backend"))
    try:
        from app.main import app

        client = TestClient(app, raise_server_exceptions=False)
        with caplog.at_level("INFO", logger="app.analytics"):
            response = client.request(request[0], request[1], **request[2])
    finally:
        sys.path.remove(str(root / "backend"))
        purge_app_modules()
    messages = [record.getMessage() for record in caplog.records if record.name == "app.analytics"]
    return response.status_code, response.content, messages


@pytest.mark.parametrize("name", sorted(TYPED_REQUESTS))
def test_a_hostile_request_gets_the_answer_it_gets_without_telemetry(
    typed_projects: tuple[Path, Path], caplog: pytest.LogCaptureFixture, name: str
) -> None:
    import json

    method, url, options, captured = TYPED_REQUESTS[name]
    root, plain = typed_projects
    status, content, messages = _answer(root, (method, url, options), caplog)
    assert (status, content) == _answer(plain, (method, url, options), caplog)[:2]
    assert status != 500
    for message in messages:
        assert GITHUB_TOKEN not in message
        assert "hunter2" not in message
        assert len(message) < 2_000
    if captured is ...:  # refused by FastAPI before the handler: nothing is logged
        assert messages == []
    elif captured is None:
        assert len(messages) == 1
        assert messages[0].startswith("Dropped analytics event 'probe': "), messages
    else:
        assert len(messages) == 1, messages
        payload = json.loads(messages[0])["payload"]
        assert {key: payload.get(key) for key in captured} == captured
