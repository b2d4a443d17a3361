"""Patching main.py: the telemetry router and error capture are wired in once, by adding lines."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from telemetry_cli.errors import PatchError
from telemetry_cli.patching import PatchResult, unwire_source
from telemetry_cli.patching import wire_source as patch_main

MAIN_PY = Path(__file__).resolve().parent.parent / "backend" / "app" / "main.py"


def _patch(
    source: str, *, capture_errors: bool = True, module_name: str = "app.main"
) -> PatchResult:
    return patch_main(
        source,
        module_name=module_name,
        analytics_package="app.analytics",
        capture_errors=capture_errors,
    )


def _assert_only_added_lines(before: str, after: str) -> None:
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    edits = [tag for tag, *_ in matcher.get_opcodes() if tag != "equal"]
    assert set(edits) <= {"insert"}, f"lines other than additions changed: {edits}"


# (id, source, capture_errors, expected output)
CASES: list[tuple[str, str, bool, str]] = [
    (
        "module level app",
        """\
from fastapi import FastAPI

app = FastAPI()
""",
        True,
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI()
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        "without error capture",
        """\
from fastapi import FastAPI

app = FastAPI(title="Books")
""",
        False,
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI(title="Books")
app.include_router(telemetry_router)
""",
    ),
    (
        "after the last include_router, first-party imports sorted",
        """\
\"\"\"Entry point.\"\"\"

from fastapi import FastAPI

from app.api import books, users

app = FastAPI(
    title="Library",  # shown in the docs
    version="1.0",
)

# Feature routers.
app.include_router(books.router)
app.include_router(users.router, prefix="/users")


@app.get("/")
def root() -> dict[str, str]:
    return {"status": "ok"}
""",
        True,
        """\
\"\"\"Entry point.\"\"\"

from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import books, users

app = FastAPI(
    title="Library",  # shown in the docs
    version="1.0",
)

# Feature routers.
app.include_router(books.router)
app.include_router(users.router, prefix="/users")
app.include_router(telemetry_router)
install_error_capture(app)


@app.get("/")
def root() -> dict[str, str]:
    return {"status": "ok"}
""",
    ),
    (
        "aliased FastAPI class",
        """\
from fastapi import FastAPI as Api

application = Api()
""",
        True,
        """\
from fastapi import FastAPI as Api

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router

application = Api()
application.include_router(telemetry_router)
install_error_capture(application)
""",
    ),
    (
        "fastapi module import, future import and a main guard",
        """\
#!/usr/bin/env python
\"\"\"Doc.\"\"\"
from __future__ import annotations

import fastapi

app = fastapi.FastAPI()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app)
""",
        True,
        """\
#!/usr/bin/env python
\"\"\"Doc.\"\"\"
from __future__ import annotations

import fastapi

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router

app = fastapi.FastAPI()
app.include_router(telemetry_router)
install_error_capture(app)

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app)
""",
    ),
    (
        "annotated assignment",
        """\
from fastapi import FastAPI

app: FastAPI = FastAPI()
""",
        False,
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router

app: FastAPI = FastAPI()
app.include_router(telemetry_router)
""",
    ),
    (
        "factory function with relative imports",
        """\
\"\"\"App factory.\"\"\"

from fastapi import FastAPI

from .routers import items


def create_app() -> FastAPI:
    \"\"\"Build the app.\"\"\"
    app = FastAPI()
    # Feature routers.
    app.include_router(items.router)
    return app


app = create_app()
""",
        True,
        """\
\"\"\"App factory.\"\"\"

from fastapi import FastAPI

from .analytics.error_capture import install_error_capture
from .analytics.telemetry_router import router as telemetry_router
from .routers import items


def create_app() -> FastAPI:
    \"\"\"Build the app.\"\"\"
    app = FastAPI()
    # Feature routers.
    app.include_router(items.router)
    app.include_router(telemetry_router)
    install_error_capture(app)
    return app


app = create_app()
""",
    ),
    (
        "factory without include_router, right after the app",
        """\
from fastapi import FastAPI


def build():
    api = FastAPI()
    api.state.ready = True
    return api
""",
        False,
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router


def build():
    api = FastAPI()
    api.include_router(telemetry_router)
    api.state.ready = True
    return api
""",
    ),
    (
        "already wired under aliases",
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture as capture
from app.analytics.telemetry_router import router as tr

app = FastAPI()
app.include_router(tr)
capture(app)
""",
        True,
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture as capture
from app.analytics.telemetry_router import router as tr

app = FastAPI()
app.include_router(tr)
capture(app)
""",
    ),
    (
        "already wired through module imports (relative)",
        """\
from fastapi import FastAPI

from .analytics import error_capture, telemetry_router

app = FastAPI()
app.include_router(router=telemetry_router.router)
error_capture.install_error_capture(app)
""",
        True,
        """\
from fastapi import FastAPI

from .analytics import error_capture, telemetry_router

app = FastAPI()
app.include_router(router=telemetry_router.router)
error_capture.install_error_capture(app)
""",
    ),
    (
        "import present, include and capture missing",
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI()
app.include_router(telemetry_router)
""",
        True,
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI()
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        # Included on any object (a parent router, an app in a list): the router is wired,
        # a second include would serve every telemetry route twice.
        "imports present, router included elsewhere, error capture missing",
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI()
apps = [app]
apps[0].include_router(telemetry_router)
""",
        True,
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI()
install_error_capture(app)
apps = [app]
apps[0].include_router(telemetry_router)
""",
    ),
    (
        "telemetry_router already names something else",
        """\
import logging

from fastapi import FastAPI

from app.routers import telemetry_router

app = FastAPI()
app.include_router(telemetry_router.router)
""",
        False,
        """\
import logging

from fastapi import FastAPI

from app.analytics.telemetry_router import router as analytics_telemetry_router
from app.routers import telemetry_router

app = FastAPI()
app.include_router(telemetry_router.router)
app.include_router(analytics_telemetry_router)
""",
    ),
    (
        "no trailing newline, no blank lines",
        "from fastapi import FastAPI\napp = FastAPI()",
        False,
        "from fastapi import FastAPI\n\n"
        "from app.analytics.telemetry_router import router as telemetry_router\n"
        "app = FastAPI()\n"
        "app.include_router(telemetry_router)",
    ),
    (
        "include_router inside a conditional block",
        """\
import os

from fastapi import FastAPI

from app import admin

app = FastAPI()
if os.environ.get("ADMIN"):
    app.include_router(admin.router)
""",
        False,
        """\
import os

from fastapi import FastAPI

from app import admin
from app.analytics.telemetry_router import router as telemetry_router

app = FastAPI()
if os.environ.get("ADMIN"):
    app.include_router(admin.router)
app.include_router(telemetry_router)
""",
    ),
    (
        # The main import block, not the import further down next to the middleware it adds;
        # after code that must run first when the package's imports follow it (load_dotenv).
        "imports join the main block, not one among the code",
        """\
from dotenv import load_dotenv

load_dotenv()

from fastapi import FastAPI

from app.api import api_router
from app.config import settings

app = FastAPI(title=settings.TITLE)

# Sessions
from app.middleware import SessionMiddleware
app.add_middleware(SessionMiddleware)

app.include_router(api_router)
""",
        True,
        """\
from dotenv import load_dotenv

load_dotenv()

from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import api_router
from app.config import settings

app = FastAPI(title=settings.TITLE)

# Sessions
from app.middleware import SessionMiddleware
app.add_middleware(SessionMiddleware)

app.include_router(api_router)
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        # The package's modules imported above set-up code too: the logger the new imports
        # build reads the environment as it is imported, so after `load_dotenv()` reads `.env`.
        "imports join the block after set-up code that follows package imports",
        """\
from dotenv import load_dotenv

from app.admin import views
from app.db import engine

load_dotenv(".env")
from fastapi import FastAPI

from app.api import api_router

app = FastAPI()
app.include_router(api_router)
""",
        True,
        """\
from dotenv import load_dotenv

from app.admin import views
from app.db import engine

load_dotenv(".env")
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import api_router

app = FastAPI()
app.include_router(api_router)
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        # A call of the package's own module (`db.init()`) is set-up code only when imports
        # follow it directly; otherwise it is the module's code, and the main block stays.
        "a call of an own module not followed by imports is no set-up code",
        """\
from fastapi import FastAPI

from app import db
from app.api import api_router

db.init()
engine = db.engine()

from app.middleware import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware)
app.include_router(api_router)
""",
        True,
        """\
from fastapi import FastAPI

from app import db
from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import api_router

db.init()
engine = db.engine()

from app.middleware import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware)
app.include_router(api_router)
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        # Directly followed by the package's imports, it is set-up code they may need.
        "a call of an own module directly followed by imports is set-up code",
        """\
from fastapi import FastAPI

from app import paths
from app.admin import views

paths.extend_sys_path()
from app.api import api_router

app = FastAPI()
app.include_router(api_router)
""",
        True,
        """\
from fastapi import FastAPI

from app import paths
from app.admin import views

paths.extend_sys_path()
from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import api_router

app = FastAPI()
app.include_router(api_router)
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        # Imports below code say so to ruff (E402): the ones that join them say it too.
        "imports below code carry their noqa",
        """\
import logging

logging.basicConfig(level=logging.INFO)

from fastapi import FastAPI  # noqa: E402

from app.api import api_router  # noqa: E402

app = FastAPI()
app.include_router(api_router)
""",
        True,
        """\
import logging

logging.basicConfig(level=logging.INFO)

from fastapi import FastAPI  # noqa: E402

from app.analytics.error_capture import install_error_capture  # noqa: E402
from app.analytics.telemetry_router import router as telemetry_router  # noqa: E402
from app.api import api_router  # noqa: E402

app = FastAPI()
app.include_router(api_router)
app.include_router(telemetry_router)
install_error_capture(app)
""",
    ),
    (
        # A string statement right after a statement documents it (attribute docstrings):
        # the wiring goes after the string, not between the two.
        "string documenting the last include",
        """\
from fastapi import FastAPI

from app.api import api_router

app = FastAPI()
\"\"\"The application.\"\"\"
app.include_router(api_router)
\"\"\"Every route of the API.\"\"\"

app.add_middleware(Timing)
""",
        True,
        """\
from fastapi import FastAPI

from app.analytics.error_capture import install_error_capture
from app.analytics.telemetry_router import router as telemetry_router
from app.api import api_router

app = FastAPI()
\"\"\"The application.\"\"\"
app.include_router(api_router)
\"\"\"Every route of the API.\"\"\"
app.include_router(telemetry_router)
install_error_capture(app)

app.add_middleware(Timing)
""",
    ),
    (
        "tab indentation in a factory",
        "from fastapi import FastAPI\n\n\ndef make():\n\tapp = FastAPI()\n\treturn app\n",
        False,
        "from fastapi import FastAPI\n\n"
        "from app.analytics.telemetry_router import router as telemetry_router\n\n\n"
        "def make():\n\tapp = FastAPI()\n\tapp.include_router(telemetry_router)\n\treturn app\n",
    ),
    (
        # The app exists only in one branch (the other leaves the name None, or unset): wired in
        # that branch, after its own includes, so the other way through still runs.
        "app built only when the library imports",
        """\
try:
    from fastapi import FastAPI
except ImportError:
    FastAPI = None

from app.api import api_router

if FastAPI:
    app = FastAPI()
    app.include_router(api_router)

    @app.get("/health")
    def health():
        return {"ok": True}
else:
    app = None
""",
        True,
        # The layer's router and error capture import FastAPI: imported in the branch too.
        """\
try:
    from fastapi import FastAPI
except ImportError:
    FastAPI = None

from app.api import api_router

if FastAPI:
    from app.analytics.error_capture import install_error_capture
    from app.analytics.telemetry_router import router as telemetry_router

    app = FastAPI()
    app.include_router(api_router)
    app.include_router(telemetry_router)
    install_error_capture(app)

    @app.get("/health")
    def health():
        return {"ok": True}
else:
    app = None
""",
    ),
    (
        "app built in the try body guarding the FastAPI import",
        """\
import logging

try:
    from fastapi import FastAPI

    app = FastAPI()
except ImportError:
    logging.warning("no FastAPI: no API")
    app = None
""",
        True,
        """\
import logging

try:
    from fastapi import FastAPI

    from app.analytics.error_capture import install_error_capture
    from app.analytics.telemetry_router import router as telemetry_router

    app = FastAPI()
    app.include_router(telemetry_router)
    install_error_capture(app)
except ImportError:
    logging.warning("no FastAPI: no API")
    app = None
""",
    ),
    (
        "app built in the try body, joining the package's imports there",
        """\
try:
    from fastapi import FastAPI

    from app.api import api_router

    app = FastAPI()
    app.include_router(api_router)
except ModuleNotFoundError:
    app = None
""",
        False,
        """\
try:
    from fastapi import FastAPI

    from app.analytics.telemetry_router import router as telemetry_router
    from app.api import api_router

    app = FastAPI()
    app.include_router(api_router)
    app.include_router(telemetry_router)
except ModuleNotFoundError:
    app = None
""",
    ),
    (
        "app built by a factory in a module importing FastAPI guarded",
        """\
try:
    from fastapi import FastAPI
except ImportError:  # pragma: no cover
    FastAPI = None


def create_app():
    if FastAPI is None:
        raise RuntimeError("FastAPI is not installed")
    app = FastAPI()
    return app
""",
        False,
        """\
try:
    from fastapi import FastAPI
except ImportError:  # pragma: no cover
    FastAPI = None


def create_app():
    from app.analytics.telemetry_router import router as telemetry_router

    if FastAPI is None:
        raise RuntimeError("FastAPI is not installed")
    app = FastAPI()
    app.include_router(telemetry_router)
    return app
""",
    ),
    (
        "app built in a try whose except builds none",
        """\
from fastapi import FastAPI

from app.api import api_router

try:
    app = FastAPI(lifespan=lifespan)
    app.include_router(api_router)
except TypeError:
    app = None
""",
        False,
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router
from app.api import api_router

try:
    app = FastAPI(lifespan=lifespan)
    app.include_router(api_router)
    app.include_router(telemetry_router)
except TypeError:
    app = None
""",
    ),
    (
        "app built under a setting without else",
        """\
from fastapi import FastAPI

from app.config import settings

if settings.SERVE_API:
    app = FastAPI()

    @app.get("/health")
    def health():
        return {"ok": True}
""",
        False,
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router
from app.config import settings

if settings.SERVE_API:
    app = FastAPI()
    app.include_router(telemetry_router)

    @app.get("/health")
    def health():
        return {"ok": True}
""",
    ),
    (
        # Every branch builds an app: wired once, after them all.
        "app built in each branch",
        """\
from fastapi import FastAPI

from app.config import settings

if settings.DEBUG:
    app = FastAPI(debug=True)
else:
    app = FastAPI()
app.include_router(api_router)
""",
        False,
        """\
from fastapi import FastAPI

from app.analytics.telemetry_router import router as telemetry_router
from app.config import settings

if settings.DEBUG:
    app = FastAPI(debug=True)
else:
    app = FastAPI()
app.include_router(api_router)
app.include_router(telemetry_router)
""",
    ),
]


@pytest.fixture(params=["\n", "\r\n"], ids=["lf", "crlf"])
def newline(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("source", "capture_errors", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_patch_main(source: str, capture_errors: bool, expected: str, newline: str) -> None:
    source = source.replace("\n", newline)
    expected = expected.replace("\n", newline)

    result = _patch(source, capture_errors=capture_errors)

    assert result.source == expected
    assert result.problems == ()
    assert bool(result.changes) == (expected != source)
    _assert_only_added_lines(source, result.source)
    if newline == "\r\n":
        assert "\n" not in result.source.replace("\r\n", "")
    again = _patch(result.source, capture_errors=capture_errors)
    assert again == PatchResult(result.source)


@pytest.mark.parametrize(
    ("source", "capture_errors", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_unwiring_gives_back_the_original(
    source: str, capture_errors: bool, expected: str, newline: str
) -> None:
    source = source.replace("\n", newline)
    patched = _patch(source, capture_errors=capture_errors).source
    removed = unwire_source(patched, module_name="app.main", analytics_package="app.analytics")
    if "analytics" not in source:
        assert removed.problems == ()
        assert removed.source == source
    else:
        # Wired (in part) by hand before generate ran: what is in the generated form comes out,
        # the rest is named for a person (it would not import once the layer is gone).
        again = unwire_source(
            removed.source, module_name="app.main", analytics_package="app.analytics"
        )
        assert again.source == removed.source
        assert again.problems == removed.problems


def test_turning_error_capture_off_takes_out_only_the_hook() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    wired = _patch(source).source
    without = unwire_source(
        wired, module_name="app.main", analytics_package="app.analytics", router=False
    )
    assert without.source == _patch(source, capture_errors=False).source
    assert without.changes == ("take out the error capture hook",)


def test_a_changed_include_is_kept_and_reported() -> None:
    wired = _patch("from fastapi import FastAPI\n\napp = FastAPI()\n").source
    changed = wired.replace(
        "app.include_router(telemetry_router)", 'app.include_router(telemetry_router, prefix="/t")'
    )
    result = unwire_source(changed, module_name="app.main", analytics_package="app.analytics")
    assert result.problems == (
        "app/main.py:7: the telemetry router's include is not as telemetry-scaffold wrote it "
        "(changed since, or written by hand); kept: take it out by hand, or rerun with --force",
    )
    assert 'app.include_router(telemetry_router, prefix="/t")' in result.source
    assert "from app.analytics.telemetry_router import router as telemetry_router" in result.source


def test_changes_describe_each_insertion() -> None:
    result = _patch("from fastapi import FastAPI\n\napp = FastAPI()\n")
    assert result.changes == (
        "import the telemetry router as `telemetry_router`",
        "include the telemetry router in `app`",
        "import `install_error_capture`",
        "install error capture on `app`",
    )


@pytest.mark.parametrize(
    ("source", "said"),
    [
        (
            "from fastapi import Depends, FastAPI\n\nfrom app.auth import token\n\n"
            "app = FastAPI(dependencies=[Depends(token)])\n",
            True,
        ),
        (
            "from fastapi import Depends, FastAPI\n\nfrom app.auth import token\n\n\n"
            "def create_app() -> FastAPI:\n    application = FastAPI(\n"
            '        title="x",\n        dependencies=[Depends(token)],\n    )\n'
            "    return application\n",
            True,
        ),
        ("from fastapi import FastAPI\n\napp = FastAPI(dependencies=[])\n", False),
        ("from fastapi import FastAPI\n\napp = FastAPI()\n", False),
    ],
)
def test_app_dependencies_are_said_to_guard_the_telemetry_routes(source: str, said: bool) -> None:
    # Every route of the app runs them, the telemetry router's too: a note, not a refusal.
    result = _patch(source)
    notes = [change for change in result.changes if "`dependencies=`" in change]
    assert len(notes) == int(said), result.changes
    # Said again once the app is wired (a note is said on every run), at its line then.
    again = _patch(result.source)
    repeated = [change for change in again.changes if "`dependencies=`" in change]
    assert [note.split(": ", 1)[1] for note in repeated] == [
        note.split(": ", 1)[1] for note in notes
    ]


def test_factory_changes_name_the_factory() -> None:
    source = (
        "from fastapi import FastAPI\n\n\ndef create_app():\n    app = FastAPI()\n    return app\n"
    )
    result = _patch(source, capture_errors=False)
    assert result.changes[-1] == "include the telemetry router in `app in create_app()`"


def test_free_name_for_error_capture() -> None:
    source = """\
from fastapi import FastAPI


def install_error_capture(app):
    pass


app = FastAPI()
"""
    result = _patch(source)
    assert (
        "\nfrom app.analytics.error_capture import install_error_capture as "
        "analytics_install_error_capture\n"
    ) in result.source
    assert result.source.endswith("analytics_install_error_capture(app)\n")
    assert _patch(result.source).source == result.source


def test_long_import_is_wrapped_like_ruff_format() -> None:
    package = "app." + "very_long_package_name_" * 3 + "analytics"
    result = patch_main(
        "from fastapi import FastAPI\n\napp = FastAPI()\n",
        module_name="app.main",
        analytics_package=package,
        capture_errors=False,
    )
    assert f"from {package}.telemetry_router import (\n    router as telemetry_router,\n)\n" in (
        result.source
    )


def test_absolute_import_when_relative_is_impossible() -> None:
    # The analytics package is outside the module's own package: only absolute works.
    source = "from fastapi import FastAPI\n\nfrom .routes import r\n\napp = FastAPI()\n"
    result = patch_main(
        source, module_name="main", analytics_package="telemetry.analytics", capture_errors=False
    )
    assert "\nfrom telemetry.analytics.telemetry_router import router as telemetry_router\n" in (
        result.source
    )


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("from fastapi import FastAPI\n\napp = FastAPI(\n", "syntax error at line 3, column"),
        ("def f(:\n    pass\n", "syntax error at line 1, column 7: invalid syntax"),
        ("app = 1\0\n", "syntax error: source code string cannot contain null bytes"),
        (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
            "no FastAPI app found: expected `app = FastAPI(...)` at module level or in a factory "
            "function",
        ),
        (
            # Not fastapi's FastAPI: nothing to wire.
            "from starlette.applications import Starlette as FastAPI\n\napp = FastAPI()\n",
            "no FastAPI app found",
        ),
        (
            "from fastapi import FastAPI\n\napp = FastAPI()\nadmin = FastAPI()\n",
            "app/main.py: several FastAPI apps (app (line 3), admin (line 4)); pick one with "
            'app = "app.main:<name>" in [tool.telemetry-scaffold]',
        ),
        (
            # The module serves the factory's app too (under its main guard): ambiguous.
            "from fastapi import FastAPI\n\napp = FastAPI()\n\n\ndef make():\n    app = FastAPI()\n"
            "    return app\n\n\nif __name__ == '__main__':\n    serve(make())\n",
            "app/main.py: several FastAPI apps (app (line 3), make (line 6)); pick one with "
            'app = "app.main:<name>"',
        ),
    ],
    ids=[
        "unclosed",
        "bad-def",
        "nul-byte",
        "no-app",
        "other-class",
        "two-apps",
        "module-and-called-factory",
    ],
)
def test_unpatchable_sources_raise(source: str, reason: str) -> None:
    with pytest.raises(PatchError) as caught:
        _patch(source)
    assert caught.value.message.startswith(reason)


@pytest.mark.parametrize(
    "tail",
    ["", "\n\nserver_target = 'app.main:app'\n"],
    ids=["bare", "named-variable"],
)
def test_module_variable_beside_an_unused_factory_is_the_app(tail: str) -> None:
    # `uvicorn app.main:app` and `fastapi run` serve the variable; nothing calls the
    # leftover factory, which a server could only reach by name with --factory.
    source = (
        "from fastapi import FastAPI\n\n\ndef build() -> FastAPI:\n    site = FastAPI()\n"
        "    return site\n\n\napp = FastAPI(title='served')\n" + tail
    )
    result = _patch(source, capture_errors=False)
    assert "app = FastAPI(title='served')\napp.include_router(telemetry_router)\n" in result.source
    assert "site.include_router" not in result.source


def test_factory_named_by_an_import_string_keeps_the_module_ambiguous() -> None:
    source = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\ndef make():\n    app = FastAPI()\n"
        "    return app\n\n\nTARGET = 'app.main:make'\n"
    )
    with pytest.raises(PatchError) as caught:
        _patch(source)
    assert caught.value.message.startswith("app/main.py: several FastAPI apps (app (line 3)")


def test_bundled_main_is_patched_and_compiles() -> None:
    # Holds before and after the lead runs `generate` on the bundled backend.
    source = MAIN_PY.read_text(encoding="utf-8")
    patched = _patch(source).source
    _assert_only_added_lines(source, patched)
    compile(patched, str(MAIN_PY), "exec")
    lines = patched.splitlines()
    for line in (
        "from app.analytics.error_capture import install_error_capture",
        "from app.analytics.telemetry_router import router as telemetry_router",
        "app.include_router(telemetry_router)",
        "install_error_capture(app)",
    ):
        assert lines.count(line) == 1
    assert _patch(patched) == PatchResult(patched)


MCP_SERVED = """\
from fastapi import FastAPI
{import_line}

from app.api import tools

app = FastAPI()
app.include_router(tools.router)

mcp = {call}
mcp.mount()
"""


@pytest.mark.parametrize(
    ("import_line", "call", "after"),
    [
        ("from fastapi_mcp import FastApiMCP", 'FastApiMCP(app, name="agent")', True),
        ("from fastapi_mcp import FastApiMCP as Mcp", "Mcp(fastapi=app)", True),
        ("import fastapi_mcp", "fastapi_mcp.FastApiMCP(app)", True),
        # FastMCP builds its server from the app's OpenAPI schema, as it is then.
        ("from fastmcp import FastMCP", 'FastMCP.from_fastapi(app=app, name="agent")', True),
        ("import fastmcp", "fastmcp.FastMCP.from_fastapi(app)", True),
        # A class of the project's own of that name takes nothing from the app.
        ("from app.agents import FastApiMCP", "FastApiMCP(app)", False),
    ],
    ids=["fastapi-mcp", "aliased-keyword", "module", "fastmcp", "fastmcp-module", "own-class"],
)
def test_an_mcp_server_made_from_the_app_leaves_the_layers_routes_out_of_its_tools(
    import_line: str, call: str, after: bool
) -> None:
    # FastApiMCP makes the routes the app has when it is made its tools: the telemetry routes,
    # included after it, are not offered to agents as tools.
    source = MCP_SERVED.format(import_line=import_line, call=call)
    result = _patch(source)
    lines = result.source.splitlines()
    made = next(number for number, line in enumerate(lines) if line.startswith("mcp = "))
    included = lines.index("app.include_router(telemetry_router)")
    assert (included == made + 1) if after else (included < made), result.source
    assert lines[included + 1] == "install_error_capture(app)"
    _assert_only_added_lines(source, result.source)
