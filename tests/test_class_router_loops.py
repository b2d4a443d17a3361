"""Routers a method includes in a loop over a class attribute (`for r in self.routers`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, snapshot, write_files


def _router(name: str) -> str:
    return f"""from fastapi import APIRouter

router = APIRouter(prefix="/{name}")


@router.get("/items")
async def items_{name}() -> list[str]:
    return []
"""


REGISTRY = """from fastapi import FastAPI

from svc import a, b


class RouterBase:
    routers = [a.router, b.router]

    def register(self, app: FastAPI) -> None:
        for r in self.routers:
            app.include_router(r, prefix="/api")
"""

MAIN = """from fastapi import FastAPI

from svc.registry import RouterBase

app = FastAPI()
RouterBase().register(app)
"""


def _generate(root: Path, registry: str, main: str = MAIN) -> str:
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            "svc/a.py": _router("a"),
            "svc/b.py": _router("b"),
            "svc/registry.py": registry,
            "svc/main.py": main,
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        plan.replace('# "a.py"', '"a.py"').replace('# "b.py"', '"b.py"')
    )
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned
    return generated.stdout


def test_a_loop_over_a_class_attribute_list_includes_its_routers(tmp_path: Path) -> None:
    """`routers = [a.router, b.router]` in the class body: read statically, under the prefix."""
    out = _generate(tmp_path / "project", REGISTRY)
    assert "log call in items_a (GET /api/a/items)" in out
    assert "log call in items_b (GET /api/b/items)" in out
    assert "only known at run time" not in out


@pytest.mark.parametrize(
    "registry",
    [
        # An instance's own list, set in __init__, is what `self.routers` reads.
        REGISTRY.replace(
            "    def register",
            "    def __init__(self) -> None:\n"
            "        self.routers = [a.router]\n\n"
            "    def register",
        ),
        # Changed in place: its items are not the literal's.
        REGISTRY.replace(
            "        for r in self.routers:",
            "        self.routers.append(b.router)\n        for r in self.routers:",
        ),
        # Not a literal.
        REGISTRY.replace("[a.router, b.router]", "list(a.ROUTERS)").replace(
            "from svc import a, b", "from svc import a, b  # noqa: F401"
        ),
    ],
    ids=["instance-attribute", "appended", "not-a-literal"],
)
def test_a_class_attribute_that_may_hold_other_routers_is_read_at_run_time(
    tmp_path: Path, registry: str
) -> None:
    out = _generate(tmp_path / "project", registry)
    assert "the routers this loop includes are only known at run time" in out
    assert "GET /api/a/items" not in out


def test_a_subclass_giving_its_own_routers_is_read_at_run_time(tmp_path: Path) -> None:
    """`class Public(RouterBase): routers = [a.router]`: `self.routers` depends on the instance."""
    main = MAIN.replace(
        "from svc.registry import RouterBase\n",
        "from svc import a\nfrom svc.registry import RouterBase\n\n\n"
        "class Public(RouterBase):\n    routers = [a.router]\n\n",
    ).replace("RouterBase().register(app)", "Public().register(app)")
    out = _generate(tmp_path / "project", REGISTRY, main)
    assert "the routers this loop includes are only known at run time" in out
