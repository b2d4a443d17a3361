"""A package's `__init__.py` rebinding the name of one of its submodules to the app."""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import run, snapshot, write_files

ROUTER = """from fastapi import APIRouter

router = APIRouter()


@router.get("/{path}")
def {name}() -> list[str]:
    return []
"""


def test_an_app_named_like_the_submodule_that_builds_it_is_the_served_app(
    tmp_path: Path,
) -> None:
    """`from .web import build` then `web = build()` in `maps/__init__.py`.

    The import reads the submodule `maps.web` though the package's own `web` is the app by
    then; the app is `maps:web` (a module variable, which also includes a router), wired in
    `build()`, and the router it includes is logged under its prefix.
    """
    root = tmp_path / "project"
    files = {
        "pyproject.toml": '[project]\nname = "maps"\n',
        "maps/__init__.py": (
            "from maps import admin\nfrom .web import build\n\n"
            'web = build()\nweb.include_router(admin.router, prefix="/admin")\n'
        ),
        "maps/web.py": (
            "from fastapi import FastAPI\n\nfrom maps import tiles\n\n\n"
            "def build():\n    app = FastAPI()\n    app.include_router(tiles.router)\n"
            "    return app\n"
        ),
        "maps/tiles.py": ROUTER.replace("{path}", "tiles").replace("{name}", "tiles"),
        "maps/admin.py": ROUTER.replace("{path}", "stats").replace("{name}", "stats"),
    }
    write_files(root, files)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "maps:web"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "', '"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include the telemetry router in `app in build()`" in generated.stdout
    assert "log call in stats (GET /admin/stats)" in generated.stdout
    assert "log call in tiles (GET /tiles)" in generated.stdout
    assert "cannot tell" not in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_module_named_setup_in_a_namespace_package_is_no_project_file(tmp_path: Path) -> None:
    """`wallet/runner/setup.py` defining the app factory `setup()` is a module of the package,
    not a setuptools script marking `wallet/runner/` as a project folder of its own: the app
    is found (built there, held by `wallet/runner/asgi.py`), with no `__init__.py` anywhere."""
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "wallet/runner/setup.py": (
            "from fastapi import FastAPI\n\nfrom wallet.api.routes import router\n\n\n"
            "def setup() -> FastAPI:\n    app = FastAPI()\n    app.include_router(router)\n"
            "    return app\n"
        ),
        "wallet/runner/asgi.py": "from wallet.runner.setup import setup\n\napp = setup()\n",
        "wallet/api/routes.py": ROUTER.replace("{path}", "wallets").replace("{name}", "wallets"),
    }
    write_files(root, files)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "wallet.runner.asgi:app"' in plan
    assert '# "api/routes.py" = "ai_block_used"' in plan
