"""Which app init plans when the served app is named in a way other files spell differently:
a side app mounted through its package's re-export, a server moved into a folder by a script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, write_files

SIDE_APP = """from fastapi import FastAPI

side = FastAPI()


@side.get("/")
def side_root() -> dict[str, str]:
    return {"side": "ok"}
"""

ENTRY = """from fastapi import FastAPI

from sideapp import side

app = FastAPI()
app.mount("/side", side)


@app.get("/")
def root() -> dict[str, str]:
    return {"main": "ok"}
"""


def test_a_side_app_mounted_through_its_package_reexport_gives_way_to_the_entry(
    tmp_path: Path,
) -> None:
    """`main.py` saying `from sideapp import side` (bound by `sideapp/__init__.py` from its
    `.main`) and mounting it serves the entry module's app; the package's app is a part of it,
    as when `main.py` imports `sideapp.main` itself."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "server/main.py": ENTRY,
            "server/sideapp/__init__.py": 'from .main import side\n\n__all__ = ["side"]\n',
            "server/sideapp/main.py": SIDE_APP,
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "main:app"' in initialised.stdout
    assert 'backend = "server"' in initialised.stdout


FACTORY_MODULE = """from fastapi import APIRouter, FastAPI

router = APIRouter()


@router.get("/")
async def answer() -> dict[str, int]:
    return {"answer": 42}


def get_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app
"""


@pytest.mark.parametrize(
    ("run_file", "text"),
    [
        pytest.param(
            "run_app.sh",
            '#!/bin/bash\ngunicorn "main:get_app()" --chdir svc/ -k uvicorn.workers.UvicornWorker'
            "\n",
            id="a shell script's gunicorn --chdir",
        ),
        pytest.param(
            "Procfile", "web: cd svc && uvicorn main:get_app --factory\n", id="a Procfile's cd"
        ),
        pytest.param(
            "Makefile",
            "run:\n\t@uvicorn --app-dir svc main:get_app --factory\n",
            id="a recipe's --app-dir",
        ),
    ],
)
def test_a_run_file_serving_the_app_from_its_folder_runs_it_from_there(
    tmp_path: Path, run_file: str, text: str
) -> None:
    """`svc/main.py` (no `__init__.py`) served from `svc/` by a run file at the root that moves
    the server there: the plan runs it from `svc/` as `main:get_app`, so the generated imports
    (`from analytics ...`) resolve where it runs (`from svc.analytics ...` would not)."""
    root = tmp_path / "project"
    write_files(root, {"svc/main.py": FACTORY_MODULE, run_file: text})
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'backend = "svc"' in plan
    assert 'app = "main:get_app"' in plan
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    served = (root / "svc/main.py").read_text()
    assert "from analytics." in served
    assert "svc.analytics" not in served


APP_MODULE = """from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"main": "ok"}
"""

ROOT_PROCFILE = "web: uvicorn svc.main:app --host 0.0.0.0 --port $PORT\n"


def _plan(root: Path, files: dict[str, str]) -> str:
    write_files(root, {"svc/main.py": APP_MODULE, **files})
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    return initialised.stdout


def _served_from_root(plan: str) -> bool:
    return 'backend = "."' in plan and 'app = "svc.main:app"' in plan


def _served_from_svc(plan: str) -> bool:
    return 'backend = "svc"' in plan and 'app = "main:app"' in plan


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "Procfile": ROOT_PROCFILE,
                "dev.sh": "#!/bin/sh\ncd svc && uvicorn main:app --reload\n",
            },
            id="a root Procfile and a dev script",
        ),
        pytest.param(
            {"Procfile": ROOT_PROCFILE, "Procfile.dev": "web: cd svc && uvicorn main:app\n"},
            id="a root Procfile and Procfile.dev",
        ),
        pytest.param(
            {
                "Makefile": "dev:\n\tcd svc && uvicorn main:app --reload\n\n"
                "prod:\n\tuvicorn svc.main:app --host 0.0.0.0\n"
            },
            id="a Makefile's dev and prod recipes",
        ),
        pytest.param(
            {
                "Procfile": ROOT_PROCFILE
                + "worker: gunicorn --chdir svc main:app -k uvicorn.workers.UvicornWorker\n"
            },
            id="a Procfile's web from the root and a worker from svc",
        ),
    ],
)
def test_run_files_serving_the_app_from_the_root_and_a_folder_leave_the_plan(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """A run file line serving `svc/main.py` from the root (`uvicorn svc.main:app`) counts:
    beside one serving it from `svc/`, the run files disagree and the plan stays as discovery
    made it, the imports `generate` writes resolving from the root."""
    assert _served_from_root(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"print_procfile.sh": "#!/bin/sh\ncat <<'EOF'\ncd svc && uvicorn main:app\nEOF\n"},
            id="a heredoc's body",
        ),
        pytest.param(
            {
                "print_procfile.sh": "#!/bin/sh\ncat <<-EOF > Procfile.example\n"
                "\tcd svc && uvicorn main:app\n\tEOF\n"
            },
            id="an indented heredoc's body",
        ),
        pytest.param(
            {"usage.sh": '#!/bin/sh\necho "Run it with:\n  cd svc && uvicorn main:app\n"\n'},
            id="a multi-line quoted string",
        ),
        pytest.param(
            {"notes.sh": "#!/bin/sh\nweb: cd svc && uvicorn main:app\n"},
            id="a Procfile's process name in a shell script",
        ),
        pytest.param(
            {"Makefile": "run:\n\tcd svc\n\tuvicorn main:app\n"},
            id="a recipe's cd on its own line (each line its own shell)",
        ),
    ],
)
def test_lines_a_shell_never_runs_from_a_folder_do_not_move_the_app(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """Text a script prints (a heredoc, a quoted string), a Procfile's lead in a shell script
    (a command named `web:`) and a recipe's `cd` line (its own shell) serve nothing from `svc/`."""
    assert _served_from_root(_plan(tmp_path / "project", files))


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"run.sh": "#!/bin/sh\nset -e\ncd svc\nexport PORT=8000\nuvicorn main:app --reload\n"},
            id="a script's cd on its own line",
        ),
        pytest.param(
            {"run.sh": '#!/bin/bash\ncd "$(dirname "$0")/svc" && uvicorn main:app\n'},
            id="a script's cd from its own folder",
        ),
        pytest.param(
            {
                "start.sh": '#!/bin/bash\ncd "$(dirname "${BASH_SOURCE[0]}")" || exit 1\n'
                "cd svc\nexec uvicorn main:app\n"
            },
            id="a script's cd to its own folder then to svc",
        ),
        pytest.param(
            {"Makefile": "run:\n\tcd svc && \\\n\t\tuvicorn main:app --reload\n"},
            id="a recipe's cd continued on the next line",
        ),
    ],
)
def test_a_cd_holding_for_the_server_line_moves_the_app(
    tmp_path: Path, files: dict[str, str]
) -> None:
    """A shell script's `cd svc` holds for the lines after it (from the script's own folder when
    it names it), a recipe line continued by a backslash is one shell: the server runs there."""
    assert _served_from_svc(_plan(tmp_path / "project", files))


def test_a_script_cd_back_to_the_root_serves_from_the_root(tmp_path: Path) -> None:
    """`cd svc`, then `cd ..`, then `uvicorn svc.main:app`: served from the root."""
    files = {"run.sh": "#!/bin/sh\ncd svc\npytest\ncd ..\nuvicorn svc.main:app\n"}
    assert _served_from_root(_plan(tmp_path / "project", files))


def test_a_side_app_mounted_as_its_package_attribute_gives_way_to_the_entry(
    tmp_path: Path,
) -> None:
    """`import sideapp` and `app.mount("/side", sideapp.side)`: the package's app is mounted."""
    root = tmp_path / "project"
    entry = ENTRY.replace("from sideapp import side", "import sideapp").replace(
        '"/side", side', '"/side", sideapp.side'
    )
    write_files(
        root,
        {
            "server/main.py": entry,
            "server/sideapp/__init__.py": "from .main import side\n",
            "server/sideapp/main.py": SIDE_APP,
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "main:app"' in initialised.stdout
    assert 'backend = "server"' in initialised.stdout


def test_a_name_the_package_binds_to_something_else_is_not_its_app(tmp_path: Path) -> None:
    """`from sideapp import side` where `sideapp/__init__.py` binds `side` to a router of
    `.routes`, not to the app `sideapp/main.py` builds: the entry does not hold that app, which
    is planned as it is without the entry taking it (the entry includes a router only)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "server/main.py": ENTRY.replace('app.mount("/side", side)', "app.include_router(side)"),
            "server/sideapp/__init__.py": "from .routes import side\n",
            "server/sideapp/routes.py": "from fastapi import APIRouter\n\nside = APIRouter()\n",
            "server/sideapp/main.py": SIDE_APP,
        },
    )
    initialised = run("init", "--root", str(root), "--dry-run")
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "sideapp.main:side"' in initialised.stdout
