"""`init`: a first plan from what is in the project, then `generate` works on it unchanged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import run, snapshot

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


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ({"backend/app/__init__.py": "", "backend/app/util.py": "X = 1\n"}, "no FastAPI app found"),
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
        # A module directly in the project folder is in no package: nowhere to put the layer.
        (
            {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "routers/x.py": ""},
            "no FastAPI app found",
        ),
    ],
    ids=["none", "several", "several-in-one-module", "flat"],
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
    (root / "pyproject.toml").write_text(text.replace('# "routes/orders.py"', '"routes/orders.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
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
