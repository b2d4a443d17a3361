"""Routers a package includes from modules it imports at run time (`importlib`)."""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import run, write_files

REGISTRY = """from importlib import import_module

from fastapi import APIRouter

from settings import FEATURES

routers = APIRouter()
for feature in FEATURES:
    module = import_module(f"{feature}.views")
    found = getattr(module, "router")
    routers.include_router(found)
"""


def test_a_variable_read_from_a_run_time_import_is_said_and_named_as_the_include(
    tmp_path: Path,
) -> None:
    """`found = getattr(import_module(...), "router")` at module level is no router of the
    registry module: the include is said to stand for run-time routers, and a router it
    includes is said to be included there (not through the library's router the app
    includes, which holds none of the package's)."""
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": (
            "import oauth_kit\nfrom fastapi import FastAPI\n\nfrom registry import routers\n\n"
            "app = FastAPI()\napp.include_router(routers)\n"
            'app.include_router(oauth_kit.login_router(), prefix="/login")\n'
        ),
        "registry.py": REGISTRY,
        "settings.py": 'FEATURES = ["accounts", "shop"]\n',
        "accounts/views.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "shop/views.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.get("/carts")\ndef carts() -> list[str]:\n    return []\n'
        ),
    }
    write_files(root, files)
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "shop/views.py"', '"shop/views.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert (
        "registry.py:11: `found` is a router of a module imported at run time"
    ) in generated.stdout
    assert "(the router of `found` at registry.py:11, for one, is not followed)" in (
        generated.stdout
    )
    assert "log call in carts (GET /carts)" in generated.stdout
