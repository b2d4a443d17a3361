"""An app served through a wrapper or a second name: the plan names what runs, the wiring
goes on the FastAPI object (`api.include_router(...)`), and the telemetry routes answer."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest
import tomlkit
from fastapi.testclient import TestClient

from tests.cli_support import run, snapshot

ORDERS_PY = '''"""Orders."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/orders")
def list_orders() -> list[str]:
    return ["o1"]
'''

# The last line of each module serves the FastAPI object `core` through something else.
SERVED = {
    "gzip": (
        "from starlette.middleware.gzip import GZipMiddleware\n",
        "app = GZipMiddleware(core, minimum_size=100)\n",
    ),
    "cors-keyword": (
        "from fastapi.middleware.cors import CORSMiddleware\n",
        'app = CORSMiddleware(app=core, allow_origins=["*"])\n',
    ),
    "own-class": (
        "",
        "class Timing:\n    def __init__(self, inner):\n        self.inner = inner\n\n"
        "    async def __call__(self, scope, receive, send):\n"
        "        await self.inner(scope, receive, send)\n\n\napp = Timing(core)\n",
    ),
    "alias": ("", "app = core\n"),
    "starlette-mount-call": (
        "from starlette.applications import Starlette\n",
        'app = Starlette()\napp.mount("/", core)\n',
    ),
    "starlette-mount": (
        "from starlette.applications import Starlette\nfrom starlette.routing import Mount\n",
        'app = Starlette(routes=[Mount("/", app=core)])\n',
    ),
    "alias-of-wrapper": (
        "from starlette.middleware.gzip import GZipMiddleware\n",
        "zipped = GZipMiddleware(core)\napp = zipped\n",
    ),
}


def _project(root: Path, case: str, run_file: str | None) -> Path:
    imports, served = SERVED[case]
    package = root / "shop"
    (package / "routes").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (package / "__init__.py").write_text("")
    (package / "routes" / "__init__.py").write_text("")
    (package / "routes" / "orders.py").write_text(ORDERS_PY)
    (package / "main.py").write_text(
        f"from fastapi import FastAPI\n{imports}\nfrom shop.routes import orders\n\n"
        f"core = FastAPI(title='shop')\ncore.include_router(orders.router)\n\n{served}"
    )
    if run_file is not None:
        (root / run_file.partition("=")[0]).write_text(run_file.partition("=")[2])
    return root


@contextmanager
def _served(root: Path) -> Iterator[ModuleType]:
    """Import ``shop.main`` from ``root`` afresh (each test project has its own ``shop``)."""

    def forget() -> None:
        for name in [name for name in sys.modules if name.partition(".")[0] == "shop"]:
            del sys.modules[name]

    forget()
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("shop.main")
    finally:
        sys.path.remove(str(root))
        forget()


def _plan_app(root: Path) -> str:
    table = tomlkit.parse((root / "pyproject.toml").read_text())["tool"]["telemetry-scaffold"]
    return str(table["app"])  # type: ignore[index]


RUN_FILES = {
    "dockerfile": 'Dockerfile=FROM python:3.12\nCMD ["uvicorn", "shop.main:app", "--port", "80"]\n',
    "procfile": "Procfile=web: gunicorn shop.main:app -k uvicorn.workers.UvicornWorker\n",
}


@contextmanager
def _wired_in_core(root: Path) -> Iterator[TestClient]:
    """Init names `shop.main:app`; generate wires `shop/core.py`'s FastAPI object, not main's.

    Then, `generate --check` passing, a client of the app served.
    """
    assert run("init", "--root", str(root)).exit_code == 0
    assert _plan_app(root) == "shop.main:app"
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "core.include_router(telemetry_router)" in (root / "shop/core.py").read_text()
    assert "telemetry" not in (root / "shop/main.py").read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with _served(root) as served:
        yield TestClient(served.app)


@pytest.mark.parametrize("case", sorted(SERVED))
@pytest.mark.parametrize("run_file", sorted(RUN_FILES))
def test_a_runner_serving_a_wrapper_is_named_and_the_fastapi_object_is_wired(
    tmp_path: Path, case: str, run_file: str
) -> None:
    root = _project(tmp_path / "project", case, RUN_FILES[run_file])
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    before = snapshot(root)
    init = run("init", "--root", str(root))
    assert init.exit_code == 0, init.stdout + init.stderr
    # What the server runs, not the object inside it.
    assert _plan_app(root) == "shop.main:app"
    assert run("generate", "--root", str(root)).exit_code == 0
    main = (root / "shop/main.py").read_text()
    assert "core.include_router(telemetry_router)" in main
    assert "app.include_router(telemetry_router)" not in main
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    again = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root) == again
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert "uvicorn shop.main:app " in quickstart
    contract = next(root.glob("specs/*/contracts/telemetry-api.yaml")).read_text()
    assert "/api/telemetry/health" in contract
    with _served(root) as served:
        client = TestClient(served.app)
        assert client.get("/api/telemetry/health").status_code == 200
        assert client.get("/orders").json() == ["o1"]
    assert run("remove", "--root", str(root)).exit_code == 0
    left = snapshot(root)
    left.pop("pyproject.toml")
    before.pop("pyproject.toml")
    assert left == before


@pytest.mark.parametrize("case", sorted(SERVED))
def test_a_plan_naming_a_wrapper_wires_the_app_it_wraps(tmp_path: Path, case: str) -> None:
    root = _project(tmp_path / "project", case, None)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "shop"\napp = "shop.main:app"\ninstrument = {}\n'
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "core.include_router(telemetry_router)" in (root / "shop/main.py").read_text()
    with _served(root) as served:
        assert TestClient(served.app).get("/api/telemetry/health").status_code == 200
    # The quickstart's error step adds its failing route to the FastAPI object, and calls
    # what runs.
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    [script] = re.findall(r"python - <<'EOF'\n(.*?)\nEOF\n", quickstart, re.DOTALL)
    assert "quickstart-failure" in script
    result = subprocess.run(
        [sys.executable, "-"], input=script, cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500"
    assert '"route":"/quickstart-failure"' in result.stderr


RUNS = {
    "string": '    uvicorn.run("shop.main:app", port=8000)\n',
    "object": "    uvicorn.run(app, port=8000)\n",
    "script": '    uvicorn.run("__main__:app")\n',
}


@pytest.mark.parametrize("how", sorted(RUNS))
@pytest.mark.parametrize("case", ["gzip", "alias", "alias-of-wrapper"])
def test_the_module_running_a_wrapper_has_it_named_in_the_plan(
    tmp_path: Path, case: str, how: str
) -> None:
    root = _project(tmp_path / "project", case, None)
    main = root / "shop/main.py"
    main.write_text(
        "import uvicorn\n" + main.read_text() + '\n\nif __name__ == "__main__":\n' + RUNS[how]
    )
    assert run("init", "--root", str(root)).exit_code == 0
    assert _plan_app(root) == "shop.main:app"
    assert run("generate", "--root", str(root)).exit_code == 0
    assert "core.include_router(telemetry_router)" in main.read_text()
    with _served(root) as served:
        assert TestClient(served.app).get("/api/telemetry/health").status_code == 200


def test_without_a_server_naming_it_the_fastapi_object_stays_the_plans_app(
    tmp_path: Path,
) -> None:
    # `fastapi run` serves the FastAPI object: a wrapper no server names is no hint.
    root = _project(tmp_path / "project", "gzip", None)
    assert run("init", "--root", str(root)).exit_code == 0
    assert _plan_app(root) == "shop.main:core"


def test_a_wrapper_of_an_app_imported_from_another_module_wires_that_module(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "project", "gzip", "Procfile=web: uvicorn shop.main:app\n")
    main = root / "shop/main.py"
    # The FastAPI object moves to shop/core.py; main.py only wraps what it imports.
    (root / "shop/core.py").write_text(
        main.read_text().replace("from starlette.middleware.gzip import GZipMiddleware\n", "")
    )
    (root / "shop/core.py").write_text(
        (root / "shop/core.py")
        .read_text()
        .replace("app = GZipMiddleware(core, minimum_size=100)\n", "")
    )
    main.write_text(
        "from starlette.middleware.gzip import GZipMiddleware\n\nfrom shop.core import core\n\n"
        "app = GZipMiddleware(core)\n"
    )
    with _wired_in_core(root) as client:
        assert client.get("/api/telemetry/health").status_code == 200
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    [script] = re.findall(r"python - <<'EOF'\n(.*?)\nEOF\n", quickstart, re.DOTALL)
    assert "from shop.core import core as fastapi_app" in script
    result = subprocess.run(
        [sys.executable, "-"], input=script, cwd=root, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "500", result.stderr


# A plain Starlette app mounting the FastAPI object of another module, read through that
# module (`from shop import core`, then `core.core`).
MOUNTED_ATTRIBUTES = {
    "mount-call": 'app = Starlette()\napp.mount("/", core.core)\n',
    "mount-keyword": 'app = Starlette()\napp.mount(path="/", app=core.core)\n',
    "routes-list": 'app = Starlette(routes=[Mount("/", app=core.core)])\n',
}


@pytest.mark.parametrize("case", sorted(MOUNTED_ATTRIBUTES))
def test_a_starlette_app_mounting_a_module_attribute_wires_the_fastapi_object(
    tmp_path: Path, case: str
) -> None:
    root = _project(tmp_path / "project", "alias", "Procfile=web: uvicorn shop.main:app\n")
    main = root / "shop/main.py"
    (root / "shop/core.py").write_text(main.read_text().replace("app = core\n", ""))
    main.write_text(
        "from starlette.applications import Starlette\nfrom starlette.routing import Mount\n\n"
        f"from shop import core\n\n{MOUNTED_ATTRIBUTES[case]}"
    )
    # Not the Starlette app: it has no include_router.
    with _wired_in_core(root) as client:
        assert client.get("/api/telemetry/health").status_code == 200
        assert client.get("/orders").json() == ["o1"]


FACTORY_PY = """from fastapi import FastAPI

from shop.routes import orders


def build_app() -> FastAPI:
    api = FastAPI(title="shop")
    api.include_router(orders.router)
    return api
"""

# The module the server runs wraps the factory's result; the factory is local or imported.
WRAPPED_FACTORIES = {
    "gzip-local": (
        "from starlette.middleware.gzip import GZipMiddleware\n\n"
        + FACTORY_PY
        + "\n\napp = GZipMiddleware(build_app(), minimum_size=100)\n"
    ),
    "own-class-imported": (
        "from shop.factory import build_app\n\n\nclass Tracing:\n"
        "    def __init__(self, app):\n        self.app = app\n\n"
        "    async def __call__(self, scope, receive, send):\n"
        "        await self.app(scope, receive, send)\n\n\napp = Tracing(app=build_app())\n"
    ),
    # The factory's result held in a variable first, then wrapped or named again.
    "gzip-local-variable": (
        "from starlette.middleware.gzip import GZipMiddleware\n\n"
        + FACTORY_PY
        + "\n\nbuilt = build_app()\napp = GZipMiddleware(built, minimum_size=100)\n"
    ),
    "alias-imported": (
        "from shop.factory import build_app\n\napplication = build_app()\napp = application\n"
    ),
}


@pytest.mark.parametrize("runner", ["procfile", "main-guard"])
@pytest.mark.parametrize("case", sorted(WRAPPED_FACTORIES))
def test_a_wrapper_of_a_factory_call_wires_the_app_in_the_factory(
    tmp_path: Path, case: str, runner: str
) -> None:
    root = tmp_path / "project"
    _project(root, "gzip", None)
    (root / "shop/factory.py").write_text(FACTORY_PY)
    main = root / "shop/main.py"
    main.write_text(WRAPPED_FACTORIES[case])
    if runner == "procfile":
        (root / "Procfile").write_text("web: uvicorn shop.main:app --port $PORT\n")
    else:
        main.write_text(
            "import uvicorn\n" + main.read_text() + '\n\nif __name__ == "__main__":\n'
            "    uvicorn.run(app)\n"
        )
    before = snapshot(root)
    init = run("init", "--root", str(root))
    assert init.exit_code == 0, init.stdout + init.stderr
    # What the server runs stays the plan's app; the include goes where the app is built.
    assert _plan_app(root) == "shop.main:app"
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    factory = root / ("shop/main.py" if "local" in case else "shop/factory.py")
    assert "    api.include_router(telemetry_router)\n" in factory.read_text()
    assert "app.include_router" not in main.read_text()
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    again = snapshot(root)
    assert run("generate", "--root", str(root)).exit_code == 0
    assert snapshot(root) == again
    with _served(root) as served:
        client = TestClient(served.app)
        assert client.get("/api/telemetry/health").status_code == 200
        assert client.get("/orders").json() == ["o1"]
    # The quickstart's error step builds the app with the factory (the wrapper's is out of
    # reach) and gets the failure logged.
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert "uvicorn shop.main:app " in quickstart
    [script] = re.findall(r"python - <<'EOF'\n(.*?)\nEOF\n", quickstart, re.DOTALL)
    assert "app = build_app()" in script
    result = subprocess.run(
        [sys.executable, "-"], input=script, cwd=root, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "500", result.stderr
    assert '"route":"/quickstart-failure"' in result.stderr
    assert run("remove", "--root", str(root)).exit_code == 0
    left = snapshot(root)
    left.pop("pyproject.toml")
    before.pop("pyproject.toml")
    assert left == before


def test_a_wrapper_of_a_factory_returning_an_unnamed_app_is_refused_not_patched(
    tmp_path: Path,
) -> None:
    """`return FastAPI()` as is: no name to include the router on, the wrapper has none."""
    root = tmp_path / "project"
    _project(root, "gzip", "Procfile=web: uvicorn shop.main:app\n")
    main = root / "shop/main.py"
    main.write_text(
        "from fastapi import FastAPI\nfrom starlette.middleware.gzip import GZipMiddleware\n\n\n"
        "def build_app() -> FastAPI:\n    return FastAPI(title='shop')\n\n\n"
        "app = GZipMiddleware(build_app())\n"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "shop"\napp = "shop.main:app"\ninstrument = {}\n'
    )
    before = snapshot(root)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr == (
        "error: shop/main.py:5: build_app() returns the app without naming it; assign it first "
        "(app = FastAPI(...), then return app) so that the telemetry router can be included\n"
    )
    assert snapshot(root) == before


# A factory rebinding its app's name to a wrapper of it before returning it.
REBOUND_IN_FACTORY = {
    "wrapped-under-an-if": (
        "def create_app(zipped: bool = True) -> FastAPI:\n"
        "    app = FastAPI(title='shop')\n"
        "    app.include_router(orders.router)\n"
        "    if zipped:\n"
        "        app = GZipMiddleware(app, minimum_size=100)\n"
        "    return app\n"
    ),
    "wrapped-always": (
        "def create_app():\n"
        "    app = FastAPI(title='shop')\n"
        "    app.include_router(orders.router)\n"
        "    app = GZipMiddleware(app)\n"
        "    return app\n"
    ),
}


@pytest.mark.parametrize("guarded", [False, True])
def test_a_factory_rebinding_its_app_to_a_library_call_given_it_is_found(
    tmp_path: Path, guarded: bool
) -> None:
    """`app = gr.mount_gradio_app(app, ui, path="/ui")` (a library's function returning the app
    it is given, here not installed), also under an `if` in a `try`, then routes on `app` and
    `return app`: init found no app at all; the factory is the app, wired where it is built."""
    root = tmp_path / "project"
    _project(root, "gzip", None)
    main = root / "shop/main.py"
    mount = 'app = gr.mount_gradio_app(app, ui, path="/ui")\n'
    if guarded:
        mount = f"if ENABLE_UI:\n        try:\n            {mount}        except ImportError:\n"
        mount += "            pass\n"
    main.write_text(
        "import gradio as gr\nfrom fastapi import FastAPI\n\nfrom shop.routes import orders\n\n"
        "ENABLE_UI = True\nui = gr.Blocks()\n\n\ndef create_app():\n"
        "    app = FastAPI(title='shop')\n    app.include_router(orders.router)\n"
        f"    {mount}\n    @app.get('/health')\n    def health() -> str:\n        return 'ok'\n\n"
        "    return app\n"
    )
    before = main.read_text()
    init = run("init", "--root", str(root))
    assert init.exit_code == 0, init.stdout + init.stderr
    assert _plan_app(root) == "shop.main:create_app"
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    text = main.read_text()
    assert text.index("    app.include_router(telemetry_router)\n") < text.index("mount_gradio_app")
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert main.read_text() == before


@pytest.mark.parametrize("case", sorted(REBOUND_IN_FACTORY))
def test_a_factory_returning_its_app_rebound_to_a_wrapper_wires_the_app_it_built(
    tmp_path: Path, case: str
) -> None:
    """`app = FastAPI()`, then `app = Wrapper(app)` (an optional UI mounted, a middleware), then
    `return app`: the factory was refused as returning no named app; the app is wired where it
    is built, before the wrapper, as at module level."""
    root = tmp_path / "project"
    _project(root, "gzip", 'Dockerfile=CMD ["uvicorn", "--factory", "shop.main:create_app"]\n')
    main = root / "shop/main.py"
    main.write_text(
        "from fastapi import FastAPI\nfrom starlette.middleware.gzip import GZipMiddleware\n\n"
        f"from shop.routes import orders\n\n\n{REBOUND_IN_FACTORY[case]}"
    )
    before = snapshot(root)
    init = run("init", "--root", str(root))
    assert init.exit_code == 0, init.stdout + init.stderr
    assert _plan_app(root) == "shop.main:create_app"
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    text = main.read_text()
    assert text.index("    app.include_router(telemetry_router)\n") < text.index(
        "GZipMiddleware(app"
    )
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    with _served(root) as served:
        client = TestClient(served.create_app())
        assert client.get("/api/telemetry/health").status_code == 200
        assert client.get("/orders").json() == ["o1"]
    assert run("remove", "--root", str(root)).exit_code == 0
    left = snapshot(root)
    left.pop("pyproject.toml")
    before.pop("pyproject.toml")
    assert left == before
