"""Routers included from outside the project's folders: an installed package, a path dependency."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import run, snapshot, write_files

SHARED_HEALTH = """from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""

ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
"""

INCLUDES = {
    "imported-name": (
        "from sharedlib.health import router as health_router\n",
        'app.include_router(health_router, prefix="/ops")\n',
        "`health_router` (sharedlib.health.router)",
    ),
    "module-attribute": (
        "import sharedlib.health\n",
        'app.include_router(sharedlib.health.router, prefix="/ops")\n',
        "`sharedlib.health.router`",
    ),
    "in-a-loop": (
        "from sharedlib import health\n",
        'for module in (health, items):\n    app.include_router(module.router, prefix="/ops")\n',
        "`module.router` (sharedlib.health.router)",
    ),
}


@pytest.mark.parametrize("shape", sorted(INCLUDES))
def test_a_router_from_a_path_dependency_is_said_by_init_and_generate(
    tmp_path: Path, shape: str
) -> None:
    """`from sharedlib.health import router` of a uv path dependency (`../sharedlib`, outside
    the folders searched), included by the app: its routes answer, but no log call can go into
    them. `init` and `generate` say it in one line naming the include and the router's module;
    nothing was said, the routes silently not logged."""
    imported, include, named = INCLUDES[shape]
    root = tmp_path / "project"
    write_files(
        tmp_path,
        {"sharedlib/sharedlib/__init__.py": "", "sharedlib/sharedlib/health.py": SHARED_HEALTH},
    )
    write_files(
        root,
        {
            "pyproject.toml": (
                '[project]\nname = "svc"\ndependencies = ["sharedlib"]\n\n'
                '[tool.uv.sources]\nsharedlib = { path = "../sharedlib" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": (
                f"from fastapi import FastAPI\n{imported}\nfrom app import items\n\n"
                f"app = FastAPI()\napp.include_router(items.router)\n{include}"
            ),
        },
    )
    line = 8 if shape != "in-a-loop" else 9
    note = (
        f"backend/app/main.py:{line}: {named} is a router from outside the project's folders "
        "(an installed package or a path dependency): its routes are served but not logged"
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert note in " ".join(initialised.stdout.split()), initialised.stdout
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "items.py"', '"items.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    said = " ".join(generated.stdout.split())
    assert said.count(note) == 1, said
    assert "log call in get_item" in said
    assert (tmp_path / "sharedlib/sharedlib/health.py").read_text() == SHARED_HEALTH
    sys.path.insert(0, str(tmp_path / "sharedlib"))
    try:
        with imported_app(root / "backend") as served:
            assert TestClient(served.app).get("/ops/health").json() == {"status": "ok"}
    finally:
        sys.path.remove(str(tmp_path / "sharedlib"))
        for name in [name for name in sys.modules if name.partition(".")[0] == "sharedlib"]:
            del sys.modules[name]
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_router_of_the_project_is_not_said_to_come_from_outside(tmp_path: Path) -> None:
    """The package's own routers (imported absolutely or relatively) are no outside routers."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[tool.telemetry-scaffold]\ninstrument = { "items.py" = "ai_block_used" }\n'
            ),
            "backend/app/__init__.py": "",
            "backend/app/items.py": ITEMS,
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\nfrom .items import router as items_router\n\n"
                "app = FastAPI()\napp.include_router(items_router)\n"
            ),
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "outside the project" not in generated.stdout
