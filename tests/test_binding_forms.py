"""Names bound as Python binds them: `:=` at module level, `del` of a tuple or list of
names; the app served is the one those bindings leave."""

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


GLOBALS = {
    "factory-setting-a-global": (
        HEAD + "\ndef create_app() -> FastAPI:\n    global app\n    app = FastAPI()\n"
        "    app.include_router(router)\n    return app\n",
        "depot.main:create_app",
    ),
    "lazy-singleton": (
        HEAD + "_app = None\n\n\ndef get_app() -> FastAPI:\n    global _app\n"
        "    if _app is None:\n        _app = FastAPI()\n        _app.include_router(router)\n"
        "    return _app\n\n\napp = get_app()\n",
        "depot.main:app",
    ),
}


@pytest.mark.parametrize("kind", sorted(GLOBALS))
def test_an_app_a_function_sets_global_is_wired_in_that_function(tmp_path: Path, kind: str) -> None:
    """A factory that also sets `global app`, a lazy singleton built under `global _app`:
    init plans the key and generate includes the telemetry router where the app is built."""
    main, key = GLOBALS[kind]
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            "depot/main.py": main,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert f'app = "{key}"' in (root / "pyproject.toml").read_text()
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    patched = (root / "depot/main.py").read_text()
    assert patched.count("include_router(telemetry_router)") == 1, patched
    built = patched.index("FastAPI()")
    assert built < patched.index("include_router(telemetry_router)") < patched.index("return"), (
        patched
    )
    compile(patched, "main.py", "exec")
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned
