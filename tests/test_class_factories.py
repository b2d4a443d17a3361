"""Apps built by a class's methods (`Application.create()`): found and wired in the method."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_support import run, snapshot, write_files

VIEWS = """from fastapi import APIRouter

router = APIRouter()


@router.get("/notes")
async def notes() -> list[str]:
    return []
"""

CLASS_METHOD = """from fastapi import FastAPI

from svc.views import router


class Application:
    @classmethod
    def create(cls) -> FastAPI:
        app = FastAPI(title="svc")
        app.include_router(router)
        return app
"""

STATIC_METHOD = CLASS_METHOD.replace("@classmethod", "@staticmethod").replace("(cls)", "()")

INSTANCE_METHOD = """from fastapi import FastAPI

from svc.views import router


class Application:
    def __init__(self) -> None:
        self.title = "svc"

    def build(self):
        app = FastAPI(title=self.title)
        app.include_router(router)
        return app
"""


def _project(root: Path, application: str, main: str) -> None:
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            "svc/views.py": VIEWS,
            "svc/application.py": application,
            "svc/main.py": main,
        },
    )


def _generate_and_remove(root: Path, method: str) -> None:
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert f"include the telemetry router in `app in Application.{method}()`" in generated.stdout
    assert "log call in notes (GET /notes)" in generated.stdout
    application = (root / "svc/application.py").read_text()
    # Included in the method, after the app's own routers and before it is returned.
    assert (
        "        app.include_router(router)\n"
        "        app.include_router(telemetry_router)\n"
        "        install_error_capture(app)\n"
        "        return app\n"
    ) in application
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


@pytest.mark.parametrize(
    ("application", "main", "method"),
    [
        (CLASS_METHOD, "app = Application.create()\n", "create"),
        (STATIC_METHOD, "app = Application.create()\n", "create"),
        (INSTANCE_METHOD, "app = Application().build()\n", "build"),
        (INSTANCE_METHOD, "builder = Application()\napp = builder.build()\n", "build"),
    ],
    ids=["classmethod", "staticmethod", "instance", "instance-variable"],
)
def test_a_module_variable_holding_what_a_class_method_builds_is_the_app(
    tmp_path: Path, application: str, main: str, method: str
) -> None:
    """`app = Application.create()`: the app is built in the method, wired there."""
    root = tmp_path / "project"
    _project(root, application, "from svc.application import Application\n\n" + main)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "svc.main:app"' in (root / "pyproject.toml").read_text()
    _generate_and_remove(root, method)


@pytest.mark.parametrize("application", [CLASS_METHOD, STATIC_METHOD])
def test_a_class_method_a_server_calls_as_a_factory_is_the_app(
    tmp_path: Path, application: str
) -> None:
    """`uvicorn.run("svc.application:Application.create", factory=True)`: uvicorn follows the
    attribute path and calls it, so `init` names it as a factory.
    """
    root = tmp_path / "project"
    main = (
        "import uvicorn\n\n"
        'if __name__ == "__main__":\n'
        '    uvicorn.run("svc.application:Application.create", factory=True)\n'
    )
    _project(root, application, main)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "svc.application:Application.create"' in (root / "pyproject.toml").read_text()
    _generate_and_remove(root, "create")


def test_an_instance_method_is_no_factory_of_the_class(tmp_path: Path) -> None:
    """`Application.build` needs an instance no server makes: no import string names it."""
    root = tmp_path / "project"
    _project(root, INSTANCE_METHOD, "")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "svc"\napp = "svc.application:Application.build"\n'
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code != 0
    assert "Application.build" in generated.stdout + generated.stderr


@pytest.mark.parametrize("application", [CLASS_METHOD, STATIC_METHOD])
def test_a_function_serving_what_a_class_method_builds_serves_that_app(
    tmp_path: Path, application: str
) -> None:
    """`def main(): app = Application.create(); uvicorn.run(app)`: the app served is the one
    the method builds, which `init` names as the factory a server and a test reach it by.
    """
    root = tmp_path / "project"
    main = (
        "import uvicorn\n\n"
        "from svc.application import Application\n\n\n"
        "def main() -> None:\n"
        "    app = Application.create()\n"
        '    uvicorn.run(app, host="0.0.0.0")\n'
    )
    _project(root, application, main)
    initialised = run("init", "--root", str(root))
    assert initialised.exit_code == 0, initialised.stdout + initialised.stderr
    assert 'app = "svc.main:Application.create"' in (root / "pyproject.toml").read_text()
    _generate_and_remove(root, "create")
