"""fastapi-mcp: ``FastApiMCP(app)`` makes the routes the app has by then the tools of its server.

The layer's own routes are wired after that call, so agents are not offered the telemetry
endpoints as tools; also when a factory builds the app and its caller makes the MCP server
(the same rule as a ``Versionizer`` its caller makes: the layer goes where the caller has the app).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from tests.cli_support import run
from tests.route_support import line_of, routes_by_handler, versioned_project

TOOLS_PY = '''"""Tools the agents may call."""

from fastapi import APIRouter

router = APIRouter(prefix="/tools")


@router.get("/weather")
async def weather() -> dict[str, str]:
    return {"sky": "clear"}
'''

FACTORY_PY = """from fastapi import FastAPI

from app.api import tools


def create_app() -> FastAPI:
    application = FastAPI(title="Agents")
    application.include_router(tools.router, prefix="/api")
    return application
"""

MADE_BY_THE_CALLER = """from fastapi_mcp import FastApiMCP

from app.factory import create_app

app = create_app()
mcp = FastApiMCP(app, name="agents")
mcp.mount()
"""

# The same, the caller a function the server runs (`uvicorn.run(serve())` is not needed: a
# factory returning the app it made the MCP server of).
MADE_IN_A_CALLING_FACTORY = """from fastapi import FastAPI
from fastapi_mcp import FastApiMCP

from app.factory import create_app


def build() -> FastAPI:
    app = create_app()
    FastApiMCP(app).mount()
    return app
"""

# The same, made only when the module runs as a script.
MADE_UNDER_THE_MAIN_GUARD = """import uvicorn
from fastapi_mcp import FastApiMCP

from app.factory import create_app

if __name__ == "__main__":
    app = create_app()
    FastApiMCP(app).mount()
    uvicorn.run(app)
"""

# An aliased import, the app passed by keyword.
ALIASED = MADE_BY_THE_CALLER.replace(
    "from fastapi_mcp import FastApiMCP\n", "from fastapi_mcp import FastApiMCP as Mcp\n"
).replace('FastApiMCP(app, name="agents")', "Mcp(fastapi=app)")


# Imported through the project's own package, under a name of its own.
REEXPORTED = MADE_BY_THE_CALLER.replace(
    "from fastapi_mcp import FastApiMCP\n", "from app.core import mcp_for as M\n"
).replace("FastApiMCP(app,", "M(app,")
# The package re-exporting it: `app/core/__init__.py`, from a module of its own.
CORE = {
    "core/__init__.py": "from app.core.mcp import mcp_for\n",
    "core/mcp.py": "from fastapi_mcp import FastApiMCP as mcp_for\n",
}


@pytest.mark.parametrize(
    ("main", "made"),
    [
        (MADE_BY_THE_CALLER, "mcp = FastApiMCP("),
        (MADE_IN_A_CALLING_FACTORY, "FastApiMCP(app).mount()"),
        (MADE_UNDER_THE_MAIN_GUARD, "    FastApiMCP(app).mount()"),
        (ALIASED, "mcp = Mcp("),
        (REEXPORTED, "mcp = M("),
    ],
    ids=["module", "calling-factory", "main-guard", "aliased", "re-exported"],
)
def test_an_mcp_server_the_factorys_caller_makes_leaves_the_layer_out_of_its_tools(
    tmp_path: Path, main: str, made: str
) -> None:
    # Wired inside the factory, the telemetry routes would be there when FastApiMCP takes the
    # app's routes: offered to agents as tools.
    root = versioned_project(tmp_path, main, "tools", TOOLS_PY)
    for name, text in CORE.items():
        (root / "backend/app" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "backend/app" / name).write_text(text)
    (root / "backend/app/factory.py").write_text(FACTORY_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (root / "backend/app/factory.py").read_text() == FACTORY_PY
    lines = (root / "backend/app/main.py").read_text().splitlines()
    included = line_of(lines, "app.include_router(telemetry_router)")
    assert included == line_of(lines, made) + 1, "\n".join(lines)
    assert line_of(lines, "install_error_capture(app)") == included + 1
    # The routes of the factory's routers keep their prefixes.
    assert routes_by_handler(root / "backend/app/api/tools.py") == {"weather": "/api/tools/weather"}
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == main


# fastapi-mcp 0.4 prefers mount_http(); real code still says mount().
@pytest.mark.filterwarnings("ignore:mount:DeprecationWarning")
def test_the_mcp_tools_of_the_patched_app_are_its_own_routes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library itself, when installed: its tools are the app's routes, not the layer's.
    pytest.importorskip("fastapi_mcp")
    root = versioned_project(tmp_path, MADE_BY_THE_CALLER, "tools", TOOLS_PY)
    (root / "backend/app/factory.py").write_text(FACTORY_PY)
    assert run("generate", "--root", str(root)).exit_code == 0
    monkeypatch.syspath_prepend(str(root / "backend"))
    # The project's `app` package, imported apart from any other test's (and dropped after).
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    for name in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
        del sys.modules[name]
    main = importlib.import_module("app.main")
    tools = {tool.name for tool in main.mcp.tools}
    assert tools == {"weather_api_tools_weather_get"}
    # The layer's routes are served all the same.
    paths = set(main.app.openapi()["paths"])
    assert "/api/tools/weather" in paths and any("telemetry" in path for path in paths), paths
