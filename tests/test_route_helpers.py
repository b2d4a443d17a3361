"""Routes registered by a helper function of the module with what its callers pass.

`def route(path, endpoint, method): router.add_api_route(path, endpoint, methods=[method])`,
then `route("/items", list_items, "GET")`: each call registers a route of its own, read as if
the registration were written out at the call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, snapshot, write_files

HANDLERS = """def list_items() -> list[str]:
    return []


def create_item() -> dict[str, str]:
    return {}
"""

PLAN = """[project]
name = "svc"

[tool.telemetry-scaffold]
backend = "."
app-package = "app"
app = "{app}"

[tool.telemetry-scaffold.instrument]
"{module}" = "ai_block_used"
"""

POSITIONAL = """from fastapi import APIRouter, FastAPI

from app.handlers import create_item, list_items

app = FastAPI()
router = APIRouter(prefix="/api")


def route(path, endpoint, method):
    router.add_api_route(path, endpoint, methods=[method])


route("/items", list_items, "GET")
route("/items", create_item, method="POST")
app.include_router(router)
"""

OPTIONS = """from fastapi import APIRouter, FastAPI

from app.handlers import create_item, list_items

router = APIRouter(prefix="/api")


def route(path: str, endpoint, methods=("GET",), **options) -> None:
    router.add_api_route(path, endpoint, methods=methods, **options)


def create_app() -> FastAPI:
    app = FastAPI()
    route("/items", list_items, tags=["items"])
    route("/items", create_item, ["POST"], status_code=201)
    app.include_router(router)
    return app
"""

LOOPED = """from fastapi import APIRouter, FastAPI

from app.handlers import create_item, list_items

app = FastAPI()
router = APIRouter(prefix="/api")
ROUTES = [("/items", list_items, "GET"), ("/items", create_item, "POST")]


def route(path, endpoint, method):
    router.add_api_route(path, endpoint, methods=[method])


for path, endpoint, method in ROUTES:
    route(path, endpoint, method)
app.include_router(router)
"""

# The same routes registered by the loop itself.
LOOP_ONLY = """from fastapi import APIRouter, FastAPI

from app.handlers import create_item, list_items

app = FastAPI()
router = APIRouter(prefix="/api")
ROUTES = [("/items", list_items, "GET"), ("/items", create_item, "POST")]

for path, endpoint, method in ROUTES:
    router.add_api_route(path, endpoint, methods=[method])
app.include_router(router)
"""


def _project(root: Path, module: str, files: dict[str, str]) -> None:
    """A package `app` whose plan instruments ``module``, with ``files`` (`app/main.py` too)."""
    main = files.get("app/main.py", "")
    app = "app.main:create_app" if "def create_app" in main else "app.main:app"
    write_files(
        root,
        {"pyproject.toml": PLAN.format(module=module, app=app), "app/__init__.py": "", **files},
    )


def _generate(root: Path, main: str, module: str = "handlers.py") -> str:
    _project(root, module, {"app/handlers.py": HANDLERS, "app/main.py": main})
    before = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before
    return generated.stdout


@pytest.mark.parametrize("main", [POSITIONAL, OPTIONS], ids=["args", "options"])
def test_each_call_of_a_route_helper_registers_its_route(tmp_path: Path, main: str) -> None:
    """Positional or keyword arguments, defaults, `**options` passed on, calls in a factory
    or in a loop: each call's route is the handler's, under the router's prefix."""
    output = _generate(tmp_path / "project", main)
    assert "log call in list_items (GET /api/items)" in output, output
    assert "log call in create_item (POST /api/items)" in output, output
    assert "cannot be followed" not in output, output


@pytest.mark.parametrize("main", [LOOPED, LOOP_ONLY], ids=["helper", "loop"])
def test_a_loop_registers_each_item_with_its_path_and_methods(tmp_path: Path, main: str) -> None:
    """`for path, endpoint, method in ROUTES`, registering by a helper or by itself: one route
    per item, with the path and methods it gives, for handlers of another module too."""
    output = _generate(tmp_path / "project", main)
    assert "log call in list_items (GET /api/items)" in output, output
    assert "log call in create_item (POST /api/items)" in output, output


def test_a_helper_of_the_module_of_its_handlers(tmp_path: Path) -> None:
    """The handlers written beside the helper get their calls where they are defined."""
    main = POSITIONAL.replace("from app.handlers import create_item, list_items\n", "")
    main = main.replace("\n\ndef route(", "\n\n" + HANDLERS + "\n\ndef route(")
    output = _generate(tmp_path / "project", main, module="main.py")
    assert "log call in list_items (GET /api/items)" in output, output
    assert "log call in create_item (POST /api/items)" in output, output


@pytest.mark.parametrize(
    ("change", "why"),
    [
        # Imported and called by another module too: its routes there are not read.
        ({"app/more.py": "from app.main import route\n"}, "imported"),
        # Passed around, not only called: which routes, not known.
        ({"app/main.py": POSITIONAL + "HELPERS = [route]\n"}, "passed"),
        # The parameter is given another value before the registration.
        (
            {
                "app/main.py": POSITIONAL.replace(
                    "    router.add_api_route(",
                    "    path = path.rstrip('/')\n    router.add_api_route(",
                )
            },
            "rebound",
        ),
        # A call unpacking its arguments.
        ({"app/main.py": POSITIONAL + 'route(*("/more", list_items, "GET"))\n'}, "unpacked"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_helper_not_read_at_every_call_is_named(
    tmp_path: Path, change: dict[str, str], why: str
) -> None:
    """When a use of the helper cannot be read, its registration is named on a line, as any
    registration of an endpoint that cannot be followed is, and nothing is logged for it."""
    root = tmp_path / "project"
    # The plan names the module registering them: its registrations not followed are named there.
    _project(root, "main.py", {"app/handlers.py": HANDLERS, "app/main.py": POSITIONAL, **change})
    generated = run("generate", "--root", str(root))
    output = generated.stdout + generated.stderr
    line = 11 if why == "rebound" else 10
    assert f"app/main.py:{line}: `router.add_api_route` registers `endpoint`" in output, (
        why,
        output,
    )
    assert "log call in list_items" not in output, (why, output)


API_CLASS = """from fastapi import APIRouter, FastAPI


class Api:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.router = APIRouter(prefix="/sd")
        self.add_api_route("/txt2img", self.txt2img, methods=["POST"])
        self.add_api_route("/ping", self.ping)

    def add_api_route(self, path: str, endpoint, **kwargs) -> None:
        return self.{owner}.add_api_route(path, endpoint, **kwargs)

    def txt2img(self, prompt: str) -> dict[str, str]:
        return {{"prompt": prompt}}

    def ping(self) -> dict[str, str]:
        return {{}}
"""

API_MAIN = """from fastapi import FastAPI

from app.api import Api

app = FastAPI()
api = Api(app)
app.include_router(api.router)
"""


@pytest.mark.parametrize(("owner", "prefix"), [("router", "/sd"), ("app", "")])
def test_a_method_registering_for_its_class_registers_each_calls_route(
    tmp_path: Path, owner: str, prefix: str
) -> None:
    """`self.add_api_route("/ping", self.ping)` calling the class's own wrapper, which passes
    its arguments on to its router's or its app's `add_api_route`: each call's route."""
    root = tmp_path / "project"
    _project(root, "api.py", {"app/api.py": API_CLASS.format(owner=owner), "app/main.py": API_MAIN})
    before = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert f"log call in Api.txt2img (POST {prefix}/txt2img)" in generated.stdout
    assert f"log call in Api.ping (GET {prefix}/ping)" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == before


def test_a_wrapper_method_also_called_on_an_instance_is_named(tmp_path: Path) -> None:
    """`api.add_api_route("/more", more)` outside the class: a call whose route is not read,
    so the wrapper's registration is named on a line, and nothing is logged by guess."""
    root = tmp_path / "project"
    api = API_CLASS.format(owner="router") + (
        "\n\ndef more() -> None:\n    return None\n\n\napi = Api(None)\n"
        'api.add_api_route("/more", more)\n'
    )
    _project(root, "api.py", {"app/api.py": api, "app/main.py": API_MAIN})
    generated = run("generate", "--root", str(root))
    output = generated.stdout + generated.stderr
    assert "app/api.py:12: `self.router.add_api_route` registers `endpoint`" in output, output
    assert "log call in Api.ping" not in output, output


MEMBERS = """import inspect

from fastapi import APIRouter, FastAPI


class Greeter:
    async def hello(self) -> dict[str, str]:
        return {}


def routes_of(router: APIRouter, instance: object) -> None:
    for name, method in inspect.getmembers(instance, inspect.ismethod):
        router.add_api_route(f"/{name}", method)


app = FastAPI()
router = APIRouter()
routes_of(router, Greeter())
app.include_router(router)
"""


@pytest.mark.parametrize("same_name", [False, True], ids=["own-name", "module-function-too"])
def test_an_endpoint_a_helper_loop_binds_is_named_at_the_registration(
    tmp_path: Path, same_name: bool
) -> None:
    """`for name, method in inspect.getmembers(instance)` in the helper: the endpoint is a
    local of the helper, not something its call passes; the line names the `add_api_route`
    itself, not the helper's call. A module-level function named like the loop variable is
    not the endpoint: the loop variable is the helper's local wherever it is read."""
    root = tmp_path / "project"
    main = MEMBERS
    if same_name:
        function = 'def method() -> dict[str, str]:\n    return {"from": "module"}\n\n\n'
        main = main.replace("class Greeter:", function + "class Greeter:")
    _project(root, "main.py", {"app/main.py": main})
    generated = run("generate", "--root", str(root))
    output = generated.stdout + generated.stderr
    line = 17 if same_name else 13
    assert f"app/main.py:{line}: `router.add_api_route` registers `method`" in output, output
    assert "event_logger.log(" not in (root / "app/main.py").read_text()


CACHED = """from typing import Any

from fastapi import FastAPI


class Backend:
    def cached(self, ttl: int = 60) -> Any:
        def wrap(fn: Any) -> Any:
            return fn

        return wrap


class Cache:
    def __init__(self) -> None:
        self.backend = Backend()

    def cached(self, ttl: int = 60) -> Any:
        return self.backend.cached(ttl)


cache = Cache()
app = FastAPI()


@app.get("/stats")
@cache.cached(ttl=30)
async def stats() -> dict[str, int]:
    return {"n": 1}
"""


def test_a_method_handing_on_to_no_route_decorator_is_no_route(tmp_path: Path) -> None:
    """`@cache.cached(ttl=30)`, a method of the package returning its cache backend's
    decorator, beside the route decorator: no route of its own, and no line naming it."""
    output = _generate(tmp_path / "project", CACHED, module="main.py")
    assert "log call in stats (GET /stats)" in output, output
    assert "cannot be followed" not in output, output
