"""An app factory that takes arguments: `uvicorn --factory` calls it with none.

The wiring goes inside the factory as for any other; the quickstart runs a module variable that
holds the factory's result when the backend has one (`app = build(Store())`), or a function
without arguments returning it (run as the factory), else it says in one line that the backend
starts the project's way, and shows no command that cannot work.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import run

ORDERS_PY = '''"""Orders."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/orders")
def list_orders() -> list[str]:
    return ["o1"]
'''

FACTORY_PY = '''"""The app, built around the store it is given."""

from fastapi import FastAPI

from shop.routes import orders


def build({parameters}) -> FastAPI:
    api = FastAPI(title="shop")
    api.state.store = store
    api.include_router(orders.router)
    return api
'''

SERVER_PY = '''"""What the server runs."""

from shop.factory import build


class Store:
    pass


{name} = build(store=Store())
'''


def _project(root: Path, parameters: str, server: tuple[str, str] | None) -> Path:
    """A backend whose factory takes ``parameters``; ``server``: (path, variable) calling it."""
    (root / "shop" / "routes").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "shop"\napp = "shop.factory:build"\n'
        'instrument = { "routes/orders.py" = "ai_block_used" }\n'
    )
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "routes" / "__init__.py").write_text("")
    (root / "shop" / "routes" / "orders.py").write_text(ORDERS_PY)
    (root / "shop" / "factory.py").write_text(FACTORY_PY.format(parameters=parameters))
    if server is not None:
        (root / server[0]).write_text(SERVER_PY.format(name=server[1]))
    return root


def _quickstart(root: Path) -> str:
    return next(root.glob("specs/*/quickstart.md")).read_text()


@pytest.mark.parametrize(
    ("server", "served"),
    [
        (("shop/server.py", "app"), "shop.server:app"),
        (("run.py", "application"), "run:application"),  # beside the package
        (("shop/server.py", "app: object"), "shop.server:app"),  # annotated
    ],
    ids=["in-package", "beside-package", "annotated"],
)
@pytest.mark.parametrize("parameters", ["store", "*, store", "store, debug=False"])
def test_the_quickstart_runs_the_variable_holding_the_factorys_result(
    tmp_path: Path, parameters: str, server: tuple[str, str], served: str
) -> None:
    root = _project(tmp_path / "project", parameters, server)
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert "api.include_router(telemetry_router)" in (root / "shop/factory.py").read_text()
    quickstart = _quickstart(root)
    assert " --factory --port" not in quickstart
    assert "factory=True" not in quickstart
    assert f"uvicorn {served} --port 8000" in quickstart
    assert f'uvicorn.run("{served}", port=8000)' in quickstart
    assert "`build` takes arguments (`store`)" in quickstart
    # The error step imports that variable, and its failing route is recorded.
    [script] = re.findall(r"python - <<'EOF'\n(.*?)\nEOF\n", quickstart, re.DOTALL)
    completed = subprocess.run(
        [sys.executable, "-"], input=script, cwd=root, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "500"
    assert '"route":"/quickstart-failure"' in completed.stderr
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "body",
    [
        "    return build(store=Store())\n",
        "    api = build(store=Store())\n    return api\n",
        "    api: object = build(store=Store())\n    return api\n",
    ],
    ids=["returned", "held-then-returned", "annotated-then-returned"],
)
def test_a_function_without_arguments_returning_its_result_is_run_as_the_factory(
    tmp_path: Path, body: str
) -> None:
    root = _project(tmp_path / "project", "store", None)
    (root / "shop" / "server.py").write_text(
        f"from shop.factory import build\n\n\nclass Store:\n    pass\n\n\ndef main_app():\n{body}"
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    quickstart = _quickstart(root)
    assert "uvicorn shop.server:main_app --factory --port 8000" in quickstart
    assert 'uvicorn.run("shop.server:main_app", factory=True, port=8000)' in quickstart
    assert "the command runs `shop.server:main_app`, which builds the app with them" in quickstart
    [script] = re.findall(r"python - <<'EOF'\n(.*?)\nEOF\n", quickstart, re.DOTALL)
    assert "app = main_app()" in script
    completed = subprocess.run(
        [sys.executable, "-"], input=script, cwd=root, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "500"


def test_without_such_a_variable_the_quickstart_says_how_the_backend_runs(tmp_path: Path) -> None:
    # Called only where the app is served from a function: no import string reaches it.
    root = _project(tmp_path / "project", "store", None)
    (root / "shop" / "cli.py").write_text(
        "import uvicorn\n\nfrom shop.factory import build\n\n\n"
        "def main() -> None:\n    uvicorn.run(build(object()))\n"
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    quickstart = _quickstart(root)
    assert " --factory --port" not in quickstart
    assert "uvicorn shop" not in quickstart
    assert "uvicorn.run(" not in quickstart
    assert "python - <<'EOF'" not in quickstart  # no error script calling build()
    said = [line for line in quickstart.splitlines() if "`uvicorn --factory` cannot pass" in line]
    assert len(said) == 1, said
    assert said[0].startswith("`build` takes arguments (`store`)")
    assert "start the backend the way the project does" in said[0]


def test_a_factory_whose_parameters_all_have_defaults_keeps_the_factory_command(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "project", "store=None", ("shop/server.py", "app"))
    assert run("generate", "--root", str(root)).exit_code == 0
    quickstart = _quickstart(root)
    assert "uvicorn shop.factory:build --factory --port 8000" in quickstart
    assert "takes arguments" not in quickstart
