"""How init chooses among what it finds: a package named like a library, run files naming a
missing app, a side app serving itself beside the main one, a dependency declared twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from telemetry_cli.run_files import cli_app_name
from tests.cli_support import run, snapshot, write_files

ROUTES = """from fastapi import APIRouter

router = APIRouter(prefix="/tasks")


@router.get("/")
def list_tasks() -> list[str]:
    return []
"""

FACTORY = """from fastapi import APIRouter, FastAPI

from settings import DEBUG
from .tasks import router as tasks_router


def get_application() -> FastAPI:
    application = FastAPI(debug=DEBUG)
    api = APIRouter(prefix="/api")
    api.include_router(tasks_router)
    application.include_router(api)
    return application
"""


def _library_named_package(root: Path, name: str, above: str) -> None:
    """A package ``name`` importing the library ``fastapi``, and ``settings`` of ``src/``."""
    package = f"{above}{name}" if above else name
    write_files(
        root,
        {
            "src/settings.py": "DEBUG = False\n",
            f"src/{package}/__init__.py": "from .main import get_application\n",
            f"src/{package}/main.py": FACTORY,
            f"src/{package}/tasks/__init__.py": "from .handlers import router\n",
            f"src/{package}/tasks/handlers.py": ROUTES,
        },
    )


def test_a_package_named_like_a_library_it_imports_is_run_from_where_its_imports_resolve(
    tmp_path: Path,
) -> None:
    """`src/apps/web/fastapi/` (no `__init__.py` above it) saying `from fastapi import FastAPI`
    would hide the library as the top-level package `fastapi`; its `from settings import DEBUG`
    resolves from `src/`: the plan runs it from there as `apps.web.fastapi`, and the generated
    imports name it so (a `from fastapi.analytics ...` would fail at run time)."""
    root = tmp_path / "project"
    _library_named_package(root, "fastapi", "apps/web/")
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'backend = "src"' in plan
    assert 'app-package = "apps.web.fastapi"' in plan
    assert 'app = "apps.web.fastapi.main:get_application"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    handlers = (root / "src/apps/web/fastapi/tasks/handlers.py").read_text()
    assert "from apps.web.fastapi.analytics" in handlers
    assert "from fastapi.analytics" not in handlers
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_package_named_like_a_library_is_its_own_when_it_holds_what_is_imported(
    tmp_path: Path,
) -> None:
    """`src/apps/shop/` importing `from shop import get_application` (bound by its own
    `__init__.py`) and `from shop.tasks import ...` (its submodule) imports itself: it stays
    the package `shop` of `src/apps/`."""
    root = tmp_path / "project"
    _library_named_package(root, "shop", "apps/")
    write_files(
        root,
        {
            "src/apps/shop/serve.py": "from shop import get_application\n\napp = 1\n",
            "src/apps/shop/more.py": "from shop.tasks import router\n",
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'backend = "src/apps"' in initialised.stdout
    assert 'app-package = "shop"' in initialised.stdout


NAMESAKE_APP = "from fastapi import FastAPI\n\n{imports}app = FastAPI()\n"


@pytest.mark.parametrize(
    ("package", "files"),
    [
        pytest.param("fastapi", {}, id="at the top of the root"),
        pytest.param(
            "my-service/fastapi",
            {"my-service/config.py": "DEBUG = False\n"},
            id="below a folder no import can name",
        ),
        pytest.param(
            "backend/src/fastapi",
            {"backend/src/config.py": "DEBUG = False\n"},
            id="its own imports resolving only beside it",
        ),
    ],
)
def test_a_package_named_like_a_library_no_folder_above_can_take_in_is_refused(
    tmp_path: Path, package: str, files: dict[str, str]
) -> None:
    """`fastapi/` saying `from fastapi import FastAPI` at the top of the root, or below a folder
    named `my-service`, or whose `from config import DEBUG` reads `config.py` beside it (so no
    folder above resolves it): no folder above can run it, so init refuses in one line naming
    the import, rather than plan an app no server can import."""
    imports = "from config import DEBUG\n\n" if files else ""
    write_files(
        tmp_path,
        {
            f"{package}/__init__.py": "",
            f"{package}/main.py": NAMESAKE_APP.format(imports=imports),
            **files,
        },
    )
    result = run("init", "--root", str(tmp_path))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1
    assert "the package fastapi is named like the library its modules import" in result.stderr
    assert "(from fastapi import FastAPI)" in result.stderr
    assert not (tmp_path / "pyproject.toml").exists()


def test_a_run_file_naming_no_fastapi_app_hides_none_the_other_serves(tmp_path: Path) -> None:
    """`run_api.py` serves `"asgi:app"` (re-exported from `service.py`); `run_legacy.py` serves
    `"legacy:web_app"`, imported from a Flask module that defines no such name. The broken
    target is no app; the other one is."""
    write_files(
        tmp_path,
        {
            "service.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "asgi.py": "from service import app\n",
            "main.py": "from flask import Flask\n\nflask_app = Flask(__name__)\n",
            "legacy.py": "from main import web_app\n",
            "run_api.py": (
                'import uvicorn\n\nif __name__ == "__main__":\n'
                '    uvicorn.run("asgi:app", port=5000)\n'
            ),
            "run_legacy.py": (
                'import uvicorn\n\nif __name__ == "__main__":\n'
                '    uvicorn.run("legacy:web_app", port=8000)\n'
            ),
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'app = "asgi:app"' in result.stdout


SIDE_APP = """from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping() -> str:
    return "pong"
"""

RUNS = 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("{target}")\n'


@pytest.mark.parametrize(
    ("files", "backend", "app"),
    [
        pytest.param(
            {
                "main.py": SIDE_APP,
                "tools/mock_server.py": SIDE_APP,
                "tools/run_mock.py": RUNS.format(target="tools.mock_server:app"),
            },
            ".",
            "main:app",
            id="a mock server run by a script beside it",
        ),
        pytest.param(
            {
                "app/__init__.py": "",
                "app/main.py": SIDE_APP,
                "mock/__init__.py": "",
                "mock/upstream.py": SIDE_APP + "\n" + RUNS.format(target="mock.upstream:app"),
            },
            ".",
            "app.main:app",
            id="a mock package serving itself",
        ),
        pytest.param(
            {
                "main.py": SIDE_APP + "\n" + RUNS.format(target="main:app"),
                "examples/demo.py": SIDE_APP + "\n" + RUNS.format(target="examples.demo:app"),
            },
            ".",
            "main:app",
            id="a demo serving itself beside the main module",
        ),
        pytest.param(
            {
                "backend/app/__init__.py": "",
                "backend/app/main.py": SIDE_APP,
                "backend/webhooks/__init__.py": "",
                "backend/webhooks/receiver.py": SIDE_APP,
                "backend/webhooks/dev.py": RUNS.format(target="webhooks.receiver:app"),
            },
            "backend",
            "app.main:app",
            id="a webhook receiver with a dev runner",
        ),
    ],
)
def test_a_side_app_serving_itself_by_import_string_leaves_the_main_app_chosen(
    tmp_path: Path, files: dict[str, str], backend: str, app: str
) -> None:
    """A mock server, a demo or a webhook receiver beside the main app, its own code quoting its
    import string for a development server, is no app the project is served as: init picks the
    main app (exit 0) rather than stop at "several FastAPI apps found"."""
    write_files(tmp_path, files)
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f'backend = "{backend}"' in result.stdout
    assert f'app = "{app}"' in result.stdout


def test_a_dependency_declared_alike_in_two_tables_is_noted_once(tmp_path: Path) -> None:
    """Poetry's main and dev tables both asking for `fastapi = "^0.78.0"`: one note."""
    write_files(
        tmp_path,
        {
            "backend/pyproject.toml": (
                '[tool.poetry]\nname = "shop"\n\n[tool.poetry.dependencies]\n'
                'python = "^3.10"\nfastapi = "^0.78.0"\n\n[tool.poetry.dev-dependencies]\n'
                'fastapi = {extras = ["all"], version = "^0.78.0"}\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = run("init", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "declares fastapi^0.78.0" in result.stdout + result.stderr
    assert (result.stdout + result.stderr).count("declares fastapi^0.78.0") == 1


def test_a_package_named_like_a_declared_dependency_it_imports_is_run_from_above(
    tmp_path: Path,
) -> None:
    """`src/web/pydantic/` saying `from pydantic import BaseModel`, the project requiring
    `pydantic`: the name is the library's, so the package is `web.pydantic` run from `src/`."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi>=0.110\npydantic>=2.5\n",
            "src/web/pydantic/__init__.py": "",
            "src/web/pydantic/main.py": (
                "from fastapi import FastAPI\nfrom pydantic import BaseModel\n\n\n"
                "class Item(BaseModel):\n    name: str\n\n\napp = FastAPI()\n"
            ),
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'backend = "src"' in result.stdout
    assert 'app-package = "web.pydantic"' in result.stdout
    assert 'app = "web.pydantic.main:app"' in result.stdout


def test_a_package_importing_its_own_missing_modules_keeps_its_name(tmp_path: Path) -> None:
    """`src/app/main.py` saying `from app import crud, models`, those modules not there (a
    partial checkout) and `app` no dependency of the project: the package is still `app`."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "users"\ndependencies = ["fastapi"]\n',
            "src/app/__init__.py": "",
            "src/app/main.py": (
                "from fastapi import FastAPI\n\nfrom app import crud, models\n\napp = FastAPI()\n"
            ),
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'backend = "src"' in result.stdout
    assert 'app-package = "app"' in result.stdout


SERVED = """from fastapi import APIRouter, FastAPI

router = APIRouter()


@router.get("/items")
def items() -> list[int]:
    return []


app = FastAPI()
app.include_router(router)
"""


@pytest.mark.parametrize(
    ("files", "backend", "package"),
    [
        pytest.param(
            {
                "app/__init__.py": "",
                "app/main.py": SERVED,
                "docs/fastapi/__init__.py": "",
                "docs/fastapi/example.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
            ".",
            "app",
            id="a docs folder named like the library",
        ),
        pytest.param(
            {
                "service/__init__.py": "",
                "service/main.py": SERVED,
                "fastapi/__init__.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
            ".",
            "service",
            id="a package named like the library at the top of the root",
        ),
        pytest.param(
            {
                "app/__init__.py": "",
                "app/main.py": "import redis\n" + SERVED,
                "redis/__init__.py": "from redis import Redis\n\nclient = Redis()\n",
            },
            ".",
            "app",
            id="a configuration package named like a library the app imports",
        ),
        pytest.param(
            {
                "backend/app/__init__.py": "",
                "backend/app/main.py": SERVED,
                "backend/tests/__init__.py": "",
                "backend/tests/fastapi/__init__.py": "",
                "backend/tests/fastapi/conftest.py": (
                    "from fastapi import FastAPI\n\napp = FastAPI()\n"
                ),
            },
            "backend",
            "app",
            id="a tests folder named like the library",
        ),
        pytest.param(
            {
                "src/myapi/__init__.py": "",
                "src/myapi/main.py": SERVED,
                "vendor/fastapi/__init__.py": "from .applications import FastAPI as FastAPI\n",
                "vendor/fastapi/applications.py": "class FastAPI:\n    pass\n",
            },
            "src",
            "myapi",
            id="a vendored copy of the library",
        ),
        pytest.param(
            {
                "src/apps/fastapi/__init__.py": "",
                "src/apps/fastapi/main.py": "import redis\n" + SERVED,
                "src/apps/redis/redis.conf": "port 6379\n",
            },
            "src",
            "apps.fastapi",
            id="a folder of no python beside the package named like an import",
        ),
        pytest.param(
            {
                "src/settings.py": "DEBUG = False\n",
                "src/apps/web/fastapi/__init__.py": "",
                "src/apps/web/fastapi/main.py": "import redis\nfrom settings import DEBUG\n"
                + SERVED,
                "src/apps/redis/redis.conf": "port 6379\n",
            },
            "src",
            "apps.web.fastapi",
            id="a folder of no python above the package named like an import",
        ),
    ],
)
def test_a_stray_folder_named_like_a_library_leaves_the_app_package_as_it_is(
    tmp_path: Path, files: dict[str, str], backend: str, package: str
) -> None:
    """Only the app package's own name and where its imports resolve decide: a folder named
    like a library that is not the app package (a docs or tests folder, a vendored copy, a
    configuration folder) neither refuses the app nor moves it. A `redis/` folder of
    configuration files beside or above a package named like a library was read as the module
    its `import redis` resolves to: init refused the package (exit 2) or ran it from there."""
    write_files(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "redis"]\n', **files},
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f'backend = "{backend}"' in result.stdout
    assert f'app-package = "{package}"' in result.stdout


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        pytest.param("api = FastAPI()\n", "app.web:api", id="api"),
        pytest.param("service: FastAPI = FastAPI()\n", "app.web:service", id="any instance"),
        pytest.param(
            "import os\n\nif os.environ.get('DEBUG'):\n    api = FastAPI(debug=True)\n"
            "else:\n    api = FastAPI()\n",
            "app.web:api",
            id="api under a condition",
        ),
        pytest.param(
            "import typer\n\napp = typer.Typer()\napi = FastAPI()\n",
            "app.web:api",
            id="app holding no FastAPI app",
        ),
        pytest.param(
            "web = FastAPI()\nadmin = FastAPI()\n",
            "app.web:admin",
            id="the first instance in dir order",
        ),
        pytest.param(
            "web = FastAPI()\nADMIN = FastAPI()\n_inner = FastAPI()\n",
            "app.web:ADMIN",
            id="dir order is the code points'",
        ),
        pytest.param(
            "from app import main as app\n\napi = FastAPI()\n",
            "app.web:api",
            id="app naming a module",
        ),
        pytest.param(
            "from .core import app\n\nadmin = FastAPI()\n",
            "app.web:app",
            id="an app the module imports",
        ),
        pytest.param(
            "import typer\n\nfrom app.core import app as api\n\napp = typer.Typer()\n"
            "admin = FastAPI()\n",
            "app.web:api",
            id="an app imported under another name",
        ),
        pytest.param(
            "from app.core import create_app\n\napp = create_app()\nadmin = FastAPI()\n",
            "app.web:app",
            id="a factory's app",
        ),
        pytest.param(
            "api = FastAPI()\n\nif __name__ == '__main__':\n    app = FastAPI()\n",
            "app.web:api",
            id="an app bound only when run as a script",
        ),
        pytest.param(
            "app = FastAPI()\nweb = FastAPI()\ndel app\n",
            "app.web:web",
            id="an app deleted",
        ),
        # The guard's `else` runs on import; a `del` under an `if` may not run.
        pytest.param(
            "if __name__ == '__main__':\n    pass\nelse:\n    app = FastAPI()\nadmin = FastAPI()\n",
            "app.web:app",
            id="an app bound in the main guard's else",
        ),
        pytest.param(
            "import os\n\napp = FastAPI()\nif os.environ.get('X'):\n    del app\n"
            "admin = FastAPI()\n",
            "app.web:app",
            id="an app deleted under a condition",
        ),
    ],
)
def test_fastapi_run_of_a_module_serves_the_app_the_cli_looks_for(
    tmp_path: Path, served: str, expected: str
) -> None:
    """`fastapi run app/web.py` without `--app` serves `app`, else `api`, else the module's
    FastAPI instance: init read only `app.web:app`, which names nothing there, and chose the
    other app (`app/main.py`'s) the image never serves."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi"]\n',
            "app/__init__.py": "",
            "app/main.py": 'from fastapi import FastAPI\n\napp = FastAPI(title="other")\n',
            "app/core.py": "from fastapi import FastAPI\n\napp = FastAPI(title='core')\n\n\n"
            "def create_app():\n"
            "    made = FastAPI()\n    return made\n",
            "app/web.py": "from fastapi import FastAPI\n\n" + served,
            "Dockerfile": 'FROM python:3.12\nCOPY . .\nCMD ["fastapi", "run", "app/web.py"]\n',
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f'app = "{expected}"' in result.stdout, result.stdout


def test_fastapi_run_of_a_module_serves_the_app_a_star_import_binds(tmp_path: Path) -> None:
    """`from app.core import *` binds core's public names, its `app` among them: the CLI serves
    that `app` before the module's own `zz`, which was named (the star import's names were not
    read). The import string is judged afterwards as any other's."""
    write_files(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core.py": "from fastapi import FastAPI\n\napp = FastAPI()\n_hidden = FastAPI()\n",
            "app/web.py": "from fastapi import FastAPI\n\nfrom app.core import *\n\n"
            "zz = FastAPI()\n",
            "app/other.py": "from fastapi import FastAPI\n\nfrom app.core import *\n\ndel app\n"
            "zz = FastAPI()\n",
        },
    )
    assert cli_app_name(tmp_path, "app.web") == "app"
    assert cli_app_name(tmp_path, "app.other") == "zz"


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("    uvicorn.run(api, host='0.0.0.0')\n", id="the app object"),
        pytest.param("    uvicorn.run('app.web:api')\n", id="its own import string"),
    ],
)
def test_a_console_script_serving_its_own_module_s_app_names_it(
    tmp_path: Path, server: str
) -> None:
    """`start = "app.web:start"` whose `start()` serves the module's own `api` serves
    `app.web:api`: an app a script builds was read as the runner's own (no app named), and init
    chose the package's other app (`app/main.py`'s)."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "uvicorn"]\n\n'
            '[project.scripts]\nstart = "app.web:start"\n',
            "app/__init__.py": "",
            "app/main.py": 'from fastapi import FastAPI\n\napp = FastAPI(title="other")\n',
            "app/web.py": "import uvicorn\nfrom fastapi import FastAPI\n\napi = FastAPI()\n\n\n"
            "def start() -> None:\n" + server,
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'app = "app.web:api"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(
            "TARGET = 'app.main:app'\napi = FastAPI()\n\n\ndef start() -> None:\n"
            "    uvicorn.run(TARGET)\n",
            id="a variable holding an import string",
        ),
        pytest.param(
            "class Settings:\n    target = 'app.main:app'\n\n\nsettings = Settings()\n"
            "api = FastAPI()\n\n\ndef start() -> None:\n    uvicorn.run(settings.target)\n",
            id="a setting's attribute",
        ),
        pytest.param(
            "TARGET = 'app.main:app'\napi = FastAPI()\n\n\ndef start() -> None:\n"
            "    uvicorn.run('app.web:TARGET')\n",
            id="its own import string naming no app",
        ),
    ],
)
def test_a_console_script_serving_a_name_holding_no_app_names_none(
    tmp_path: Path, module: str
) -> None:
    """Only a variable of the script's module holding an app is served from it: a variable
    holding an import string was planned as the app (`app.web:TARGET`, patched with
    `TARGET.include_router(...)`), and a setting's attribute refused (exit 2); init chooses
    as for a script naming no app."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "uvicorn"]\n\n'
            '[project.scripts]\nstart = "app.web:start"\n',
            "app/__init__.py": "",
            "app/main.py": 'from fastapi import FastAPI\n\napp = FastAPI(title="other")\n',
            "app/web.py": "import uvicorn\nfrom fastapi import FastAPI\n\n" + module,
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'app = "app.main:app"' in result.stdout, result.stdout


def test_a_console_script_serving_a_name_its_function_binds_serves_no_module_variable(
    tmp_path: Path,
) -> None:
    """`def start(): from app.main import app as api; uvicorn.run(api)` serves `app.main`'s
    app, not the module's own `api`: the local name was read as the module variable."""
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "uvicorn"]\n\n'
            '[project.scripts]\nstart = "app.web:start"\n',
            "app/__init__.py": "",
            "app/main.py": 'from fastapi import FastAPI\n\napp = FastAPI(title="other")\n',
            "app/web.py": "import uvicorn\nfrom fastapi import FastAPI\n\napi = FastAPI()\n\n\n"
            "def start() -> None:\n    from app.main import app as api\n\n    uvicorn.run(api)\n",
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'app = "app.main:app"' in result.stdout, result.stdout
