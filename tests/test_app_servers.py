"""Which calls serve an app a function builds: the servers, by what their names are bound to."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import run, snapshot, write_files

VIEWS = """from fastapi import APIRouter

router = APIRouter()


@router.get("/orders")
async def orders() -> list[str]:
    return []
"""


def test_a_method_named_run_given_a_local_app_does_not_serve_it(tmp_path: Path) -> None:
    """`Exporter(...).run(api)` in a helper that builds its own app is no server.

    The call's last name is `run`, as `uvicorn.run`'s is, but it is bound to a class of the
    package: the helper's app is not served, so the module-level app is the one app.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            "depot/service.py": (
                "from fastapi import FastAPI\n\nfrom depot.views import router\n\n"
                "app = FastAPI()\napp.include_router(router)\n"
            ),
            "depot/export.py": (
                "from fastapi import FastAPI\n\nfrom depot.views import router\n\n\n"
                "class Exporter:\n    def __init__(self, path: str) -> None:\n"
                "        self.path = path\n\n    def run(self, target: object) -> None:\n"
                "        print(self.path, target)\n\n\n"
                "def export_schema() -> None:\n    api = FastAPI(title='schema')\n"
                "    api.include_router(router)\n    Exporter('openapi.json').run(api)\n"
            ),
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "depot.service:app"' in (root / "pyproject.toml").read_text()


SERVING = "def serve_forever(application, port=8000):\n    uvicorn.run(application, port=port)\n"


@pytest.mark.parametrize(
    ("files", "served_by"),
    [
        # A server imported under another name.
        (
            {"depot/main.py": "from uvicorn import run as serve_http\n"},
            "serve_http(api)",
        ),
        # A function of the package that hands its parameter to the server.
        (
            {"depot/serving.py": "import uvicorn\n\n\n" + SERVING},
            "serve_forever(application=api)",
        ),
    ],
    ids=["aliased-server", "package-helper"],
)
def test_a_server_is_known_by_what_its_name_is_bound_to(
    tmp_path: Path, files: dict[str, str], served_by: str
) -> None:
    """`def start(): api = FastAPI(); ...; serve_http(api)`: the name is uvicorn's `run`.

    The function serves the app it builds, so it is wired where the app is built, as with
    `uvicorn.run(api)` written out.
    """
    root = tmp_path / "project"
    head = files.get("depot/main.py", "from depot.serving import serve_forever\n")
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            **files,
            "depot/main.py": (
                head + "from fastapi import FastAPI\n\nfrom depot.views import router\n\n\n"
                "def start() -> None:\n    api = FastAPI()\n    api.include_router(router)\n"
                f"    {served_by}\n"
            ),
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "depot.main:start"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert " in start()`" in generated.stdout
    assert "log call in orders (GET /orders)" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


FACTORIES = """from fastapi import FastAPI

from depot.views import router


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router, prefix="/v1")
    return app


def create_admin() -> FastAPI:
    admin = FastAPI()
    admin.include_router(router, prefix="/admin")
    return admin
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "Procfile",
            'web: gunicorn -k uvicorn.workers.UvicornWorker "depot.main:create_app()" -b :$PORT\n',
        ),
        (
            "Procfile",
            "web: gunicorn 'depot.main:create_app(debug=False)' -k uvicorn.workers.UvicornWorker\n",
        ),
        (
            "gunicorn.conf.py",
            'worker_class = "uvicorn.workers.UvicornWorker"\n'
            'wsgi_app = "depot.main:create_app()"\n',
        ),
        (
            "deploy_conf.py",
            'import os\n\nbind = os.environ.get("BIND")\nwsgi_app = "depot.main:create_app"\n',
        ),
    ],
    ids=["call", "call-with-arguments", "gunicorn-conf", "other-name"],
)
def test_the_factory_gunicorn_is_told_to_serve_is_the_app(
    tmp_path: Path, name: str, text: str
) -> None:
    """gunicorn imports the function it is named and calls it (its factory syntax), so that
    factory is the app served, among the module's two: named in a run file (`gunicorn
    'depot.main:create_app()'` in a Procfile) or by `wsgi_app = "depot.main:create_app()"` in
    a gunicorn configuration file at the top (run by `gunicorn` alone, or `gunicorn -c
    deploy_conf.py`)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            "depot/main.py": FACTORIES,
            name: text,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "depot.main:create_app"' in result.stdout, result.stdout


COMPLETED_IN_MAIN = """import uvicorn
from fastapi import FastAPI

from shop import views
from shop.setup import add_routes

app = FastAPI()


def serve(port: int) -> None:
    uvicorn.run(app, port=port)


def main() -> None:
{body}    serve(8000)


if __name__ == "__main__":
    main()
"""

ADD_ROUTES = """def add_routes(target):
    from shop import views

    target.include_router(views.router, prefix="/shop")
"""


def _write_shop(root: Path, main: str) -> None:
    """A project whose `main.py` (given) may use `shop.views` and `shop.setup.add_routes`."""
    write_files(
        root,
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "shop/__init__.py": "",
            "shop/views.py": VIEWS,
            "shop/setup.py": ADD_ROUTES,
            "main.py": main,
        },
    )


@pytest.mark.parametrize(
    ("body", "route"),
    [
        ("    app.include_router(views.router)\n", "/orders"),
        ("    add_routes(app)\n", "/shop/orders"),
    ],
    ids=["includes-itself", "through-a-helper-given-the-app"],
)
def test_an_app_the_main_guard_adds_routes_to_runs_as_a_script(
    tmp_path: Path, body: str, route: str
) -> None:
    """`app = FastAPI()` at module level, its routers included only by the function the
    `__main__` guard calls before it serves the app: `uvicorn main:app` would serve none of
    them, so the quickstart runs the module as a script, as the project does."""
    root = tmp_path / "project"
    _write_shop(root, COMPLETED_IN_MAIN.format(body=body))
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "shop/views.py"', '"shop/views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert f"log call in orders (GET {route})" in generated.stdout
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    run_script = 'import runpy; runpy.run_module("main", run_name="__main__")'
    assert f"python -c '{run_script}'" in quickstart
    assert "uvicorn main:app" not in quickstart
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


RUN_SCRIPT = 'runpy.run_module("main", run_name="__main__")'

#: Each way the guard's function can give the app a route or router of its own.
ROUTED_IN_MAIN = {
    "decorated-route": '    @app.get("/ping")\n    def ping() -> str:\n        return "pong"\n\n',
    "decorated-api-route": '    @app.api_route("/ping", methods=["GET"])\n    def ping() -> str:\n'
    '        return "pong"\n\n',
    "decorated-websocket": '    @app.websocket("/ws")\n    async def ws(socket: object) -> None:\n'
    "        return None\n\n",
    "decorated-starlette-route": '    @app.route("/ping")\n    def ping(request: object) -> None:\n'
    "        return None\n\n",
    "decorator-called": '    app.get("/ping")(views.orders)\n',
    "add-api-route": '    app.add_api_route("/ping", views.orders)\n',
    "add-api-route-on-its-router": '    app.router.add_api_route("/ping", views.orders)\n',
    "include-router-on-its-router": "    app.router.include_router(views.router)\n",
    "mount": '    app.mount("/sub", FastAPI())\n',
    "routes-extended": "    app.router.routes.extend(views.router.routes)\n",
}


@pytest.mark.parametrize(
    ("main", "command", "not_said"),
    [
        # Starlette's websocket route, added as `app.add_route(...)` adds a plain one.
        (
            COMPLETED_IN_MAIN.format(body='    app.add_websocket_route("/echo", views.echo)\n'),
            RUN_SCRIPT,
            "uvicorn main:app",
        ),
        # The helper given another app first, then this one: followed for this one too.
        (
            COMPLETED_IN_MAIN.format(body="    add_routes(FastAPI())\n    add_routes(app)\n"),
            RUN_SCRIPT,
            "uvicorn main:app",
        ),
        # The guard only serves the app as importing it builds it (after a call adding no
        # routes): `uvicorn main:app` serves the same app, and stays the command.
        (
            COMPLETED_IN_MAIN.format(body="    print(views)\n").replace(
                "app = FastAPI()\n", "app = FastAPI()\napp.include_router(views.router)\n"
            ),
            "uvicorn main:app --port 8000",
            "runpy",
        ),
        *(
            (COMPLETED_IN_MAIN.format(body=body), RUN_SCRIPT, "uvicorn main:app")
            for body in ROUTED_IN_MAIN.values()
        ),
    ],
    ids=[
        "starlette-websocket-route",
        "helper-given-another-app-first",
        "only-serves",
        *ROUTED_IN_MAIN,
    ],
)
def test_the_quickstart_runs_the_module_as_a_script_when_the_main_guard_gives_routes(
    tmp_path: Path, main: str, command: str, not_said: str
) -> None:
    """More ways the guard's function gives the app routes: `uvicorn main:app` would serve the
    app without them, so the quickstart runs the module as a script; not when it adds none."""
    root = tmp_path / "project"
    _write_shop(root, main)
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert command in quickstart
    assert not_said not in quickstart


@pytest.mark.parametrize(
    ("signature", "said"),
    [
        pytest.param(
            "host: str, port: int",
            "`main` takes arguments (`host`, `port`), which a bare `main()` cannot pass",
            id="arguments",
        ),
        pytest.param("", "from main import main; main()", id="none"),
    ],
)
def test_the_quickstart_calls_a_serving_function_only_when_it_needs_no_arguments(
    tmp_path: Path, signature: str, said: str
) -> None:
    """`def main(host, port): app = FastAPI(); ...; uvicorn.run(app, ...)` is the app: the
    quickstart said to run `main()`, which fails without its arguments; it now says the backend
    starts the project's way. A function taking none is still called."""
    root = tmp_path / "project"
    arguments = "host=host, port=port" if signature else "port=8000"
    _write_shop(
        root,
        "import uvicorn\nfrom fastapi import FastAPI\n\nfrom shop.views import router\n\n\n"
        f"def main({signature}) -> None:\n    app = FastAPI()\n    app.include_router(router)\n"
        f"    uvicorn.run(app, {arguments})\n",
    )
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    quickstart = " ".join(next(root.glob("specs/*/quickstart.md")).read_text().split())
    assert said in quickstart
    if signature:
        assert "main()'" not in quickstart


#: Two ways a module of the backend folder needs a second folder on the import path.
TWO_FOLDERS = {
    # A name rooted above the backend folder (the app is also run from the root).
    "rooted-above": (
        {
            "server/app/main.py": "from fastapi import FastAPI\n\n"
            "from server.app.api import views\n\napp = FastAPI()\n"
            "app.include_router(views.router)\n",
        },
        "cd server && PYTHONPATH=..${PYTHONPATH:+:$PYTHONPATH} uvicorn app.main:app --port 8000",
    ),
    # A package nested in the backend folder importing itself by its bare name.
    "nested-self-import": (
        {
            "server/app/main.py": "from fastapi import FastAPI\n\n"
            "from app.modules.shop import routes\n\napp = FastAPI()\n"
            "app.include_router(routes.router)\n",
            "server/app/modules/__init__.py": "",
            "server/app/modules/shop/__init__.py": "",
            "server/app/modules/shop/routes.py": "from shop.views import router\n",
        },
        "cd server && PYTHONPATH=app/modules${PYTHONPATH:+:$PYTHONPATH} uvicorn app.main:app "
        "--port 8000",
    ),
}


@pytest.mark.parametrize("layout", sorted(TWO_FOLDERS))
def test_the_quickstart_puts_the_folders_the_app_imports_from_on_the_import_path(
    tmp_path: Path, layout: str
) -> None:
    """`from server.app.api import views` in `server/app/main.py` (or `from shop.views
    import router` in a package nested in it): the app imports from the root (or that folder)
    as well as from the backend folder, so the quickstart's commands, run in the backend
    folder, put it on PYTHONPATH; the app then imports. Before, they named the backend folder
    only, and `uvicorn app.main:app` failed with ModuleNotFoundError."""
    root = tmp_path / "project"
    files, command = TWO_FOLDERS[layout]
    write_files(
        root,
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "pyproject.toml": '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n'
            'backend = "server"\ninstrument = { "api/views.py" = "ai_block_used" }\n',
            "server/app/__init__.py": "",
            "server/app/api/__init__.py": "",
            "server/app/api/views.py": VIEWS,
            "server/app/modules/shop/views.py": VIEWS,
            **files,
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert command in quickstart, quickstart
    # The command's own assignment, run by a shell whose PYTHONPATH holds a library of the
    # user's (a monorepo's shared folder): both import. Without the assignment the app does not.
    assignment = command.split("&& ")[1].split()[0]
    write_files(tmp_path / "shared", {"shared_lib.py": "NAME = 'shared'\n"})
    imported = [
        subprocess.run(
            ["sh", "-c", f"{prefix}{shlex.quote(sys.executable)} -c 'import shared_lib, app.main'"],
            cwd=root / "server",
            env={**os.environ, "PYTHONPATH": str(tmp_path / "shared")},
            capture_output=True,
            text=True,
            check=False,
        )
        for prefix in (f"{assignment} ", "")
    ]
    assert imported[0].returncode == 0, imported[0].stderr
    assert imported[1].returncode == 1 and "ModuleNotFoundError" in imported[1].stderr
    assert "shared_lib" not in imported[1].stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_nested_namespace_folder_named_as_the_top_one_is_a_portion_of_its_package(
    tmp_path: Path,
) -> None:
    """`backend/app/app/main.py` saying `from app.api.routes import api_router`, no
    `__init__.py` anywhere: `app` is a namespace package whose portions are `backend/app` and,
    with `backend/app` on the import path, `backend/app/app`, so `app.api` is
    `backend/app/app/api`. The routes are logged under the include's prefix and the
    quickstart puts `app` on PYTHONPATH; the app then imports. Before, `app.api.routes` was
    said to be a router from outside the project's folders, logged without its prefix."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "backend/app/app/main.py": "from fastapi import FastAPI\n"
            "from app.api.routes import api_router\n\napp = FastAPI()\n"
            'app.include_router(api_router, prefix="/excel")\n',
            "backend/app/app/api/routes.py": VIEWS.replace("router", "api_router"),
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert "outside the project" not in initialised.stdout + initialised.stderr
    plan = root / "pyproject.toml"
    plan.write_text(plan.read_text().replace('# "app/api/routes.py"', '"app/api/routes.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in orders (GET /excel/orders)" in generated.stdout, generated.stdout
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    command = (
        "cd backend && PYTHONPATH=app${PYTHONPATH:+:$PYTHONPATH} "
        "uvicorn app.app.main:app --port 8000"
    )
    assert command in quickstart, quickstart
    imported = [
        subprocess.run(
            [sys.executable, "-c", "import app.app.main"],
            cwd=root / "backend",
            env={**os.environ, "PYTHONPATH": path},
            capture_output=True,
            text=True,
            check=False,
        )
        for path in ("app", "")
    ]
    assert imported[0].returncode == 0, imported[0].stderr
    assert imported[1].returncode == 1 and "ModuleNotFoundError" in imported[1].stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0
