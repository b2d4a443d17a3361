"""Apps a class builds as an attribute (`self.web = FastAPI()`): named where a module holds one."""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import run, snapshot, write_files

VIEWS = """from fastapi import APIRouter

router = APIRouter()


@router.get("/notes")
async def notes() -> list[str]:
    return []
"""

SERVICE = """from fastapi import FastAPI

from relay.views import router


class Relay:
    def __init__(self, token: str) -> None:
        self.token = token
        self.web = FastAPI(title="relay")
        self.web.include_router(router)
"""


def test_a_module_holding_a_class_built_app_without_naming_fastapi_is_the_app(
    tmp_path: Path,
) -> None:
    """`app = Relay(token).web` in a module that never writes `FastAPI`: that variable is what
    a server imports, so `init` names it (not the class attribute, which no server can import).
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": SERVICE,
            "relay/serve.py": (
                "import os\n\nfrom relay.service import Relay\n\n"
                'app = Relay(os.environ.get("TOKEN", "")).web\n'
            ),
        },
    )
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "relay.serve:app"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in notes (GET /notes)" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_an_app_only_a_class_holds_is_said_with_the_fix(tmp_path: Path) -> None:
    """No module variable holds `Relay(...).web`: `init` says so (exit 2) and writes nothing,
    instead of an `app` key (`relay.service:Relay.web`) that names no importable object."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "relay"\n',
            "relay/__init__.py": "",
            "relay/views.py": VIEWS,
            "relay/service.py": SERVICE,
        },
    )
    planned = snapshot(root)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 2, initialised.stdout + initialised.stderr
    assert initialised.stderr == (
        "error: relay/service.py:9: the app is built in a class (self.web in Relay.__init__()) "
        "and no module variable holds it, so no server can import it; hold it in one "
        "(app = Relay(...).web), then run again\n"
    )
    assert snapshot(root) == planned
