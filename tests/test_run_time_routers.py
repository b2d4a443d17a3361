"""Routers a package includes from modules it imports at run time (`importlib`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import Run, run, write_files
from tests.route_support import routes_by_handler

REGISTRY = """from importlib import import_module

from fastapi import APIRouter

from settings import FEATURES

routers = APIRouter()
for feature in FEATURES:
    module = import_module(f"{feature}.views")
    found = getattr(module, "router")
    routers.include_router(found)
"""


@pytest.mark.parametrize(
    "features",
    [
        'import os\n\nFEATURES = os.environ.get("FEATURES", "accounts,shop").split(",")\n',
        'FEATURES = ["accounts", "shop"]\n',
    ],
    ids=["run-time-names", "known-names"],
)
def test_a_variable_read_from_a_run_time_import_is_said_and_named_as_the_include(
    tmp_path: Path, features: str
) -> None:
    """`found = getattr(import_module(...), "router")` at module level is no router of the
    registry module: the include is said to stand for run-time routers, and a router it
    includes is said to be included there (not through the library's router the app
    includes, which holds none of the package's)."""
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": (
            "import oauth_kit\nfrom fastapi import FastAPI\n\nfrom registry import routers\n\n"
            "app = FastAPI()\napp.include_router(routers)\n"
            'app.include_router(oauth_kit.login_router(), prefix="/login")\n'
        ),
        "registry.py": REGISTRY,
        "settings.py": features,
        "accounts/views.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "shop/views.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/carts")\ndef carts() -> list[str]:\n    return []\n'
        ),
    }
    write_files(root, files)
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "shop/views.py"', '"shop/views.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in carts (GET /carts)" in generated.stdout
    if "environ" not in features:
        # Names known statically: each module's router is followed, nothing to say.
        assert "run time" not in generated.stdout
        assert "not followed" not in generated.stdout
        return
    assert (
        "registry.py:11: `found` is a router of a module imported at run time"
    ) in generated.stdout
    assert "(the router of `found` at registry.py:11, for one, is not followed)" in (
        generated.stdout
    )


ROUTES_PACKAGE = {
    # Discovered by `iter_modules(__path__)` in the package's own __init__, into one router.
    "package-path": (
        "import importlib\nfrom pkgutil import iter_modules\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        'found = [info.name for info in iter_modules(__path__, f"{__package__}.")]\n\n'
        "for name in found:\n"
        "    module = importlib.import_module(name)\n"
        "    router.include_router(module.router)\n"
    ),
    # The folder of the file, routers read with getattr and a default, one filtered out.
    "file-folder": (
        "import importlib\nimport os\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\ndef _load() -> None:\n"
        "    for _, name, _ in pkgutil.iter_modules([os.path.dirname(__file__)]):\n"
        '        module = importlib.import_module(f"{__name__}.{name}")\n'
        '        found = getattr(module, "router", None)\n'
        "        if found is not None:\n"
        "            router.include_router(found)\n\n\n_load()\n"
    ),
}

# The same folder as a resolved `pathlib.Path`, given as a string.
ROUTES_PACKAGE["resolved-path"] = (
    ROUTES_PACKAGE["file-folder"]
    .replace("import os\n", "import pathlib\n")
    .replace("os.path.dirname(__file__)", "str(pathlib.Path(__file__).resolve().parent)")
)


# The builtin `__import__` given a fromlist returns the module named, as import_module does.
ROUTES_PACKAGE["builtin-import"] = ROUTES_PACKAGE["package-path"].replace(
    "importlib.import_module(name)", '__import__(name, fromlist=["router"])'
)
ROUTES_PACKAGE["builtin-import-positional"] = ROUTES_PACKAGE["file-folder"].replace(
    'importlib.import_module(f"{__name__}.{name}")',
    '__import__("{}.{}".format(__name__, name), globals(), locals(), ["router"], 0)',
)

# `__path__` extended with `pkgutil.extend_path` (still the package's own folder here), listed
# by `walk_packages` given its arguments by keyword (modelstation's controllers).
ROUTES_PACKAGE["extended-path"] = (
    "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n\n"
    "router = APIRouter()\n\n"
    "__path__ = pkgutil.extend_path(__path__, __name__)\n"
    'for _, modname, _ in pkgutil.walk_packages(path=__path__, prefix=__name__ + "."):\n'
    "    module = importlib.import_module(modname)\n"
    '    if hasattr(module, "router"):\n'
    "        router.include_router(module.router)\n"
)


def _generated_with_wallets(root: Path, files: dict[str, str]) -> Run:
    """Generate in a project of ``files`` whose plan, from init, instruments routes/wallets.py."""
    write_files(root, {"requirements.txt": "fastapi\n", "app/__init__.py": "", **files})
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        plan.replace('# "routes/wallets.py"', '"routes/wallets.py"')
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return generated


@pytest.mark.parametrize("package", sorted(ROUTES_PACKAGE))
def test_routers_discovered_in_a_folder_are_served_under_the_include_prefixes(
    tmp_path: Path, package: str
) -> None:
    """`iter_modules` over a package folder, each module's `router` included by one call:
    every router of the folder's modules is served under the prefixes of that call's chain."""
    root = tmp_path / "project"
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
        ),
        "app/routes/__init__.py": ROUTES_PACKAGE[package],
        # No router: left out where the routers are read with a default.
        **({"app/routes/deps.py": "LIMIT = 10\n"} if package == "file-folder" else {}),
        "app/routes/wallets.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/wallets")\n\n\n'
            '@router.get("/{wallet_id}")\nasync def read_wallet(wallet_id: int) -> int:\n'
            "    return wallet_id\n"
        ),
    }
    generated = _generated_with_wallets(root, files)
    assert "log call in read_wallet (GET /api/wallets/{wallet_id})" in generated.stdout
    assert "run time" not in generated.stdout
    assert routes_by_handler(root / "app/routes/wallets.py") == {
        "read_wallet": "/api/wallets/{wallet_id}"
    }
    with imported_app(root) as served:
        assert TestClient(served.app).get("/api/wallets/3").json() == 3
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_routers_discovered_under_a_prefix_naming_each_module_are_said(tmp_path: Path) -> None:
    """`prefix=f"/{name}"`: one prefix per module, not one for all: still said, left out."""
    root = tmp_path / "project"
    routes = ROUTES_PACKAGE["package-path"].replace(
        "router.include_router(module.router)",
        'router.include_router(module.router, prefix=f"/{name}")',
    )
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            "app = FastAPI()\napp.include_router(router)\n"
        ),
        "app/routes/__init__.py": routes,
        "app/routes/wallets.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/")\n'
            "async def read_wallets() -> int:\n    return 1\n"
        ),
    }
    generated = _generated_with_wallets(root, files)
    assert "log call in read_wallets (GET /)" in generated.stdout, generated.stdout
    assert "only known at run time" in generated.stdout


def test_a_module_name_listed_after_a_prefix_makes_no_prefix_of_its_entry(tmp_path: Path) -> None:
    """`for info in iter_modules(__path__, "app.routes."): ... prefix=f"/{info.name}"`: the
    name is the module's dotted name (`/app.routes.wallets`), not its entry's: said, left out.
    Before, the routes were logged under `/wallets`, where nothing serves them."""
    routes = (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        'for info in pkgutil.iter_modules(__path__, "app.routes."):\n'
        "    module = importlib.import_module(info.name)\n"
        '    router.include_router(module.router, prefix=f"/{info.name}")\n'
    )
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            "app = FastAPI()\napp.include_router(router)\n"
        ),
        "app/routes/__init__.py": routes,
        "app/routes/wallets.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/")\n'
            "async def read_wallets() -> int:\n    return 1\n"
        ),
    }
    generated = _generated_with_wallets(tmp_path / "project", files)
    assert "log call in read_wallets (GET /)" in generated.stdout, generated.stdout
    assert "include prefix `f'/{info.name}'` is only known at run time" in generated.stdout


@pytest.mark.parametrize(
    "folder",
    [
        'os.path.join(os.path.dirname(os.path.dirname(__file__)), "api")',
        'str(pathlib.Path(__file__).parent.parent / "api")',
    ],
    ids=["dirname-join", "path-parent"],
)
def test_a_folder_listed_beside_the_module_is_not_taken_for_its_own(
    tmp_path: Path, folder: str
) -> None:
    """`iter_modules` over `app/api`, written from `app/routes/__init__.py` through `__file__`:
    not the folder of `app/routes`, whose `stats` router nothing includes; `app/api`'s are."""
    root = tmp_path / "project"
    router = (
        'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/{name}")\n\n\n'
        '@router.get("/")\nasync def read_{name}() -> int:\n    return 1\n'
    )
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
        ),
        "app/routes/__init__.py": (
            "import importlib\nimport os\nimport pathlib\nimport pkgutil\n\n"
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n"
            f"for _, name, _ in pkgutil.iter_modules([{folder}]):\n"
            '    module = importlib.import_module(f"app.api.{name}")\n'
            "    router.include_router(module.router)\n"
        ),
        "app/routes/stats.py": router.format(name="stats"),
        "app/api/__init__.py": "",
        "app/api/wallets.py": router.format(name="wallets"),
    }
    write_files(root, {"requirements.txt": "fastapi\n", "app/__init__.py": "", **files})
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    assert '\n"routes/stats.py" = ' not in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "routes/stats.py"', '"routes/stats.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "GET /api/stats/" not in generated.stdout, generated.stdout
    assert "run time" not in generated.stdout
    (root / "pyproject.toml").write_text(plan.replace('# "api/wallets.py"', '"api/wallets.py"'))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert routes_by_handler(root / "app/api/wallets.py") == {"read_wallets": "/api/wallets/"}
    with imported_app(root) as served:
        client = TestClient(served.app)
        assert client.get("/api/wallets/").json() == 1
        assert client.get("/api/stats/").status_code == 404


def test_the_include_a_router_may_be_served_by_is_named_before_a_library_objects_router(
    tmp_path: Path,
) -> None:
    """`app.include_router(users.get_auth_router(...))`, `users = FastAPIUsers[User, int](...)`
    (a library's object, whose routers hold none of the package's), and `for router in
    plugins.routers(): app.include_router(router)` (routers only known at run time): a router
    included by neither is said to be maybe served through the loop's include, not the
    library's."""
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": (
            "import plugins\nfrom fastapi import FastAPI\nfrom fastapi_users import FastAPIUsers\n"
            "\nusers = FastAPIUsers[dict, int](None, [])\n\napp = FastAPI()\n"
            'app.include_router(users.get_auth_router(None), prefix="/auth")\n'
            "for router in plugins.routers():\n    app.include_router(router)\n"
        ),
        "shop/views.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/carts")\ndef carts() -> list[str]:\n    return []\n'
        ),
    }
    write_files(root, files)
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "shop/views.py"', '"shop/views.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "(the router of `router` at main.py:10, for one, is not followed)" in (generated.stdout)


def _generated_with_loaded_routers(
    root: Path,
    folder: str,
    router: str,
    main: dict[str, str],
    planned: str,
    names: tuple[str, ...] = ("sts", "tts"),
) -> tuple[str, Run]:
    """A project whose ``main`` loads the modules ``<folder>/<name>.py`` (``router`` with each
    name) at run time, through ``init`` with those modules planned (the plan's keys starting
    ``planned``) and ``generate``: the plan ``init`` wrote, and ``generate``'s run."""
    parts = folder.split("/")
    packages = {"/".join(parts[:count]) + "/__init__.py": "" for count in range(1, len(parts) + 1)}
    modules = {f"{folder}/{name}.py": router.format(name=name) for name in names}
    write_files(root, {"requirements.txt": "fastapi\n", **packages, **modules, **main})
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace(f'# "{planned}', f'"{planned}'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return plan, generated


def test_routers_the_builtin_import_loads_by_names_from_the_environment_are_said(
    tmp_path: Path,
) -> None:
    """`for m in os.getenv("ENABLE", "sts").split(","): module = __import__("core.router.{}"
    .format(m), globals(), locals(), ["router"], 0); app.include_router(module.router)`: the
    routers are those of modules imported at run time, said on a line (they were taken for a
    library object's router, and every router of the folder for one no app includes)."""
    router = (
        'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/{name}")\n\n\n'
        '@router.post("/run")\nasync def run(text: str) -> dict[str, str]:\n'
        '    return {{"text": text}}\n'
    )
    main = (
        "import os\n\nimport fastapi\n\n"
        'ENABLE = os.getenv("ENABLE", "sts").split(",")\napp = fastapi.FastAPI()\n\n'
        "for m in ENABLE:\n"
        '    module = __import__("core.router.{}".format(m), globals(), locals(), '
        '["router"], 0)\n'
        "    app.include_router(module.router)\n"
    )
    root = tmp_path / "project"
    plan, generated = _generated_with_loaded_routers(
        root, "core/router", router, {"main.py": main}, "core/router/"
    )
    assert '# "core/router/sts.py" = "ai_block_used"' in plan, plan
    assert "log call in run (POST /sts/run)" in generated.stdout
    assert "(the router of `module.router` at main.py:10, for one, is not followed)" in (
        generated.stdout
    )
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "loader",
    [
        '__import__(f"app.routes.{name}", fromlist=["router"])',
        'import_module(f"app.routes.{name}")',
    ],
    ids=["builtin-import", "import-module"],
)
def test_routers_a_loop_imports_by_name_get_their_own_items_prefix(
    tmp_path: Path, loader: str
) -> None:
    """`for name, prefix in [("docs", "/docs-api"), ("flags", "/flags")]: module =
    import_module(f"app.routes.{name}"); app.include_router(getattr(module, "router"),
    prefix=prefix)`: each module's router under its own item's prefix (each was taken for
    every item's, so served under several paths, logged without any)."""
    router = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/list")\ndef list_{name}() -> list[str]:\n    return []\n'
    )
    main = (
        "from importlib import import_module\n\nfrom fastapi import FastAPI\n\n"
        'app = FastAPI()\nspecs = [("docs", "/docs-api"), ("flags", "/flags")]\n\n'
        "for name, prefix in specs:\n"
        "    try:\n"
        f"        module = {loader}\n"
        '        router = getattr(module, "router")\n'
        "        app.include_router(router, prefix=prefix, tags=[name])\n"
        "    except ImportError:\n"
        "        pass\n"
    )
    root = tmp_path / "project"
    _, generated = _generated_with_loaded_routers(
        root, "app/routes", router, {"app/main.py": main}, "routes/", ("docs", "flags")
    )
    assert "log call in list_docs (GET /docs-api/list)" in generated.stdout, generated.stdout
    assert "log call in list_flags (GET /flags/list)" in generated.stdout
    assert "several paths" not in generated.stdout
    with imported_app(root) as served:
        assert TestClient(served.app).get("/flags/list").json() == []
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    ("loader", "customer", "address"),
    [
        (
            '__import__(module_path, fromlist=["router"])',
            "app.routes.customer",
            "app.routes.address",
        ),
        ('import_module(f"app.routes.{module_path}")', "customer", "address"),
    ],
    ids=["builtin-import-path", "import-module-name"],
)
def test_routers_a_helper_imports_by_the_name_each_call_passes_get_that_calls_prefix(
    tmp_path: Path, loader: str, customer: str, address: str
) -> None:
    """`def _safe_include(module_path, prefix): module = __import__(module_path, fromlist=
    ["router"]); api_router.include_router(getattr(module, "router"), prefix=prefix)` called
    once per module: each call's module under that call's prefix (they were not followed)."""
    router = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/me")\ndef me_{name}() -> dict[str, str]:\n    return {{}}\n'
    )
    api = (
        "from importlib import import_module\n\n"
        "from fastapi import APIRouter\n\napi_router = APIRouter()\n\n\n"
        'def _safe_include(module_path: str, prefix: str = "") -> None:\n'
        "    try:\n"
        f"        module = {loader}\n"
        '        router = getattr(module, "router")\n'
        "        api_router.include_router(router, prefix=prefix)\n"
        "    except Exception:\n"
        "        pass\n\n\n"
        f'_safe_include("{customer}", prefix="/auth/customer")\n'
        f'_safe_include("{address}", prefix="/address")\n'
    )
    main = (
        "from fastapi import FastAPI\n\nfrom app.api import api_router\n\n"
        'app = FastAPI()\napp.include_router(api_router, prefix="/api/v1")\n'
    )
    root = tmp_path / "project"
    _, generated = _generated_with_loaded_routers(
        root,
        "app/routes",
        router,
        {"app/api.py": api, "app/main.py": main},
        "routes/",
        ("customer", "address"),
    )
    output = generated.stdout
    assert "log call in me_customer (GET /api/v1/auth/customer/me)" in output, output
    assert "log call in me_address (GET /api/v1/address/me)" in output
    assert "not followed" not in output
    with imported_app(root) as served:
        assert TestClient(served.app).get("/api/v1/address/me").json() == {}
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


def test_routers_a_loop_over_a_list_only_known_at_run_time_imports_are_said(
    tmp_path: Path,
) -> None:
    """`for name in os.environ["APPS"].split(","): module = import_module(f"apps.{name}.routes");
    app.include_router(getattr(module, "router"), prefix=f"/api/{name}")`: neither the routers
    nor their prefixes are known; said on a line, the routes modules suggested (they were
    said to be included by no app)."""
    root = tmp_path / "project"
    router = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/")\ndef list_{name}() -> list[str]:\n    return []\n'
    )
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "apps/__init__.py": "",
            "apps/users/__init__.py": "",
            "apps/users/routes.py": router.format(name="users"),
            "main.py": "import importlib\nimport os\n\nfrom fastapi import FastAPI\n\n"
            'app = FastAPI()\n\nfor name in os.environ["APPS"].split(","):\n'
            '    module = importlib.import_module(f"apps.{name}.routes")\n'
            '    router = getattr(module, "router")\n'
            '    app.include_router(router, prefix=f"/api/{name}")\n',
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    assert '# "apps/users/routes.py" = "ai_block_used"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "apps/', '"apps/'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert (
        "main.py:11: the routers this loop includes are only known at run time: their routes "
        "are logged without its prefix `f'/api/{name}'`"
    ) in generated.stdout, generated.stdout
    assert "(the router of `router` at main.py:11, for one, is not followed)" in generated.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: A module's own name read off each `pkgutil.iter_modules` entry for its prefix: the
#: `ModuleInfo` (`info.name`), or its name unpacked (`for _, name, _ in ...`).
NAMED_PREFIXES = {
    "module-info": (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "for info in sorted(pkgutil.iter_modules(__path__)):\n"
        '    module = importlib.import_module(f"{__name__}.{info.name}")\n'
        '    router.include_router(module.router, prefix=f"/{info.name}")\n'
    ),
    "unpacked": ROUTES_PACKAGE["file-folder"].replace(
        "router.include_router(found)", 'router.include_router(found, prefix=f"/v1/{name}")'
    ),
}

# Imported by a name relative to the package (`import_module(".wallets", __package__)`).
NAMED_PREFIXES["relative-import"] = NAMED_PREFIXES["module-info"].replace(
    'importlib.import_module(f"{__name__}.{info.name}")',
    'importlib.import_module(f".{info.name}", package=__package__)',
)
# Each module's name and module paired by a comprehension, then unpacked by a second loop.
NAMED_PREFIXES["comprehension-pairs"] = (
    "import pkgutil\nfrom importlib import import_module\n\nfrom fastapi import APIRouter\n\n"
    "router = APIRouter()\n"
    "modules = [\n"
    '    (info.name, import_module(f".{info.name}", __package__))\n'
    "    for info in pkgutil.iter_modules(__path__)\n]\n"
    "for name, module in modules:\n"
    '    router.include_router(module.router, prefix=f"/{name}")\n'
)
# The names listed first, each module imported by its name in the loop over them.
NAMED_PREFIXES["listed-names"] = (
    "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
    "router = APIRouter()\n"
    "names = [name for _, name, _ in pkgutil.iter_modules(__path__)]\n"
    "for name in names:\n"
    '    module = importlib.import_module(f"{__name__}.{name}")\n'
    '    router.include_router(module.router, prefix=f"/{name}")\n'
)


@pytest.mark.parametrize("package", sorted(NAMED_PREFIXES))
def test_routers_listed_by_pkgutil_get_the_prefix_their_module_name_makes(
    tmp_path: Path, package: str
) -> None:
    """`for info in pkgutil.iter_modules(__path__): ... include_router(module.router,
    prefix=f"/{info.name}")`: each module's router is served under its own name (a module
    file's name without `.py`, a subpackage's folder name); each route is logged with it.
    Before, the prefix was said to be only known at run time and left out of the logged path."""
    root = tmp_path / "project"
    read_wallet = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{wallet_id}")\n'
        "async def read_wallet(wallet_id: int) -> int:\n    return wallet_id\n"
    )
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
        ),
        "app/routes/__init__.py": NAMED_PREFIXES[package],
        "app/routes/wallets.py": read_wallet,
        # A subpackage: listed by its folder's name.
        "app/routes/cards/__init__.py": read_wallet.replace("read_wallet", "read_card"),
    }
    generated = _generated_with_wallets(root, files)
    prefix = "/api/v1" if package == "unpacked" else "/api"
    assert f"log call in read_wallet (GET {prefix}/wallets/{{wallet_id}})" in generated.stdout
    assert "run time" not in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/routes/wallets.py") == {
        "read_wallet": f"{prefix}/wallets/{{wallet_id}}"
    }
    with imported_app(root) as served:
        client = TestClient(served.app)
        assert client.get(f"{prefix}/wallets/3").json() == 3
        assert client.get(f"{prefix}/cards/4").json() == 4
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: `os.listdir` over the routes folder, each module file imported by its name without `.py`.
LISTED_FILES = (
    "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
    "router = APIRouter()\n"
    "for entry in sorted(os.listdir(os.path.dirname(__file__))):\n"
    '    if entry.endswith(".py") and not entry.startswith("_"):\n'
    '        module = importlib.import_module(f"{__name__}.{entry[:-3]}")\n'
    "        router.include_router(module.router, prefix=PREFIX)\n"
)


@pytest.mark.parametrize(
    ("prefix", "served"),
    [
        ('f"/{entry[:-3]}"', "/api/wallets"),
        ("f\"/{entry.split('.')[0]}\"", "/api/wallets"),
        ('f"/{os.path.splitext(entry)[0]}"', None),
        ('f"/{entry[::0]}"', None),
    ],
    ids=["sliced", "split", "not-known", "step-zero"],
)
def test_routers_listed_by_os_listdir_get_the_prefix_their_file_name_makes(
    tmp_path: Path, prefix: str, served: str | None
) -> None:
    """`for entry in os.listdir(folder): ... prefix=f"/{entry[:-3]}"`: each module file's
    router is served under its name without `.py` (also `entry.split(".")[0]`), and logged so.
    A prefix the tool does not read (`os.path.splitext(entry)[0]`, a slice whose step is 0,
    which raises) is said in one line. Before, both were logged without the prefix, and
    nothing was said; a step of 0 was a traceback."""
    root = tmp_path / "project"
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
        ),
        "app/routes/__init__.py": LISTED_FILES.replace("PREFIX", prefix),
        "app/routes/wallets.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/{wallet_id}")\n'
            "async def read_wallet(wallet_id: int) -> int:\n    return wallet_id\n"
        ),
    }
    generated = _generated_with_wallets(root, files)
    if served is None:
        written = ast.unparse(ast.parse(prefix, mode="eval"))
        said = f"app/routes/__init__.py:10: include prefix `{written}` is only"
        assert said in generated.stdout, generated.stdout
        return
    assert "run time" not in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/routes/wallets.py") == {
        "read_wallet": f"{served}/{{wallet_id}}"
    }
    with imported_app(root) as app:
        assert TestClient(app.app).get(f"{served}/3").json() == 3


#: A top-level `main.py` (the project's root no package) listing its `routers` folder.
ROOT_LISTINGS = {
    "listdir-joined": (
        "for entry in os.listdir(os.path.join(os.path.dirname(__file__), ROUTERS)):\n"
        '    if entry.endswith(".py") and not entry.startswith("_"):\n'
        '        module = importlib.import_module(f"routers.{entry[:-3]}")\n'
        '        app.include_router(module.router, prefix=f"/{entry[:-3]}")\n'
    ),
    "path-glob": (
        'for path in sorted((Path(__file__).parent / ROUTERS).glob("*.py")):\n'
        '    if path.stem != "__init__":\n'
        '        module = importlib.import_module(f"routers.{path.stem}")\n'
        '        app.include_router(module.router, prefix=f"/{path.stem}")\n'
    ),
    "iter-modules": (
        "for info in pkgutil.iter_modules([str(Path(__file__).resolve().parent / ROUTERS)]):\n"
        '    module = importlib.import_module(f"routers.{info.name}")\n'
        '    app.include_router(module.router, prefix=f"/{info.name}")\n'
    ),
}


#: Listing loops whose own tests skip the subpackage `cards/` (listed as `cards`, not a `.py`).
FILTERED_LISTINGS = {
    "listdir-if": (LISTED_FILES.replace("PREFIX", 'f"/{entry[:-3]}"'), "/api/wallets"),
    "listdir-continue": (
        "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "for entry in os.listdir(os.path.dirname(__file__)):\n"
        '    if entry.startswith("_") or not entry.endswith(".py"):\n'
        "        continue\n"
        '    module = importlib.import_module(f"{__name__}.{entry[:-3]}")\n'
        "    router.include_router(module.router)\n",
        "/api",
    ),
    "pkgutil-ispkg": (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "for info in pkgutil.iter_modules(__path__):\n"
        "    if info.ispkg:\n"
        "        continue\n"
        '    module = importlib.import_module(f"{__name__}.{info.name}")\n'
        '    router.include_router(module.router, prefix="/" + info.name.replace("_", "-"))\n',
        "/api/wallets",
    ),
    "pkgutil-unpacked-ispkg": (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "for _, name, ispkg in pkgutil.iter_modules(__path__):\n"
        "    if not ispkg:\n"
        '        module = importlib.import_module(f"{__name__}.{name}")\n'
        '        router.include_router(module.router, prefix=f"/{name}")\n',
        "/api/wallets",
    ),
    "listdir-comprehension": (
        "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "modules = [\n"
        "    f for f in os.listdir(os.path.dirname(__file__))\n"
        '    if f.endswith(".py") and not f.startswith("_")\n'
        "]\n"
        "for name in modules:\n"
        '    module = importlib.import_module(f"{__name__}.{name[:-3]}")\n'
        '    router.include_router(module.router, prefix=f"/{name[:-3]}")\n',
        "/api/wallets",
    ),
    "pkgutil-comprehension": (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "modules = [info for info in pkgutil.iter_modules(__path__) if not info.ispkg]\n"
        "for info in modules:\n"
        '    module = importlib.import_module(f"{__name__}.{info.name}")\n'
        '    router.include_router(module.router, prefix=f"/{info.name}")\n',
        "/api/wallets",
    ),
    # Comprehensions that transform each entry (its module name) and filter it on the way.
    "listdir-sliced-comprehension": (
        "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "modules = [\n"
        "    f[:-3]\n"
        "    for f in os.listdir(os.path.dirname(__file__))\n"
        '    if f.endswith(".py") and f != "__init__.py"\n'
        "]\n"
        "for name in modules:\n"
        '    module = importlib.import_module(f"{__name__}.{name}")\n'
        '    router.include_router(module.router, prefix=f"/{name}")\n',
        "/api/wallets",
    ),
    "glob-stem-comprehension": (
        "import importlib\nfrom pathlib import Path\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        'names = [p.stem for p in Path(__file__).parent.glob("*.py")'
        ' if not p.name.startswith("_")]\n'
        "for name in names:\n"
        '    module = importlib.import_module(f"{__name__}.{name}")\n'
        '    router.include_router(module.router, prefix=f"/{name}")\n',
        "/api/wallets",
    ),
    "pkgutil-names-comprehension": (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "names = [name for _, name, ispkg in pkgutil.iter_modules(__path__) if not ispkg]\n"
        "for name in names:\n"
        '    module = importlib.import_module(f".{name}", __package__)\n'
        '    router.include_router(module.router, prefix="/" + name)\n',
        "/api/wallets",
    ),
    # Looped over directly, sorted, the filter reading the name the comprehension makes.
    "sorted-generator-inline": (
        "import importlib\nimport pkgutil\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\n"
        "for name in sorted(\n"
        '    name for _, name, _ in pkgutil.iter_modules(__path__) if name not in ("cards",)\n'
        "):\n"
        '    module = importlib.import_module(f"{__name__}.{name}")\n'
        '    router.include_router(module.router, prefix=f"/{name}")\n',
        "/api/wallets",
    ),
}


@pytest.mark.parametrize("package", [True, False], ids=["package", "plain-folder"])
@pytest.mark.parametrize("listing", sorted(ROOT_LISTINGS))
def test_a_top_level_main_listing_its_routers_folder_logs_each_prefix(
    tmp_path: Path, listing: str, package: bool
) -> None:
    """`main.py` in the project's root (no package) lists `routers/` beside it by
    `os.listdir`, `Path.glob` or `pkgutil.iter_modules` and imports each module by name: each
    router's routes are logged under the prefix its file name makes, as served. Before, the
    root was no folder the tool could list, and the routers were said to be followed nowhere."""
    root = tmp_path / "project"
    main = (
        "import importlib\nimport os\nimport pkgutil\nfrom pathlib import Path\n\n"
        'from fastapi import FastAPI\n\nROUTERS = "routers"\napp = FastAPI()\n'
        + ROOT_LISTINGS[listing]
    )
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": main,
        "routers/wallets.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/{wallet_id}")\nasync def read_wallet(wallet_id: int) -> int:\n'
            "    return wallet_id\n"
        ),
        **({"routers/__init__.py": ""} if package else {}),
    }
    write_files(root, files)
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        plan.replace('# "routers/wallets.py"', '"routers/wallets.py"')
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "run time" not in generated.stdout, generated.stdout
    assert "not followed" not in generated.stdout, generated.stdout
    assert routes_by_handler(root / "routers/wallets.py") == {"read_wallet": "/wallets/{wallet_id}"}
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fastapi.testclient import TestClient\nimport main\n"
            "print(TestClient(main.app).get('/wallets/3').json())",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.stdout.strip() == "3", served.stderr


@pytest.mark.parametrize(
    "call", ["include_package_routers(app)", 'include_package_routers(app, package="app.routes")']
)
def test_a_helper_listing_the_package_its_parameter_names_includes_each_router(
    tmp_path: Path, call: str
) -> None:
    """`def include_package_routers(app, prefix="/api", package="app.routes"): pkg =
    import_module(package)` then `iter_modules(pkg.__path__, prefix=package + ".")`: the
    package every call names (the default, or the same argument) is listed; each module's
    router is served under the call's prefix. Before, the routers were said to be followed
    nowhere and logged without it."""
    main = (
        "import importlib\nimport pkgutil\n\nfrom fastapi import FastAPI\n\n\n"
        "def include_package_routers(\n"
        '    app: FastAPI, prefix: str = "/api", package: str = "app.routes"\n) -> None:\n'
        "    pkg = importlib.import_module(package)\n"
        '    for info in pkgutil.iter_modules(pkg.__path__, prefix=package + "."):\n'
        "        module = importlib.import_module(info.name)\n"
        '        router = getattr(module, "router", None)\n'
        "        if router is not None:\n"
        "            app.include_router(router=router, prefix=prefix)\n\n\n"
        f"app = FastAPI()\n{call}\n"
    )
    files = {
        "app/main.py": main,
        "app/routes/__init__.py": "",
        "app/routes/wallets.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/wallets")\n\n\n'
            '@router.get("/{wallet_id}")\nasync def read_wallet(wallet_id: int) -> int:\n'
            "    return wallet_id\n"
        ),
    }
    generated = _generated_with_wallets(tmp_path / "project", files)
    assert "run time" not in generated.stdout, generated.stdout
    assert routes_by_handler(tmp_path / "project/app/routes/wallets.py") == {
        "read_wallet": "/api/wallets/{wallet_id}"
    }
    with imported_app(tmp_path / "project") as served:
        assert TestClient(served.app).get("/api/wallets/3").json() == 3


@pytest.mark.parametrize("listing", sorted(FILTERED_LISTINGS))
def test_entries_a_listing_loop_skips_are_not_said_to_be_served(
    tmp_path: Path, listing: str
) -> None:
    """`for entry in os.listdir(folder): if entry.endswith(".py"): ...include_router(...)`
    (or `if info.ispkg: continue` over `pkgutil.iter_modules`): an entry the loop's own tests
    skip is never imported, so its router is included by no app, and not suggested. Before, the
    subpackage `cards` was logged as served (`GET /api/ca/{card_id}`, its name cut by
    `[:-3]`), while the app answers 404 there."""
    root = tmp_path / "project"
    package, served = FILTERED_LISTINGS[listing]
    read_wallet = (
        'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{wallet_id}")\n'
        "async def read_wallet(wallet_id: int) -> int:\n    return wallet_id\n"
    )
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
        ),
        "app/routes/__init__.py": package,
        "app/routes/wallets.py": read_wallet,
        "app/routes/cards/__init__.py": read_wallet.replace("read_wallet", "read_card"),
    }
    generated = _generated_with_wallets(root, files)
    assert "run time" not in generated.stdout, generated.stdout
    assert "read_card" not in generated.stdout, generated.stdout
    plan = (root / "pyproject.toml").read_text()
    assert "routes that no app includes (routes/cards/__init__.py): not suggested" in plan, plan
    assert routes_by_handler(root / "app/routes/wallets.py") == {
        "read_wallet": f"{served}/{{wallet_id}}"
    }
    with imported_app(root) as app:
        client = TestClient(app.app)
        assert client.get(f"{served}/3").json() == 3
        assert all(
            client.get(f"{prefix}/4").status_code == 404 for prefix in ("/api/cards", "/api/ca")
        )


UNKNOWN_LISTING_TESTS = {
    "loop-if": (
        "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\nfolder = os.path.dirname(__file__)\n"
        "for entry in os.listdir(folder):\n"
        "    if os.path.isfile(os.path.join(folder, entry)):\n"
        "        module = importlib.import_module(f\"{__name__}.{entry.removesuffix('.py')}\")\n"
        "        router.include_router(module.router)\n"
    ),
    "comprehension-if": (
        "import importlib\nimport os\n\nfrom fastapi import APIRouter\n\n"
        "router = APIRouter()\nfolder = os.path.dirname(__file__)\n"
        "entries = [entry for entry in os.listdir(folder)\n"
        "           if os.path.isfile(os.path.join(folder, entry))]\n\n"
        "for name in entries:\n"
        "    module = importlib.import_module(f\"{__name__}.{name.removesuffix('.py')}\")\n"
        "    router.include_router(module.router)\n"
    ),
}


@pytest.mark.parametrize("written", sorted(UNKNOWN_LISTING_TESTS))
def test_a_listing_loop_test_not_known_statically_is_said(tmp_path: Path, written: str) -> None:
    """`if os.path.isfile(os.path.join(folder, entry)):` around the include, or filtering the
    comprehension the loop runs over: which entries it keeps is only known at run time; said
    in one line, every module's router kept."""
    root = tmp_path / "project"
    package = UNKNOWN_LISTING_TESTS[written]
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api")\n'
        ),
        "app/routes/__init__.py": package,
        "app/routes/wallets.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/{wallet_id}")\n'
            "async def read_wallet(wallet_id: int) -> int:\n    return wallet_id\n"
        ),
    }
    generated = _generated_with_wallets(root, files)
    line = 1 + next(at for at, text in enumerate(package.splitlines()) if "include_" in text)
    said = (
        f"app/routes/__init__.py:{line}: which entries the `if` tests on `entry` keep is only "
        "known at run time: the routers of every module listed are logged as included"
    )
    assert said in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/routes/wallets.py") == {"read_wallet": "/api/{wallet_id}"}


def test_a_list_another_module_fills_from_a_listing_is_included_by_a_loop_over_it(
    tmp_path: Path,
) -> None:
    """`routers = []` filled by `routers.append(module.router)` in the routes package's
    listing loop, then `from app.routes import routers` and `for r in routers:
    app.include_router(r, prefix="/api")` in main.py: each listed module's router is served
    under the include's prefix, and logged so. Before, the loop's routers were said to be only
    known at run time and logged without `/api`."""
    root = tmp_path / "project"
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.routes import routers\n\n"
            'app = FastAPI()\nfor r in routers:\n    app.include_router(r, prefix="/api")\n'
        ),
        "app/routes/__init__.py": (
            "import importlib\nimport os\n\nrouters = []\n"
            "for file_name in os.listdir(os.path.dirname(__file__)):\n"
            '    if file_name.endswith(".py") and not file_name.startswith("_"):\n'
            '        module = importlib.import_module(f".{file_name[:-3]}", __package__)\n'
            "        routers.append(module.router)\n"
        ),
        "app/routes/wallets.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/{wallet_id}")\n'
            "async def read_wallet(wallet_id: int) -> int:\n    return wallet_id\n"
        ),
    }
    generated = _generated_with_wallets(root, files)
    assert "run time" not in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/routes/wallets.py") == {"read_wallet": "/api/{wallet_id}"}
    with imported_app(root) as served:
        assert TestClient(served.app).get("/api/3").json() == 3
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: Loops over a glob of each feature folder's `routes.py`, the feature's name read off the path.
SUBFOLDER_GLOBS = {
    "split-slash": (
        "for f in sorted(glob.glob(os.path.join(HERE, '*', 'routes.py'))):\n"
        "    name = f.split('/')[-2]\n"
    ),
    "split-os-sep": (
        "for f in glob.glob(os.path.join(HERE, '*/routes.py')):\n    name = f.split(os.sep)[-2]\n"
    ),
    "parent-name": (
        "files = glob.glob(HERE + '/*/routes.py')\n"
        "for f in files:\n"
        "    if not os.path.isfile(f) or f.endswith('__init__.py'):\n"
        "        continue\n"
        "    name = Path(f).parent.name\n"
    ),
    "dirname-basename": (
        "for f in glob.iglob(f'{HERE}/*/routes.py'):\n"
        "    name = os.path.basename(os.path.dirname(f))\n"
    ),
    "pathlib-glob": (
        "for routes_file in pathlib.Path(HERE).glob('*/routes.py'):\n"
        "    name = routes_file.parent.name\n"
    ),
    "comprehension": (
        "for name in [f.split('/')[-2] for f in glob.glob(os.path.join(HERE, '*', 'routes.py'))]:\n"
    ),
    # The name rebound to a comprehension over its first value, read in flow order.
    "rebound": (
        "mods = glob.glob(os.path.join(HERE, '*', 'routes.py'))\n"
        "mods = [f.split('/')[-2] for f in mods if os.path.isfile(f)]\n"
        "for name in mods:\n"
    ),
    "rebound-sorted": (
        "mods = [p.parent.name for p in pathlib.Path(HERE).glob('*/routes.py')]\n"
        "mods = sorted(mods)\n"
        "for name in mods:\n"
    ),
}


@pytest.mark.parametrize("listing", sorted(SUBFOLDER_GLOBS))
def test_a_glob_of_each_subfolders_routes_module_gives_each_its_folders_prefix(
    tmp_path: Path, listing: str
) -> None:
    """`for f in glob.glob(os.path.join(here, "*", "routes.py")): name = f.split("/")[-2]`,
    then `import_module(f"app.modules.{name}.routes")` and `prefix=f"/{name}"`: each feature
    folder's router is served, and logged, under its folder's name (read off the path by
    `split`, `os.sep`, `Path(f).parent.name`, `os.path.dirname`, `pathlib`'s `glob`); a folder
    holding no `routes.py` is not listed. Before, the routers were said to be followed nowhere
    and logged without any prefix."""
    root = tmp_path / "project"
    loop = SUBFOLDER_GLOBS[listing].replace("HERE", "here")
    body = (
        "    module = importlib.import_module(f'app.modules.{name}.routes')\n"
        "    app.include_router(module.router, prefix=f'/api/{name}')\n"
    )
    read = 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{item_id}")\n'
    files = {
        "app/main.py": (
            "import glob\nimport importlib\nimport os\nimport pathlib\nfrom pathlib import Path\n\n"
            "from fastapi import FastAPI\n\n"
            "app = FastAPI()\nhere = os.path.join(os.path.dirname(__file__), 'modules')\n"
            f"{loop}{body}"
        ),
        "app/modules/__init__.py": "",
        "app/modules/wallets/__init__.py": "",
        "app/modules/wallets/routes.py": (
            f"{read}async def read_wallet(item_id: int) -> int:\n    return item_id\n"
        ),
        # Listed by no glob of `*/routes.py`: its module is some other name.
        "app/modules/cards/__init__.py": "",
        "app/modules/cards/views.py": (
            f"{read}async def read_card(item_id: int) -> int:\n    return item_id\n"
        ),
    }
    generated = _generated_with_modules(root, files, "modules/wallets/routes.py")
    assert "log call in read_wallet (GET /api/wallets/{item_id})" in generated.stdout
    assert "run time" not in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/modules/wallets/routes.py") == {
        "read_wallet": "/api/wallets/{item_id}"
    }
    with imported_app(root) as served:
        client = TestClient(served.app)
        assert client.get("/api/wallets/3").json() == 3
        assert client.get("/api/cards/3").status_code == 404
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "name",
    ["f.split('/')[0]", "f.split('/')[-3]", "f.rsplit('/', 2)[1]", "Path(f).parents[0].name"],
)
def test_a_folder_name_a_glob_path_does_not_tell_statically_is_said(
    tmp_path: Path, name: str
) -> None:
    """A name read off the glob's path reaching into the folder globbed (`f.split("/")[0]`,
    `[-3]`), or by a way not read: the prefix is said in one line, never guessed."""
    root = tmp_path / "project"
    files = {
        "app/main.py": (
            "import glob\nimport importlib\nimport os\nfrom pathlib import Path\n\n"
            "from fastapi import FastAPI\n\n"
            "app = FastAPI()\nhere = os.path.join(os.path.dirname(__file__), 'modules')\n"
            "for f in glob.glob(os.path.join(here, '*', 'routes.py')):\n"
            f"    name = {name}\n"
            "    module = importlib.import_module(f\"app.modules.{f.split('/')[-2]}.routes\")\n"
            "    app.include_router(module.router, prefix=f'/{name}')\n"
        ),
        "app/modules/__init__.py": "",
        "app/modules/wallets/__init__.py": "",
        "app/modules/wallets/routes.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{item_id}")\n'
            "async def read_wallet(item_id: int) -> int:\n    return item_id\n"
        ),
    }
    generated = _generated_with_modules(root, files, "modules/wallets/routes.py")
    said = "app/main.py:13: include prefix `f'/{name}'` is only known at run time"
    assert said in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/modules/wallets/routes.py") == {
        "read_wallet": "/{item_id}"
    }


def test_a_name_rebound_in_a_branch_before_the_loop_is_not_read_as_either_value(
    tmp_path: Path,
) -> None:
    """`mods = glob.glob(...)`, then `if FLAT: mods = [...]`: which value the loop reads is
    only known at run time, and the prefix made of it is said, never guessed."""
    root = tmp_path / "project"
    files = {
        "app/main.py": (
            "import glob\nimport importlib\nimport os\n\nfrom fastapi import FastAPI\n\n"
            "FLAT = os.environ.get('FLAT') == '1'\n"
            "app = FastAPI()\nhere = os.path.join(os.path.dirname(__file__), 'modules')\n"
            "mods = [f.split('/')[-2] for f in glob.glob(os.path.join(here, '*', 'routes.py'))]\n"
            "if FLAT:\n    mods = [m.upper() for m in mods]\n"
            "for name in mods:\n"
            "    module = importlib.import_module(f'app.modules.{name.lower()}.routes')\n"
            "    app.include_router(module.router, prefix=f'/{name}')\n"
        ),
        "app/modules/__init__.py": "",
        "app/modules/wallets/__init__.py": "",
        "app/modules/wallets/routes.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{item_id}")\n'
            "async def read_wallet(item_id: int) -> int:\n    return item_id\n"
        ),
    }
    generated = _generated_with_modules(root, files, "modules/wallets/routes.py")
    said = "app/main.py:15: include prefix `f'/{name}'` is only known at run time"
    assert said in generated.stdout, generated.stdout
    assert routes_by_handler(root / "app/modules/wallets/routes.py") == {
        "read_wallet": "/{item_id}"
    }


def _generated_with_modules(root: Path, files: dict[str, str], instrumented: str) -> Run:
    """Generate in a project of ``files`` whose plan, from init, instruments ``instrumented``."""
    write_files(root, {"requirements.txt": "fastapi\n", "app/__init__.py": "", **files})
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace(f'# "{instrumented}"', f'"{instrumented}"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return generated


@pytest.mark.parametrize(
    "load",
    [
        "    module = importlib.import_module(f'app.routes.{path.stem}')\n",
        "    spec = importlib.util.spec_from_file_location(path.stem, path)\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n",
    ],
    ids=["import-module", "from-spec"],
)
def test_a_glob_naming_the_subfolder_in_its_pattern_lists_that_folder(
    tmp_path: Path, load: str
) -> None:
    """`Path(__file__).parent.glob("routes/*.py")`: the pattern's leading folder is the folder
    listed, as `(Path(__file__).parent / "routes").glob("*.py")`; each module's router is
    logged under the prefix its file name makes. Before, the routers were said to be only
    known at run time, and logged without it."""
    root = tmp_path / "project"
    files = {
        "app/main.py": (
            "import importlib\nimport importlib.util\nfrom pathlib import Path\n\n"
            "from fastapi import FastAPI\n\napp = FastAPI()\n"
            "for path in sorted(Path(__file__).parent.glob('routes/*.py')):\n"
            "    if path.stem.startswith('_'):\n        continue\n"
            f"{load}"
            "    app.include_router(module.router, prefix=f'/{path.stem}')\n"
        ),
        "app/routes/__init__.py": "",
        "app/routes/wallets.py": (
            'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{item_id}")\n'
            "async def read_wallet(item_id: int) -> int:\n    return item_id\n"
        ),
    }
    generated = _generated_with_modules(root, files, "routes/wallets.py")
    assert "log call in read_wallet (GET /wallets/{item_id})" in generated.stdout
    assert "run time" not in generated.stdout, generated.stdout
    with imported_app(root) as served:
        assert TestClient(served.app).get("/wallets/3").json() == 3
