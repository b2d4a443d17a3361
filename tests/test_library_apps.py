"""Apps built by a library's class the tool does not know (`FastAPIOffline`, `Cadwyn`).

The class is an app class when the package uses an instance of it as only an app is used:
routes or routers given to it, and middleware, a mount, or a server pointed at it. The
libraries are never installed here: the tool reads the code, it never imports it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, snapshot, write_files

ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/patients/{patient_id}")
def patient(patient_id: int) -> dict[str, int]:
    return {"id": patient_id}
"""

#: A factory building the app with the library's class, a module variable holding its result,
#: and the package's `__main__.py` serving that variable by an import string.
FACTORY = """from offline_docs import OfflineFastAPI


def create_app() -> OfflineFastAPI:
    web = OfflineFastAPI(docs_url="/api/docs")

    from .routes import router

    web.include_router(router, prefix="/api")

    @web.get("/health")
    def health() -> dict[str, str]:
        return {"status": "OK"}

    return web


app = create_app()
"""

MAIN = """import uvicorn

uvicorn.run("clinic.app:app", host="0.0.0.0", port=8000)
"""

#: A module-level instance of a versioning library's app class, served by `uvicorn.run`.
MODULE_LEVEL = """import uvicorn
from versioned import VersionedApp, Versions

from clinic.routes import router

api = VersionedApp(versions=Versions("2024-01-01"))
api.include_router(router, prefix="/api")


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "OK"}


if __name__ == "__main__":
    uvicorn.run(api)
"""

#: The same object given middleware instead of being served.
MIDDLEWARE = """from corsy import CORSMiddleware
from versioned import VersionedApp

from clinic.routes import router

service = VersionedApp()
service.add_middleware(CORSMiddleware)
service.include_router(router, prefix="/api")


@service.get("/health")
def health() -> dict[str, str]:
    return {"status": "OK"}
"""

#: A versioning library's app given the package's routers by its own include method (Cadwyn's
#: `generate_and_include_versioned_routers`), each router a library router including another.
LIBRARY_INCLUDE = """import uvicorn
from versioned import VersionedApp, VersionedRouter, Versions

from clinic.routes import router

patients = VersionedRouter(prefix="/api")
patients.include_router(router)
meta = VersionedRouter(prefix="/meta")


@meta.get("/health")
def health() -> dict[str, str]:
    return {"status": "OK"}


api = VersionedApp(versions=Versions("2024-01-01"))
api.generate_and_include_versioned_routers(patients, meta)

if __name__ == "__main__":
    uvicorn.run(api)
"""

SPREAD_INCLUDE = LIBRARY_INCLUDE.replace(
    "api.generate_and_include_versioned_routers(patients, meta)",
    "ROUTERS = [patients, meta]\napi.generate_and_include_versioned_routers(*ROUTERS)",
)

TWO_SPREAD_INCLUDE = LIBRARY_INCLUDE.replace(
    "api.generate_and_include_versioned_routers(patients, meta)",
    "V1 = [patients]\nV2 = (meta,)\napi.generate_and_include_versioned_routers(*V1, *V2)",
)


def test_a_list_spread_into_a_library_include_not_known_statically_is_said(
    tmp_path: Path,
) -> None:
    """`(*collect())`: which routers, only known at run time: said once per router, naming
    the call (they were taken for routers no app includes)."""
    main = LIBRARY_INCLUDE.replace(
        "api.generate_and_include_versioned_routers(patients, meta)",
        "api.generate_and_include_versioned_routers(*collect())",
    ).replace(
        "\n\napi = ",
        "\n\ndef collect() -> list[object]:\n    return list(globals().values())\n\n\napi = ",
    )
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "clinic"\n',
            "clinic/__init__.py": "",
            "clinic/routes.py": ROUTES,
            "clinic/main.py": main,
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout
    said = [line for line in generated.stdout.splitlines() if "is not followed" in line]
    assert len(said) == 2 and all("clinic/main.py:" in line for line in said), said
    assert "<item of map>" not in generated.stdout
    assert "included by no app" not in generated.stdout


@pytest.mark.parametrize(
    ("files", "app", "health"),
    [
        ({"clinic/app.py": FACTORY, "clinic/__main__.py": MAIN}, "clinic.app:app", "/health"),
        ({"clinic/main.py": MODULE_LEVEL}, "clinic.main:api", "/health"),
        ({"clinic/server.py": MIDDLEWARE}, "clinic.server:service", "/health"),
        ({"clinic/main.py": LIBRARY_INCLUDE}, "clinic.main:api", "/meta/health"),
        # The routers spread from a list (they were skipped without a word, logged unprefixed).
        ({"clinic/main.py": SPREAD_INCLUDE}, "clinic.main:api", "/meta/health"),
        ({"clinic/main.py": TWO_SPREAD_INCLUDE}, "clinic.main:api", "/meta/health"),
    ],
    ids=[
        "factory-served-by-import-string",
        "module-level-served",
        "module-level-middleware",
        "routers-given-to-the-library-s-include-method",
        "routers-spread-into-the-library-s-include-method",
        "two-lists-spread-into-the-library-s-include-method",
    ],
)
def test_init_finds_an_app_a_library_class_builds_by_its_use(
    tmp_path: Path, files: dict[str, str], app: str, health: str
) -> None:
    """A library's class FastAPI's name is not seen in, its instance given routers and served
    (or given middleware): `init` names it as the app (it said "no FastAPI app found"), and
    the plan it writes generates, checks and removes cleanly, each route logged with its
    prefixes and the telemetry router included on that instance once."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "clinic"\n',
            "clinic/__init__.py": "",
            "clinic/routes.py": ROUTES,
            **files,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert f'app = "{app}"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert "log call in patient (GET /api/patients/{patient_id})" in out, out
    assert f"log call in health (GET {health})" in out, out
    assert "cannot" not in out, out
    module = root / (app.partition(":")[0].replace(".", "/") + ".py")
    assert module.read_text().count(".include_router(telemetry_router)") == 1
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert "patched" not in run("generate", "--root", str(root)).stdout
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


@pytest.mark.parametrize(
    "module",
    [
        # Routes alone: a router of a library would be given them too.
        'from versioned import VersionedApp\n\napi = VersionedApp()\n\n\n@api.get("/x")\n'
        "def x() -> None:\n    pass\n",
        # A cache's `get(key)` and a server given something else are no app's.
        "import uvicorn\nfrom cachelib import Cache\n\ncache = Cache()\ncache.get('key')\n"
        "uvicorn.run(object())\n",
        # The routes are given to a function's own `app` (a parameter), not the module's.
        "import uvicorn\nfrom gateway import Gateway\n\napp = Gateway()\n\n\n"
        "def setup(app):\n    app.include_router(object())\n\n\nuvicorn.run(app)\n",
    ],
    ids=["routes-only", "cache-get", "routes-on-a-parameter-of-the-same-name"],
)
def test_a_library_object_used_only_as_a_router_or_cache_is_no_app(
    tmp_path: Path, module: str
) -> None:
    """Weak evidence (routes, and no middleware nor server; a `get` with no path) leaves
    `init` saying no app was found, as before."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "clinic"\n',
            "clinic/__init__.py": "",
            "clinic/main.py": module,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 2, initialised.stdout + initialised.stderr
    assert "no FastAPI app found" in initialised.stdout + initialised.stderr


def test_a_starlette_app_mounting_the_fastapi_app_is_not_taken_for_one(tmp_path: Path) -> None:
    """The plan serves a Starlette app that mounts the FastAPI one; a lifespan routes the app
    it is given (a parameter named `app`). Starlette is no app class of a library to learn
    (it has no `include_router`): the telemetry router goes into the mounted FastAPI app."""
    root = tmp_path / "project"
    main = (
        "from contextlib import asynccontextmanager\n\nfrom fastapi import FastAPI\n"
        "from starlette.applications import Starlette\nfrom starlette.routing import Mount\n\n"
        "from clinic.routes import router\n\n\n@asynccontextmanager\n"
        "async def lifespan(app: FastAPI):\n    app.include_router(router)\n    yield\n\n\n"
        "api = FastAPI(lifespan=lifespan)\n\n\n@api.get('/health')\n"
        "def health() -> dict[str, str]:\n    return {'status': 'OK'}\n\n\n"
        "app = Starlette(routes=[Mount('/api', app=api)])\n"
    )
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "clinic"\n\n[tool.telemetry-scaffold]\n'
            'backend = "."\napp-package = "clinic"\napp = "clinic.main:app"\ninstrument = {}\n',
            "clinic/__init__.py": "",
            "clinic/routes.py": ROUTES,
            "clinic/main.py": main,
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    written = (root / "clinic/main.py").read_text()
    assert "api.include_router(telemetry_router)" in written, written
    assert "app.include_router(telemetry_router)" not in written, written
