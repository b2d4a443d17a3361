"""`init` takes the import root from where the project's image serves the app from."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from telemetry_cli import init_plan
from telemetry_cli.files import conflict_marker_line
from tests.cli_support import git, run, write_files
from tests.plan_sequence_support import run_sequence

ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/items")
def list_items() -> list[int]:
    return []
"""

TIANGOLO = "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n"


def project(root: Path, main: str, dockerfile: str, *, package: bool = True) -> Path:
    """``app/main.py`` with ``app/routers/items.py`` beside it, and a Dockerfile at the root."""
    files = {
        "app/main.py": main,
        "app/routers/__init__.py": "",
        "app/routers/items.py": ROUTES,
        "app/core/__init__.py": "",
        "app/core/config.py": 'NAME = "shop"\n',
        "requirements.txt": "fastapi\n",
        "Dockerfile": dockerfile,
        "pyproject.toml": '[project]\nname = "shop"\nversion = "0"\n',
    }
    if package:
        files["app/__init__.py"] = ""
    write_files(root, files)
    return root


def found(root: Path) -> tuple[str, str, str]:
    result = init_plan.plan_table(root).found
    return result.backend, result.app_package, result.app


# Builds the app of no module of its own: nothing but the image says where it runs from.
PLAIN = """from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def home() -> int:
    return 1
"""
# Imports its neighbours by bare name after putting its own folder on the path, and the
# package by its name: it runs from the root.
BOTH = """import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from fastapi import FastAPI

from app.core import config
from routers import items

app = FastAPI(title=config.NAME)
app.include_router(items.router)
"""


@pytest.mark.parametrize(
    ("main", "dockerfile", "expected"),
    [
        pytest.param(PLAIN, TIANGOLO + "COPY ./app /app\n", ("app", "", "main:app"), id="tiangolo"),
        pytest.param(
            PLAIN,
            'FROM python:3.12\nWORKDIR /app\nCOPY ./app .\nCMD ["uvicorn", "main:app"]\n',
            ("app", "", "main:app"),
            id="workdir-uvicorn",
        ),
        pytest.param(
            BOTH,
            "FROM python:3.12\nWORKDIR /code\nCOPY . /code\n"
            'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n',
            (".", "app", "app.main:app"),
            id="run-from-the-root",
        ),
    ],
)
def test_the_import_root_is_where_the_image_serves_the_app_from(
    tmp_path: Path, main: str, dockerfile: str, expected: tuple[str, str, str]
) -> None:
    assert found(project(tmp_path, main, dockerfile)) == expected


@pytest.mark.parametrize(
    ("command", "package"),
    [
        # The FastAPI CLI on a module file: imported from the first folder above it that is
        # no package (`/app` here, holding no `__init__.py`).
        pytest.param('["fastapi", "run", "main.py", "--port", "80"]', False, id="fastapi-path"),
        pytest.param("fastapi dev ./main.py --host 0.0.0.0", False, id="fastapi-dev-shell"),
        # The CLI's own options come before its command.
        pytest.param('["fastapi", "--verbose", "run", "main.py"]', False, id="fastapi-verbose"),
        # On an import string: from the working directory, package or not.
        pytest.param('["fastapi", "run", "--entrypoint", "main:app"]', True, id="fastapi-entry"),
        pytest.param('["fastapi", "run", "-e", "main:app"]', True, id="fastapi-e"),
        # granian imports it from its `--working-dir`.
        pytest.param(
            '["granian", "--interface", "asgi", "--working-dir", "/app", "main:app"]',
            True,
            id="granian-working-dir",
        ),
    ],
)
def test_the_fastapi_cli_and_granian_in_the_image_say_where_the_app_is_served_from(
    tmp_path: Path, command: str, package: bool
) -> None:
    dockerfile = f"FROM python:3.12\nWORKDIR /app\nCOPY ./app .\nCMD {command}\n"
    if "granian" in command:
        dockerfile = dockerfile.replace("WORKDIR /app\nCOPY ./app .", "COPY ./app /app")
    root = project(tmp_path, PLAIN, dockerfile, package=package)
    assert found(root) == ("app", "", "main:app")


def test_the_fastapi_cli_on_a_package_module_serves_it_from_above_the_package(
    tmp_path: Path,
) -> None:
    # `/code/app/__init__.py` is there: `fastapi run app/main.py` imports `app.main` from /code.
    dockerfile = (
        'FROM python:3.12\nWORKDIR /code\nCOPY . .\nCMD ["fastapi", "run", "app/main.py"]\n'
    )
    root = project(tmp_path, BOTH, dockerfile)
    assert found(root) == (".", "app", "app.main:app")


@pytest.mark.parametrize(
    ("main", "dockerfile", "expected"),
    [
        # The module imports its package by name: it only runs from the root, whatever the
        # image says (and the image fails either way).
        pytest.param(
            "from fastapi import FastAPI\n\nfrom app.routers import items\n\napp = FastAPI()\n"
            "app.include_router(items.router)\n",
            TIANGOLO + "COPY ./app /app\n",
            (".", "app", "app.main:app"),
            id="imports-its-package",
        ),
        # A relative import: a top-level `main` has no package to import from.
        pytest.param(
            "from fastapi import FastAPI\n\nfrom .routers import items\n\napp = FastAPI()\n"
            "app.include_router(items.router)\n",
            TIANGOLO + "COPY ./app /app\n",
            (".", "app", "app.main:app"),
            id="relative-import",
        ),
        # The image agrees with today's choice.
        pytest.param(PLAIN, TIANGOLO + "COPY ./ /app\n", (".", "app", "app.main:app"), id="same"),
        # A start command it cannot read: today's choice.
        pytest.param(
            PLAIN,
            'FROM python:3.12\nWORKDIR /app\nCOPY ./app .\nCMD ["./start.sh"]\n',
            (".", "app", "app.main:app"),
            id="a-script",
        ),
        # The image serves another module.
        pytest.param(
            PLAIN,
            'FROM python:3.12\nWORKDIR /app\nCOPY ./app .\nCMD ["uvicorn", "other:app"]\n',
            (".", "app", "app.main:app"),
            id="another-module",
        ),
    ],
)
def test_todays_choice_stays_when_the_image_does_not_say_so_unambiguously(
    tmp_path: Path, main: str, dockerfile: str, expected: tuple[str, str, str]
) -> None:
    assert found(project(tmp_path, main, dockerfile)) == expected


def test_bare_neighbours_served_from_the_folder_stay_there(tmp_path: Path) -> None:
    main = "from fastapi import FastAPI\n\nfrom routers import items\n\napp = FastAPI()\n"
    main += "app.include_router(items.router)\n"
    root = project(tmp_path, main, TIANGOLO + "COPY ./app /app\n")
    assert found(root) == ("app", "", "main:app")


def test_generate_imports_the_layer_as_the_image_serves_it(tmp_path: Path) -> None:
    root = project(tmp_path, PLAIN, TIANGOLO + "COPY ./app /app\n")
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    text = (root / "app/main.py").read_text()
    assert "from analytics.telemetry_router import router as telemetry_router" in text, text
    assert "ImportError" not in initialised.stdout + written.stdout


@pytest.mark.parametrize(
    ("server", "served"),
    [
        ("uvicorn", [(".", "main:service.api")]),
        ("hypercorn", [(".", "main:service.api")]),
        # gunicorn refuses an attribute path (a name or a call of one): the image serves no app.
        ("gunicorn", []),
    ],
)
def test_an_attribute_path_is_served_by_the_servers_that_follow_one(
    tmp_path: Path, server: str, served: list[tuple[str, str]]
) -> None:
    from telemetry_cli.image_layer import served_modules

    dockerfile = f'FROM python:3.12\nWORKDIR /srv\nCOPY . .\nCMD ["{server}", "main:service.api"]\n'
    write_files(tmp_path, {"main.py": "service = None\n", "Dockerfile": dockerfile})
    assert served_modules(tmp_path) == served


@pytest.mark.parametrize(
    ("command", "served"),
    [
        # Shell form, as a poetry image writes it: the runner keeps the working directory.
        ("CMD poetry run gunicorn --bind 0:8000 main:app -k uvicorn.workers.UvicornWorker", True),
        ('CMD ["uv", "run", "--frozen", "--no-dev", "uvicorn", "main:app"]', True),
        ('CMD ["pdm", "run", "python", "-m", "uvicorn", "main:app"]', True),
        ("CMD pipenv run hypercorn main:app", True),
        # Launchers running the server in their place: init processes, tracers.
        ('ENTRYPOINT ["tini", "--"]\nCMD ["uvicorn", "main:app"]', True),
        ('CMD ["dumb-init", "--", "uvicorn", "main:app"]', True),
        ('CMD ["opentelemetry-instrument", "uvicorn", "main:app"]', True),
        ('CMD ["newrelic-admin", "run-program", "gunicorn", "main:app"]', True),
        # A shell script: migrations first, then the one server (shell form is `/bin/sh -c`).
        ('CMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app --port $PORT"]', True),
        ("CMD python seed.py; uvicorn main:app --host 0.0.0.0", True),
        # Each side of a pipe runs: the server whose output is logged serves.
        ('CMD ["sh", "-c", "uvicorn main:app | tee log"]', True),
        ('CMD ["/bin/bash", "-ec", "export APP_ENV=prod\\nuv run uvicorn main:app"]', True),
        # Options taking the next word as their value.
        ('CMD ["uv", "run", "--with", "httpx", "--env-file", ".env", "uvicorn", "main:app"]', True),
        ("CMD opentelemetry-instrument --traces_exporter console uvicorn main:app", True),
        # The runner moves the command to another folder.
        ('CMD ["uv", "run", "--directory", "api", "uvicorn", "main:app"]', False),
        ("CMD poetry run -C api uvicorn main:app", False),
        # A script whose server is not the one command known to run, or whose path is set.
        ('CMD ["sh", "-c", "uvicorn main:app || sleep 3600"]', False),
        ('CMD ["sh", "-c", "uvicorn other:app & uvicorn main:app"]', False),
        ('CMD ["sh", "-c", "uvicorn other:app; uvicorn main:app"]', False),
        ('CMD ["sh", "-c", "PYTHONPATH=/opt uvicorn main:app"]', False),
        ('CMD ["sh", "-c", "export PYTHONPATH=/opt && uvicorn main:app"]', False),
    ],
)
def test_the_server_a_command_line_starts_is_served_from_its_working_directory(
    tmp_path: Path, command: str, served: bool
) -> None:
    from telemetry_cli.image_layer import served_modules

    dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY ./src /srv/src\nWORKDIR /srv/src\n"
    dockerfile += command + "\n"
    write_files(tmp_path, {"src/main.py": "app = None\n", "Dockerfile": dockerfile})
    assert served_modules(tmp_path) == ([("src", "main:app")] if served else [])


def test_init_serves_a_poetry_run_app_from_the_folder_the_image_runs_it_in(tmp_path: Path) -> None:
    # A route module importing the folder as a package (`from src.auth import ...`) points at
    # the root; the image's `poetry run` from `src/` says which one the app is served from.
    dockerfile = "FROM python:3.12-alpine\nWORKDIR /srv\nCOPY ./src /srv/src\nWORKDIR /srv/src\n"
    dockerfile += "CMD poetry run gunicorn --bind 0:8000 \\\n    main:app \\  \n    --workers 2\n"
    files = {
        "src/main.py": "from fastapi import FastAPI\n\nfrom views import items\n\napp = FastAPI()\n"
        "app.include_router(items.router)\n",
        "src/views/__init__.py": "",
        "src/views/items.py": "from src.auth import user\n" + ROUTES,
        "src/auth.py": "user = None\n",
        "Dockerfile": dockerfile,
        "pyproject.toml": '[tool.poetry]\nname = "shop"\nversion = "0"\n',
    }
    write_files(tmp_path, files)
    assert found(tmp_path) == ("src", "", "main:app")


@pytest.mark.parametrize(
    "command",
    [
        'CMD ["sh", "-c", "cd /srv && alembic upgrade head && uvicorn src.main:app"]',
        "CMD cd .. && uvicorn src.main:app",
    ],
)
def test_a_script_changing_folder_serves_from_there(tmp_path: Path, command: str) -> None:
    from telemetry_cli.image_layer import served_modules

    dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY ./src /srv/src\nWORKDIR /srv/src\n"
    write_files(tmp_path, {"src/main.py": "app = None\n", "Dockerfile": dockerfile + command})
    assert served_modules(tmp_path) == [(".", "src.main:app")]


@pytest.mark.parametrize(
    ("command", "config", "served"),
    [
        # The file given is read in place of gunicorn.conf.py: no chdir, the working directory.
        ('CMD ["gunicorn", "-c", "conf.py", "main:app"]', 'bind = "0.0.0.0:80"\n', ("src", "main")),
        (
            'CMD ["gunicorn", "--config=conf.py", "src.main:app"]',
            'chdir = "/srv"\n',
            (".", "src.main"),
        ),
        ('CMD ["gunicorn", "-c", "conf.py", "main:app"]', "chdir = DIR\n", None),
        # A module of settings, a file the image lacks, another server's file: not read.
        ('CMD ["gunicorn", "-c", "python:conf", "main:app"]', 'bind = "0.0.0.0:80"\n', None),
        ('CMD ["gunicorn", "-c", "missing.py", "main:app"]', 'bind = "0.0.0.0:80"\n', None),
        ('CMD ["hypercorn", "--config", "conf.py", "main:app"]', 'bind = "0.0.0.0:80"\n', None),
    ],
)
def test_the_gunicorn_configuration_file_named_is_read(
    tmp_path: Path, command: str, config: str, served: tuple[str, str] | None
) -> None:
    from telemetry_cli.image_layer import served_modules

    dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY ./src /srv/src\nWORKDIR /srv/src\n"
    files = {
        "src/main.py": "app = None\n",
        "src/conf.py": config,
        "Dockerfile": dockerfile + command,
    }
    write_files(tmp_path, files)
    expected = [] if served is None else [(served[0], f"{served[1]}:app")]
    assert served_modules(tmp_path) == expected


@pytest.mark.parametrize(
    ("command", "script", "served"),
    [
        # A start script the image holds: its one server, from the folder it moved to.
        (
            'CMD ["sh", "/srv/start.sh"]',
            "#!/bin/sh\nset -e\ncd /srv  # the root\nalembic upgrade head\n"
            "cd /srv/src\nexec gunicorn main:app -k uvicorn.workers.UvicornWorker\n",
            ("src", "main"),
        ),
        (
            'ENTRYPOINT ["/srv/start.sh"]',
            "uvicorn src.main:app --host 0.0.0.0\n",
            (".", "src.main"),
        ),
        # It runs what it is handed, or the image does not hold it: not known.
        # Lines a backslash continues are one command, as the shell reads them.
        (
            'CMD ["sh", "/srv/start.sh"]',
            "#!/bin/sh\ncd /srv/src && \\\n  exec gunicorn main:app \\\n"
            "    -k uvicorn.workers.UvicornWorker \\\n    --bind 0.0.0.0:80\n",
            ("src", "main"),
        ),
        ('ENTRYPOINT ["/srv/start.sh"]', 'alembic upgrade head\nexec "$@"\n', None),
        # Larger than a build file may be: not read.
        ('CMD ["sh", "/srv/start.sh"]', "# padding\n" * 30_000 + "uvicorn src.main:app\n", None),
        ('CMD ["sh", "/srv/missing.sh"]', "uvicorn src.main:app\n", None),
    ],
)
def test_a_start_script_of_the_image_is_read(
    tmp_path: Path, command: str, script: str, served: tuple[str, str] | None
) -> None:
    from telemetry_cli.image_layer import served_modules

    dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY . /srv\n" + command + "\n"
    files = {"src/main.py": "app = None\n", "start.sh": script, "Dockerfile": dockerfile}
    write_files(tmp_path, files)
    expected = [] if served is None else [(served[0], f"{served[1]}:app")]
    assert served_modules(tmp_path) == expected


@pytest.mark.parametrize(
    ("copies", "served"),
    [
        # A folder copied to `/app/src` makes `/app` a folder: the script copied to `/app`
        # afterwards lands in it, as `/app/entrypoint.sh` (jwt-auth-fastapi's Dockerfile).
        ("COPY ./src /app/src\nCOPY entrypoint.sh /app\n", (".", "src.api.app")),
        # Copied first, to a path no folder holds yet: the file is `/app` itself.
        ("COPY entrypoint.sh /app\nCOPY ./src /app/src\n", None),
    ],
)
def test_a_file_copied_to_a_folder_an_earlier_copy_made_lands_in_it(
    tmp_path: Path, copies: str, served: tuple[str, str] | None
) -> None:
    from telemetry_cli.image_layer import served_modules

    dockerfile = (
        "FROM python:3.12-slim\n\n" + copies + "\nWORKDIR /app\n"
        'RUN pip install -r requirements.txt\nCMD ["bash", "-c", "./entrypoint.sh"]\n'
    )
    files = {
        "src/api/app.py": "app = None\n",
        "entrypoint.sh": "alembic upgrade head\nuvicorn src.api.app:app --host 0.0.0.0 --reload\n",
        "Dockerfile": dockerfile,
    }
    write_files(tmp_path, files)
    expected = [] if served is None else [(served[0], f"{served[1]}:app")]
    assert served_modules(tmp_path) == expected


@pytest.mark.parametrize(
    ("command", "pipe"),
    [
        ('CMD ["sh", "/srv/start.sh"]', "start.sh"),
        ('CMD ["gunicorn", "-c", "/srv/conf.py", "main:app"]', "conf.py"),
    ],
)
def test_a_named_pipe_the_image_would_run_is_not_opened(
    tmp_path: Path, command: str, pipe: str
) -> None:
    # Opening a FIFO for reading waits for a writer: init hung on such a start script.
    import os
    import threading

    from telemetry_cli.image_layer import served_modules

    dockerfile = "FROM python:3.12\nWORKDIR /srv\nCOPY . /srv\n" + command + "\n"
    write_files(tmp_path, {"src/main.py": "app = None\n", "Dockerfile": dockerfile})
    os.mkfifo(tmp_path / pipe)
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(served_modules(tmp_path)), daemon=True)
    reader.start()
    reader.join(60)  # a hang guard, not a speed target
    if reader.is_alive():
        with (tmp_path / pipe).open("wb"):  # let the blocked reader go
            pass
        pytest.fail("the named pipe was opened")
    assert found == [[]]


def _service(name: str, module: str, dockerfile: str) -> dict[str, str]:
    """A service of a monorepo: ``<name>/app/<module>.py`` served by its own image."""
    return {
        f"{name}/app/{module}.py": PLAIN,
        f"{name}/{dockerfile}": "FROM python:3.11-slim\nWORKDIR /app\nCOPY . /app\n"
        f'CMD ["uvicorn", "app.{module}:app", "--host", "0.0.0.0"]\n',
    }


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "dockerfile"])
def test_each_service_of_a_monorepo_is_offered_from_its_own_folder(
    tmp_path: Path, dockerfile: str
) -> None:
    """Three services, each an app its image serves from the service's folder (a `dockerfile`
    in lower case is what a build reads when there is no `Dockerfile`): init names each from
    its own folder, as the image runs it, and asks which one."""
    services = [("gateway", "gateway"), ("user-service", "users"), ("order-service", "orders")]
    files = {"pyproject.toml": '[project]\nname = "msa"\nversion = "0"\n'}
    for name, module in services:
        files.update(_service(name, module, dockerfile))
    write_files(tmp_path, files)
    result = run("init", "--root", str(tmp_path))
    assert result.exit_code != 0, result.stdout
    said = " ".join((result.stdout + result.stderr).split())
    assert "several FastAPI apps found" in said, said
    for name, module in services:
        assert f"app.{module}:app in {name}/" in said, said


def test_an_image_serving_another_app_has_no_say_in_where_this_one_runs(
    tmp_path: Path,
) -> None:
    """The API's image serves `main:app` from `app/`; a second image serves a Flask app of
    `web/` with gunicorn: only the image serving the module init found says where it runs."""
    root = project(tmp_path, PLAIN, TIANGOLO + "COPY ./app /app\n")
    write_files(
        root,
        {
            "web/wsgi.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "Dockerfile.web": "FROM python:3.12\nWORKDIR /srv\nCOPY web /srv\n"
            'CMD ["gunicorn", "wsgi:app"]\n',
        },
    )
    assert found(root) == ("app", "", "main:app")


def _rooted_project(root: Path, deps_import: str) -> Path:
    """A plan whose backend folder (``src/infrastructure``) is below the folder the app runs from.

    The app's modules import their package as ``src.infrastructure.api`` (the entry script
    runs ``uvicorn src.infrastructure.api.app:app`` from the root); ``deps_import`` is how the
    route module imports its neighbour.
    """
    users = "from fastapi import APIRouter, Depends\n\n" + deps_import + "\n\n"
    users += 'router = APIRouter(prefix="/users")\n\n\n@router.get("/")\n'
    users += "def list_users(db: str = Depends(get_db)) -> list[str]:\n    return [db]\n"
    write_files(
        root,
        {
            "src/infrastructure/api/__init__.py": "",
            "src/infrastructure/api/deps.py": 'def get_db() -> str:\n    return "db"\n',
            "src/infrastructure/api/routes/__init__.py": "",
            "src/infrastructure/api/routes/users.py": users,
            # Imports nothing of its package: spelled as the package's other modules do.
            "src/infrastructure/api/routes/ping.py": (
                "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                '@router.get("/ping")\ndef ping() -> str:\n    return "pong"\n'
            ),
            "src/infrastructure/api/app.py": (
                "from fastapi import FastAPI\n\n"
                "from src.infrastructure.api.routes import ping, users\n\n"
                "app = FastAPI()\napp.include_router(users.router)\n"
                "app.include_router(ping.router)\n"
            ),
            "entrypoint.sh": "uvicorn src.infrastructure.api.app:app --host 0.0.0.0\n",
            "requirements.txt": "fastapi\n",
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "src/infrastructure"\napp-package = "api"\n'
                'app = "api.app:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"routes/users.py" = "ai_block_used"\n"routes/ping.py" = "ai_block_used"\n'
            ),
        },
    )
    return root


def test_the_layer_is_imported_by_the_name_the_modules_import_their_package_by(
    tmp_path: Path,
) -> None:
    root = _rooted_project(tmp_path, "from src.infrastructure.api.deps import get_db")
    before = {path: path.read_bytes() for path in root.rglob("*.py")}
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    users = (root / "src/infrastructure/api/routes/users.py").read_text()
    assert "from src.infrastructure.api.analytics.event_logger import event_logger" in users
    ping = (root / "src/infrastructure/api/routes/ping.py").read_text()
    assert "from src.infrastructure.api.analytics.event_logger import event_logger" in ping
    # The app imports (and logs) the way its server command runs it: from the root.
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fastapi.testclient import TestClient\n"
            "from src.infrastructure.api.app import app\n"
            "assert TestClient(app).get('/users/').json() == ['db']\n"
            "assert TestClient(app).get('/ping').json() == 'pong'\n"
            "assert '/api/telemetry/log' in app.openapi()['paths']\n",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    checked = run("generate", "--check", "--root", str(root))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    again = run("generate", "--root", str(root))
    assert "patched" not in again.stdout, again.stdout
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert {path: path.read_bytes() for path in before} == before


def test_the_quickstart_imports_the_layer_as_the_patches_do(tmp_path: Path) -> None:
    # The quickstart showed `from api.analytics.event_logger import event_logger` beside
    # patches importing `src.infrastructure.api.analytics`: run from the root, as the app is,
    # the bare name is no module. Served from inside the backend folder, it stays bare.
    root = _rooted_project(tmp_path / "rooted", "from src.infrastructure.api.deps import get_db")
    inside = _rooted_project(tmp_path / "inside", "from src.infrastructure.api.deps import get_db")
    (inside / "Procfile").write_text("web: uvicorn --app-dir src/infrastructure api.app:app\n")
    (inside / "entrypoint.sh").unlink()
    for project, layer in ((root, "src.infrastructure.api.analytics"), (inside, "api.analytics")):
        written = run("generate", "--root", str(project))
        assert written.exit_code == 0, written.stdout + written.stderr
        users = (project / "src/infrastructure/api/routes/users.py").read_text()
        assert f"from {layer}.event_logger import event_logger" in users, users
        quickstart = next(project.glob("specs/*/quickstart.md")).read_text()
        shown = [line for line in quickstart.splitlines() if "import event_logger" in line]
        assert shown == [f"from {layer}.event_logger import event_logger"], shown


def test_a_module_spelling_its_package_both_ways_is_said(tmp_path: Path) -> None:
    both = "from api.deps import get_db\nfrom src.infrastructure.api import deps"
    root = _rooted_project(tmp_path, both)
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    said = " ".join(written.stdout.split())
    assert (
        "routes/users.py: its imports spell the package `api` both as `src.infrastructure.api` "
        "and as `api`" in said
    ), written.stdout
    users = (root / "src/infrastructure/api/routes/users.py").read_text()
    assert "from api.analytics.event_logger import event_logger" in users


_ROOTED = {
    "backend": "src/infrastructure",
    "app-package": "api",
    "app": "api.app:app",
    "instrument": {"routes/users.py": "ai_block_used", "routes/ping.py": "ai_block_used"},
}
# Spelled from the root: the same files, the layer's imports spelled the same way.
_DOTTED = {**_ROOTED, "backend": ".", "app-package": "src.infrastructure.api"}
_DOTTED["app"] = "src.infrastructure.api.app:app"
_ONLY_USERS = {"routes/users.py": "ai_block_used"}


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # The layer renamed: the last run's rooted imports are the old layer's.
        pytest.param(_ROOTED, {"layer-package": "telemetry"}, id="renamed"),
        # Flat: the old layer's rooted spelling is the new one's too.
        pytest.param(_ROOTED, {"backend": "src/infrastructure/api", "app-package": ""}, id="flat"),
        # From the root: the old layer's bare spelling is the new one's rooted spelling.
        pytest.param(_DOTTED, {k: _ROOTED[k] for k in ("backend", "app-package", "app")}, id="up"),
        pytest.param(
            _ROOTED, {k: _DOTTED[k] for k in ("backend", "app-package", "app")}, id="down"
        ),
    ],
)
def test_the_last_runs_imports_are_read_as_its_layer_when_the_plan_moves_it(
    tmp_path: Path, first: dict[str, object], then: dict[str, object]
) -> None:
    # A module the plan drops kept the last run's call and import (read as the new layer's,
    # rooted), and the next generate took them out: not idempotent, `--check` unstable.
    original = _rooted_project(
        tmp_path / "original", "from src.infrastructure.api.deps import get_db"
    )
    moved = {**first, **then, "instrument": _ONLY_USERS}
    problems = run_sequence(original, tmp_path / "work", [first, moved])
    assert not problems, "\n".join(problems)


def test_the_last_runs_imports_are_no_spelling_of_the_package(tmp_path: Path) -> None:
    # The last run's bare `api.analytics` imports (as 0.30.0 wrote them) were read as the
    # package's spelling: renamed, the layer of a module importing nothing of its package was
    # imported by the bare name, said as spelled both ways, and rooted by the next generate.
    original = _rooted_project(
        tmp_path / "original", "from src.infrastructure.api.deps import get_db"
    )

    def bare(root: Path) -> None:
        for name in ("users", "ping"):
            module = root / f"src/infrastructure/api/routes/{name}.py"
            rooted = "from src.infrastructure.api.analytics."
            assert rooted in module.read_text()
            module.write_text(module.read_text().replace(rooted, "from api.analytics."))

    renamed = {**_ROOTED, "layer-package": "telemetry"}
    problems = run_sequence(original, tmp_path / "work", [_ROOTED, renamed], {1: bare})
    assert not problems, "\n".join(problems)


def test_modules_of_one_app_get_one_spelling_of_the_layer_where_the_app_s_imports_disagree(
    tmp_path: Path,
) -> None:
    # main.py imports a sibling bare (`import setup_path`) and the others rooted: its own
    # imports disagree, so it gets the bare layer; routes.py, rooted on its own, must not get
    # the rooted one, or the layer loads twice, as two modules with an event logger each.
    write_files(
        tmp_path,
        {
            "src/setup_path.py": "import sys\n",
            "src/deps.py": 'def get_db() -> str:\n    return "db"\n',
            "src/routes.py": (
                "from fastapi import APIRouter\n\nfrom src.deps import get_db\n\n"
                'router = APIRouter()\n\n\n@router.get("/items")\n'
                "def list_items() -> list[str]:\n    return [get_db()]\n"
            ),
            "src/main.py": (
                "import setup_path\nfrom fastapi import FastAPI\n\n"
                "from src.routes import router\n\n"
                "app = FastAPI()\napp.include_router(router)\n"
            ),
            "requirements.txt": "fastapi\n",
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "src"\napp-package = ""\napp = "main:app"\n\n'
                '[tool.telemetry-scaffold.instrument]\n"routes.py" = "ai_block_used"\n'
            ),
        },
    )
    written = run("generate", "--root", str(tmp_path))
    assert written.exit_code == 0, written.stdout + written.stderr
    main = (tmp_path / "src/main.py").read_text()
    routes = (tmp_path / "src/routes.py").read_text()
    assert "from analytics.telemetry_router import" in main, main
    assert "from analytics.event_logger import event_logger" in routes, routes
    assert "src.analytics" not in main + routes
    assert "src/routes.py: the modules the app imports spell" in written.stdout, written.stdout


def test_a_flat_layout_imports_the_layer_as_its_modules_import_each_other(
    tmp_path: Path,
) -> None:
    # No package: the backend folder's modules import each other as `src.<module>` (run
    # from the root, `uvicorn src.main:app`), and the layer went in as a bare `analytics`,
    # a ModuleNotFoundError there.
    routes = "from fastapi import APIRouter\n\nfrom src.deps import get_db\n\n"
    routes += 'router = APIRouter()\n\n\n@router.get("/items")\n'
    routes += "def list_items() -> list[str]:\n    return [get_db()]\n"
    root = tmp_path
    write_files(
        root,
        {
            "src/deps.py": 'def get_db() -> str:\n    return "db"\n',
            "src/routes.py": routes,
            # Imports nothing of the folder: spelled as the other modules do.
            "src/ping.py": (
                "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                '@router.get("/ping")\ndef ping() -> str:\n    return "pong"\n'
            ),
            "src/main.py": (
                "from fastapi import FastAPI\n\n"
                "from src import ping\nfrom src.routes import router\n\n"
                "app = FastAPI()\napp.include_router(router)\napp.include_router(ping.router)\n"
            ),
            "entrypoint.sh": "uvicorn src.main:app --host 0.0.0.0\n",
            "requirements.txt": "fastapi\n",
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "src"\napp-package = ""\napp = "main:app"\n\n'
                '[tool.telemetry-scaffold.instrument]\n"routes.py" = "ai_block_used"\n'
                '"ping.py" = "ai_block_used"\n'
            ),
        },
    )
    before = {path: path.read_bytes() for path in root.rglob("*.py")}
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    for name in ("routes", "ping"):
        module = (root / f"src/{name}.py").read_text()
        assert "from src.analytics.event_logger import event_logger" in module, module
    assert "from src.analytics.telemetry_router import" in (root / "src/main.py").read_text()
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fastapi.testclient import TestClient\n"
            "from src.main import app\n"
            "assert TestClient(app).get('/items').json() == ['db']\n"
            "assert TestClient(app).get('/ping').json() == 'pong'\n",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    checked = run("generate", "--check", "--root", str(root))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    again = run("generate", "--root", str(root))
    assert "patched" not in again.stdout, again.stdout
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert {path: path.read_bytes() for path in before} == before


def _rooted_branches(root: Path, other: Callable[[str], str], main: Callable[[str], str]) -> None:
    """Generate in the rooted project, then on two branches whose plans ``other`` and ``main``
    change (from the configuration's text), then merge `other` into `main`.
    """
    git(root, "init", "-q", "-b", "main")
    assert run("generate", "--root", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generate")
    config = root / "pyproject.toml"
    base = config.read_text()
    for branch, change in (("other", other), ("main", main)):
        git(root, "checkout", "-q", *(["-b"] if branch == "other" else []), branch)
        config.write_text(change(base))
        done = run("generate", "--root", str(root))
        assert done.exit_code == 0, done.stdout + done.stderr
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", branch)
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True, check=False)


def test_sides_differing_by_the_tools_code_rooted_above_the_folder_are_resolved(
    tmp_path: Path,
) -> None:
    # Both sides import the layer as `src.infrastructure.api.analytics...` and log another
    # event in users.py: the conflict, on the calls alone, was refused as the user's, the
    # rooted import not read as generate's when each side was taken apart.
    def users_logs(event: str, table: str = "") -> Callable[[str], str]:
        return lambda text: (
            text.replace('users.py" = "ai_block_used"', f'users.py" = "{event}"') + table
        )

    page_view = '\n[tool.telemetry-scaffold.events.page_view]\ndescription = "A page was seen."\n'
    root = _rooted_project(tmp_path / "project", "from src.infrastructure.api.deps import get_db")
    _rooted_branches(root, users_logs("error_event"), users_logs("page_view", page_view))
    git(root, "checkout", "--ours", "--", "pyproject.toml", ".telemetry-scaffold.json")
    users = "src/infrastructure/api/routes/users.py"
    assert conflict_marker_line((root / users).read_bytes()) is not None
    done = run("generate", "--root", str(root))
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "the sides differed only by generate's code" in done.stdout
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    fresh = _rooted_project(tmp_path / "fresh", "from src.infrastructure.api.deps import get_db")
    shutil.copy2(root / "pyproject.toml", fresh / "pyproject.toml")
    assert run("generate", "--root", str(fresh)).exit_code == 0
    assert (root / users).read_bytes() == (fresh / users).read_bytes()


def test_a_merged_branchs_renamed_layer_rooted_above_the_folder_is_the_tools(
    tmp_path: Path,
) -> None:
    # The other branch renamed the layer (`tele`) and logged ping.py; its imports, rooted
    # (`src.infrastructure.api.tele...`), merged cleanly. Taking this side's plan, they were
    # not read as the tool's: users.py got a second call beside the merged one, and the
    # `tele` layer was removed while the modules still imported it.
    root = _rooted_project(tmp_path, "from src.infrastructure.api.deps import get_db")
    config = root / "pyproject.toml"
    config.write_text(config.read_text().replace('"routes/ping.py" = "ai_block_used"\n', ""))

    def other(text: str) -> str:
        text = text.replace('app = "api.app:app"', 'app = "api.app:app"\nlayer-package = "tele"')
        return text + '"routes/ping.py" = "ai_block_used"\n'

    def main(text: str) -> str:
        return text.replace('users.py" = "ai_block_used"', 'users.py" = "error_event"')

    _rooted_branches(root, other, main)
    for path in git(root, "diff", "--name-only", "--diff-filter=U").split():
        if subprocess.run(["git", "checkout", "--ours", "--", path], cwd=root).returncode:
            git(root, "rm", "-q", "--", path)
    api = root / "src/infrastructure/api"
    assert "api.tele.event_logger" in (api / "routes/users.py").read_text()
    run("generate", "--root", str(root))
    users = (api / "routes/users.py").read_text()
    assert "api.tele." not in users, users
    assert users.count("event_logger.log(") == 1, users
    assert "api.tele." not in (api / "app.py").read_text()
    # ping.py still imports it (a call of the other branch this side's record never names).
    if "api.tele.event_logger" in (api / "routes/ping.py").read_text():
        assert (api / "tele/event_logger.py").is_file()


# An app built and routed in one module importing nothing of its folder (the module is
# instrumented): how it spells its neighbours says nothing, the other modules might.
_SERVED_MAIN = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    '@app.get("/items")\ndef list_items() -> list[str]:\n    return ["db"]\n'
)
# A flat backend folder run from inside it (`uvicorn main:app` in backend/), each with one
# spelling rooted above the folder (`backend.`) the app never runs: a script beside it, a
# late import in a function, an import for the type checker, one run as a script.
_NOT_RUN = {
    "script": {"backend/seed.py": '"""python -m backend.seed"""\n\nfrom backend.main import app\n'},
    "function": {
        "backend/main.py": _SERVED_MAIN
        + "\n\ndef seed() -> None:\n    from backend.seed import rows\n\n    print(rows)\n"
    },
    "type-checking": {
        "backend/main.py": "from typing import TYPE_CHECKING\n\n"
        + _SERVED_MAIN.replace(
            "app = FastAPI()",
            "if TYPE_CHECKING:\n    from backend.seed import rows\n\napp = FastAPI()",
        )
    },
    "main-guard": {
        "backend/main.py": _SERVED_MAIN
        + '\n\nif __name__ == "__main__":\n    from backend.seed import rows\n\n    print(rows)\n'
    },
}


@pytest.mark.parametrize("where", list(_NOT_RUN))
def test_a_rooted_import_the_app_never_runs_says_nothing_of_its_spelling(
    tmp_path: Path, where: str
) -> None:
    # The layer went in as `backend.analytics`, read off the script's import (or a late or
    # guarded one): `uvicorn main:app` in backend/ then failed with ModuleNotFoundError.
    root = tmp_path
    write_files(
        root,
        {
            "backend/main.py": _SERVED_MAIN,
            "backend/seed.py": "rows = 3\n",
            **_NOT_RUN[where],
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "backend"\napp-package = ""\n'
                'app = "main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"main.py" = "ai_block_used"\n'
            ),
        },
    )
    before = {path: path.read_bytes() for path in root.rglob("*.py")}
    written = run("generate", "--root", str(root))
    assert written.exit_code == 0, written.stdout + written.stderr
    main = (root / "backend/main.py").read_text()
    assert "from analytics.event_logger import event_logger" in main, main
    assert "from analytics.telemetry_router import" in main, main
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fastapi.testclient import TestClient\nfrom main import app\n"
            "assert TestClient(app).get('/items').json() == ['db']\n",
        ],
        cwd=root / "backend",
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    checked = run("generate", "--check", "--root", str(root))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    removed = run("remove", "--root", str(root))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert {path: path.read_bytes() for path in before} == before


def test_a_script_beside_an_app_package_says_nothing_of_its_spelling(tmp_path: Path) -> None:
    # The same in a package: `backend/app/seed.py` importing `backend.app.main` made the
    # layer `backend.app.analytics` in a module importing nothing of its package.
    write_files(
        tmp_path,
        {
            "backend/app/__init__.py": "",
            "backend/app/main.py": _SERVED_MAIN,
            "backend/app/seed.py": "from backend.app.main import app\n\nprint(app)\n",
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "backend"\napp-package = "app"\n'
                'app = "app.main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"main.py" = "ai_block_used"\n'
            ),
        },
    )
    written = run("generate", "--root", str(tmp_path))
    assert written.exit_code == 0, written.stdout + written.stderr
    main = (tmp_path / "backend/app/main.py").read_text()
    assert "from app.analytics.event_logger import event_logger" in main, main


@pytest.mark.parametrize(
    "run_files",
    [
        {
            "Dockerfile": (
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY backend/ .\n"
                "RUN pip install fastapi uvicorn\n"
                'CMD ["uvicorn", "main:app", "--host", "0.0.0.0"]\n'
            )
        },
        {"Procfile": "web: cd backend && uvicorn main:app --host 0.0.0.0 --port $PORT\n"},
        {
            "backend/Procfile": (
                "release: python seed.py\nweb: gunicorn -k uvicorn.workers.UvicornWorker main:app\n"
            )
        },
        # The server given the folder to import from, in place of a `cd`.
        {"Procfile": "web: uvicorn --app-dir backend main:app --port $PORT\n"},
        {"Procfile": "web: gunicorn --chdir=backend -k uvicorn.workers.UvicornWorker main:app\n"},
        {"Procfile": "web: poetry run uvicorn main:app --app-dir ./backend\n"},
        # A shell given the `cd` as its script, read as a compose `command:` of that form.
        {"Procfile": "web: sh -c 'cd backend && uvicorn main:app --port $PORT'\n"},
        # A compose service running its image from the folder the backend is copied to.
        {
            "Dockerfile": "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\n",
            "compose.yaml": (
                "services:\n  api:\n    build: .\n    working_dir: /srv/backend\n"
                "    command: uvicorn main:app --host 0.0.0.0\n"
            ),
        },
        {
            "Dockerfile": "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\n",
            "docker-compose.yml": (
                "services:\n  api:\n    build: .\n"
                '    command: ["gunicorn", "--chdir", "backend", "main:app"]\n'
            ),
        },
    ],
    ids=[
        "dockerfile",
        "procfile-cd",
        "procfile-in-folder",
        "procfile-app-dir",
        "procfile-chdir",
        "procfile-runner-app-dir",
        "procfile-shell-script-cd",
        "compose-working-dir",
        "compose-command-chdir",
    ],
)
def test_an_app_served_from_inside_the_folder_imports_the_layer_bare(
    tmp_path: Path, run_files: dict[str, str]
) -> None:
    # The image (or the platform) runs `uvicorn main:app` in backend/: a name rooted above it
    # (as a module there spells its neighbour, run from the root elsewhere) is no module there.
    write_files(
        tmp_path,
        {
            "backend/main.py": "from backend.items import rows\n\n" + _SERVED_MAIN,
            "backend/items.py": "rows = 3\n",
            **run_files,
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "backend"\napp-package = ""\n'
                'app = "main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"main.py" = "ai_block_used"\n'
            ),
        },
    )
    written = run("generate", "--root", str(tmp_path))
    assert written.exit_code == 0, written.stdout + written.stderr
    main = (tmp_path / "backend/main.py").read_text()
    assert "from analytics.telemetry_router import" in main, main
    assert "from analytics.event_logger import event_logger" in main, main
    checked = run("generate", "--check", "--root", str(tmp_path))
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_a_procfile_serving_from_the_root_keeps_the_rooted_spelling(tmp_path: Path) -> None:
    # `uvicorn backend.main:app` from the root, or a server given its folder: not inside.
    write_files(
        tmp_path,
        {
            "backend/main.py": "from backend.items import rows\n\n" + _SERVED_MAIN,
            "backend/items.py": "rows = 3\n",
            "Procfile": (
                "web: uvicorn backend.main:app\n"
                "worker: cd backend && uvicorn --app-dir .. main:app\n"
            ),
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "backend"\napp-package = ""\n'
                'app = "main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"main.py" = "ai_block_used"\n'
            ),
        },
    )
    written = run("generate", "--root", str(tmp_path))
    assert written.exit_code == 0, written.stdout + written.stderr
    main = (tmp_path / "backend/main.py").read_text()
    assert "from backend.analytics.event_logger import event_logger" in main, main


#: A development compose service running a stock image on the mounted backend folder
#: (`uvicorn main:app --reload` from inside it), beside what serves the app in production.
_DEV_COMPOSE = (
    "services:\n  dev:\n    image: python:3.12-slim\n    volumes:\n      - ./backend:/app\n"
    "    working_dir: /app\n    command: uvicorn main:app --reload\n"
)


@pytest.mark.parametrize(
    "production",
    [
        {"Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY . .\nCMD uvicorn backend.main:app\n"},
        {"Procfile": "web: uvicorn backend.main:app\n"},
    ],
    ids=["dockerfile-from-the-root", "procfile-from-the-root"],
)
def test_a_stock_image_compose_service_does_not_override_a_root_served_app(
    tmp_path: Path, production: dict[str, str]
) -> None:
    # The dev service's bare spelling made `import backend.main` fail where the production
    # image or process serves the app from the root: a stock-image service is not read.
    write_files(
        tmp_path,
        {
            "backend/main.py": "from backend.items import rows\n\n" + _SERVED_MAIN,
            "backend/items.py": "rows = 3\n",
            "compose.yaml": _DEV_COMPOSE,
            **production,
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "backend"\napp-package = ""\n'
                'app = "main:app"\n\n[tool.telemetry-scaffold.instrument]\n'
                '"main.py" = "ai_block_used"\n'
            ),
        },
    )
    written = run("generate", "--root", str(tmp_path))
    assert written.exit_code == 0, written.stdout + written.stderr
    main = (tmp_path / "backend/main.py").read_text()
    assert "from backend.analytics.event_logger import event_logger" in main, main
    quickstart = next(tmp_path.glob("specs/*/quickstart.md")).read_text()
    shown = [line for line in quickstart.splitlines() if "import event_logger" in line]
    assert shown == ["from backend.analytics.event_logger import event_logger"], shown


@pytest.mark.parametrize(
    "imported",
    [
        "from src import items",
        "from src import items as item_routes",
        "from src import (\n    items,\n)",
    ],
)
def test_a_module_imported_from_the_folder_above_spells_the_layer_so(
    tmp_path: Path, imported: str
) -> None:
    # `from src import items` names the folder's module `items` from above it (the app runs
    # as `uvicorn src.main:app` from the root), but only `src` was read: the layer went in
    # bare, a ModuleNotFoundError there.
    used = "item_routes" if " as " in imported else "items"
    write_files(
        tmp_path,
        {
            "src/items.py": (
                "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                '@router.get("/items")\ndef list_items() -> list[str]:\n    return ["db"]\n'
            ),
            "src/main.py": (
                f"from fastapi import FastAPI\n\n{imported}\n\n"
                f"app = FastAPI()\napp.include_router({used}.router)\n"
            ),
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\nbackend = "src"\napp-package = ""\napp = "main:app"\n\n'
                '[tool.telemetry-scaffold.instrument]\n"items.py" = "ai_block_used"\n'
            ),
        },
    )
    before = {path: path.read_bytes() for path in tmp_path.rglob("*.py")}
    written = run("generate", "--root", str(tmp_path))
    assert written.exit_code == 0, written.stdout + written.stderr
    items = (tmp_path / "src/items.py").read_text()
    assert "from src.analytics.event_logger import event_logger" in items, items
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fastapi.testclient import TestClient\nfrom src.main import app\n"
            "assert TestClient(app).get('/items').json() == ['db']\n"
            "assert '/api/telemetry/log' in app.openapi()['paths']\n",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    # The quickstart runs it from src/ with the folder above on the import path.
    assert "PYTHONPATH=.." in next(tmp_path.glob("specs/*/quickstart.md")).read_text()
    checked = run("generate", "--check", "--root", str(tmp_path))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    removed = run("remove", "--root", str(tmp_path))
    assert removed.exit_code == 0, removed.stdout + removed.stderr
    assert {path: path.read_bytes() for path in before} == before
