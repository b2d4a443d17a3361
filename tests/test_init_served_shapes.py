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
