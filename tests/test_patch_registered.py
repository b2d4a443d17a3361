"""Routes whose handler, or whose serving, the module declaring them does not show alone.

An endpoint another module registers (``app.add_api_route("/ping", views.ping)``) is a handler
of the module defining it, logged there under the path the registration serves; a router no app
is known to include is named on a line, and init does not offer its module; a path only known at
run time is shown as the expression logged.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from telemetry_cli.patching import loops
from tests.backend_support import imported_app
from tests.cli_support import make_project, run, snapshot, write_files

VIEWS_PY = '''"""Views registered by the app's module."""


async def ping() -> dict[str, bool]:
    """Answer."""
    return {"ok": True}


def helper() -> int:
    return 1
'''

MAIN_PY = '''"""The app."""

from fastapi import APIRouter, FastAPI

from app.api import ai_blocks, views

app = FastAPI()
api = APIRouter(prefix="/v1")
api.add_api_route("/ping/{name}", views.ping, methods=["GET"])
app.include_router(api, prefix="/api")
app.include_router(ai_blocks.router)
app.add_api_route("/external", len)


@app.get("/")
async def root() -> dict[str, str]:
    return {}
'''


def _registered(tmp_path: Path, plan: str) -> Path:
    root = make_project(tmp_path / "project", plan)
    (root / "backend/app/api/views.py").write_text(VIEWS_PY)
    (root / "backend/app/main.py").write_text(MAIN_PY)
    return root


def test_an_endpoint_registered_by_another_module_is_logged_where_it_is_defined(
    tmp_path: Path,
) -> None:
    root = _registered(
        tmp_path, 'instrument = { "api/views.py" = "ai_block_used", "main.py" = "ai_block_used" }'
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    views = (root / "backend/app/api/views.py").read_text()
    assert '"route": "/api/v1/ping/{name}",' in views
    assert '"handler": "ping",' in views
    assert '"name": name,' not in views  # ping has no parameter `name`: not logged
    assert views.count("event_logger.log(") == 1  # helper is registered nowhere
    assert "log call in ping (GET /api/v1/ping/{name})" in result.stdout
    # The registering module names both registrations on a line and exits 0.
    assert (
        "app/main.py:9: `api.add_api_route` registers `views.ping`, defined in "
        "backend/app/api/views.py: its log call goes there" in result.stdout
    )
    assert "app/main.py:12: `app.add_api_route` registers `len`, which cannot be followed" in (
        result.stdout
    )
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert snapshot(root) == before
    # Marked on the registration line: left alone where it is defined, nothing said.
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text().replace(
            'methods=["GET"])\n', 'methods=["GET"])  # telemetry-scaffold: skip\n'
        )
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (root / "backend/app/api/views.py").read_text() == VIEWS_PY
    assert "registers `views.ping`" not in result.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_init_offers_the_module_defining_a_registered_endpoint(tmp_path: Path) -> None:
    root = _registered(tmp_path, "")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert '# "api/views.py" = "ai_block_used"  # 1 route handler\n' in result.stdout
    # The app's module: its own route, nothing generate would refuse, and the library
    # function it registers (`len`), which generate names, to log by hand.
    assert (
        '# "main.py" = "ai_block_used"  # 1 route handler; 1 route registered with an endpoint '
        "it cannot follow to a function (generate names it: log it by hand)\n"
    ) in result.stdout


UNUSED_PY = '''"""A router the app never includes."""

from fastapi import APIRouter

router = APIRouter(prefix="/old")


@router.get("/items")
async def items() -> list[int]:
    return []
'''


def test_a_router_no_app_includes_is_named_and_not_offered(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/unused.py" = "ai_block_used" }')
    (root / "backend/app/api/unused.py").write_text(UNUSED_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "backend/app/api/unused.py:8: `router` of app.api.unused is included by no app"
        in result.stdout
    )
    assert result.stdout.count("is included by no app") == 1
    # ai_blocks' router is included by the app: nothing said of it.
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    offered = run("init", "--root", str(root), "--dry-run")
    assert offered.exit_code == 0, offered.stderr
    assert '"api/ai_blocks.py"' in offered.stdout
    assert 'unused.py" = ' not in offered.stdout  # named, not suggested


# Routers an instance holds: one a class of the package builds for each instance, and a
# classy-fastapi `Routable`'s. Included nowhere, they are named like a module-level router.
INSTANCE_ROUTERS = {
    "controller": (
        "from fastapi import APIRouter\n\n\nclass Books:\n    def __init__(self) -> None:\n"
        '        self.router = APIRouter(prefix="/books")\n'
        '        self.router.add_api_route("/{book_id}", self.get_book, methods=["GET"])\n\n'
        "    async def get_book(self, book_id: int) -> int:\n        return book_id\n\n\n"
        "route = Books()\n",
        "`Books.router` of app.api.unused is included by no app",
    ),
    "routable": (
        "from classy_fastapi import Routable, get\n\n\nclass Books(Routable):\n"
        '    @get("/{book_id}")\n    async def get_book(self, book_id: int) -> int:\n'
        "        return book_id\n",
        "`Books` of app.api.unused is included by no app",
    ),
}


@pytest.mark.parametrize("shape", sorted(INSTANCE_ROUTERS))
def test_a_router_an_instance_holds_included_by_no_app_is_named(tmp_path: Path, shape: str) -> None:
    source, said = INSTANCE_ROUTERS[shape]
    root = make_project(tmp_path / "project", 'instrument = { "api/unused.py" = "ai_block_used" }')
    (root / "backend/app/api/unused.py").write_text(source)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert said in result.stdout
    assert result.stdout.count("is included by no app") == 1


def test_a_router_included_by_an_unknown_object_is_named(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/unused.py" = "ai_block_used" }')
    (root / "backend/app/api/unused.py").write_text(UNUSED_PY)
    (root / "backend/app/api/registry.py").write_text(
        "from app.api import unused\nfrom app.plugins import registry\n\n"
        "registry.include_router(unused.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "backend/app/api/unused.py:8: `router` of app.api.unused is included by `registry` "
        "(backend/app/api/registry.py:4), which the tool cannot tell is an app" in result.stdout
    )


RUN_TIME_PY = '''"""Routes on a router given at run time."""

from fastapi import APIRouter


def add_routes(router: APIRouter) -> None:
    @router.get("/items/{item_id}")
    async def get_item(item_id: int) -> int:
        return item_id
'''


def test_a_route_with_a_run_time_prefix_is_labelled_as_logged(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project", 'instrument = { "api/run_time.py" = "ai_block_used" }'
    )
    (root / "backend/app/api/run_time.py").write_text(RUN_TIME_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'log call in get_item (GET router.prefix + "/items/{item_id}")' in (result.stdout)


def test_a_router_maybe_included_by_a_call_not_followed_is_named_and_still_offered(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/unused.py" = "ai_block_used" }')
    (root / "backend/app/api/unused.py").write_text(UNUSED_PY)
    main = root / "backend/app/main.py"
    # A router built by a library function: it may be (or include) the router of unused.py.
    main.write_text(
        main.read_text() + "\nfrom plugins import collect\n\napp.include_router(collect())\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "backend/app/api/unused.py:8: `router` of app.api.unused is included by no "
        "`include_router` the tool can follow (the router of `collect()` at "
        "backend/app/main.py:13, for one, is not followed)" in result.stdout
    )
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    offered = run("init", "--root", str(root), "--dry-run")
    assert offered.exit_code == 0, offered.stderr
    assert '# "api/unused.py" = "ai_block_used"  # 1 route handler\n' in offered.stdout


def test_a_router_served_through_a_router_no_app_includes_names_that_one(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/unused.py" = "ai_block_used" }')
    (root / "backend/app/api/unused.py").write_text(UNUSED_PY)
    (root / "backend/app/api/hub.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.api import unused\n\n"
        'hub = APIRouter(prefix="/hub")\nhub.include_router(unused.router)\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in items (GET /hub/old/items)" in result.stdout
    assert (
        "backend/app/api/unused.py:8: `router` of app.api.unused, through `hub` of app.api.hub, "
        "is included by no app" in result.stdout
    )


def test_a_note_on_an_endpoint_registered_elsewhere_names_the_registering_line(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    (root / "backend/app/api/views.py").write_text(VIEWS_PY)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text()
        + "\nfrom fastapi import APIRouter\n\nfrom app.api import views\n\n"
        + 'extra = APIRouter(prefix="/extra")\nextra.add_api_route("/ping", views.ping)\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in ping (GET /extra/ping)" in result.stdout
    assert "backend/app/main.py:16: `extra` of app.main is included by no app" in result.stdout


def test_a_note_is_said_on_every_run_not_only_by_the_one_that_changed_the_file(
    tmp_path: Path,
) -> None:
    # A registration added to a module already instrumented changes nothing in it: the note
    # that it is not logged must still come out, in generate, --check, --json and annotations.
    root = _registered(tmp_path, 'instrument = { "main.py" = "ai_block_used" }')
    main = root / "backend/app/main.py"
    main.write_text(main.read_text().replace('app.add_api_route("/external", len)\n', ""))
    assert run("generate", "--root", str(root)).exit_code == 0
    main.write_text(main.read_text() + '\napp.add_api_route("/external", len)\n')
    said = "`app.add_api_route` registers `len`, which cannot be followed"
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    assert said in written.stdout
    checked = run("generate", "--root", str(root), "--check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert said in checked.stdout
    assert "All " in checked.stdout and "files are up to date." in checked.stdout
    document = json.loads(run("generate", "--root", str(root), "--check", "--json").stdout)
    (entry,) = [item for item in document["files"] if item["path"] == "backend/app/main.py"]
    assert entry["status"] == "unchanged"
    assert any(said in note for note in entry["notes"])
    annotated = run("generate", "--root", str(root), "--check", "--format", "github")
    assert "::notice file=backend/app/main.py,title=telemetry-scaffold::" in annotated.stdout


CONTROLLERS_PY = '''"""Controllers whose functions the routes module registers through the class."""


class Orders:
    @staticmethod
    async def create(shop_id: int) -> dict[str, int]:
        return {"shop": shop_id}

    @classmethod
    async def listing(cls, shop_id: int, page: int = 1) -> list[int]:
        return [page]

    async def hidden(self) -> None:
        """A plain method read from the class needs an instance: not a handler."""
'''

ORDERS_ROUTES_PY = '''"""Routes of the controllers."""

from fastapi import APIRouter

from app.api.controllers import Orders


class Local:
    @staticmethod
    async def ping() -> dict[str, bool]:
        return {"ok": True}


router = APIRouter(prefix="/shops")
router.add_api_route("/{shop_id}/orders", Orders.create, methods=["POST"])
router.add_api_route("/{shop_id}/orders", Orders.listing, methods=["GET"])
router.add_api_route("/ping", Local.ping, methods=["GET"])
router.add_api_route("/hidden", Orders.hidden, methods=["GET"])
'''


def test_static_and_class_methods_registered_through_their_class_are_logged(
    tmp_path: Path,
) -> None:
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/controllers.py" = "ai_block_used", '
        '"api/order_routes.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/controllers.py").write_text(CONTROLLERS_PY)
    (root / "backend/app/api/order_routes.py").write_text(ORDERS_ROUTES_PY)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text()
        + "\nfrom app.api import order_routes\n\napp.include_router(order_routes.router, "
        'prefix="/api")\n'
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "log call in Orders.create (POST /api/shops/{shop_id}/orders)" in out
    assert "log call in Orders.listing (GET /api/shops/{shop_id}/orders)" in out
    assert "log call in Local.ping (GET /api/shops/ping)" in out
    # A plain method read from the class is still named as not followed.
    assert "registers `Orders.hidden`, which cannot be followed" in out
    controllers = (root / "backend/app/api/controllers.py").read_text()
    assert controllers.count("event_logger.log(") == 2
    assert '"shop_id": shop_id,' in controllers
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.post("/api/shops/3/orders").json() == {"shop": 3}
        assert client.get("/api/shops/3/orders?page=2").json() == [2]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    after = snapshot(root)
    assert {k: v for k, v in after.items() if k != "pyproject.toml"} == {
        k: v for k, v in before.items() if k != "pyproject.toml"
    }


@pytest.mark.parametrize(
    "registration",
    [
        'router.add_api_route("/rain/{city}", partial(by_kind, "rain"), methods=["GET"])',
        'router.add_api_route("/rain/{city}", functools.partial(by_kind, kind="rain"))',
        'rain = partial(by_kind, "rain")\nrouter.add_api_route("/rain/{city}", rain)',
        "def setup() -> None:\n"
        '    rain = functools.partial(by_kind, "rain")\n'
        '    router.add_api_route("/rain/{city}", rain, methods=["GET"])\n\n\n'
        "setup()",
    ],
    ids=["positional", "keyword", "held-by-a-name", "held-in-a-function"],
)
def test_a_function_registered_through_functools_partial_is_logged(
    tmp_path: Path, registration: str
) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/weather.py" = "ai_block_used" }')
    (root / "backend/app/api/weather.py").write_text(
        "import functools\nfrom functools import partial\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/weather")\n\n\n'
        "async def by_kind(kind: str, city: str) -> dict[str, str]:\n"
        '    return {"kind": kind, "city": city}\n\n\n'
        f"{registration}\n"
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import weather\n\napp.include_router(weather.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in by_kind (GET /weather/rain/{city})" in result.stdout
    assert "cannot be followed" not in result.stdout
    weather = (root / "backend/app/api/weather.py").read_text()
    assert '"city": city,' in weather
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/weather/rain/Oslo").json() == {
            "kind": "rain",
            "city": "Oslo",
        }
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("daily", "weekly"),
    [
        ('partial(report, period="daily")', 'partial(report, period="weekly")'),
        ('partial(report, "daily")', 'partial(report, "weekly")'),
    ],
    ids=["keyword", "positional"],
)
def test_partials_binding_a_parameter_their_own_way_log_the_requests_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, daily: str, weekly: str
) -> None:
    # One handler, two routes told apart by the argument each partial binds: every request
    # logged both routes and `"block_type": "daily,weekly"`. A keyword a partial binds stays
    # in the signature FastAPI reads, a query parameter with that default: the request may
    # set it otherwise (`/reports/daily?period=weekly`), so those log both routes still.
    root = make_project(tmp_path / "project", 'instrument = { "api/reports.py" = "ai_block_used" }')
    (root / "backend/app/api/reports.py").write_text(
        "from functools import partial\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/reports")\n\n\n'
        "def report(period: str, limit: int = 10) -> dict[str, object]:\n"
        '    return {"period": period, "limit": limit}\n\n\n'
        f'router.add_api_route("/daily", {daily})\n'
        f'router.add_api_route("/weekly", {weekly})\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import reports\n\napp.include_router(reports.router)\n"
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    logged: list[tuple[object, object]] = []
    with imported_app(root / "backend") as served:
        logger = sys.modules["app.analytics.event_logger"].event_logger
        monkeypatch.setattr(
            logger,
            "log",
            lambda _, payload: logged.append((payload["route"], payload["block_type"])),
        )
        client = TestClient(served.app)
        assert client.get("/reports/daily").json() == {"period": "daily", "limit": 10}
        assert client.get("/reports/weekly").json()["period"] == "weekly"
        overridden = client.get("/reports/daily?period=weekly").json()["period"]
    if "period=" in daily:
        assert overridden == "weekly"
        both = (["/reports/daily", "/reports/weekly"], "daily,weekly")
        assert logged == [both, both, both]
    else:
        assert overridden == "daily"
        assert logged == [
            ("/reports/daily", "daily"),
            ("/reports/weekly", "weekly"),
            ("/reports/daily", "daily"),
        ]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    again = run("generate", "--root", str(root))
    assert "patched" not in again.stdout, again.stdout
    # A route renamed since: the call is still generate's, brought up to date.
    module = root / "backend/app/api/reports.py"
    module.write_text(module.read_text().replace('"/daily", partial', '"/day", partial'))
    renamed = run("generate", "--root", str(root))
    assert "bring the log call of report (GET /reports/day; GET" in renamed.stdout, renamed.stdout
    assert '"/reports/day"' in module.read_text()
    assert run("remove", "--root", str(root)).exit_code == 0
    after = snapshot(root)
    key = "backend/app/api/reports.py"
    before[key] = before[key].replace(b'"/daily", partial', b'"/day", partial')
    assert {k: v for k, v in after.items() if k != "pyproject.toml"} == {
        k: v for k, v in before.items() if k != "pyproject.toml"
    }


FACTORY_PY = """from fastapi import APIRouter

router = APIRouter(prefix="/models")


def make_predict(name: str):
    async def predict(value: float) -> dict[str, float]:
        return {name: value}

    return predict


{registration}
"""


@pytest.mark.parametrize(
    ("registration", "logged"),
    [
        ('router.add_api_route("/iris", make_predict("iris"))', "(GET /models/iris)"),
        (
            'for name in load_names():\n    router.add_api_route(f"/{name}", make_predict(name))',
            '(GET "/models" + f"/{name}")',
        ),
        (
            'for path in load_paths():\n    router.add_api_route(path, make_predict("iris"))',
            None,
        ),
    ],
    ids=["one-call", "loop-not-known", "path-not-passed"],
)
def test_a_handler_a_factory_returns_is_logged_when_its_registrations_are_known(
    tmp_path: Path, registration: str, logged: str | None
) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/models.py" = "ai_block_used" }')
    (root / "backend/app/api/models.py").write_text(
        FACTORY_PY.replace("{registration}", registration)
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import models\n\napp.include_router(models.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    if logged is None:
        # Which paths, only known at run time, and not given to the factory: named on a line
        # with the factory, nothing guessed.
        assert (
            "registers `make_predict('iris')`, made by `make_predict` for paths only known at "
            "run time, which it is not passed: it is not logged"
        ) in " ".join(result.stdout.split())
        assert "event_logger" not in (root / "backend/app/api/models.py").read_text()
    else:
        # Paths only known at run time, built from what the factory is given: the handler
        # logs the one each registration serves, as read in the factory.
        assert f"log call in predict {logged}" in result.stdout
    if "load_" not in registration:
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get("/models/iris?value=2").json() == {"iris": 2.0}
    assert run("generate", "--root", str(root), "--check").exit_code == 0


HANDLERS_PY = """def make_predict(name: str):
    async def predict(value: float) -> dict[str, float]:
        return {name: value}

    return predict
"""


@pytest.mark.parametrize(
    ("registration", "logged"),
    [
        ('router.add_api_route("/iris", handlers.make_predict("iris"))', "(GET /models/iris)"),
        (
            'router.add_api_route("/iris", make_predict("iris"), methods=["GET"])',
            "(GET /models/iris)",
        ),
        (
            'for name in load_names():\n    router.add_api_route(f"/{name}", make_predict(name))',
            None,
        ),
    ],
    ids=["module-attribute", "imported-name", "loop-not-known"],
)
def test_a_handler_a_factory_of_another_module_returns_is_logged_where_it_is_defined(
    tmp_path: Path, registration: str, logged: str | None
) -> None:
    """`router.add_api_route("/iris", handlers.make_predict("iris"))`: the function the factory
    of `handlers` defines and returns is the handler, logged there (it was named on a line as
    an endpoint that cannot be followed)."""
    plan = 'instrument = { "api/handlers.py" = "ai_block_used" }'
    root = make_project(tmp_path / "project", plan)
    (root / "backend/app/api/handlers.py").write_text(HANDLERS_PY)
    (root / "backend/app/api/models.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.api import handlers\n"
        "from app.api.handlers import make_predict\n\n"
        'router = APIRouter(prefix="/models")\n\n\ndef load_names() -> list[str]:\n'
        '    return ["iris"]\n\n\n' + registration + "\n"
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import models\n\napp.include_router(models.router)\n"
    )
    result = run("generate", "--root", str(root))
    handlers = (root / "backend/app/api/handlers.py").read_text()
    if logged is None:
        # Which paths, only known at run time: nothing guessed.
        assert "event_logger" not in handlers, result.stdout
    else:
        assert result.exit_code == 0, result.stdout + result.stderr
        assert f"log call in predict {logged}" in result.stdout
        assert "cannot be followed" not in result.stdout
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get("/models/iris?value=2").json() == {"iris": 2.0}
        assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert "Traceback" not in result.stdout + result.stderr


def test_a_loop_over_another_modules_pairs_does_not_log_a_namesake_of_its_handler(
    tmp_path: Path,
) -> None:
    # `for path, endpoint in ROUTES: router.add_api_route(path, endpoint)` with `ROUTES`
    # imported: its handler is `stats` of the module writing the pairs, not the `stats` of the
    # module registering them, which no route calls: that one gets no log call.
    root = make_project(tmp_path / "project", 'instrument = { "api/links.py" = "ai_block_used" }')
    (root / "backend/app/api/table.py").write_text(
        'def stats() -> dict[str, int]:\n    return {"links": 1}\n\n\n'
        'ROUTES = [("/stats", stats)]\n'
    )
    (root / "backend/app/api/links.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.api.table import ROUTES\n\n"
        'router = APIRouter(prefix="/links")\n\n\n'
        'def stats() -> dict[str, int]:\n    return {"links": 0}\n\n\n'
        "for path, endpoint in ROUTES:\n"
        '    router.add_api_route(path, endpoint, methods=["GET"])\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import links\n\napp.include_router(links.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert "log call in stats" not in result.stdout, result.stdout
    assert "links.py:13: `router.add_api_route` registers `endpoint`, which cannot be followed" in (
        " ".join(result.stdout.split())
    )
    assert "event_logger" not in (root / "backend/app/api/links.py").read_text()
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/links/stats").json() == {"links": 1}


SHELVES_PY = '''"""Shelves."""


class Shelf:
    def __init__(self, owner: str) -> None:
        self.owner = owner

    async def list_all(self) -> list[str]:
        return [self.owner]


shelf = Shelf("me")
'''


def test_a_bound_method_of_an_imported_instance_is_logged_in_its_class(
    tmp_path: Path,
) -> None:
    # `shelf.list_all` of `from app.api.shelves import shelf` is a bound method of a class of
    # the package, as `local.list_all` after `local = Shelf("you")` is: both are logged in the
    # method, as an imported `route.router` was already followed to its class. An instance
    # built in the registration (`Shelf("x").list_all`) is still named on a line.
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/routes.py" = "ai_block_used", "api/shelves.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/shelves.py").write_text(SHELVES_PY)
    (root / "backend/app/api/routes.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.api.shelves import Shelf, shelf\n\n"
        'router = APIRouter()\nlocal = Shelf("you")\n'
        'router.add_api_route("/all", shelf.list_all)\n'
        'router.add_api_route("/mine", local.list_all)\n'
        'router.add_api_route("/new", Shelf("x").list_all)\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        "from fastapi import FastAPI\n\nfrom app.api import routes\n\n"
        "app = FastAPI()\napp.include_router(routes.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "app/api/routes.py:9: `router.add_api_route` registers `Shelf('x').list_all`, a method "
        "of `Shelf` (backend/app/api/shelves.py:4), which cannot be followed"
        in " ".join(result.stdout.split())
    )
    for line, written in ((7, "shelf.list_all"), (8, "local.list_all")):
        assert (
            f"app/api/routes.py:{line}: `router.add_api_route` registers `{written}`, defined in "
            "backend/app/api/shelves.py: its log call goes there" in result.stdout
        )
    shelves = (root / "backend/app/api/shelves.py").read_text()
    assert shelves.count("event_logger.log(") == 1
    assert '"route": ["/all", "/mine"],' in shelves
    assert "log call in Shelf.list_all (GET /all; GET /mine)" in result.stdout


def test_an_imported_method_alias_with_a_run_time_prefix_is_named_as_written(
    tmp_path: Path,
) -> None:
    # `get = api.get` in another module, its router's prefix only known at run time: the
    # handler's module cannot read it there, so the handler is named on a line, as written.
    root = make_project(tmp_path / "project", 'instrument = { "api/feed.py" = "ai_block_used" }')
    write_files(
        root,
        {
            "backend/app/hooks.py": (
                "import os\n\nfrom fastapi import APIRouter\n\n\nclass Api:\n"
                "    def __init__(self) -> None:\n"
                '        self.router = APIRouter(prefix=os.environ["FEED_PREFIX"])\n\n'
                "    def get(self, path: str, **options):\n"
                "        return self.router.get(path, **options)\n\n\n"
                "api = Api()\nget = api.get\n"
            ),
            "backend/app/api/feed.py": (
                'from app.hooks import get\n\n\n@get("/latest")\ndef latest():\n    return {}\n'
            ),
        },
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "backend/app/api/feed.py:4: `get` registers `latest`, which cannot be followed" in (
        result.stdout
    )
    assert "event_logger" not in (root / "backend/app/api/feed.py").read_text()
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert snapshot(root) == before


def test_a_bound_method_of_an_instance_a_class_holds_is_logged_in_its_class(
    tmp_path: Path,
) -> None:
    # `self.__shelf.list_all` after `self.__shelf = Shelf("me")`, the class's one assignment
    # of the attribute: a bound method of that instance, logged in the method as `shelf.list_all`
    # is; an attribute assigned twice is not followed (which instance, only known at run time).
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/routes.py" = "ai_block_used", "api/shelves.py" = "ai_block_used" }',
    )
    (root / "backend/app/api/shelves.py").write_text(SHELVES_PY)
    (root / "backend/app/api/routes.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.api.shelves import Shelf\n\n"
        "router = APIRouter()\n\n\nclass Registrar:\n"
        "    def __init__(self) -> None:\n"
        '        self.__shelf = Shelf("me")\n'
        '        self.other = Shelf("a")\n'
        '        self.other = Shelf("b")\n'
        '        router.add_api_route("/held", self.__shelf.list_all)\n'
        '        router.add_api_route("/other", self.other.list_all)\n\n\n'
        "Registrar()\n"
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import routes\n\n"
        'app = FastAPI()\napp.include_router(routes.router, prefix="/api")\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Shelf.list_all (GET /api/held)" in result.stdout, result.stdout
    assert "registers `self.other.list_all`, which cannot be followed" in result.stdout
    shelves = (root / "backend/app/api/shelves.py").read_text()
    assert shelves.count("event_logger.log(") == 1
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/held").json() == ["me"]


def test_a_router_a_package_helper_builds_under_a_run_time_prefix_is_said_on_a_line(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "project", 'instrument = { "api/genres.py" = "ai_block_used" }')
    write_files(
        root / "backend/app",
        {
            "routing.py": (
                "from fastapi import APIRouter\n\n\n"
                "def make_router(prefix: str) -> APIRouter:\n"
                "    return APIRouter(prefix=prefix)\n"
            ),
            "api/genres.py": (
                "import os\n\nfrom app.routing import make_router\n\n"
                'router = make_router(os.environ.get("GENRES_PREFIX", "/genres"))\n\n\n'
                '@router.get("/{name}")\n'
                "def genre(name: str) -> str:\n"
                "    return name\n"
            ),
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.api import genres\n\n"
                "app = FastAPI()\napp.include_router(genres.router)\n"
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert '"route": router.prefix + "/{name}",' in (root / "backend/app/api/genres.py").read_text()
    assert (
        "backend/app/api/genres.py:8: `router` is the router `make_router(...)` returns, with a "
        "prefix only known at run time: its routes are logged with `router.prefix`"
    ) in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_router_helper_re_exported_by_star_imports_of_its_namesake_module_is_followed(
    tmp_path: Path,
) -> None:
    # `from .create_router import *` in a package's __init__, create_router.py defining
    # `def create_router`: the package's name is then the function, bound over the submodule
    # (squareboat/fastapi-boilerplate: `from pkgs.core import create_router`, two star imports).
    root = make_project(tmp_path / "project", 'instrument = { "api/jobs.py" = "ai_block_used" }')
    write_files(
        root / "backend/app",
        {
            "core/__init__.py": "from .http import *\n",
            "core/http/__init__.py": "from .create_router import *\n",
            "core/http/create_router.py": (
                "from fastapi import APIRouter\n\n\n"
                "def create_router(route_prefix: str) -> APIRouter:\n"
                "    return APIRouter(prefix=route_prefix)\n"
            ),
            "api/jobs.py": (
                "from app.core import create_router\n\n"
                'router = create_router("/api/v1")\n\n\n'
                '@router.get("/jobs/{id}")\n'
                "async def get_job(id: int) -> int:\n"
                "    return id\n"
            ),
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.api import jobs\n\n"
                "app = FastAPI()\napp.include_router(jobs.router)\n"
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in get_job (GET /api/v1/jobs/{id})" in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/v1/jobs/3").json() == 3


def test_routes_from_a_spec_table_the_tool_cannot_read_are_named_on_a_line(
    tmp_path: Path,
) -> None:
    # `for endpoint, spec in specs().items(): ROUTERS[name].add_api_route(...)`: a table a
    # function returns, looped onto a router picked at run time; neither is followed, and the
    # registration is named (init offers its module), not passed over in silence.
    root = make_project(tmp_path / "project", 'instrument = { "api/tables.py" = "ai_block_used" }')
    (root / "backend/app/api/tables.py").write_text(
        "from fastapi import APIRouter\n\n"
        'ROUTERS = {"rain": APIRouter(prefix="/rain")}\n\n\n'
        "async def average() -> float:\n    return 1.0\n\n\n"
        "def specs() -> dict[str, dict[object, str]]:\n"
        '    return {"rain": {average: "/average"}}\n\n\n'
        "def register() -> list[APIRouter]:\n"
        "    for name, table in specs().items():\n"
        "        for endpoint, path in table.items():\n"
        "            ROUTERS[name].add_api_route(path, endpoint)\n"
        "    return list(ROUTERS.values())\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    line = "api/tables.py:17: `ROUTERS[name].add_api_route` registers `endpoint`, which cannot"
    assert line in result.stdout, result.stdout


def test_a_route_unpacked_from_a_dict_only_known_at_run_time_is_named_on_a_line(
    tmp_path: Path,
) -> None:
    # `add_api_route(**EndPoints.index())`: the options a function returns, neither path nor
    # endpoint written out; named, where a dict written out is followed (see the corpus).
    root = make_project(tmp_path / "project", 'instrument = { "api/specs.py" = "ai_block_used" }')
    (root / "backend/app/api/specs.py").write_text(
        "from fastapi import APIRouter\n\n\n"
        "async def index() -> int:\n    return 1\n\n\n"
        "class EndPoints:\n    @staticmethod\n    def index() -> dict[str, object]:\n"
        '        return {"path": "/", "endpoint": index}\n\n\n'
        "router = APIRouter()\nrouter.add_api_route(**EndPoints.index())\n"
    )
    (root / "backend/app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api import specs\n\n"
        "app = FastAPI()\napp.include_router(specs.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    line = "api/specs.py:15: `router.add_api_route` registers `**EndPoints.index()`, which cannot"
    assert line in result.stdout, result.stdout


def test_a_route_whose_path_and_methods_are_unpacked_beside_its_endpoint_is_logged(
    tmp_path: Path,
) -> None:
    """`add_api_route(**POST_ROUTES["CREATE"], endpoint=handlers.create)`: path and methods in
    an entry of a dict another module writes out, the endpoint named beside it.

    It used to be refused as a route whose path is "neither a literal nor a constant", named
    as a GET route though the entry says POST: generate exited 1 on each handler.
    """
    root = make_project(
        tmp_path / "project", 'instrument = { "api/handlers.py" = "ai_block_used" }'
    )
    write_files(
        root / "backend/app",
        {
            "api/routes.py": (
                "POST_ROUTES: dict = {\n"
                '    "CREATE": {"methods": ["POST"], "path": "/posts"},\n'
                '    "ONE": {"methods": ["GET"], "path": "/posts/{post_id}"},\n'
                "}\n"
            ),
            "api/handlers.py": (
                "async def create(payload: dict) -> dict:\n    return payload\n\n\n"
                "async def one(post_id: str) -> str:\n    return post_id\n"
            ),
            "api/router.py": (
                "from fastapi import APIRouter\n\n"
                "from app.api import handlers\n"
                "from app.api.routes import POST_ROUTES\n\n"
                "router = APIRouter()\n"
                'router.add_api_route(**POST_ROUTES["CREATE"], endpoint=handlers.create)\n'
                'router.add_api_route(\n    **POST_ROUTES["ONE"],\n    endpoint=handlers.one\n)\n'
            ),
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.api.router import router\n\n"
                "app = FastAPI()\napp.include_router(router)\n"
            ),
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in create (POST /posts)" in result.stdout, result.stdout
    assert "log call in one (GET /posts/{post_id})" in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.post("/posts", json={"a": 1}).json() == {"a": 1}
        assert client.get("/posts/7").json() == "7"


def _unpacked_entry_project(root: Path, routes: str, router: str) -> Path:
    """A backend whose router.py adds `handlers.create` beside an entry of routes.py's dict."""
    project = make_project(root, 'instrument = { "api/handlers.py" = "ai_block_used" }')
    write_files(
        project / "backend/app",
        {
            "api/routes.py": routes,
            "api/handlers.py": "async def create(payload: dict) -> dict:\n    return payload\n",
            "api/router.py": (
                "from fastapi import APIRouter\n\n"
                "from app.api import handlers\n"
                "from app.api.routes import *\n\n"
                "router = APIRouter()\n" + router
            ),
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.api.router import router\n\n"
                "app = FastAPI()\napp.include_router(router)\n"
            ),
        },
    )
    return project


@pytest.mark.parametrize(
    ("routes", "router"),
    [
        (
            'BASE = "/base"\nROUTES = {"C": {"methods": ["POST"], "path": BASE + "/x"}}\n',
            'BASE = "/wrong"\nrouter.add_api_route(**ROUTES["C"], endpoint=handlers.create)\n',
        ),
        (
            "from app.api import handlers\n\n"
            'BASE = "/base"\n'
            'C = {"methods": ["POST"], "path": BASE + "/x", "endpoint": handlers.create}\n',
            'BASE = "/wrong"\nrouter.add_api_route(**C)\n',
        ),
    ],
)
def test_an_unpacked_dict_of_another_module_is_read_with_that_modules_names(
    tmp_path: Path, routes: str, router: str
) -> None:
    """`BASE + "/x"` in routes.py's dict is routes.py's `BASE`, whatever router.py binds.

    It used to be read with the names of the module of the call: logged `POST /wrong/x`.
    """
    root = _unpacked_entry_project(tmp_path / "project", routes, router)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in create (POST /base/x)" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "change",
    [
        'ROUTES["CREATE"]["path"] = "/other"\n',
        'ROUTES["CREATE"].update(path="/other")\n',
        'created = ROUTES["CREATE"]\ncreated["path"] = "/other"\n',
        'a0 = ROUTES["CREATE"]\na1 = a0\na1 = a0["k"]\na1.clear()\n',
        "def f():\n    r = {}\n    return r\n\n\n"
        'def g():\n    r = ROUTES["CREATE"]\n    r["path"] = "/other"\n',
    ],
)
def test_an_unpacked_dict_entry_changed_in_place_is_not_logged_with_its_first_value(
    tmp_path: Path, change: str
) -> None:
    """An entry changed after it is written holds what is only known by running it.

    It used to be logged with the value first written out (`POST /posts`).
    """
    routes = 'ROUTES = {"CREATE": {"methods": ["POST"], "path": "/posts"}}\n' + change
    router = 'router.add_api_route(**ROUTES["CREATE"], endpoint=handlers.create)\n'
    root = _unpacked_entry_project(tmp_path / "project", routes, router)
    result = run("generate", "--root", str(root))
    assert "/posts" not in result.stdout, result.stdout
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "handlers.py:1: route create" in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


_CHAIN = 'a0 = ROUTES["CREATE"]\n' + "".join(f'a{i} = a{i - 1}["k"]\n' for i in range(1, 400))


@pytest.mark.parametrize(
    "reads",
    [
        # A second name bound in two functions, each only reading the entry.
        'def f():\n    r = ROUTES["CREATE"]\n    return r.get("path")\n\n\n'
        'def g():\n    r = ROUTES["CREATE"]\n    return r["path"]\n',
        # A second name at the top, the same name bound again by a loop in a function.
        'r = ROUTES["CREATE"]\nprint(r["path"])\n\n\ndef f(items):\n    for r in items:\n'
        "        print(r)\n",
        # Second names of entries of entries, 400 deep.
        _CHAIN,
        # The same second name in another function, a dict of its own changed in place.
        'def f():\n    r = ROUTES["CREATE"]\n    return r["path"]\n\n\n'
        'def g():\n    r = {}\n    r["path"] = "/other"\n    return r\n',
    ],
    ids=["two functions", "loop", "chain of 400", "another function's own"],
)
def test_an_unpacked_dict_entry_only_read_by_second_names_is_logged(
    tmp_path: Path, reads: str
) -> None:
    """Binding a second name for an entry again, elsewhere, does not change the entry.

    Such entries were refused as changed in place (a name bound twice anywhere in the module
    counted), and a chain of 400 second names stopped `generate` with a RecursionError.
    """
    routes = 'ROUTES = {"CREATE": {"methods": ["POST"], "path": "/posts"}}\n'
    router = reads + '\nrouter.add_api_route(**ROUTES["CREATE"], endpoint=handlers.create)\n'
    root = _unpacked_entry_project(tmp_path / "project", routes, router)
    result = run("generate", "--root", str(root))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in create (POST /posts)" in result.stdout, result.stdout


def test_an_unpacked_dict_entry_of_a_key_written_twice_is_its_last_value(tmp_path: Path) -> None:
    """Python keeps the last of a key written twice in a dict display.

    It used to read the first: logged `POST /a` for the entry that says `PUT /b`.
    """
    routes = (
        "ROUTES = {\n"
        '    "CREATE": {"methods": ["POST"], "path": "/a"},\n'
        '    "CREATE": {"methods": ["PUT"], "path": "/b"},\n'
        "}\n"
    )
    router = 'router.add_api_route(**ROUTES["CREATE"], endpoint=handlers.create)\n'
    root = _unpacked_entry_project(tmp_path / "project", routes, router)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in create (PUT /b)" in result.stdout, result.stdout


def _nodes_read_for_changes(tmp_path: Path, count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many nodes generate reads to tell whether names are changed, for `count` routes."""
    read = 0
    original = loops._changed_in

    def counted(nodes: Iterable[ast.AST], name: str, assignments: int) -> bool:
        nonlocal read
        listed = list(nodes)
        read += len(listed)
        return original(listed, name, assignments)

    monkeypatch.setattr(loops, "_changed_in", counted)
    root = make_project(
        tmp_path / str(count), 'instrument = { "api/handlers.py" = "ai_block_used" }'
    )
    write_files(
        root / "backend/app",
        {
            "api/routes.py": "ROUTES = {\n"
            + "".join(
                f'    "K{i}": {{"methods": ["POST"], "path": "/p{i}"}},\n' for i in range(count)
            )
            + "}\n",
            "api/handlers.py": "".join(
                f"async def h{i}() -> int:\n    return {i}\n\n\n" for i in range(count)
            ),
            "api/router.py": "from fastapi import APIRouter\n\nfrom app.api import handlers\n"
            "from app.api.routes import ROUTES\n\nrouter = APIRouter()\n"
            + "".join(
                f'router.add_api_route(**ROUTES["K{i}"], endpoint=handlers.h{i})\n'
                for i in range(count)
            ),
            "main.py": "from fastapi import FastAPI\n\nfrom app.api.router import router\n\n"
            "app = FastAPI()\napp.include_router(router)\n",
        },
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("log call in h") == count, result.stdout
    monkeypatch.undo()
    return read


def test_many_routes_unpacked_from_one_dict_read_its_changes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether `ROUTES` is changed is read once per module, not again by each of its calls.

    Each call used to read every line naming `ROUTES` again: 1,000 calls took 19 seconds.
    """
    few = _nodes_read_for_changes(tmp_path, 40, monkeypatch)
    many = _nodes_read_for_changes(tmp_path, 160, monkeypatch)
    assert many <= 4.5 * few, (few, many)


CALLABLES_PY = """from fastapi import APIRouter

from app.api.shout import Shout


class Base:
    async def __call__(self, text: str) -> dict[str, str]:
        return {"text": text}


class Echo(Base):
    pass


echo = Echo()
router = APIRouter(prefix="/tools")
router.add_api_route("/echo", Echo(), methods=["GET"])
router.add_api_route("/again", echo, methods=["POST"])
router.add_api_route("/shout", Shout())
router.add_api_route("/ping", lambda: {"pong": True})
"""

SHOUT_PY = """class Shout:
    def __call__(self, text: str) -> str:
        return text.upper()
"""


def test_a_callable_instance_endpoint_is_logged_in_its_call_method(tmp_path: Path) -> None:
    """`add_api_route("/echo", Echo())` (or a module instance of it): FastAPI calls the
    instance, so the class's `__call__` (its own or a base's) is the handler, logged with its
    routes, here or in the module defining the class; a lambda, which has no body, is named on
    a line saying so."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/tools.py" = "ai_block_used", "api/shout.py" = "ai_block_used" }',
    )
    write_files(root / "backend/app/api", {"tools.py": CALLABLES_PY, "shout.py": SHOUT_PY})
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import tools\n\napp.include_router(tools.router)\n"
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Base.__call__ (GET /tools/echo; POST /tools/again)" in result.stdout
    assert "log call in Shout.__call__ (GET /tools/shout)" in result.stdout
    assert (
        "app/api/tools.py:20: `router.add_api_route` registers `lambda: {'pong': True}`, a "
        "lambda, which has no body a log call can go into: it is not logged" in result.stdout
    )
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/tools/echo?text=hi").json() == {"text": "hi"}
        assert client.post("/tools/again?text=x").json() == {"text": "x"}
        assert client.get("/tools/shout?text=a").json() == "A"
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


SERVICE_PY = '''"""A service holding its router, its methods the handlers."""

from fastapi import APIRouter


class Service:
    def __init__(self) -> None:
        self.router = APIRouter(prefix="/svc")

    async def list_items(self) -> list[str]:
        return ["a"]

    async def get_item(self, item_id: str) -> dict[str, str]:
        return {"id": item_id}
'''

REGISTER_PY = '''"""Routes bound to the service's router by a function given the instance."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.api.service import Service


def register_routes(api{annotation}) -> None:
    router = api.router
    router.add_api_route("/items", api.list_items, methods=["GET"])
    api.router.add_api_route("/items/{{item_id}}", api.get_item, methods=["GET"])
'''


@pytest.mark.parametrize(
    "annotation", [": Service", ': "Service"', ""], ids=["name", "string", "passed"]
)
def test_bound_methods_of_an_annotated_parameter_are_logged_in_its_class(
    tmp_path: Path, annotation: str
) -> None:
    """`def register_routes(api: Service): router = api.router; router.add_api_route(p,
    api.method)`, or `api` unannotated and given the instance by the function's one call: the
    router is the one the package class holds, the endpoints its bound methods, logged in the
    class under the router's prefixes; init suggests that module."""
    root = make_project(tmp_path / "project")
    write_files(
        root / "backend/app",
        {
            "api/service.py": SERVICE_PY,
            "api/register.py": REGISTER_PY.format(annotation=annotation),
            "main.py": "from fastapi import FastAPI\n\nfrom app.api.register import "
            "register_routes\nfrom app.api.service import Service\n\napp = FastAPI()\n"
            "service = Service()\nregister_routes(service)\n"
            'app.include_router(service.router, prefix="/api")\n',
        },
    )
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    assert '# "api/service.py" = "ai_block_used"  # 2 route handlers' in plan, plan
    plan = plan.replace('# "api/service.py"', '"api/service.py"')
    (root / "pyproject.toml").write_text(plan)
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Service.list_items (GET /api/svc/items)" in result.stdout, result.stdout
    assert "log call in Service.get_item (GET /api/svc/items/{item_id})" in result.stdout
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/api/svc/items/x").json() == {"id": "x"}
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


SAME_MODULE_MAIN_PY = """from fastapi import APIRouter, FastAPI


class Service:
    def __init__(self) -> None:
        self.router = APIRouter(prefix="/svc")

    async def ping(self) -> dict[str, str]:
        return {{"ok": "yes"}}


def register(api: Service) -> None:
    api.router.add_api_route("/ping", api.ping, methods=["GET"])


app = FastAPI()
service = Service()
register(service)
app.include_router(service.router{include})
"""


@pytest.mark.parametrize(
    ("include", "route"),
    [("", "/svc/ping"), (', prefix="/api"', "/api/svc/ping")],
    ids=["unprefixed", "prefixed"],
)
def test_bound_methods_registered_in_the_app_module_get_the_literal_route(
    tmp_path: Path, include: str, route: str
) -> None:
    """The class holding the router, the function registering its bound methods and the app
    in one module: the route is the literal the class's router serves, not a run-time
    `service.router.prefix + "/ping"` (as when they are apart)."""
    root = make_project(tmp_path / "project")
    write_files(root / "backend/app", {"main.py": SAME_MODULE_MAIN_PY.format(include=include)})
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text().replace('# "main.py"', '"main.py"')
    (root / "pyproject.toml").write_text(plan)
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"log call in Service.ping (GET {route})" in result.stdout, result.stdout
    assert f'"route": "{route}",' in (root / "backend/app/main.py").read_text()
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get(route).json() == {"ok": "yes"}
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "methods",
    ["[verb.upper()]", "[verb.strip().upper()]", '[f"{verb}".replace("get", "GET").upper()]'],
    ids=["upper", "chained", "replace"],
)
def test_methods_a_loop_spells_by_a_string_method_are_read(tmp_path: Path, methods: str) -> None:
    """`for verb in ("get", "post"): router.add_api_route(path, getattr(view, verb),
    methods=[verb.upper()])`: each verb's method of the view, with its HTTP method."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    (root / "backend/app/api/views.py").write_text(
        "from fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "class Items:\n"
        "    async def get(self) -> list[int]:\n        return [1]\n\n"
        "    async def post(self) -> dict[str, int]:\n        return {}\n\n\n"
        "view = Items()\n"
        'for verb in ("get", "post"):\n'
        f'    router.add_api_route("/items", getattr(view, verb), methods={methods})\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Items.get (GET /views/items)" in result.stdout, result.stdout
    assert "log call in Items.post (POST /views/items)" in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/views/items").json() == [1]
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("base", "unfollowed"),
    [("", False), ("(Base)", False), ("(HTTPEndpoint)", True)],
    ids=["own-class", "package-base", "library-base"],
)
def test_a_verb_the_class_lacks_under_hasattr_registers_nothing(
    tmp_path: Path, base: str, unfollowed: bool
) -> None:
    """`for verb in (...): if hasattr(view, verb): router.add_api_route(..., getattr(view,
    verb), ...)`: a verb no class of the view defines is skipped, as Python skips it; behind a
    library's base the class may have it: named on a line, not skipped."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    (root / "backend/app/api/views.py").write_text(
        "from fastapi import APIRouter\nfrom starlette.endpoints import HTTPEndpoint\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "class Base:\n    def describe(self) -> str:\n        return 'base'\n\n\n"
        f"class Items{base}:\n"
        "    async def get(self) -> list[int]:\n        return [1]\n\n\n"
        "view = Items()\n"
        'for verb in ("get", "put"):\n'
        "    if hasattr(view, verb):\n"
        '        router.add_api_route("/items", getattr(view, verb), methods=[verb.upper()])\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Items.get (GET /views/items)" in result.stdout, result.stdout
    assert ("registers `view.put`" in result.stdout) is unfollowed, result.stdout


@pytest.mark.parametrize(
    ("helper", "tested"),
    [
        ("    view = kls()\n", "view"),
        ("    view = kls()\n", "kls"),
    ],
    ids=["instance-tested", "class-tested"],
)
def test_a_helper_registering_the_verbs_of_a_class_passed_logs_each_method(
    tmp_path: Path, helper: str, tested: str
) -> None:
    """`def register(path, kls): view = kls(); for verb in (...): if hasattr(view, verb):
    router.add_api_route(path, getattr(view, verb), ...)`, called with classes of the module:
    each method a class defines is logged under the path its call passes; a verb it lacks is
    skipped, as Python skips it (was one line asking to log `getattr(view, verb)` by hand)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    source = (
        "from fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "class Items:\n"
        "    async def get(self) -> list[int]:\n        return [1]\n\n"
        "    async def post(self) -> dict[str, int]:\n        return {}\n\n\n"
        "class Users:\n"
        "    async def delete(self) -> None:\n        return None\n\n\n"
        "def register(path: str, kls: type) -> None:\n"
        f"{helper}"
        '    for verb in ("get", "post", "put", "delete"):\n'
        f"        if hasattr({tested}, verb):\n"
        "            router.add_api_route(path, getattr(view, verb), methods=[verb.upper()])\n\n\n"
        'register("/items", Items)\n'
        'register("/users", Users)\n'
    )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    for said in (
        "log call in Items.get (GET /views/items)",
        "log call in Items.post (POST /views/items)",
        "log call in Users.delete (DELETE /views/users)",
    ):
        assert said in result.stdout, result.stdout
    assert "cannot be followed" not in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


_PAIRED_CLASSES = (
    "class Items:\n"
    "    async def get(self) -> list[int]:\n        return [1]\n\n"
    "    async def post(self) -> dict[str, int]:\n        return {}\n\n\n"
    "class Users:\n"
    "    async def delete(self) -> None:\n        return None\n\n\n"
    "class Teams:\n"
    "    async def put(self) -> None:\n        return None\n\n\n"
    "def register(path: str, kls: type) -> None:\n"
    "    view = kls()\n"
    '    for verb in ("get", "post", "put", "delete"):\n'
    "        if hasattr(view, verb):\n"
    "            router.add_api_route(path, getattr(view, verb), methods=[verb.upper()])\n\n\n"
)
_PAIRED_FUNCTIONS = (
    "async def items() -> list[int]:\n    return [1]\n\n\n"
    "async def users() -> list[int]:\n    return [2]\n\n\n"
    "async def teams() -> list[int]:\n    return [3]\n\n\n"
    "def register(path: str, kls: Callable[..., Any]) -> None:\n"
    '    router.add_api_route(path, kls, methods=["GET"])\n\n\n'
)


@pytest.mark.parametrize(
    ("loop", "count"),
    [
        ('for p, k in (("/items", Items), ("/users", Users)):\n    register(p, k)\n', 2),
        (
            'for p, k in [("/items", Items), ("/users", Users), ("/teams", Teams)]:\n'
            "    register(p, k)\n",
            3,
        ),
        (
            'ROUTES = [("/items", Items), ("/users", Users), ("/teams", Teams)]\n\n'
            "for p, k in ROUTES:\n    register(kls=k, path=p)\n",
            3,
        ),
        (
            'for p, k in zip(("/items", "/users", "/teams"), [Items, Users, Teams]):\n'
            "    register(p, k)\n",
            3,
        ),
    ],
    ids=["two", "three", "module-list", "zip"],
)
@pytest.mark.parametrize("form", ["class", "function"])
def test_a_helper_called_in_a_loop_takes_each_item_s_arguments_together(
    tmp_path: Path, loop: str, count: int, form: str
) -> None:
    """`for p, k in (("/items", Items), ("/users", Users)): register(p, k)`: each call takes
    one item's path and class (or function) together, as Python pairs them (every path was
    paired with every class: `Items.get` logged at "/views/items" and "/views/users"); a loop
    over `zip` of two literal lists pairs them the same way (was not followed at all)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    if form == "class":
        body = _PAIRED_CLASSES
        expected = {
            "Items.get (GET /views/items)",
            "Items.post (POST /views/items)",
            "Users.delete (DELETE /views/users)",
            "Teams.put (PUT /views/teams)",
        }
    else:
        body = _PAIRED_FUNCTIONS
        loop = loop.replace("Items", "items").replace("Users", "users").replace("Teams", "teams")
        expected = {
            "items (GET /views/items)",
            "users (GET /views/users)",
            "teams (GET /views/teams)",
        }
    if count == 2:
        expected = {each for each in expected if "eams" not in each}
    source = (
        "from typing import Any, Callable\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        f"{body}{loop}"
    )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    said = {
        line.strip().removeprefix("log call in ")
        for line in result.stdout.splitlines()
        if line.strip().startswith("log call in ")
    }
    assert said == expected, result.stdout
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/views/items").json() == [1]
        assert client.get("/views/users").status_code == (200 if form == "function" else 405)
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


@pytest.mark.parametrize(
    "registration",
    [
        # A helper given the class, each call its prefix; the private methods filtered out.
        "def register(prefix: str, kls: type) -> None:\n"
        "    obj = kls()\n"
        "    for name, method in inspect.getmembers(obj, inspect.ismethod):\n"
        '        if not name.startswith("_"):\n'
        '            router.add_api_route(f"{prefix}/{name}", method, methods=["GET"])\n\n\n'
        'register("/ops", Ops)\n',
        # An instance of the module, a `continue` guard before the registration.
        "ops = Ops()\n"
        "for name, method in inspect.getmembers(ops, inspect.ismethod):\n"
        '    if name.startswith("_") or name == "helper":\n'
        "        continue\n"
        '    router.add_api_route(f"/ops/{name}", method, methods=["GET"])\n',
    ],
    ids=["helper", "module-level"],
)
def test_a_loop_over_the_methods_of_an_instance_logs_each_method(
    tmp_path: Path, registration: str
) -> None:
    """`for name, method in inspect.getmembers(obj, inspect.ismethod)`: `obj` an instance of a
    class of the module (bound once, or `obj = kls()` of a helper's call): each method the
    tests around the registration let through is logged at its path (was one line asking to
    log `method` by hand); those the tests leave out are not."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    source = (
        "import inspect\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "class Ops:\n"
        "    def ping(self) -> str:\n        return 'pong'\n\n"
        "    def status(self) -> str:\n        return 'ok'\n\n"
        "    def _secret(self) -> str:\n        return 'no'\n\n\n"
        f"{registration}"
    )
    if 'name == "helper"' in registration:  # a public method the test leaves out too
        source = source.replace(
            "    def _secret", "    def helper(self) -> str:\n        return 'h'\n\n    def _secret"
        )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Ops.ping (GET /views/ops/ping)" in result.stdout, result.stdout
    assert "log call in Ops.status (GET /views/ops/status)" in result.stdout, result.stdout
    assert "Ops._secret" not in result.stdout
    assert "Ops.helper" not in result.stdout
    assert "cannot be followed" not in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


@pytest.mark.parametrize(
    "registration",
    [
        "ops = Ops()\n"
        "for name, method in inspect.getmembers(ops, inspect.ismethod):\n"
        '    router.add_api_route(f"/ops/{name}", method, methods=["GET"])\n',
        "def register(prefix: str, kls: type) -> None:\n"
        "    obj = kls()\n"
        "    for name, method in inspect.getmembers(obj, predicate=inspect.ismethod):\n"
        '        router.add_api_route(f"{prefix}/{name}", method, methods=["GET"])\n\n\n'
        'register("/ops", Ops)\n',
    ],
    ids=["module-level", "helper"],
)
def test_a_loop_over_methods_leaves_out_dunders_and_properties(
    tmp_path: Path, registration: str
) -> None:
    """An unfiltered `inspect.getmembers(obj, inspect.ismethod)` loop: `__init__` and other
    dunders are not logged as routes (`__init__`'s log call fired when the instance was built),
    and a property (its value, not a method) leaves the other methods followed (the loop was
    one line asking to log `method` by hand). A private method unfiltered is a route: logged."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    source = (
        "import inspect\nfrom functools import cached_property\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "class Ops:\n"
        "    def __init__(self) -> None:\n        self._mode = 'on'\n\n"
        "    def __call__(self) -> str:\n        return 'called'\n\n"
        "    def ping(self) -> str:\n        return 'pong'\n\n"
        "    @property\n    def mode(self) -> str:\n        return self._mode\n\n"
        "    @mode.setter\n    def mode(self, value: str) -> None:\n        self._mode = value\n\n"
        "    @cached_property\n    def label(self) -> str:\n        return 'ops'\n\n"
        "    def _secret(self) -> str:\n        return 'no'\n\n\n"
        f"{registration}"
    )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    said = {
        line.strip().removeprefix("log call in ")
        for line in result.stdout.splitlines()
        if line.strip().startswith("log call in ")
    }
    assert said == {"Ops.ping (GET /views/ops/ping)", "Ops._secret (GET /views/ops/_secret)"}
    assert "cannot be followed" not in result.stdout, result.stdout
    assert views.read_text().count("event_logger.log(") == 2
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


_MEMBER_KINDS_CLASS = (
    "class Ops:\n"
    "    def ping(self) -> str:\n        return 'pong'\n\n"
    "    @classmethod\n    def version(cls) -> str:\n        return 'v1'\n\n"
    "    @staticmethod\n    def health() -> str:\n        return 'ok'\n\n\n"
)


@pytest.mark.parametrize(
    ("registration", "logged"),
    [
        # An instance's bound methods: its plain and class methods, not a static one.
        (
            "ops = Ops()\n"
            "for name, method in inspect.getmembers(ops, inspect.ismethod):\n"
            '    router.add_api_route(f"/ops/{name}", method, methods=["GET"])\n',
            {"ping", "version"},
        ),
        # The class's functions: its plain and static methods (a class method is bound); the
        # plain one read from the class needs an instance: named on a line, as when written.
        (
            "for name, function in inspect.getmembers(Ops, predicate=inspect.isfunction):\n"
            '    router.add_api_route(f"/ops/{name}", function, methods=["GET"])\n',
            {"health"},
        ),
        # An instance's functions: its static methods only.
        (
            "ops = Ops()\n"
            "for name, function in inspect.getmembers(ops, inspect.isfunction):\n"
            '    router.add_api_route(f"/ops/{name}", function, methods=["GET"])\n',
            {"health"},
        ),
        # The class's bound methods: its class methods only.
        (
            "for name, method in inspect.getmembers(Ops, inspect.ismethod):\n"
            '    router.add_api_route(f"/ops/{name}", method, methods=["GET"])\n',
            {"version"},
        ),
        # A helper given the class, listing its functions.
        (
            "def register(prefix: str, kls: type) -> None:\n"
            "    for name, function in inspect.getmembers(kls, inspect.isfunction):\n"
            '        if not name.startswith("_"):\n'
            '            router.add_api_route(f"{prefix}/{name}", function, methods=["GET"])\n\n\n'
            'register("/ops", Ops)\n',
            {"health"},
        ),
    ],
    ids=[
        "instance-ismethod",
        "class-isfunction",
        "instance-isfunction",
        "class-ismethod",
        "helper",
    ],
)
def test_a_loop_over_the_members_of_a_class_logs_those_its_predicate_keeps(
    tmp_path: Path, registration: str, logged: set[str]
) -> None:
    """`inspect.getmembers(<instance or class>, inspect.ismethod / inspect.isfunction)`: each
    method the predicate keeps there (class methods are bound, static methods plain, plain
    methods bound only on an instance) is logged at its path, the others not (a class or static
    method made the whole loop one unfollowed line)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    source = (
        "import inspect\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        f"{_MEMBER_KINDS_CLASS}{registration}"
    )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    for name in ("ping", "version", "health"):
        said = f"log call in Ops.{name} (GET /views/ops/{name})"
        assert (said in result.stdout) == (name in logged), result.stdout
    # Only a plain method a loop reads from the class is not followed, and said once.
    from_class = "inspect.isfunction" in registration and "ops = Ops()" not in registration
    assert result.stdout.count("cannot be followed") == from_class, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


@pytest.mark.parametrize(
    "registration",
    [
        "ops = Ops()\n"
        "for name, method in inspect.getmembers(ops, inspect.ismethod):\n"
        '    if not name.startswith("_"):\n'
        '        router.add_api_route(f"/ops/{name}", method, methods=["GET"])\n',
        "def register(prefix: str, kls: type) -> None:\n"
        "    obj = kls()\n"
        "    for name, method in inspect.getmembers(obj, inspect.ismethod):\n"
        '        if not name.startswith("_"):\n'
        '            router.add_api_route(f"{prefix}/{name}", method, methods=["GET"])\n\n\n'
        'register("/ops", Ops)\n',
    ],
    ids=["module-level", "helper"],
)
def test_a_loop_over_methods_a_base_of_another_module_defines_logs_them_there(
    tmp_path: Path, registration: str
) -> None:
    """`class Ops(BaseOps)` with `BaseOps` in another module of the package: the methods the
    base defines are logged in that module at the loop's paths, the class's own in its module
    (the whole loop was one unfollowed line); an override is the class's own."""
    root = make_project(
        tmp_path / "project",
        'instrument = { "api/views.py" = "ai_block_used", "api/base.py" = "ai_block_used" }',
    )
    base_source = (
        "class BaseOps:\n"
        "    def health(self) -> str:\n        return 'ok'\n\n"
        "    def ping(self) -> str:\n        return 'base'\n\n"
        "    def _secret(self) -> str:\n        return 'no'\n"
    )
    source = (
        "import inspect\n\nfrom fastapi import APIRouter\n\nfrom app.api.base import BaseOps\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "class Ops(BaseOps):\n"
        "    def ping(self) -> str:\n        return 'pong'\n\n\n"
        f"{registration}"
    )
    base = root / "backend/app/api/base.py"
    base.write_text(base_source)
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\napp.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Ops.ping (GET /views/ops/ping)" in result.stdout, result.stdout
    assert "log call in BaseOps.health (GET /views/ops/health)" in result.stdout, result.stdout
    assert "BaseOps.ping" not in result.stdout
    assert "_secret" not in result.stdout
    assert "cannot be followed" not in result.stdout, result.stdout
    assert base.read_text().count("event_logger.log(") == 1
    with imported_app(root / "backend") as served:
        client = TestClient(served.app)
        assert client.get("/views/ops/health").json() == "ok"
        assert client.get("/views/ops/ping").json() == "pong"
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source
    assert base.read_text() == base_source


@pytest.mark.parametrize(
    "annotation",
    ["APIRouter | None", "Optional[APIRouter]", '"Union[APIRouter, None]"', "APIRouter"],
)
def test_a_helper_whose_router_parameter_is_annotated_with_a_union_logs_its_routes(
    tmp_path: Path, annotation: str
) -> None:
    """`def add_routes(router: APIRouter | None)`, called from another module: the router's role
    is read through the union (its routes went unlogged without a word)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    source = (
        "from typing import Optional, Union\n\nfrom fastapi import APIRouter\n\n"
        'router = APIRouter(prefix="/views")\n\n\n'
        "def ping() -> str:\n    return 'pong'\n\n\n"
        f"def add_routes(target: {annotation}) -> None:\n"
        '    target.add_api_route("/ping", ping, methods=["GET"])\n'
    )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\nviews.add_routes(views.router)\n"
        "app.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in ping (GET /views/ping)" in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


@pytest.mark.parametrize("annotation", ["APIRouter | FastAPI", "Union[APIRouter, FastAPI]", ""])
def test_a_registration_on_a_parameter_no_call_tells_is_said_on_a_line(
    tmp_path: Path, annotation: str
) -> None:
    """`Route(path, method, endpoint).add_to_router(router)` (a shape of public backends): the
    registration in `add_to_router(self, router: APIRouter | FastAPI)` is of whatever its callers
    pass, called on a loop's items in another module: named on a line by `init` and `generate`
    (it was left out without a word)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/routing.py" = "ai_block_used" }')
    routing = (
        "from dataclasses import dataclass\nfrom typing import Callable, Union\n\n"
        "from fastapi import APIRouter, FastAPI\n\n\n"
        "@dataclass\nclass Route:\n    path: str\n    method: str\n    endpoint: Callable\n\n"
        f"    def add_to_router(self, router{': ' if annotation else ''}{annotation}) -> None:\n"
        "        router.add_api_route(\n"
        "            path=self.path, methods=[self.method], endpoint=self.endpoint\n"
        "        )\n"
    )
    (root / "backend/app/api/routing.py").write_text(routing)
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api.routing import Route\n\n\n"
        "def login() -> str:\n    return 'in'\n\n\n"
        'for route in [Route("/login", "POST", login)]:\n    route.add_to_router(app)\n'
    )
    said = "`router.add_api_route` registers `self.endpoint`, which cannot be followed"
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count(said) == 1, result.stdout
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[project]\nname = "demo"\n')
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert '"api/routing.py" = "ai_block_used"  # 1 route registered' in pyproject.read_text()


def test_a_router_an_instance_attribute_holds_is_included_through_it(tmp_path: Path) -> None:
    """`self.router = Router()` in a server class, then `self.app.include_router(
    self.router.router, prefix="/api")` (a shape of public backends): the router `Router`
    builds for its instances is served under the include's prefix (was included by no include
    the tool could follow)."""
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    source = (
        "from fastapi import APIRouter\n\n\n"
        "class Router:\n"
        "    def __init__(self) -> None:\n"
        '        self.router = APIRouter(prefix="/zip")\n'
        '        self.router.add_api_route("/", self.get_root, methods=["GET"])\n\n'
        "    def get_root(self) -> str:\n        return 'root'\n"
    )
    views = root / "backend/app/api/views.py"
    views.write_text(source)
    main = root / "backend/app/main.py"
    main.write_text(
        "from fastapi import FastAPI\n\nfrom app.api.views import Router\n\n\n"
        "class Server:\n"
        "    def __init__(self) -> None:\n"
        "        self.app = FastAPI()\n"
        "        self.router = Router()\n"
        '        self.app.include_router(self.router.router, prefix="/api")\n\n\n'
        "server = Server()\napp = server.app\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "log call in Router.get_root (GET /api/zip/)" in result.stdout, result.stdout
    assert "included by no" not in result.stdout, result.stdout
    with imported_app(root / "backend") as served:
        assert TestClient(served.app).get("/api/zip/").json() == "root"
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert views.read_text() == source


@pytest.mark.parametrize(
    "annotation",
    [
        '"' + " | ".join(["APIRouter"] * 3000) + '"',  # deeper than the parser's stack
        '"' + "[" * 300 + "APIRouter" + "]" * 300 + '"',  # nesting the parser refuses
        '"APIRouter\\x00"',
    ],
    ids=["long-union", "deep-brackets", "nul"],
)
def test_a_quoted_annotation_the_parser_cannot_take_is_no_traceback(
    tmp_path: Path, annotation: str
) -> None:
    # A RecursionError of ast.parse on a string annotation crashed generate.
    root = make_project(tmp_path / "project", 'instrument = { "api/views.py" = "ai_block_used" }')
    views = root / "backend/app/api/views.py"
    views.write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        "def ping() -> str:\n    return 'pong'\n\n\n"
        f"def add_routes(target: {annotation}) -> None:\n"
        '    target.add_api_route("/ping", ping, methods=["GET"])\n'
    )
    main = root / "backend/app/main.py"
    main.write_text(
        main.read_text() + "\nfrom app.api import views\n\nviews.add_routes(views.router)\n"
        "app.include_router(views.router)\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr  # run() raises what the CLI raised


@pytest.mark.parametrize(
    ("config", "prefix", "bindings"),
    [
        # Three routes under a versioned prefix: `}.get(period, [...]),` was 107 characters.
        ("", "/api/v1/reports", ['"daily"', '"weekly"', '"monthly"']),
        (
            "[tool.ruff]\nline-length = 60\n\n[tool.ruff.format]\nquote-style = 'single'\n",
            "/reports",
            ['"daily_summary"', '"weekly_summary"'],
        ),
        ("[tool.ruff]\nline-length = 79\n", "/api/v2/metrics/reports", ["1", "7", "30", "365"]),
    ],
    ids=["three", "narrow-single-quotes", "positional-numbers"],
)
def test_the_table_of_partials_is_laid_out_as_ruff_formats_it(
    tmp_path: Path, config: str, prefix: str, bindings: list[str]
) -> None:
    # The table on the bound parameter split its entries but left `}.get(...)` whole, past
    # the line length: `ruff format` changed the module, and E501 reported it.
    kind = "int" if bindings[0].isdigit() else "str"
    registered = "".join(
        f'router.add_api_route("/r{number}", partial(report, {bound}))\n'
        for number, bound in enumerate(bindings)
    )
    write_files(
        tmp_path,
        {
            "pyproject.toml": (
                f'[project]\nname = "demo"\n\n{config}\n[tool.telemetry-scaffold]\n'
                'backend = "."\napp-package = "app"\napp = "app.main:app"\n\n'
                '[tool.telemetry-scaffold.instrument]\n"main.py" = "ai_block_used"\n'
            ),
            "app/__init__.py": "",
            "app/main.py": (
                "from functools import partial\n\nfrom fastapi import APIRouter, FastAPI\n\n"
                f'router = APIRouter(prefix="{prefix}")\n\n\n'
                f"def report(period: {kind}) -> str:\n    return str(period)\n\n\n"
                f"{registered}\napp = FastAPI()\napp.include_router(router)\n"
            ),
        },
    )
    ruff = [sys.executable, "-m", "ruff"]
    main = tmp_path / "app/main.py"
    subprocess.run([*ruff, "format", "-q", "--no-cache", str(main)], cwd=tmp_path, check=True)
    result = run("generate", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert ".get(period," in main.read_text() or ".get(\n" in main.read_text(), main.read_text()
    for command in (["format", "--check", "--diff"], ["check", "--select", "E501"]):
        checked = subprocess.run(
            [*ruff, *command, "--no-cache", str(main)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
