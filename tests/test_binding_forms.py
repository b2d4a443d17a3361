"""Names bound as Python binds them: `:=` at module level, `global` in a function the import
calls, `del` of a tuple or list of names; the app served is the one those bindings leave."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, snapshot, write_files

VIEWS = """from fastapi import APIRouter

router = APIRouter()


@router.get("/orders")
def orders() -> list[str]:
    return []
"""

HEAD = "from fastapi import FastAPI\n\nfrom depot.views import router\n\n"

MAINS = {
    "walrus": HEAD + "(app := FastAPI())\napp.include_router(router)\n",
    "walrus-in-assignment": HEAD
    + "served = (app := FastAPI(title='x'))\napp.include_router(router)\n",
    "global-in-called-function": HEAD
    + "\ndef build() -> None:\n    global app\n    app = FastAPI()\n"
    "    app.include_router(router)\n\n\nbuild()\n",
    "del-tuple": HEAD
    + "admin = FastAPI()\napp = FastAPI()\napp.include_router(router)\ndel (admin,)\n",
    "del-list": HEAD
    + "admin = FastAPI()\napp = FastAPI()\napp.include_router(router)\ndel [admin, router]\n",
}


@pytest.mark.parametrize("kind", sorted(MAINS))
def test_the_app_bound_as_python_binds_it_is_wired(tmp_path: Path, kind: str) -> None:
    """init finds `app` of depot/main.py (the one app left bound); generate includes the
    telemetry router into it, once; remove gives the files back byte for byte."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            "depot/main.py": MAINS[kind],
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "depot.main:app"' in plan, plan
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    main = (root / "depot/main.py").read_text()
    assert main.count("include_router(telemetry_router)") == 1, main
    assert main.index("app.include_router(router)") < main.index("app.include_router(tele"), main
    compile(main, "main.py", "exec")
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_global_set_only_in_a_branch_is_not_taken_for_the_module_app(tmp_path: Path) -> None:
    """`if ready: app = FastAPI()` under `global app`: whether the import binds it is not
    known; init does not name it as the module's app, and says why on one line."""
    root = tmp_path / "project"
    main = (
        HEAD + "import os\n\n\ndef build() -> None:\n    global app\n"
        "    if os.environ.get('READY'):\n        app = FastAPI()\n\n\nbuild()\n"
    )
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            "depot/main.py": main,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code != 0, result.stdout
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "depot/main.py:11: build() sets the module's app (global app)" in result.stderr
