"""Routers included from outside the project's folders: an installed package, a path dependency."""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from telemetry_cli.patching import mounts
from telemetry_cli.patching.symbols import Binding, PackageIndex
from tests.backend_support import imported_app
from tests.cli_support import run, snapshot, write_files

SHARED_HEALTH = """from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""

ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""

INCLUDES = {
    "imported-name": (
        "from sharedlib.health import router as health_router\n",
        'app.include_router(health_router, prefix="/ops")\n',
        "`health_router` (sharedlib.health.router)",
    ),
    "module-attribute": (
        "import sharedlib.health\n",
        'app.include_router(sharedlib.health.router, prefix="/ops")\n',
        "`sharedlib.health.router`",
    ),
    "in-a-loop": (
        "from sharedlib import health\n",
        'for module in (health, items):\n    app.include_router(module.router, prefix="/ops")\n',
        "`module.router` (sharedlib.health.router)",
    ),
}


@pytest.mark.parametrize("shape", sorted(INCLUDES))
def test_a_router_from_a_path_dependency_is_said_by_init_and_generate(
    tmp_path: Path, shape: str
) -> None:
    """`from sharedlib.health import router` of a uv path dependency (`../sharedlib`, outside
    the folders searched), included by the app: its routes answer, but no log call can go into
    them. `init` and `generate` say it in one line naming the include and the router's module;
    nothing was said, the routes silently not logged."""
    imported, include, named = INCLUDES[shape]
    root = tmp_path / "project"
    write_files(
        tmp_path,
        {"sharedlib/sharedlib/__init__.py": "", "sharedlib/sharedlib/health.py": SHARED_HEALTH},
    )
    write_files(
        root,
        {
            "pyproject.toml": (
                '[project]\nname = "svc"\ndependencies = ["sharedlib"]\n\n'
                '[tool.uv.sources]\nsharedlib = { path = "../sharedlib" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": (
                f"from fastapi import FastAPI\n{imported}\nfrom app import items\n\n"
                f"app = FastAPI()\napp.include_router(items.router)\n{include}"
            ),
        },
    )
    line = 8 if shape != "in-a-loop" else 9
    note = (
        f"backend/app/main.py:{line}: routes of {named}, a router from outside the project's "
        "folders (an installed package or a path dependency), are served but not instrumented "
        "(library code"
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert note in " ".join(initialised.stdout.split()), initialised.stdout
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "items.py"', '"items.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    said = " ".join(generated.stdout.split())
    assert said.count(note) == 1, said
    assert "log call in get_item" in said
    assert (tmp_path / "sharedlib/sharedlib/health.py").read_text() == SHARED_HEALTH
    sys.path.insert(0, str(tmp_path / "sharedlib"))
    try:
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get("/ops/health").json() == {"status": "ok"}
    finally:
        sys.path.remove(str(tmp_path / "sharedlib"))
        for name in [name for name in sys.modules if name.partition(".")[0] == "sharedlib"]:
            del sys.modules[name]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_router_of_the_project_is_not_said_to_come_from_outside(tmp_path: Path) -> None:
    """The package's own routers (imported absolutely or relatively) are no outside routers."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\ninstrument = { "items.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\nfrom .items import router as items_router\n\n"
                "app = FastAPI()\napp.include_router(items_router)\n"
            ),
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "outside the project" not in generated.stdout


TRY_IMPORTED = """from fastapi import APIRouter

from app.items import router as items_router

router = APIRouter()
router.include_router(items_router)

try:
    from app.local_only import router as local_router

    router.include_router(local_router)
except ImportError:
    ...
"""


def test_a_router_imported_from_a_module_not_in_the_project_is_said_and_adds_nothing(
    tmp_path: Path,
) -> None:
    """`try: from app.local_only import router` then its include, `except ImportError` (ACS).

    `app/local_only.py` is kept out of the repository: the include adds none of the project's
    routers. Generate says so in one line, and a router included nowhere (`health`) is said to
    be served by no app for sure. Before, the include was taken as one the tool cannot follow
    (`health` "may be served under" its prefixes, the missing router named as the reason).
    """
    stdout = _absent_router_project(tmp_path / "project", TRY_IMPORTED)
    assert (
        "backend/app/api.py:11: `local_router` is imported from app.local_only, a module not in "
        "the project: this call includes none of its routes"
    ) in stdout, stdout
    assert "log call in get_item (GET /api/items/{item_id})" in stdout
    assert "`router` of app.health is included by no app" in stdout, stdout
    assert "not followed" not in stdout


def _absent_router_project(root: Path, api: str, extra: Mapping[str, str] = {}) -> str:
    """generate's output on the project of the test above with ``api`` as `app/api.py`."""
    write_files(
        root,
        {
            "pyproject.toml": (
                "[tool.telemetry-scaffold]\n"
                'instrument = { "items.py" = "ai_block_used", "health.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/health.py": SHARED_HEALTH,
            "backend/app/api.py": api,
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.api import router\n\n"
                'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
            ),
            **extra,
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return generated.stdout


def test_the_layers_own_router_is_no_module_left_out_before_the_layer_is_written(
    tmp_path: Path,
) -> None:
    """The app's include of the layer's router, with the layer not generated yet (deleted, or a
    fresh clone that keeps it out): the run writes that module, so nothing is said of it."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\ninstrument = { "items.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\n"
                "from app.analytics.telemetry_router import router as telemetry_router\n"
                "from app.items import router\n\n"
                'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
                "app.include_router(telemetry_router)\n"
            ),
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "a module not in the project" not in generated.stdout, generated.stdout
    assert "log call in get_item (GET /api/items/{item_id})" in generated.stdout
    assert (root / "backend/app/analytics/telemetry_router.py").is_file()


GUARDED = {
    "exception": TRY_IMPORTED.replace("except ImportError:", "except Exception:"),
    "tuple": TRY_IMPORTED.replace("except ImportError:", "except (ModuleNotFoundError, OSError):"),
    "bare": TRY_IMPORTED.replace("except ImportError:", "except:  # noqa: E722"),
    "second-handler": TRY_IMPORTED.replace(
        "except ImportError:", "except ValueError:\n    ...\nexcept ImportError:"
    ),
}


@pytest.mark.parametrize("api", GUARDED.values(), ids=list(GUARDED))
def test_any_handler_catching_a_failed_import_makes_the_module_surely_absent(
    tmp_path: Path, api: str
) -> None:
    said = _absent_router_project(tmp_path / "project", api)
    assert "this call includes none of its routes" in said, said
    assert "`router` of app.health is included by no app" in said, said


def test_the_guard_is_read_where_the_missing_module_is_imported(tmp_path: Path) -> None:
    # `app/local.py` guards the import; `app/api.py` imports the name from it, unguarded.
    api = TRY_IMPORTED.replace(
        "try:\n    from app.local_only import router as local_router\n", "if True:\n"
    ).replace("except ImportError:\n    ...\n", "")
    api = api.replace(
        "from app.items import",
        "from app.local import router as local_router\nfrom app.items import",
    )
    local = "try:\n    from app.local_only import router\nexcept ImportError:\n    router = None\n"
    said = _absent_router_project(tmp_path / "project", api, {"backend/app/local.py": local})
    assert "this call includes none of its routes" in said, said


UNGUARDED = {
    # Generated at build time (openapi/grpc codegen, gitignored), compiled, or on a .pth path.
    "plain": "from fastapi import APIRouter\n\nfrom app.items import router as items_router\n"
    "from app.local_only import router as local_router\n\nrouter = APIRouter()\n"
    "router.include_router(items_router)\nrouter.include_router(local_router)\n",
    "other-error": TRY_IMPORTED.replace("except ImportError:", "except ValueError:"),
    "finally": TRY_IMPORTED.replace("except ImportError:", "finally:"),
}


@pytest.mark.parametrize("api", UNGUARDED.values(), ids=list(UNGUARDED))
def test_an_unguarded_import_of_a_module_not_in_the_project_is_not_followed(
    tmp_path: Path, api: str
) -> None:
    """Without a `try` catching its failure the import runs only where the module is provided:
    it may hold routers, so the include is one not followed, as before (ACS)."""
    said = _absent_router_project(tmp_path / "project", api)
    assert "a module not in the project" in said, said
    assert "includes none of its routes" not in said, said
    assert "`router` of app.health is included by no app" not in said, said
    assert "not followed" in said, said


#: Stand-ins for fastapi-users and fastapi-crudrouter, installed as libraries are: outside the
#: project's folders. Each declares its routes itself, as the real ones do.
USERS_LIBRARY = """from fastapi import APIRouter


class FastAPIUsers:
    def __init__(self, get_user_manager: object, auth_backends: list[object]) -> None:
        self.auth_backends = auth_backends

    def get_auth_router(self, backend: object) -> APIRouter:
        router = APIRouter()

        @router.post("/login")
        async def login() -> dict[str, str]:
            return {"access_token": "token"}

        return router

    def get_users_router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/me")
        async def me() -> dict[str, int]:
            return {"id": 1}

        return router
"""

CRUD_LIBRARY = """from fastapi import APIRouter


class MemoryCRUDRouter(APIRouter):
    def __init__(self, schema: type) -> None:
        super().__init__(prefix="/" + schema.__name__.lower())
        self.add_api_route("", self.get_all, methods=["GET"])

    async def get_all(self) -> list[int]:
        return []
"""

LIBRARY_MAIN = """from fastapi import FastAPI
from fastapi_crudrouter import MemoryCRUDRouter as CRUDRouter
from fastapi_timing import TimedRouter
from fastapi_users import FastAPIUsers
from fastapi_utils.inferring_router import InferringRouter
from pydantic import BaseModel

from app import items


class Potato(BaseModel):
    id: int


fastapi_users = FastAPIUsers(None, [])
users_router = fastapi_users.get_users_router()
health = InferringRouter()

app = FastAPI()
app.include_router(fastapi_users.get_auth_router(None), prefix="/auth/jwt", tags=["auth"])
app.include_router(users_router, prefix="/users")
app.include_router(CRUDRouter(schema=Potato))
for router in (fastapi_users.get_users_router(),):
    app.include_router(router, prefix="/v2/users")
app.include_router(health)
app.include_router(items.router)
stock = CRUDRouter(schema=Potato)
app.include_router(stock, prefix="/stock")
timed = TimedRouter()


@timed.get("/ping")
async def ping() -> str:
    return "pong"


app.include_router(timed)
"""


#: The libraries the test writes (taken out of `sys.modules` after it).
LIBRARIES = frozenset({"fastapi_users", "fastapi_crudrouter", "fastapi_utils", "fastapi_timing"})


def test_a_router_a_library_builds_is_said_by_init_and_generate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app.include_router(fastapi_users.get_auth_router(auth_backend), prefix="/auth/jwt")`
    (a method of an object a library's class builds), a name bound to one, fastapi-crudrouter's
    `CRUDRouter(schema=Potato)` in the include or bound to a name (`stock = CRUDRouter(...)`),
    and one in a loop: the library declares their routes, served but in no module of the
    project's to log. `init` and `generate` say each in one line naming the include and the
    library; a library's plain router (`InferringRouter()`), or one the project declares its
    routes on (`@timed.get("/ping")`), is not said. Nothing was said before, nor (until 0.29)
    of a router class's instance bound to a name."""
    site = tmp_path / "site"
    write_files(
        site,
        {
            "fastapi_users/__init__.py": USERS_LIBRARY,
            "fastapi_crudrouter/__init__.py": CRUD_LIBRARY,
            "fastapi_utils/__init__.py": "",
            "fastapi_timing/__init__.py": (
                "from fastapi import APIRouter\n\n\nclass TimedRouter(APIRouter):\n    pass\n"
            ),
            "fastapi_utils/inferring_router.py": (
                "from fastapi import APIRouter\n\n\nclass InferringRouter(APIRouter):\n    pass\n"
            ),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\ndependencies = ["fastapi-users"]\n',
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": LIBRARY_MAIN,
        },
    )
    notes = [
        # Names the library's routes alone: the project's own on the app are logged.
        "backend/app/main.py:20: routes of `fastapi_users.get_auth_router(...)`, a router the "
        "library fastapi_users builds, are served but not instrumented (library code",
        "backend/app/main.py:21: routes of `users_router` (fastapi_users.get_users_router()), "
        "a router the library fastapi_users builds",
        "backend/app/main.py:22: routes of `CRUDRouter(...)`, a router the library "
        "fastapi_crudrouter builds",
        "backend/app/main.py:24: routes of `router` (fastapi_users.get_users_router()), a "
        "router the library fastapi_users builds",
        "backend/app/main.py:28: routes of `stock` (CRUDRouter(...)), a router the library "
        "fastapi_crudrouter builds",
    ]
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    said = " ".join(initialised.stdout.split())
    assert all(note in said for note in notes), said
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "items.py"', '"items.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    said = " ".join(generated.stdout.split())
    assert all(said.count(note) == 1 for note in notes), said
    assert said.count(", a router the library") == len(notes), said
    assert "log call in get_item (GET /items/{item_id})" in said
    try:
        with imported_app(root / "backend") as served:
            client = TestClient(served.app)
            assert client.post("/auth/jwt/login").json() == {"access_token": "token"}
            assert client.get("/users/me").json() == {"id": 1}
            assert client.get("/potato").json() == []
            assert client.get("/stock/potato").json() == []
            assert client.get("/ping").json() == "pong"
            assert client.get("/items/3").json() == {"id": 3}
    finally:
        for name in [name for name in sys.modules if name.startswith("fastapi_")]:
            if name.partition(".")[0] in LIBRARIES:
                del sys.modules[name]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_library_router_bound_in_another_module_is_said_and_one_given_routes_there_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app.include_router(catalog.products)`, `products = CRUDRouter(schema=Potato)` bound in
    the module `catalog`: said as a library's router, as a name bound in main is. A library's
    router class bound in one module (`clock = TimedRouter()`) whose routes another module
    declares (`from app.timing import clock`, `@clock.get("/time")`): it holds the project's
    routes, logged, and is not said. Before, the first was never said and the second was said
    to be served but not logged."""
    site = tmp_path / "site"
    write_files(
        site,
        {
            "fastapi_crudrouter/__init__.py": CRUD_LIBRARY,
            "fastapi_timing/__init__.py": (
                "from fastapi import APIRouter\n\n\nclass TimedRouter(APIRouter):\n    pass\n"
            ),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "app/__init__.py": "",
            "app/catalog.py": (
                "from fastapi_crudrouter import MemoryCRUDRouter\nfrom pydantic import BaseModel"
                "\n\n\nclass Potato(BaseModel):\n    id: int\n\n\n"
                "products = MemoryCRUDRouter(schema=Potato)\n"
            ),
            "app/timing.py": "from fastapi_timing import TimedRouter\n\nclock = TimedRouter()\n",
            "app/clock_routes.py": (
                "from app.timing import clock\n\n\n@clock.get('/time')\n"
                "async def read_time() -> int:\n    return 12\n"
            ),
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import catalog, clock_routes\n"
                "from app.timing import clock\n\n"
                "app = FastAPI()\napp.include_router(catalog.products)\n"
                'app.include_router(clock, prefix="/clock")\n'
                "assert clock_routes\n"
            ),
        },
    )
    note = (
        "app/main.py:7: routes of `catalog.products` (MemoryCRUDRouter(...)), a router the "
        "library fastapi_crudrouter builds"
    )
    try:
        initialised = run("init", "--root", str(root))
        assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
        said = " ".join(initialised.stdout.split())
        assert note in said, said
        assert said.count(", a router the library") == 1, said
        plan = (root / "pyproject.toml").read_text()
        assert '"clock_routes.py" = ' in plan, plan
        (root / "pyproject.toml").write_text(
            plan.replace('# "clock_routes.py"', '"clock_routes.py"')
        )
        generated = run("generate", "--root", str(root))
        assert generated.exit_code == 0, generated.stdout + generated.stderr
        said = " ".join(generated.stdout.split())
        assert said.count(note) == 1, said
        assert said.count(", a router the library") == 1, said
        # The library class's own prefix is read where the route is served (run time).
        assert "log call in read_time (GET '/clock' + clock.prefix + '/time')" in said, said
        with imported_app(root) as served:
            client = TestClient(served.app)
            assert client.get("/potato").json() == []
            assert client.get("/clock/time").json() == 12
    finally:
        for name in [name for name in sys.modules if name.startswith("fastapi_")]:
            if name.partition(".")[0] in LIBRARIES:
                del sys.modules[name]


OAUTH_HELPER = """from fastapi import APIRouter
from fastapi_users import FastAPIUsers

fastapi_users = FastAPIUsers(None, [])


def get_oauth_router(backend: object) -> APIRouter:
    \"\"\"The router of one OAuth backend.\"\"\"
    return fastapi_users.get_auth_router(backend)
"""


def test_a_project_function_returning_a_library_router_is_said_as_the_library_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app.include_router(get_oauth_router(...), prefix="/auth/google")`, the project's
    function doing nothing but `return fastapi_users.get_auth_router(backend)`: the library
    builds that router, as when its call is written in the include. Before, nothing said so,
    and the include counted as one the tool cannot follow (so `items.router`, included once
    beside it, was said to be maybe served elsewhere)."""
    site = tmp_path / "site"
    write_files(site, {"fastapi_users/__init__.py": USERS_LIBRARY})
    monkeypatch.syspath_prepend(str(site))
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "app/__init__.py": "",
            "app/items.py": ITEMS,
            "app/utils/__init__.py": "",
            "app/utils/oauth.py": OAUTH_HELPER,
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import items\n"
                "from app.utils.oauth import get_oauth_router\n\n"
                "app = FastAPI()\n"
                'app.include_router(get_oauth_router(None), prefix="/auth/google")\n'
                'app.include_router(items.router, prefix="/shop")\n'
            ),
        },
    )
    note = (
        "app/main.py:7: routes of `get_oauth_router(...)` (fastapi_users.get_auth_router(...)), "
        "a router the library fastapi_users builds, are served but not instrumented (library "
        "code"
    )
    try:
        initialised = run("init", "--root", str(root))
        assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
        said = " ".join(initialised.stdout.split())
        assert note in said, said
        assert "cannot follow" not in said and "cannot tell" not in said, said
        plan = (root / "pyproject.toml").read_text()
        (root / "pyproject.toml").write_text(plan.replace('# "items.py"', '"items.py"'))
        generated = run("generate", "--root", str(root))
        assert generated.exit_code == 0, generated.stdout + generated.stderr
        said = " ".join(generated.stdout.split())
        assert said.count(note) == 1, said
        assert said.count(", a router the library") == 1, said
        assert "cannot follow" not in said and "cannot tell" not in said, said
        assert "log call in get_item (GET /shop/items/{item_id})" in said, said
        with imported_app(root) as served:
            client = TestClient(served.app)
            assert client.post("/auth/google/login").json() == {"access_token": "token"}
            assert client.get("/shop/items/3").json() == {"id": 3}
    finally:
        for name in [name for name in sys.modules if name.startswith("fastapi_")]:
            if name.partition(".")[0] in LIBRARIES:
                del sys.modules[name]


def test_a_fastapi_router_included_by_name_is_not_searched_for_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a library's router class needs the walk of its scope for the project's routes: a
    # FastAPI router holds only those, and the walk of a 2,000-handler module was 4 % of its
    # check (365 M instructions).
    asked: list[str] = []
    holds = mounts._holds_project_routes

    def spy(built: ast.Call, binding: Binding, index: PackageIndex) -> bool:
        asked.append(binding.name)
        return holds(built, binding, index)

    monkeypatch.setattr(mounts, "_holds_project_routes", spy)
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n\n[tool.telemetry-scaffold]\n'
            'instrument = { "items.py" = "ai_block_used" }\n',
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": "from fastapi import FastAPI\n\nfrom app import items\n\n"
            "app = FastAPI()\napp.include_router(items.router)\n",
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in get_item (GET /items/{item_id})" in " ".join(generated.stdout.split())
    assert asked == []
