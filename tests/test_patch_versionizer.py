"""fastapi-versionizer: ``Versionizer(app=app, prefix_format=...).versionize()`` versions in place.

Unlike fastapi-versioning it builds no app to serve: the routes the app has when the
``Versionizer`` is made are taken off its root and served again, each under the prefix of its
version (``@api_version(major, minor)``; 1.0, or ``default_version=``, without one). Its 3.x
returned a copy (``app, versions = Versionizer(app=app).versionize()``) that does the same. What
is added to the app after the call stays at its root: the telemetry router and error capture go
there, or the layer's own endpoints would only answer under a version prefix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run
from tests.route_support import line_of, routes_by_handler, versioned_project

TICKETS_PY = '''"""Tickets, in two versions."""

from fastapi import APIRouter
from fastapi_versionizer.versionizer import api_version

router = APIRouter(prefix="/tickets")


@router.get("/")
async def list_tickets() -> list[str]:
    return []


@api_version(2)
@router.get("/{ticket_id}")
async def get_ticket(ticket_id: int) -> dict[str, int]:
    return {"id": ticket_id}


@router.post("/close")
@api_version(major=1, minor=1)
async def close() -> dict[str, str]:
    return {}
'''

IN_PLACE = """from fastapi import FastAPI
from fastapi_versionizer.versionizer import Versionizer

from app.api import tickets

app = FastAPI(title="Desk")
app.include_router(tickets.router, prefix="/api")

versions = Versionizer(
    app=app,
    prefix_format="/v{major}",
    semantic_version_format="{major}",
    latest_prefix="/latest",
).versionize()


@app.get("/ping")
async def ping() -> str:
    return "pong"
"""

# fastapi-versionizer 3.x: `versionize()` returned a versioned copy of the app and the versions.
RETURNED_COPY = IN_PLACE.replace("versions = Versionizer(", "app, versions = Versionizer(")


def _project(tmp_path: Path, main: str) -> Path:
    return versioned_project(tmp_path, main, "tickets", TICKETS_PY)


@pytest.mark.parametrize("main", [IN_PLACE, RETURNED_COPY], ids=["in-place", "returned-copy"])
def test_routes_are_logged_under_their_version_and_the_layer_stays_at_the_root(
    tmp_path: Path, main: str
) -> None:
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/tickets.py") == {
        "list_tickets": "/v1/api/tickets/",
        "get_ticket": "/v2/api/tickets/{ticket_id}",
        "close": "/v1/api/tickets/close",  # prefix_format has no {minor}
    }
    # Declared after the call: served at the root, not under a version.
    assert routes_by_handler(root / "backend/app/main.py") == {"ping": "/ping"}
    lines = (root / "backend/app/main.py").read_text().splitlines()
    versioned = line_of(lines, ").versionize()")
    assert line_of(lines, "app.include_router(telemetry_router)") > versioned
    assert line_of(lines, "install_error_capture(app)") > versioned
    said = [line for line in result.stdout.splitlines() if "`Versionizer`" in line]
    assert len(said) == 1 and "backend/app/main.py:9" in said[0], result.stdout
    assert "/latest" in said[0]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main
    assert (root / "backend/app/api/tickets.py").read_text() == TICKETS_PY


FACTORY_PY = """from fastapi import FastAPI


def create_app() -> FastAPI:
    return_value = FastAPI(title="Desk")
    return return_value
"""

VERSIONED_WHERE_THE_FACTORY_IS_CALLED = """from fastapi_versionizer import Versionizer

from app.api import tickets
from app.factory import create_app

app = create_app()
app.include_router(tickets.router, prefix="/api")
Versionizer(app=app, prefix_format="/v{major}").versionize()
"""


# The same, the variable annotated (`app: FastAPI = create_app()`).
ANNOTATED_WHERE_THE_FACTORY_IS_CALLED = VERSIONED_WHERE_THE_FACTORY_IS_CALLED.replace(
    "from fastapi_versionizer", "from fastapi import FastAPI\nfrom fastapi_versionizer"
).replace("app = create_app()", "app: FastAPI = create_app()")


# The same, imported through the package's own module under a name of its own.
RE_EXPORTED_WHERE_THE_FACTORY_IS_CALLED = VERSIONED_WHERE_THE_FACTORY_IS_CALLED.replace(
    "from fastapi_versionizer import Versionizer\n", "from app.core import versions_of as V\n"
).replace("Versionizer(app=app", "V(app=app")


@pytest.mark.parametrize(
    "main",
    [
        VERSIONED_WHERE_THE_FACTORY_IS_CALLED,
        ANNOTATED_WHERE_THE_FACTORY_IS_CALLED,
        RE_EXPORTED_WHERE_THE_FACTORY_IS_CALLED,
    ],
    ids=["plain", "annotated", "re-exported"],
)
def test_an_app_a_factory_builds_and_its_caller_versions_is_wired_after_the_call(
    tmp_path: Path, main: str
) -> None:
    # Wired inside the factory, the layer would be versioned with the app's routes.
    root = _project(tmp_path, main)
    (root / "backend/app/core").mkdir()
    (root / "backend/app/core/__init__.py").write_text(
        "from fastapi_versionizer import Versionizer as versions_of\n"
    )
    (root / "backend/app/factory.py").write_text(FACTORY_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (root / "backend/app/factory.py").read_text() == FACTORY_PY
    lines = (root / "backend/app/main.py").read_text().splitlines()
    versioned = line_of(lines, ").versionize()")
    assert line_of(lines, "app.include_router(telemetry_router)") == versioned + 1
    assert line_of(lines, "install_error_capture(app)") == versioned + 2
    assert (
        routes_by_handler(root / "backend/app/api/tickets.py")["get_ticket"]
        == "/v2/api/tickets/{ticket_id}"
    )
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main


def test_a_telemetry_router_included_before_the_call_is_said(tmp_path: Path) -> None:
    # As an earlier version wired it: the layer's routes are versioned with the app's.
    wired_before = IN_PLACE.replace(
        'app.include_router(tickets.router, prefix="/api")\n',
        'app.include_router(tickets.router, prefix="/api")\napp.include_router(telemetry_router)\n',
    ).replace(
        "from app.api import tickets\n",
        "from app.analytics.telemetry_router import router as telemetry_router\n"
        "from app.api import tickets\n",
    )
    root = _project(tmp_path, wired_before)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    said = [line for line in result.stdout.splitlines() if "before `Versionizer" in line]
    assert len(said) == 1 and "backend/app/main.py:9" in said[0], result.stdout
    assert "(line 11)" in said[0] and "move it below" in said[0]


# Versionizer is recognised by what the name imports, not by how it is spelled.
ALIASED = IN_PLACE.replace("import Versionizer\n", "import Versionizer as Versioned\n").replace(
    "versions = Versionizer(", "versions = Versioned("
)
MODULE_ALIASED = IN_PLACE.replace(
    "from fastapi_versionizer.versionizer import Versionizer\n",
    "import fastapi_versionizer as fv\n",
).replace("versions = Versionizer(", "versions = fv.Versionizer(")


@pytest.mark.parametrize("main", [ALIASED, MODULE_ALIASED], ids=["name-alias", "module-alias"])
def test_an_aliased_versionizer_is_wired_after_and_versions_the_routes(
    tmp_path: Path, main: str
) -> None:
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/tickets.py")["get_ticket"] == (
        "/v2/api/tickets/{ticket_id}"
    )
    lines = (root / "backend/app/main.py").read_text().splitlines()
    versioned = line_of(lines, ").versionize()")
    assert line_of(lines, "app.include_router(telemetry_router)") > versioned
    assert line_of(lines, "install_error_capture(app)") > versioned
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main


# A class of the user's own that happens to be called `Versionizer` versions nothing.
OWN_VERSIONIZER = """class Versionizer:
    def __init__(self, app: object, prefix_format: str) -> None:
        self.app = app

    def versionize(self) -> None:
        return None
"""


@pytest.mark.parametrize("where", ["imported", "defined"])
def test_a_versionizer_of_the_users_own_moves_nothing(tmp_path: Path, where: str) -> None:
    main = VERSIONED_WHERE_THE_FACTORY_IS_CALLED.replace(
        "from fastapi_versionizer import Versionizer\n",
        "from app.tools import Versionizer\n" if where == "imported" else "",
    )
    if where == "defined":
        main = main.replace("app = create_app()", f"{OWN_VERSIONIZER}\n\napp = create_app()")
    root = _project(tmp_path, main)
    (root / "backend/app/factory.py").write_text(FACTORY_PY)
    (root / "backend/app/tools.py").write_text(OWN_VERSIONIZER)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Versionizer" not in result.stdout
    assert routes_by_handler(root / "backend/app/api/tickets.py")["get_ticket"] == (
        "/api/tickets/{ticket_id}"
    )
    # The app is wired where it is built, in the factory, as with no versioning at all.
    assert (root / "backend/app/main.py").read_text() == main
    assert "include_router(telemetry_router)" in (root / "backend/app/factory.py").read_text()
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/factory.py").read_text() == FACTORY_PY


# The package's own module re-exports the library's names (`from app.core import Versionizer`).
CORE_INIT = (
    "from fastapi_versionizer.versionizer import Versionizer, api_version\n\n"
    '__all__ = ["Versionizer", "api_version"]\n'
)
RE_EXPORTED = IN_PLACE.replace(
    "from fastapi_versionizer.versionizer import Versionizer\n",
    "from app.core import Versionizer\n",
)
RE_EXPORTED_ALIASED = ALIASED.replace(
    "from fastapi_versionizer.versionizer import", "from app.core import"
)


@pytest.mark.parametrize("main", [RE_EXPORTED, RE_EXPORTED_ALIASED], ids=["same-name", "alias"])
def test_a_versionizer_re_exported_by_the_package_versions_the_routes(
    tmp_path: Path, main: str
) -> None:
    root = versioned_project(
        tmp_path,
        main,
        "tickets",
        TICKETS_PY.replace("from fastapi_versionizer.versionizer import", "from app.core import"),
    )
    (root / "backend/app/core").mkdir()
    (root / "backend/app/core/__init__.py").write_text(CORE_INIT)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/tickets.py") == {
        "list_tickets": "/v1/api/tickets/",
        "get_ticket": "/v2/api/tickets/{ticket_id}",
        "close": "/v1/api/tickets/close",
    }
    lines = (root / "backend/app/main.py").read_text().splitlines()
    versioned = line_of(lines, ").versionize()")
    assert line_of(lines, "app.include_router(telemetry_router)") > versioned
    assert line_of(lines, "install_error_capture(app)") > versioned
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main
