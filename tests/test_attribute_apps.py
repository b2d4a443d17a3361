"""Apps a class builds as an attribute (`self.web = FastAPI()`): named where a module holds one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import run, snapshot, write_files

VIEWS = """from fastapi import APIRouter

router = APIRouter()


@router.get("/notes")
async def notes() -> list[str]:
    return []
"""

SERVICE = """from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self, token: str) -> None:
        self.token = token
        self.web = FastAPI(title="relay")
        self.web.include_router(router)
"""


def test_a_module_holding_a_class_built_app_without_naming_fastapi_is_the_app(
    tmp_path: Path,
) -> None:
    """`app = Relay(token).web` in a module that never writes `FastAPI`: that variable is what
    a server imports, so `init` names it (not the class attribute, which no server can import).
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": SERVICE,
            "relay/serve.py": (
                "import os\n\nfrom relay.service import Relay\n\n"
                'app = Relay(os.environ.get("TOKEN", "")).web\n'
            ),
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "relay.serve:app"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in notes (GET /notes)" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


ASGI_WRAPPER = """from typing import Any

from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self, title: str) -> None:
        self.web = FastAPI(title=title)
        self.web.include_router(router)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.web(scope, receive, send)
"""


def test_an_instance_held_by_another_module_names_the_app(tmp_path: Path) -> None:
    """`service = Relay("relay")` in `serve.py`, the class (an ASGI wrapper serving `self.web`)
    in `service.py`: `init` names the app `relay.serve:service.web`, the path a server follows
    from the module holding the instance, instead of refusing it as held by no variable."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": ASGI_WRAPPER,
            "relay/serve.py": 'from relay.service import Relay\n\nservice = Relay("relay")\n',
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "relay.serve:service.web"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in notes (GET /notes)" in generated.stdout
    assert "include the telemetry router in `self.web" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


SINGLETON = """from fastapi import APIRouter, FastAPI

_relay = None


class Relay:
    def __init__(self) -> None:
        self.web = FastAPI(title="relay")

    def register_router(self, router: APIRouter, prefix: str = "") -> None:
        self.web.include_router(router, prefix=prefix)


def get_relay() -> Relay:
    global _relay
    if _relay is None:
        _relay = Relay()
    return _relay
"""


def test_an_app_read_on_a_singleton_getter_is_the_app(tmp_path: Path) -> None:
    """`app = get_relay().web`, `get_relay() -> Relay` building the instance once: `init` names
    that variable, and a router registered through the instance's method on what the getter
    returns (`get_relay().register_router(router, prefix="/plugin")`) is logged under that
    prefix."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": SINGLETON,
            "relay/plugin.py": (
                "from relay.service import get_relay\nfrom relay.views import router\n\n"
                'get_relay().register_router(router, prefix="/plugin")\n'
            ),
            "relay/serve.py": (
                "import relay.plugin  # noqa: F401\nfrom relay.service import get_relay\n\n"
                "app = get_relay().web\n"
            ),
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "relay.serve:app"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in notes (GET /plugin/notes)" in generated.stdout
    assert "not followed" not in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_an_instance_of_a_subclass_names_the_app_its_base_builds(tmp_path: Path) -> None:
    """`service = LocalRelay("relay")` of `class LocalRelay(Relay)`, adding no constructor:
    the instance holds the `self.web` its base builds, so `init` names the app
    `relay.serve:service.web` instead of refusing it as held by no variable."""
    root = tmp_path / "project"
    serve = (
        "from relay.service import Relay\n\n\nclass LocalRelay(Relay):\n"
        '    """Served on a developer\'s machine."""\n\n\nservice = LocalRelay("relay")\n'
    )
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": ASGI_WRAPPER,
            "relay/serve.py": serve,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "relay.serve:service.web"' in (root / "pyproject.toml").read_text()


SELF_RUNNING = """import uvicorn
from fastapi import FastAPI

from relay.views import router


class Server:
    def __init__(self) -> None:
        self.web = FastAPI()
        self.web.include_router(router)

    def run(self) -> None:
        uvicorn.run(self.web, host="0.0.0.0")


if __name__ == "__main__":
    Server().run()
"""


@pytest.mark.parametrize(
    ("service", "owner"),
    [
        pytest.param(SERVICE, "Relay", id="built-only"),
        # `Server().run()` serves `self.web` itself: a server does run it, by no import string.
        pytest.param(SELF_RUNNING, "Server", id="serving-itself"),
    ],
)
def test_an_app_only_a_class_holds_is_said_with_the_fix(
    tmp_path: Path, service: str, owner: str
) -> None:
    """No module variable holds `Relay(...).web`: `init` says so (exit 2) and writes nothing,
    instead of an `app` key (`relay.service:Relay.web`) that names no importable object."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": service,
        },
    )
    planned = snapshot(root)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 2, initialised.stdout + initialised.stderr
    assert initialised.stderr == (
        f"error: relay/service.py:9: the app is built in a class (self.web in {owner}.__init__()) "
        "and no module variable holds it, so no import string (module:variable, what the app key "
        f"takes) can name it; hold it in one (app = {owner}(...).web), then run again\n"
    )
    assert snapshot(root) == planned


LIBRARY_APP_MAIN = """from nicegui import app, ui
from shelf import api

app.include_router(api.router)


@ui.page("/")
def index() -> None:
    ui.label("shelf")
"""


def test_an_app_a_library_builds_is_wired_when_the_app_key_names_it(tmp_path: Path) -> None:
    """`from nicegui import app`: a library builds the app and the module only imports it. Named
    by the `app` key, it is wired after the module's imports (not refused as missing), and
    `remove` gives back the original bytes."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\n'
                'app = "main:app"\ninstrument = { "shelf/api.py" = "ai_block_used" }\n'
            ),
            "main.py": LIBRARY_APP_MAIN,
            "shelf/__init__.py": "",
            "shelf/api.py": VIEWS,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert (root / "main.py").read_text() == (
        "from nicegui import app, ui\n"
        "from analytics.error_capture import install_error_capture\n"
        "from analytics.telemetry_router import router as telemetry_router\n"
        "from shelf import api\n"
        "\n"
        "app.include_router(api.router)\n"
        "app.include_router(telemetry_router)\n"
        "install_error_capture(app)\n"
        + LIBRARY_APP_MAIN.partition("app.include_router(api.router)\n")[2]
    )
    assert "log call in notes (GET /notes)" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


@pytest.mark.parametrize(
    ("imported", "files"),
    [
        ("from shelf.gone import app\n", {"shelf/__init__.py": ""}),
        # A namespace package (no `__init__.py`) whose module has no such name.
        ("from shelf.api import app\n", {"shelf/api.py": VIEWS}),
    ],
    ids=["missing-module", "namespace-module-without-it"],
)
def test_an_app_imported_from_a_missing_backend_module_is_still_refused(
    tmp_path: Path, imported: str, files: dict[str, str]
) -> None:
    """Only a name from outside the backend is taken on trust: `from shelf.gone import app`,
    a module the backend lacks, or `from shelf.api import app`, a module of the backend without
    it, stays a one-line refusal (exit 2) that writes nothing."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\napp = "main:app"\n'
            ),
            "main.py": imported,
            **files,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 2
    assert "main.py has no top-level `app`" in generated.stderr
    assert snapshot(root) == planned


LIBRARY_APP_ROUTES_MAIN = """from nicegui import app, ui


@app.get("/api/status")
def status() -> dict[str, str]:
    return {"state": "up"}


@ui.page("/")
def index() -> None:
    ui.label("shelf")
"""


def test_routes_declared_on_an_app_a_library_builds_are_logged_as_served(tmp_path: Path) -> None:
    """`from nicegui import app` named by the `app` key, then `@app.get("/api/status")`: the
    app served is that object, so the route is one of its own, logged with its path (it was
    reported as a route on an object the tool cannot tell is an app, and left without a call).
    Another library's decorator (`@ui.page`) stays no route."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\n'
                'app = "main:app"\ninstrument = { "main.py" = "ai_block_used" }\n'
            ),
            "main.py": LIBRARY_APP_ROUTES_MAIN,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in status (GET /api/status)" in generated.stdout
    assert "cannot be told" not in generated.stdout
    assert "index" not in generated.stdout
    assert '"route": "/api/status"' in (root / "main.py").read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


WRAPPED_APP_MAIN = """from catalog.api import StacApi, build_app

{binding}


@app.get("/health")
def health() -> dict[str, str]:
    return {{"status": "OK"}}
"""

WRAPPED_APP_EXTRA = """from main import app


@app.post("/collections/{collection_id}/refresh")
def refresh(collection_id: str) -> dict[str, str]:
    return {"refreshed": collection_id}
"""


@pytest.mark.parametrize(
    "binding",
    ["api = StacApi(title='maps')\napp = api.app", "app = build_app(title='maps')"],
    ids=["library-wrapper-attribute", "library-call"],
)
def test_routes_on_the_served_variable_a_library_fills_are_logged(
    tmp_path: Path, binding: str
) -> None:
    """`app = api.app` of a library's wrapper object (stac-fastapi's `StacApi`), or `app =
    build_app()` of a library, named by the `app` key: the variable holds the app served, so
    the routes declared on it, there or in a module importing it, are its own (they were reported
    as routes on an object the tool cannot tell is an app, and `init` suggested no module)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\napp = "main:app"\n'
                'instrument = { "main.py" = "ai_block_used", "extra.py" = "ai_block_used" }\n'
            ),
            "main.py": WRAPPED_APP_MAIN.format(binding=binding) + "\nimport extra  # noqa\n",
            "extra.py": WRAPPED_APP_EXTRA,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert "log call in health (GET /health)" in out, out
    assert "log call in refresh (POST /collections/{collection_id}/refresh)" in out, out
    assert "cannot be told" not in out
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


CHAINED_APP_MAIN = """from fastapi import APIRouter, FastAPI

from kitchen import recipes

application = app = FastAPI(title="kitchen")
api = v1 = APIRouter(prefix="/v1")
v1.include_router(recipes.router)
application.include_router(api)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "OK"}
"""

RECIPES = """from fastapi import APIRouter

router = APIRouter(prefix="/recipes")


@router.post("/parse")
def parse(text: str) -> dict[str, str]:
    return {"parsed": text}
"""


@pytest.mark.parametrize("served", ["application", "app"])
def test_the_names_of_a_chained_assignment_are_one_app(tmp_path: Path, served: str) -> None:
    """`application = app = FastAPI()` (Elastic Beanstalk serves `application`), routes on
    `app` and includes on `application`, and a router named twice alike: one app whichever name
    the plan serves. `init` suggests both route modules and the routes are logged with their
    full paths (the other name was read as another app no server serves)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "kitchen"\n',
            "Procfile": f"web: gunicorn kitchen.main:{served} -k uvicorn.workers.UvicornWorker\n",
            "kitchen/__init__.py": "",
            "kitchen/main.py": CHAINED_APP_MAIN,
            "kitchen/recipes.py": RECIPES,
        },
    )
    planned = run("init", "--root", str(root))
    assert planned.exit_code == 0, planned.stdout + planned.stderr
    plan = (root / "pyproject.toml").read_text()
    assert f'app = "kitchen.main:{served}"' in plan, plan
    assert '# "main.py" = "ai_block_used"  # 1 route handler' in plan, plan
    assert '# "recipes.py" = "ai_block_used"  # 1 route handler' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    before = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert "log call in health (GET /health)" in out, out
    assert "log call in parse (POST /v1/recipes/parse)" in out, out
    assert "not the app served" not in out and "not by the app served" not in out, out
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


LOCAL_THEN_HELD = """import uvicorn
from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self, token: str) -> None:
        self.token = token
        web = FastAPI(title="relay")
        web.include_router(router, prefix="/api")
        self.web = web

    def run(self) -> None:
        uvicorn.run(self.web, port=8000)


if __name__ == "__main__":
    Relay("secret").run()
"""


def test_an_app_a_method_builds_in_a_variable_then_holds_is_wired_in_that_method(
    tmp_path: Path,
) -> None:
    """`web = FastAPI(); web.include_router(...); self.web = web`, run by a method of the class:
    the layer goes in that method after the last include (it was refused as no app found, with
    an `app` key to set that names nothing importable), the routes keep their prefixes."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "relay"\n'
                'instrument = { "views.py" = "ai_block_used" }\n'
            ),
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/main.py": LOCAL_THEN_HELD,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in notes (GET /api/notes)" in generated.stdout
    assert "include the telemetry router in `web in Relay.__init__()`" in generated.stdout
    lines = (root / "relay/main.py").read_text().splitlines()
    included = lines.index("        web.include_router(telemetry_router)")
    assert lines[included - 1] == '        web.include_router(router, prefix="/api")'
    assert lines[included + 1] == "        install_error_capture(web)"
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


LIBRARY_ROUTERS_MAIN = """from catalog.api import StacApi
from tilekit import TilerFactory

from items import router

api = StacApi(title="maps")
app = api.app

cog = TilerFactory(router_prefix="/cog")


@cog.router.get("/{z}/{x}/{y}")
def tile(z: int, x: int, y: int) -> dict[str, int]:
    return {"z": z}


app.include_router(cog.router, prefix="/cog")
app.include_router(router, prefix="/api")
"""

ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
def item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""


def test_routers_included_by_the_served_variable_and_a_library_objects_router(
    tmp_path: Path,
) -> None:
    """`app = api.app` (a library fills it) including routers: their routes are served under
    the include prefixes. And `cog = TilerFactory()` of a library, routes added on `cog.router`
    and `app.include_router(cog.router, prefix="/cog")`: the include says it is a router, its
    own prefix (the library's) is read at run time. Both were reported as included by, or
    declared on, an object the tool cannot tell (`--check` then failed)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "."\napp-package = ""\napp = "main:app"\n'
                'instrument = { "main.py" = "ai_block_used", "items.py" = "ai_block_used" }\n'
            ),
            "main.py": LIBRARY_ROUTERS_MAIN,
            "items.py": ITEMS,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert 'log call in tile (GET "/cog" + cog.router.prefix + "/{z}/{x}/{y}")' in out, out
    assert "log call in item (GET /api/items/{item_id})" in out, out
    assert "cannot tell" not in out and "cannot be told" not in out, out
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


LIBRARY_HELD_APP = """from stac_fastapi.api.app import StacApi
from stac_fastapi.pgstac.core import CoreCrudClient

from maps.routes import router

api = StacApi(client=CoreCrudClient())
{binding}
app.include_router(router, prefix="/extra")


@app.get("/health")
def health() -> dict[str, str]:
    return {{"status": "OK"}}
"""

EXTRA_ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/items/{item_id}")
def item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""


@pytest.mark.parametrize(
    "binding",
    [
        "app = api.app",
        "app = api.fastapi\napp.add_middleware(object)",
    ],
    ids=["named-app", "app-only-use"],
)
def test_init_finds_an_app_a_library_builds_that_the_module_routes(
    tmp_path: Path, binding: str
) -> None:
    """`app = api.app` (stac-fastapi's `StacApi` builds it) in a module that never writes
    `FastAPI`, no run file naming it: the module routes the variable as an app, so `init` names
    it (it said "no FastAPI app found"), and the plan it writes generates cleanly."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "maps"\n',
            "maps/__init__.py": "",
            "maps/app.py": LIBRARY_HELD_APP.format(binding=binding),
            "maps/routes.py": EXTRA_ROUTES,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "maps.app:app"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "routes.py"', '"routes.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in item (GET /extra/items/{item_id})" in " ".join(generated.stdout.split())
    assert run("generate", "--root", str(root), "--check").exit_code == 0


LIBRARY_ROUTER_IN_A_FACTORY = """from fastapi import FastAPI
from tilekit import TilerFactory


def create_app() -> FastAPI:
    app = FastAPI(title="tiles")
    cog = TilerFactory()

    @cog.router.get("/custom/{z}/{x}/{y}")
    def custom_tile(z: int, x: int, y: int) -> dict[str, int]:
        return {"z": z}

    app.include_router(cog.router, prefix="/cog")
    return app


app = create_app()
"""


def test_routes_on_a_library_objects_router_built_in_an_app_factory_are_logged(
    tmp_path: Path,
) -> None:
    """`cog = TilerFactory()` of a library inside `create_app()`, routes on `cog.router` and
    its include there: `init` offers the module and its route is logged under the include
    prefix and the router's run-time prefix (it was found by neither)."""
    root = tmp_path / "project"
    write_files(
        root,
        {"pyproject.toml": '[project]\nname = "tiles"\n', "main.py": LIBRARY_ROUTER_IN_A_FACTORY},
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert '# "main.py" = "ai_block_used"  # 1 route handler' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "main.py"', '"main.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert 'log call in custom_tile (GET "/cog" + cog.router.prefix + "/custom/{z}/{x}/{y}")' in (
        out
    ), out
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


SERVED_BY_METHOD = """import uvicorn
from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self, port: int) -> None:
        self.port = port
        self._app = FastAPI()

    def serve(self) -> None:
        self._app.include_router(router)
        server = uvicorn.Server(uvicorn.Config(app=self._app, port=self.port))
        server.run()


def run(port: int) -> None:
    api = Relay(port)
    api.serve()
"""

SERVED_BY_FUNCTION = """import uvicorn
from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self) -> None:
        self._app = FastAPI()
        self._app.include_router(router)


def run(port: int) -> None:
    api = Relay()
    uvicorn.run(api._app, port=port)
"""


SERVED_AFTER_A_BUILD = """import uvicorn
from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self) -> None:
        self._app = None

    def build(self):
        self._app = FastAPI()
        self._app.include_router(router)
        return self._app

    def serve(self, port: int) -> None:
        app = self.build()
        uvicorn.run(app, port=port)


def run(port: int) -> None:
    server = Relay()
    server.serve(port)
"""


@pytest.mark.parametrize(
    ("service", "built_in"),
    [
        pytest.param(SERVED_BY_METHOD, "__init__", id="instance-method-serves"),
        pytest.param(SERVED_BY_FUNCTION, "__init__", id="function-serves-attribute"),
        # `app = self.build()`, `build` setting `self._app` and returning it, then served.
        pytest.param(SERVED_AFTER_A_BUILD, "build", id="method-serves-what-another-builds"),
    ],
)
def test_a_start_function_serving_an_instance_app_is_named_and_wired(
    tmp_path: Path, service: str, built_in: str
) -> None:
    """`def run(port): api = Relay(port); api.serve()`, `serve` handing `self._app` to uvicorn
    (or `uvicorn.run(api._app)` in `run`): no import string names the app, but a call of `run`
    runs it, so `init` names the function (as for `def main(): app = FastAPI();
    uvicorn.run(app)`) instead of stopping, and generate wires the app where the class builds
    it; check is green and `remove` gives back the original bytes."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": service,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "relay.service:run"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in notes (GET /notes)" in generated.stdout
    assert f"include the telemetry router in `self._app in Relay.{built_in}()`" in generated.stdout
    patched = (root / "relay/service.py").read_text()
    assert patched.count("self._app.include_router(telemetry_router)") == 1
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


LIBRARY_MADE_ROUTER = """from authkit import Users

users = Users[dict, int]()

router = users.get_users_router()


@router.get("/me/stats")
def my_stats() -> dict[str, int]:
    return {"n": 1}
"""

AUTHKIT = """from typing import Any

from fastapi import APIRouter


class Users:
    def __class_getitem__(cls, item: Any) -> type["Users"]:
        return cls

    def get_users_router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/{user_id}")
        def get_user(user_id: int) -> dict[str, int]:
            return {"id": user_id}

        return router
"""


def test_routes_added_to_a_router_a_library_object_returns_are_logged(tmp_path: Path) -> None:
    """`router = users.get_users_router()` (`users = Users[User, int]()` of a library, as
    fastapi-users' routers are made), a route of the package added on it, and
    `app.include_router(accounts.router, prefix="/users")`: the include says it is a router,
    its own prefix (the library's) is read at run time; it was refused as a route on an object
    the tool cannot tell."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\ninstrument = { "accounts.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import accounts\n\napp = FastAPI()\n"
                'app.include_router(accounts.router, prefix="/users")\n'
            ),
            "backend/app/accounts.py": LIBRARY_MADE_ROUTER,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert 'log call in my_stats (GET "/users" + router.prefix + "/me/stats")' in out, out
    assert "cannot be told" not in out, out
    write_files(tmp_path / "library", {"authkit.py": AUTHKIT})
    sys.path.insert(0, str(tmp_path / "library"))
    try:
        with imported_app(root / "backend") as served:
            client = TestClient(served.app)
            assert client.get("/users/me/stats").json() == {"n": 1}
            assert client.get("/users/7").json() == {"id": 7}
    finally:
        sys.path.remove(str(tmp_path / "library"))
        sys.modules.pop("authkit", None)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


CLASS_KEPT_ROUTER = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""

CLASS_KEPT_APPS = {
    "helper-given-cls-attribute": (
        """from fastapi import FastAPI

from app import items


class Routes:
    @staticmethod
    def register(app: FastAPI) -> None:
        app.include_router(items.router, prefix="/api")


class Application:
    APPLICATION = None

    @classmethod
    def create_application(cls) -> FastAPI:
        cls.APPLICATION = FastAPI()
        Routes.register(cls.APPLICATION)
        return cls.APPLICATION
""",
        "from app.holder import Application\n\napp = Application.create_application()\n",
    ),
    "unannotated-helper": (
        """from fastapi import FastAPI

from app import items


def register(app):
    app.include_router(items.router, prefix="/api")


class Application:
    app: FastAPI

    @classmethod
    def load_app(cls) -> FastAPI:
        cls.app = FastAPI(debug=False)
        register(cls.app)
        return cls.app
""",
        "from app.holder import Application\n\napp = Application.load_app()\n",
    ),
    "cls-attribute-include": (
        """from fastapi import FastAPI

from app import items


class Application:
    APPLICATION = None

    @classmethod
    def create_application(cls) -> FastAPI:
        cls.APPLICATION = FastAPI()
        cls.APPLICATION.include_router(items.router, prefix="/api")
        return cls.APPLICATION
""",
        "from app.holder import Application\n\napp = Application.create_application()\n",
    ),
    "class-method-include-router": (
        """from fastapi import APIRouter, FastAPI


class Application:
    APPLICATION = None

    @classmethod
    def create_application(cls) -> None:
        cls.APPLICATION = FastAPI()

    @classmethod
    def include_router(cls, router: APIRouter) -> None:
        cls.APPLICATION.include_router(router, prefix="/api")

    @classmethod
    def get_application(cls) -> FastAPI:
        return cls.APPLICATION
""",
        "from app import items\nfrom app.holder import Application\n\n"
        "Application.create_application()\nApplication.include_router(items.router)\n"
        "app = Application.get_application()\n",
    ),
}


@pytest.mark.parametrize("shape", sorted(CLASS_KEPT_APPS))
def test_an_app_a_class_method_keeps_on_the_class_logs_the_include_prefix(
    tmp_path: Path, shape: str
) -> None:
    """`cls.APPLICATION = FastAPI()` in a `@classmethod` (the class body's `APPLICATION = None`
    a placeholder), the router included with `prefix="/api"` there, through a helper given
    `cls.APPLICATION`, or through the class's own `include_router` class method: the route is
    logged as served, `/api/items/{item_id}`. It was logged without `/api`, the include said
    to be made on an object the tool cannot tell is an app."""
    holder, main = CLASS_KEPT_APPS[shape]
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\ninstrument = { "items.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": CLASS_KEPT_ROUTER,
            "backend/app/holder.py": holder,
            "backend/app/main.py": main,
        },
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert "log call in get_item (GET /api/items/{item_id})" in out, out
    assert "cannot tell" not in out, out
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/items/3").json() == {"id": 3}
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned
