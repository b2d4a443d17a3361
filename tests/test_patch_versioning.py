"""fastapi-versioning: ``app = VersionedFastAPI(app, prefix_format=...)`` serves routes per version.

The library returns a new app that mounts, for each version the app's handlers declare with
``@version(major, minor)`` (1.0 when a handler has none, or ``default_version=``), an app serving
them under ``prefix_format`` filled with that version. A route is logged under its own version's
prefix. The telemetry router and error capture go on the app the call returns, the one served:
the old app's routes are copied into the new one when it is called, and nothing added to the old
one afterwards (nor its middleware) is served.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import make_project, run
from tests.route_support import line_of, routes_by_handler, versioned_project

ITEMS_PY = '''"""Items, in two versions."""

from fastapi import APIRouter
from fastapi_versioning import version

router = APIRouter(prefix="/items")


@router.get("/")
async def list_items() -> list[str]:
    return []


@router.get("/{item_id}")
@version(2)
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@router.post("/sync")
@version(major=1, minor=1)
async def sync() -> dict[str, str]:
    return {}
'''

MODULE_LEVEL = """from fastapi import FastAPI
from fastapi_versioning import VersionedFastAPI

from app.api import items

app = FastAPI(title="Demo")
app.include_router(items.router, prefix="/api")
app = VersionedFastAPI(app, version_format="{major}", prefix_format="/v{major}")


@app.get("/ping")
async def ping() -> str:
    return "pong"
"""

RETURNED_BY_A_FACTORY = """import fastapi_versioning
from fastapi import FastAPI

from app.api import items


def create_app() -> FastAPI:
    app = FastAPI(title="Demo")
    app.include_router(items.router)
    return fastapi_versioning.VersionedFastAPI(app, default_version=(3, 0), enable_latest=True)


app = create_app()
"""


def _project(tmp_path: Path, main: str) -> Path:
    return versioned_project(tmp_path, main, "items", ITEMS_PY)


def test_routes_are_logged_under_their_version_and_the_layer_is_wired_on_the_served_app(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, MODULE_LEVEL)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py") == {
        "list_items": "/v1/api/items/",
        "get_item": "/v2/api/items/{item_id}",
        "sync": "/v1/api/items/sync",  # prefix_format has no {minor}
    }
    # Declared on the app VersionedFastAPI returned: at its root, not under a version.
    assert routes_by_handler(root / "backend/app/main.py") == {"ping": "/ping"}
    lines = (root / "backend/app/main.py").read_text().splitlines()
    wrapped = line_of(lines, "app = VersionedFastAPI(app")
    assert line_of(lines, "app.include_router(telemetry_router)") > wrapped
    assert line_of(lines, "install_error_capture(app)") > wrapped
    said = [line for line in result.stdout.splitlines() if "`VersionedFastAPI`" in line]
    assert len(said) == 2 and all("backend/app/main.py:8" in line for line in said), said
    # fastapi-versioning 0.10 copies `app.routes` entry by entry: an included router is one
    # entry of its own with FastAPI 0.137 or later, and the app fails to start there.
    assert "`VersionedFastAPI` raises AttributeError at start with FastAPI 0.137" in said[1]
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == MODULE_LEVEL


def test_a_versioned_app_including_no_router_is_not_said_to_fail_on_newer_fastapi(
    tmp_path: Path,
) -> None:
    # Routes declared on the app itself are route entries with any FastAPI: nothing to say.
    main = MODULE_LEVEL.replace('app.include_router(items.router, prefix="/api")\n', "")
    main = main.replace("from app.api import items\n\n", "")
    result = run("generate", "--root", str(_project(tmp_path, main)))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "AttributeError" not in result.stdout
    assert "serves the routes of `app` under a prefix for each version" in result.stdout


def test_an_app_factory_returning_the_versioned_app_is_wired_where_it_is_called(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, RETURNED_BY_A_FACTORY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    # The default prefix format, "/v{major}_{minor}", and the default version given.
    assert routes_by_handler(root / "backend/app/api/items.py") == {
        "list_items": "/v3_0/items/",
        "get_item": "/v2_0/items/{item_id}",
        "sync": "/v1_1/items/sync",
    }
    lines = (root / "backend/app/main.py").read_text().splitlines()
    called = line_of(lines, "app = create_app()")
    assert line_of(lines, "app.include_router(telemetry_router)") == called + 1
    assert "/latest" in result.stdout


PASSED_ON = """from fastapi import FastAPI
from fastapi_versioning import VersionedFastAPI
from mangum import Mangum

from app.api import items

app = FastAPI(title="Demo")
app.include_router(items.router, prefix="/api")
handler = Mangum(VersionedFastAPI(app, version_format="{major}", prefix_format="/v{major}"))
"""


def test_a_versioned_app_passed_straight_to_a_wrapper_says_where_the_telemetry_api_answers(
    tmp_path: Path,
) -> None:
    """`handler = Mangum(VersionedFastAPI(app))`: the versioned app has no name, so the telemetry
    router goes into `app`, whose routes it serves under each version's prefix: said on a line
    (nothing said so before); the routes are logged under their versions, as the handler serves
    them."""
    root = _project(tmp_path, PASSED_ON)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] == (
        "/v2/api/items/{item_id}"
    )
    said = [line for line in result.stdout.splitlines() if "has no name" in line]
    assert len(said) == 1 and "backend/app/main.py:9" in said[0], result.stdout
    assert "(/v1/... first)" in said[0]
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == PASSED_ON


@pytest.mark.parametrize(
    "call",
    [
        "VersionedFastAPI(app, prefix_format=PREFIX)",
        'VersionedFastAPI(app, prefix_format="/v{major}", default_version=DEFAULT)',
    ],
    ids=["prefix-format", "default-version"],
)
def test_a_version_prefix_only_known_at_run_time_is_left_out_and_said(
    tmp_path: Path, call: str
) -> None:
    main = MODULE_LEVEL.replace(
        'VersionedFastAPI(app, version_format="{major}", prefix_format="/v{major}")', call
    ).replace(
        "app = FastAPI(", "PREFIX = build_prefix()\nDEFAULT = build_default()\napp = FastAPI("
    )
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    routes = routes_by_handler(root / "backend/app/api/items.py")
    if "PREFIX" in call:
        assert routes["get_item"] == "/api/items/{item_id}"
    else:  # the declared versions are known; the default one is not
        assert routes == {
            "list_items": "/api/items/",
            "get_item": "/v2/api/items/{item_id}",
            "sync": "/v1/api/items/sync",
        }
    assert "only known at run time" in result.stdout


def test_init_names_the_versioned_app_when_it_has_a_name_of_its_own(tmp_path: Path) -> None:
    """``api = VersionedFastAPI(app)``: ``app`` is served through ``api``, which init names."""
    main = MODULE_LEVEL.replace("app = VersionedFastAPI(app", "api = VersionedFastAPI(app")
    main = main.split("\n\n\n@app.get")[0] + "\n"
    root = _project(tmp_path, main)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert 'app = "app.main:api"' in (root / "pyproject.toml").read_text()
    assert run("generate", "--root", str(root)).exit_code == 0
    lines = (root / "backend/app/main.py").read_text().splitlines()
    assert lines[-2:] == ["api.include_router(telemetry_router)", "install_error_capture(api)"]


def test_a_handler_version_only_known_at_run_time_leaves_its_prefix_out_and_says_so(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, MODULE_LEVEL)
    items = root / "backend/app/api/items.py"
    items.write_text(
        ITEMS_PY.replace("@version(2)", "@version(CURRENT)")
        .replace(
            'router = APIRouter(prefix="/items")',
            'CURRENT = int(os.environ["API_VERSION"])\nrouter = APIRouter(prefix="/items")',
        )
        .replace('"""Items, in two versions."""\n', '"""Items, in two versions."""\n\nimport os\n')
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(items)["get_item"] == "/api/items/{item_id}"
    assert routes_by_handler(items)["list_items"] == "/v1/api/items/"
    said = [line for line in result.stdout.splitlines() if "its version prefix" in line]
    assert len(said) == 1 and "backend/app/api/items.py:" in said[0], result.stdout


THROUGH_A_FUNCTION = """from fastapi import FastAPI
from fastapi_versioning import VersionedFastAPI

from app.api import items


def add_routes(application: FastAPI) -> None:
    application.include_router(items.router, prefix="/api")


def versioned(application: FastAPI) -> FastAPI:
    return VersionedFastAPI(application, prefix_format="/v{major}")


app = FastAPI()
add_routes(application=app)
app = versioned(application=app)
"""


def test_an_app_a_module_function_hands_to_versioned_fastapi_serves_its_routes_per_version(
    tmp_path: Path,
) -> None:
    """``app = versioned(app)``, a function returning ``VersionedFastAPI(parameter)``."""
    root = _project(tmp_path, THROUGH_A_FUNCTION)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py") == {
        "list_items": "/v1/api/items/",
        "get_item": "/v2/api/items/{item_id}",
        "sync": "/v1/api/items/sync",
    }
    lines = (root / "backend/app/main.py").read_text().splitlines()
    rebuilt = line_of(lines, "app = versioned(application=app)")
    assert line_of(lines, "app.include_router(telemetry_router)") > rebuilt
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert (root / "backend/app/main.py").read_text() == THROUGH_A_FUNCTION


@pytest.mark.parametrize(
    "main",
    [
        "from fastapi import FastAPI\nfrom fastapi_versioning import VersionedFastAPI\n\n"
        "from app.api import items\n\napi = FastAPI()\n"
        'api.include_router(items.router, prefix="/shop")\n\n\n'
        '@api.get("/ping")\nasync def ping() -> str:\n    return "pong"\n\n\n'
        'app = VersionedFastAPI(api, prefix_format="/v{major}")\n',
        "from fastapi import FastAPI\nfrom fastapi_versioning import VersionedFastAPI\n\n"
        "from app.api import items\n\n\ndef create_app() -> FastAPI:\n    api = FastAPI()\n"
        '    api.include_router(items.router, prefix="/shop")\n\n'
        '    @api.get("/ping")\n    async def ping() -> str:\n        return "pong"\n\n'
        '    return VersionedFastAPI(api, prefix_format="/v{major}")\n\n\napp = create_app()\n',
    ],
    ids=["module-level", "factory"],
)
def test_the_app_a_versioned_app_is_built_from_under_another_name_serves_its_routes(
    tmp_path: Path, main: str
) -> None:
    """`app = VersionedFastAPI(api)`: what is declared on `api` is served through `app`."""
    root = make_project(tmp_path / "project")
    (root / "backend/app/api/items.py").write_text(ITEMS_PY)
    (root / "backend/app/main.py").write_text(main)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    offered = run("init", "--root", str(root))
    assert offered.exit_code == 0, offered.stderr
    plan = (root / "pyproject.toml").read_text()
    assert '# "api/items.py" = "ai_block_used"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "api/', '"api/'))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "not the app served" not in result.stdout and "included by no app" not in result.stdout
    assert (
        routes_by_handler(root / "backend/app/api/items.py")["get_item"]
        == "/v2/shop/items/{item_id}"
    )


def test_versioned_fastapi_under_an_alias_serves_its_routes_per_version(tmp_path: Path) -> None:
    # Recognised by what the name imports, as fastapi-versionizer's `Versionizer as V` is.
    main = MODULE_LEVEL.replace(
        "import VersionedFastAPI\n", "import VersionedFastAPI as Versioned\n"
    ).replace("app = VersionedFastAPI(app", "app = Versioned(app")
    root = _project(tmp_path, main)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py")["get_item"] == (
        "/v2/api/items/{item_id}"
    )
    assert routes_by_handler(root / "backend/app/main.py") == {"ping": "/ping"}
    lines = (root / "backend/app/main.py").read_text().splitlines()
    assert line_of(lines, "app.include_router(telemetry_router)") > line_of(lines, "Versioned(")


def test_versioned_fastapi_re_exported_by_the_package_serves_its_routes_per_version(
    tmp_path: Path,
) -> None:
    # `from app.core import VersionedFastAPI, version`: the library's, through the package.
    to_core = ("from fastapi_versioning import", "from app.core import")
    root = versioned_project(
        tmp_path, MODULE_LEVEL.replace(*to_core), "items", ITEMS_PY.replace(*to_core)
    )
    (root / "backend/app/core").mkdir()
    (root / "backend/app/core/__init__.py").write_text(
        "from fastapi_versioning import VersionedFastAPI, version\n"
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py") == {
        "list_items": "/v1/api/items/",
        "get_item": "/v2/api/items/{item_id}",
        "sync": "/v1/api/items/sync",
    }
    lines = (root / "backend/app/main.py").read_text().splitlines()
    assert line_of(lines, "app.include_router(telemetry_router)") > line_of(
        lines, "app = VersionedFastAPI(app"
    )
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


ROUTE_CLASSES_PY = '''"""Items declared on routers of fastapi-versioning's route classes."""

from fastapi import APIRouter
from fastapi_versioning import version, versioned_api_route

LEGACY = versioned_api_route(1, 1)

router = APIRouter(prefix="/items", route_class=versioned_api_route(major=2))
legacy = APIRouter(prefix="/items", route_class=LEGACY)
plain = APIRouter(prefix="/items")


@router.get("/")
@version(3)
async def list_items() -> list[str]:
    return []


@legacy.get("/")
async def list_old_items() -> list[str]:
    return []


@plain.get("/{item_id}")
@version(4)
async def get_item(item_id: int) -> int:
    return item_id
'''

ROUTE_CLASSES_MAIN = """from fastapi import FastAPI
from fastapi_versioning import VersionedFastAPI

from app.api import items

app = FastAPI()
app.include_router(items.router)
app.include_router(items.legacy)
app.include_router(items.plain)
app = VersionedFastAPI(app)
"""


def test_a_routers_versioned_route_class_gives_its_routes_their_version(tmp_path: Path) -> None:
    """`APIRouter(route_class=versioned_api_route(2))`: the route class sets the version of
    every route made on it, over the handler's `@version` (it runs after the decorator); the
    same path in two versions is no route shadowing another."""
    root = versioned_project(tmp_path, ROUTE_CLASSES_MAIN, "items", ROUTE_CLASSES_PY)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert routes_by_handler(root / "backend/app/api/items.py") == {
        "list_items": "/v2_0/items/",
        "list_old_items": "/v1_1/items/",
        "get_item": "/v4_0/items/{item_id}",
    }
    assert "never reached" not in result.stdout, result.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
