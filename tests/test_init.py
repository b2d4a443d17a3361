"""`init`: a first plan from what is in the project, then `generate` works on it unchanged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from telemetry_cli import init_plan
from telemetry_cli.errors import UserError
from tests.cli_support import REPO, Run, make_project, run, snapshot, write_files
from tests.timing_support import cpu_seconds

CORPUS = Path(__file__).resolve().parent / "corpus"

MAIN = '''"""A shop."""

from fastapi import FastAPI

from shop.routes import items

app = FastAPI()
app.include_router(items.router)
'''

ITEMS = """from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
def get_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@router.delete("/{item_id}")
def delete_item(item_id: int) -> None:
    return None
"""

PYPROJECT = """# The shop's project file: comments and layout must survive.
[project]
name = "shop"   # keep this spacing
version = "1.0"

[tool.ruff]
line-length = 88
"""


def _shop(root: Path, *, pyproject: str | None = PYPROJECT) -> Path:
    (root / "src/shop/routes").mkdir(parents=True)
    (root / "src/shop/__init__.py").write_text("")
    (root / "src/shop/routes/__init__.py").write_text("")
    (root / "src/shop/main.py").write_text(MAIN)
    (root / "src/shop/routes/items.py").write_text(ITEMS)
    # A virtual environment with FastAPI's own sources must not be mistaken for the app.
    venv = root / ".venv/lib/python3.11/site-packages/fastapi"
    venv.mkdir(parents=True)
    (venv / "__init__.py").write_text("from .applications import FastAPI\napp = FastAPI()\n")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    return root


def test_dry_run_prints_the_table_and_writes_nothing(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop")
    before = snapshot(root)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("[tool.telemetry-scaffold]\n")
    assert 'backend = "src"' in result.stdout
    assert 'app-package = "shop"' in result.stdout
    assert 'app = "shop.main:app"' in result.stdout
    assert '# "routes/items.py" = "ai_block_used"  # 2 route handlers' in result.stdout
    assert snapshot(root) == before


@pytest.mark.parametrize("pyproject", [PYPROJECT, None], ids=["edited", "created"])
def test_a_pyproject_written_meanwhile_is_refused_not_clobbered(
    tmp_path: Path, pyproject: str | None
) -> None:
    root = _shop(tmp_path / "shop", pyproject=pyproject)
    result = init_plan.plan_table(root)
    # Another program saves the file after init read it and before it writes.
    (root / "pyproject.toml").write_text("# saved by an editor\n")
    with pytest.raises(UserError, match=r"^pyproject\.toml: changed since telemetry-scaffold"):
        init_plan.write_plan(root, result)
    assert (root / "pyproject.toml").read_text() == "# saved by an editor\n"


def test_a_suggested_module_says_how_many_handlers_need_a_fix_first(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop")
    items = root / "src/shop/routes/items.py"
    # A docstring sharing its line with a statement, and a route on an object the tool cannot
    # tell is a router.
    items.write_text(
        ITEMS
        + '\n@router.get("/")\ndef list_items() -> list[int]:\n'
        + '    """Doc."""; x = []\n    return x\n'
        + "\n\n@outside.get('/x')\ndef elsewhere() -> None:\n    return None\n"
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    suggestion = '# "routes/items.py" = "ai_block_used"  # 3 route handlers; 2 to fix by hand '
    assert suggestion + "first (generate names them)" in result.stdout
    # As the suggestion says: generate names both.
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert ", 1 route module suggested for instrument;" in result.stdout
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('# "routes/items.py"', '"routes/items.py"'))
    result = run("generate", "--root", str(root))
    assert result.exit_code == 1
    assert "routes/items.py:" in result.stdout
    assert len(re.findall(r"routes/items\.py:\d+: ", result.stdout)) == 2


def test_a_module_whose_only_routes_need_a_fix_is_offered_with_them(tmp_path: Path) -> None:
    """`@ROUTERS[os.environ["KIND"]].get("/x")` only: no route the tool can tell (the key is
    only known at run time), yet generate would name them; init offers the module with them to
    fix (it offered nothing, so they went unsaid)."""
    root = _shop(tmp_path / "shop")
    (root / "src/shop/routes/books.py").write_text(
        "import os\n\n"
        "from fastapi import APIRouter\n\n"
        'ROUTERS = {"books": APIRouter(prefix="/books")}\n\n\n'
        '@ROUTERS[os.environ["KIND"]].get("/{book_id}")\n'
        "def book(book_id: int) -> int:\n"
        "    return book_id\n"
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert (
        '# "routes/books.py" = "ai_block_used"  # 1 to fix by hand first (generate names it)\n'
    ) in result.stdout, result.stdout


def test_an_inline_tool_table_is_refused_with_the_fix(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop", pyproject="tool = {ruff = {line-length = 88}}\n")
    before = snapshot(root)
    result = run("init", "--root", str(root))
    assert result.exit_code == 2
    assert "`tool` is an inline table" in result.stderr
    assert "write it as [tool.<name>] tables, then run init again" in result.stderr
    assert snapshot(root) == before


def test_a_linked_pyproject_is_written_through_keeping_the_link(tmp_path: Path) -> None:
    # A pyproject.toml that links to a shared one inside the root: the rename replaced the link
    # with a file, leaving the real file without the table and the link gone.
    root = _shop(tmp_path / "shop", pyproject=None)
    (root / "config").mkdir()
    (root / "config/pyproject.toml").write_text(PYPROJECT)
    (root / "pyproject.toml").symlink_to(Path("config") / "pyproject.toml")
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert (root / "pyproject.toml").is_symlink()
    text = (root / "config/pyproject.toml").read_text()
    assert text.startswith(PYPROJECT) and "[tool.telemetry-scaffold]" in text


def test_a_write_protected_pyproject_is_refused_not_replaced(tmp_path: Path) -> None:
    # chmod a-w is the user's word, even where a rename (or root) could replace the file.
    root = _shop(tmp_path / "shop")
    config = root / "pyproject.toml"
    config.chmod(0o444)
    result = run("init", "--root", str(root))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: pyproject.toml: read-only"), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "chmod u+w" in result.stderr
    assert config.read_text() == PYPROJECT


def test_init_keeps_the_rest_of_pyproject_byte_for_byte(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop")
    assert run("init", "--root", str(root)).exit_code == 0
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)
    assert "[tool.telemetry-scaffold]" in text[len(PYPROJECT) :]


@pytest.mark.parametrize(
    ("bom", "newline"), [(b"\xef\xbb\xbf", b"\n"), (b"", b"\r\n"), (b"\xef\xbb\xbf", b"\r\n")]
)
def test_init_keeps_a_bom_and_crlf_and_generate_reads_the_result(
    tmp_path: Path, bom: bytes, newline: bytes
) -> None:
    # Notepad's pyproject.toml: the BOM was dropped and LF lines were added to a CRLF file.
    root = _shop(tmp_path / "shop", pyproject=None)
    original = bom + PYPROJECT.encode().replace(b"\n", newline)
    (root / "pyproject.toml").write_bytes(original)
    assert run("init", "--root", str(root)).exit_code == 0
    data = (root / "pyproject.toml").read_bytes()
    assert data.startswith(original)
    assert b"[tool.telemetry-scaffold]" + newline in data[len(original) :]
    if newline == b"\r\n":
        assert data.count(b"\n") == data.count(b"\r\n")
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stderr


def test_init_creates_pyproject_when_there_is_none(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop", pyproject=None)
    assert run("init", "--root", str(root)).exit_code == 0
    assert (root / "pyproject.toml").read_text().startswith("[tool.telemetry-scaffold]\n")


def test_init_refuses_when_the_table_exists(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop", pyproject=PYPROJECT + "\n[tool.telemetry-scaffold]\n")
    before = snapshot(root)
    result = run("init", "--root", str(root))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "[tool.telemetry-scaffold] exists already" in result.stderr
    assert snapshot(root) == before


def test_init_refuses_a_misspelt_table_rather_than_adding_a_second_one(tmp_path: Path) -> None:
    # generate refuses the misspelt table: init adding the right one beside it left two.
    root = _shop(
        tmp_path / "shop", pyproject=PYPROJECT + '\n[tool.telemetry_scaffold]\nfeature = "1-x"\n'
    )
    before = snapshot(root)
    result = run("init", "--root", str(root))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "[tool.telemetry_scaffold]: unknown table; did you mean [tool.telemetry-scaffold]?" in (
        result.stderr
    )
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        # The error says what to do: write the table the discovery could not.
        (
            {"backend/app/__init__.py": "", "backend/app/util.py": "X = 1\n"},
            "); write [tool.telemetry-scaffold] by hand with backend, app-package and app",
        ),
        (
            {
                "one/app/__init__.py": "",
                "one/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
                "two/api/__init__.py": "",
                "two/api/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            },
            "several FastAPI apps found (app.main:app in one/, api.main:app in two/)",
        ),
        # Two apps in one module: the message names everything the table written by hand needs.
        (
            {
                "svc/app/__init__.py": "",
                "svc/app/main.py": "from fastapi import FastAPI\na = FastAPI()\nb = FastAPI()\n",
            },
            'pick one with app = "app.main:<name>" in [tool.telemetry-scaffold] of pyproject.toml,'
            ' with backend = "svc" and app-package = "app": init cannot choose the app',
        ),
        # A flat layout's app is built in main.py, app.py, server.py or api.py: another module
        # at the top of the project folder is a script, not the app.
        (
            {"helpers.py": "from fastapi import FastAPI\napp = FastAPI()\n", "routers/x.py": ""},
            "no FastAPI app found",
        ),
        # Nor is one whose `uvicorn.run` serves another module's app.
        (
            {
                "helpers.py": "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n"
                'if __name__ == "__main__":\n    uvicorn.run("other:app")\n',
            },
            "no FastAPI app found",
        ),
    ],
    ids=["none", "several", "several-in-one-module", "flat-not-an-entry-module", "serves-another"],
)
def test_init_without_one_app_is_a_clear_error(
    tmp_path: Path, layout: dict[str, str], message: str
) -> None:
    for relative, text in layout.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    result = run("init", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "pyproject.toml").exists()


@pytest.mark.parametrize(
    "case", ["factory-called-from-main", "app-in-server-py", "app-in-package-init"]
)
def test_a_newcomer_goes_from_nothing_to_a_generated_layer_and_back(
    tmp_path: Path, case: str
) -> None:
    source = CORPUS / case
    root = tmp_path / "project"
    shutil.copytree(source / "backend", root / "backend")
    (root / "pyproject.toml").write_text('[project]\nname = "newcomer"\n')
    untouched = snapshot(root)
    assert run("init", "--root", str(root)).exit_code == 0
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned
    # Only the plan init wrote is new.
    assert {path: data for path, data in planned.items() if path != "pyproject.toml"} == {
        path: data for path, data in untouched.items() if path != "pyproject.toml"
    }


NAMESPACE_MAIN = """from fastapi import FastAPI

from app.routes import orders

app = FastAPI()
app.include_router(orders.router)
"""

NAMESPACE_ORDERS = """from fastapi import APIRouter

router = APIRouter(prefix="/orders")


@router.get("/{order_id}")
def read_order(order_id: int) -> dict[str, int]:
    return {"id": order_id}
"""


@pytest.mark.parametrize(
    ("backend", "marker"),
    [("server", "server/requirements.txt"), ("server", "server/pyproject.toml"), (".", None)],
    ids=["requirements", "pyproject", "at-the-root"],
)
def test_init_finds_an_app_in_a_package_without_init_files(
    tmp_path: Path, backend: str, marker: str | None
) -> None:
    """A folder without ``__init__.py`` is a package too (PEP 420): init finds the app in it."""
    root = tmp_path / "project"
    app_dir = root / backend / "app"
    (app_dir / "routes").mkdir(parents=True)
    (app_dir / "main.py").write_text(NAMESPACE_MAIN)
    (app_dir / "routes/orders.py").write_text(NAMESPACE_ORDERS)
    (root / "pyproject.toml").write_text('[project]\nname = "orders"\n')
    if marker is not None:
        (root / marker).write_text("fastapi\n" if marker.endswith(".txt") else "")
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f'backend = "{backend}"' in result.stdout
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.main:app"' in result.stdout
    assert '# "routes/orders.py" = "ai_block_used"  # 1 route handler' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    planned = snapshot(root)
    text = (root / "pyproject.toml").read_text()
    _uncomment_and_generate(root, "routes/orders.py")
    assert "event_logger.log(" in (app_dir / "routes/orders.py").read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    (root / "pyproject.toml").write_text(text)
    assert snapshot(root) == planned


def test_a_regular_package_wins_over_a_folder_of_demo_scripts(tmp_path: Path) -> None:
    """Folders without ``__init__.py`` are only looked at when no regular package has an app."""
    root = _shop(tmp_path / "shop")
    (root / "examples").mkdir()
    (root / "examples/demo.py").write_text("from fastapi import FastAPI\ndemo = FastAPI()\n")
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:app"' in result.stdout


FLAT_USERS = """from fastapi import APIRouter

router = APIRouter(prefix="/users")


@router.get("/{user_id}")
def get_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


@router.get("")
def list_users() -> list[int]:
    return [1, 2]
"""


FLAT_HOOKS = """from fastapi import FastAPI


def install(app: FastAPI) -> None:
    app.state.ready = True
"""

FLAT_FACTORY = """from fastapi import FastAPI

from routers import users


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(users.router)
    return app
"""


SRC_MAIN = """from platform_core.factory import build_app
from routers import hooks, users


def create_app():
    app = build_app("demo")
    app.include_router(users.router)
    hooks.install(app)
    return app


app = create_app()
"""

PLATFORM_FACTORY = """from fastapi import FastAPI


def build_app(title: str) -> FastAPI:
    app = FastAPI(title=title)
    return app
"""


# The routers imported inside a function the module calls (a late import, against cycles).
FLAT_LATE_IMPORT = """from fastapi import FastAPI

app = FastAPI()


def include_routers() -> None:
    from routers import users

    app.include_router(users.router)


include_routers()
"""


def _flat_main(module: str) -> str:
    return f"""from fastapi import FastAPI

from {module} import users

app = FastAPI()
app.include_router(users.router)
"""


def _serves_health(
    backend: Path, module: str, route: str = "/users/7", body: str = "{'id': 7}"
) -> subprocess.CompletedProcess[str]:
    """Import the app as `uvicorn <module>:app` run in ``backend`` would, and ask for health
    and for ``route``, which answers ``body``."""
    script = (
        "import sys; sys.path.insert(0, '.'); sys.dont_write_bytecode = True\n"
        "from fastapi.testclient import TestClient\n"
        f"from {module} import app\n"
        "client = TestClient(app)\n"
        "assert client.get('/api/telemetry/health').status_code == 200\n"
        f"assert client.get({route!r}).json() == {body}\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=backend,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": ""},
    )


@pytest.mark.parametrize(
    ("files", "backend", "module"),
    [
        # main.py at the root, routers/ a regular package.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "main.py": _flat_main("routers"),
                "routers/__init__.py": "",
                "routers/users.py": FLAT_USERS,
            },
            ".",
            "main",
        ),
        # The same with a stray __init__.py in the project folder itself: still run from it.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "__init__.py": "",
                "main.py": _flat_main("routers"),
                "routers/__init__.py": "",
                "routers/users.py": FLAT_USERS,
            },
            ".",
            "main",
        ),
        # app/main.py importing app/routers/ as `routers`: run from app/, its __init__.py aside.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "app/__init__.py": "",
                "app/main.py": _flat_main("routers"),
                "app/routers/__init__.py": "",
                "app/routers/users.py": FLAT_USERS,
            },
            "app",
            "main",
        ),
        # The same under backend/, which holds no project file: `from routers import users`
        # with backend/routers/ beside it says the folder is run from itself.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "backend/main.py": _flat_main("routers"),
                "backend/routers/__init__.py": "",
                "backend/routers/users.py": FLAT_USERS,
            },
            "backend",
            "main",
        ),
        # routers/ as a namespace package (no __init__.py), the app in app.py.
        (
            {
                "main_readme.txt": "",
                "app.py": _flat_main("routers"),
                "routers/users.py": FLAT_USERS,
            },
            ".",
            "app",
        ),
        # server.py in a backend folder holding its own requirements.txt.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "api/requirements.txt": "fastapi\n",
                "api/server.py": _flat_main("endpoints"),
                "api/endpoints/users.py": FLAT_USERS,
            },
            "api",
            "server",
        ),
        # routers/ a namespace package one module of which names FastAPI: the root's main.py
        # is still the one app, not a second one found for the package routers/.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "main.py": _flat_main("routers"),
                "routers/users.py": FLAT_USERS,
                "routers/hooks.py": FLAT_HOOKS,
            },
            ".",
            "main",
        ),
        # A regular package of helpers beside main.py mentions FastAPI (a type in a signature)
        # but builds no app: it is not the app package, main.py's own folder is the backend.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "main.py": _flat_main("routers"),
                "routers/__init__.py": "",
                "routers/users.py": FLAT_USERS,
                "helpers/__init__.py": "",
                "helpers/docs.py": "from fastapi import FastAPI\n\n\n"
                "def title_of(app: FastAPI) -> str:\n    return app.title\n",
            },
            ".",
            "main",
        ),
        # main.py only calls the factory of a module beside it.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "main.py": "from factory import create_app\n\napp = create_app()\n",
                "factory.py": FLAT_FACTORY,
                "routers/users.py": FLAT_USERS,
            },
            ".",
            "main",
        ),
        # src/main.py serves what a regular package's factory builds from an argument (which
        # no server passes): the flat layout of src/, not that package, is the app's.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "src/main.py": SRC_MAIN,
                "src/platform_core/__init__.py": "",
                "src/platform_core/factory.py": PLATFORM_FACTORY,
                "src/routers/users.py": FLAT_USERS,
                "src/routers/hooks.py": FLAT_HOOKS,
            },
            "src",
            "main",
        ),
        # The app's package imports its routers from a top-level package beside it (`from
        # routers import users` in app/server.py): the folder's top-level modules are the app's.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "app/__init__.py": "",
                "app/server.py": _flat_main("routers"),
                "routers/__init__.py": "",
                "routers/users.py": FLAT_USERS,
            },
            ".",
            "app.server",
        ),
        # src/app.py (no __init__.py) importing routers/ beside it inside a function: src/ is
        # run from itself (`cd src && uvicorn app:app`), not a package of the folder above.
        (
            {
                "pyproject.toml": '[project]\nname = "flat"\n',
                "service/src/app.py": FLAT_LATE_IMPORT,
                "service/src/routers/users.py": FLAT_USERS,
            },
            "service/src",
            "app",
        ),
    ],
    ids=[
        "root",
        "root-with-init",
        "package-run-from-itself",
        "backend-folder",
        "namespace-routers",
        "server-py",
        "namespace-naming-fastapi",
        "helpers-package-beside",
        "factory-beside-main",
        "src-main-over-a-factory-needing-arguments",
        "app-package-importing-routers-beside-it",
        "routers-imported-inside-a-function",
    ],
)
def test_init_finds_a_flat_layout_and_the_layer_round_trips(
    tmp_path: Path, files: dict[str, str], backend: str, module: str
) -> None:
    """No app package: the backend folder's own top-level modules are the app's."""
    root = tmp_path / "project"
    write_files(root, files)
    folder = "endpoints" if module == "server" else "routers"
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f'backend = "{backend}"' in result.stdout
    assert 'app-package = ""' in result.stdout
    assert f'app = "{module}:app"' in result.stdout
    assert f'# "{folder}/users.py" = "ai_block_used"  # 2 route handlers' in result.stdout
    written = run("init", "--root", str(root))
    assert written.exit_code == 0
    # The backend folder as the plan names it, relative to the root: never "./".
    where = "the project root" if backend == "." else f"{backend}/"
    assert re.match(
        rf"(created|updated) pyproject.toml: app {module}:app in {where}, ", written.stdout
    )
    planned = snapshot(root)
    text = (root / "pyproject.toml").read_text()
    _uncomment_and_generate(root, f"{folder}/users.py")
    backend_dir = root / backend
    assert (backend_dir / "analytics/event_logger.py").is_file()
    users = (backend_dir / folder / "users.py").read_text()
    assert "from analytics.event_logger import event_logger\n" in users
    builder = next(path for path, text in files.items() if "FastAPI(" in text)
    app_module = (root / builder).read_text()
    assert "from analytics.telemetry_router import router as telemetry_router\n" in app_module
    again = run("generate", "--root", str(root))
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert not re.search(r"^(created|updated|patched|removed) ", again.stdout, re.M), again.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    served = _serves_health(backend_dir, module)
    assert served.returncode == 0, served.stderr
    assert run("remove", "--root", str(root)).exit_code == 0
    (root / "pyproject.toml").write_text(text)
    assert snapshot(root) == planned


FLAT_PLAN = """[project]
name = "flat"

[tool.telemetry-scaffold]
backend = "."
app-package = ""
instrument = {}
"""


@pytest.mark.parametrize(
    ("files", "mentions"),
    [
        (
            {"analytics/__init__.py": "", "analytics/metrics.py": "COUNT = 0\n"},
            "analytics/: a top-level package of yours named like the generated one",
        ),
        ({"analytics.py": "COUNT = 0\n"}, "analytics.py: a module of yours named like"),
    ],
    ids=["package", "module"],
)
def test_a_flat_layout_never_writes_into_a_users_analytics(
    tmp_path: Path, files: dict[str, str], mentions: str
) -> None:
    write_files(
        tmp_path,
        {"pyproject.toml": FLAT_PLAN, "main.py": _flat_main("routers"), **files},
    )
    (tmp_path / "routers").mkdir()
    (tmp_path / "routers/users.py").write_text(FLAT_USERS)
    before = snapshot(tmp_path)
    for command in (["generate"], ["generate", "--force"], ["generate", "--check"]):
        result = run(*command, "--root", str(tmp_path))
        assert result.exit_code == 2, result.stdout + result.stderr
        assert mentions in result.stderr
        assert result.stderr.count("\n") == 1
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "statement",
    ["import analytics", "from analytics import track", "import analytics.client as segment"],
)
def test_a_flat_layout_importing_a_library_named_analytics_names_the_layer_otherwise(
    tmp_path: Path, statement: str
) -> None:
    """In the flat layout the layer is a top-level name: a library the modules import under it
    (Segment's `analytics`) would be shadowed, so init names the layer otherwise; in a package
    layout the layer is `app.analytics` and shadows nothing."""
    users = FLAT_USERS.replace("from fastapi", f"{statement}\nfrom fastapi", 1)
    write_files(tmp_path, {"main.py": _flat_main("routers"), "routers/users.py": users})
    assert run("init", "--root", str(tmp_path)).exit_code == 0
    plan = (tmp_path / "pyproject.toml").read_text()
    assert 'layer-package = "telemetry"' in plan
    _uncomment_and_generate(tmp_path, "routers/users.py")
    assert (tmp_path / "telemetry/event_logger.py").is_file()
    assert not (tmp_path / "analytics").exists()
    packaged = _shop(tmp_path / "shop")
    items = packaged / "src/shop/routes/items.py"
    items.write_text(f"{statement}\n{items.read_text()}")
    assert run("init", "--root", str(packaged)).exit_code == 0
    assert "layer-package" not in (packaged / "pyproject.toml").read_text()


def test_a_module_named_like_the_generated_package_is_refused_in_every_layout(
    tmp_path: Path,
) -> None:
    root = _shop(tmp_path / "shop")
    assert run("init", "--root", str(root)).exit_code == 0
    (root / "src/shop/analytics.py").write_text("COUNT = 0\n")
    result = run("generate", "--root", str(root))
    assert result.exit_code == 2
    assert "src/shop/analytics.py: a module of yours named like the generated package" in (
        result.stderr
    )


def test_a_flat_layer_whose_manifest_was_lost_is_still_ours(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": FLAT_PLAN, "main.py": _flat_main("routers")})
    (tmp_path / "routers").mkdir()
    (tmp_path / "routers/users.py").write_text(FLAT_USERS)
    assert run("generate", "--root", str(tmp_path)).exit_code == 0
    (tmp_path / ".telemetry-scaffold.json").unlink()
    # Its files carry the generated header: they are an earlier layer, not a package of the
    # user's (as for any layer without its manifest, they are kept until adopted with --force).
    result = run("generate", "--root", str(tmp_path), "--force")
    assert result.exit_code == 0, result.stdout + result.stderr


# A hatch-style project file: its `[tool.*]` tables split by another table, no final newline.
SPLIT_TOOL = """[project]
name = "shop"

[tool.hatch.version]
path = "src/shop/__about__.py"

[envs.default]
python = "3.12"

[tool.black]
line-length = 100

[build-system]
requires = ["hatchling"]"""


def test_init_writes_into_split_tool_tables_and_keeps_every_other_line(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop", pyproject=SPLIT_TOOL)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    table_start = text.index("[tool.telemetry-scaffold]\n")
    table_end = text.index("\n[", text.index("[tool.telemetry-scaffold.instrument]")) + 1
    # Every line of the file is still there, in order, around the new table.
    assert (text[:table_start] + text[table_end:]).split() == SPLIT_TOOL.split()
    # The table is set off by a blank line on each side, not glued to its neighbours.
    assert text[:table_start].endswith("\n\n")
    assert text[:table_end].endswith("\n\n")
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stderr


def test_init_sets_the_table_apart_from_a_last_line_without_newline(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop", pyproject='[project]\nname = "shop"')
    assert run("init", "--root", str(root)).exit_code == 0
    text = (root / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "shop"\n\n[tool.telemetry-scaffold]\n')


@pytest.mark.parametrize(
    ("root_path", "prefix_line"),
    [
        ("/api", 'api-prefix = "/telemetry"'),
        ("/api/", 'api-prefix = "/telemetry"'),
        # A root path the default prefix is not under leaves the default alone.
        ("/v2", None),
        ("/api/telemetry", None),
    ],
)
def test_init_takes_the_apps_root_path_off_the_default_prefix(
    tmp_path: Path, root_path: str, prefix_line: str | None
) -> None:
    root = _shop(tmp_path / "shop")
    main = MAIN.replace("app = FastAPI()", f'app = FastAPI(root_path="{root_path}")')
    (root / "src/shop/main.py").write_text(main)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = [line.partition(" #")[0].strip() for line in result.stdout.splitlines()]
    prefixes = [line for line in lines if line.startswith("api-prefix")]
    assert prefixes == ([] if prefix_line is None else [prefix_line])


SHOP_SETTINGS = """from pydantic_settings import BaseSettings


class ShopSettings(BaseSettings):
    mount_point: str = "/api"


shop_settings = ShopSettings()
"""


@pytest.mark.parametrize(
    ("source", "extra"),
    [
        # Kept in settings: the default the settings class declares.
        (
            "FastAPI(root_path=shop_settings.mount_point)",
            "from shop.conf import shop_settings\n",
        ),
        # Read from the environment with a default, through a module constant.
        ("FastAPI(root_path=BEHIND)", 'import os\n\nBEHIND = os.environ.get("BEHIND", "/api")\n'),
    ],
    ids=["settings-default", "environment-default"],
)
def test_init_reads_a_root_path_kept_in_settings_as_its_default(
    tmp_path: Path, source: str, extra: str
) -> None:
    root = _shop(tmp_path / "shop")
    (root / "src/shop/conf.py").write_text(SHOP_SETTINGS)
    main = MAIN.replace("app = FastAPI()", extra + f"app = {source}")
    (root / "src/shop/main.py").write_text(main)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = [line.partition(" #")[0].strip() for line in result.stdout.splitlines()]
    assert [line for line in lines if line.startswith("api-prefix")] == [
        'api-prefix = "/telemetry"'
    ]


@pytest.mark.parametrize(
    ("mount", "prefix_line"),
    [
        # A sub-app mounted at /api above the app's last include would answer the default
        # endpoints before the telemetry router: a prefix it does not take.
        ('app.mount("/api", FastAPI())\n', 'api-prefix = "/telemetry"'),
        ('app.mount("/api/", FastAPI())\n', 'api-prefix = "/telemetry"'),
        # One that does not take them, or one that takes every path: the default.
        ('app.mount("/static", FastAPI())\n', None),
        ('app.mount("/", FastAPI())\n', None),
    ],
)
def test_init_keeps_the_default_prefix_clear_of_a_mount_above_the_wiring(
    tmp_path: Path, mount: str, prefix_line: str | None
) -> None:
    root = _shop(tmp_path / "shop")
    main = MAIN.replace("app = FastAPI()\n", "app = FastAPI()\n" + mount)
    (root / "src/shop/main.py").write_text(main)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = [line.partition(" #")[0].strip() for line in result.stdout.splitlines()]
    prefixes = [line for line in lines if line.startswith("api-prefix")]
    assert prefixes == ([] if prefix_line is None else [prefix_line])
    if prefix_line is not None:
        assert run("init", "--root", str(root)).exit_code == 0
        generated = run("generate", "--root", str(root))
        assert generated.exit_code == 0, generated.stdout + generated.stderr


def test_an_app_under_a_root_path_answers_at_the_default_url_after_init(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop")
    main = MAIN.replace("app = FastAPI()", 'app = FastAPI(root_path="/api")')
    (root / "src/shop/main.py").write_text(main)
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stderr
    probe = (
        "import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, 'src')\n"
        "from fastapi.testclient import TestClient\n"
        "from shop.main import app\n"
        "client = TestClient(app)\n"
        "print(client.get('/api/telemetry/health').status_code)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert answer.stdout.split() == ["200"], answer.stderr


def _uncomment_and_generate(root: Path, module: str) -> Run:
    """Uncomment init's suggestion to instrument ``module`` in pyproject.toml, then generate."""
    text = (root / "pyproject.toml").read_text()
    assert f'# "{module}" = "ai_block_used"' in text, text
    (root / "pyproject.toml").write_text(text.replace(f'# "{module}"', f'"{module}"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return generated


def _round_trip(root: Path, module: str) -> str:
    """Init, uncomment the suggestion for ``module``, generate, check, remove: the log call."""
    assert (result := run("init", "--root", str(root))).exit_code == 0, result.stderr
    planned = snapshot(root)
    text = (root / "pyproject.toml").read_text()
    generated = _uncomment_and_generate(root, module)
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    (root / "pyproject.toml").write_text(text)
    assert snapshot(root) == planned
    return generated.stdout


ENTRYPOINT_PROJECT = {
    "src/shop/__init__.py": "",
    "src/shop/main.py": MAIN,
    "src/shop/routes/__init__.py": "",
    "src/shop/routes/items.py": ITEMS,
    # A library's examples build apps of their own, in packages as regular as the app's.
    "examples/demo/__init__.py": "",
    "examples/demo/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
}


@pytest.mark.parametrize(
    ("entrypoint", "files", "backend"),
    [
        ("shop.main:app", ENTRYPOINT_PROJECT, "src"),
        # FastAPI CLI imports from the folder of pyproject.toml: the backend's dotted path first.
        (
            "backend.app.main:app",
            {
                "backend/app/__init__.py": "",
                "backend/app/main.py": MAIN.replace("shop.routes", "app.routes"),
                "backend/app/routes/__init__.py": "",
                "backend/app/routes/items.py": ITEMS,
                "tools/gen/__init__.py": "",
                "tools/gen/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
            "backend",
        ),
    ],
    ids=["src-layout", "dotted-backend"],
)
def test_init_takes_the_app_fastapi_cli_is_pointed_at(
    tmp_path: Path, entrypoint: str, files: dict[str, str], backend: str
) -> None:
    """``[tool.fastapi] entrypoint`` names the app: other apps found do not make init refuse."""
    root = tmp_path / "project"
    pyproject = f'[project]\nname = "shop"\n\n[tool.fastapi]\nentrypoint = "{entrypoint}"\n'
    write_files(root, {"pyproject.toml": pyproject, **files})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f'backend = "{backend}"' in result.stdout
    # The plan's app defaults to the entrypoint: init leaves it there, in one place.
    assert "\napp = " not in result.stdout
    assert "# app: [tool.fastapi] entrypoint" in result.stdout
    _round_trip(root, "routes/items.py")


def test_an_entrypoint_naming_no_app_found_leaves_discovery_as_it_was(tmp_path: Path) -> None:
    root = tmp_path / "project"
    pyproject = '[project]\nname = "shop"\n\n[tool.fastapi]\nentrypoint = "elsewhere.main:app"\n'
    write_files(root, {"pyproject.toml": pyproject, **ENTRYPOINT_PROJECT})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    assert "several FastAPI apps found (demo.main:app in examples/, shop.main:app in src/)" in (
        result.stderr
    )


def test_several_apps_of_regular_and_namespace_packages_are_listed_by_path(
    tmp_path: Path,
) -> None:
    """Regular packages are read before namespace ones; the message lists both by path."""
    factory = (
        "from fastapi import FastAPI\n"
        "def create_app(settings):\n    app = FastAPI(title=settings)\n    return app\n"
    )
    root = tmp_path / "project"
    files = {
        "pyproject.toml": '[project]\nname = "shop"\n',
        "zeta/app/__init__.py": "",
        "zeta/app/main.py": factory,
        "alpha/svc/main.py": factory,
    }
    write_files(root, files)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    listed = "alpha.svc.main:create_app in the project root, app.main:create_app in zeta/"
    assert f"several FastAPI apps found ({listed})" in result.stderr
    assert 'for the first: backend = ".", app-package = "alpha"' in result.stderr


THROWAWAY = """import json

from fastapi import FastAPI

app = FastAPI()
print(json.dumps(app.openapi()))
"""


@pytest.mark.parametrize(
    "others",
    [
        {"scripts/export_openapi.py": THROWAWAY, "playground/try_it.py": THROWAWAY},
        {"scripts/__init__.py": "", "scripts/export_openapi.py": THROWAWAY},
    ],
    ids=["namespace-folders", "regular-package"],
)
def test_an_app_in_an_entry_module_wins_over_throwaway_apps_in_scripts(
    tmp_path: Path, others: dict[str, str]
) -> None:
    """A script that builds an app to export its OpenAPI is not what a server is pointed at."""
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": _flat_main("routers"),
        "routers/__init__.py": "",
        "routers/users.py": FLAT_USERS,
    }
    if "scripts/__init__.py" in others:
        # The app in a regular package of its own, beside the scripts' regular package.
        files = {
            "requirements.txt": "fastapi\n",
            "app/__init__.py": "",
            "app/main.py": _flat_main("app.routers"),
            "app/routers/__init__.py": "",
            "app/routers/users.py": FLAT_USERS,
        }
    write_files(root, {**files, **others})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    expected = 'app = "app.main:app"' if "app/main.py" in files else 'app = "main:app"'
    assert expected in result.stdout
    _round_trip(root, "routers/users.py")


@pytest.mark.parametrize(
    ("gitignore", "ignored"),
    [
        ("sandbox/\n", True),
        ("/sandbox\n", True),
        ("# local only\n**/sand*/\n", True),
        ("sandbox/\n!sandbox/\n", False),
        ("backend/sandbox\n", False),  # anchored elsewhere: not this folder
    ],
)
def test_init_passes_over_folders_git_ignores(
    tmp_path: Path, gitignore: str, ignored: bool
) -> None:
    root = _shop(tmp_path / "shop")
    (root / ".gitignore").write_text(gitignore)
    write_files(
        root,
        {
            "sandbox/try_it/__init__.py": "",
            "sandbox/try_it/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    if ignored:
        assert result.exit_code == 0, result.stderr
        assert 'app = "shop.main:app"' in result.stdout
    else:
        assert result.exit_code == 2
        assert "try_it.main:app in sandbox/" in result.stderr


@pytest.mark.parametrize(
    "folder", ["{{cookiecutter.project_slug}}", "{{ project_name }}", "{% if api %}api{% endif %}"]
)
def test_init_passes_over_project_template_folders(tmp_path: Path, folder: str) -> None:
    """A cookiecutter/copier template's source folder is rendered, never run: not an app."""
    root = _shop(tmp_path / "shop")
    write_files(
        root,
        {
            f"{folder}/app/__init__.py": "",
            f"{folder}/app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            f"{folder}/requirements.txt": "fastapi\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:app"' in result.stdout


def test_init_in_a_project_template_says_its_source_is_never_run(tmp_path: Path) -> None:
    root = tmp_path / "template"
    write_files(
        root,
        {
            "cookiecutter.json": "{}\n",
            "{{cookiecutter.slug}}/app/__init__.py": "",
            "{{cookiecutter.slug}}/app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    assert "{{cookiecutter.slug}}/ is a project template's source" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_gitignore_in_a_subfolder_applies_below_it_only(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop")
    (root / "src/.gitignore").write_text("/local/\n")
    write_files(
        root,
        {
            "src/local/__init__.py": "",
            "src/local/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:app"' in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_route_modules_in_a_symlinked_folder_are_suggested_and_instrumented(
    tmp_path: Path,
) -> None:
    """A monorepo's shared routers, linked into the app package, are imported through the link."""
    root = _shop(tmp_path / "shop")
    shutil.rmtree(root / "src/shop/routes")
    write_files(root, {"shared/routes/__init__.py": "", "shared/routes/items.py": ITEMS})
    (root / "src/shop/routes").symlink_to(root / "shared/routes", target_is_directory=True)
    # A link back up the package is walked once, not forever.
    (root / "src/shop/loop").mkdir()
    (root / "src/shop/loop/up").symlink_to(root / "src/shop", target_is_directory=True)
    output = _round_trip(root, "routes/items.py")
    assert "log call in get_item" in output
    assert (root / "src/shop/routes").is_symlink()


@pytest.mark.parametrize("marker", ["pyvenv.cfg", "conda-meta/history"])
def test_an_environment_in_the_tree_under_any_name_is_passed_over(
    tmp_path: Path, marker: str
) -> None:
    """A venv or a conda environment (``conda-meta/``) holds others' apps, even examples."""
    root = _shop(tmp_path / "shop")
    write_files(
        root,
        {
            f"envs/dev/{marker}": "",
            "envs/dev/share/examples/__init__.py": "",
            "envs/dev/share/examples/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:app"' in result.stdout


def test_route_module_suggestions_are_in_natural_order(tmp_path: Path) -> None:
    """`r2.py` before `r10.py`, as a reader (and ruff's isort) orders numbered names."""
    root = tmp_path / "project"
    files = {"backend/app/__init__.py": "", "backend/app/api/__init__.py": ""}
    imports = []
    for number in (10, 2, 1):
        files[f"backend/app/api/r{number}.py"] = ITEMS.replace("/items", f"/r{number}")
        imports.append(f"from app.api import r{number}")
    includes = [f"app.include_router(r{number}.router)" for number in (10, 2, 1)]
    files["backend/app/main.py"] = "\n".join(
        ["from fastapi import FastAPI", *imports, "app = FastAPI()", *includes, ""]
    )
    write_files(root, files)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    suggested = re.findall(r'^# "(api/r\d+\.py)"', result.stdout, flags=re.MULTILINE)
    assert suggested == ["api/r1.py", "api/r2.py", "api/r10.py"]


# A server object that builds the app as an attribute and hands it out through a method, with
# its routes registered on a router subclass in another method; a module runs it
# (`app = server.app()`). The class is named like FastAPI's own.
SERVER_OBJECT = {
    "pyproject.toml": '[project]\nname = "vectors"\nversion = "1.0"\n',
    "vectors/__init__.py": "",
    "vectors/server/__init__.py": """import fastapi

from vectors.server.routing import VectorRouter


class FastAPI:
    def __init__(self, settings: dict[str, str]) -> None:
        self._app = fastapi.FastAPI(debug=True)
        self.router = VectorRouter()
        self.setup_routes()
        self._app.include_router(self.router)

    def setup_routes(self) -> None:
        self.router.add_api_route("/api/v2/heartbeat", self.heartbeat, methods=["GET"])
        self.router.add_api_route(
            "/api/v2/collections/{collection_id}", self.get_collection, methods=["GET"]
        )

    def app(self) -> fastapi.FastAPI:
        return self._app

    async def heartbeat(self) -> dict[str, int]:
        return {"heartbeat": 1}

    async def get_collection(self, collection_id: str) -> dict[str, str]:
        return {"id": collection_id}
""",
    "vectors/server/routing.py": """from typing import Any

import fastapi


class VectorRouter(fastapi.APIRouter):
    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
""",
    "vectors/app.py": """import vectors.server

server = vectors.server.FastAPI({"mode": "test"})
app = server.app()
""",
}


@pytest.mark.parametrize("accessor", ["method", "property"])
def test_init_names_the_variable_a_method_of_the_server_object_returns_the_app_in(
    tmp_path: Path, accessor: str
) -> None:
    """Not `FastAPI._app`, which no server can import: the module variable that holds it."""
    root = tmp_path / "project"
    files = dict(SERVER_OBJECT)
    if accessor == "property":  # `server.app`, `@property def app(self): return self._app`
        files["vectors/server/__init__.py"] = files["vectors/server/__init__.py"].replace(
            "    def app(self)", "    @property\n    def app(self)"
        )
        files["vectors/app.py"] = files["vectors/app.py"].replace("server.app()", "server.app")
    write_files(root, files)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "vectors.app:app"' in result.stdout
    generated = _round_trip(root, "server/__init__.py")
    assert "include the telemetry router in `self._app in FastAPI.__init__()`" in generated
    assert "log call in FastAPI.get_collection (GET /api/v2/collections/{collection_id})" in (
        generated
    )


def test_a_factory_calling_itself_does_not_send_discovery_round_in_circles(
    tmp_path: Path,
) -> None:
    """Following `app = other_factory()` into the factory it calls stops at a cycle."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/app/__init__.py": "",
            "backend/app/main.py": (
                "from fastapi import FastAPI\n\n\ndef build() -> FastAPI:\n    app = build()\n"
                "    return app\n\n\napp = build()\n"
            ),
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "app.main:app"' in result.stdout


def test_an_endpoint_registered_from_another_module_counts_for_the_module_defining_it(
    tmp_path: Path,
) -> None:
    """`router.add_api_route("/x", views.get_x)`: a route of views, nothing to fix by hand."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/app/__init__.py": "",
            "backend/app/main.py": MAIN.replace("shop.routes", "app.routes"),
            "backend/app/routes/__init__.py": "",
            "backend/app/routes/items.py": ITEMS
            + '\n\nrouter.add_api_route("/", views.list_items, methods=["GET"])\n',
            "backend/app/routes/views.py": "def list_items() -> list[int]:\n    return []\n",
        },
    )
    items = root / "backend/app/routes/items.py"
    items.write_text("from app.routes import views\n" + items.read_text())
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert '# "routes/items.py" = "ai_block_used"  # 2 route handlers\n' in result.stdout
    assert '# "routes/views.py" = "ai_block_used"  # 1 route handler\n' in result.stdout


def test_route_modules_init_cannot_read_are_named_one_line_each(tmp_path: Path) -> None:
    root = _shop(tmp_path / "shop")
    routes = root / "src/shop/routes"
    (routes / "broken.py").write_text(ITEMS + "\ndef half(:\n")
    (routes / "latin.py").write_bytes(ITEMS.encode() + b"# caf\xe9\n")
    locked = routes / "locked.py"
    locked.write_text(ITEMS)
    locked.chmod(0)
    try:
        readable = locked.open("rb")  # as root, permissions do not stop a read
    except PermissionError:
        readable = None
    else:
        readable.close()
    try:
        result = run("init", "--root", str(root), "--dry-run")
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 0, result.stderr
    assert '# "routes/items.py" = "ai_block_used"  # 2 route handlers' in result.stdout
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    expected = ["routes/broken.py", "routes/latin.py"] + ([] if readable else ["routes/locked.py"])
    assert len(skipped) == len(expected), result.stderr
    for path, line in zip(expected, sorted(skipped), strict=True):
        assert path in line, line
    # Named with its place first (`path:line:col:`), as the syntax errors of generate are.
    assert re.search(r"routes/broken\.py:\d+:\d+: syntax error", skipped[0]), skipped[0]
    assert "UTF-8" in skipped[1] or "utf-8" in skipped[1], skipped[1]
    # Writing the plan says the same.
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert sum("skipped" in line for line in result.stderr.splitlines()) >= 2


def test_an_entry_module_calling_a_factory_of_another_package_picks_its_own_package(
    tmp_path: Path,
) -> None:
    """`app/main.py` says `app = get_application()`, built in `core/`: the routes are in `app`."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/app/__init__.py": "",
            "backend/app/api/__init__.py": "",
            "backend/app/api/items.py": ITEMS,
            "backend/app/main.py": "from core.application import get_application\n\n"
            "app = get_application()\n",
            "backend/core/__init__.py": "",
            "backend/core/application.py": "from fastapi import FastAPI\n\n"
            "from app.api import items\n\n\ndef get_application() -> FastAPI:\n"
            "    application = FastAPI()\n    application.include_router(items.router)\n"
            "    return application\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.main:app"' in result.stdout
    assert '# "api/items.py" = "ai_block_used"  # 2 route handlers' in result.stdout


STARLETTE_SERVED = {
    "pyproject.toml": '[project]\nname = "served"\n',
    "served/__init__.py": "",
    "served/users.py": FLAT_USERS,
    "served/main.py": "from fastapi import FastAPI\n"
    "from starlette.applications import Starlette\n\n"
    "from served import users\n\napp = Starlette()\napi = FastAPI()\n"
    'api.include_router(users.router, prefix="/v1")\napp.mount("/api", app=api)\n',
}


def test_an_app_mounted_into_a_starlette_app_answers_at_the_default_url_after_init(
    tmp_path: Path,
) -> None:
    """`app = Starlette(); app.mount("/api", app=api)`: api's prefix is the default without /api."""
    root = tmp_path / "project"
    write_files(root, STARLETTE_SERVED)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app = "served.main:api"' in text
    assert 'api-prefix = "/telemetry"' in text
    generated = _uncomment_and_generate(root, "users.py")
    assert "log call in get_user (GET /api/v1/users/{user_id})" in generated.stdout
    probe = (
        "import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, '.')\n"
        "from fastapi.testclient import TestClient\n"
        "from served.main import app\n"
        "client = TestClient(app)\n"
        "print(client.get('/api/telemetry/health').status_code)\n"
        "print(client.get('/api/v1/users/7').status_code)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert answer.stdout.split() == ["200", "200"], answer.stderr


VERSIONED_IN_A_LOOP = {
    "pyproject.toml": '[project]\nname = "shop"\n',
    "shop/__init__.py": "",
    "shop/v1.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    '@app.get("/items/{item_id}")\nasync def get_item(item_id: int) -> int:\n'
    "    return item_id\n",
    "shop/main.py": "from fastapi import FastAPI\n\nfrom shop.v1 import app as v1_app\n\n"
    'VERSIONS = [("/v1", v1_app)]\n\napp = FastAPI()\n'
    "for number, (path, version) in enumerate(VERSIONS):\n    app.mount(path, version)\n",
}


def test_an_app_mounted_in_a_loop_is_served_by_the_app_mounting_it(tmp_path: Path) -> None:
    """`for path, version in enumerate(VERSIONS): app.mount(...)`: one app, not two, to choose."""
    root = tmp_path / "project"
    write_files(root, VERSIONED_IN_A_LOOP)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app = "shop.main:app"' in text
    generated = _uncomment_and_generate(root, "v1.py")
    assert "log call in get_item (GET /v1/items/{item_id})" in generated.stdout


MOUNTED_BY_A_HELPER = {
    "pyproject.toml": '[project]\nname = "shop"\n',
    "shop/__init__.py": "",
    "shop/mounting.py": "def attach(base, where, sub):\n    base.{method}(where, sub)\n",
    "shop/main.py": "from fastapi import FastAPI\n\nfrom shop.mounting import attach\n\n"
    'api = FastAPI()\n\n\n@api.get("/items")\nasync def items() -> int:\n    return 1\n\n\n'
    'app = FastAPI()\nattach(app, "{where}", api)\n',
}


@pytest.mark.parametrize(
    ("method", "where"), [("mount", "/api"), ("host", "api.example.com")], ids=["mount", "host"]
)
def test_an_app_a_helper_mounts_is_served_by_the_app_it_mounts_it_into(
    tmp_path: Path, method: str, where: str
) -> None:
    """`def attach(base, where, sub): base.mount(where, sub)` (or `.host`): one app to choose."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            name: text.replace("{method}", method).replace("{where}", where)
            for name, text in MOUNTED_BY_A_HELPER.items()
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:app"' in (root / "pyproject.toml").read_text()


SERVICE_MAIN = """from fastapi import FastAPI

from services.{name}.routers import users

app = FastAPI()
app.include_router(users.router)
"""


def _services(names: tuple[str, ...]) -> dict[str, str]:
    """The files of a project whose services each build an app.

    Packages in `services/` (a folder without `__init__.py`) that import their own modules
    through it (`from services.admin.routers import users`).
    """
    files = {"pyproject.toml": '[project]\nname = "hub"\n'}
    for name in names:
        files |= {
            f"services/{name}/__init__.py": "",
            f"services/{name}/main.py": SERVICE_MAIN.format(name=name),
            f"services/{name}/routers/__init__.py": "",
            f"services/{name}/routers/users.py": FLAT_USERS,
        }
    return files


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        (("admin",), None),
        (
            ("admin", "reports"),
            "services.admin.main:app in the project root, "
            "services.reports.main:app in the project root",
        ),
    ],
    ids=["one-service", "two-services"],
)
def test_a_package_importing_itself_through_a_folder_above_is_served_from_there(
    tmp_path: Path, services: tuple[str, ...], expected: str | None
) -> None:
    """`services/admin/` (a package) in `services/` (none) imported as `services.admin`."""
    root = tmp_path / "project"
    write_files(root, _services(services))
    result = run("init", "--root", str(root), "--dry-run")
    if expected is not None:
        assert result.exit_code == 2
        assert f"several FastAPI apps found ({expected})" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout
    assert 'app-package = "services.admin"' in result.stdout
    assert 'app = "services.admin.main:app"' in result.stdout
    assert '# "routers/users.py" = "ai_block_used"  # 2 route handlers' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    planned = snapshot(root)
    text = (root / "pyproject.toml").read_text()
    _uncomment_and_generate(root, "routers/users.py")
    main = (root / "services/admin/main.py").read_text()
    assert "from services.admin.analytics.telemetry_router import router" in main
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    served = _serves_health(root, "services.admin.main")
    assert served.returncode == 0, served.stderr
    assert run("remove", "--root", str(root)).exit_code == 0
    (root / "pyproject.toml").write_text(text)
    assert snapshot(root) == planned


HYPHEN_SERVICE_MAIN = """from fastapi import FastAPI
from app.api.main import router

app = FastAPI()
app.include_router(router, prefix="/api")
"""

HYPHEN_SERVICE_ROUTES = """from fastapi import APIRouter
from app.db import get_session

router = APIRouter()


@router.get("/ping")
def ping():
    return {"ok": True}
"""


@pytest.mark.parametrize("marker", ["app/api/__init__.py", "app/services/__init__.py"])
def test_services_with_and_without_init_files_are_all_named(tmp_path: Path, marker: str) -> None:
    """`auth-service/`, `trip-service/`, each with its Dockerfile and `app/` (snake-charmers).

    One service has an `__init__.py` below `app/`, the others none: all three are apps a
    server runs (`uvicorn app.main:app` in each folder), so init names the three and asks.
    Before, the two without `__init__.py` were dropped and init named one app only (and with
    no other, took it as the project's).
    """
    root = tmp_path / "project"
    files: dict[str, str] = {}
    for name in ("auth-service", "location-service", "trip-service"):
        files |= {
            f"{name}/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app"]\n',
            f"{name}/app/main.py": HYPHEN_SERVICE_MAIN,
            f"{name}/app/api/main.py": HYPHEN_SERVICE_ROUTES,
            f"{name}/app/db.py": "def get_session():\n    yield None\n",
            f"{name}/app/services/main.py": "from app.db import get_session\n",
        }
    files[f"trip-service/{marker}"] = ""
    write_files(root, files)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2, result.stdout
    for name in ("auth-service", "location-service", "trip-service"):
        assert f"app.main:app in {name}/" in result.stderr, result.stderr
    one = run("init", "--root", str(root / "trip-service"), "--dry-run")
    assert one.exit_code == 0, one.stderr
    assert 'backend = "."' in one.stdout
    assert 'app-package = "app"' in one.stdout
    assert 'app = "app.main:app"' in one.stdout


@pytest.mark.parametrize(
    "folder",
    [
        "mocks/payment-provider",
        "examples/minimal",
        "docs_src/tutorial",
        "tests/fixtures/stub-api",
        "payment-mock",
        "Load_Test/Benchmarks",
    ],
)
def test_a_mock_or_example_with_its_own_dockerfile_is_no_service(
    tmp_path: Path, folder: str
) -> None:
    """`backend/app/` (a regular package) and `mocks/payment-provider/{Dockerfile,app/main.py}`
    (a stand-in for a provider's API, a namespace package's app): the mock is no service of the
    project's, so init takes `backend` as before. Since services without `__init__.py` were
    offered beside a regular package's app, init asked (exit 2)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app"]\n',
            "backend/app/__init__.py": "",
            "backend/app/main.py": HYPHEN_SERVICE_MAIN,
            "backend/app/api/__init__.py": "",
            "backend/app/api/main.py": HYPHEN_SERVICE_ROUTES,
            "backend/app/db.py": "def get_session():\n    yield None\n",
            f"{folder}/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app"]\n',
            f"{folder}/requirements.txt": "fastapi\n",
            f"{folder}/app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
            '@app.post("/charges")\ndef charge() -> dict[str, str]:\n    return {"id": "ch_1"}\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert 'backend = "backend"' in result.stdout, result.stdout


@pytest.mark.parametrize("importer", ["from app.app import app", "import app.app"])
def test_a_package_holding_a_module_of_its_own_name_is_served_from_the_folder_above(
    tmp_path: Path, importer: str
) -> None:
    """`app/app/` holding `app.py` (Reflex's layout): `from app.app import app` names that
    module of the package `app` run from `app/`, as `from app.api import orders` shows; read as
    a package `app.app` run from the root, the imports written into it did not work."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "app/rxconfig.py": "CONFIG = {}\n",
            "app/app/__init__.py": "",
            "app/app/app.py": "APP = object()\n",
            "app/app/api/__init__.py": "",
            "app/app/api/main.py": "from fastapi import FastAPI\n\nfrom app.api import orders\n\n"
            "api = FastAPI()\napi.include_router(orders.router)\n",
            "app/app/api/orders.py": "from fastapi import APIRouter\n\n"
            f"router = APIRouter()\n\n\n@router.get('/orders')\ndef listing():\n    {importer}\n"
            "    return []\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "app"' in result.stdout
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.api.main:api"' in result.stdout


def test_an_app_package_registering_routes_of_packages_beside_it_is_a_flat_layout(
    tmp_path: Path,
) -> None:
    """`from teams.routes import router` in app/server.py, teams/routes.py only registering
    the functions of teams/views.py (`router.add_api_route("/create", views.create)`): those
    routes are the app's too, so the folder's top-level modules are (the flat layout), and the
    module defining the handlers is the one to instrument."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "app/server.py": "from fastapi import FastAPI\n\nfrom teams.routes import router\n\n"
            "app = FastAPI()\napp.include_router(router)\n",
            "teams/routes.py": "from fastapi import APIRouter\n\nfrom teams import views\n\n"
            'router = APIRouter(prefix="/teams")\n'
            'router.add_api_route("/create", views.create, methods=["POST"])\n'
            'router.add_api_route("/{team_id}", views.read, methods=["GET"])\n',
            "teams/views.py": "async def create(name: str) -> dict[str, str]:\n"
            '    return {"name": name}\n\n\n'
            "async def read(team_id: int) -> dict[str, int]:\n"
            '    return {"id": team_id}\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout
    assert 'app-package = ""' in result.stdout
    assert 'app = "app.server:app"' in result.stdout
    assert '# "teams/views.py" = "ai_block_used"  # 2 route handlers' in result.stdout


def test_a_package_module_importing_its_own_package_is_no_flat_layout(tmp_path: Path) -> None:
    """`app/app.py` saying `from app.routers import users`: the package `app`, not `app.py`.

    Imports of the package's own name are how its modules reach each other; read as modules
    beside `app/app.py`, they made `app/` a flat layout, whose `app` is the module itself.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "named-like-its-package"\n',
            "app/__init__.py": "",
            "app/app.py": _flat_main("app.routers"),
            "app/routers/__init__.py": "",
            "app/routers/users.py": FLAT_USERS,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.app:app"' in result.stdout
    assert '# "routers/users.py" = "ai_block_used"' in result.stdout


def test_a_module_importing_submodules_of_its_folders_name_is_no_flat_layout(
    tmp_path: Path,
) -> None:
    """`app/app.py` saying `from app.routers import users`, no `__init__.py` anywhere.

    Run from `app/`, `app` would be the module `app.py` itself, which has no submodules: the
    import only resolves from the folder above, where `app/` is the (namespace) package.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "app/app.py": _flat_main("app.routers"),
            "app/routers/users.py": FLAT_USERS,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.app:app"' in result.stdout


def test_several_apps_are_refused_with_the_keys_to_write_for_one(tmp_path: Path) -> None:
    """Each service its own app: the refusal gives the three keys, ready to copy, for one."""
    root = tmp_path / "project"
    write_files(root, _services(("admin", "reports")))
    result = run("init", "--root", str(root))
    assert result.exit_code == 2
    assert (
        '(for the first: backend = ".", app-package = "services.admin", '
        'app = "services.admin.main:app")'
    ) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    # Written as given, the keys make a plan that works.
    (root / "pyproject.toml").write_text(
        '[project]\nname = "hub"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "services.admin"\napp = "services.admin.main:app"\n\n'
        '[tool.telemetry-scaffold.instrument]\n"routers/users.py" = "ai_block_used"\n'
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout
    assert '"route": "/users/{user_id}"' in (root / "services/admin/routers/users.py").read_text()


COMPONENT_APP = """from fastapi import FastAPI

from .routers import router

app = FastAPI()  # run on its own while the component is developed
app.include_router(router)
"""
COMPONENT_ROUTER = """from fastapi import APIRouter

router = APIRouter(prefix="/search")


@router.get("/{term}")
def search(term: str) -> dict[str, str]:
    return {"term": term}
"""
ENTRY_MAIN = """from fastapi import FastAPI

{imports}
app = FastAPI()
app.include_router(router, prefix="/api/ocr")
"""


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        # main.py imports the component's package: its app is the one served.
        (
            "from services.modules.ocr import router\n",
            ('backend = "."', 'app-package = ""', 'app = "main:app"'),
        ),
        # main.py serves routers of its own: the component's app is a second one, the package's.
        (
            "from routes import router\n",
            ('backend = "services/modules"', 'app-package = "ocr"', 'app = "ocr.app.main:app"'),
        ),
    ],
    ids=["entry-imports-the-component", "entry-imports-something-else"],
)
def test_an_entry_module_importing_a_package_serves_it_over_the_package_own_app(
    tmp_path: Path, imports: str, expected: tuple[str, ...]
) -> None:
    """`main.py` saying `from services.modules.ocr import router`, `ocr/app/main.py` a sandbox."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "platform"\n',
            "main.py": ENTRY_MAIN.format(imports=imports),
            "routes.py": COMPONENT_ROUTER,
            "services/modules/ocr/__init__.py": "from .app.routers import router\n",
            "services/modules/ocr/app/__init__.py": "",
            "services/modules/ocr/app/main.py": COMPONENT_APP,
            "services/modules/ocr/app/routers.py": COMPONENT_ROUTER,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    for line in expected:
        assert line in result.stdout, result.stdout


GATEWAY_APP = """from fastapi import FastAPI

from service.gateway.routes import router

app = FastAPI()  # a second service, run on its own beside the main one
app.include_router(router)
"""
GATEWAY_ROUTES = """from fastapi import APIRouter

router = APIRouter()


@router.get("/streams/{camera_id}")
def stream(camera_id: str) -> dict[str, str]:
    return {"camera": camera_id}
"""
FLAT_ENTRY = """from fastapi import FastAPI

{imports}
app = FastAPI()
app.include_router(router)
"""


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        # main.py imports the folder holding the other app's package: main.py is served.
        ("from service.cameras.routes import router\n", 'app = "main:app"'),
        # main.py does not import it: two apps side by side, init cannot choose.
        ("from routes import router\n", "several FastAPI apps found"),
    ],
    ids=["entry-imports-the-folder", "entry-imports-something-else"],
)
def test_an_entry_module_is_served_over_an_app_in_a_folder_without_init_it_imports(
    tmp_path: Path, imports: str, expected: str
) -> None:
    """`service/` and `service/gateway/` have no `__init__.py`, as with `__init__.py` in them.

    Run from the backend folder, init found the gateway's app as a second one, while run from
    the folder above it (and with `service/gateway/__init__.py`) it served `main.py`.
    """
    root = tmp_path / "server"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "main.py": FLAT_ENTRY.format(imports=imports),
            "routes.py": GATEWAY_ROUTES,
            "service/cameras/routes.py": COMPONENT_ROUTER,
            "service/gateway/app.py": GATEWAY_APP,
            "service/gateway/routes.py": GATEWAY_ROUTES,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    if expected.startswith("app ="):
        assert result.exit_code == 0, result.stderr
        assert expected in result.stdout, result.stdout
        assert 'backend = "."' in result.stdout
        assert 'app-package = ""' in result.stdout
    else:
        assert result.exit_code == 2
        assert expected in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1


SELF_SERVED = """import uvicorn
from fastapi import FastAPI

from insight import router

app = FastAPI()
app.include_router(router, prefix="/ai")

if __name__ == "__main__":
    {serve}
"""


@pytest.mark.parametrize(
    "serve",
    [
        'uvicorn.run(app, host="0.0.0.0", port=8002)',
        'uvicorn.run("main_api:app", host="0.0.0.0", port=8002)',
        'config = uvicorn.Config("main_api:app", port=8002)\n    uvicorn.Server(config).run()',
    ],
    ids=["object", "import-string", "server-config"],
)
def test_a_module_serving_its_own_app_is_the_flat_layout_entry_whatever_its_name(
    tmp_path: Path, serve: str
) -> None:
    """`main_api.py` ending in `uvicorn.run(app)` is the server's entry, as `main.py` would be.

    So is one handing `uvicorn.Config("main_api:app")` to `uvicorn.Server(...).run()`.

    The folder's stray `__init__.py` does not make it a package it imports itself from.
    """
    root = tmp_path / "ai"
    write_files(
        root,
        {
            "__init__.py": '"""The AI service."""\n',
            "main_api.py": SELF_SERVED.format(serve=serve),
            "insight.py": COMPONENT_ROUTER,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    for line in ('backend = "."', 'app-package = ""', 'app = "main_api:app"', '"insight.py"'):
        assert line in written, written
    plan = written.replace('# "insight.py"', '"insight.py"')
    (root / "pyproject.toml").write_text(plan)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert '"route": "/ai/search/{term}"' in (root / "insight.py").read_text()
    assert "include_router(telemetry_router)" in (root / "main_api.py").read_text()


def test_an_app_module_of_any_name_importing_a_module_beside_it_is_a_flat_layout_entry(
    tmp_path: Path,
) -> None:
    """`service/api/launch.py` building the app and saying `from insight import router`, with
    `insight.py` beside it and no `__init__.py`: only `service/api/` on the import path runs
    it (`uvicorn launch:app` there), however the modules above import the folder
    (`from api.config import ...` in a script of `service/`)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "service/api/launch.py": (
                "from fastapi import FastAPI\nfrom insight import router\n\n"
                'app = FastAPI()\napp.include_router(router, prefix="/ai")\n'
            ),
            "service/api/insight.py": COMPONENT_ROUTER,
            "service/api/config.py": "PORT = 8000\n",
            "service/start.py": "from api.config import PORT\n\nprint(PORT)\n",
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    for line in ('backend = "service/api"', 'app-package = ""', 'app = "launch:app"'):
        assert line in written, written
    (root / "pyproject.toml").write_text(written.replace('# "insight.py"', '"insight.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert '"route": "/ai/search/{term}"' in (root / "service/api/insight.py").read_text()
    served = _serves_health(root / "service/api", "launch", "/ai/search/x", "{'term': 'x'}")
    assert served.returncode == 0, served.stderr


PLATFORM_SERVED = """from fastapi import FastAPI
{imports}
from insight import router

app = FastAPI()
app.include_router(router, prefix="/ai")

{serve}
"""


@pytest.mark.parametrize(
    ("module", "imports", "serve"),
    [
        ("handler.py", "from mangum import Mangum", "handler = Mangum(app)"),
        (
            "lambda_function.py",
            "import mangum",
            'lambda_handler = mangum.Mangum(app, lifespan="off")',
        ),
        (
            "function_app.py",
            "import azure.functions as func",
            "function = func.AsgiFunctionApp(app=app, http_auth_level=func.AuthLevel.ANONYMOUS)",
        ),
        (
            "entry.py",
            "import azure.functions as func",
            "def main(req, context):\n    return func.AsgiMiddleware(app).handle(req, context)",
        ),
    ],
    ids=["mangum", "mangum-module", "azure-function-app", "azure-middleware"],
)
def test_a_module_handing_its_own_app_to_a_serverless_adapter_is_the_flat_layout_entry(
    tmp_path: Path, module: str, imports: str, serve: str
) -> None:
    """`handler.py` wrapping its app in `Mangum(app)` is what AWS Lambda runs, whatever its name.

    So is an Azure Functions module handing it to `AsgiFunctionApp` or `AsgiMiddleware`. It used
    to be no entry module at all: init found no app.
    """
    root = tmp_path / "transit"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\nmangum\n",
            module: PLATFORM_SERVED.format(imports=imports, serve=serve),
            "insight.py": COMPONENT_ROUTER,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    stem = module.removesuffix(".py")
    for line in ('backend = "."', 'app-package = ""', f'app = "{stem}:app"', '"insight.py"'):
        assert line in written, written
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include_router(telemetry_router)" in (root / module).read_text()


FUNCTION_APP_ENTRY = """import azure.functions as func
{imports}

app = func.{adapter}
"""

SIDE_FUNCTION_PACKAGE = """import azure.functions as func
from fastapi import FastAPI

api = FastAPI()


@api.get("/legacy")
async def legacy() -> dict[str, str]:
    return {"legacy": "yes"}


function = func.AsgiFunctionApp(app=api, http_auth_level=func.AuthLevel.ANONYMOUS)
"""


@pytest.mark.parametrize(
    ("imports", "adapter", "served"),
    [
        (
            "from service import api as web",
            "AsgiFunctionApp(app=web, http_auth_level=func.AuthLevel.ANONYMOUS)",
            "service:api",
        ),
        (
            "from mangum import Mangum\nfrom service import api",
            "FunctionApp()\nhandler = Mangum(api)",
            "service:api",
        ),
    ],
    ids=["azure-function-app", "mangum"],
)
def test_a_top_level_module_handing_an_imported_app_to_a_serverless_adapter_names_it(
    tmp_path: Path, imports: str, adapter: str, served: str
) -> None:
    """`function_app.py` wrapping `from service import api` in `AsgiFunctionApp` serves that app.

    Azure Functions (its Python v2 model) loads `function_app.py` at the root, AWS Lambda the
    handler module; the app they hand to the adapter is the one served, as `uvicorn.run(app)`
    in `run.py` serves the app it imports. A package beside it building another app (an older
    function, never loaded) used to be taken for the app: the flat `service.py` was passed over.
    """
    root = tmp_path / "recipes"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\nazure-functions\n",
            "function_app.py": FUNCTION_APP_ENTRY.format(imports=imports, adapter=adapter),
            "service.py": PLATFORM_SERVED.format(imports="", serve="").replace("app", "api"),
            "insight.py": COMPONENT_ROUTER,
            "legacy/__init__.py": SIDE_FUNCTION_PACKAGE,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    for line in ('backend = "."', 'app-package = ""', f'app = "{served}"', '"insight.py"'):
        assert line in written, written
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include_router(telemetry_router)" in (root / "service.py").read_text()
    assert "telemetry" not in (root / "legacy/__init__.py").read_text()


@pytest.mark.parametrize(
    ("imports", "adapter"),
    [
        ("from service import api as web", "AsgiFunctionApp(app=web)"),
        (
            "from mangum import Mangum\nfrom service import api",
            "FunctionApp()\nhandler = Mangum(api)",
        ),
    ],
    ids=["azure-function-app", "mangum"],
)
@pytest.mark.parametrize("project_file", ["functions/requirements.txt", "requirements.txt"])
def test_a_handler_in_a_folder_handing_an_imported_app_is_found_from_the_root(
    tmp_path: Path, imports: str, adapter: str, project_file: str
) -> None:
    """`functions/function_app.py` wrapping `from service import api` serves `service:api`
    from `functions/`, found from the root as with `--root functions`. It used to be found as
    `functions.service:api` from the root (no such import runs there), or, the folder holding
    a project file, not at all."""
    root = tmp_path / "recipes"
    write_files(
        root,
        {
            project_file: "fastapi\nazure-functions\nmangum\n",
            "functions/function_app.py": FUNCTION_APP_ENTRY.format(
                imports=imports, adapter=adapter
            ),
            "functions/service.py": SERVED_APP.format(path="recipes").replace("app", "api"),
            "README.md": "# recipes\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    for line in ('backend = "functions"', 'app-package = ""', 'app = "service:api"'):
        assert line in result.stdout, result.stdout


SERVED_APP = """from fastapi import FastAPI

app = FastAPI()


@app.get("/{path}")
async def {path}() -> dict[str, str]:
    return {{}}
"""


def test_an_entry_module_wrapping_an_imported_app_it_adds_routes_to_is_the_flat_layout(
    tmp_path: Path,
) -> None:
    """`main.py` importing `app.server`'s app, adding routes and wrapping it in Mangum serves it.

    The entry module is offered as the flat layout (its routes, its routers included), as when
    it serves the imported app with `uvicorn.run(app)`: naming the package's app instead left
    `main.py`'s routes and the router it includes out of the plan.
    """
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmangum\n",
            "app/__init__.py": "",
            "app/server.py": SERVED_APP.format(path="items"),
            "extra.py": COMPONENT_ROUTER,
            "main.py": "from mangum import Mangum\n\nfrom app.server import app\n"
            "from extra import router as extra\n\napp.include_router(extra)\n\n\n"
            '@app.get("/health")\nasync def health() -> dict[str, str]:\n    return {}\n\n\n'
            "handler = Mangum(app)\n",
        },
    )
    result = run("init", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    written = (tmp_path / "pyproject.toml").read_text()
    for line in ('app-package = ""', 'app = "main:app"', '"extra.py"'):
        assert line in written, written


@pytest.mark.parametrize(
    ("name", "module"),
    [
        (
            "handler.py",
            "from mangum import Mangum\n{i}\n\n\ndef handler(event, context):\n"
            "    app = make()\n    return Mangum(app)(event, context)\n",
        ),
        (
            "handler.py",
            "from mangum import Mangum\n{i}\n\nif __name__ == '__main__':\n"
            "    handler = Mangum(app)\n",
        ),
        (
            "handler.py",
            "from typing import TYPE_CHECKING\n\nfrom mangum import Mangum\n{i}\n\n"
            "if TYPE_CHECKING:\n    handler = Mangum(app)\n",
        ),
        ("test_lambda.py", "from mangum import Mangum\n{i}\n\n\ndef test_it():\n    Mangum(app)\n"),
        ("test_lambda.py", "from mangum import Mangum\n{i}\n\nhandler = Mangum(app)\n"),
        ("lambda_test.py", "from mangum import Mangum\n{i}\n\nhandler = Mangum(app)\n"),
        ("conftest.py", "from mangum import Mangum\n{i}\n\nhandler = Mangum(app)\n"),
        (
            "handler.py",
            "from mangum import Mangum\n{i}\n\n\ndef Mangum(x):\n    return x\n\n\n"
            "handler = Mangum(app)\n",
        ),
        ("handler.py", "from mylib import Mangum\n{i}\n\nhandler = Mangum(app)\n"),
        (
            "handler.py",
            "import azure.functions as func\n\nx = func.AsgiMiddleware('other.demo:app')\n",
        ),
        (
            "handler.py",
            "from mangum import Mangum\n{i}\nimport other as app\n\nhandler = Mangum(app)\n",
        ),
        (
            "handler.py",
            "from mangum import Mangum\n{i}\n\napp = app.mount\nhandler = Mangum(app)\n",
        ),
    ],
    ids=[
        "function-local-app",
        "main-guard",
        "type-checking",
        "test-function",
        "test-module",
        "test-module-suffix",
        "conftest",
        "shadowed-adapter",
        "other-library",
        "string-argument",
        "name-rebound-by-import",
        "name-rebound",
    ],
)
def test_an_adapter_call_that_does_not_serve_an_imported_app_names_none(
    tmp_path: Path, name: str, module: str
) -> None:
    """Only an adapter call a module the platform loads makes, on an imported app.

    A call on a function's own app, under the ``__main__`` guard (a platform imports the
    module, never runs it) or ``if TYPE_CHECKING:``, in a test module or a test function, of a
    name bound to something else than the adapter, on a string or on a name rebound after
    the import says nothing of the app served: the app is found as without that module.
    """
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmangum\n",
            "app/__init__.py": "",
            "app/main.py": SERVED_APP.format(path="main"),
            "other/__init__.py": "",
            "other/demo.py": SERVED_APP.format(path="demo"),
            name: module.format(i="from other.demo import app"),
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "app.main:app"' in result.stdout, result.stdout


def test_a_module_level_adapter_call_on_an_imported_app_names_it(tmp_path: Path) -> None:
    """The same shape with `handler = Mangum(app)` at module level serves `other.demo:app`."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmangum\n",
            "app/__init__.py": "",
            "app/main.py": SERVED_APP.format(path="main"),
            "other/__init__.py": "",
            "other/demo.py": SERVED_APP.format(path="demo"),
            "handler.py": "from mangum import Mangum\nfrom other.demo import app\n\n"
            "handler = Mangum(app)\n",
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "other.demo:app"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    "handler",
    [
        # Microsoft's Azure Functions FastAPI sample: the adapter runs per request.
        "import azure.functions as func\n\nfrom service import api\n\n"
        "app = func.FunctionApp()\n\n\n"
        '@app.route(route="{*route}", auth_level=func.AuthLevel.ANONYMOUS)\n'
        "async def http_trigger(req, context):\n"
        "    return await func.AsgiMiddleware(api).handle_async(req, context)\n",
        "from mangum import Mangum\n\nfrom service import api\n\n\n"
        "def handler(event, context):\n    return Mangum(api)(event, context)\n",
    ],
    ids=["azure-sample", "lambda-per-call"],
)
def test_an_adapter_call_in_a_function_on_an_imported_app_names_it(
    tmp_path: Path, handler: str
) -> None:
    """A handler wrapping the imported app on each call serves it, over a side package's app."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmangum\nazure-functions\n",
            "service.py": SERVED_APP.format(path="items").replace("app", "api"),
            "legacy/__init__.py": SERVED_APP.format(path="old"),
            "function_app.py": handler,
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "service:api"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("handler", "served"),
    [
        # Azure's v2 model: the imported app's name rebound to the adapter wrapping it.
        (
            "import azure.functions as func\n\nfrom service import api\n\n"
            "api = func.AsgiFunctionApp(app=api, http_auth_level=func.AuthLevel.ANONYMOUS)\n",
            "service:api",
        ),
        (
            "from mangum import Mangum\n\nfrom service import api\n\napi = Mangum(api)\n",
            "service:api",
        ),
        # The module imported whole, its app reached as an attribute.
        (
            "import service\nfrom mangum import Mangum\n\nhandler = Mangum(service.api)\n",
            "service:api",
        ),
        (
            "import pkg.web\nfrom mangum import Mangum\n\nhandler = Mangum(pkg.web.api)\n",
            "pkg.web:api",
        ),
        (
            "import pkg.web as web\nfrom mangum import Mangum\n\nhandler = Mangum(web.api)\n",
            "pkg.web:api",
        ),
    ],
    ids=["azure-rebound", "mangum-rebound", "module-import", "dotted-import", "aliased-import"],
)
def test_an_adapter_on_an_app_bound_before_it_names_that_app(
    tmp_path: Path, handler: str, served: str
) -> None:
    """The app an adapter call is handed is the one its name holds before the statement: one
    rebinding the imported name to the adapter (`api = func.AsgiFunctionApp(app=api)`) serves
    the imported app; a module imported whole serves its attribute (`Mangum(service.api)`)."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmangum\nazure-functions\n",
            "service.py": SERVED_APP.format(path="items").replace("app", "api"),
            "pkg/__init__.py": "",
            "pkg/web.py": SERVED_APP.format(path="web").replace("app", "api"),
            "legacy/__init__.py": SERVED_APP.format(path="old"),
            "function_app.py": handler,
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f'app = "{served}"' in result.stdout, result.stdout


def test_an_adapter_on_a_module_imported_whole_names_no_app(tmp_path: Path) -> None:
    """`Mangum(service)` hands a module, no app: the app is found as without that module."""
    write_files(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmangum\n",
            "app/__init__.py": "",
            "app/main.py": SERVED_APP.format(path="main"),
            "service.py": SERVED_APP.format(path="items").replace("app", "api"),
            "handler.py": "import service\nfrom mangum import Mangum\n\n"
            "handler = Mangum(service)\n",
        },
    )
    result = run("init", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "service:api"' not in result.stdout, result.stdout


RAY_SERVE_APP = """from fastapi import FastAPI
from pydantic import BaseModel
from ray import serve

app = FastAPI()


class Prompt(BaseModel):
    text: str


@serve.deployment(num_replicas=1)
@serve.ingress(app)
class Generator:
    def __init__(self, model: str) -> None:
        self.model = model

    @app.post("/generate/{mode}")
    async def generate(self, mode: str, prompt: Prompt) -> dict[str, str]:
        return {"mode": mode, "text": prompt.text}


deployment = Generator.bind("tiny")
"""


def test_a_ray_serve_module_handing_its_app_to_ingress_is_the_flat_layout_entry(
    tmp_path: Path,
) -> None:
    """`@serve.ingress(app)` on a Ray Serve deployment: `serve run serve_app:deployment` serves
    the module's app, whatever the module's name. init used to find no app.
    """
    root = tmp_path / "generator"
    write_files(root, {"requirements.txt": "ray[serve]\nfastapi\n", "serve_app.py": RAY_SERVE_APP})
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    for line in ('backend = "."', 'app-package = ""', 'app = "serve_app:app"'):
        assert line in written, written
    (root / "pyproject.toml").write_text(written.replace('# "serve_app.py"', '"serve_app.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    module = (root / "serve_app.py").read_text()
    assert "app.include_router(telemetry_router)" in module
    assert '"route": "/generate/{mode}"' in module
    assert '"handler": "Generator.generate"' in module


def test_a_fastapi_entrypoint_naming_a_top_level_module_of_any_name_is_found(
    tmp_path: Path,
) -> None:
    """`[tool.fastapi] entrypoint = "service:app"`: FastAPI CLI's own setting names the module.

    A flat module not named like an entry module (main.py, app.py, ...) and serving itself no
    other way used to be passed over, and init found no app.
    """
    root = tmp_path / "quiz"
    write_files(
        root,
        {
            "pyproject.toml": (
                '[project]\nname = "quiz"\n\n[tool.fastapi]\nentrypoint = "service:app"\n'
            ),
            "service.py": PLATFORM_SERVED.format(imports="", serve=""),
            "insight.py": COMPONENT_ROUTER,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    for line in ('backend = "."', 'app-package = ""', '"insight.py"'):
        assert line in written, written
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include_router(telemetry_router)" in (root / "service.py").read_text()


PROBE = """from fastapi import FastAPI

probe = FastAPI()  # the worker's liveness endpoint, on a port of its own


@probe.get("/healthz")
def healthz() -> dict[str, bool]:
    return {"ok": True}
"""


@pytest.mark.parametrize(
    "others",
    [
        {"scripts/__init__.py": "", "scripts/export_openapi.py": THROWAWAY},
        {"worker/__init__.py": "", "worker/health.py": PROBE},
    ],
    ids=["openapi-script", "worker-probe"],
)
def test_a_flat_main_wins_over_an_app_in_a_regular_package_module_of_another_name(
    tmp_path: Path, others: dict[str, str]
) -> None:
    """`main.py` at the top serves the routes; `scripts/` or `worker/` holds an app of its own.

    The regular package's app used to be taken without a look at `main.py` beside it.
    """
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": _flat_main("routers"),
        "routers/__init__.py": "",
        "routers/users.py": FLAT_USERS,
    }
    write_files(root, {**files, **others})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:app"' in result.stdout, result.stdout
    assert 'app-package = ""' in result.stdout
    _round_trip(root, "routers/users.py")


def test_a_folder_of_wiring_helpers_named_app_is_no_second_app(tmp_path: Path) -> None:
    """`main.py` at the top calls `app_router(app)` from `app/router.py` (no `__init__.py`s).

    The folder `app/` holds no app of its own: it offers the top-level `main.py`, the same app
    the flat layout offers, which is one app and not two.
    """
    root = tmp_path / "films"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "films"\n',
            "main.py": (
                "from fastapi import FastAPI\n\nfrom app.router import app_router\n\n"
                "app = FastAPI()\napp_router(app)\n"
            ),
            "app/router.py": (
                "from fastapi import FastAPI\n\nfrom controller.users import router\n\n\n"
                "def app_router(app: FastAPI) -> None:\n"
                '    app.include_router(prefix="/api", router=router)\n'
            ),
            "app/config.py": "DEBUG = False\n",
            "controller/users.py": FLAT_USERS,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:app"' in result.stdout
    assert 'app-package = ""' in result.stdout
    assert '# "controller/users.py" = "ai_block_used"' in result.stdout


def test_an_app_init_cannot_find_is_refused_with_the_keys_to_write(tmp_path: Path) -> None:
    """The app comes out of a container (`app = container.get(FastAPI)`): init cannot tell.

    The refusal names the folders it did find: the plan must hold them beside `app`, since init
    refuses to add to a table that exists; written as said, generate takes it from there.
    """
    root = tmp_path / "wired"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "wired"\n',
            "app/__init__.py": "",
            "app/container.py": (
                "from fastapi import FastAPI\n\nfrom app.users import router\n\n\n"
                "class Container:\n"
                "    def get(self, kind: type) -> FastAPI:\n"
                "        built = kind()\n"
                "        built.include_router(router)\n"
                "        return built\n\n\n"
                "container = Container()\n"
            ),
            "app/run.py": (
                "from fastapi import FastAPI\n\nfrom app.container import container\n\n"
                "app = container.get(FastAPI)\n"
            ),
            "app/users.py": FLAT_USERS,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 2, result.stdout
    said = result.stderr.strip()
    assert len(said.splitlines()) == 1, said
    assert 'with backend = "." and app-package = "app"' in said, said
    (root / "pyproject.toml").write_text(
        '[project]\nname = "wired"\n\n[tool.telemetry-scaffold]\nbackend = "."\n'
        'app-package = "app"\napp = "app.run:app"\n'
        'instrument = { "users.py" = "ai_block_used" }\n'
    )
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert '"route": "/users/{user_id}"' in (root / "app/users.py").read_text()


def test_a_namespace_package_imported_from_a_folder_below_the_project_is_served_there(
    tmp_path: Path,
) -> None:
    """`src/shop/` (no `__init__.py`, nor in `src/`) whose modules say `from shop.routes ...`.

    The project file is at the root, but the server runs from `src/` (`uvicorn
    shop.server:app` there): the package is `shop`, not `src`, or the generated imports
    (`from src.analytics...`, `from ...analytics` above `shop`) fail when the app starts.
    """
    root = tmp_path / "project"
    shop = root / "src/shop"
    (shop / "routes").mkdir(parents=True)
    (shop / "server.py").write_text(NAMESPACE_MAIN.replace("from app.", "from shop."))
    (shop / "routes/orders.py").write_text(NAMESPACE_ORDERS)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "src"' in result.stdout
    assert 'app-package = "shop"' in result.stdout
    assert 'app = "shop.server:app"' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    _uncomment_and_generate(root, "routes/orders.py")
    assert (
        "from shop.analytics.event_logger import event_logger"
        in (shop / "routes/orders.py").read_text()
    )
    served = _serves_health(root / "src", "shop.server", "/orders/7")
    assert served.returncode == 0, served.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_namespace_package_imported_through_its_project_folder_is_served_from_above_it(
    tmp_path: Path,
) -> None:
    """`app/requirements.txt` beside `app/api/` (no `__init__.py` anywhere), whose modules say
    `from app.api.routes ...`: the server runs from the folder above `app/` (`uvicorn
    app.api.main:app`), not from the project folder `app/`, or the generated imports
    (`from api.analytics...`) fail when the app starts."""
    root = tmp_path / "project"
    api = root / "app/api"
    (api / "routes").mkdir(parents=True)
    (api / "main.py").write_text(NAMESPACE_MAIN.replace("from app.", "from app.api."))
    (api / "routes/orders.py").write_text(NAMESPACE_ORDERS)
    (root / "app/requirements.txt").write_text("fastapi\n")
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout, result.stdout
    assert 'app = "app.api.main:app"' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    _uncomment_and_generate(root, "api/routes/orders.py")
    served = _serves_health(root, "app.api.main", "/orders/7")
    assert served.returncode == 0, served.stderr
    assert "event_logger.log(" in (api / "routes/orders.py").read_text()
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_flat_folder_importing_itself_by_its_name_is_served_from_the_folder_above(
    tmp_path: Path,
) -> None:
    """`backend/main.py` saying `from backend.routes.orders import router`, with
    `backend/requirements.txt` (no `__init__.py`): the server runs from the root (`uvicorn
    backend.main:app`), not from `backend/`, where `import backend` fails."""
    root = tmp_path / "project"
    backend = root / "backend"
    (backend / "routes").mkdir(parents=True)
    (backend / "main.py").write_text(NAMESPACE_MAIN.replace("from app.", "from backend."))
    (backend / "routes/orders.py").write_text(NAMESPACE_ORDERS)
    (backend / "requirements.txt").write_text("fastapi\n")
    (backend / "Dockerfile").write_text('CMD ["uvicorn", "backend.main:app"]\n')
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    for line in ('backend = "."', 'app-package = "backend"', 'app = "backend.main:app"'):
        assert line in text, text
    _uncomment_and_generate(root, "routes/orders.py")
    served = _serves_health(root, "backend.main", "/orders/7")
    assert served.returncode == 0, served.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_folder_whose_modules_import_it_by_name_is_not_run_from_inside_for_its_main(
    tmp_path: Path,
) -> None:
    """`app/main.py` re-exporting the app as `from api import server` (a sibling of it), while
    `app/api/server.py` builds it saying `from app.routes import orders` (no `__init__.py`):
    those imports only resolve from the folder above `app/`, where `main.py` re-exports the same
    app; run from `app/` (`backend = "app"`), the app fails to start."""
    root = tmp_path / "project"
    (root / "app/api").mkdir(parents=True)
    (root / "app/routes").mkdir()
    (root / "app/api/server.py").write_text(NAMESPACE_MAIN)
    (root / "app/routes/orders.py").write_text(NAMESPACE_ORDERS)
    (root / "app/main.py").write_text("from api import server\n\napp = server.app\n")
    (root / "main.py").write_text("from app.api import server\n\napp = server.app\n")
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    for line in ('backend = "."', 'app = "app.api.server:app"'):
        assert line in text, text
    _uncomment_and_generate(root, "app/routes/orders.py")
    served = _serves_health(root, "main", "/orders/7")
    assert served.returncode == 0, served.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_of_two_factories_building_one_app_init_names_the_one_the_other_does_not_call(
    tmp_path: Path,
) -> None:
    """`create_app()` calls `build_app()`, which builds the app, then includes the routers.

    Both return the same app; a server runs `create_app` (`uvicorn shop.main:create_app
    --factory`), the app `build_app` returns has no routes yet.
    """
    root = tmp_path / "project"
    (root / "shop/routes").mkdir(parents=True)
    (root / "shop/__init__.py").write_text("")
    (root / "shop/routes/__init__.py").write_text("")
    (root / "shop/routes/orders.py").write_text(NAMESPACE_ORDERS)
    (root / "shop/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom shop.routes import orders\n\n\n"
        "def build_app() -> FastAPI:\n"
        '    application = FastAPI(title="shop")\n'
        "    return application\n\n\n"
        "def create_app() -> FastAPI:\n"
        "    app = build_app()\n"
        "    app.include_router(orders.router)\n"
        "    return app\n"
    )
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:create_app"' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0


@pytest.mark.parametrize(
    "runner",
    ["asyncio.run(create_app())", "asyncio.get_event_loop().run_until_complete(create_app())"],
)
def test_an_app_an_event_loop_gets_from_an_async_factory_is_the_variable(
    tmp_path: Path, runner: str
) -> None:
    """`app = asyncio.run(create_app())`: the module's `app` is served, not the async factory.

    A server cannot call an async factory (`uvicorn --factory` expects an app back); the
    telemetry router still goes where the factory builds the app.
    """
    root = tmp_path / "project"
    (root / "shop/routes").mkdir(parents=True)
    (root / "shop/__init__.py").write_text("")
    (root / "shop/routes/__init__.py").write_text("")
    (root / "shop/routes/orders.py").write_text(NAMESPACE_ORDERS)
    (root / "shop/main.py").write_text(
        "import asyncio\n\nfrom fastapi import FastAPI\n\nfrom shop.routes import orders\n\n\n"
        "async def create_app() -> FastAPI:\n"
        '    application = FastAPI(title="shop")\n'
        "    application.include_router(orders.router)\n"
        "    return application\n\n\n"
        f"app = {runner}\n"
    )
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "shop.main:app"' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include the telemetry router in `application in create_app()`" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_a_factory_its_package_re_exports_under_another_name_is_one_app(tmp_path: Path) -> None:
    """`service/app/__init__.py` says `from .factory import create_app as make_service`.

    The backend folder has no `__init__.py`; its package `app` builds the app in `factory.py`
    and re-exports the factory, its package `settings` (which says "FastAPI" in a title) has no
    app of its own: the package `app` seen as
    the folder's top-level entry module offers the same factory, one app and not two.
    """
    root = tmp_path / "svc"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "service/app/__init__.py": "from .factory import create_app as make_service\n",
            "service/app/factory.py": (
                "from fastapi import FastAPI\n\nfrom app.routes import items\n\n\n"
                "def create_app() -> FastAPI:\n    app = FastAPI()\n"
                "    app.include_router(items.router)\n    return app\n"
            ),
            "service/app/routes/__init__.py": "",
            "service/app/routes/items.py": ITEMS,
            # Names FastAPI, so init looks for an app in this package too.
            "service/settings/__init__.py": 'TITLE = "FastAPI service"\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "service"' in result.stdout
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.factory:create_app"' in result.stdout
    assert '# "routes/items.py" = "ai_block_used"' in result.stdout


@pytest.mark.parametrize("exported", ["create_app as make_service", "create_app"])
def test_a_factory_needing_arguments_its_package_re_exports_is_read_as_one(
    tmp_path: Path, exported: str
) -> None:
    """`service/app/__init__.py` re-exports `def create_app(settings)` of `factory.py`.

    Whether a server can call a factory with no arguments is one reading, through the
    re-export as well: the package `app` seen as the folder's top-level module offers the same
    factory, needing an argument there too. It was read as servable there alone, so init
    picked it and named `settings` (no app at all) the app package.
    """
    root = tmp_path / "svc"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "service/app/__init__.py": f"from .factory import {exported}\n",
            "service/app/factory.py": (
                "from fastapi import FastAPI\n\nfrom app.routes import items\n\n\n"
                "def create_app(settings: dict) -> FastAPI:\n    app = FastAPI()\n"
                "    app.include_router(items.router)\n    return app\n"
            ),
            "service/app/routes/__init__.py": "",
            "service/app/routes/items.py": ITEMS,
            "service/settings/__init__.py": 'TITLE = "FastAPI service"\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.factory:create_app"' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include the telemetry router in `app in create_app()`" in generated.stdout


def test_a_package_importing_its_siblings_through_the_folder_above_is_served_from_there(
    tmp_path: Path,
) -> None:
    """`internal/app/` (a package) in `internal/` (none) says `from internal.web import items`.

    Its routes are in the sibling package `internal/web/`: the server runs from the folder
    above `internal/`, and the app package is `internal`, which holds both.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "layered"\n',
            "internal/app/__init__.py": "from .factory import create_app as backend_app\n",
            "internal/app/factory.py": (
                "from fastapi import FastAPI\n\nfrom internal.web import items\n\n\n"
                "def create_app() -> FastAPI:\n    app = FastAPI()\n"
                '    app.include_router(items.router, prefix="/items")\n    return app\n'
            ),
            "internal/web/__init__.py": "",
            "internal/web/items.py": ITEMS.replace('prefix="/items"', ""),
            "internal/config/__init__.py": 'TITLE = "FastAPI service"\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout
    assert 'app-package = "internal"' in result.stdout
    assert 'app = "internal.app.factory:create_app"' in result.stdout
    assert '# "web/items.py" = "ai_block_used"  # 2 route handlers' in result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    generated = _uncomment_and_generate(root, "web/items.py")
    assert "log call in get_item (GET /items/{item_id})" in generated.stdout
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0


def test_a_package_named_like_the_folder_holding_it_imports_itself_not_siblings(
    tmp_path: Path,
) -> None:
    """`backend/app/app/main.py` imports `app.api.router`, run from `backend/app`.

    The folder above the package is named like it: `app.api` is the package's own module, not a
    sibling reached through that folder (there is no `backend/app/api`).
    """
    root = tmp_path / "project"
    package = root / "backend/app/app"
    (package / "api").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "api/__init__.py").write_text("")
    (package / "api/orders.py").write_text(NAMESPACE_ORDERS)
    (package / "api/router.py").write_text(
        "from fastapi import APIRouter\n\nfrom app.api import orders\n\n"
        'api_router = APIRouter()\napi_router.include_router(orders.router, prefix="/orders")\n'
    )
    (package / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.api.router import api_router\n\n"
        'app = FastAPI()\napp.include_router(api_router, prefix="/api/v1")\n'
    )
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "backend/app"' in result.stdout
    assert 'app-package = "app"' in result.stdout
    assert 'app = "app.main:app"' in result.stdout
    assert '# "api/orders.py" = "ai_block_used"' in result.stdout


def test_routers_a_package_beside_the_app_includes_are_served_and_suggested(
    tmp_path: Path,
) -> None:
    """The app module hands the app to a helper of a sibling package that includes routers.

    `core/routing.py` (outside the app package, imported by its main module) includes the
    routers of modules it imports at run time: they are served, so suggested, and their
    routes are logged at their own routers' paths.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "shop/main.py": (
                "from fastapi import FastAPI\n\nfrom core.routing import Routers\n\n"
                "app = FastAPI()\nRouters(app).include_all()\n"
            ),
            "shop/orders/routes.py": ITEMS.replace("/items", "/orders"),
            "core/routing.py": (
                "import importlib\nfrom pathlib import Path\n\n\nclass Routers:\n"
                "    def __init__(self, app):\n        self.app = app\n\n"
                "    def include_all(self):\n"
                '        for folder in Path(__file__).parent.parent.joinpath("shop").iterdir():\n'
                '            module = importlib.import_module(f"shop.{folder.name}.routes")\n'
                "            self.app.include_router(module.router)\n"
            ),
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert (
        '# "orders/routes.py" = "ai_block_used"  # 2 route handlers\n'
        in (root / "pyproject.toml").read_text()
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^# ("[^"]*" = "ai_block_used").*$', r"\1", pyproject.read_text(), flags=re.M)
    )
    assert run("generate", "--root", str(root)).exit_code == 0
    assert '"route": "/orders/{item_id}"' in (root / "shop/orders/routes.py").read_text()


def test_a_prefix_a_helper_beside_the_app_package_includes_with_is_logged(
    tmp_path: Path,
) -> None:
    """`core/routing.py` includes the package's router under `/api`: its routes log `/api/...`."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "shop/main.py": (
                "from fastapi import FastAPI\n\nfrom core.routing import include_all\n\n"
                "app = FastAPI()\ninclude_all(app)\n"
            ),
            "shop/orders/routes.py": ITEMS.replace("/items", "/orders"),
            "core/routing.py": (
                "from fastapi import FastAPI\n\nfrom shop.orders.routes import router\n\n\n"
                "def include_all(app: FastAPI) -> None:\n"
                '    app.include_router(router, prefix="/api")\n'
            ),
        },
    )
    (root / "pyproject.toml").write_text(
        '[tool.telemetry-scaffold]\nbackend = "."\napp-package = "shop"\napp = "shop.main:app"\n\n'
        '[tool.telemetry-scaffold.instrument]\n"orders/routes.py" = "ai_block_used"\n'
    )
    result = run("generate", "--root", str(root))
    assert result.exit_code == 0, result.stdout
    assert '"route": "/api/orders/{item_id}"' in (root / "shop/orders/routes.py").read_text()
    assert "included by no app" not in result.stdout


PACKAGE_MAIN = """from fastapi import FastAPI

from app.routers.items import router

app = FastAPI()
app.include_router(router)
"""


@pytest.mark.parametrize(
    ("imports", "init_file", "expected"),
    [
        # Both build an app of the routers: main.py serves no component of the package; as
        # when it imports nothing of it, the package's own entry (app/main.py) is the app.
        ("from app.routers.items import router\n", True, 'app = "app.main:app"'),
        # The same without `app/__init__.py`: both are offered alike, init cannot choose.
        ("from app.routers.items import router\n", False, "several FastAPI apps found"),
        # main.py imports the package's own app to mount it: main.py is the one served.
        (
            "from app.main import app as api\nfrom app.routers.items import router\n",
            True,
            'app = "main:app"',
        ),
        # An app of one part of the folder main.py imports (`service/gateway/app.py`, a regular
        # package inside a folder without `__init__.py`): a component, main.py is served.
        ("from service.cameras.items import router\n", None, 'app = "main:app"'),
    ],
    ids=[
        "entry-beside-the-package-main",
        "entry-beside-a-namespace-package-main",
        "entry-mounting-the-package-main",
        "entry-importing-a-folder-with-a-part-app",
    ],
)
def test_an_entry_module_beside_a_package_with_its_own_main_app_does_not_take_it_over(
    tmp_path: Path, imports: str, init_file: bool | None, expected: str
) -> None:
    """`main.py` and `app/main.py` both build an app of `app.routers`: neither is a component."""
    root = tmp_path / "project"
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": FLAT_ENTRY.format(imports=imports)
        + ('app.mount("/v2", api)\n' if "api" in imports else ""),
        "app/main.py": PACKAGE_MAIN,
        "app/routers/items.py": ITEMS,
    }
    if init_file:
        files.update({"app/__init__.py": "", "app/routers/__init__.py": ""})
    if init_file is None:
        del files["app/main.py"], files["app/routers/items.py"]
        files.update(
            {
                "service/cameras/items.py": ITEMS,
                "service/gateway/__init__.py": "",
                "service/gateway/app.py": PACKAGE_MAIN.replace("app.routers", "service.gateway"),
                "service/gateway/items.py": ITEMS,
            }
        )
    write_files(root, files)
    result = run("init", "--root", str(root), "--dry-run")
    if expected.startswith("app ="):
        assert result.exit_code == 0, result.stderr
        assert expected in result.stdout, result.stdout
    else:
        assert result.exit_code == 2, result.stdout
        assert expected in result.stderr and "app.main:app in the project root" in result.stderr
        assert result.stderr.count("\n") == 1


def test_an_entry_module_running_the_package_app_by_import_string_names_it(
    tmp_path: Path,
) -> None:
    """`main.py` only runs `uvicorn.run("app.main:app")`: one app, the one it names."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "main.py": (
                "import uvicorn\n\nfrom app.routers.items import router  # noqa: F401\n\n"
                'if __name__ == "__main__":\n    uvicorn.run("app.main:app")\n'
            ),
            "app/__init__.py": "",
            "app/main.py": PACKAGE_MAIN,
            "app/routers/__init__.py": "",
            "app/routers/items.py": ITEMS,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app-package = "app"' in result.stdout and 'app = "app.main:app"' in result.stdout
    assert '# "routers/items.py" = "ai_block_used"' in result.stdout


RUNNER = """\"\"\"Starts the FastAPI service.\"\"\"

if __name__ == "__main__":
    import uvicorn

    uvicorn.run("{target}", port=8000)
"""

# The server started by a function the `__main__` guard calls (`python -m pkg`'s usual shape).
RUNNER_IN_MAIN = """\"\"\"Starts the FastAPI service.\"\"\"
import asyncio

import uvicorn


def serve() -> None:
    uvicorn.run("{target}", port=8000)


async def main() -> None:
    serve()


if __name__ == "__main__":
    asyncio.run(main())
"""


def _runner(test_name: str) -> str:
    if "function" in test_name:
        return RUNNER_IN_MAIN
    if "python-3.12" in test_name:  # read on Python 3.11 too
        return RUNNER.replace("    uvicorn.run(", "    type Port = int\n    uvicorn.run(")
    return RUNNER


@pytest.mark.parametrize(
    ("runner", "target", "app"),
    [
        ("run.py", "services.core.web.server:app", 'app = "services.core.web.server:app"'),
        ("run.py", "services.core.web.server:make", 'app = "services.core.web.server:make"'),
        ("main.py", "services.core.web.server:app", 'app = "services.core.web.server:app"'),
        ("run.py", "services.core.web.server:make", 'app = "services.core.web.server:make"'),
        (
            "launch/__main__.py",
            "services.core.web.server:app",
            'app = "services.core.web.server:app"',
        ),
        ("run.py", "services.core.web.server:app", 'app = "services.core.web.server:app"'),
    ],
    ids=[
        "module-level-app",
        "factory",
        "runner-named-main",
        "served-by-a-function-main-calls",
        "package-run-with-python-m",
        "runner-in-python-3.12-grammar",
    ],
)
def test_the_app_a_top_level_runner_serves_wins_over_another_package_app(
    tmp_path: Path, request: pytest.FixtureRequest, runner: str, target: str, app: str
) -> None:
    """`run.py` at the top serves `services.core.web.server:app` with `uvicorn.run("...")`.

    That app lives in folders without `__init__.py`; a regular package beside them builds a
    stub service of its own. The stub was taken without a word, the app the project runs
    passed over: what the project's own runner serves is the app, as an entrypoint would say.
    A runner named `main.py` offers the folder as a flat layout too: the app is still its
    package's, not the whole folder's (the stub's routes are not the app's).
    """
    root = tmp_path / "project"
    server = (
        "from fastapi import FastAPI\n\nfrom services.core.web import search\n\n"
        "def make() -> FastAPI:\n    application = FastAPI()\n"
        '    application.include_router(search.router, prefix="/api/v1")\n'
        "    return application\n\n\napp = make()\n"
    )
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "agent"\n',
            runner: _runner(request.node.name).format(target=target),
            "services/core/web/server.py": server,
            "services/core/web/search.py": COMPONENT_ROUTER,
            "stub/__init__.py": "",
            "stub/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
            '@app.get("/pay")\nasync def pay() -> dict[str, bool]:\n'
            '    paid = True\n    return {"paid": paid}\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "."' in result.stdout, result.stdout
    assert 'app-package = "services"' in result.stdout, result.stdout
    assert app in result.stdout, result.stdout
    assert '# "core/web/search.py" = "ai_block_used"' in result.stdout, result.stdout
    assert "stub/" not in result.stdout, result.stdout


def test_an_entrypoint_app_offered_twice_is_one_app_of_its_package(tmp_path: Path) -> None:
    """`[tool.fastapi] entrypoint` names an app in folders without `__init__.py`.

    A `main.py` at the top mentioning FastAPI offers the folder as a flat layout too: the same
    app was found twice ("several FastAPI apps found (x in the project root, x in the project
    root)").
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "agent"\n\n[tool.fastapi]\n'
            'entrypoint = "services.core.web.server:app"\n',
            "main.py": '"""Run the FastAPI app with `fastapi run`."""\n',
            "services/core/web/server.py": "from fastapi import FastAPI\n\n"
            "from services.core.web import search\n\napp = FastAPI()\n"
            "app.include_router(search.router)\n",
            "services/core/web/search.py": COMPONENT_ROUTER,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app-package = "services"' in result.stdout, result.stdout
    assert '# "core/web/search.py" = "ai_block_used"' in result.stdout, result.stdout


def test_a_module_registering_endpoints_it_cannot_follow_is_suggested_with_a_count(
    tmp_path: Path,
) -> None:
    """`router.add_api_route("/token", TokenView.as_view())`: a class-based view's dispatcher.

    The module defines no handler, so it was never suggested: its routes went unlogged without
    a word. It is offered (commented) with the count of routes to log by hand; generate names
    each one, and changes nothing in it.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "main.py": "from fastapi import FastAPI\n\nfrom views.router import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/auth")\n',
            "views/__init__.py": "",
            "views/base.py": "class View:\n    @classmethod\n    def as_view(cls):\n"
            "        async def handle():\n            return await cls().get()\n\n"
            "        return handle\n",
            "views/api.py": "from views.base import View\n\n\n"
            "async def login() -> dict[str, bool]:\n"
            '    done = True\n    return {"done": done}\n\n\nclass TokenView(View):\n'
            '    async def get(self) -> str:\n        return "token"\n',
            "views/router.py": "from fastapi import APIRouter\n\nfrom views.api import TokenView,"
            " login\n\nrouter = APIRouter()\n"
            'router.add_api_route("/login", login, methods=["POST"])\n'
            'router.add_api_route("/token", TokenView.as_view(), methods=["GET"])\n'
            'router.add_api_route("/me", TokenView.as_view(), methods=["GET"])\n',
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert '# "views/api.py" = "ai_block_used"  # 1 route handler\n' in result.stdout
    expected = (
        '# "views/router.py" = "ai_block_used"  # 2 routes registered with an endpoint it '
        "cannot follow to a function (generate names them: log them by hand)\n"
    )
    assert expected in result.stdout, result.stdout
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "views/', '"views/'))
    untouched = (root / "views/router.py").read_bytes()
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "views/router.py:7: `router.add_api_route` registers `TokenView.as_view()`" in (
        generated.stdout
    )
    assert "log call in login (POST /auth/login)" in generated.stdout
    assert (root / "views/router.py").read_bytes() == untouched
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0


def test_a_package_wins_over_a_module_of_its_name_beside_it(tmp_path: Path) -> None:
    """`app/__init__.py` and a stale `app.py` beside it: `import app` imports the package.

    Python's finder takes the package folder over the module file; `from app import app` in
    `main.py` was read as the stale module's app, so the served app (and its routes) was missed.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "main.py": 'from app import app\n\nif __name__ == "__main__":\n    import uvicorn\n\n'
            '    uvicorn.run("main:app", port=5100)\n',
            "app.py": 'from fastapi import FastAPI\n\napp = FastAPI(title="stale")\n',
            "app/__init__.py": "from fastapi import FastAPI\n\nfrom app.routes import search\n\n"
            'app = FastAPI()\napp.include_router(search.router, prefix="/v2")\n',
            "app/routes/__init__.py": "",
            "app/routes/search.py": COMPONENT_ROUTER,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    plan = (root / "pyproject.toml").read_text()
    assert '"app/routes/search.py" = "ai_block_used"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "app/routes', '"app/routes'))
    stale = (root / "app.py").read_bytes()
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in search (GET /v2/search/{term})" in generated.stdout
    assert "include_router(telemetry_router)" in (root / "app/__init__.py").read_text()
    assert (root / "app.py").read_bytes() == stale
    assert run("remove", "--root", str(root)).exit_code == 0
    # Naming the shadowed file in the plan says why it cannot be patched.
    (root / "pyproject.toml").write_text(plan + '"app.py" = "ai_block_used"\n')
    named = run("generate", "--root", str(root))
    assert named.exit_code == 1, named.stdout + named.stderr
    assert "app.py: shadowed by app/__init__.py" in named.stdout + named.stderr
    assert (root / "app.py").read_bytes() == stale


def test_a_folder_init_may_not_look_into_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database's volume beside the code (`pgdata`, mode 700, owned by the container's user):
    # asking whether it is a virtual environment raised "Permission denied" and init failed.
    root = _shop(tmp_path / "shop")
    locked = root / "pgdata"
    locked.mkdir()
    for folder in (locked, root / "src/shop/pgdata"):
        folder.mkdir(exist_ok=True)
    real_stat = Path.stat

    def stat(self: Path, *args: object, **kwargs: object) -> object:
        # As root, chmod does not stop a look inside; so what a locked folder does is simulated.
        if self.parent.name == "pgdata":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)  # type: ignore[arg-type]

    project = make_project(tmp_path / "project")
    (project / "backend/app/pgdata").mkdir()
    monkeypatch.setattr(Path, "stat", stat)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert '# "routes/items.py" = "ai_block_used"  # 2 route handlers' in result.stdout
    # generate walks the app package for the app the same way.
    result = run("generate", "--root", str(project))
    assert result.exit_code == 0, result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_gitignore_that_is_no_regular_file_is_passed_over(tmp_path: Path) -> None:
    # A named pipe blocked the walk for ever, and a link to /dev/zero never ended: a child
    # process, so that a hang fails by its timeout.
    root = _shop(tmp_path / "shop")
    os.mkfifo(root / ".gitignore")
    (root / "src/.gitignore").symlink_to("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "telemetry_cli", "init", "--root", str(root), "--dry-run"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '# "routes/items.py" = "ai_block_used"  # 2 route handlers' in result.stdout


SELF_IMPORTING_MODULES = {
    "pyproject.toml": '[project]\nname = "svc"\n',
    "src/main.py": "from fastapi import FastAPI\n\nfrom auth import auth_router\n\n"
    'app = FastAPI()\napp.include_router(auth_router, prefix="/v1/auth")\n',
    "src/modules/auth/__init__.py": "from auth.users import router as auth_router\n",
    "src/modules/auth/users.py": FLAT_USERS,
}


def test_a_nested_package_importing_itself_by_its_bare_name_is_followed(tmp_path: Path) -> None:
    """`modules/auth` saying `from auth.users import ...` runs with `modules` on the import path.

    `from auth import auth_router` in the app module is that package: the include's prefix is
    part of the logged path.
    """
    root = tmp_path / "project"
    write_files(root, SELF_IMPORTING_MODULES)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    generated = _uncomment_and_generate(root, "modules/auth/users.py")
    assert "log call in get_user (GET /v1/auth/users/{user_id})" in generated.stdout
    assert "not followed" not in generated.stdout


def test_an_entry_module_serving_the_app_a_package_builds_in_its_init_is_that_app(
    tmp_path: Path,
) -> None:
    """`main.py` says `from app import app`: the app `app/__init__.py` builds is the one served.

    `app/main.py` builds a second app of other routers (a leftover, or a variant): its routers
    are not the served app's.
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "main.py": (
                'from app import app\n\nif __name__ == "__main__":\n    import uvicorn\n\n'
                '    uvicorn.run("main:app", port=5100)\n'
            ),
            "app/__init__.py": (
                "from fastapi import FastAPI\n\nfrom app.routes.items import router\n\n"
                'app = FastAPI()\napp.include_router(router, prefix="/v2")\n'
            ),
            "app/main.py": (
                "from fastapi import FastAPI\n\nfrom app.routes import faq\n\n"
                "app = FastAPI()\napp.include_router(faq.router)\n"
            ),
            "app/routes/__init__.py": "",
            "app/routes/items.py": ITEMS,
            "app/routes/faq.py": ITEMS.replace("/items", "/faqs"),
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:app"' in result.stdout, result.stdout
    assert '# "app/routes/items.py" = "ai_block_used"' in result.stdout, result.stdout
    assert '"app/routes/faq.py"' not in result.stdout, result.stdout


def test_route_modules_no_app_includes_are_named_not_suggested(tmp_path: Path) -> None:
    # The app includes nothing: its package's routers serve nothing, and init says they exist.
    root = tmp_path / "lonely"
    (root / "app/api").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/api/__init__.py").write_text("")
    (root / "app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    for name in ("d", "a", "c", "b"):
        (root / f"app/api/{name}.py").write_text(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            f'@router.get("/{name}")\ndef get_{name}() -> int:\n    return 1\n'
        )
    (root / "pyproject.toml").write_text('[project]\nname = "lonely"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert (
        "# 4 modules define routes that no app includes (api/a.py, api/b.py, api/c.py, ...); "
        'add `"module.py" = "event"`.\n'
    ) in result.stdout
    assert '"api/a.py" = ' not in result.stdout  # named, not suggested
    assert "No route module found" not in result.stdout


def test_route_modules_no_app_includes_are_named_beside_the_suggested_ones(
    tmp_path: Path,
) -> None:
    # The app serves a route of its own; the routers no app includes are said, not left out
    # in silence (an include init cannot follow would otherwise go unnoticed).
    root = tmp_path / "mixed"
    (root / "app/api").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/api/__init__.py").write_text("")
    (root / "app/main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/ping")\n'
        "def ping() -> int:\n    return 1\n"
    )
    (root / "app/api/orphan.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/orphan")\ndef orphan() -> int:\n    return 1\n'
    )
    (root / "pyproject.toml").write_text('[project]\nname = "mixed"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert '# "main.py" = "ai_block_used"' in result.stdout
    assert (
        "# 1 module defines routes that no app includes (api/orphan.py): not suggested; "
        'add `"module.py" = "event"` if an app serves them.\n'
    ) in result.stdout
    assert '"api/orphan.py" = ' not in result.stdout


def test_a_second_module_building_its_own_app_is_named_as_another_app(tmp_path: Path) -> None:
    # Two flat entry modules, each building and running an app: the one not chosen serves its
    # routes itself; it is named as another app, not as routes no app includes.
    root = tmp_path / "twin"
    (root / "api/web").mkdir(parents=True)
    entry = (
        "from fastapi import FastAPI\n\nfrom web import {routers}\n\n{name} = FastAPI()\n"
        '{includes}\n\n@{name}.get("/")\ndef index() -> str:\n    return "ok"\n'
    )
    (root / "api/main.py").write_text(
        entry.format(routers="one", name="app", includes="app.include_router(one.router)\n")
    )
    (root / "api/server.py").write_text(
        entry.format(
            routers="one, two",
            name="service",
            includes="service.include_router(one.router)\nservice.include_router(two.router)\n",
        )
    )
    for name in ("one", "two"):
        (root / f"api/web/{name}.py").write_text(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            f'@router.get("/{name}")\ndef get_{name}() -> int:\n    return 1\n'
        )
    (root / "pyproject.toml").write_text('[project]\nname = "twin"\n')
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:app"' in result.stdout
    assert (
        "# 1 module builds an app of its own (server.py), not the one chosen (main:app): "
        "not instrumented\n"
    ) in result.stdout
    assert "server.py, " not in result.stdout and "(server.py)" in result.stdout
    assert (
        "# 1 module defines routes that the chosen app does not include (web/two.py)"
    ) in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_in_a_package_importing_itself_is_not_waited_on(tmp_path: Path) -> None:
    """Looking for the package's own bare-name import reads its modules as every module is."""
    root = tmp_path / "project"
    write_files(root, SELF_IMPORTING_MODULES)
    os.mkfifo(root / "src/modules/auth/Pipe.py")  # sorted before __init__.py
    result = subprocess.run(
        [sys.executable, "-m", "telemetry_cli", "init", "--root", str(root), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '# "modules/auth/users.py"' in result.stdout, result.stdout


SELF_RUNNING = """from fastapi import FastAPI
import uvicorn

api = FastAPI()


@api.get("/items/{{item_id}}")
def read_item(item_id: int) -> dict[str, int]:
    return {{"id": item_id}}


if __name__ == "__main__":
    uvicorn.run({target}, port=8000)
"""

SIDE_APP = """from fastapi import FastAPI

side = FastAPI()


@side.get("/side")
def side_route() -> dict[str, int]:
    return {}
"""


@pytest.mark.parametrize(
    ("files", "plan"),
    [
        # A lone script serving its own app under the name Python runs it by.
        (
            {"serve.py": SELF_RUNNING.format(target='"__main__:api"')},
            ('app-package = ""', "serve:api"),
        ),
        # The same in a package with a side app: the runner's own module is the one it names.
        (
            {
                "svc/__init__.py": "",
                "svc/server.py": SELF_RUNNING.format(target='"__main__:api"'),
                "svc/side.py": SIDE_APP,
            },
            ('app-package = "svc"', "svc.server:api"),
        ),
        # A top-level runner serving an app it imports, by `__main__` or as the object itself.
        *(
            (
                {
                    "run.py": "import uvicorn\n\nfrom svc.server import api\n\n"
                    f'if __name__ == "__main__":\n    uvicorn.run({target})\n',
                    "svc/__init__.py": "",
                    "svc/server.py": SELF_RUNNING.format(target="api"),
                    "svc/side.py": SIDE_APP,
                },
                ('app-package = "svc"', "svc.server:api"),
            )
            for target in ('"__main__:api"', "api")
        ),
    ],
    ids=["flat-script", "package-module", "runner-import-string", "runner-object"],
)
def test_a_runner_naming_main_names_the_module_by_its_dotted_path(
    tmp_path: Path, files: dict[str, str], plan: tuple[str, str]
) -> None:
    """`uvicorn.run("__main__:api")` names the script being run, which no server imports.

    It was no import string init followed (a lone script was not found at all, a package's
    side app made the choice a configuration error): the plan names the module the app is
    built in by its dotted path.
    """
    root = tmp_path / "project"
    write_files(root, {"pyproject.toml": '[project]\nname = "svc"\n', **files})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    package, app = plan
    assert package in result.stdout and f'app = "{app}"' in result.stdout, result.stdout
    assert "__main__" not in result.stdout


def test_an_app_built_in_a_top_level_main_module_is_refused_in_one_line(tmp_path: Path) -> None:
    """`__main__.py` at the top of the backend folder: `app = "__main__:api"` names no module."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "__main__.py": SELF_RUNNING.format(target="api"),
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 2, result.stdout
    assert "__main__.py" in result.stderr and "main.py" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "telemetry-scaffold" not in (root / "pyproject.toml").read_text()


def test_init_takes_an_app_router_prefix_set_before_the_wiring_off_the_default_prefix(
    tmp_path: Path,
) -> None:
    """`api.router.prefix = "/api"` before the wiring moves the telemetry router under it too.

    init wrote the default api-prefix, which generate then refused (`/api/api/telemetry`).
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            # Wired after the app's last include_router, below the prefix.
            "svc/main.py": "from fastapi import APIRouter, FastAPI\n\napi = FastAPI()\n"
            'api.router.prefix = "/api"\n\n\n@api.get("/ping")\n'
            'def ping() -> dict[str, bool]:\n    return {"ok": True}\n\n\n'
            "api.include_router(APIRouter())\n",
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert 'api-prefix = "/telemetry"' in (root / "pyproject.toml").read_text()
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "router.prefix" not in generated.stdout


def test_the_quickstart_requests_the_layer_under_an_app_router_prefix_set_before_the_wiring(
    tmp_path: Path,
) -> None:
    """`app.router.prefix = "/api"` above the includes: the layer answers at /api/telemetry/...

    The quickstart's requests (curl, `--url`) went to /telemetry/..., which the app answers
    with 404 (a shape of several public backends: `app.router.prefix = "/api"` after the CORS
    middleware, then `app.include_router(...)` of each router).
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "svc"\n',
            "svc/__init__.py": "",
            "svc/main.py": "from fastapi import APIRouter, FastAPI\n\napp = FastAPI()\n"
            'app.router.prefix = "/api"\n\nrouter = APIRouter()\n\n\n@router.get("/ping")\n'
            'def ping() -> dict[str, bool]:\n    return {"ok": True}\n\n\n'
            "app.include_router(router)\n",
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    quickstart = (root / "specs/059-analytics-telemetry/quickstart.md").read_text()
    assert "http://127.0.0.1:8000/api/telemetry/log -H" in quickstart
    assert "health --url http://127.0.0.1:8000/api\n" in quickstart
    assert "8000/telemetry" not in quickstart
    tasks = (root / "specs/059-analytics-telemetry/tasks.md").read_text()
    assert "8000/telemetry" not in tasks and "8000/api/telemetry" in tasks
    probe = (
        "import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, '.')\n"
        "from fastapi.testclient import TestClient\nfrom svc.main import app\n"
        "print(TestClient(app).get('/api/telemetry/health').status_code)\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert served.stdout.strip() == "200", served.stderr


LAUNCHER_APP = """from fastapi import FastAPI

from {package}.routers import stations

app = FastAPI()
app.include_router(stations.router, prefix="/stations")
"""
STATIONS = """from fastapi import APIRouter

router = APIRouter()


@router.get("/{station_id}")
def station(station_id: int) -> dict[str, int]:
    return {"id": station_id}
"""


@pytest.mark.parametrize("launcher", ["run.py", "asgi.py"])
@pytest.mark.parametrize("package_app", [False, True], ids=["alone", "beside-a-package-app"])
def test_an_app_built_in_a_launcher_module_at_the_top_is_the_flat_layout_entry(
    tmp_path: Path, launcher: str, package_app: bool
) -> None:
    """`run.py` or `asgi.py` building the app a server is pointed at (`uvicorn run:app`).

    Alone it was not found at all; beside `fleet/api/main.py` building a second app of the
    same routers, the package's app was taken without a word, though `main.py` in its place
    is taken as the one served (it imports the package): `run.py` is weighed the same way.
    """
    root = tmp_path / "project"
    layout = {
        "requirements.txt": "fastapi\n",
        launcher: LAUNCHER_APP.format(package="fleet.api"),
        "fleet/api/routers/stations.py": STATIONS,
    }
    if package_app:
        layout["fleet/api/main.py"] = LAUNCHER_APP.format(package="fleet.api")
    write_files(root, layout)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    stem = launcher.removesuffix(".py")
    assert 'backend = "."' in result.stdout
    assert f'app = "{stem}:app"' in result.stdout, result.stdout
    assert '"fleet/api/routers/stations.py"' in result.stdout


def test_a_launcher_only_importing_a_package_app_leaves_that_package_the_app_package(
    tmp_path: Path,
) -> None:
    """`run.py` saying `from shop.main import app` and running it: the package's own layout."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "run.py": "import uvicorn\n\nfrom shop.main import app\n\nuvicorn.run(app)\n",
            "shop/__init__.py": "",
            "shop/main.py": LAUNCHER_APP.format(package="shop"),
            "shop/routers/__init__.py": "",
            "shop/routers/stations.py": STATIONS,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app-package = "shop"' in result.stdout, result.stdout
    assert 'app = "shop.main:app"' in result.stdout


def _two_leagues(root: Path, run_files: dict[str, str]) -> None:
    """Two packages each building an app (a current one and a leftover), and run files."""
    app = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/{path}')\n"
        "async def {name}() -> dict[str, str]:\n    return {{}}\n"
    )
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "league"\n',
            "league/__init__.py": "",
            "league/main.py": app.format(path="fixtures", name="fixtures"),
            "league_old/__init__.py": "",
            "league_old/main.py": app.format(path="table", name="table"),
            **run_files,
        },
    )


@pytest.mark.parametrize(
    "run_files",
    [
        {
            "Dockerfile": 'FROM python:3.12\n# CMD ["uvicorn", "league_old.main:app"]\n'
            'CMD ["uvicorn", "league.main:app", "--host", "0.0.0.0", "--port", "8000"]\n'
        },
        {"Procfile": "web: gunicorn league.main:app -k uvicorn.workers.UvicornWorker -b :$PORT\n"},
        {
            "docker-compose.yml": "services:\n  api:\n"
            "    command: uvicorn league.main:app --reload\n"
            "  worker:\n    command: celery -A league_old.tasks:queue worker\n"
        },
        {"start.sh": "#!/bin/sh\nexec python -m uvicorn league.main:app --host 0.0.0.0\n"},
        {"Makefile": "dev:\n\tuvicorn league.main:app --reload\n\nlint:\n\truff check .\n"},
        {"justfile": "serve:\n    hypercorn league.main:app --bind 0.0.0.0:8000\n"},
        {
            "pyproject.toml": '[project]\nname = "league"\ndependencies = ["uvicorn>=0.30"]\n\n'
            "[tool.taskipy.tasks]\n"
            'start = { cmd = "uvicorn league.main:app --reload", help = "serve" }\n'
        },
        {"Dockerfile": 'CMD ["fastapi", "run", "league/main.py", "--port", "80"]\n'},
        {
            "compose.yaml": "services:\n  web:\n    command: fastapi dev --host 0.0.0.0 "
            "./league/main.py --app app\n"
        },
        {"Dockerfile_api": 'CMD ["granian", "--interface", "asgi", "league.main:app"]\n'},
        {"Dockerfile-web": "CMD uvicorn league.main:app --port 80\n"},
        {"Procfile.dev": "web: uvicorn league.main:app --reload\n"},
        {
            "serve.py": "from granian import Granian\n\nif __name__ == '__main__':\n"
            "    Granian('league.main:app', interface='asgi').serve()\n"
        },
        {
            "serve.py": "import granian\nfrom granian.constants import Interfaces\n\n\n"
            "def main() -> None:\n    server = granian.server.Granian(\n"
            "        target='league.main:app', interface=Interfaces.ASGI\n    )\n"
            "    server.serve()\n\n\nif __name__ == '__main__':\n    main()\n"
        },
        {
            "serve.py": "import asyncio\n\nfrom hypercorn.asyncio import serve\n"
            "from hypercorn.config import Config\n\nfrom league.main import app\n\n"
            "if __name__ == '__main__':\n    asyncio.run(serve(app, Config()))\n"
        },
        {"docker/Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "league.main:app"]\n'},
        {"deploy/Procfile": "web: gunicorn league.main:app -k uvicorn.workers.UvicornWorker\n"},
        {
            "docker/compose.yml": "services:\n  api:\n    build:\n      context: ..\n"
            "    command: uvicorn league.main:app --reload\n"
        },
        {
            "compose.yml": "services:\n  api:\n    command:\n      - uvicorn\n"
            "      - league.main:app\n      - --host\n      - 0.0.0.0\n"
        },
        {
            # A list as deep as its key, a comment after an item, a gap and a comment between.
            "compose.yml": "services:\n  api:\n    command:\n    - uvicorn  # the server\n\n"
            "    # the app:\n    - 'league.main:app'\n"
        },
        {
            "k8s/api-deployment.yaml": "kind: Deployment\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: api\n          command:\n"
            "            - gunicorn\n            - -k\n"
            "            - uvicorn.workers.UvicornWorker\n            - league.main:app\n"
        },
        {"supervisord.conf": "[program:api]\ncommand=uvicorn league.main:app --port 80\n"},
        {
            "deploy/supervisord.conf": "[supervisord]\nnodaemon=true\n\n[program:api]\n"
            "command=gunicorn league.main:app --workers 2 -k uvicorn.workers.UvicornWorker\n",
            "Makefile": "lint:\n\truff check .\n",
        },
        {
            # The top's run files decide: one folder down is only read when they name none.
            "Dockerfile": 'CMD ["uvicorn", "league.main:app"]\n',
            "scripts/old.sh": "uvicorn league_old.main:app\n",
        },
        {
            "render.yaml": "services:\n  - type: web\n    name: api\n"
            "    startCommand: uvicorn league.main:app --host 0.0.0.0 --port $PORT\n"
        },
        {"railway.toml": '[deploy]\nstartCommand = "uvicorn league.main:app --port $PORT"\n'},
        {"railway.json": '{"deploy": {"startCommand": "gunicorn league.main:app -k x"}}\n'},
        {"nixpacks.toml": '[start]\ncmd = "hypercorn league.main:app --bind 0.0.0.0:80"\n'},
        {"fly.toml": '[processes]\napp = "uvicorn league.main:app --port 8080"\n'},
        {"app.yaml": "runtime: python312\nentrypoint: uvicorn league.main:app --port $PORT\n"},
        # Vercel runs the function file its configuration builds or sends requests to.
        {"vercel.json": '{"builds": [{"src": "league/main.py", "use": "@vercel/python"}]}\n'},
        {"vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/league/main"}]}'},
        {"vercel.json": '{"routes": [{"src": "/(.*)", "dest": "league/main.py?x=1"}]}'},
        {"vercel.json": '{"functions": {"league/main.py": {"maxDuration": 60}}}'},
        {"Dockerfile": 'CMD ["fastapi", "run", "league/main.py"]\n', "app.json": "{}\n"},
        {"Procfile": "web: fastapi run --entrypoint league.main:app --port $PORT\n"},
        {"Dockerfile": 'CMD ["fastapi", "run", "-e", "league.main:app"]\n'},
        # A server's config read from a module (`python:<module>`) is not the app it serves.
        {"Dockerfile": 'CMD ["gunicorn", "-c", "python:league_conf", "league.main:app"]\n'},
        {"Procfile": "web: gunicorn league.main:app --config=python:league_conf\n"},
        {"start.sh": "hypercorn --config python:league_conf league.main:app\n"},
        # The app set in the environment the server reads it from.
        {"Dockerfile": 'FROM python:3.12\nENV UVICORN_APP=league.main:app\nCMD ["uvicorn"]\n'},
        {"Dockerfile": "FROM tiangolo/uvicorn-gunicorn-fastapi\nENV APP_MODULE league.main:app\n"},
        {
            "compose.yml": "services:\n  api:\n    command: uvicorn --reload\n"
            "    environment:\n      - UVICORN_APP=league.main:app\n"
            "      - UVICORN_APP_DIR=.\n"
        },
        {
            "docker-compose.yml": "services:\n  api:\n    image: tiangolo/uvicorn-gunicorn\n"
            '    environment:\n      APP_MODULE: "league.main:app"\n'
        },
        {".env": "DEBUG=1\nUVICORN_APP=league.main:app\nOLD=league_old.main:app\n"},
        {"start.sh": "export UVICORN_APP='league.main:app'\nexec uvicorn --port 80\n"},
        # The FastAPI CLI's own options come before its command.
        {"Procfile": "web: fastapi --verbose run league/main.py\n"},
        # Its default, when the environment leaves it unset (`${APP_MODULE:-...}`).
        {
            "compose.yaml": "services:\n  api:\n    image: tiangolo/uvicorn-gunicorn\n"
            "    environment:\n      APP_MODULE: ${APP_MODULE:-league.main:app}\n"
        },
        {"Dockerfile": "FROM python:3.12\nCMD uvicorn ${UVICORN_APP:-league.main:app}\n"},
        # A module run by `python -m`: its guard, or a package's `__main__.py` (which always
        # runs as the main module, guard or not).
        {
            "league/server.py": "import uvicorn\n\nif __name__ == '__main__':\n"
            "    uvicorn.run('league.main:app', port=8000)\n",
            "Dockerfile": 'FROM python:3.12\nCMD ["python", "-u", "-m", "league.server"]\n',
        },
        {"league/__main__.py": "import uvicorn\n\nuvicorn.run('league.main:app', port=8000)\n"},
        {
            "league/__main__.py": "import uvicorn\n\n\ndef main() -> None:\n"
            "    uvicorn.run('league.main:app')\n\n\nmain()\n",
            "Procfile": "web: python -m league\n",
        },
        # A systemd unit, at the top or in a folder of its own.
        {"api.service": "[Service]\nExecStart=/srv/venv/bin/uvicorn league.main:app\n"},
        {
            "deploy/league@.service": "[Unit]\nDescription=API\n\n[Service]\n"
            "ExecStart=/opt/venv/bin/gunicorn -k uvicorn.workers.UvicornWorker league.main:app\n"
        },
    ],
    ids=[
        "dockerfile",
        "procfile",
        "compose",
        "shell-script",
        "makefile",
        "justfile",
        "tasks",
        "fastapi-cli",
        "fastapi-cli-compose",
        "dockerfile-underscore-variant",
        "dockerfile-dash-variant",
        "procfile-variant",
        "granian-in-a-script",
        "granian-server-target-keyword",
        "hypercorn-serve-in-a-script",
        "dockerfile-in-a-folder",
        "procfile-in-a-folder",
        "compose-in-a-folder",
        "compose-command-as-a-list",
        "compose-command-list-with-comments-and-a-gap",
        "kubernetes-manifest",
        "supervisord",
        "supervisord-in-a-folder",
        "top-over-a-folder",
        "render-blueprint",
        "railway-toml",
        "railway-json",
        "nixpacks",
        "fly-process",
        "app-engine-entrypoint",
        "vercel-builds",
        "vercel-rewrites",
        "vercel-routes",
        "vercel-functions",
        "other-json-beside",
        "fastapi-cli-entrypoint",
        "fastapi-cli-e",
        "gunicorn-config-module",
        "gunicorn-config-module-after-equals",
        "hypercorn-config-module",
        "dockerfile-env-uvicorn-app",
        "dockerfile-env-app-module",
        "compose-environment-list",
        "compose-environment-mapping",
        "dotenv",
        "shell-export",
        "fastapi-cli-global-option",
        "compose-environment-default",
        "shell-default",
        "python-m-module",
        "package-main-without-a-guard",
        "package-main-calling-main",
        "systemd-unit",
        "systemd-unit-in-a-folder",
    ],
)
def test_a_run_file_naming_one_app_picks_it_among_several(
    tmp_path: Path, run_files: dict[str, str]
) -> None:
    """`CMD ["uvicorn", "league.main:app"]` at the top, or when those name none, one folder down
    (`docker/Dockerfile`), also a command spread over a YAML list or a supervisord program: the
    project says which of its two apps it serves."""
    root = tmp_path / "project"
    _two_leagues(root, run_files)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "league.main:app"' in result.stdout, result.stdout
    assert "league_old" not in result.stdout, result.stdout


def test_a_run_file_with_a_long_line_is_read_in_linear_time(tmp_path: Path) -> None:
    """A list item padded with spaces (`- a` then 40,000 spaces): read in one pass, not in time
    growing with the square of the line."""
    root = tmp_path / "project"
    padded = "      - --label" + " " * 40_000 + "x\n"
    command = "services:\n  api:\n    command:\n      - uvicorn\n      - league.main:app\n"
    _two_leagues(root, {"compose.yml": command + padded})
    result, seconds = cpu_seconds(lambda: run("init", "--root", str(root), "--dry-run"))
    assert seconds < 3
    assert result.exit_code == 0, result.stderr
    assert 'app = "league.main:app"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    "run_files",
    [
        {
            "docker/Dockerfile": 'CMD ["uvicorn", "league.main:app"]\n',
            "deploy/Procfile": "web: uvicorn league_old.main:app\n",
        },
        # A folder git ignores, or a hidden one, says nothing about what the project serves.
        {
            ".gitignore": "scratch/\n",
            "scratch/Dockerfile": 'CMD ["uvicorn", "league.main:app"]\n',
        },
        {".github/run.sh": "uvicorn league.main:app\n"},
        # Vercel's configuration naming no function file of the project, or not JSON.
        {"vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api/$1"}]}'},
        {"vercel.json": '{"builds": [{"src": "league/main.py", "use": "@vercel/static"}]}'},
        {"vercel.json": '{"builds": [{"src": "league/main.py"'},
        # A folder holding code runs its own service: it says nothing of the apps beside it.
        {
            "tools/Dockerfile": 'CMD ["uvicorn", "league.main:app"]\n',
            "tools/lint.py": "print('lint')\n",
        },
    ],
    ids=[
        "folders-disagree",
        "ignored-folder",
        "hidden-folder",
        "vercel-capture",
        "vercel-static-build",
        "vercel-not-json",
        "folder-with-code",
    ],
)
def test_run_files_one_folder_down_naming_no_single_app_leave_the_choice_to_the_user(
    tmp_path: Path, run_files: dict[str, str]
) -> None:
    root = tmp_path / "project"
    _two_leagues(root, run_files)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: several FastAPI apps found"), result.stderr


def test_a_folder_init_may_not_read_says_nothing_of_the_app_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder one down that cannot be listed (no permission) is passed over, no traceback."""
    root = tmp_path / "project"
    _two_leagues(root, {"deploy/Procfile": "web: uvicorn league.main:app\n", "locked/x": ""})
    listed = Path.iterdir

    def iterdir(self: Path) -> object:
        if self.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return listed(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "league.main:app"' in result.stdout, result.stdout


def test_run_files_naming_different_apps_leave_the_choice_to_the_user(tmp_path: Path) -> None:
    root = tmp_path / "project"
    _two_leagues(
        root,
        {
            "Dockerfile": 'CMD ["uvicorn", "league.main:app"]\n',
            "Procfile": "web: uvicorn league_old.main:app\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: several FastAPI apps found"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("run_files", "app"),
    [
        ({}, 'app = "main:app"'),
        ({"Dockerfile": 'CMD ["uvicorn", "main:build", "--factory"]\n'}, 'app = "main:build"'),
    ],
    ids=["variable-served", "factory-named-by-the-dockerfile"],
)
def test_a_module_variable_beside_a_leftover_factory_is_the_app_unless_a_run_file_names_it(
    tmp_path: Path, run_files: dict[str, str], app: str
) -> None:
    """`def build()` left above `app = FastAPI()`: `uvicorn main:app` serves the variable."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "auth"\n',
            "main.py": "from fastapi import FastAPI\n\n\ndef build() -> FastAPI:\n"
            "    built = FastAPI()\n    return built\n\n\napp = FastAPI()\n",
            **run_files,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert app in result.stdout, result.stdout


SELF_NAMED_FACTORY = '''"""The service, run as a script from its own folder."""

from fastapi import APIRouter, FastAPI

router = APIRouter(prefix="/api/v1")


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run("app:create_app", factory=True)
'''


def test_a_module_serving_itself_by_its_bare_name_makes_its_folder_the_import_root(
    tmp_path: Path,
) -> None:
    """`uvicorn.run("app:create_app")` in `service/app.py`: the server imports `app` top-level.

    The folder the script runs from is the one its modules are imported from, below the
    project folder holding requirements.txt: the layer is imported as `analytics`, not as
    `service.analytics` (a package the server could not import from there).
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/requirements.txt": "fastapi\nuvicorn\n",
            "backend/service/app.py": SELF_NAMED_FACTORY,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    written = (root / "pyproject.toml").read_text()
    for line in ('backend = "backend/service"', 'app-package = ""', 'app = "app:create_app"'):
        assert line in written, written
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    patched = (root / "backend/service/app.py").read_text()
    assert "from analytics.telemetry_router import router as telemetry_router" in patched


def test_a_module_serving_itself_by_name_whose_folder_imports_itself_stays_a_package(
    tmp_path: Path,
) -> None:
    """`from service.routes import items` beside it: imported from the folder above, anyway.

    Its modules name the folder as a package, so the server runs from above it, whatever the
    script's own `uvicorn.run("app:create_app")` says: the layer goes in the package.
    """
    root = tmp_path / "project"
    app = SELF_NAMED_FACTORY.replace(
        "from fastapi import APIRouter, FastAPI\n",
        "from fastapi import APIRouter, FastAPI\n\nfrom service.routes import items\n",
    )
    write_files(
        root,
        {
            "backend/requirements.txt": "fastapi\nuvicorn\n",
            "backend/service/app.py": app,
            "backend/service/routes/items.py": "router = None\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    expected = ('backend = "backend"', 'app-package = "service"', 'app = "service.app:create_app"')
    for line in expected:
        assert line in result.stdout, result.stdout


_CLI = (
    "import uvicorn\n\n\ndef _options() -> dict[str, object]:\n    return {{'reload': True}}\n\n\n"
    "def main() -> None:\n    uvicorn.run({target}, **_options())\n"
)


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "league"\n\n[project.scripts]\nleague-serve = "league.cli:main"\n',
        '[tool.poetry]\nname = "league"\n\n[tool.poetry.scripts]\nserve = "league.cli:main"\n',
        '[project]\nname = "league"\n\n[project.scripts]\nleague = "league.cli:commands"\n',
    ],
    ids=["project-scripts", "poetry-scripts", "command-group"],
)
def test_a_console_script_starting_the_server_picks_its_app_among_several(
    tmp_path: Path, pyproject: str
) -> None:
    """`serve = "league.cli:main"`, whose `main()` runs uvicorn: the project says its app.

    Also a command group (`commands = typer.Typer()`) whose `@commands.command()` does.
    """
    root = tmp_path / "project"
    cli = _CLI.format(target='"league.main:app"')
    if "commands" in pyproject:
        cli = "import typer\n" + cli.replace(
            "\n\n\ndef main", "\n\ncommands = typer.Typer()\n\n\n@commands.command()\ndef serve"
        )
    _two_leagues(root, {"pyproject.toml": pyproject, "league/cli.py": cli})
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "league.main:app"' in result.stdout, result.stdout
    assert "league_old" not in result.stdout, result.stdout


def test_a_console_script_serving_an_imported_app_names_where_it_is_built(
    tmp_path: Path,
) -> None:
    """`uvicorn.run(app)` in the script's function, `app` imported: served from its module."""
    root = tmp_path / "project"
    _two_leagues(
        root,
        {
            "pyproject.toml": '[project]\nname = "league"\n\n[project.scripts]\n'
            'serve = "league.cli:main"\nmigrate = "league_old.cli:main"\n',
            "league/cli.py": "import uvicorn\n\nfrom .main import app\n\n\n"
            "def main() -> None:\n    uvicorn.run(app, port=80)\n",
            "league_old/cli.py": "def main() -> None:\n    print('migrated')\n",
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "league.main:app"' in result.stdout, result.stdout


def test_console_scripts_serving_different_apps_leave_the_choice_to_the_user(
    tmp_path: Path,
) -> None:
    root = tmp_path / "project"
    _two_leagues(
        root,
        {
            "pyproject.toml": '[project]\nname = "league"\n\n[project.scripts]\n'
            'serve = "league.cli:main"\nserve-old = "league_old.cli:main"\n',
            "league/cli.py": _CLI.format(target='"league.main:app"'),
            "league_old/cli.py": _CLI.format(target='"league_old.main:app"'),
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: several FastAPI apps found"), result.stderr


def test_a_package_run_with_python_m_serving_an_app_it_imports_relatively_names_it(
    tmp_path: Path,
) -> None:
    """`league/__main__.py` runs `uvicorn.run(app)` after `from .main import app`.

    `python -m league` runs it as `league.__main__`: its relative import is the package's
    `league.main`. Read as a module named `__main__` alone, the import named nothing, and the
    two apps were "several FastAPI apps found".
    """
    root = tmp_path / "project"
    _two_leagues(
        root,
        {
            "league/__main__.py": "import uvicorn\n\nfrom .main import app\n\n"
            'if __name__ == "__main__":\n    uvicorn.run(app, port=8000)\n'
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "league.main:app"' in result.stdout, result.stdout
    assert "league_old" not in result.stdout, result.stdout


SERVED_VIEWS = """from fastapi import APIRouter

router = APIRouter()


async def ping() -> dict[str, bool]:
    return {"ok": True}


async def item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@router.get("/users")
async def users() -> list[str]:
    return []
"""


@pytest.mark.parametrize(
    ("module", "run_call"),
    [
        # Built with its routes and served where it is built (`python -m shop.main`).
        (
            "import uvicorn\nfrom fastapi import FastAPI\nfrom fastapi.routing import APIRoute\n\n"
            "from shop.views import item, ping, router\n\n\n"
            "def start():\n"
            "    app = FastAPI(\n"
            '        routes=[APIRoute("/ping", ping), APIRoute("/items/{item_id}", item)]\n'
            "    )\n"
            '    app.include_router(router, prefix="/v1")\n'
            "    uvicorn.run(app, port=8000)\n\n\n"
            'if __name__ == "__main__":\n    start()\n',
            "from shop.main import start; start()",
        ),
        # A console script's coroutine, routes added one by one, served through a Config.
        (
            "import uvicorn\nfrom fastapi import FastAPI\n\n"
            "from shop.views import item, ping, router\n\n\n"
            "async def start() -> None:\n    api = FastAPI()\n"
            '    api.add_api_route("/ping", ping)\n'
            '    api.add_api_route("/items/{item_id}", item, methods=["GET"])\n'
            '    api.include_router(router, prefix="/v1")\n'
            "    await uvicorn.Server(uvicorn.Config(api, port=8000)).serve()\n",
            "import asyncio; from shop.main import start; asyncio.run(start())",
        ),
        # granian's embedded server, given the app object.
        (
            "from fastapi import FastAPI\nfrom granian.server.embed import Server\n\n"
            "from shop.views import item, ping, router\n\n\n"
            "async def start() -> None:\n    api = FastAPI()\n"
            '    api.add_api_route("/ping", ping)\n'
            '    api.add_api_route("/items/{item_id}", item, methods=["GET"])\n'
            '    api.include_router(router, prefix="/v1")\n'
            '    await Server(api, interface="asgi").serve()\n',
            "import asyncio; from shop.main import start; asyncio.run(start())",
        ),
    ],
    ids=["routes-list", "coroutine", "granian-embedded"],
)
def test_an_app_built_and_served_inside_a_function_is_wired_there(
    tmp_path: Path, module: str, run_call: str
) -> None:
    """`def start(): app = FastAPI(...); uvicorn.run(app)`: the function's app is the one run.

    It is wired as a factory's app is, right where it is built; its handlers, whichever way
    they are registered, are logged with the paths it serves; the quickstart runs the backend
    by calling the function (no import string reaches the app).
    """
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "shop"\n',
            "shop/__init__.py": "",
            "shop/views.py": SERVED_VIEWS,
            "shop/main.py": module,
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "shop.main:start"' in plan
    (root / "pyproject.toml").write_text(plan.replace('# "views.py"', '"views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "include the telemetry router in `" in generated.stdout
    assert " in start()`" in generated.stdout
    for logged in ("ping (GET /ping)", "item (GET /items/{item_id})", "users (GET /v1/users)"):
        assert f"log call in {logged}" in generated.stdout
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert f"python -c '{run_call}'" in quickstart
    assert "--factory" not in quickstart and "factory=True" not in quickstart
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_an_app_built_under_the_main_guard_is_wired_there(tmp_path: Path) -> None:
    """`if __name__ == "__main__": app = FastAPI(); ...; uvicorn.run(app)`: the app exists
    only when the module runs as a script; it is wired in the guard, before the server starts
    (after the guard, the include ran at import without the app, and after the server), and
    the quickstart runs the module as a script."""
    root = tmp_path / "project"
    guard = (
        'if __name__ == "__main__":\n    api = fastapi.FastAPI()\n'
        "    api.include_router(router)\n\n"
        '    uvicorn.run(api, host="127.0.0.1", port=8000)\n'
    )
    main = "import fastapi\nimport uvicorn\n\nfrom shop.views import router\n\n" + guard
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "shop/__init__.py": "",
            "shop/views.py": SERVED_VIEWS,
            "main.py": main,
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "shop/views.py"', '"shop/views.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in users (GET /users)" in generated.stdout
    wired = (root / "main.py").read_text()
    assert wired.endswith(
        guard.replace(
            "    api.include_router(router)\n",
            "    api.include_router(router)\n    api.include_router(telemetry_router)\n"
            "    install_error_capture(api)\n",
        )
    )
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    run_script = 'import runpy; runpy.run_module("main", run_name="__main__")'
    assert f"python -c '{run_script}'" in quickstart
    assert "uvicorn main:api" not in quickstart
    assert run("generate", "--root", str(root), "--check").exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


def test_a_factory_called_only_under_the_main_guard_is_named_over_the_guard_variable(
    tmp_path: Path,
) -> None:
    """`if __name__ == "__main__": app = create_app(); uvicorn.run(app)`: importing the module
    defines no `app`, so `uvicorn main:app` would fail; the factory is what a server imports."""
    root = tmp_path / "project"
    main = (
        "import uvicorn\nfrom fastapi import FastAPI\n\nfrom shop.views import router\n\n\n"
        "def create_app() -> FastAPI:\n    app = FastAPI()\n    app.include_router(router)\n"
        "    return app\n\n\n"
        'if __name__ == "__main__":\n    app = create_app()\n    uvicorn.run(app, port=8000)\n'
    )
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            "shop/__init__.py": "",
            "shop/views.py": SERVED_VIEWS,
            "main.py": main,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:create_app"' in result.stdout


def test_an_app_a_function_keeps_to_itself_is_named_with_the_fix(tmp_path: Path) -> None:
    """Built in a local variable, neither returned nor served (an OpenAPI export): no server
    or test can import that app; init says which function holds it and how to expose it."""
    files = {
        "pyproject.toml": '[project]\nname = "shop"\n',
        "shop/__init__.py": "",
        "shop/views.py": SERVED_VIEWS,
        "shop/export.py": "import json\n\nfrom fastapi import FastAPI\n\n"
        "from shop.views import router\n\n\n"
        "def export() -> None:\n    api = FastAPI()\n    api.include_router(router)\n"
        "    print(json.dumps(api.openapi()))\n",
    }
    write_files(tmp_path, files)
    before = snapshot(tmp_path)
    result = run("init", "--root", str(tmp_path))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith(
        "error: shop/export.py:8: export() builds a FastAPI app in a local variable (api) and "
        "neither returns nor serves it"
    )
    assert "return it from the function (a factory)" in result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(tmp_path) == before


FLAT_PROJECT = '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["fastapi"]\n'


def _flat_setuptools(root: Path, pyproject: str = FLAT_PROJECT) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app/__init__.py").write_text("")
    (root / "app/main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / "pyproject.toml").write_text(pyproject)
    return root


def test_init_keeps_the_specs_out_of_setuptools_flat_layout_discovery(tmp_path: Path) -> None:
    # setuptools would take a top-level specs/ in as a second package beside app/ and refuse
    # to build: `pip install -e .` fails after generate.
    root = _flat_setuptools(tmp_path / "svc")
    assert run("init", "--root", str(root)).exit_code == 0
    text = (root / "pyproject.toml").read_text()
    assert re.search(r'^specs-dir = "docs/specs" # not specs: setuptools', text, re.M), text
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stderr
    assert (root / "docs/specs/059-analytics-telemetry").is_dir()
    assert not (root / "specs").exists()
    assert "setuptools" not in generated.stdout


def test_init_leaves_specs_dir_alone_when_the_packages_are_listed(tmp_path: Path) -> None:
    root = _flat_setuptools(
        tmp_path / "svc", FLAT_PROJECT + '\n[tool.setuptools]\npackages = ["app"]\n'
    )
    assert run("init", "--root", str(root)).exit_code == 0
    assert "specs-dir" not in (root / "pyproject.toml").read_text()


RELATIVE_MAIN = """from fastapi import FastAPI

{imports}

app = FastAPI()
app.include_router(users.router)
"""


@pytest.mark.parametrize(
    ("imports", "users_import"),
    [
        ("from ..lib import helpers\nfrom .routers import users", ""),
        ("from ..src.routers import users", ""),
        ("from .routers import users", "from ...lib import helpers\n"),
    ],
    ids=["app-reaches-a-sibling", "app-reaches-its-own-folder", "router-reaches-above"],
)
def test_relative_imports_above_the_package_move_the_import_root_up(
    tmp_path: Path, imports: str, users_import: str
) -> None:
    """`proj/src/main.py` saying `from ..lib import helpers` (`proj/` without `__init__.py`)
    only imports as `proj.src.main`, run from the folder above `proj/`: run from `proj/` as
    `src.main`, Python refuses the relative import beyond the top-level package."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "proj/src/__init__.py": "",
            "proj/src/main.py": RELATIVE_MAIN.format(imports=imports),
            "proj/src/routers/__init__.py": "",
            "proj/src/routers/users.py": users_import + FLAT_USERS,
            "proj/lib/__init__.py": "",
            "proj/lib/helpers.py": "VALUE = 1\n",
        },
    )
    assert (result := run("init", "--root", str(root))).exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app = "proj.src.main:app"' in text, text
    _uncomment_and_generate(root, "routers/users.py")
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    command = re.search(r"^(?:cd (\S+) && )?uvicorn (\S+):app ", quickstart, re.M)
    assert command is not None, quickstart
    served = _serves_health(root / (command[1] or "."), command[2])
    assert served.returncode == 0, served.stderr
    assert run("generate", "--root", str(root), "--check").exit_code == 0


def test_an_entry_module_importing_relatively_is_served_as_its_folders_package(
    tmp_path: Path,
) -> None:
    """`backend/main.py` saying `from .routers import users` (`backend/` holding the project
    file, no `__init__.py`): `cd backend && uvicorn main:app` fails ("attempted relative
    import with no known parent package"); it runs from the folder above as `backend.main`."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/requirements.txt": "fastapi\nuvicorn\n",
            "backend/main.py": RELATIVE_MAIN.format(imports="from .routers import users"),
            "backend/routers/users.py": FLAT_USERS,
        },
    )
    assert (result := run("init", "--root", str(root))).exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'backend = "."' in text and 'app = "backend.main:app"' in text, text
    _uncomment_and_generate(root, "routers/users.py")
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    assert "pip install -r backend/requirements.txt" in quickstart
    command = re.search(r"^(?:cd (\S+) && )?uvicorn (\S+):app ", quickstart, re.M)
    assert command is not None, quickstart
    served = _serves_health(root / (command[1] or "."), command[2])
    assert served.returncode == 0, served.stderr


@pytest.mark.parametrize("name", ["application", "factory"])
def test_a_module_of_any_name_importing_relatively_is_a_package_module(
    tmp_path: Path, name: str
) -> None:
    """`backend/application.py` building the app, saying `from .routers import users`
    (`backend/` holding the project file, no `__init__.py`): a module of the package
    `backend`, not a top-level one, whatever its name; it was not found at all."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "backend/requirements.txt": "fastapi\nuvicorn\n",
            f"backend/{name}.py": RELATIVE_MAIN.format(imports="from .routers import users"),
            "backend/routers/users.py": FLAT_USERS,
        },
    )
    assert (result := run("init", "--root", str(root))).exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app-package = "backend"' in text and f'app = "backend.{name}:app"' in text, text
    _uncomment_and_generate(root, "routers/users.py")
    assert "from .analytics" in (root / f"backend/{name}.py").read_text()
    quickstart = next(root.glob("specs/*/quickstart.md")).read_text()
    command = re.search(r"^(?:cd (\S+) && )?uvicorn (\S+):app ", quickstart, re.M)
    assert command is not None, quickstart
    served = _serves_health(root / (command[1] or "."), command[2])
    assert served.returncode == 0, served.stderr


def test_an_entry_module_falling_back_to_top_level_imports_stays_flat(tmp_path: Path) -> None:
    """`try: from .config import PREFIX` / `except ImportError: from config import PREFIX` and
    `from routers import users` beside it: run from `backend/` (`uvicorn main:app`), as the
    top-level imports need; the relative one is only tried first."""
    root = tmp_path / "project"
    main = RELATIVE_MAIN.format(
        imports="try:\n    from .config import PREFIX\nexcept ImportError:\n"
        "    from config import PREFIX\nfrom routers import users"
    )
    write_files(
        root,
        {
            "backend/requirements.txt": "fastapi\nuvicorn\n",
            "backend/main.py": main,
            "backend/config.py": "PREFIX = ''\n",
            "backend/routers/users.py": FLAT_USERS,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'backend = "backend"' in result.stdout and 'app = "main:app"' in result.stdout


SCRIPT_FOLDER_IMPORTS = {
    "requirements.txt": "fastapi\n",
    "app/main.py": "import os\nimport sys\n\nsys.path.append(os.path.dirname(__file__))\n\n"
    "from fastapi import FastAPI\n\nimport config\nfrom routers import users\n\n"
    "app = FastAPI()\napp.include_router(users.router, prefix=config.API_PREFIX)\n",
    "app/config.py": 'API_PREFIX = "/v2"\n',
    "app/db.py": "engine = None\n",
    "app/routers/__init__.py": "",
    "app/routers/users.py": "from app.db import engine\n" + FLAT_USERS,
}


def test_a_package_imported_by_its_bare_name_from_beside_it_is_followed(tmp_path: Path) -> None:
    """`app/main.py` saying `from routers import users` with `app/routers/` beside it.

    The modules also import `app.db` (the app runs as `app.main`, from the folder above), so
    `routers` and `config` only resolve with `app/` itself on the import path: they are
    `app/routers` and `app/config.py`, and the include's prefix is part of the logged path.
    """
    root = tmp_path / "project"
    write_files(root, SCRIPT_FOLDER_IMPORTS)
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app = "app.main:app"' in text, text
    assert '# "routers/users.py"' in text, text
    (root / "pyproject.toml").write_text(text.replace('# "routers/users.py"', '"routers/users.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    assert "log call in get_user (GET /v2/users/{user_id})" in generated.stdout
    assert "not followed" not in generated.stdout


#: `main.py` putting `apps/` on `sys.path`: `urls.py` imports `accounts` (`apps/accounts/`) by
#: its bare name, as a Django-like layout does.
APPS_ON_THE_PATH = {
    "main.py": (
        "import os\nimport sys\n\nfrom fastapi import FastAPI\n\n"
        "SITE_ROOT = os.path.dirname(os.path.realpath(__file__))\n"
        'sys.path.append(os.path.join(SITE_ROOT, "apps"))\n\n'
        "from urls import router  # noqa: E402\n\n"
        "app = FastAPI()\napp.include_router(router)\n"
    ),
    "urls.py": (
        "from fastapi import APIRouter\n\nfrom accounts.views import router as accounts\n\n"
        'router = APIRouter(prefix="/api/v1")\n'
        'router.include_router(accounts, prefix="/accounts")\n'
    ),
    "apps/accounts/__init__.py": "",
    "apps/accounts/views.py": (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/{account_id}")\nasync def get_account(account_id: int) -> int:\n'
        "    return account_id\n"
    ),
}


def test_a_package_of_a_folder_a_module_puts_on_sys_path_is_followed(tmp_path: Path) -> None:
    """`sys.path.append(os.path.join(SITE_ROOT, "apps"))` in main.py: `accounts` is
    `apps/accounts`, and its router is served under the prefixes of `urls.py`'s include."""
    root = tmp_path / "project"
    write_files(root, {"pyproject.toml": '[project]\nname = "hub"\n', **APPS_ON_THE_PATH})
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app = "main:app"' in text, text
    module = '"apps/accounts/views.py"'
    (root / "pyproject.toml").write_text(text.replace(f"# {module}", module))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert "log call in get_account (GET /api/v1/accounts/{account_id})" in out, out
    assert "not followed" not in out, out


#: An entry module building its app on first access, through its `__getattr__` (PEP 562).
ATTRIBUTE_HOOK = {
    "svc/__init__.py": "",
    "svc/factory.py": (
        "from fastapi import FastAPI\n\nfrom svc.routes import router\n\n\n"
        "def create_app() -> FastAPI:\n    app = FastAPI()\n"
        '    app.include_router(router, prefix="/api")\n    return app\n'
    ),
    "svc/routes.py": (
        'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/jobs")\n\n\n'
        '@router.get("/{job_id}")\nasync def get_job(job_id: int) -> int:\n    return job_id\n'
    ),
    "svc/main.py": (
        "from functools import lru_cache\nfrom typing import Any\n\n\n@lru_cache\n"
        "def _app() -> Any:\n    from svc.factory import create_app\n\n"
        "    return create_app()\n\n\n"
        "def __getattr__(name: str) -> Any:\n    if name == 'app':\n        return _app()\n"
        "    raise AttributeError(name)\n"
    ),
}


def test_an_app_a_module_builds_in_its_getattr_hook_is_named_by_its_attribute(
    tmp_path: Path,
) -> None:
    """`def __getattr__(name): if name == "app": return _app()`: `init` names `svc.main:app`
    (a server reads that attribute; it named the hook `svc.main:__getattr__` as a factory), and
    `generate` wires the app where the hook's factory builds it."""
    root = tmp_path / "project"
    write_files(root, {"pyproject.toml": '[project]\nname = "svc"\n', **ATTRIBUTE_HOOK})
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'app = "svc.main:app"' in text, text
    (root / "pyproject.toml").write_text(text.replace('# "routes.py"', '"routes.py"'))
    planned = snapshot(root)
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    assert "include the telemetry router in `app in create_app()`" in out, out
    assert "log call in get_job (GET /api/jobs/{job_id})" in out, out
    assert run("generate", "--check", "--root", str(root)).exit_code == 0
    assert run("remove", "--root", str(root)).exit_code == 0
    assert snapshot(root) == planned


_SELF_SERVED = (
    "import uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    "@app.get('/votes')\nasync def votes() -> list[int]:\n    return []\n\n\n"
    "if __name__ == '__main__':\n    uvicorn.run({target}, port=8000)\n"
)


@pytest.mark.parametrize(
    "run_files",
    [
        {"Dockerfile": 'FROM python:3.12\nCOPY . /code\nCMD ["python", "main.py"]\n'},
        {"Procfile": "web: python3 -u main.py\n"},
        {"start.sh": "#!/bin/sh\nexec python ./main.py\n"},
    ],
    ids=["dockerfile", "procfile", "shell-script"],
)
@pytest.mark.parametrize("target", ['"main:app"', "app"])
def test_a_run_file_running_a_script_that_serves_its_own_app_picks_it(
    tmp_path: Path, run_files: dict[str, str], target: str
) -> None:
    """`CMD ["python", "main.py"]` where main.py builds an app and serves it under its
    `__main__` guard, beside a leftover package building another: main.py's is served."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "main.py": _SELF_SERVED.format(target=target),
            "polls/__init__.py": "",
            "polls/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            **run_files,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:app"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    "run_files",
    [
        {
            "compose.yaml": 'services:\n  api:\n    command: ["sh", "scripts/prestart-and-run"]\n',
            "scripts/prestart-and-run": "#!/bin/sh\nalembic upgrade head\nexec uvicorn main:app\n",
        },
        {
            "Dockerfile": 'FROM python:3.12\nENTRYPOINT ["./start"]\n',
            "start": "#!/usr/bin/env bash\nset -e\n"
            "exec gunicorn -k uvicorn.workers.UvicornWorker main:app\n",
        },
        {
            "Procfile": "release: alembic upgrade head\nweb: bin/start-web --port $PORT\n",
            "bin/start-web": "#!/bin/sh\nexec uvicorn main:app --port $1\n",
        },
        {
            "docker-compose.yml": "services:\n  api:\n    build:\n      context: .\n"
            "      dockerfile: ./compose/production/api/Dockerfile\n    command: /start\n",
            "compose/production/api/Dockerfile": "FROM python:3.12\n"
            "COPY ./compose/production/api/start /start\nCOPY . /app\nWORKDIR /app\n",
            "compose/production/api/start": "#!/bin/bash\nexec uvicorn main:app --host 0.0.0.0\n",
        },
        {
            "docker-compose.local.yml": "services:\n  api:\n    build:\n      context: .\n"
            "      dockerfile: ./compose/local/Dockerfile\n"
            '    command: ["sh", "/srv/start-reload"]\n',
            "compose/local/Dockerfile": "FROM python:3.12\nCOPY ./compose/local/ /srv/\n",
            "compose/local/start-reload": "#!/bin/sh\nexec uvicorn main:app --reload\n",
        },
        {
            # Compose files of older cookiecutter layouts, known by their services, not by name.
            "local.yml": "version: '3'\n\nvolumes:\n  data: {}\n\nservices:\n  api:\n"
            "    build:\n      context: .\n      dockerfile: ./compose/local/api/Dockerfile\n"
            "    command: /start\n",
            "compose/local/api/Dockerfile": "FROM python:3.12\n"
            "COPY ./compose/local/api/start /start\nCOPY . /app\nWORKDIR /app\n",
            "compose/local/api/start": "#!/bin/bash\nexec uvicorn main:app --reload\n",
        },
        {
            "deploy/production.yaml": "services:\n  api:\n    image: api\n"
            "    command: uvicorn main:app --host 0.0.0.0\n",
        },
    ],
    ids=[
        "compose-sh-script",
        "dockerfile-executable",
        "procfile-bin-path",
        "image-path-copied-in",
        "image-folder-copied-in",
        "compose-named-otherwise",
        "compose-named-otherwise-a-folder-down",
    ],
)
def test_a_run_file_running_a_shell_script_of_any_name_picks_what_it_serves(
    tmp_path: Path, run_files: dict[str, str]
) -> None:
    """A script a run file starts by its path, without the `.sh` suffix, is read as a run file:
    its server's app is taken over a package building another one."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "service/__init__.py": "",
            "service/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            **run_files,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "main:app"' in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("name", "text", "picked"),
    [
        ("start", "#!/bin/sh\nalembic upgrade head\nexec uvicorn main:app --port 80\n", True),
        (
            "run",
            "#!/usr/bin/env bash\nset -e\ngunicorn -k uvicorn.workers.UvicornWorker main:app\n",
            True,
        ),
        # No shebang running a shell: notes, not a script a server is started by.
        ("NOTES", "uvicorn main:app is how it was started once\n", False),
        ("start", "#!/usr/bin/env python3\nprint('uvicorn main:app')\n", False),
    ],
    ids=["sh-start", "env-bash-run", "no-shebang", "python-shebang"],
)
def test_a_start_script_without_the_sh_suffix_is_a_run_file(
    tmp_path: Path, name: str, text: str, picked: bool
) -> None:
    """A shell script at the top named without `.sh` (`start`, `run`), which nothing else
    runs, says which app the server starts, as a `start.sh` does (it was not read: init asked
    which of the two apps)."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "service/__init__.py": "",
            "service/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            name: text,
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    if picked:
        assert result.exit_code == 0, result.stderr
        assert 'app = "main:app"' in result.stdout, result.stdout
    else:
        assert 'app = "main:app"' not in result.stdout, result.stdout


@pytest.mark.parametrize(
    "run_files",
    [
        {
            "Procfile": 'checkings: uvicorn --port $A --app-dir="./api" checking_service:app\n'
            'validations: uvicorn --port $B --app-dir="./api" validation_service:app\n'
        },
        {
            "compose.yaml": "services:\n  checkings:\n    build: .\n"
            "    command: uvicorn api.checking_service:app --port 8001\n"
            "  validations:\n    build: .\n"
            "    command: uvicorn api.validation_service:app --port 8002\n"
        },
    ],
    ids=["procfile-with-app-dir", "compose"],
)
def test_run_files_serving_several_apps_are_said_not_an_unserved_entry_module(
    tmp_path: Path, run_files: dict[str, str]
) -> None:
    """A folder of services, each its own app a run file serves, beside an `app.py` none
    serves: init names the served apps as several to choose from (it took `app:app`, which
    no server runs, without a word)."""
    service = (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post('/{name}/check')\n"
        "async def check() -> dict[str, str]:\n    return {{}}\n"
    )
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\n",
            # It imports a service's function: an entry module over a module it imports.
            "api/app.py": "from validation_service import check\n" + service.format(name="game"),
            "api/checking_service.py": service.format(name="checking"),
            "api/validation_service.py": service.format(name="validation"),
            **run_files,
        },
    )
    result = run("init", "--root", str(root))
    assert result.exit_code == 2, result.stdout
    said = result.stderr + result.stdout
    assert "several FastAPI apps found" in said, said
    assert "checking_service:app" in said and "validation_service:app" in said, said
    assert " app:app" not in said and "(app:app" not in said, said


def test_a_workspace_member_s_fastapi_entrypoint_names_the_app(tmp_path: Path) -> None:
    """A uv workspace whose `backend/pyproject.toml` sets `[tool.fastapi] entrypoint` (FastAPI
    CLI run there serves it): init names that app, not the playground `main.py` beside it
    (taken before: only the root's pyproject.toml was read). Another folder's pyproject.toml
    that is no TOML, nor UTF-8, says nothing."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "pyproject.toml": '[project]\nname = "ws"\n\n[tool.uv.workspace]\n'
            'members = ["backend"]\n',
            "backend/pyproject.toml": '[project]\nname = "backend"\n\n[tool.fastapi]\n'
            'entrypoint = "api.core:application"\n',
            "backend/api/__init__.py": "",
            "backend/api/core.py": "from fastapi import FastAPI\n\napplication = FastAPI()\n\n\n"
            "@application.get('/notes/{note_id}')\ndef read_note(note_id: int) -> int:\n"
            "    return note_id\n",
            "backend/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "frontend/package.json": "{}\n",
        },
    )
    (root / "docs").mkdir()
    (root / "docs/pyproject.toml").write_bytes(b"[tool.fastapi\n\xff\xfe")
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stdout + result.stderr
    plan = (root / "pyproject.toml").read_text()
    assert 'app = "api.core:application"' in plan and 'backend = "backend"' in plan, plan


@pytest.mark.parametrize(
    "files",
    [
        # A package's module building the app: read whether it imports its siblings, then for
        # the package's app (two indexes, two models of it).
        {"app/__init__.py": "", "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"},
        # The flat layout's module importing a folder beside it.
        {
            "backend/main.py": "from fastapi import FastAPI\n\nfrom routers import items\n\n"
            "app = FastAPI()\napp.include_router(items.router)\n",
            "backend/routers/__init__.py": "",
            "backend/routers/items.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n"
            '\n\n@router.get("/items")\ndef items() -> list[int]:\n    return []\n',
        },
        # A flat module run as a script too: read for what its guard serves, and for its app.
        {
            "main.py": "import uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n"
            'if __name__ == "__main__":\n    uvicorn.run(app)\n',
        },
    ],
)
def test_init_and_generate_parse_each_module_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]
) -> None:
    """However many package indexes or script readers of a run read a module, it is parsed
    once (a 2 MB module took 0.5 s a parse)."""
    import ast

    root = tmp_path / "project"
    write_files(root, {"pyproject.toml": '[project]\nname = "x"\n', **files})
    real = ast.parse
    parsed: list[str] = []

    def counting(source: str | bytes, *args: object, **options: object) -> object:
        if isinstance(source, bytes | str) and "FastAPI()" in str(source):
            parsed.append(source.decode() if isinstance(source, bytes) else source)
        return real(source, *args, **options)  # type: ignore[call-overload]

    monkeypatch.setattr(ast, "parse", counting)
    for command in ("init", "generate"):
        parsed.clear()
        result = run(command, "--root", str(root))
        assert result.exit_code == 0, result.stderr
        assert len(parsed) == 1, (command, parsed)


def test_an_app_module_that_does_not_parse_beside_the_app_chosen_is_named(
    tmp_path: Path,
) -> None:
    """Two project folders each build an app; one's does not parse: the other is no sure pick."""
    root = tmp_path / "courses"
    app_module = (
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\n'
        "def index():\n    return 1\n"
    )
    write_files(
        root,
        {
            "blog/main.py": app_module,
            # Mid-edit: the handler's `def` lacks its colon, so the module is no Python.
            "shop/main.py": app_module.replace("def index():", "def index()"),
        },
    )
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert 'app = "blog.main:app"' in result.stdout
    lines = [line for line in result.stderr.splitlines() if "shop/main.py" in line]
    assert len(lines) == 1, result.stderr
    assert re.search(r"shop/main\.py:\d+:\d+: syntax error", lines[0]), lines[0]
    assert "blog.main:app" in lines[0], lines[0]
    # Writing the plan says the same; with the module fixed, init cannot choose between them.
    result = run("init", "--root", str(root))
    assert result.exit_code == 0, result.stderr
    assert any("shop/main.py" in line for line in result.stderr.splitlines()), result.stderr
    (root / "pyproject.toml").unlink()
    (root / "shop/main.py").write_text(app_module)
    result = run("init", "--root", str(root), "--dry-run")
    assert result.exit_code == 2
    assert "several FastAPI apps found" in result.stderr
