"""Instrumenting route modules: each handler gets one log call, by adding lines only."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from telemetry_cli.errors import PatchError
from telemetry_cli.patching import PatchResult, mounts, uninstrument_source
from telemetry_cli.patching import instrument_source as instrument_routes
from telemetry_cli.patching import wire_source as patch_main
from telemetry_cli.patching.edits import ModuleEditor
from telemetry_cli.patching.instrument import instrument_module
from telemetry_cli.patching.project import edit_source
from telemetry_cli.patching.symbols import ModuleModel, PackageIndex
from telemetry_cli.plan import load_plan
from tests.cli_support import run, write_files
from tests.corpus_support import changed_lines
from tests.route_support import line_of

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = [
    ("api/ai_blocks.py", "app.api.ai_blocks", "ai_block_used"),
    ("api/chapters.py", "app.api.chapters", "chapter_visit"),
]


def _instrument(
    source: str, *, event_type: str = "ai_block_used", module_name: str = "app.api.items"
) -> PatchResult:
    return instrument_routes(
        source, module_name=module_name, analytics_package="app.analytics", event_type=event_type
    )


def _assert_only_added_lines(before: str, after: str) -> None:
    # But for a stub handler's lone statement, whose place its log call takes.
    assert changed_lines(before.encode(), after.encode()) == []


def _uninstrumented(
    source: str,
    module_name: str = "app.api.items",
    *,
    force: bool = False,
    stubs: tuple[tuple[str, str], ...] = (),
) -> PatchResult:
    """``source`` with the ``ai_block_used`` calls of the ``app.analytics`` layer taken out.

    ``stubs``: the stub statements the calls stand in for (the instrumenting result's).
    """
    return uninstrument_source(
        source,
        module_name=module_name,
        analytics_package="app.analytics",
        event_types=frozenset({"ai_block_used"}),
        force=force,
        stubs=stubs,
    )


# Routes in a factory, under a parameter and in a class body, each with its log call added by
# hand as the tool asks: nothing to do, nothing to report.
ENCLOSED_LOGGED = """\
from fastapi import APIRouter, FastAPI

from app.analytics.event_logger import event_logger

router = APIRouter()


def create_app():
    app = FastAPI()

    @app.get("/health")
    def health():
        event_logger.log("ai_block_used", {"route": "/health"})
        return "ok"

    return app


def register(target):
    @target.get(PATH)
    def dynamic():
        event_logger.log("ai_block_used", {})


class Views:
    @router.post("/m")
    def m(self):
        \"\"\"M.\"\"\"
        event_logger.log("ai_block_used", {})
"""

# (id, source, expected output)
CASES: list[tuple[str, str, str]] = [
    (
        "get with a path parameter",
        """\
from fastapi import APIRouter

router = APIRouter(prefix="/api/items")


@router.get("/{item_id}")
def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api/items")


@router.get("/{item_id}")
def get_item(item_id: int) -> dict[str, int]:
    event_logger.log(
        "ai_block_used",
        {
            "route": "/api/items/{item_id}",
            "method": "GET",
            "handler": "get_item",
            "block_type": "items",
            "item_id": item_id,
        },
    )
    return {"id": item_id}
""",
    ),
    (
        "short call on one line, after the docstring, body never logged",
        """\
\"\"\"Quizzes.\"\"\"

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/q")


class Quiz(BaseModel):
    question: str


@router.post("/quiz")
async def quiz(body: Quiz) -> Quiz:
    \"\"\"Echo a quiz.\"\"\"
    return body
""",
        """\
\"\"\"Quizzes.\"\"\"

from fastapi import APIRouter
from pydantic import BaseModel

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/q")


class Quiz(BaseModel):
    question: str


@router.post("/quiz")
async def quiz(body: Quiz) -> Quiz:
    \"\"\"Echo a quiz.\"\"\"
    event_logger.log(
        "ai_block_used",
        {"route": "/q/quiz", "method": "POST", "handler": "quiz", "block_type": "quiz"},
    )
    return body
""",
    ),
    (
        "arguments one per line, payload on one line",
        """\
from fastapi import APIRouter

router = APIRouter(prefix="/api/ai")


@router.post("/quiz")
def quiz() -> None:
    pass
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api/ai")


@router.post("/quiz")
def quiz() -> None:
    event_logger.log(
        "ai_block_used",
        {"route": "/api/ai/quiz", "method": "POST", "handler": "quiz", "block_type": "quiz"},
    )
""",
    ),
    (
        "aliased and attribute routers, annotated, several in one module",
        """\
import fastapi
from fastapi import APIRouter as Router

public: Router = Router(prefix="/pub")
admin = fastapi.APIRouter(prefix="/adm")


@public.get("/a")
def a():
    return 1


@admin.put("/b")
def b():
    return 2
""",
        """\
import fastapi
from fastapi import APIRouter as Router

from app.analytics.event_logger import event_logger

public: Router = Router(prefix="/pub")
admin = fastapi.APIRouter(prefix="/adm")


@public.get("/a")
def a():
    event_logger.log(
        "ai_block_used",
        {"route": "/pub/a", "method": "GET", "handler": "a", "block_type": "a"},
    )
    return 1


@admin.put("/b")
def b():
    event_logger.log(
        "ai_block_used",
        {"route": "/adm/b", "method": "PUT", "handler": "b", "block_type": "b"},
    )
    return 2
""",
    ),
    (
        "api_route with methods and path keyword, converters",
        """\
from fastapi import APIRouter

router = APIRouter()


@router.api_route(path="/files/{name}/{rest:path}", methods=["patch", "PUT"])
def touch(name: str, rest: str):
    return None
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter()


@router.api_route(path="/files/{name}/{rest:path}", methods=["patch", "PUT"])
def touch(name: str, rest: str):
    event_logger.log(
        "ai_block_used",
        {
            "route": "/files/{name}/{rest:path}",
            "method": "PATCH,PUT",
            "handler": "touch",
            "block_type": "files",
            "name": name,
            "rest_length": len(str(rest)),
        },
    )
""",
    ),
    (
        "path parameters named like context keys are prefixed, never repeated",
        """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/by-block/{block_type}/{route}")
def by_block(block_type: str, route: str):
    return None
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter()


@router.get("/by-block/{block_type}/{route}")
def by_block(block_type: str, route: str):
    event_logger.log(
        "ai_block_used",
        {
            "route": "/by-block/{block_type}/{route}",
            "method": "GET",
            "handler": "by_block",
            "block_type": "by-block",
            "path_block_type": block_type,
            "path_route": route,
        },
    )
""",
    ),
    (
        "stacked decorators, many decorator arguments, multi-line signature",
        """\
from fastapi import APIRouter

from app.auth import require_admin

router = APIRouter(prefix="/users", tags=["users"])


@require_admin
@router.delete(
    "/{user_id}",
    status_code=204,
    responses={404: {"description": "Not found"}},
)
@audit("remove")
async def remove_user(
    user_id: str,
    *,
    force: bool = False,
) -> None:
    \"\"\"Remove a user.\"\"\"
    await users.remove(user_id, force=force)
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger
from app.auth import require_admin

router = APIRouter(prefix="/users", tags=["users"])


@require_admin
@router.delete(
    "/{user_id}",
    status_code=204,
    responses={404: {"description": "Not found"}},
)
@audit("remove")
async def remove_user(
    user_id: str,
    *,
    force: bool = False,
) -> None:
    \"\"\"Remove a user.\"\"\"
    event_logger.log(
        "ai_block_used",
        {
            "route": "/users/{user_id}",
            "method": "DELETE",
            "handler": "remove_user",
            "block_type": "users",
            "user_id": user_id,
        },
    )
    await users.remove(user_id, force=force)
""",
    ),
    (
        "comments after the def line stay with the code they describe",
        """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/ping")
def ping():  # health probe
    # Keep this cheap.
    return "pong"
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter()


@router.get("/ping")
def ping():  # health probe
    event_logger.log(
        "ai_block_used",
        {"route": "/ping", "method": "GET", "handler": "ping", "block_type": "ping"},
    )
    # Keep this cheap.
    return "pong"
""",
    ),
    (
        "already instrumented under an alias",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger as el

router = APIRouter()


@router.get("/x")
def x():
    \"\"\"X.\"\"\"
    el.log("ai_block_used", {"route": "/x"})
    return 1


@router.get("/y")
def y(): el.log(event_type="ai_block_used"); return 2
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger as el

router = APIRouter()


@router.get("/x")
def x():
    \"\"\"X.\"\"\"
    el.log("ai_block_used", {"route": "/x"})
    return 1


@router.get("/y")
def y(): el.log(event_type="ai_block_used"); return 2
""",
    ),
    (
        "one of two handlers instrumented: the existing import is reused",
        """\
from fastapi import APIRouter

from app.analytics import event_logger as logging_module
from app.analytics.event_logger import event_logger as el

router = APIRouter()


@router.get("/x")
def x():
    logging_module.event_logger.log("ai_block_used", {})
    return 1


@router.get("/y")
def y():
    return 2
""",
        """\
from fastapi import APIRouter

from app.analytics import event_logger as logging_module
from app.analytics.event_logger import event_logger as el

router = APIRouter()


@router.get("/x")
def x():
    logging_module.event_logger.log("ai_block_used", {})
    return 1


@router.get("/y")
def y():
    el.log("ai_block_used", {"route": "/y", "method": "GET", "handler": "y", "block_type": "y"})
    return 2
""",
    ),
    (
        "event_logger already names something else",
        """\
import logging

from fastapi import APIRouter

router = APIRouter()
event_logger = logging.getLogger("events")


@router.get("/x")
def x():
    event_logger.info("x")
""",
        """\
import logging

from fastapi import APIRouter

from app.analytics.event_logger import event_logger as analytics_event_logger

router = APIRouter()
event_logger = logging.getLogger("events")


@router.get("/x")
def x():
    analytics_event_logger.log(
        "ai_block_used",
        {"route": "/x", "method": "GET", "handler": "x", "block_type": "x"},
    )
    event_logger.info("x")
""",
    ),
    (
        "relative imports are followed",
        """\
from fastapi import APIRouter

from ..deps import get_db
from .models import Item

router = APIRouter(prefix="/items")


@router.get("/")
def list_items():
    return []
""",
        """\
from fastapi import APIRouter

from ..analytics.event_logger import event_logger
from ..deps import get_db
from .models import Item

router = APIRouter(prefix="/items")


@router.get("/")
def list_items():
    event_logger.log(
        "ai_block_used",
        {"route": "/items/", "method": "GET", "handler": "list_items", "block_type": "items"},
    )
    return []
""",
    ),
    (
        "FastAPI app as the router, no static segment, path parameter not in the signature",
        """\
from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/{slug}")
def page(request: Request):
    return request.path_params
""",
        """\
from fastapi import FastAPI, Request

from app.analytics.event_logger import event_logger

app = FastAPI()


@app.get("/{slug}")
def page(request: Request):
    event_logger.log(
        "ai_block_used",
        {"route": "/{slug}", "method": "GET", "handler": "page", "block_type": "items"},
    )
    return request.path_params
""",
    ),
    (
        "only route handlers of known routers are touched",
        """\
from functools import lru_cache
from unittest import mock

from fastapi import APIRouter

from app.other import external

router = APIRouter()


@lru_cache
def settings():
    return {}


@external.get_client("/elsewhere")
def not_ours():
    return 1


@router.websocket("/ws")
async def ws(websocket):
    await websocket.accept()


class Holder:
    @external.fetch("/method")
    def method(self):
        return 2


def helper():
    @mock.patch("app.x")
    def inner():
        return 3


@router.head("/h")
def h():
    return None
""",
        """\
from functools import lru_cache
from unittest import mock

from fastapi import APIRouter

from app.analytics.event_logger import event_logger
from app.other import external

router = APIRouter()


@lru_cache
def settings():
    return {}


@external.get_client("/elsewhere")
def not_ours():
    return 1


@router.websocket("/ws")
async def ws(websocket):
    event_logger.log(
        "ai_block_used",
        {"route": "/ws", "method": "WEBSOCKET", "handler": "ws", "block_type": "ws"},
    )
    await websocket.accept()


class Holder:
    @external.fetch("/method")
    def method(self):
        return 2


def helper():
    @mock.patch("app.x")
    def inner():
        return 3


@router.head("/h")
def h():
    event_logger.log(
        "ai_block_used",
        {"route": "/h", "method": "HEAD", "handler": "h", "block_type": "h"},
    )
""",
    ),
    (
        "docstring-only body",
        """\
from fastapi import APIRouter

router = APIRouter()


@router.options("/o")
def o():
    \"\"\"Nothing to do.\"\"\"
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter()


@router.options("/o")
def o():
    \"\"\"Nothing to do.\"\"\"
    event_logger.log(
        "ai_block_used",
        {"route": "/o", "method": "OPTIONS", "handler": "o", "block_type": "o"},
    )
""",
    ),
    (
        "router imported inside try, so the import goes after the docstring",
        """\
\"\"\"Optional routes.\"\"\"

try:
    from fastapi import APIRouter
except ImportError:  # pragma: no cover
    APIRouter = None

router = APIRouter()


@router.api_route("/any")
def any_method():
    return 1
""",
        """\
\"\"\"Optional routes.\"\"\"

from app.analytics.event_logger import event_logger

try:
    from fastapi import APIRouter
except ImportError:  # pragma: no cover
    APIRouter = None

router = APIRouter()


@router.api_route("/any")
def any_method():
    event_logger.log(
        "ai_block_used",
        {"route": "/any", "method": "GET", "handler": "any_method", "block_type": "any"},
    )
    return 1
""",
    ),
    (
        "sorted among first-party imports; a plain module import counts as instrumented",
        """\
import app.analytics.event_logger
from app.auth import user
from app.zoo import animals
from fastapi import APIRouter

router = APIRouter()


@router.get("/done")
def done():
    app.analytics.event_logger.event_logger.log("ai_block_used")


@router.get("/z")
def z():
    return 2
""",
        """\
import app.analytics.event_logger
from app.analytics.event_logger import event_logger
from app.auth import user
from app.zoo import animals
from fastapi import APIRouter

router = APIRouter()


@router.get("/done")
def done():
    app.analytics.event_logger.event_logger.log("ai_block_used")


@router.get("/z")
def z():
    event_logger.log(
        "ai_block_used",
        {"route": "/z", "method": "GET", "handler": "z", "block_type": "z"},
    )
    return 2
""",
    ),
    (
        "aliased fastapi.routing module, no docstring and no top-level import",
        """\
try:
    import fastapi.routing as routing
except ImportError:
    raise
router = routing.APIRouter(prefix="/r")


@router.trace("/t")
def t():
    return 1
""",
        """\
from app.analytics.event_logger import event_logger

try:
    import fastapi.routing as routing
except ImportError:
    raise
router = routing.APIRouter(prefix="/r")


@router.trace("/t")
def t():
    event_logger.log(
        "ai_block_used",
        {"route": "/r/t", "method": "TRACE", "handler": "t", "block_type": "t"},
    )
    return 1
""",
    ),
    (
        "tab indentation",
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/t")\ndef t():\n\treturn 1\n',
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/t")\ndef t():\n'
        "\tevent_logger.log(\n"
        '\t\t"ai_block_used",\n'
        '\t\t{"route": "/t", "method": "GET", "handler": "t", "block_type": "t"},\n'
        "\t)\n"
        "\treturn 1\n",
    ),
    (
        "a method indented with spaces in a module indented with tabs follows its own body",
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/t")\ndef t():\n\treturn 1\n\n\n'
        "class Views:\n"
        '\t@router.get("/s")\n\tdef s(self):\n\t    return 2\n\n\n'
        '@router.get("/u")\ndef u():\n  return 3\n',
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/t")\ndef t():\n'
        "\tevent_logger.log(\n"
        '\t\t"ai_block_used",\n'
        '\t\t{"route": "/t", "method": "GET", "handler": "t", "block_type": "t"},\n'
        "\t)\n"
        "\treturn 1\n\n\n"
        "class Views:\n"
        '\t@router.get("/s")\n\tdef s(self):\n'
        "\t    event_logger.log(\n"
        '\t        "ai_block_used",\n'
        '\t        {"route": "/s", "method": "GET", "handler": "Views.s", "block_type": "s"},\n'
        "\t    )\n"
        "\t    return 2\n\n\n"
        '@router.get("/u")\ndef u():\n'
        "  event_logger.log(\n"
        '    "ai_block_used",\n'
        '    {"route": "/u", "method": "GET", "handler": "u", "block_type": "u"},\n'
        "  )\n"
        "  return 3\n",
    ),
    (
        "routes in module-level if/elif, try and with blocks are routes too",
        """\
from contextlib import suppress

from fastapi import APIRouter

from app.config import settings

router = APIRouter(prefix="/api/items")

if settings.debug:
    @router.get("/debug/{item_id}")
    def debug(item_id: int):
        \"\"\"Only in debug builds.\"\"\"
        return {"id": item_id}
elif settings.preview:
    @router.get("/preview")
    def preview():
        return 1
else:
    pass

try:
    @router.post("/legacy")
    async def legacy():
        return 2
except ImportError:
    pass

with suppress(Exception):
    @router.delete("/gone")
    def gone():
        return None
""",
        """\
from contextlib import suppress

from fastapi import APIRouter

from app.analytics.event_logger import event_logger
from app.config import settings

router = APIRouter(prefix="/api/items")

if settings.debug:
    @router.get("/debug/{item_id}")
    def debug(item_id: int):
        \"\"\"Only in debug builds.\"\"\"
        event_logger.log(
            "ai_block_used",
            {
                "route": "/api/items/debug/{item_id}",
                "method": "GET",
                "handler": "debug",
                "block_type": "debug",
                "item_id": item_id,
            },
        )
        return {"id": item_id}
elif settings.preview:
    @router.get("/preview")
    def preview():
        event_logger.log(
            "ai_block_used",
            {
                "route": "/api/items/preview",
                "method": "GET",
                "handler": "preview",
                "block_type": "preview",
            },
        )
        return 1
else:
    pass

try:
    @router.post("/legacy")
    async def legacy():
        event_logger.log(
            "ai_block_used",
            {
                "route": "/api/items/legacy",
                "method": "POST",
                "handler": "legacy",
                "block_type": "legacy",
            },
        )
        return 2
except ImportError:
    pass

with suppress(Exception):
    @router.delete("/gone")
    def gone():
        event_logger.log(
            "ai_block_used",
            {
                "route": "/api/items/gone",
                "method": "DELETE",
                "handler": "gone",
                "block_type": "gone",
            },
        )
""",
    ),
    (
        "chained assignment binds every name to the router",
        """\
from fastapi import APIRouter

public = legacy = APIRouter(prefix="/v1")


@public.get("/a")
def a():
    return 1


@legacy.get("/b")
def b():
    return 2
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

public = legacy = APIRouter(prefix="/v1")


@public.get("/a")
def a():
    event_logger.log(
        "ai_block_used",
        {"route": "/v1/a", "method": "GET", "handler": "a", "block_type": "a"},
    )
    return 1


@legacy.get("/b")
def b():
    event_logger.log(
        "ai_block_used",
        {"route": "/v1/b", "method": "GET", "handler": "b", "block_type": "b"},
    )
    return 2
""",
    ),
    (
        "router assigned in a module-level block, route three blocks deep",
        """\
try:
    from fastapi import APIRouter
except ImportError:
    raise

if FEATURE:
    router = APIRouter(prefix="/deep")
    with lock:
        if True:
            @router.api_route("/{name}", methods=["GET", "HEAD"])
            def deep(name: str):
                return name
""",
        """\
from app.analytics.event_logger import event_logger

try:
    from fastapi import APIRouter
except ImportError:
    raise

if FEATURE:
    router = APIRouter(prefix="/deep")
    with lock:
        if True:
            @router.api_route("/{name}", methods=["GET", "HEAD"])
            def deep(name: str):
                event_logger.log(
                    "ai_block_used",
                    {
                        "route": "/deep/{name}",
                        "method": "GET,HEAD",
                        "handler": "deep",
                        "block_type": "deep",
                        "name": name,
                    },
                )
                return name
""",
    ),
    (
        "enclosed routes that already log once are left alone, and are not an error",
        ENCLOSED_LOGGED,
        ENCLOSED_LOGGED,
    ),
    (
        "routes on an app whose name is later rebound to a wrapper of it are the app's",
        """\
from fastapi import FastAPI

from app.wrappers import Tracing

app = FastAPI()


@app.get("/ping")
def ping() -> str:
    return "pong"


app = Tracing(app)
""",
        """\
from fastapi import FastAPI

from app.analytics.event_logger import event_logger
from app.wrappers import Tracing

app = FastAPI()


@app.get("/ping")
def ping() -> str:
    event_logger.log(
        "ai_block_used",
        {"route": "/ping", "method": "GET", "handler": "ping", "block_type": "ping"},
    )
    return "pong"


app = Tracing(app)
""",
    ),
    (
        # Only apps and routers see through a rebinding: a constant built from its own old value
        # is not that old value, so the prefix stays one known at run time.
        "a prefix constant rebound from itself is read at run time",
        """\
from fastapi import APIRouter

PREFIX = "/api"
PREFIX = PREFIX + "/v1"
router = APIRouter(prefix=PREFIX)


@router.get("/x")
def x() -> int:
    return 1
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

PREFIX = "/api"
PREFIX = PREFIX + "/v1"
router = APIRouter(prefix=PREFIX)


@router.get("/x")
def x() -> int:
    event_logger.log(
        "ai_block_used",
        {"route": router.prefix + "/x", "method": "GET", "handler": "x", "block_type": "x"},
    )
    return 1
""",
    ),
    (
        "first-party import with its own comment lines above it",
        """\
from fastapi import APIRouter

# The alias needs the run-time symbol,
# so it stays out of TYPE_CHECKING.
from app.api.deps import CurrentUser  # noqa: TC001

router = APIRouter()


@router.get("/files")
async def get_file(user: CurrentUser) -> int:
    return 1
""",
        """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger
# The alias needs the run-time symbol,
# so it stays out of TYPE_CHECKING.
from app.api.deps import CurrentUser  # noqa: TC001

router = APIRouter()


@router.get("/files")
async def get_file(user: CurrentUser) -> int:
    event_logger.log(
        "ai_block_used",
        {"route": "/files", "method": "GET", "handler": "get_file", "block_type": "files"},
    )
    return 1
""",
    ),
]


@pytest.fixture(params=["\n", "\r\n"], ids=["lf", "crlf"])
def newline(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_instrument_routes(source: str, expected: str, newline: str) -> None:
    source = source.replace("\n", newline)
    expected = expected.replace("\n", newline)

    result = _instrument(source)

    assert result.source == expected
    assert result.problems == ()
    assert bool(result.changes) == (expected != source)
    _assert_only_added_lines(source, result.source)
    if newline == "\r\n":
        assert "\n" not in result.source.replace("\r\n", "")
    again = _instrument(result.source)
    assert again == PatchResult(result.source)


def test_changes_describe_each_insertion() -> None:
    source = CASES[0][1]
    assert _instrument(source).changes == (
        "import `event_logger`",
        "log call in get_item (GET /api/items/{item_id})",
    )


PROBLEM_SOURCE = """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter()
EVENT = "chapter_visit"


@router.get("/twice")
def twice():
    event_logger.log("chapter_visit", {})
    event_logger.log("chapter_visit", {})


@router.get("/wrong")
def wrong():
    event_logger.log("x", {})


@router.get("/indirect")
def indirect():
    event_logger.log(EVENT, {})


@router.get(PATH)
def unreadable():
    return 1


@router.api_route("/m", methods=METHODS)
def unknown_methods():
    return 1

"""


def test_problems_are_reported_and_never_rewritten() -> None:
    result = _instrument(PROBLEM_SOURCE, event_type="chapter_visit")
    # `wrong` logs "x" by hand, without the route context generate writes, and no run wrote
    # that type there: the user's own logging (checked as any call of the package), not a
    # wrong call of the route, which gets its call above it.
    assert result.source == PROBLEM_SOURCE.replace(
        "def wrong():\n",
        "def wrong():\n"
        "    event_logger.log(\n"
        '        "chapter_visit",\n'
        '        {"route": "/wrong", "method": "GET", "handler": "wrong", "block_type": "wrong"},\n'
        "    )\n",
    )
    assert result.changes == ("log call in wrong (GET /wrong)",)
    where = "app/api/items.py"
    assert result.problems == (
        f"{where}:10: route twice (GET /twice) logs the event 2 times; keep one call",
        f"{where}:21: route indirect (GET /indirect) logs an event type that is not a string "
        "literal, expected 'chapter_visit'",
        f"{where}:26: route unreadable (GET ?) cannot be instrumented: its path is neither a "
        "literal nor a constant; add the log call by hand, or mark the handler "
        "`# telemetry-scaffold: skip`",
        f"{where}:31: route unknown_methods (? /m) cannot be instrumented: its methods are not "
        "literals; add the log call by hand, or mark the handler `# telemetry-scaffold: skip`",
    )


def test_a_users_own_call_of_another_type_beside_the_routes_call_is_theirs() -> None:
    # The handler logs its route (the call generate wrote, or one of the plan's type by hand),
    # and the user logs an event of their own next to it (before or after): that call is not
    # a second log call of the route, nor a wrong one ("logs the event 2 times", "logs
    # 'quiz_started', expected 'chapter_visit'" refused the module).
    for own in (
        '    event_logger.log("quiz_started", {"n": 1})\n',
        '    event_logger.log(EVENT_NAME, {"n": 1})\n',
    ):
        source = (
            "from fastapi import APIRouter\n\n"
            "from app.analytics.event_logger import event_logger\n\n"
            "router = APIRouter()\n\n\n"
            '@router.get("/mine")\n'
            "def mine():\n"
            f"{own}"
            '    event_logger.log("chapter_visit", {"from": "hand"})\n'
            f"{own}"
            "    return 1\n"
        )
        assert _instrument(source, event_type="chapter_visit") == PatchResult(source)
    # The route's call in a block of the user's, their own call above it.
    source = (
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/mine")\n'
        "def mine(flag: bool):\n"
        '    event_logger.log("quiz_started", {"n": 1})\n'
        "    if flag:\n"
        "        event_logger.log(\n"
        '            "chapter_visit",\n'
        '            {"route": "/mine", "method": "GET", "handler": "mine", "block_type": "x"},\n'
        "        )\n"
        "    return 1\n"
    )
    assert _instrument(source, event_type="chapter_visit") == PatchResult(source)


def test_skip_pragma_silences_a_handler() -> None:
    source = PROBLEM_SOURCE.replace(
        "def unreadable():", "def unreadable():  # telemetry-scaffold: skip"
    ).replace(
        '@router.api_route("/m", methods=METHODS)',
        '@router.api_route("/m", methods=METHODS)  # telemetry-scaffold:skip',
    )
    result = _instrument(source, event_type="chapter_visit")
    assert len(result.problems) == 2
    assert not any(
        "unreadable" in problem or "unknown_methods" in problem for problem in result.problems
    )


def test_problems_do_not_stop_other_handlers() -> None:
    # A `.log` call on anything but the imported logger does not count as instrumentation.
    source = PROBLEM_SOURCE + (
        '\n\n@router.get("/computed")\ndef computed():\n    make_logger().log("chapter_visit")\n'
        '\n\n@router.get("/new")\ndef new():\n    return 2\n'
    )
    result = _instrument(source, event_type="chapter_visit")
    assert result.changes == (
        "log call in wrong (GET /wrong)",
        "log call in computed (GET /computed)",
        "log call in new (GET /new)",
    )
    assert len(result.problems) == 4
    assert result.source.endswith(
        "def new():\n"
        "    event_logger.log(\n"
        '        "chapter_visit",\n'
        '        {"route": "/new", "method": "GET", "handler": "new", "block_type": "new"},\n'
        "    )\n"
        "    return 2\n"
    )


ENCLOSED_SOURCE = """\
from fastapi import APIRouter, FastAPI

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api")


def register(router):
    @router.get("/x")
    def inner():
        return 1


def create_app():
    app = FastAPI()

    @app.post("/items/{item_id}")
    async def create(item_id: int):
        return item_id

    class Admin:
        @app.delete("/all")
        def wipe(self):
            return None

    return app


class Views:
    @router.api_route("/m", methods=METHODS)
    def m(self):
        \"\"\"Its methods are not literal: named without its route.\"\"\"

    @router.get("/w")
    def w(self):
        event_logger.log("chapter_visit", {})

    @router.get("/ok")
    def ok(self):
        event_logger.log("ai_block_used", {})
"""


def test_enclosed_routes_are_instrumented(newline: str) -> None:
    # Routes in factories and classes are instrumented where their owner is known; the rest is
    # reported with its line and the fix, never skipped silently.
    source = ENCLOSED_SOURCE.replace("\n", newline)
    result = _instrument(source)
    # Views.w logs chapter_visit by hand (no route context, no run wrote that type there): the
    # user's own logging; the route gets its call above it.
    assert result.changes == (
        "log call in create (POST /items/{item_id})",
        "log call in Admin.wipe (DELETE /all)",
        "log call in Views.w (GET /api/w)",
    )
    assert result.problems == (
        "app/api/items.py:10: inner looks like a route on `router`, which cannot be told to be a "
        "FastAPI app or router (built outside the package, or by code that is not followed); "
        "add the log call by hand, or mark the handler `# telemetry-scaffold: skip`",
        "app/api/items.py:31: route Views.m (? /api/m) cannot be instrumented: its methods are "
        "not literals; add the log call by hand, or mark the handler `# telemetry-scaffold: skip`",
    )
    _assert_only_added_lines(source, result.source)
    expected = (
        ENCLOSED_SOURCE.replace(
            "    async def create(item_id: int):\n",
            "    async def create(item_id: int):\n"
            "        event_logger.log(\n"
            '            "ai_block_used",\n'
            "            {\n"
            '                "route": "/items/{item_id}",\n'
            '                "method": "POST",\n'
            '                "handler": "create",\n'
            '                "block_type": "items",\n'
            '                "item_id": item_id,\n'
            "            },\n"
            "        )\n",
        )
        .replace(
            # A stub's lone `return None`: the call takes its place.
            "        def wipe(self):\n            return None\n",
            "        def wipe(self):\n"
            "            event_logger.log(\n"
            '                "ai_block_used",\n'
            '                {"route": "/all", "method": "DELETE", "handler": "Admin.wipe", '
            '"block_type": "all"},\n'
            "            )\n",
        )
        .replace(
            "    def w(self):\n",
            "    def w(self):\n"
            "        event_logger.log(\n"
            '            "ai_block_used",\n'
            '            {"route": "/api/w", "method": "GET", "handler": "Views.w", '
            '"block_type": "w"},\n'
            "        )\n",
        )
    )
    assert result.source == expected.replace("\n", newline)


def test_annotated_router_parameter_is_instrumented_with_its_runtime_prefix() -> None:
    source = (
        "from fastapi import APIRouter\n\n\n"
        "def register(router: APIRouter) -> None:\n"
        '    @router.get("/x/{key}")\n'
        "    def inner(key: str):\n"
        "        return key\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert (
        "        event_logger.log(\n"
        '            "ai_block_used",\n'
        "            {\n"
        '                "route": router.prefix + "/x/{key}",\n'
    ) in result.source


def test_controller_methods_registered_on_self_router_are_instrumented() -> None:
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class Users:\n"
        "    def __init__(self, prefix: str) -> None:\n"
        "        self.router = APIRouter(prefix=prefix)\n"
        '        self.router.add_api_route("/{user_id}", self.one, methods=["GET"])\n'
        '        self.router.add_api_route("/", self.helper, methods=["GET"])\n\n'
        "    def one(me, user_id: int):\n"
        "        return user_id\n\n"
        "    @staticmethod\n"
        "    def helper():\n"
        "        return 1\n\n\n"
        "def build() -> APIRouter:\n"
        "    router = APIRouter()\n"
        '    router.add_api_route("/all", Users("/u").one)\n'
        "    return router\n"
    )
    result = _instrument(source)
    # The router's prefix is only known at run time: each method reads it through its own
    # instance; a static method is no method of the instance, and `Users("/u").one` is not
    # followed: both routes are named on a line (not logged), never skipped in silence.
    assert result.problems == ()
    notes = [change for change in result.changes if "cannot be followed" in change]
    assert [note.split(": ")[0] for note in notes] == [
        "app/api/items.py:8",
        "app/api/items.py:20",
    ]
    # The class whose method goes unlogged is named (a homegrown class-based view's, too).
    assert "registers `self.helper`, a method of `Users` (app/api/items.py:4), which" in notes[0]
    assert "registers `Users('/u').one`, a method of `Users` (app/api/items.py:4)," in notes[1]
    assert '"route": me.router.prefix + "/{user_id}",' in result.source
    assert result.source.count("event_logger.log(") == 1


def test_routes_a_router_subclass_declares_on_itself_are_instrumented() -> None:
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class Reports(APIRouter):\n"
        "    def __init__(self) -> None:\n"
        '        super().__init__(prefix="/reports")\n'
        '        self.add_api_route("/{report_id}", self.one, methods=["GET"])\n\n'
        '        @self.post("/")\n'
        "        def create():\n"
        "            return 1\n\n"
        "    def one(self, report_id: int):\n"
        "        return report_id\n\n\n"
        "class Plain:\n"
        "    def __init__(self) -> None:\n"
        '        self.add_api_route("/x", self.one)\n\n'
        "    def one(self):\n"
        "        return 2\n"
    )
    result = _instrument(source)
    # `self` is the router (every instance of the class is one): its routes, under its own
    # prefix read at run time, said on a line; `self` of any other class is no router.
    assert result.problems == ()
    assert result.source.count("event_logger.log(") == 2
    assert '"route": self.prefix + "/{report_id}",' in result.source
    assert '"route": self.prefix + "/",' in result.source
    assert any("`Reports`" in change and "own prefix" in change for change in result.changes)


TODO_APP_MAIN_PY = """from fastapi import FastAPI


class TodoApp(FastAPI):
    def __init__(self) -> None:
        super().__init__()

        @self.get("/api")
        async def root() -> str:
            return "Todo App"

        self.add_api_route("/health", self.health, methods=["GET"])

    def health(self) -> int:
        return 1


{built}
"""


@pytest.mark.parametrize(
    ("built", "logged"),
    [
        ("app = TodoApp()\n", True),
        ('app = FastAPI()\napp.mount("/v1", TodoApp())\n', False),
    ],
    ids=["served", "mounted"],
)
def test_routes_an_app_subclass_declares_on_itself_are_logged_when_it_is_the_app_served(
    tmp_path: Path, built: str, logged: bool
) -> None:
    """`class TodoApp(FastAPI)` declaring `@self.get("/api")` in `__init__`, `app = TodoApp()`.

    `self` is the app served: its routes are at its root. They used to be named as routes on
    `self`, "which cannot be told to be a FastAPI app or router", not logged. An instance
    mounted into another app answers under the mount path, which the class does not know: still
    named on a line, never logged under the wrong path.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[project]\nname = "demo"\n\n[tool.telemetry-scaffold]\n'
                'instrument = { "main.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/main.py": TODO_APP_MAIN_PY.format(built=built),
        },
    )
    result = run("generate", "--root", str(root))
    said = result.stdout + result.stderr
    if logged:
        assert result.exit_code == 0, said
        assert "log call in root (GET /api)" in said, said
        assert "log call in TodoApp.health (GET /health)" in said, said
        # remove reads the routes with no app served yet: it still finds both log calls.
        assert run("remove", "--root", str(root)).exit_code == 0
        main = (root / "backend/app/main.py").read_text()
        assert main == TODO_APP_MAIN_PY.format(built=built)
    else:
        assert "log call in root" not in said, said
        assert "root looks like a route on `self`" in said, said


def _app_class_builds_read(root: Path, count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How often generate looks for the calls building an app class declaring `count` routes."""
    asked = 0
    original = mounts._calls_named

    def counted(*args: Any) -> Any:
        nonlocal asked
        asked += 1
        return original(*args)

    monkeypatch.setattr(mounts, "_calls_named", counted)
    routes = "".join(
        f'        self.add_api_route("/r{i}", self.r{i}, methods=["GET"])\n' for i in range(count)
    )
    handlers = "".join(f"    def r{i}(self) -> int:\n        return {i}\n\n" for i in range(count))
    write_files(
        root,
        {
            "pyproject.toml": (
                '[project]\nname = "demo"\n\n[tool.telemetry-scaffold]\n'
                'instrument = { "main.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\n\nclass TodoApp(FastAPI):\n"
                "    def __init__(self) -> None:\n        super().__init__()\n"
                + routes
                + "\n"
                + handlers
                + "\napp = TodoApp()\n"
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("log call in TodoApp.r") == count, result.stdout
    monkeypatch.undo()
    return asked


def test_the_instance_of_an_app_class_is_looked_for_once_whatever_its_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which instance of `TodoApp` is served is read once, not again for each of its routes.

    Each route on `self` used to read every call of the package twice more.
    """
    few = _app_class_builds_read(tmp_path / "few", 2, monkeypatch)
    many = _app_class_builds_read(tmp_path / "many", 12, monkeypatch)
    assert many == few, (few, many)


def test_a_router_subclass_giving_its_own_prefix_beside_the_callers_options_is_followed() -> None:
    """`super().__init__(prefix="/catalog", **kwargs)`: the router answers under /catalog.

    Handing `**kwargs` on used to count as passing the caller's prefix through: the routes
    were logged without /catalog, in silence.
    """
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class CatalogRouter(APIRouter):\n"
        "    def __init__(self, **kwargs):\n"
        '        super().__init__(prefix="/catalog", **kwargs)\n\n\n'
        'router = CatalogRouter(tags=["books"])\n\n\n'
        '@router.get("/books/{isbn}")\n'
        "def get_book(isbn: str):\n"
        "    return isbn\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert '"route": router.prefix + "/books/{isbn}",' in result.source


def test_a_handler_called_as_a_function_by_another_is_named() -> None:
    source = (
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/")\n'
        "async def every_item():\n"
        "    return await find_items(None)\n\n\n"
        '@router.get("/{name}")\n'
        "async def find_items(name: str | None):\n"
        "    return [name]\n\n\n"
        "def helper():\n"
        "    return find_items\n"
    )
    result = _instrument(source)
    # Its log call runs on that call too: a second event, naming the other route. Said on
    # a line, both still logged; a mere reference (`return find_items`) is no call.
    assert result.problems == ()
    assert result.source.count("event_logger.log(") == 2
    said = [change for change in result.changes if "as a function" in change]
    assert said == [
        "app/api/items.py:8: `every_item` calls the route handler `find_items` as a function: "
        "its log call runs there too, a second event naming its own route; move the shared "
        "code into a function of its own, or mark the call's line `# telemetry-scaffold: skip`"
    ], result.changes


def test_self_attribute_that_is_not_a_router_is_not_an_owner() -> None:
    source = (
        "import httpx\n"
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\n"
        "class Client:\n"
        "    def __init__(self) -> None:\n"
        "        self.http = httpx.Client()\n"
        '        self.http.add_api_route("/x", self.call)\n\n'
        "    def call(self):\n"
        "        return 1\n\n\n"
        '@router.get("/y")\n'
        "def y():\n"
        "    return 2\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert result.source.count("event_logger.log(") == 1
    assert '"handler": "y"' in result.source


# Newer grammar in a route module, read on any Python: Python 3.12's (PEP 695, PEP 701), 3.13's
# (PEP 696) and 3.14's (PEP 750, PEP 758).
_NEWER_SYNTAX = [
    pytest.param("type ItemId = int\n", id="type-alias"),
    pytest.param("type Pair[T] = tuple[\n    T,\n    T,\n]\n", id="type-alias-lines"),
    pytest.param("def first[T](items: list[T]) -> T:\n    return items[0]\n", id="function"),
    pytest.param("class Box[T: (int, str)]:\n    item: T\n", id="class"),
    pytest.param("def pick[\n    T,\n](items: list[T]) -> T:\n    return items[0]\n", id="lines"),
    pytest.param('URL = f"{SETTINGS["base"]}/items"\n', id="f-string-quotes"),
    pytest.param("TEXT = f\"{'\\n'.join(PARTS)}\"\n", id="f-string-backslash"),
    pytest.param('TEXT = f"{\n    SETTINGS["base"]  # a comment\n}"\n', id="f-string-lines"),
    pytest.param('TEXT = f"{\'é\'}" + f"{SETTINGS["é"]}" + "ü"\n', id="f-string-non-ascii"),
    pytest.param(
        "def pick[T = int, *Ts = *tuple[int]](item: T) -> T:\n    return item\n",
        id="type-parameter-defaults",
    ),
    pytest.param('GREETING = t"hello {SETTINGS!r:>{10}}"\n', id="t-string"),
    pytest.param('GREETING = t"""{\n    SETTINGS["é"]\n}"""\n', id="t-string-lines"),
    pytest.param("GREETING = f\"{t'x'} é\"\n", id="t-string-in-f-string"),
    pytest.param(
        "try:\n    import orjson\nexcept ImportError, ModuleNotFoundError:\n    orjson = None\n",
        id="except-without-brackets",
    ),
    pytest.param(
        "try:\n    PARTS.append(1)\nexcept* ValueError, TypeError:\n    pass\n",
        id="except-star-without-brackets",
    ),
]


@pytest.mark.parametrize("newer", _NEWER_SYNTAX)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_newer_python_syntax_is_read_on_any_python(newer: str, newline: str) -> None:
    source = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\nSETTINGS = {}\nPARTS = []\n"
        f"{newer}\n\n"
        '@router.get("/items/{item_id}")\n'
        "def item(item_id: int) -> dict[str, str]:\n"
        '    name = f"{SETTINGS["name"]}"\n'
        '    return {"name": name}\n'
    ).replace("\n", newline)
    result = _instrument(source)
    assert result.problems == ()
    assert result.source.count("event_logger.log(") == 1
    assert '"route": "/items/{item_id}",' in result.source
    _assert_only_added_lines(source, result.source)
    # The call goes in as the handler's first statement, the module's line breaks kept.
    assert f"def item(item_id: int) -> dict[str, str]:{newline}    event_logger.log(" in (
        result.source
    )
    assert result.source.count("\r\n") == (result.source.count("\n") if newline == "\r\n" else 0)
    assert _uninstrumented(result.source).source == source


def test_an_f_string_route_path_of_python_3_12_is_named_as_any_computed_path() -> None:
    # Written over for Python 3.11's parser, the f-string is a value the tool cannot know.
    source = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\nPATHS = {}\n\n\n"
        '@router.get(f"{PATHS["items"]}/{{item_id}}")\n'
        "def item(item_id: int):\n"
        "    return item_id\n"
    )
    result = _instrument(source)
    assert len(result.problems) == 1
    assert "its path is neither a literal nor a constant" in result.problems[0]
    assert "\n" not in result.problems[0]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads this syntax itself")
def test_an_error_beside_python_3_12_syntax_is_a_syntax_error() -> None:
    # libcst cannot read it either: the module is reported as before, with the hint.
    source = "from fastapi import APIRouter\n\nrouter = APIRouter()\ntype ItemId = int\nx = (\n"
    with pytest.raises(PatchError) as caught:
        _instrument(source)
    message = caught.value.message
    assert "syntax error at line 4" in message
    assert "type parameter syntax of Python 3.12" in message
    assert "\n" not in message


_ONE_LINE_CALL = (
    'event_logger.log("ai_block_used", {"route": "/f", "method": "GET", "handler": "f", '
    '"block_type": "f"})'
)


@pytest.mark.parametrize(
    ("header", "body", "written"),
    [
        ("def f():", " return 1", f" {_ONE_LINE_CALL}; return 1"),
        ("async def f():", " return 1", f" {_ONE_LINE_CALL}; return 1"),
        ("def f():", " pass; return", f" {_ONE_LINE_CALL}; pass; return"),
        ("def f():", " x = 1; return x", f" {_ONE_LINE_CALL}; x = 1; return x"),
        # A docstring stays first: the call goes after it.
        ("def f():", ' """Doc."""', f' """Doc."""; {_ONE_LINE_CALL}'),
        ("def f():", ' "Doc."; return 1', f' "Doc."; {_ONE_LINE_CALL}; return 1'),
        ("def f():", " pass;", f" {_ONE_LINE_CALL}; pass;"),
        ("def f():", " return 1;", f" {_ONE_LINE_CALL}; return 1;"),
        ("def f():", ' """Doc.""";', f' """Doc."""; {_ONE_LINE_CALL};'),
        ("def f():", " x = 1  # pass", f" {_ONE_LINE_CALL}; x = 1  # pass"),
        ("def f():", "  return 1  # note", f"  {_ONE_LINE_CALL}; return 1  # note"),
        ("def f():", "\treturn 1", f"\t{_ONE_LINE_CALL}; return 1"),
        ("def f() -> dict[str, int]:", ' return {"a": 1}', f' {_ONE_LINE_CALL}; return {{"a": 1}}'),
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_one_line_body_gets_its_call_in_its_suite(
    header: str, body: str, written: str, newline: str
) -> None:
    # It was refused ("its body is on the `def` line"): the call goes into the one-line suite,
    # on one line whatever its length, and remove takes out exactly what went in.
    head = 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/f")\n'
    source = (head + f"{header}{body}\n").replace("\n", newline)
    result = _instrument(source)
    assert result.problems == ()
    imported = (
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n"
    )
    expected = imported + head[len("from fastapi import APIRouter\n") :] + f"{header}{written}\n"
    assert result.source == expected.replace("\n", newline)
    assert _instrument(result.source).source == result.source  # a second run changes nothing
    assert _uninstrumented(result.source).source == source  # the very bytes it had


def test_one_line_bodies_in_a_class_and_under_stacked_decorators_record_what_they_need() -> None:
    source = (
        "from fastapi import APIRouter, Request\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/a/{item_id}")\n@router.get("/b/{item_id}")\n'
        "async def f(item_id: str): return item_id\n\n\n"
        "class Views:\n"
        '\t@router.get("/c")\n'
        "\tdef g(self, request: Request): return request.url.path\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    lines = result.source.split("\n")
    assert lines[line_of(lines, "async def f")] == (
        "async def f(item_id: str): "
        'event_logger.log("ai_block_used", {"route": ["/a/{item_id}", "/b/{item_id}"], '
        '"method": "GET", "handler": "f", "block_type": "a,b", "item_id": item_id}); '
        "return item_id"
    )
    assert lines[line_of(lines, "def g")] == (
        "\tdef g(self, request: Request): "
        'event_logger.log("ai_block_used", {"route": "/c", "method": "GET", "handler": '
        '"Views.g", "block_type": "c"}); return request.url.path'
    )
    assert _uninstrumented(result.source).source == source


def test_a_call_in_a_one_line_suite_is_brought_up_to_date_in_place() -> None:
    source = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/f")\n'
        "def f(): return 1  # note\n"
    )
    instrumented = _instrument(source).source
    moved = instrumented.replace('@router.get("/f")', '@router.get("/g")')
    result = _instrument(moved)
    assert result.problems == ()
    assert result.source == moved.replace('"route": "/f"', '"route": "/g"').replace(
        '"block_type": "f"', '"block_type": "g"'
    )
    # Taken out again as it was written, the rest of the line as it was.
    assert _uninstrumented(result.source).source == source.replace('get("/f")', 'get("/g")')


def test_the_logger_read_elsewhere_on_a_one_line_suite_keeps_its_import() -> None:
    # Only the call's bytes go: the rest of the line still reads the logger.
    source = (
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n\n"
        'router = APIRouter()\n\n\n@router.get("/f")\n'
        "def f(): return event_logger is not None\n"
    )
    instrumented = _instrument(source).source
    assert f"def f(): {_ONE_LINE_CALL}; return event_logger" in instrumented
    assert _uninstrumented(instrumented).source == source


def test_a_one_line_suite_grown_past_the_line_length_is_said_once() -> None:
    source = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/f")\n'
        "def f(): return 1\n\n\n"
        '@router.get("/g")\ndef g(): pass\n'
    )
    result = _instrument(source)
    notes = [change for change in result.changes if "one-line body" in change]
    assert notes == [
        "app/api/items.py:7: route f (GET /f): its log call went into the one-line body on its "
        "`def` line, now 121 characters long (over 100); your formatter lays it out on lines of "
        "their own (generate keeps the call so), or move the body to lines of its own yourself"
    ]
    assert not [change for change in _instrument(result.source).changes if "one-line" in change]


def test_a_call_in_a_one_line_suite_edited_by_hand_is_kept_as_the_users() -> None:
    source = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/f")\n'
        "def f(): return 1\n"
    )
    edited = _instrument(source).source.replace('"block_type": "f"', '"block_type": "mine"')
    assert _instrument(edited).source == edited
    removed = _uninstrumented(edited)
    assert removed.source == edited
    assert removed.problems == (
        "app/api/items.py:9: the log call of route f (GET /f) is not as telemetry-scaffold "
        "wrote it (changed since, or written by hand); kept: take it out by hand, or rerun "
        "with --force",
    )
    assert _uninstrumented(edited, force=True).source == source


def test_a_docstring_sharing_its_line_is_reported_as_such() -> None:
    # It was reported as a body on the `def` line, which it is not.
    source = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/f")\n'
        'def f():\n    """Doc."""; x = 1\n    return x\n'
    )
    result = _instrument(source)
    assert result.source == source
    assert result.problems == (
        "app/api/items.py:7: route f (GET /f) cannot be instrumented: its docstring shares its "
        "line with the next statement (`;`); move that statement to a line of its own, or mark "
        "the handler `# telemetry-scaffold: skip`",
    )


@pytest.mark.parametrize(
    "body", ["    return 1", '    """Doc."""', "        return 1", "    (\n        1\n    )"]
)
def test_a_body_joined_to_the_def_line_by_a_backslash_is_refused(body: str) -> None:
    # `def a(): \` then the body: a call line put between them was joined to the header
    # (IndentationError, exit 0).
    source = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/a")\n'
        f'def a(): \\\n{body}\n\n\n@router.get("/b")\ndef b():  # note \\\n    return 2\n'
    )
    result = _instrument(source)
    ast.parse(result.source)
    assert result.problems == (
        "app/api/items.py:7: route a (GET /a) cannot be instrumented: its body is joined to its "
        "`def` line by a backslash (`\\` at the end of the line); take the backslash out, or "
        "mark the handler `# telemetry-scaffold: skip`",
    )
    assert "def a(): \\\n" + body in result.source
    assert "def b():  # note \\\n    event_logger.log(" in result.source


def test_a_route_decorator_bound_to_a_name_is_followed() -> None:
    # `get = router.get` then `@get("/")`: the same registration as `@router.get("/")`.
    source = (
        "from fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/devices")\n'
        "get = router.get\n\n\n"
        '@get("/{key}")\n'
        "def device(key: str):\n"
        "    return key\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert '"route": "/devices/{key}",' in result.source
    assert '"method": "GET",' in result.source


FACTORIES_PY = """from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

router = APIRouter(prefix="/models")


class Service:
    def route(self, path: str, **options: Any) -> Callable[..., Any]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            router.add_api_route(path, fn, **options)
            return fn

        return register


def make_route(path: str) -> Callable[..., Any]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        router.add_api_route(path, fn, methods=["POST"])
        return fn

    return register


service = Service()
deco = service.route
mk = make_route


@deco("/{model_id}", methods=["GET"])
async def describe(model_id: str) -> str:
    return model_id


@mk("/reload")
async def reload() -> None:
    return None


@mk("/flush")
async def flush() -> None:
    return None
"""


def test_a_decorator_factory_bound_to_another_name_is_followed() -> None:
    """`deco = service.route` (a decorator-factory method) or `mk = make_route` (a factory
    function), then `@deco("/x")`: the same registration as `@service.route("/x")` (the
    handlers were passed over in silence)."""
    result = _instrument(FACTORIES_PY)
    assert result.problems == ()
    assert _route_logged(result.source, "describe") == ("/models/{model_id}", "GET")
    assert _route_logged(result.source, "reload") == ("/models/reload", "POST")
    assert _route_logged(result.source, "flush") == ("/models/flush", "POST")


def _route_logged(source: str, handler: str) -> tuple[str, str]:
    """The route and method the log call of ``handler`` names."""
    tree = ast.parse(source)
    function = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == handler
    )
    call = function.body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    payload = call.value.args[1]
    assert isinstance(payload, ast.Dict)
    values = {
        key.value: value.value
        for key, value in zip(payload.keys, payload.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
    }
    return values["route"], values["method"]


def test_a_starlette_route_decorator_bound_to_another_name_is_named() -> None:
    # `deco = router.route`: a Starlette route still, named on a line (it was passed over).
    source = (
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "deco = router.route\n\n\n"
        '@deco("/plain")\n'
        "def plain(request):\n"
        "    return None\n"
    )
    result = _instrument(source)
    assert result.source == source
    said = [change for change in result.changes if "as a Starlette route" in change]
    assert len(said) == 1, result.changes


def test_a_route_decorator_bound_through_partial_or_getattr_is_followed() -> None:
    """`json_get = partial(router.get, response_class=...)` and `post = getattr(router, "post")`,
    then `@json_get("/x")`: the same registrations as `@router.get("/x", response_class=...)`
    (they were passed over in silence); the partial's own arguments come first."""
    source = (
        "import functools\n"
        "from functools import partial\n\n"
        "from fastapi import APIRouter\n"
        "from fastapi.responses import ORJSONResponse\n\n"
        'router = APIRouter(prefix="/quotes")\n'
        "json_get = partial(router.get, response_class=ORJSONResponse)\n"
        'post = getattr(router, "post")\n'
        'latest = functools.partial(router.get, "/latest")\n\n\n'
        '@json_get("/{symbol}")\n'
        "async def quote(symbol: str) -> str:\n"
        "    return symbol\n\n\n"
        '@post("/{symbol}/watch")\n'
        "async def watch(symbol: str) -> str:\n"
        "    return symbol\n\n\n"
        "@latest()\n"
        "async def newest() -> None:\n"
        "    return None\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert _route_logged(result.source, "quote") == ("/quotes/{symbol}", "GET")
    assert _route_logged(result.source, "watch") == ("/quotes/{symbol}/watch", "POST")
    assert _route_logged(result.source, "newest") == ("/quotes/latest", "GET")


def test_routes_on_the_apps_router_bound_to_a_name_are_the_apps() -> None:
    # `api = app.router`, then `@api.post("/echo")`: as `@app.router.post` (it was named as a
    # route on an object that cannot be told to be an app or router).
    source = (
        "from fastapi import FastAPI\n\n"
        "app = FastAPI()\n"
        "api = app.router\n\n\n"
        '@api.post("/echo")\n'
        "async def echo(text: str) -> str:\n"
        "    return text\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert _route_logged(result.source, "echo") == ("/echo", "POST")


def test_route_objects_appended_to_a_routers_routes_are_its_routes() -> None:
    """`router.routes.append(APIRoute("/summary/{year}", summary))` (also `.insert`, `.extend`):
    routes of the router, without its prefix= (the list takes them as they are); they were
    passed over in silence. A Starlette `Route` appended is named."""
    source = (
        "from fastapi import APIRouter\n"
        "from fastapi.routing import APIRoute\n"
        "from starlette.routing import Route\n\n"
        'router = APIRouter(prefix="/reports")\n\n\n'
        "async def summary(year: int) -> dict:\n"
        '    return {"year": year}\n\n\n'
        "async def detail(year: int) -> dict:\n"
        '    return {"year": year}\n\n\n'
        "async def plain(request):\n"
        "    return None\n\n\n"
        'router.routes.append(APIRoute("/summary/{year}", summary, methods=["GET"]))\n'
        'router.routes.extend([APIRoute("/detail/{year}", detail, methods=["POST"])])\n'
        'router.routes.insert(0, Route("/plain", plain))\n'
    )
    result = _instrument(source)
    assert _route_logged(result.source, "summary") == ("/summary/{year}", "GET")
    assert _route_logged(result.source, "detail") == ("/detail/{year}", "POST")
    said = [change for change in result.changes if "as a Starlette route" in change]
    assert len(said) == 1 and "plain" in said[0], result.changes


def test_a_route_method_chosen_at_run_time_is_named_not_passed_over() -> None:
    """`target = router.get if method == "GET" else router.post` in a decorator factory, then
    `@target(path)` on its wrapper: which method is not known, so the handler is named on a line
    to log by hand (it was passed over in silence). A name bound to another object's `.get(...)`
    result is no route."""
    source = (
        "from functools import wraps\n\n"
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "config = {}\n"
        'cached = config.get("cache")\n\n\n'
        'def admin_method(path: str, method: str = "POST"):\n'
        "    def decorator(func):\n"
        '        target = router.get if method == "GET" else router.post\n\n'
        "        @target(path)\n"
        "        @wraps(func)\n"
        "        async def wrapper(*args, **kwargs):\n"
        "            return await func(*args, **kwargs)\n\n"
        "        return wrapper\n\n"
        "    return decorator\n\n\n"
        '@cached("/x")\n'
        "def plain():\n"
        "    return 1\n"
    )
    result = _instrument(source)
    assert result.source == source
    assert len(result.problems) == 1, result.problems
    assert "wrapper looks like a route on `target`" in result.problems[0]


def test_a_name_rebound_to_another_decorator_is_not_taken_for_a_route() -> None:
    # Bound twice: which decorator it holds when the handler is defined is not followed.
    source = (
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "get = router.get\n"
        "get = router.post\n\n\n"
        '@get("/x")\n'
        "def x():\n"
        "    return 1\n\n\n"
        '@router.get("/y")\n'
        "def y():\n"
        "    return 2\n"
    )
    result = _instrument(source)
    assert '"route": "/x"' not in result.source
    assert '"route": "/y"' in result.source


def test_a_route_decorator_called_on_a_function_registers_it() -> None:
    # `router.get("/")(list_items)`: the decorator applied by hand, as `@router.get("/")` is.
    source = (
        "from fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/sensors")\n\n\n'
        "def list_sensors():\n"
        "    found = []\n"
        "    return found\n\n\n"
        'router.get("/")(list_sensors)\n'
        'router.api_route("/all", methods=["GET", "POST"])(list_sensors)\n'
        'settings.get("x")(list_sensors)\n'
    )
    result = _instrument(source)
    assert result.problems == ()
    assert '"route": ["/sensors/", "/sensors/all"],' in result.source
    assert '"method": "GET,POST",' in result.source


def test_a_route_method_looked_up_by_getattr_registers_its_routes() -> None:
    # `getattr(router, "delete")` is `router.delete`; in a loop over literal items, one route
    # per item with the method, path and function it gives (what FastAPI serves).
    source = (
        "from fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/quotes")\n\n\n'
        "def list_quotes():\n    return []\n\n\n"
        "def add_quote(symbol: str):\n    return symbol\n\n\n"
        'for verb, path, view in [("get", "", list_quotes), ("post", "/{symbol}", add_quote)]:\n'
        "    getattr(router, verb)(path)(view)\n\n\n"
        '@getattr(router, "delete")("/{symbol}")\n'
        "def drop_quote(symbol: str):\n    return symbol\n\n\n"
        "for verb in VERBS:\n"
        '    getattr(router, verb)("/any")(list_quotes)\n'
        'getattr(router, "include_router")(router)\n'
    )
    result = _instrument(source)
    assert result.problems == ()
    routes: dict[str, tuple[object, object]] = {}
    for function in ast.parse(result.source).body:
        if isinstance(function, ast.FunctionDef):
            call = function.body[0]
            assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
            payload = call.value.args[1]
            assert isinstance(payload, ast.Dict)
            read = {
                ast.literal_eval(key): value
                for key, value in zip(payload.keys, payload.values, strict=True)
                if key is not None
            }
            routes[function.name] = (
                ast.literal_eval(read["route"]),
                ast.literal_eval(read["method"]),
            )
    assert routes == {
        "list_quotes": ("/quotes", "GET"),
        "add_quote": ("/quotes/{symbol}", "POST"),
        "drop_quote": ("/quotes/{symbol}", "DELETE"),
    }, result.source


@pytest.mark.parametrize(
    "shadowing",
    [
        "def getattr(obj: object, name: str) -> Callable[..., object]:\n"
        "    return lambda *args: lambda view: view\n",
        "from app.lookups import lookup as getattr\n",
        "from app.lookups import getattr\n",
    ],
    ids=["function", "import-as", "import"],
)
def test_a_getattr_of_the_module_own_registers_no_route(shadowing: str) -> None:
    # Not the builtin: `getattr(router, "get")` calls the module's own function, whose result
    # is not `router.get` (FastAPI serves no route); nothing is logged for it.
    source = (
        "from collections.abc import Callable\n\nfrom fastapi import APIRouter\n\n"
        f"{shadowing}\n"
        'router = APIRouter(prefix="/quotes")\n\n\n'
        "def list_quotes():\n    return []\n\n\n"
        'getattr(router, "get")("/all")(list_quotes)\n\n\n'
        '@getattr(router, "delete")("/{symbol}")\n'
        "def drop_quote(symbol: str):\n    return symbol\n\n\n"
        '@router.get("/one")\n'
        "def one_quote():\n    return 1\n"
    )
    result = _instrument(source)
    assert '"route": "/quotes/one"' in result.source
    for name in ("list_quotes", "drop_quote"):
        body = result.source.split(f"def {name}(")[1].split("\n\n\n")[0]
        assert "EventLogger" not in body and "event_logger" not in body, result.source


def test_a_path_held_by_an_enum_member_is_its_value() -> None:
    # FastAPI takes a str enum member for the string it is (`prefix + path`); `.value` of any
    # enum member is its value. Formatted in an f-string, a `(str, Enum)` member is its name on
    # newer Pythons: that path is not read as the value.
    source = (
        "from enum import Enum, StrEnum\n\n"
        "from fastapi import APIRouter\n\n\n"
        "class Paths(str, Enum):\n"
        '    ONE = "/{key}"\n'
        '    ALL = "/"\n\n\n'
        "class Named(StrEnum):\n"
        '    NEW = "/new"\n\n\n'
        "class Plain(Enum):\n"
        '    OLD = "/old"\n\n\n'
        'router = APIRouter(prefix="/games")\n\n\n'
        "@router.get(Paths.ONE)\n"
        "def one(key: str):\n"
        "    return key\n\n\n"
        "@router.get(Paths.ALL.value)\n"
        "def every():\n"
        "    return 1\n\n\n"
        "@router.post(Named.NEW)\n"
        "def new():\n"
        "    return 2\n\n\n"
        "@router.get(Plain.OLD.value)\n"
        "def old():\n"
        "    return 3\n\n\n"
        '@router.get(f"{Paths.ALL}x")\n'
        "def formatted():\n"
        "    return 4\n"
    )
    result = _instrument(source)
    for route in ("/games/{key}", "/games/", "/games/new", "/games/old"):
        assert f'"route": "{route}",' in result.source, route
    assert '"route": "/games/x",' not in result.source


def test_a_route_on_a_router_a_class_holds_is_instrumented() -> None:
    # A class-based controller's router is a class attribute (`router = APIRouter()` in its
    # body); methods of another class (a subclass, a second controller) declare routes on it
    # as `@Base.router.get(...)`, or through a subclass inheriting it. The router is built in
    # the package: such a route was reported as on an object "built outside the package".
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class Base:\n"
        '    router = APIRouter(prefix="/items")\n\n\n'
        "class Items(Base):\n"
        '    @Base.router.get("/")\n'
        "    def list_items(self):\n"
        "        return []\n\n\n"
        "class More:\n"
        '    @Items.router.post("/more")\n'
        "    def add(self):\n"
        "        return 1\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert result.changes == (
        "import `event_logger`",
        "log call in Items.list_items (GET /items/)",
        "log call in More.add (POST /items/more)",
    )


@pytest.mark.parametrize(
    "changed",
    [
        "Base.router = APIRouter(prefix='/v2')\n",
        "Base.router.prefix = '/v2'\n",
        "Items.router = APIRouter(prefix='/v2')\n",
        "setattr(Items.router, 'prefix', '/v2')\n",
        # Reached some other way than through `Base.router` written as the target.
        "getattr(Base, 'router').prefix = '/v2'\n",
        "B = Base\nB.router = APIRouter(prefix='/v2')\n",
        "r = Base.router\nr.prefix = '/v2'\n",
        "Base().router.prefix = '/v2'\n",
        "class Sub(Base):\n    def __init__(self):\n        self.router.prefix = '/v2'\n",
        "class Sub(Base):\n    @classmethod\n    def setup(cls):\n"
        "        cls.router.prefix = '/v2'\n",
    ],
)
def test_a_class_s_router_changed_outside_its_body_is_not_read_through_the_class(
    changed: str,
) -> None:
    # `Base.router = APIRouter(prefix="/v2")` after the class (or its prefix set so) serves
    # the route at `/v2/x`: read from the class body alone, it was logged at `/v1/x`. What the
    # class holds is then not known: the route is refused, never logged at a wrong path.
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class Base:\n"
        '    router = APIRouter(prefix="/v1")\n\n\n'
        "class Items(Base):\n"
        "    pass\n\n\n" + changed + "\n\n"
        "class More:\n"
        '    @Items.router.get("/x")\n'
        "    def x(self):\n"
        "        return 1\n"
    )
    result = _instrument(source)
    assert "log call in More.x (GET /v1/x)" not in result.changes
    assert [problem for problem in result.problems if "More.x" in problem], result


def test_route_on_an_object_from_outside_the_package_is_reported() -> None:
    source = 'from .base import router\n\n\n@router.get("/x")\ndef x():\n    return 1\n'
    result = _instrument(source)
    assert result.source == source
    assert result.problems == (
        "app/api/items.py:5: x looks like a route on `router`, which cannot be told to be a "
        "FastAPI app or router (built outside the package, or by code that is not followed); "
        "add the log call by hand, or mark the handler `# telemetry-scaffold: skip`",
    )


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("from fastapi import APIRouter\nrouter = APIRouter(\n", "syntax error at line 2, column"),
        ("def f(:\n    pass\n", "syntax error at line 1, column 7: invalid syntax"),
        (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\ndef helper():\n    pass\n",
            "app/api/items.py: no route handlers found (functions decorated with "
            "@<router>.get/post/... of an APIRouter or FastAPI app); fix the instrument entry",
        ),
    ],
    ids=["unclosed", "bad-def", "no-handlers"],
)
def test_unpatchable_sources_raise(source: str, reason: str) -> None:
    with pytest.raises(PatchError) as caught:
        _instrument(source)
    assert caught.value.message.startswith(reason)


def _log_calls(source: str) -> dict[str, ast.Call]:
    """Map each handler of ``source`` to its first (log) call."""
    calls = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list:
            first = node.body[1] if ast.get_docstring(node) else node.body[0]
            assert isinstance(first, ast.Expr)
            assert isinstance(first.value, ast.Call)
            calls[node.name] = first.value
    return calls


@pytest.mark.parametrize(("module", "import_name", "event_type"), BUNDLED)
def test_bundled_route_modules_are_instrumented(
    module: str, import_name: str, event_type: str
) -> None:
    # The bundled plan declares its events and captures chapter_id: each handler's call holds
    # the route context and the captured properties, read from a parameter or a field of the
    # body model, nothing else; instrumenting again with the plan changes nothing.
    plan = load_plan(root=ROOT)
    path = ROOT / "backend" / "app" / module
    source = path.read_text(encoding="utf-8")
    assert source.count("from app.analytics.event_logger import event_logger\n") == 1
    calls = _log_calls(source)
    assert calls
    captured = plan.captured(module)
    assert captured == ("chapter_id",)
    for handler, call in calls.items():
        assert ast.unparse(call.func) == "event_logger.log"
        event, payload = call.args
        assert ast.literal_eval(event) == event_type
        assert isinstance(payload, ast.Dict)
        keys = [ast.literal_eval(key) for key in payload.keys if key is not None]
        assert keys == ["route", "method", "handler", "block_type", *captured]
        assert ast.literal_eval(payload.values[2]) == handler
        for key, value in zip(keys[4:], payload.values[4:], strict=True):
            # A path parameter of that name, or that field of the body model.
            assert (isinstance(value, ast.Name) and value.id == key) or (
                isinstance(value, ast.Attribute)
                and value.attr == key
                and isinstance(value.value, ast.Name)
            ), ast.unparse(value)

    def edit(editor: ModuleEditor) -> None:
        instrument_module(
            editor, event_type, "app.analytics", plan.event(event_type), plan.captured(module)
        )

    again = edit_source(source, import_name, "app.analytics", edit)
    assert (again.source, again.changes, again.problems) == (source, (), ())


def test_bundled_chapter_visit_logs_the_chapter_id() -> None:
    source = (ROOT / "backend" / "app" / "api" / "chapters.py").read_text(encoding="utf-8")
    patched = _instrument(source, event_type="chapter_visit", module_name="app.api.chapters")
    payload = _log_calls(patched.source)["get_chapter"].args[1]
    assert ast.unparse(payload) == (
        "{'route': '/api/chapters/{chapter_id}', 'method': 'GET', 'handler': 'get_chapter', "
        "'block_type': 'chapters', 'chapter_id': chapter_id}"
    )


def test_patched_bundled_backend_is_ruff_clean(tmp_path: Path) -> None:
    pytest.importorskip("ruff")
    backend = tmp_path / "backend"
    shutil.copytree(ROOT / "backend", backend, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    main = backend / "app" / "main.py"
    main.write_text(
        patch_main(
            main.read_text(encoding="utf-8"),
            module_name="app.main",
            analytics_package="app.analytics",
            capture_errors=True,
        ).source,
        encoding="utf-8",
    )
    for module, import_name, event_type in BUNDLED:
        path = backend / "app" / module
        source = path.read_text(encoding="utf-8")
        patched = _instrument(source, event_type=event_type, module_name=import_name)
        path.write_text(patched.source, encoding="utf-8")
    files = [str(main), *(str(backend / "app" / module) for module, _, _ in BUNDLED)]
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *files],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr


def _ruff_format(source: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "100", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.mark.parametrize(
    ("route", "handler", "logger"),
    [
        ("/a", "h", "el"),  # fits on one line
        ("/chapters/{chapter_id}", "get", "el"),  # arguments wrapped, payload on one line
        ("/api/ai/explain-like-10/{chapter_id}", "explain_like_10", "event_logger"),  # exploded
        ("/" + "s" * 90 + "/{chapter_id}", "handler", "event_logger"),  # longer than any line
    ],
)
def test_log_calls_are_ruff_formatted(route: str, handler: str, logger: str) -> None:
    pytest.importorskip("ruff")
    source = _ruff_format(
        "from fastapi import APIRouter\n\n"
        f"from app.analytics.event_logger import event_logger as {logger}\n\n"
        "router = APIRouter()\n\n\n"
        f'@router.get("{route}")\ndef {handler}(chapter_id: str):\n    return chapter_id\n'
    )
    patched = _instrument(source).source
    assert patched != source
    assert _ruff_format(patched) == patched


@pytest.mark.parametrize(
    "routes",
    [
        pytest.param(("/reports/daily/{day}", "/reports/day/{day}"), id="two-routes"),
        pytest.param(
            ("/reports/teams/{team}/weeks/{week}", "/reports/teams/{team}/weeks/{week}/old"),
            id="long-routes",
        ),
        pytest.param(
            ("/tenants/{tenant_id}/members/of-the-organisation/reports-by-week",), id="one"
        ),
    ],
)
@pytest.mark.parametrize(
    "prefix", ['"/api/v1/organisation-reports"', "settings.ORGANISATION_REPORTS_PREFIX"]
)
def test_log_calls_of_stacked_routes_are_ruff_formatted(
    routes: tuple[str, ...], prefix: str
) -> None:
    # The routes of stacked decorators, a list too long for its line, stayed on one line where
    # ruff puts one route per line; so did a route under a prefix known at run time
    # (`router.prefix + "/x"`), which ruff breaks before the `+`.
    pytest.importorskip("ruff")
    decorators = "".join(f'@router.get("{route}")\n' for route in routes)
    source = _ruff_format(
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger\n"
        "from app.config import settings\n\n"
        f"router = APIRouter(prefix={prefix})\n\n\n"
        f"{decorators}def report(day='', team='', week=0, tenant_id=''):\n"
        "    return day\n"
    )
    patched = _instrument(source).source
    assert patched != source
    assert _ruff_format(patched) == patched


@pytest.mark.parametrize(
    ("route", "handler"),
    [
        ("/a", "h"),  # one line at one indentation level, wrapped at three
        ("/" + "s" * 12, "h"),  # wrapped at one level, exploded at three
        ("/chapters/{chapter_id}", "get"),
        ("/api/ai/explain-like-10/{chapter_id}", "explain_like_10"),
    ],
)
def test_log_calls_in_blocks_are_ruff_formatted(route: str, handler: str) -> None:
    # The call is laid out for the indentation of the whole block chain, not only its own level.
    pytest.importorskip("ruff")
    source = _ruff_format(
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger as el\n\n"
        "router = APIRouter()\n\n"
        "if FLAG:\n    with lock:\n"
        f'        @router.get("{route}")\n'
        f"        def {handler}(chapter_id: str):\n            return chapter_id\n"
    )
    patched = _instrument(source).source
    assert patched != source
    assert _ruff_format(patched) == patched


def test_a_parameter_shadowing_the_logger_gets_a_fresh_import() -> None:
    source = """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter()


@router.get("/s")
def s(event_logger: str = ""):
    return event_logger
"""
    result = _instrument(source)
    assert (
        "from app.analytics.event_logger import event_logger\n"
        "from app.analytics.event_logger import event_logger as analytics_event_logger\n"
    ) in result.source
    assert "    analytics_event_logger.log(\n" in result.source
    _assert_only_added_lines(source, result.source)
    assert _instrument(result.source) == PatchResult(result.source)


def test_path_parameter_of_an_unrecordable_class_is_reported_not_instrumented() -> None:
    # The logger records JSON and standard types; a plain class of the package would make every
    # event of the route a dropped one, so the handler is named instead of patched.
    source = (
        "import uuid\nfrom enum import Enum\nfrom typing import Annotated\n\n"
        "from fastapi import APIRouter, Path\n\nrouter = APIRouter()\n\n\n"
        "class Slug:\n    @classmethod\n"
        "    def __get_pydantic_core_schema__(cls, source, handler):\n"
        "        return handler(str)\n\n\n"
        "class Color(str, Enum):\n    RED = 'red'\n\n\n"
        '@router.get("/a/{slug}")\ndef a(slug: Annotated[Slug | None, Path()]):\n    return 1\n\n\n'
        '@router.get("/b/{color}/{key}")\ndef b(color: Color, key: uuid.UUID):\n    return 2\n'
    )
    result = _instrument(source)
    assert result.changes == ("import `event_logger`", "log call in b (GET /b/{color}/{key})")
    assert result.problems == (
        "app/api/items.py:21: route a (GET /a/{slug}) cannot be instrumented: its path parameter "
        "`slug` is of a type the event logger cannot record (every event would be dropped); log "
        "str(slug) by hand, or mark the handler `# telemetry-scaffold: skip`",
    )


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_taking_the_calls_out_gives_back_the_original(
    source: str, expected: str, newline: str
) -> None:
    # Removal is generation too: the round trip restores every byte the user wrote.
    source = source.replace("\n", newline)
    instrumented = _instrument(source)
    # A stub's lone statement the call took the place of comes back from the record.
    removed = _uninstrumented(instrumented.source, stubs=instrumented.stubs)
    # Calls the user wrote by hand are theirs and stay; only the inserted ones go.
    assert removed.problems == ()
    if "app.analytics" in source:
        # An earlier generate had instrumented part of it already: that comes out too, and
        # what is left is the user's own (taking out again changes nothing).
        again = uninstrument_source(
            removed.source,
            module_name="app.api.items",
            analytics_package="app.analytics",
            event_types=frozenset({"ai_block_used"}),
        )
        assert again.source == removed.source
    else:
        assert removed.source == source


def test_a_changed_call_is_kept_and_reported_unless_forced() -> None:
    source = CASES[0][1]
    patched = _instrument(source).source.replace('"method": "GET",', '"method": "GET", "x": 1,')
    kept = _uninstrumented(patched)
    assert kept.source == patched
    assert len(kept.problems) == 1
    assert "is not as telemetry-scaffold wrote it" in kept.problems[0]
    assert kept.problems[0].endswith("take it out by hand, or rerun with --force")
    forced = uninstrument_source(
        patched,
        module_name="app.api.items",
        analytics_package="app.analytics",
        event_types=frozenset({"ai_block_used"}),
        force=True,
    )
    assert forced.source == source
    assert forced.problems == ()


def test_a_skipped_handler_keeps_its_call_as_generate_keeps_it() -> None:
    # One rule for the code API and the CLI: a handler marked `# telemetry-scaffold: skip`
    # after its call went in keeps the call whatever the plan drops (generate never touches a
    # skipped handler); the unmarked handler beside it loses its call.
    source = CASES[0][1] + (
        '\n\n@router.get("/other")\ndef other() -> dict[str, int]:\n    return {}\n'
    )
    marked = _instrument(source).source.replace(
        "def get_item(item_id: int) -> dict[str, int]:",
        "def get_item(item_id: int) -> dict[str, int]:  # telemetry-scaffold: skip",
    )
    removed = _uninstrumented(marked)
    assert removed.problems == ()
    assert removed.source.count("event_logger.log(") == 1
    assert '"handler": "get_item"' in removed.source
    assert "from app.analytics.event_logger import event_logger" in removed.source
    assert '"handler": "other"' not in removed.source


def test_a_call_with_a_stale_route_is_still_recognised_as_inserted() -> None:
    source = CASES[0][1]
    patched = _instrument(source).source
    renamed = patched.replace('@router.get("/{item_id}")', '@router.get("/by-id/{item_id}")')
    assert renamed != patched
    removed = _uninstrumented(renamed)
    assert removed.problems == ()
    assert removed.source == source.replace(
        '@router.get("/{item_id}")', '@router.get("/by-id/{item_id}")'
    )


def test_an_inserted_call_out_of_date_is_brought_up_to_date() -> None:
    source = CASES[0][1]
    patched = _instrument(source).source
    renamed = patched.replace('@router.get("/{item_id}")', '@router.get("/by-id/{item_id}")')
    result = _instrument(renamed)
    assert result.changes == (
        "bring the log call of get_item (GET /api/items/by-id/{item_id}) up to date",
    )
    assert result.problems == ()
    fresh = _instrument(
        source.replace('@router.get("/{item_id}")', '@router.get("/by-id/{item_id}")')
    )
    assert result.source == fresh.source
    assert _instrument(result.source).changes == ()


def test_a_call_edited_by_hand_is_left_to_its_author() -> None:
    source = CASES[0][1]
    patched = _instrument(source).source.replace('"method": "GET",', '"method": "GET", "v": 2,')
    result = _instrument(patched)
    assert result.source == patched
    assert result.changes == ()


def test_a_lone_surrogate_in_a_route_path_is_escaped_in_the_inserted_literal() -> None:
    # `"\ud800"` in the decorator is legal Python; copied raw, it could not be written as UTF-8.
    source = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/odd/\\ud800")\ndef odd():\n    return 1\n'
    )
    result = _instrument(source)
    assert result.problems == ()
    assert '"route": "/odd/\\ud800"' in result.source
    result.source.encode("utf-8")  # no lone surrogate left in the text itself
    compile(result.source, "items.py", "exec")


def test_a_route_with_an_empty_path_is_shown_by_its_code() -> None:
    # `@router.get("")` is a real route (the router's own path): shown as "", not as unknown.
    source = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("")\nasync def list_items():\n    return []\n'
    )
    result = _instrument(source)
    assert result.changes == ("import `event_logger`", 'log call in list_items (GET "")')


def test_methods_named_by_a_constant_are_followed() -> None:
    # `methods=PROXY_METHODS`, a module-level list (of literals or of string constants): the
    # route is instrumented with its methods, as with a literal list.
    source = (
        "from fastapi import APIRouter\n\n"
        'POST = "post"\n'
        'PROXY_METHODS = ["GET", POST, "PUT"]\n\n'
        "router = APIRouter()\n\n\n"
        '@router.api_route("/{path:path}", methods=PROXY_METHODS)\n'
        "async def proxy(path: str):\n"
        "    return path\n"
    )
    result = _instrument(source)
    assert result.changes == (
        "import `event_logger`",
        "log call in proxy (GET,POST,PUT /{path:path})",
    )
    assert result.problems == ()
    assert '            "method": "GET,POST,PUT",\n' in result.source


@pytest.mark.parametrize(
    ("methods", "expected"),
    [
        ("[*READ_ONLY]", "GET,HEAD"),
        ('[*READ_ONLY, "POST"]', "GET,HEAD,POST"),
        ('READ_ONLY + ("DELETE",)', "GET,HEAD,DELETE"),
        ("WRITES", "POST,PUT,PATCH"),
    ],
)
def test_methods_unpacking_or_adding_constants_are_followed(methods: str, expected: str) -> None:
    # A gateway's methods built from shared constants: unpacked into a list (`[*READ_ONLY]`),
    # added (`READ_ONLY + (...)`), or a constant itself made so.
    source = (
        "from fastapi import APIRouter\n\n"
        'READ_ONLY = ("GET", "head")\n'
        'WRITES = ["POST", *("PUT", "PATCH")]\n\n'
        "router = APIRouter()\n\n\n"
        f'@router.api_route("/{{path:path}}", methods={methods})\n'
        "async def proxy(path: str):\n"
        "    return path\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert f"log call in proxy ({expected} /{{path:path}})" in result.changes


@pytest.mark.parametrize(
    "parameter",
    [
        "provider: OAuthProvider = Depends(provider_by_name)",
        "provider: Annotated[OAuthProvider, Security(provider_by_name)]",
    ],
)
def test_a_dependency_named_like_a_path_parameter_is_not_logged_as_it(parameter: str) -> None:
    # The path's `{provider}` is read by the dependency; the handler's `provider` is what the
    # dependency returns (an object the logger cannot record), not the path's text.
    source = (
        "from typing import Annotated\n\n"
        "from fastapi import APIRouter, Depends, Security\n\n"
        "from app.auth import OAuthProvider, provider_by_name\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/providers/{provider}/login")\n'
        f"async def login({parameter}):\n"
        "    return provider.redirect()\n"
    )
    result = _instrument(source)
    assert result.problems == ()
    assert result.changes == (
        "import `event_logger`",
        "log call in login (GET /providers/{provider}/login)",
    )
    assert '"provider"' not in result.source.split("async def login", 1)[1]


RUN_TIME_PATHS = """\
from fastapi import APIRouter, FastAPI

ROUTES = {"chat": "/chat", "embed": "/embed"}
router = APIRouter()


@router.post(ROUTES["chat"])
async def chat():
    return 1


def create_server(url_prefix: str = "") -> FastAPI:
    app = FastAPI()

    @app.get(f"{url_prefix}/models")
    async def models():
        return []

    for name in ("a", "b"):

        @app.post(f"/v1/{name}/run")
        async def run():
            return name

    version = "v1"

    @app.get(f"/{version}/info")
    async def info():
        return {}

    version = "v2"
    return app
"""


def test_paths_only_known_at_run_time_are_logged_as_the_handler_reads_them() -> None:
    # The handler evaluates the decorator's path expression itself when it reads every name in
    # it as the decorator did: a factory parameter or a constant table (never rebound). A loop
    # over literal items gives one literal path per item. A rebound name holds another value by
    # the time a request comes: refused.
    result = _instrument(RUN_TIME_PATHS)
    assert result.changes == (
        "import `event_logger`",
        'log call in chat (POST ROUTES["chat"])',
        'log call in models (GET f"{url_prefix}/models")',
        "log call in run (POST /v1/a/run; POST /v1/b/run)",
    )
    assert [problem.split(": ", 1)[1] for problem in result.problems] == [
        "route info (GET ?) cannot be instrumented: its path is "
        "neither a literal nor a constant; add the log call by hand, or mark the handler "
        "`# telemetry-scaffold: skip`",
    ]
    assert '"route": f"{url_prefix}/models",' in result.source
    assert '"route": ROUTES["chat"],' in result.source
    _assert_only_added_lines(RUN_TIME_PATHS, result.source)
    removed = _uninstrumented(result.source)
    assert removed.problems == ()
    assert removed.source == RUN_TIME_PATHS


def test_route_registered_in_a_conditional_block_is_found_once() -> None:
    # A registration under `if` was found twice (the `if` walked whole, then its inner
    # statement again): the same problem printed twice, the same route recorded twice.
    source = (
        "from fastapi import APIRouter\n\n"
        "from app.views import imported_view\n\n"
        "router = APIRouter()\n"
        "DEBUG = True\n\n\n"
        "def local_view():\n"
        "    return 1\n\n\n"
        "if DEBUG:\n"
        '    router.add_api_route("/local", local_view, methods=["GET"])\n'
        '    router.add_api_route("/imported", imported_view, methods=["GET"])\n'
    )
    result = _instrument(source)
    assert result.problems == ()
    notes = [change for change in result.changes if "registers `imported_view`" in change]
    assert len(notes) == 1
    assert result.source.count("event_logger.log(") == 1
    assert result.source.count('"route": "/local"') == 1


def test_a_new_section_between_sections_run_together_comes_out_with_its_lines() -> None:
    # A module outside the app package (a folder of its own beside it) cannot import the layer
    # relatively: the absolute import is a first-party section of its own, between a library
    # section and a local one that the module writes without a blank line between them. It
    # joins them as they are; taking it out gives back the module's own bytes.
    source = (
        "from fastapi import APIRouter\nfrom .crud import get_items\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/items")\ndef items() -> list[str]:\n    return get_items()\n'
    )
    patched = _instrument(source, module_name="services.items").source
    assert patched.startswith(
        "from fastapi import APIRouter\n"
        "from app.analytics.event_logger import event_logger\n"
        "from .crud import get_items\n\n"
    ), patched
    removed = _uninstrumented(patched, module_name="services.items")
    assert removed.source == source


# Form feeds in a handler's indentation (as some editors leave them, at a page break): Python's
# tokenizer counts an indentation's columns from zero again at a form feed, so the inserted lines
# get the plain spaces after the last one, which indent the same.
FORM_FEED_SOURCES = [
    '@router.get("/a")\ndef a():\n\f    return 1\n',
    '@router.get("/a")\ndef a():\n    \f    """Doc."""\n    \f    return 1\n',
    'class V:\n\f    @router.get("/a")\n\f    def a(self):\n\f        return 1\n',
    '\f\n@router.get("/a")\n\fdef a():\n\f  return 1\n',
]


@pytest.mark.parametrize("body", FORM_FEED_SOURCES)
def test_a_form_feed_in_the_indentation_is_not_copied(body: str) -> None:
    source = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n" + body
    result = _instrument(source)
    # str.splitlines() would split at the form feeds themselves.
    before = source.split("\n")
    added = [line for line in result.source.split("\n") if line not in before]
    assert added and all("\f" not in line for line in added)
    assert result.source.count("\f") == source.count("\f")
    ast.parse(result.source)
    _assert_only_added_lines(source, result.source)
    assert _instrument(result.source).source == result.source  # up to date: nothing to do
    removed = _uninstrumented(result.source)
    assert removed.source == source


# The blank line that sets a new import section apart is taken out with the import, not its
# neighbour on the other side, which may differ in its bytes: a line ending of another kind, a
# form feed, spaces (generate then remove gives back the original bytes).
BLANK_NEIGHBOURS = [
    'from fastapi import APIRouter\r\n\nrouter = APIRouter()\n\n\n@router.get("/a")\ndef a():\n'
    "    return 1\n",
    '\f\nfrom fastapi import APIRouter\n\f\nrouter = APIRouter()\n\n\n@router.get("/a")\n'
    "def a():\n    return 1\n",
    'from fastapi import APIRouter\n    \nrouter = APIRouter()\n\n\n@router.get("/a")\ndef a():\n'
    "    return 1\n",
    "import os\n\t\nfrom fastapi import APIRouter\n\nfrom . import deps\n\n"
    'router = APIRouter()\n\n\n@router.get("/a")\ndef a():\n    return 1\n',
    '"""Items."""\n\nfrom fastapi import APIRouter\n \nrouter = APIRouter()\n\n\n'
    '@router.get("/a")\ndef a():\n    return 1\n',
]


@pytest.mark.parametrize("source", BLANK_NEIGHBOURS)
def test_removal_takes_out_the_blank_line_it_added(source: str) -> None:
    result = _instrument(source)
    assert "event_logger.log(" in result.source
    removed = _uninstrumented(result.source)
    assert removed.source == source


# An app class of the package whose route decorators register a function of their own: the
# decorated function is never called by FastAPI (a proxy forwarding each request elsewhere).
PROXY_APP_SOURCE = """\
from functools import wraps

from fastapi import FastAPI, Request


class ProxyApp(FastAPI):
    def proxied(self, verb, path, upstream):
        register = getattr(super(), verb)

        def decorate(function):
            @register(path)
            @wraps(function)
            async def forward(request: Request):
                return await relay(upstream, request)

            return forward

        return decorate

    def get(self, path, upstream):
        return self.proxied("get", path, upstream)


class SlashApp(FastAPI):
    def get(self, path, **options):
        plain = super().get(path.rstrip("/"), **options)

        def decorate(function):
            return plain(function)

        return decorate


proxy = ProxyApp()
slash = SlashApp()


@proxy.get("/users/me", upstream="http://users")
async def me(request: Request):
    return None


@slash.get("/items/")
async def items():
    return []
"""


def test_a_route_decorator_registering_another_function_is_not_a_handler() -> None:
    # `ProxyApp.get` serves `forward`, never `me`: a log call in `me` would never run, so it is
    # named on a line instead. `SlashApp.get` passes the function on: it is the endpoint.
    result = _instrument(PROXY_APP_SOURCE)
    assert [c for c in result.changes if c.startswith("log call")] == [
        "log call in items (GET /items/)"
    ]
    assert len(result.problems) == 1
    assert result.problems[0].startswith(
        "app/api/items.py:39: me is decorated with `proxy.get`, which `ProxyApp` defines itself "
        "and registers another function with"
    )


CONCATENATED_RUN_TIME_PATHS = """\
import os

from fastapi import APIRouter

import settings

TILE_ROOT = os.getenv("TILE_ROOT", "/tiles")
router = APIRouter()


@router.get(f"{settings.SERVE_UNDER}" + "/tile/{z}/{x}/{y}.png")
def tile(z: int, x: int, y: int):
    return b""


@router.get(TILE_ROOT + "/legend")
def legend():
    return {}


@router.get("/styles/" + TILE_ROOT)
def styles():
    return {}


for layer in ("roads", "rivers"):

    @router.get(TILE_ROOT + "/" + layer)
    def layer_tiles():
        return layer
"""


def test_paths_joined_with_plus_from_run_time_parts_are_logged_as_the_handler_reads_them() -> None:
    # `f"{settings.X}" + "/tile/{z}"`, `TILE_ROOT + "/legend"`: every part is a literal or a
    # name the handler reads as the decorator did, so the handler evaluates the same path.
    # A loop variable holds another value by the time a request comes: refused.
    result = _instrument(CONCATENATED_RUN_TIME_PATHS)
    assert [problem.split(": ", 1)[1] for problem in result.problems] == [
        "route layer_tiles (GET ?) cannot be instrumented: its path is neither a literal nor a "
        "constant; add the log call by hand, or mark the handler `# telemetry-scaffold: skip`"
    ]
    assert result.changes == (
        "import `event_logger`",
        'log call in tile (GET f"{settings.SERVE_UNDER}" + "/tile/{z}/{x}/{y}.png")',
        'log call in legend (GET TILE_ROOT + "/legend")',
        'log call in styles (GET "/styles/" + TILE_ROOT)',
    )
    assert '"route": f"{settings.SERVE_UNDER}" + "/tile/{z}/{x}/{y}.png",' in result.source
    assert '"route": TILE_ROOT + "/legend",' in result.source
    _assert_only_added_lines(CONCATENATED_RUN_TIME_PATHS, result.source)
    removed = _uninstrumented(result.source)
    assert removed.problems == ()
    assert removed.source == CONCATENATED_RUN_TIME_PATHS


def test_a_router_prefix_fastapi_refuses_is_said_with_the_routes_logged_as_written() -> None:
    # FastAPI asserts a prefix starts with "/" and does not end with one: the app cannot start.
    source = (
        "from fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="repos")\n'
        'trailing = APIRouter(prefix="/stars/")\n\n\n'
        '@router.get("/mine")\nasync def mine():\n    return []\n\n\n'
        '@trailing.get("/top")\nasync def top():\n    return []\n'
    )
    result = _instrument(source)
    assert result.problems == ()
    notes = [change for change in result.changes if "which FastAPI refuses" in change]
    assert len(notes) == 2, result.changes
    assert "`router` has the prefix 'repos'" in notes[0]
    assert "`trailing` has the prefix '/stars/'" in notes[1]
    assert "log call in mine (GET repos/mine)" in result.changes


PERCENT_FORMATTED_PATHS = """from fastapi import APIRouter

router = APIRouter()

VAULT = "vault"


class Static:
    MEDIA = "media"


@router.get("/%s/{video_path:path}" % VAULT)
async def stream(video_path: str):
    return video_path


@router.get("/%s/%s/list" % (Static.MEDIA, VAULT))
async def listing():
    return []


@router.get("/100%%/%s" % VAULT)
async def full():
    return 1


@router.get("/page/%d" % 3)
async def page():
    return 3
"""


def test_a_path_formatted_with_percent_s_from_constants_is_read_as_its_value() -> None:
    # `"/%s/x" % CONSTANT` (old-style formatting, as f-strings are read) is the string Python
    # builds: its route is logged as that path. A conversion other than %s (a number, `%d`)
    # is not folded: the handler is still named as one to instrument by hand.
    result = _instrument(PERCENT_FORMATTED_PATHS)
    assert result.changes == (
        "import `event_logger`",
        "log call in stream (GET /vault/{video_path:path})",
        "log call in listing (GET /media/vault/list)",
        "log call in full (GET /100%/vault)",
    )
    assert [problem.split(": ", 1)[1] for problem in result.problems] == [
        "route page (GET ?) cannot be instrumented: its path is neither a literal nor a "
        "constant; add the log call by hand, or mark the handler `# telemetry-scaffold: skip`",
    ]
    assert '"route": "/vault/{video_path:path}",' in result.source
    assert _uninstrumented(result.source).source == PERCENT_FORMATTED_PATHS


STR_FORMATTED_PATHS = """from fastapi import APIRouter

router = APIRouter()

API_VERSION = "v1"


class Static:
    MEDIA = "media"


@router.post("/{}/register".format(API_VERSION), status_code=201)
async def register():
    return 1


@router.get("/{1}/{0}/{{item_id}}".format(API_VERSION, Static.MEDIA))
async def item(item_id: int):
    return item_id


@router.get("/{kind}/{{{{x}}}}".format(kind=API_VERSION))
async def braces():
    return 2


@router.get("/page/{}".format(3))
async def page():
    return 3


@router.get("/{0.upper}".format(API_VERSION))
async def method():
    return 4


@router.get("/{:>8}".format(API_VERSION))
async def padded():
    return 5


@router.get("/{}/{}".format(API_VERSION))
async def missing():
    return 6
"""


def test_a_path_formatted_with_str_format_from_constants_is_read_as_its_value() -> None:
    # `"/{}/x".format(CONSTANT)` (as f-strings and %s are read) is the string Python builds:
    # plain fields, by position, number or name, each given a known string. A field Python
    # would fill from something else (a number, an attribute, a format spec) or not at all is
    # not folded: the handler is still named as one to instrument by hand.
    result = _instrument(STR_FORMATTED_PATHS)
    assert result.changes == (
        "import `event_logger`",
        "log call in register (POST /v1/register)",
        "log call in item (GET /media/v1/{item_id})",
        "log call in braces (GET /v1/{{x}})",
    )
    unknown = "cannot be instrumented: its path is neither a literal nor a constant"
    assert [problem.split(": ", 1)[1].split(";")[0] for problem in result.problems] == [
        f"route {name} (GET ?) {unknown}" for name in ("page", "method", "padded", "missing")
    ]
    assert '"route": "/media/v1/{item_id}",' in result.source
    assert _uninstrumented(result.source).source == STR_FORMATTED_PATHS


@pytest.mark.parametrize(
    ("field", "path"),
    [("\u00b2", None), ("\u2460", None), ("\u00bd", None), ("\u0661", "/media"), ("1", "/media")],
    ids=["superscript-two", "circled-one", "vulgar-half", "arabic-indic-one", "ascii-one"],
)
def test_a_str_format_field_named_by_a_digit_that_is_no_number_is_refused(
    field: str, path: str | None
) -> None:
    # `format` reads a field as a position only when every character is a decimal digit (any
    # script's: `{\u0661}` is position 1); `{\u00b2}` or `{\u2460}` (digits to `isdigit`, no
    # numbers to `int`) name a keyword, which `format` raises for here: the route is refused as
    # an unknown path, not a crash.
    source = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\nV = "v1"\nM = "media"\n\n\n'
        f'@router.get("/{{{field}}}".format(V, M))\nasync def numbered():\n    return 1\n'
    )
    result = _instrument(source)
    if path is None:
        unknown = "cannot be instrumented: its path is neither a literal nor a constant"
        assert result.changes == ()
        assert [problem.split(": ", 1)[1].split(";")[0] for problem in result.problems] == [
            f"route numbered (GET ?) {unknown}"
        ]
    else:
        assert result.changes == ("import `event_logger`", f"log call in numbered (GET {path})")


def _growing_paths(fold: str, levels: int) -> str:
    """A router whose path is a string each level of ``fold`` makes several times longer."""
    lines = ["from fastapi import APIRouter", "", "router = APIRouter()", 'A0 = "ten chars!"']
    for level in range(1, levels + 1):
        before = f"A{level - 1}"
        lines.append(f"A{level} = " + fold.replace("PREV", before))
    return "\n".join(lines) + (
        f'\n\n\n@router.get("/" + A{levels}[:3])\nasync def grown():\n    return 1\n'
    )


@pytest.mark.parametrize(
    ("fold", "levels"),
    [
        ('"{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}".format(PREV)', 3),
        (
            '"{}{}{}{}{}{}{}{}{}{}".format(' + ", ".join(["PREV"] * 10) + ")",
            3,
        ),
        ('f"{PREV}{PREV}{PREV}{PREV}{PREV}{PREV}{PREV}{PREV}{PREV}{PREV}"', 3),
        (
            '"%s%s%s%s%s%s%s%s%s%s" % (PREV, PREV, PREV, PREV, PREV, PREV, PREV, PREV, PREV, PREV)',
            3,
        ),
        ("PREV + PREV", 10),
        ('PREV.replace("", PREV)', 2),
    ],
    ids=["format-numbered", "format-automatic", "f-string", "percent", "concatenation", "replace"],
)
def test_a_path_folded_past_the_length_cap_is_refused_not_built(fold: str, levels: int) -> None:
    # Each fold of a known string can multiply its length (`"{0}{0}...".format(A)` chained four
    # levels deep is gigabytes, `X.replace("x", X)` squares it): past the cap (over 10,000
    # characters here) the string is not built, its length counted first, and the route is
    # refused as any unknown path is. One level less stays well under it and is read.
    unknown = "cannot be instrumented: its path is neither a literal nor a constant"
    refused = _instrument(_growing_paths(fold, levels))
    assert refused.changes == ()
    assert [problem.split(": ", 1)[1].split(";")[0] for problem in refused.problems] == [
        f"route grown (GET ?) {unknown}"
    ]
    read = _instrument(_growing_paths(fold, levels - 1))
    assert read.changes == ("import `event_logger`", "log call in grown (GET /ten)")


@pytest.mark.parametrize(
    "fold",
    [
        'f"{PREV}{PREV}"',
        "PREV + PREV",
        '"%s%s" % (PREV, PREV)',
        '"{}{}".format(PREV, PREV)',
        '"{0}{1}".format(PREV, PREV)',
    ],
    ids=["f-string", "concatenation", "percent", "format-automatic", "format-numbered"],
)
def test_a_name_a_fold_reads_twice_is_folded_once(
    fold: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `A1 = f"{A0}{A0}"`, chained: folded anew for each path to it, a chain of n levels costs
    # 2**n folds; each name is folded once in a fold (at a depth), so the chain costs
    # a few folds per level (counted, not timed).
    folds = 0
    string_value = PackageIndex.string_value

    def counted(self: PackageIndex, *args: Any, **kwargs: Any) -> str | None:
        nonlocal folds
        folds += 1
        return string_value(self, *args, **kwargs)

    monkeypatch.setattr(PackageIndex, "string_value", counted)
    levels = 9  # 5,120 characters at the end: under the cap, read
    read = _instrument(_growing_paths(fold, levels))
    assert read.changes == ("import `event_logger`", "log call in grown (GET /ten)")
    assert folds <= 12 * levels


def _handler_calls_module(handlers: int, extra: str = "") -> str:
    """Handlers calling each other every way a text search could miss, and some not calls."""
    parts = [
        "from functools import wraps\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n"
    ]
    for index in range(handlers):
        parts.append(
            f'\n\n@router.get("/h{index}")\nasync def h{index}(x: int = 0):\n'
            f'    """Calls h{index + 1}() in a docstring only."""\n    return x\n'
        )
    parts.append(
        "\n\n@wraps(h1(2))\n"  # in a decorator of a function that is not a handler
        "def decorated():\n    pass\n\n\n"
        '@router.get("/caller")\n'
        "async def caller():\n"
        "    a = await (h2  # a comment before the parenthesis\n        (1))\n"
        "    b = await h3 \\\n        (1)\n"
        '    c = f"{await h4(1)}"\n'
        "    d = 'h5(1)'  # h6(1) in a comment\n"
        "    e = router.h7(1)\n"
        "    return await h2(3), a, b, c, d, e\n\n\n"
        "class Service:\n"
        "    helper = h8(1)\n\n"
        "    def run(self):\n"
        "        return h9(1), h0(1)\n\n\n"
        "h3(5)\n"
        "routes = [h0]\n"
        "routes.append(h1)\n"
    )
    parts.append(extra)
    return "".join(parts)


@pytest.mark.parametrize(
    "source",
    [
        _handler_calls_module(12),
        _handler_calls_module(60),
        # A letter outside ASCII (here only in a docstring) turns the text search off.
        _handler_calls_module(40, '\n\ndef later():\n    """Déjà."""\n    return h11(1)\n'),
        _handler_calls_module(40, "\n\ndef h5(x: int = 0):\n    return h6(x)\n"),
    ],
    ids=["few", "many", "non-ascii", "rebound"],
)
def test_handlers_called_as_functions_as_a_whole_walk_finds_them(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shortcut = _instrument(source)
    said = [change for change in shortcut.changes if "as a function" in change]
    assert said  # the cases above do call handlers
    if "h6(x)" not in source:
        assert any(":" in line and "`caller` calls the route handler `h2`" in line for line in said)

    def every_node(self: ModuleModel, names: object) -> object:
        return self._nodes_on(range(1, len(self.lines) + 1))

    monkeypatch.setattr(ModuleModel, "nodes_naming", every_node)
    walked = _instrument(source)
    assert shortcut.changes == walked.changes
    assert shortcut.problems == walked.problems
    assert shortcut.source == walked.source


def test_removal_keeps_the_logger_import_a_decorator_still_reads() -> None:
    source = (
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/")\n'
        "async def home():\n"
        "    return 1\n"
    )
    instrumented = _instrument(source).source
    # Read only in a decorator, above the `def` line the search used to enter it from.
    kept = instrumented + "\n\n@with_logger(event_logger)\ndef helper():\n    return 2\n"
    removed = _uninstrumented(kept)
    assert "event_logger.log(" not in removed.source
    assert "from app.analytics.event_logger import event_logger\n" in removed.source
    assert "@with_logger(event_logger)\n" in removed.source


def test_routes_on_a_router_a_base_class_builds_for_the_instance_are_instrumented() -> None:
    """`class AuthRouter(BaseRouter)` declaring routes on `self.router` in a method, the router
    built by the package base class's `__init__` (`self.router = APIRouter(prefix=...)`): the
    routes are logged under the router's prefix read at run time, a line saying the include
    prefixes are left out (they were refused, `self.router` "cannot be told to be a FastAPI app
    or router")."""
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class BaseRouter:\n"
        '    def __init__(self, prefix: str = "") -> None:\n'
        '        self.router = APIRouter(prefix=f"/{prefix}" if prefix else "")\n'
        "        self.configure()\n\n"
        "    def configure(self) -> None:\n"
        "        pass\n\n\n"
        "class AuthRouter(BaseRouter):\n"
        "    def __init__(self) -> None:\n"
        '        super().__init__(prefix="auth")\n\n'
        "    def configure(self) -> None:\n"
        '        @self.router.post("/logout")\n'
        "        async def logout(token: str) -> dict[str, bool]:\n"
        '            return {"ok": True}\n'
    )
    result = _instrument(source)
    assert result.problems == ()
    assert '"route": self.router.prefix + "/logout",' in result.source
    assert not [change for change in result.changes if "cannot be told" in change]
    # Every subclass shares the base's router: which one an include serves is not told.
    assert any("is built by `BaseRouter`, a base class" in change for change in result.changes)


@pytest.mark.parametrize(
    "loop",
    [
        "for name in load_names():\n    router = APIRouter(prefix=f'/{name}')\n",
        "for router in load_routers():\n",
    ],
    ids=["rebound-in-the-body", "the-loop-target"],
)
def test_a_router_a_loop_rebinds_around_its_handler_is_not_read_at_run_time(loop: str) -> None:
    """`for name in ...: router = APIRouter(prefix=...)` with `@router.get(...)` on a `def` in the
    body: the handler would read `router` after the loop is done, the last item's, so its prefix
    is not logged as `router.prefix` (it was: every route but the last logged another's path)."""
    source = (
        "from fastapi import APIRouter\n\n"
        "from app.loaders import load_names, load_routers\n\n"
        + loop
        + '\n    @router.get("/{key}")\n'
        "    async def get(key: str) -> str:\n"
        "        return key\n"
    )
    result = _instrument(source)
    assert "router.prefix" not in result.source
    assert len(result.problems) == 1, result.problems  # the handler named on a line


def test_a_call_by_hand_in_a_handler_whose_path_is_unknown_is_read_without_failing() -> None:
    # generate cannot write the call of a route whose path is no literal ("add the log call by
    # hand"); the call written by hand was compared with the one generate would write, whose
    # route holds the `?` of the unknown part, and parsing that raised a SyntaxError: generate
    # and remove stopped with a traceback.
    source = (
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger\n\n"
        'router = APIRouter(prefix="/api")\n\n\n'
        "@router.get(PATH)\n"
        "def unreadable(item_id: str):\n"
        '    event_logger.log(EVENT, {"route": "/api/x", "handler": "unreadable"})\n'
        "    return 1\n"
    )
    logged = source.replace("EVENT", '"ai_block_used"')
    assert _instrument(logged) == PatchResult(logged)
    other = source.replace("EVENT", '"chapter_visit"')
    assert _instrument(other).problems == (
        "app/api/items.py:9: route unreadable (GET \"/api\" + ?) logs 'chapter_visit', expected "
        "'ai_block_used'; fix the call or the plan",
    )
    # generate reads it as the user's own (it writes none there): remove keeps it without a
    # word, as theirs (it named it as one the tool wrote and the user changed, --force took it).
    for force in (False, True):
        assert _uninstrumented(logged, force=force) == PatchResult(logged)


def test_a_call_by_hand_in_a_handler_whose_parameter_cannot_be_recorded_stays_the_users() -> None:
    # generate writes no call where a path parameter is of a class JSON cannot hold ("log
    # str(slug) by hand"); remove named the call written so as one the tool wrote and the user
    # changed, and --force took it out.
    source = (
        "from fastapi import APIRouter\n\n"
        "from app.analytics.event_logger import event_logger\n\n"
        'router = APIRouter(prefix="/api")\n\n\n'
        "class Slug:\n"
        "    pass\n\n\n"
        '@router.get("/x/{slug}")\n'
        "def get_x(slug: Slug):\n"
        '    event_logger.log("ai_block_used", {"route": "/api/x/{slug}", "handler": "get_x"})\n'
        "    return 1\n"
    )
    assert _instrument(source).source == source
    for force in (False, True):
        assert _uninstrumented(source, force=force) == PatchResult(source)


def test_layer_import_joins_a_namespace_packages_first_party_section(tmp_path: Path) -> None:
    # Flat layout, the app's modules in a folder without `__init__.py`: ruff's sorting counts
    # that folder first-party, as it does the layer; the new import goes at its sorted place in
    # that section (not a section of its own after it), so `ruff check --select I` stays clean.
    from tests.cli_support import run, write_files

    write_files(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "flat"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
                'app-package = ""\napp = "main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"web/handlers/demo.py" = "ai_block_used"\n'
            ),
            "main.py": (
                "from fastapi import FastAPI\n\nfrom web.handlers import demo\n\n"
                "app = FastAPI()\napp.include_router(demo.router)\n"
            ),
            "web/models/detail.py": "DETAIL = 1\n",
            "web/handlers/demo.py": (
                "from fastapi import APIRouter\n\nfrom web.models.detail import DETAIL\n\n"
                'router = APIRouter(prefix="/demo")\n\n\n@router.get("/")\n'
                "def hello() -> int:\n    return DETAIL\n"
            ),
        },
    )
    result = run("generate", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "web/handlers/demo.py").read_text()
    assert text.startswith(
        "from fastapi import APIRouter\n\n"
        "from analytics.event_logger import event_logger\n"
        "from web.models.detail import DETAIL\n\n"
    ), text
    lint = subprocess.run(
        [
            *(sys.executable, "-m", "ruff", "check", "-q", "--no-cache", "--isolated"),
            *("--select", "I", str(tmp_path / "web/handlers/demo.py"), str(tmp_path / "main.py")),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert lint.returncode == 0, lint.stdout


CALLED_ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""

CALLING = {
    "imported-handler": ("from app.items import get_item\n", "get_item"),
    "handler-of-a-module": ("from app import items\n", "items.get_item"),
    "full-dotted-path": ("import app.items\n", "app.items.get_item"),
}


@pytest.mark.parametrize("shape", sorted(CALLING))
@pytest.mark.parametrize("instrumented", [True, False], ids=["callee-logged", "callee-not"])
def test_a_handler_calling_another_modules_handler_is_named(
    tmp_path: Path, shape: str, instrumented: bool
) -> None:
    """`return await get_item(item_id)` in a handler of another module (imported by name, or
    read on its module): a request to it logs twice, its own event and `get_item`'s naming
    `/items/{item_id}`. Said in one line naming both handlers, as for a handler of the same
    module; not said when the plan does not instrument the callee's module (it logs nothing).
    Read through `import app.items` as `app.items.get_item(...)` too."""
    imported, call = CALLING[shape]
    legacy = (
        f"from fastapi import APIRouter\n\n{imported}\n"
        'router = APIRouter(prefix="/legacy")\n\n\n'
        '@router.get("/{item_id}")\n'
        "async def legacy_item(item_id: int) -> dict[str, int]:\n"
        f"    return await {call}(item_id)\n"
    )
    modules = '"legacy.py" = "ai_block_used"'
    if instrumented:
        modules += ', "items.py" = "ai_block_used"'
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": f"[tool.telemetry-scaffold]\ninstrument = {{ {modules} }}\n",
            "backend/app/__init__.py": "",
            "backend/app/items.py": CALLED_ITEMS,
            "backend/app/legacy.py": legacy,
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import items, legacy\n\n"
                "app = FastAPI()\napp.include_router(items.router)\n"
                "app.include_router(legacy.router)\n"
            ),
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    said = " ".join(generated.stdout.split())
    note = (
        "backend/app/legacy.py:10: `legacy_item` calls the route handler `get_item` of "
        "backend/app/items.py as a function: its log call runs there too"
    )
    assert (note in said) is instrumented, said


UPDATE_ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.put("/")
async def update(item: dict) -> dict:
    return item
"""

# A name of the caller's own hides the module's import of the same name: `items.update(...)`
# on a dict parameter calls dict.update, not the handler `update` of app/items.py.
SHADOWED = {
    "parameter": "def add_user(items: dict) -> dict:\n    items.update({'x': 1})\n",
    "local": "def add_user() -> dict:\n    items = {}\n    items.update({'x': 1})\n",
    "loop-target": "def add_user() -> dict:\n    for items in ({},):\n        items.update({})\n",
    "nested-function": (
        "def add_user() -> dict:\n"
        "    def fill(items: dict) -> None:\n"
        "        items.update({'x': 1})\n\n"
        "    fill({})\n"
    ),
    "lambda": (
        "def add_user() -> dict:\n    fill = (lambda items: items.update({}))\n    fill({})\n"
    ),
    "comprehension": "def add_user() -> dict:\n    [items.update({}) for items in ({},)]\n",
    "imported-name": "def add_user(update: dict) -> dict:\n    update({'x': 1})\n",
}


@pytest.mark.parametrize("shape", sorted(SHADOWED))
def test_a_name_of_the_callers_own_is_not_a_call_of_a_handler(tmp_path: Path, shape: str) -> None:
    """`from app import items` beside `def add_user(items: dict): items.update(...)`: the note
    said `add_user` calls the route handler `update` of app/items.py, reading only the module's
    binding of `items` (a parameter, local, or name bound in a nested function, lambda or
    comprehension is what the call reads)."""
    imported = (
        "from app.items import update" if shape == "imported-name" else "from app import items"
    )
    body = SHADOWED[shape].replace("def add_user(", "async def add_user(", 1)
    users = (
        f"from fastapi import APIRouter\n\n{imported}\n\n"
        'router = APIRouter(prefix="/users")\n\n\n'
        '@router.post("/")\n'
        f"{body}    return {{}}\n"
    )
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                "[tool.telemetry-scaffold]\n"
                'instrument = { "users.py" = "ai_block_used", "items.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": UPDATE_ITEMS,
            "backend/app/users.py": users,
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import items, users\n\n"
                "app = FastAPI()\napp.include_router(items.router)\n"
                "app.include_router(users.router)\n"
            ),
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "calls the route handler" not in generated.stdout, generated.stdout


_CACHED_ROUTE = """from fastapi import APIRouter
{imports}

router = APIRouter()


{decorators}
async def random_number() -> int:
    return 4
"""


@pytest.mark.parametrize(
    ("imports", "decorators", "said"),
    [
        # fastapi-cache2 below the route (ArielMAJ/FastAPI-backend-template): FastAPI calls the
        # cached function, a hit runs no body.
        (
            "from fastapi_cache.decorator import cache",
            '@router.get("/")\n@cache(expire=5)',
            "@cache(expire=5)",
        ),
        ("import aiocache", '@router.get("/")\n@aiocache.cached(ttl=10)', "@aiocache.cached"),
        ("from cashews import cache", '@router.get("/")\n@cache.early(ttl="1m")', "@cache.early"),
        ("import functools", '@router.get("/")\n@functools.lru_cache', "@functools.lru_cache"),
        # Above the route decorator: the route registered the plain function, each request runs it.
        ("from fastapi_cache.decorator import cache", '@cache(expire=5)\n@router.get("/")', None),
        # A decorator of the project named `cache`: nothing known of it.
        ("from app.tools import cache", '@router.get("/")\n@cache(expire=5)', None),
        # cashews' decorators that cache nothing: every request runs the handler.
        ("from cashews import cache", '@router.get("/")\n@cache.invalidate("u:*")', None),
        ("from cashews import cache", '@router.get("/")\n@cache.rate_limit(10, "1m")', None),
        (
            "from fastapi_redis_cache import cache_one_hour",
            '@router.get("/")\n@cache_one_hour()',
            "@cache_one_hour()",
        ),
    ],
    ids=[
        "fastapi-cache",
        "aiocache",
        "cashews-strategy",
        "lru-cache",
        "above-route",
        "own",
        "cashews-invalidate",
        "cashews-rate-limit",
        "fastapi-redis-cache",
    ],
)
def test_a_response_cache_under_the_route_is_said_to_skip_the_log_call_on_a_hit(
    imports: str, decorators: str, said: str | None
) -> None:
    source = _CACHED_ROUTE.format(imports=imports, decorators=decorators)
    result = _instrument(source)
    assert "log call in random_number (GET /)" in result.changes
    notes = [change for change in result.changes if "from its cache" in change]
    if said is None:
        assert notes == [], notes
    else:
        assert len(notes) == 1 and f"`{said}" in notes[0], result.changes
        assert "only the requests the handler runs for are logged" in notes[0]


@pytest.mark.parametrize(
    ("body", "above"),
    [
        # PEP 484's signature comment, on the line after the `def`: it types the function.
        pytest.param('    # type: () -> dict\n    return {"a": 1}\n', 1, id="signature"),
        pytest.param(
            '    # why\n    # type: (...) -> dict\n\n    # the answer\n    return {"a": 1}\n',
            2,
            id="among-comments",
        ),
        pytest.param("    # type: ignore[no-untyped-def]\n    ...\n", 1, id="ignore-stub"),
    ],
)
def test_a_type_comment_above_the_first_statement_stays_where_it_applies(
    body: str, above: int
) -> None:
    # The call went in above the comments before the first statement, type comments too:
    # the signature comment ended up below it, typing nothing (mypy: a syntax error).
    source = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        f'@router.get("/a")\ndef read_a(\n    limit: int = 1,\n):\n{body}'
    )
    result = _instrument(source)
    lines = result.source.splitlines()
    header = lines.index("):")
    call = next(number for number, line in enumerate(lines) if "event_logger.log(" in line)
    assert call == header + above + 1, result.source
    comments = [line for line in lines[header + 1 : call] if "# type:" in line]
    assert len(comments) == 1, result.source
    ast.parse(result.source, type_comments=True)
    removed = _uninstrumented(result.source, stubs=result.stubs)
    assert removed.source == source
