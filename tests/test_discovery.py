"""Where the app is found: one small project per shape, each with the exact site or error.

Each case is a folder under ``tests/discovery/``: a ``pyproject.toml`` and a ``backend/``; the
table below says what discovery must answer for it. Discovery never imports the backend, so the
cases need not even import cleanly.
"""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from telemetry_cli.errors import ConfigError
from telemetry_cli.patching import analyze
from telemetry_cli.patching.apps import is_build_output
from telemetry_cli.plan import load_plan

CASES_DIR = Path(__file__).resolve().parent / "discovery"


@dataclass(frozen=True)
class Found:
    """The app was found: where it is wired, and how servers import it."""

    patched: str  # the file that gets the include_router line
    after: str  # the line the wiring follows
    statement: str  # the inserted wiring line, stripped
    serve: str  # the import string documents give to uvicorn
    factory: bool = False


@dataclass(frozen=True)
class Refused:
    """Discovery fails with exactly this one-line message (exit 2)."""

    message: str


@dataclass(frozen=True)
class Broken:
    """The module that should build the app cannot be read: an error for that file (exit 1)."""

    path: str
    message: str


EXPECTED: dict[str, Found | Refused | Broken] = {
    "main-module-level": Found(
        "backend/app/main.py",
        'app = FastAPI(title="Shop")',
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    "server-py": Found(
        "backend/app/server.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.server:app",
    ),
    "app-py": Found(
        "backend/app/app.py",
        "application = FastAPI()",
        "application.include_router(telemetry_router)",
        "app.app:application",
    ),
    "api-py": Found(
        "backend/app/api.py",
        "api = FastAPI()",
        "api.include_router(telemetry_router)",
        "app.api:api",
    ),
    "package-init": Found(
        "backend/app/__init__.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app:app",
    ),
    "src-layout": Found(
        "src/shop/main.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "shop.main:app",
    ),
    "factory-called-from-main": Found(
        "backend/app/core/factory.py",
        "    app.include_router(orders.router)",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    # A (cached) factory returning another factory's call: wired where that one builds it.
    "factory-returns-a-factory-call": Found(
        "backend/app/application.py",
        '    app = FastAPI(title="Scheduler API")',
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    # A factory returning FastAPI(...) unnamed, its result unpacked at module level.
    "app-unpacked-from-a-tuple": Found(
        "backend/app/application.py",
        "app, INSTANCE = create(), None",
        "app.include_router(telemetry_router)",
        "app.application:app",
    ),
    "factory-without-main": Found(
        "backend/app/bootstrap.py",
        "    application = FastAPI(debug=False)",
        "application.include_router(telemetry_router)",
        "app.bootstrap:get_application",
        factory=True,
    ),
    "factory-in-main": Found(
        "backend/app/main.py",
        "    app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    "if-else-branches": Found(
        "backend/app/main.py",
        "    app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    "attribute-app": Found(
        "backend/app/main.py",
        "        self.app = FastAPI(title=name)",
        "self.app.include_router(telemetry_router)",
        "app.main:app",
    ),
    # `app = create_app()`, which returns `gateway.app`, which the class sets from a method that
    # builds the app in a variable: wired in that method.
    "attribute-built-by-method": Found(
        "backend/app/server.py",
        "        app = FastAPI(title=self.title)",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    # `app = Registry.get()`, a classmethod returning the app a classmethod keeps on the class
    # (`cls.APP = FastAPI()`): wired where the class builds it.
    "class-attribute-app": Found(
        "backend/app/registry.py",
        '        cls.APP = FastAPI(title="Registry")',
        "cls.APP.include_router(telemetry_router)",
        "app.main:app",
    ),
    "main-reexports": Found(
        "backend/app/server.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    "fastapi-subclass": Found(
        "backend/app/service.py",
        "app = ShopAPI()",
        "app.include_router(telemetry_router)",
        "app.service:app",
    ),
    # `from fastapi import *` binds FastAPI (and APIRouter) as naming them would: the subclass
    # built at module level is the app.
    "fastapi-star-import": Found(
        "backend/app/main.py",
        "app = TodoApp()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    # setuptools' build folder holds copies of the modules: no app of the project.
    "build-lib-copy-ignored": Found(
        "server.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "server:app",
    ),
    "tests-folder-ignored": Found(
        "backend/app/server.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.server:app",
    ),
    "app-key-picks-one": Found(
        "backend/app/main.py",
        "public = FastAPI()",
        "public.include_router(telemetry_router)",
        "app.main:public",
    ),
    "app-key-factory": Found(
        "backend/app/main.py",
        "    app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.main:create_app",
        factory=True,
    ),
    "fastapi-entrypoint": Found(
        "backend/app/web.py",
        "site = FastAPI()",
        "site.include_router(telemetry_router)",
        "app.web:site",
    ),
    "factory-returns-directly-called": Found(
        "backend/app/main.py",
        "app = build()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    "two-apps-one-module": Refused(
        "backend/app/main.py: several FastAPI apps (app (line 3), admin (line 4)); pick one with "
        'app = "app.main:<name>" in [tool.telemetry-scaffold] of pyproject.toml'
    ),
    # A sub-application mounted into another app is served through it: the outer one is wired.
    "sub-app-mounted-in-function": Found(
        "backend/app/main.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    "app-mounted-in-two-modules": Found(
        "backend/app/server.py",
        "server = FastAPI()",
        "server.include_router(telemetry_router)",
        "app.server:server",
    ),
    # Of several apps, the one the package points its server at by an import string.
    "app-named-by-import-string": Found(
        "backend/shop/proxy/server.py",
        'app = FastAPI(title="Proxy")',
        "app.include_router(telemetry_router)",
        "shop.proxy.server:app",
    ),
    # A module variable beside a factory the module calls, the module naming the variable for its
    # own server run (`uvicorn.run("main:app")`): that variable is what the module serves.
    "app-named-by-its-own-run-call": Found(
        "backend/app/main.py",
        "app = FastAPI()",
        "app.include_router(telemetry_router)",
        "app.main:app",
    ),
    # A factory and a cached wrapper of it are one app, named once.
    "two-apps-one-cached": Refused(
        "several FastAPI apps found (app.core:create_app, app.logs:create_log_app); pick one "
        'with app = "<module>:<name>" in [tool.telemetry-scaffold] of pyproject.toml'
    ),
    "apps-in-two-modules": Refused(
        "several FastAPI apps found (app.internal:app, app.public:app); pick one with "
        'app = "<module>:<name>" in [tool.telemetry-scaffold] of pyproject.toml'
    ),
    "no-app": Refused(
        "no FastAPI app found in backend/app/ (looked for `FastAPI(...)` and factory functions "
        'that return one); set app = "<module>:<name>" in [tool.telemetry-scaffold] of '
        "pyproject.toml"
    ),
    "factory-returns-directly": Refused(
        "backend/app/factory.py:4: make() returns the app without naming it; assign it first "
        "(app = FastAPI(...), then return app) so that the telemetry router can be included"
    ),
    "app-key-missing-module": Refused(
        "app = 'app.server:app': module app.server not found (app/server.py or "
        "app/server/__init__.py in the backend folder); fix app in pyproject.toml"
    ),
    "app-key-missing-attribute": Refused(
        "app = 'app.main:application': backend/app/main.py has no top-level `application`; "
        "fix app in pyproject.toml"
    ),
    "main-syntax-error": Broken(
        "backend/app/main.py",
        "backend/app/main.py:3:14: syntax error: '(' was never closed; fix it and rerun",
    ),
}


def _cases() -> list[str]:
    # Hidden folders (a linter's cache) are not cases.
    return sorted(
        path.name for path in CASES_DIR.iterdir() if path.is_dir() and not path.name.startswith(".")
    )


def test_every_case_folder_has_an_expectation() -> None:
    assert set(_cases()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_discovery(name: str, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(CASES_DIR / name, root)
    plan = load_plan(root=root)
    expected = EXPECTED[name]
    if isinstance(expected, Refused):
        with pytest.raises(ConfigError) as caught:
            analyze(plan)
        assert caught.value.message == expected.message
        assert "\n" not in caught.value.message
        return
    result = analyze(plan)
    if isinstance(expected, Broken):
        errors = [(item.path, item.error) for item in result.files if item.error]
        assert errors == [(expected.path, expected.message)]
        return
    wired = [item for item in result.files if item.path == expected.patched]
    assert len(wired) == 1, [item.path for item in result.files]
    patched = wired[0]
    assert patched.new is not None and patched.old is not None
    new_lines = patched.new.decode().splitlines()
    old_lines = patched.old.decode().splitlines()
    # Only added lines, and the wiring follows the expected line.
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    assert {tag for tag, *_ in matcher.get_opcodes()} <= {"equal", "insert"}
    statement = next(line for line in new_lines if line.strip() == expected.statement)
    assert new_lines.count(statement) == 1
    assert new_lines[new_lines.index(statement) - 1] == expected.after
    assert result.entry.import_string == expected.serve
    assert result.entry.factory is expected.factory
    assert result.entry.path == expected.patched
    # Found once, wired once: a second analysis of the patched file changes nothing.
    (root / expected.patched).write_bytes(patched.new)
    again = [item for item in analyze(plan).files if item.path == expected.patched]
    assert again[0].new == again[0].old


def test_only_setuptools_build_output_is_passed_over(tmp_path: Path) -> None:
    """`build/lib` is setuptools' copy of the modules; a package named `build` is the project's."""
    (tmp_path / "out/build/lib.linux-x86_64-cpython-312").mkdir(parents=True)
    (tmp_path / "own/build/lib").mkdir(parents=True)
    (tmp_path / "own/build/__init__.py").write_text("")
    (tmp_path / "plain/build/scripts").mkdir(parents=True)
    assert is_build_output(tmp_path / "out/build")
    assert not is_build_output(tmp_path / "own/build")
    assert not is_build_output(tmp_path / "plain/build")


#: Two plain apps of one module, each with a route: only the module naming one for its own
#: server run settles which it serves.
TWO_APPS = """from fastapi import FastAPI

app = FastAPI()
admin = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {}


@admin.get("/admin")
def panel() -> dict[str, str]:
    return {}
"""
#: A module variable beside a factory mounting a UI on it (`ui_app = create_app()`).
WITH_FACTORY = """from fastapi import FastAPI

from app.ui import mount_ui

app = FastAPI()


def create_app() -> FastAPI:
    wrapped = mount_ui(app, path="/")
    return wrapped


ui_app = create_app()
"""
GUARD = 'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run({!r})\n'


def _served(root: Path, path: str, source: str) -> str:
    """The import string discovery finds for a backend of one package holding ``path``."""
    (root / "backend/app").mkdir(parents=True)
    (root / "backend/app/__init__.py").write_text("")
    (root / "backend" / path).write_text(source)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.telemetry-scaffold]\ninstrument = {}\n'
    )
    try:
        return analyze(load_plan(root=root)).entry.import_string
    except ConfigError as error:
        assert "several FastAPI apps" in error.message, error.message
        return "several"


@pytest.mark.parametrize(
    ("path", "source", "served"),
    [
        ("app/main.py", TWO_APPS + GUARD.format("main:admin"), "app.main:admin"),
        ("app/main.py", TWO_APPS + GUARD.format("app.main:admin"), "app.main:admin"),
        ("app/main.py", TWO_APPS + GUARD.format("__main__:admin"), "app.main:admin"),
        ("app/server.py", TWO_APPS + GUARD.format("server:admin"), "app.server:admin"),
        ("app/server.py", TWO_APPS + GUARD.format("__main__:admin"), "app.server:admin"),
        (
            "app/main.py",
            TWO_APPS
            + 'import uvicorn\n\n\ndef main() -> None:\n    uvicorn.run("main:admin")\n\n\n'
            'if __name__ == "__main__":\n    main()\n',
            "app.main:admin",
        ),
        # Strings that are no server call run with the module: nothing settled.
        ("app/main.py", TWO_APPS + 'import logging\n\nlogging.info("main:admin")\n', "several"),
        ("app/main.py", TWO_APPS + 'ROUTES = {"main:admin": 1}\n', "several"),
        ("app/main.py", TWO_APPS + 'SCOPES = {"main:read": "r", "main:admin": "a"}\n', "several"),
        ("app/main.py", '"""main:admin"""\n\n' + TWO_APPS, "several"),
        (
            "app/main.py",
            TWO_APPS
            + 'import uvicorn\n\n\ndef run_admin() -> None:\n    uvicorn.run("main:admin")\n',
            "several",
        ),
        (
            "app/main.py",
            TWO_APPS + 'import uvicorn\n\nif __name__ != "__main__":\n    pass\n'
            'else:\n    uvicorn.run("main:admin")\n',
            "several",
        ),
        # Two run calls naming two apps: still two.
        (
            "app/main.py",
            TWO_APPS + 'import uvicorn\n\nif __name__ == "__main__":\n'
            '    uvicorn.run("main:app")\n    uvicorn.run("main:admin", port=9000)\n',
            "several",
        ),
        # A string naming the factory: the factory's app may be the one served.
        ("app/main.py", WITH_FACTORY + GUARD.format("main:create_app"), "several"),
        # A variable only the guard assigns never exists when uvicorn imports the module.
        (
            "app/main.py",
            'from fastapi import FastAPI\n\napp = FastAPI()\n\nif __name__ == "__main__":\n'
            '    import uvicorn\n\n    dev = FastAPI()\n    uvicorn.run("main:dev")\n',
            "several",
        ),
    ],
    ids=[
        "tail",
        "dotted",
        "main-as-script",
        "tail-outside-main-py",
        "main-as-script-outside-main-py",
        "function-the-guard-calls",
        "logging",
        "dict-key",
        "oauth-scopes",
        "docstring",
        "helper-nobody-runs",
        "else-of-a-negated-guard",
        "two-run-calls",
        "factory",
        "guard-only-variable",
    ],
)
def test_a_module_names_its_app_only_in_its_own_server_run(
    tmp_path: Path, path: str, source: str, served: str
) -> None:
    """`uvicorn.run("main:admin")` run with the module as a script picks `admin` of two apps,
    by any name the module has for itself; any other string shaped like it picks nothing."""
    assert _served(tmp_path, path, source) == served
