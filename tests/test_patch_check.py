"""The stdlib fast check agrees with the libcst patchers, and keeps `generate --check` off libcst.

The checkers may only say "already patched" when the patcher would leave the file exactly as it
is, with no change and no problem; they must say so for what the patchers write, or the fast
path would never fire. Every source below is run through both and the answers compared.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from telemetry_cli import patch_check, sync
from telemetry_cli.errors import PatchError
from telemetry_cli.patch_check import main_is_patched, routes_are_instrumented
from telemetry_cli.patch_main import PatchResult, patch_main
from telemetry_cli.patch_routes import instrument_routes
from telemetry_cli.plan import load_plan
from tests.cli_support import REPO, make_project, run
from tests.test_patch_main import CASES as MAIN_CASES
from tests.test_patch_routes import CASES as ROUTE_CASES
from tests.test_patch_routes import ENCLOSED_SOURCE, PROBLEM_SOURCE

ANALYTICS = "app.analytics"

WIRED_IMPORTS = """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
"""

ROUTER_HEADER = """\
from fastapi import APIRouter

from app.analytics.event_logger import event_logger

router = APIRouter(prefix="/api/items")
"""

# Shapes beyond the patchers' own tables, aimed at where `ast` and libcst could part ways.
# (id, source, capture_errors)
MAIN_EXTRA: list[tuple[str, str, bool]] = [
    (
        "one-line factory body is not searched by the patcher",
        WIRED_IMPORTS + "\n\ndef make(): app = FastAPI(); app.include_router(telemetry_router); "
        "install_error_capture(app)\n",
        True,
    ),
    (
        "one-line factory with a non-ASCII name",
        WIRED_IMPORTS + "\n\ndef créer(): app = FastAPI(); app.include_router(telemetry_router)\n",
        False,
    ),
    (
        "factory body joined to the def line by a backslash",
        WIRED_IMPORTS
        + "\n\ndef make(): \\\n    app = FastAPI(); app.include_router(telemetry_router)"
        "; install_error_capture(app)\n",
        True,
    ),
    (
        "async factory, wired",
        WIRED_IMPORTS + "\n\nasync def make():\n    app = FastAPI()\n"
        "    app.include_router(telemetry_router)\n"
        "    install_error_capture(app)\n    return app\n",
        True,
    ),
    (
        "wired app and a second app",
        WIRED_IMPORTS + "\napp = FastAPI()\napp.include_router(telemetry_router)\n"
        "install_error_capture(app)\nadmin = FastAPI()\n",
        True,
    ),
    (
        "two factories of the same name count as one app",
        WIRED_IMPORTS
        + "\n\ndef make():\n    app = FastAPI()\n    app.include_router(telemetry_router)"
        "\n    install_error_capture(app)\n\n\ndef make():\n    app = FastAPI()\n    return app\n",
        True,
    ),
    (
        "chained assignment names the app by its first target",
        WIRED_IMPORTS + "\napp = api = FastAPI()\napp.include_router(telemetry_router)\n"
        "install_error_capture(app)\n",
        True,
    ),
    (
        "app assigned inside a conditional is not an app",
        WIRED_IMPORTS + "\nif True:\n    app = FastAPI()\napp.include_router(telemetry_router)\n",
        False,
    ),
    (
        "include_router of another router",
        WIRED_IMPORTS + "\napp = FastAPI()\napp.include_router(router=other.router)\n"
        "install_error_capture(app)\n",
        True,
    ),
    (
        "calls only in a comment and a string",
        WIRED_IMPORTS + "\napp = FastAPI()\n# app.include_router(telemetry_router)\n"
        '"install_error_capture(app)"\n',
        True,
    ),
    (
        "star import binds nothing the patcher can see",
        "from fastapi import FastAPI\n\nfrom app.analytics.telemetry_router import *\n\n"
        "app = FastAPI()\napp.include_router(router)\n",
        False,
    ),
    (
        "relative import above the top-level package",
        "from fastapi import FastAPI\n\nfrom ...app.analytics.telemetry_router import router\n\n"
        "app = FastAPI()\napp.include_router(router)\n",
        False,
    ),
    (
        "imports and calls inside a helper count",
        "from fastapi import FastAPI\n\n\ndef wire(app):\n"
        "    from app.analytics.telemetry_router import router\n"
        "    from app.analytics import error_capture\n\n"
        "    app.include_router(router)\n    error_capture.install_error_capture(app)\n\n\n"
        "app = FastAPI()\nwire(app)\n",
        True,
    ),
    (
        "FastAPI imported through fastapi.applications",
        "import fastapi.applications as fa\n\nfrom app.analytics.telemetry_router import router\n\n"
        "app: fa.FastAPI = fa.FastAPI()\napp.include_router(router)\n",
        False,
    ),
    (
        "invalid escape in a user string",
        WIRED_IMPORTS
        + '\nPATTERN = "\\d+"\napp = FastAPI()\napp.include_router(telemetry_router)\n'
        "install_error_capture(app)\n",
        True,
    ),
    ("syntax error", WIRED_IMPORTS + "\napp = FastAPI(\n", True),
    ("NUL byte", "app = 1\0\n", True),
    ("no app", "from fastapi import APIRouter\n\nrouter = APIRouter()\n", True),
    (
        "other class named FastAPI",
        "from starlette.applications import Starlette as FastAPI\n\nfrom app.analytics."
        "telemetry_router import router\n\napp = FastAPI()\napp.include_router(router)\n",
        False,
    ),
    (
        "module app and factory app",
        WIRED_IMPORTS + "\napp = FastAPI()\napp.include_router(telemetry_router)\n"
        "install_error_capture(app)\n\n\ndef make():\n    app = FastAPI()\n    return app\n",
        True,
    ),
]

# (id, source, event_type)
ROUTE_EXTRA: list[tuple[str, str, str]] = [
    (
        "log call nested in a block",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x(flag: bool):\n    if flag:\n'
        '        event_logger.log("ai_block_used", {})\n    return 1\n',
        "ai_block_used",
    ),
    (
        "awaited log call",
        ROUTER_HEADER + '\n\n@router.get("/x")\nasync def x():\n'
        '    await event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "log call after other statements",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n    value = 1\n'
        '    event_logger.log("ai_block_used", {})\n    return value\n',
        "ai_block_used",
    ),
    (
        "duplicated call",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "wrong event type",
        ROUTER_HEADER
        + '\n\n@router.get("/x")\ndef x():\n    event_logger.log("chapter_visit", {})\n',
        "ai_block_used",
    ),
    (
        "event type not a literal",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n    event_logger.log(EVENT, {})\n',
        "ai_block_used",
    ),
    (
        "event type an f-string",
        ROUTER_HEADER
        + '\n\n@router.get("/x")\ndef x():\n    event_logger.log(f"ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "event type an implicit concatenation",
        ROUTER_HEADER
        + '\n\n@router.get("/x")\ndef x():\n    event_logger.log("ai_block" "_used")\n',
        "ai_block_used",
    ),
    (
        "path an f-string",
        ROUTER_HEADER + '\n\n@router.get(f"/{PREFIX}")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "path as a keyword, methods defaulted",
        ROUTER_HEADER + '\n\n@router.api_route(path="/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "methods empty",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=[])\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "methods a tuple starting with a starred literal",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=(*"get",))\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "methods a list starting with a name",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=[GET, "POST"])\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "methods a list starting with an empty string",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=[""])\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "methods a name",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=METHODS)\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "handler stacked under a readable route, then an unreadable one",
        ROUTER_HEADER + '\n\n@router.get("/x")\n@router.get(PATH)\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "other calls on the logger are not log calls",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n    event_logger.flush("chapter_visit")\n',
        "ai_block_used",
    ),
    (
        "starred argument before the event type",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log(*(), "ai_block_used")\n',
        "ai_block_used",
    ),
    (
        "handler stacked under two routes",
        ROUTER_HEADER + '\n\n@router.get("/x")\n@router.post("/y")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "router named by the second target of a chained assignment",
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n\n"
        'other = router = APIRouter()\n\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "chained assignment, one route not logged",
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n\n"
        'a = b = APIRouter()\n\n\n@a.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n\n\n@b.get("/y")\ndef y():\n    return 1\n',
        "ai_block_used",
    ),
    (
        "tuple assignment binds no router",
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n\n"
        'a, b = APIRouter(), APIRouter()\n\n\n@a.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "logged route in an if block",
        ROUTER_HEADER + '\nif DEBUG:\n    @router.get("/x")\n    def x():\n'
        '        event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "route in an else block not logged",
        ROUTER_HEADER + '\nif DEBUG:\n    pass\nelse:\n    @router.get("/x")\n    def x():\n'
        "        return 1\n",
        "ai_block_used",
    ),
    (
        "route in an elif block not logged",
        ROUTER_HEADER + '\nif DEBUG:\n    pass\nelif FAST:\n    @router.get("/x")\n    def x():\n'
        "        return 1\n",
        "ai_block_used",
    ),
    (
        "route in an except block not logged",
        ROUTER_HEADER + '\ntry:\n    pass\nexcept ImportError:\n    @router.get("/x")\n'
        "    def x():\n        return 1\n",
        "ai_block_used",
    ),
    (
        "route in a finally block not logged",
        ROUTER_HEADER + '\ntry:\n    pass\nfinally:\n    @router.get("/x")\n'
        "    def x():\n        return 1\n",
        "ai_block_used",
    ),
    (
        "route in a with block not logged",
        ROUTER_HEADER + '\nwith lock:\n    @router.get("/x")\n    def x():\n        return 1\n',
        "ai_block_used",
    ),
    (
        "route in a loop's else block not logged",
        ROUTER_HEADER + '\nfor _ in ():\n    pass\nelse:\n    @router.get("/x")\n'
        "    def x():\n        return 1\n",
        "ai_block_used",
    ),
    (
        "route in a while block not logged",
        ROUTER_HEADER + '\nwhile False:\n    @router.get("/x")\n    def x():\n        return 1\n',
        "ai_block_used",
    ),
    (
        "route in a match case not logged",
        ROUTER_HEADER + '\nmatch MODE:\n    case "dev":\n        @router.get("/x")\n'
        "        def x():\n            return 1\n",
        "ai_block_used",
    ),
    (
        "route in a match case, logged",
        ROUTER_HEADER + '\nmatch MODE:\n    case "dev":\n        @router.get("/x")\n'
        '        def x():\n            event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "unreadable route in a block, logged",
        ROUTER_HEADER + "\nif DEBUG:\n    @router.get(PATH)\n    def x():\n"
        '        event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "router assigned in a one-line if, route logged",
        "from fastapi import APIRouter\n\nfrom app.analytics.event_logger import event_logger\n\n"
        'if True: router = APIRouter()\n\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "one-line body in a block needing the call",
        ROUTER_HEADER + '\nif DEBUG:\n    @router.get("/x")\n    def x(): return 1\n',
        "ai_block_used",
    ),
    ("enclosed routes of the patcher tests", ENCLOSED_SOURCE, "ai_block_used"),
    (
        "route under a parameter, logged, with a one-line sibling",
        ROUTER_HEADER + '\n\ndef register(r, *rest, **options):\n    @r.get("/x")\n    def x():\n'
        '        event_logger.log("ai_block_used", {})\n\n    def helper(): return 1\n',
        "ai_block_used",
    ),
    (
        "route under a keyword-only parameter, not logged",
        ROUTER_HEADER + '\n\ndef register(*, r):\n    @r.get("/x")\n    def x():\n'
        "        return 1\n",
        "ai_block_used",
    ),
    (
        "route under a **kwargs parameter, not logged",
        ROUTER_HEADER + '\n\ndef register(**r):\n    @r.get("/x")\n    def x():\n'
        "        return 1\n",
        "ai_block_used",
    ),
    (
        "route of a router assigned in a class body, not logged",
        ROUTER_HEADER + '\n\nclass V:\n    inner = APIRouter()\n\n    @inner.get("/x")\n'
        "    def x(self):\n        return 1\n",
        "ai_block_used",
    ),
    (
        "route of a factory app in a nested block, logged twice",
        ROUTER_HEADER.replace("import APIRouter", "import APIRouter, FastAPI")
        + "\n\ndef make():\n    if True:\n        app = FastAPI()\n"
        '        @app.get("/x")\n        def x():\n'
        '            event_logger.log("ai_block_used", {})\n'
        '            event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "route in a method's nested function under the enclosing parameter, not logged",
        ROUTER_HEADER + "\n\nclass V:\n    def setup(self, r):\n        def inner():\n"
        '            @r.get("/x")\n            def x():\n                return 1\n',
        "ai_block_used",
    ),
    (
        "logged route, and an unlogged one in an if block",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n\n\n'
        'if DEBUG:\n    @router.get("/debug")\n    def debug():\n        return 1\n',
        "ai_block_used",
    ),
    (
        "logged route, and an unlogged one inside a function",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n\n\n'
        'def register(router):\n    @router.get("/y")\n    def inner():\n        return 1\n',
        "ai_block_used",
    ),
    (
        "nested decorators of other objects are not routes",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n\n    @mock.patch("y")\n'
        '    def helper():\n        return 1\n\n\nclass T:\n    @cache.get("k")\n'
        "    def m(self):\n        return 2\n",
        "ai_block_used",
    ),
    (
        "a later method of api_route is not a literal",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=["GET", OTHER])\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "a later method of api_route is empty",
        ROUTER_HEADER + '\n\n@router.api_route("/x", methods=("GET", ""))\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "only a method in a class",
        ROUTER_HEADER + '\n\nclass C:\n    @router.get("/x")\n    def x(self):\n        return 1\n',
        "ai_block_used",
    ),
    (
        "one-line body needing the call",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x(): return 1\n',
        "ai_block_used",
    ),
    (
        "a parameter named like the logger still counts, as for the patcher",
        ROUTER_HEADER + '\n\n@router.get("/x")\ndef x(event_logger):\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "logger of another package",
        "from fastapi import APIRouter\n\nfrom other.event_logger import event_logger\n\n"
        'router = APIRouter()\n\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    (
        "logger module imported relatively",
        "from fastapi import APIRouter\n\nfrom ..analytics import event_logger\n\n"
        'router = APIRouter()\n\n\n@router.get("/x")\ndef x():\n'
        '    event_logger.log("ai_block_used", {})\n',
        "ai_block_used",
    ),
    ("problem table of the patcher tests", PROBLEM_SOURCE, "chapter_visit"),
    ("syntax error", ROUTER_HEADER + "\n\ndef x(:\n", "ai_block_used"),
    ("no handlers", ROUTER_HEADER, "ai_block_used"),
    (
        "imported router",
        'from .base import router\n\n\n@router.get("/x")\ndef x():\n    return 1\n',
        "ai_block_used",
    ),
]

# Every source: the patchers' own inputs and expected outputs, then the extra shapes.
MAIN_SOURCES = [
    *((f"{name} (input)", source, capture) for name, source, capture, _ in MAIN_CASES),
    *((f"{name} (output)", output, capture) for name, _, capture, output in MAIN_CASES),
    *MAIN_EXTRA,
]
ROUTE_SOURCES = [
    *((f"{name} (input)", source, "ai_block_used") for name, source, _ in ROUTE_CASES),
    *((f"{name} (output)", output, "ai_block_used") for name, _, output in ROUTE_CASES),
    *ROUTE_EXTRA,
]


@pytest.fixture(params=["\n", "\r\n"], ids=["lf", "crlf"])
def newline(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _main_check(source: str, capture_errors: bool) -> bool:
    return main_is_patched(
        source, module_name="app.main", analytics_package=ANALYTICS, capture_errors=capture_errors
    )


def _route_check(source: str, event_type: str) -> bool:
    return routes_are_instrumented(
        source, module_name="app.api.items", analytics_package=ANALYTICS, event_type=event_type
    )


def _patch_main(source: str, capture_errors: bool) -> PatchResult | PatchError:
    try:
        return patch_main(
            source,
            module_name="app.main",
            analytics_package=ANALYTICS,
            capture_errors=capture_errors,
        )
    except PatchError as error:
        return error


def _instrument(source: str, event_type: str) -> PatchResult | PatchError:
    try:
        return instrument_routes(
            source, module_name="app.api.items", analytics_package=ANALYTICS, event_type=event_type
        )
    except PatchError as error:
        return error


@pytest.mark.parametrize(
    ("source", "capture_errors"),
    [case[1:] for case in MAIN_SOURCES],
    ids=[case[0] for case in MAIN_SOURCES],
)
def test_main_check_agrees_with_patch_main(source: str, capture_errors: bool, newline: str) -> None:
    source = source.replace("\n", newline)
    outcome = _patch_main(source, capture_errors)

    checked = _main_check(source, capture_errors)

    assert checked is (outcome == PatchResult(source))
    if isinstance(outcome, PatchResult) and not outcome.problems:
        # What the patcher writes is recognised, so the next run takes the fast path.
        assert _main_check(outcome.source, capture_errors) is True


@pytest.mark.parametrize(
    ("source", "event_type"),
    [case[1:] for case in ROUTE_SOURCES],
    ids=[case[0] for case in ROUTE_SOURCES],
)
def test_route_check_agrees_with_instrument_routes(
    source: str, event_type: str, newline: str
) -> None:
    source = source.replace("\n", newline)
    outcome = _instrument(source, event_type)

    checked = _route_check(source, event_type)

    assert checked is (outcome == PatchResult(source))
    if isinstance(outcome, PatchResult) and not outcome.problems:
        assert _route_check(outcome.source, event_type) is True


def test_tables_cover_both_answers() -> None:
    # Guards the agreement tests against comparing False with False only.
    main_answers = {_main_check(source, capture) for _, source, capture in MAIN_SOURCES}
    route_answers = {_route_check(source, event) for _, source, event in ROUTE_SOURCES}
    assert main_answers == route_answers == {True, False}


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
            '    event_logger.log("ai_block_used", {})\n'
            '    event_logger.log("ai_block_used", {})\n',
            id="duplicated call",
        ),
        pytest.param(
            ROUTER_HEADER + '\n\n@router.get("/x")\ndef x():\n'
            '    event_logger.log("chapter_visit", {})\n',
            id="wrong event type",
        ),
        pytest.param(
            ROUTER_HEADER + "\n\n@router.get(PATH)\ndef x():\n"
            '    event_logger.log("ai_block_used", {})\n\n\n@router.get("/y")\ndef y():\n'
            '    event_logger.log("ai_block_used", {})\n',
            id="unreadable route",
        ),
    ],
)
def test_problems_are_left_to_the_patcher(source: str) -> None:
    # The patcher reports these (the file is left as is); the check must not hide them.
    outcome = _instrument(source, "ai_block_used")
    assert isinstance(outcome, PatchResult)
    assert outcome.source == source
    assert outcome.problems
    assert _route_check(source, "ai_block_used") is False


def test_a_comment_ending_in_a_backslash_only_costs_time() -> None:
    # The check cannot tell this from a body joined to its `def` line, so it says False; the
    # patcher then finds nothing to do.
    source = (
        WIRED_IMPORTS + "\n\ndef make():  # C:\\\n    app = FastAPI()\n"
        "    app.include_router(telemetry_router)\n    install_error_capture(app)\n    return app\n"
    )
    assert _patch_main(source, True) == PatchResult(source)
    assert _main_check(source, True) is False


def test_user_warnings_stay_quiet() -> None:
    source = (
        WIRED_IMPORTS
        + '\nPATTERN = "\\d+"\napp = FastAPI()\napp.include_router(telemetry_router)\n'
        "install_error_capture(app)\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _main_check(source, True) is True
    assert caught == []


def _bundled(module: str) -> str:
    return (REPO / "backend" / "app" / module).read_text(encoding="utf-8")


def test_bundled_main_after_patching() -> None:
    source = _bundled("main.py")
    result = _patch_main(source, True)
    assert isinstance(result, PatchResult)

    # Holds whether or not the bundled backend has been patched already.
    assert _main_check(source, True) is (result == PatchResult(source))
    assert _patch_main(result.source, True) == PatchResult(result.source)
    assert _main_check(result.source, True) is True


@pytest.mark.parametrize(
    ("module", "module_name", "event_type"),
    [
        ("api/ai_blocks.py", "app.api.ai_blocks", "ai_block_used"),
        ("api/chapters.py", "app.api.chapters", "chapter_visit"),
    ],
)
def test_bundled_route_modules_after_patching(
    module: str, module_name: str, event_type: str
) -> None:
    source = _bundled(module)
    names = {"module_name": module_name, "analytics_package": ANALYTICS}
    result = instrument_routes(source, event_type=event_type, **names)

    assert routes_are_instrumented(source, event_type=event_type, **names) is (
        result == PatchResult(source)
    )
    assert instrument_routes(result.source, event_type=event_type, **names) == PatchResult(
        result.source
    )
    assert routes_are_instrumented(result.source, event_type=event_type, **names) is True


@pytest.fixture
def up_to_date(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project")
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stdout + result.stderr
    return project


def test_fast_path_decides_like_the_patchers(
    up_to_date: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = load_plan(up_to_date)
    fast = sync.compute(plan).changes
    monkeypatch.setattr(patch_check, "main_is_patched", lambda *_, **__: False)
    monkeypatch.setattr(patch_check, "routes_are_instrumented", lambda *_, **__: False)
    slow = sync.compute(plan).changes

    assert fast == slow
    assert all(change.up_to_date for change in fast)


_CHECK_SCRIPT = """\
import json
import sys

from telemetry_cli.cli import main

try:
    main(["generate", "--check", "--root", sys.argv[1]])
except SystemExit as exit:
    code = exit.code
with open(sys.argv[2], "w") as handle:
    json.dump({"exit": code, "libcst": "libcst" in sys.modules}, handle)
"""


def _check_in_subprocess(project: Path, tmp_path: Path) -> dict[str, object]:
    result_file = tmp_path / "result.json"
    completed = subprocess.run(
        [sys.executable, "-c", _CHECK_SCRIPT, str(project), str(result_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result_file.exists(), completed.stdout + completed.stderr
    outcome: dict[str, object] = json.loads(result_file.read_text())
    return outcome


def test_check_of_an_up_to_date_project_does_not_import_libcst(
    up_to_date: Path, tmp_path: Path
) -> None:
    assert _check_in_subprocess(up_to_date, tmp_path) == {"exit": 0, "libcst": False}


def test_check_falls_back_to_libcst_when_a_file_needs_patching(
    up_to_date: Path, tmp_path: Path
) -> None:
    main = up_to_date / "backend" / "app" / "main.py"
    text = main.read_text()
    main.write_text(text.replace("app.include_router(telemetry_router)\n", ""))

    assert _check_in_subprocess(up_to_date, tmp_path) == {"exit": 1, "libcst": True}
