"""Import strings naming an attribute path (``main:service.api``), as uvicorn resolves them."""

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

HELD = """from fastapi import FastAPI

from depot.views import router


class Service:
    def __init__(self) -> None:
        self.api = FastAPI()
        self.api.include_router(router)


admin = FastAPI()
service = Service()
"""


def _write(root: Path, main: str, extra: dict[str, str]) -> None:
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "depot"\n',
            "depot/__init__.py": "",
            "depot/views.py": VIEWS,
            "depot/main.py": main,
            **extra,
        },
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"Procfile": "web: uvicorn depot.main:service.api --port $PORT\n"},
        {"Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "depot.main:service.api"]\n'},
        {
            "run.py": 'import uvicorn\n\nif __name__ == "__main__":\n'
            '    uvicorn.run("depot.main:service.api", port=8000)\n'
        },
    ],
    ids=["procfile", "dockerfile", "uvicorn-run"],
)
def test_an_attribute_path_the_server_is_given_names_the_app(
    tmp_path: Path, extra: dict[str, str]
) -> None:
    """uvicorn resolves `depot.main:service.api` by getattr, attribute after attribute: the app
    served is the one `Service.__init__` builds as `self.api`, not the module's other app;
    init names it, generate wires the router into it, the quickstart serves it."""
    root = tmp_path / "project"
    _write(root, HELD, extra)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "depot.main:service.api"' in plan, plan
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    main = (root / "depot/main.py").read_text()
    wired = main.index("include_router(telemetry_router")
    assert main.index("self.api = FastAPI()") < wired < main.index("admin = FastAPI()"), main
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert "uvicorn depot.main:service.api --port 8000" in quickstart
    assert "from depot.main import service\n" in quickstart
    assert "app = service.api\n" in quickstart
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_an_attribute_path_the_model_cannot_follow_is_refused(tmp_path: Path) -> None:
    """`depot.main:registry.api`, `registry` built by a library call: which app it holds is
    not known, and the module's other app is not the one served; init says so."""
    root = tmp_path / "project"
    main = (
        "from fastapi import FastAPI\n\nfrom depot.views import router\nfrom plugins import "
        "load\n\nadmin = FastAPI()\nadmin.include_router(router)\nregistry = load()\n"
    )
    _write(root, main, {"Procfile": "web: uvicorn depot.main:registry.api\n"})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2, result.stdout
    assert "depot.main:registry.api" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert 'app = "depot.main:admin"' not in result.stdout


def test_the_app_key_takes_an_attribute_path(tmp_path: Path) -> None:
    """`app = "depot.main:service.api"` written by hand is read as uvicorn reads it."""
    root = tmp_path / "project"
    _write(
        root,
        HELD,
        {
            "pyproject.toml": '[project]\nname = "depot"\n\n[tool.telemetry-scaffold]\n'
            'backend = "."\napp-package = "depot"\napp = "depot.main:service.api"\n'
            '\n[tool.telemetry-scaffold.instrument]\n"views.py" = "ai_block_used"\n'
        },
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    main = (root / "depot/main.py").read_text()
    assert main.index("self.api = FastAPI()") < main.index("include_router(telemetry_router")


def test_gunicorn_given_an_attribute_path_names_no_app(tmp_path: Path) -> None:
    """gunicorn refuses `depot.main:service.api` (it takes a name or a call of one after the
    colon): its command line names no app, and init does not take that path for the app."""
    root = tmp_path / "project"
    procfile = "web: gunicorn -k uvicorn.workers.UvicornWorker depot.main:service.api\n"
    _write(root, HELD, {"Procfile": procfile})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2, result.stdout
    assert "several FastAPI apps" in result.stderr, result.stderr


def test_an_instance_held_by_a_module_variable_names_its_app(tmp_path: Path) -> None:
    """With no command line, the one app, built as `self.api` by a class whose one instance a
    module variable holds (`service = Service()`), is named by the path a server follows:
    init no longer refuses it as an app no import string can name."""
    root = tmp_path / "project"
    _write(root, HELD.replace("admin = FastAPI()\n", ""), {})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "depot.main:service.api"' in result.stdout, result.stdout


def test_a_class_no_module_variable_holds_is_still_refused(tmp_path: Path) -> None:
    """Two instances (`a = Service()`, `b = Service()`) are two apps: no one path names it."""
    root = tmp_path / "project"
    main = HELD.replace(
        "admin = FastAPI()\nservice = Service()\n", "a = Service()\nb = Service()\n"
    )
    _write(root, main, {})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2, result.stdout
    assert "no module variable holds it" in result.stderr, result.stderr


FACTORY = """from fastapi import FastAPI

from depot.views import router


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app
"""

RUNNER = """import asyncio

import uvicorn

from depot.factory import create_app


async def main() -> None:
    app = create_app()
    server = uvicorn.Server(uvicorn.Config(app, port=8000))
    await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.mark.parametrize("kind", ["async", "sync-run"])
def test_a_runner_serving_a_simple_factory_names_the_factory(tmp_path: Path, kind: str) -> None:
    """`async def main(): app = create_app(); ... Server(Config(app)).serve()`: the app served
    is what `create_app()`, taking no arguments, builds; a server reaches it by
    `uvicorn --factory`, a test by `TestClient(create_app())`. init names the factory, and the
    quickstart gives commands that import it, not a note that no script can reach it."""
    runner = RUNNER
    if kind == "sync-run":
        runner = (
            "import uvicorn\n\nfrom depot.factory import create_app\n\n\ndef main() -> None:\n"
            "    app = create_app()\n    uvicorn.run(app, port=8000)\n\n\n"
            'if __name__ == "__main__":\n    main()\n'
        )
    root = tmp_path / "project"
    _write(root, runner, {"depot/factory.py": FACTORY})
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "depot.main:create_app"' in plan, plan
    assert run("generate", "--root", str(root)).exit_code == 0
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert "uvicorn depot.main:create_app --factory --port 8000" in quickstart, quickstart
    assert "app = create_app()\n" in quickstart


def test_a_runner_changing_the_app_it_builds_stays_the_app(tmp_path: Path) -> None:
    """`app = create_app(); app.include_router(extra)` in the runner: `create_app()` alone is
    not the app served, so the runner stays the one named."""
    runner = RUNNER.replace(
        "    app = create_app()\n",
        "    app = create_app()\n    app.include_router(router, prefix='/v2')\n",
    ).replace("from depot.factory", "from depot.views import router\nfrom depot.factory")
    root = tmp_path / "project"
    _write(root, runner, {"depot/factory.py": FACTORY})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "depot.main:main"' in result.stdout, result.stdout


TWO_APPS = """from fastapi import FastAPI

from depot.views import router

app = FastAPI()
app.include_router(router)
admin = FastAPI()
admin.include_router(router, prefix="/admin")
"""


@pytest.mark.parametrize(
    "extra",
    [
        {"Procfile": "web: uvicorn depot:main.admin\n"},
        {
            "run.py": "import uvicorn\n\nfrom depot import main\n\n"
            'if __name__ == "__main__":\n    uvicorn.run(main.admin)\n'
        },
        {"Procfile": "web: uvicorn 'depot.main:service.class'\n"},
    ],
    ids=["package-then-module", "attribute-of-an-imported-module", "a-keyword"],
)
def test_a_path_through_a_submodule_names_its_app(tmp_path: Path, extra: dict[str, str]) -> None:
    """`depot:main.admin` (a package, then its submodule) is `depot.main:admin`; so is
    `uvicorn.run(main.admin)` after `from depot import main`. A path with a keyword names
    nothing a server can follow: a clear error, no traceback."""
    root = tmp_path / "project"
    _write(root, TWO_APPS, extra)
    result = run("init", "--root", str(root), "--dry-run")
    if "Procfile" in extra and "class" in extra["Procfile"]:
        assert result.exit_code == 2, result.stdout
        assert "depot.main:service.class" in result.stderr and "Traceback" not in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert 'app = "depot.main:admin"' in result.stdout, result.stdout


STARRED = """from fastapi import FastAPI

from depot.views import router

{name} = FastAPI()
{name}.include_router(router)
{extra}"""

# A second app, the one a plan falling back on `main.py` would take instead.
DECOY = "from fastapi import FastAPI\n\napp = FastAPI()\n"


@pytest.mark.parametrize(
    ("name", "extra", "runner"),
    [
        ("app", "", "from depot.served import *\n\nif __name__ == '__main__':\n"),
        (
            "_api",
            '__all__ = ["_api", "router"]\n',
            "from depot.served import *\n\nif __name__ == '__main__':\n",
        ),
        (
            "app",
            "",
            "from depot.reexport import *\n\nif __name__ == '__main__':\n",
        ),
    ],
    ids=["public-name", "all-lists-private-name", "star-of-a-star"],
)
def test_a_runner_serving_an_app_a_star_import_binds_names_its_module(
    tmp_path: Path, name: str, extra: str, runner: str
) -> None:
    """`from depot.served import *` then `uvicorn.run(app)`: Python binds `app` from that
    module (its `__all__` when given, else its public names, through a star import of a star
    import too): init names `depot.served:<name>`, not the other module's app."""
    root = tmp_path / "project"
    _write(
        root,
        DECOY,
        {
            "depot/served.py": STARRED.format(name=name, extra=extra),
            "depot/reexport.py": "from depot.served import *\n",
            "run.py": f"import uvicorn\n\n{runner}    uvicorn.run({name}, port=8000)\n",
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    plan = (root / "pyproject.toml").read_text()
    target = "depot.reexport" if "reexport" in runner else "depot.served"
    assert f'app = "{target}:{name}"' in plan, plan
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include_router(telemetry_router" in (root / "depot/served.py").read_text()


def test_a_star_import_whose_all_leaves_the_name_out_does_not_bind_it(tmp_path: Path) -> None:
    """`__all__ = ["router"]` in the starred module: `from depot.served import *` binds no
    `app` in run.py, so run.py names no app there (the plan does not take `depot.served`)."""
    root = tmp_path / "project"
    _write(
        root,
        DECOY,
        {
            "depot/served.py": STARRED.format(name="app", extra='__all__ = ["router"]\n'),
            "run.py": "import uvicorn\n\nfrom depot.served import *\n\n"
            "if __name__ == '__main__':\n    uvicorn.run(app, port=8000)\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert 'app = "depot.served:app"' not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("deleted", [False, True], ids=["kept", "deleted"])
def test_an_app_key_on_a_star_re_export_honours_a_del(tmp_path: Path, deleted: bool) -> None:
    """`app = "depot.reexport:app"`, depot/reexport.py `from depot.served import *`: the app is
    wired where depot/served.py builds it; a `del app` after the star import unbinds it, as
    Python does, so the key names nothing there (exit 2, nothing written)."""
    root = tmp_path / "project"
    reexport = "from depot.served import *\n" + ("\ndel app\n" if deleted else "")
    _write(
        root,
        DECOY,
        {
            "depot/served.py": STARRED.format(name="app", extra=""),
            "depot/reexport.py": reexport,
            "pyproject.toml": '[project]\nname = "depot"\n\n[tool.telemetry-scaffold]\n'
            'backend = "."\napp-package = "depot"\napp = "depot.reexport:app"\n'
            '\n[tool.telemetry-scaffold.instrument]\n"views.py" = "ai_block_used"\n',
        },
    )
    before = snapshot(root)
    generated = run("generate", "--root", str(root))
    if not deleted:
        assert generated.exit_code == 0, generated.stdout + generated.stderr
        assert "include_router(telemetry_router" in (root / "depot/served.py").read_text()
        return
    assert generated.exit_code == 2, generated.stdout
    assert "depot/reexport.py has no top-level `app`" in generated.stderr, generated.stderr
    assert snapshot(root) == before


RUN_STARRED = (
    "import uvicorn\n\nfrom {source} import *\n\n"
    "if __name__ == '__main__':\n    uvicorn.run(app, port=8000)\n"
)


@pytest.mark.parametrize(
    "extra",
    [
        '__all__ = ["router"]\n__all__ += ["app"]\n',
        '__all__ = ["router"]\n__all__.append("app")\n',
        '__all__ = ["router"]\n__all__.extend(("app",))\n',
        '__all__ = ["router"] + ["app"]\n',
    ],
    ids=["iadd", "append", "extend", "sum"],
)
def test_a_star_import_follows_literal_extensions_of_all(tmp_path: Path, extra: str) -> None:
    """`__all__` extended by literals at the top level lists `app`: `from depot.served import
    *` binds it, and run.py's app is `depot.served:app`, not the other module's."""
    root = tmp_path / "project"
    _write(
        root,
        DECOY,
        {
            "depot/served.py": STARRED.format(name="app", extra=extra),
            "run.py": RUN_STARRED.format(source="depot.served"),
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "depot.served:app"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("files", "source"),
    [
        (
            {
                "depot/served.py": "import os\n__all__ = ['router']\nif os.environ.get('X'):\n"
                "    __all__ += ['app']\n"
            },
            "depot.served",
        ),
        (
            {
                "depot/served.py": "__all__ = ['router']\n\n\ndef more() -> None:\n"
                "    global __all__\n    __all__ = ['app']\n\n\nmore()\n"
            },
            "depot.served",
        ),
        ({"depot/served.py": "__all__ = list(('router', 'app'))\n"}, "depot.served"),
        (
            {"depot/served.py": "__all__ = ['router', 'app']\n__all__.remove('app')\n"},
            "depot.served",
        ),
        (
            {
                "depot/__init__.py": "__all__ = ['app']\n\n\n"
                "def __getattr__(name: str) -> object:\n    if name == 'app':\n"
                "        from depot.served import app\n\n        return app\n"
                "    raise AttributeError(name)\n"
            },
            "depot",
        ),
    ],
    ids=["conditional", "in-a-function", "not-literal", "removed", "lazy-getattr"],
)
def test_a_star_import_of_an_all_not_known_names_nothing(
    tmp_path: Path, files: dict[str, str], source: str
) -> None:
    """`__all__` changed under a condition, in a function, by a call or a removal, or listing
    a name a lazy `__getattr__` makes: what the star import binds is not known, so run.py's
    `app` is not taken from it (the plan never names `depot.served:app` or `depot:app`)."""
    root = tmp_path / "project"
    served = {
        path: (STARRED.format(name="app", extra=text) if path == "depot/served.py" else text)
        for path, text in files.items()
    }
    _write(
        root,
        DECOY,
        {
            "depot/served.py": STARRED.format(name="app", extra=""),
            **served,
            "run.py": RUN_STARRED.format(source=source),
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert "Traceback" not in result.stderr
    assert 'app = "depot.served:app"' not in result.stdout, result.stdout
    assert 'app = "depot:app"' not in result.stdout, result.stdout
