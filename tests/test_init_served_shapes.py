"""Which app init plans when the served app is named in a way other files spell differently:
a side app mounted through its package's re-export, a server moved into a folder by a script."""

from __future__ import annotations

from pathlib import Path

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
