"""Routers an app includes in a loop over a data file of the project (YAML, JSON, TOML)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend_support import imported_app
from tests.cli_support import run, write_files
from tests.route_support import routes_by_handler

ITEMS = (
    'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/{item_id}")\n'
    "async def read_item(item_id: int) -> int:\n    return item_id\n"
)

#: The loop, at module level over a file the backend folder holds (YAML read from its text).
MODULE_LEVEL = """from importlib import import_module
from pathlib import Path

import yaml
from fastapi import FastAPI

app = FastAPI()
config = yaml.safe_load(Path("routers.yaml").read_text())
for entry in config["routers"]:
    module = import_module(entry["module"])
    app.include_router(module.router, prefix=entry["prefix"])
"""

#: In an app factory, the file opened beside the module (`__file__`), as JSON.
FACTORY = """import importlib
import json
import os

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()
    with open(os.path.join(os.path.dirname(__file__), "routers.json")) as stream:
        routers = json.load(stream)
    for entry in routers:
        app.include_router(importlib.import_module(entry["module"]).router, prefix=entry["prefix"])
    return app


app = create_app()
"""

#: TOML, a table per router, read through `.items()`.
TABLES = """import importlib
import tomllib
from pathlib import Path

from fastapi import FastAPI

app = FastAPI()
with (Path(__file__).parent / "routers.toml").open("rb") as stream:
    config = tomllib.load(stream)
for name, entry in config["routers"].items():
    app.include_router(importlib.import_module(f"app.api.{name}").router, prefix=entry["prefix"])
"""

SHAPES = {
    "yaml-module-level": (
        MODULE_LEVEL,
        "routers.yaml",
        "# served routers\nrouters:\n  - module: app.api.items  # the shop's\n"
        '    prefix: "/v1/items"\n  - module: app.api.users\n    prefix: /v1/users\n',
    ),
    "json-factory": (
        FACTORY,
        "app/routers.json",
        '[{"module": "app.api.items", "prefix": "/v1/items"},'
        ' {"module": "app.api.users", "prefix": "/v1/users"}]\n',
    ),
    "toml-tables": (
        TABLES,
        "app/routers.toml",
        '[routers.items]\nprefix = "/v1/items"\n\n[routers.users]\nprefix = "/v1/users"\n',
    ),
}


def _generated(root: Path, main: str, files: dict[str, str]) -> str:
    """Generate with app/api/items.py instrumented; the output of `generate`."""
    write_files(
        root,
        {
            "requirements.txt": "fastapi\npyyaml\n",
            "app/__init__.py": "",
            "app/main.py": main,
            "app/api/__init__.py": "",
            "app/api/items.py": ITEMS,
            "app/api/users.py": ITEMS.replace("read_item", "read_user"),
            **files,
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "api/items.py"', '"api/items.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    return generated.stdout


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_routers_a_loop_reads_from_a_data_file_get_its_prefixes(
    tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The routers and prefixes a loop reads from a YAML, JSON or TOML file of the project
    (a literal path, from the backend folder or beside the module) are read from the file,
    as a literal list in the code is: each route is logged under the prefix it is served
    under. Before, the routes were logged without their prefixes and the loop said."""
    root = tmp_path / "project"
    main, name, data = SHAPES[shape]
    said = _generated(root, main, {name: data})
    assert "log call in read_item (GET /v1/items/{item_id})" in said, said
    assert "run time" not in said, said
    assert routes_by_handler(root / "app/api/items.py") == {"read_item": "/v1/items/{item_id}"}
    monkeypatch.chdir(root)  # where the app starts: a relative path is read from there
    with imported_app(root) as served:
        client = TestClient(served.app)
        assert client.get("/v1/items/3").json() == 3
        assert client.get("/v1/users/4").json() == 4
    assert run("generate", "--check", "--root", str(root)).exit_code == 0


#: A YAML "billion laughs": nine levels of aliases, each nine times the one before (a few
#: hundred bytes that PyYAML reads as shared objects, a tree of 387 M values written out).
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join(['*' + chr(97 + level)] * 9)}]\n"
        for level in range(8)
    )
    + "routers: [*i]\n"
)


@pytest.mark.parametrize(
    "data",
    [
        None,  # no such file: it is read at run time
        "routers: [\n  - module: app.api.items\n",  # does not parse
        "routers:\n  - module: app.api.items\n    prefix: 2024-01-01\n",  # a date: no literal
        "routers: !!python/object:os.system ls\n",  # a tag safe_load refuses
        LAUGHS,
    ],
    ids=["absent", "not-yaml", "a-date", "unsafe-tag", "billion-laughs"],
)
def test_routers_from_a_data_file_not_read_are_still_said(tmp_path: Path, data: str | None) -> None:
    """A file absent from the project, not YAML, holding a value no literal writes, a tag
    PyYAML's safe loader refuses, or aliases that expand to a huge tree: the loop's routers are
    still said to be only known at run time, not logged under a guessed path."""
    root = tmp_path / "project"
    said = _generated(root, MODULE_LEVEL, {} if data is None else {"routers.yaml": data})
    assert "the routers this loop includes are only known at run time" in said, said
    assert "log call in read_item (GET /{item_id})" in said, said


def test_yaml_anchors_and_aliases_are_read_as_pyyaml_reads_them(tmp_path: Path) -> None:
    """YAML is read by PyYAML's safe loader: a router's entry shared through an anchor and a
    merge key (`<<: *defaults`) gives each router its prefix."""
    root = tmp_path / "project"
    data = (
        "defaults: &defaults\n  module: app.api.items\n"
        "routers:\n  - <<: *defaults\n    prefix: /v1/items\n"
        "  - module: app.api.users\n    prefix: '/v1/users'  # quoted\n"
    )
    said = _generated(root, MODULE_LEVEL, {"routers.yaml": data})
    assert "log call in read_item (GET /v1/items/{item_id})" in said, said
    assert "run time" not in said, said


def test_a_data_file_nested_too_deep_is_not_read(tmp_path: Path) -> None:
    """A JSON file nested deeper than Python's recursion allows: not read, the loop said (no
    traceback)."""
    root = tmp_path / "project"
    main, name, _ = SHAPES["json-factory"]
    said = _generated(root, main, {name: "[" * 100_000 + "]" * 100_000})
    assert "only known at run time" in said, said


#: Two files opened under one name, each loop over its own (the second under `/admin`).
TWO_FILES = """import json
from importlib import import_module

from fastapi import FastAPI

app = FastAPI()
with open("public.json") as f:
    public = json.load(f)
with open("admin.json") as f:
    admin = json.load(f)
for entry in public:
    app.include_router(import_module(entry["module"]).router, prefix=entry["prefix"])
for entry in admin:
    app.include_router(import_module(entry["module"]).router, prefix="/admin" + entry["prefix"])
"""


def test_two_with_blocks_binding_one_name_each_read_their_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`with open("public.json") as f:` then `with open("admin.json") as f:`: each loader
    reads the file of the `with` around it. Before, both read the first: the admin router was
    logged under the public file's path, and its own router said to be included by no app."""
    root = tmp_path / "project"
    said = _generated(
        root,
        TWO_FILES,
        {
            "public.json": '[{"module": "app.api.items", "prefix": "/public/items"}]\n',
            "admin.json": '[{"module": "app.api.users", "prefix": "/users"}]\n',
        },
    )
    assert "run time" not in said, said
    assert "included by no app" not in said, said
    assert routes_by_handler(root / "app/api/items.py") == {"read_item": "/public/items/{item_id}"}
    plan = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(plan.replace('# "api/users.py"', '"api/users.py"'))
    assert run("generate", "--root", str(root)).exit_code == 0
    assert routes_by_handler(root / "app/api/users.py") == {"read_user": "/admin/users/{item_id}"}
    monkeypatch.chdir(root)
    with imported_app(root) as served:
        client = TestClient(served.app)
        assert client.get("/public/items/3").json() == 3
        assert client.get("/admin/users/4").json() == 4


@pytest.mark.parametrize(
    ("loaded", "name"),
    [
        ('yaml.safe_load("routers.yaml")', "routers.yaml"),
        ('json.loads("routers.json")', "routers.json"),
        ("yaml.safe_load(PATH)", "routers.yaml"),
    ],
)
def test_a_path_string_given_to_a_loader_is_not_read_as_the_file(
    tmp_path: Path, loaded: str, name: str
) -> None:
    """`yaml.safe_load("routers.yaml")`, `json.loads(...)` of a string: the loader parses the
    string itself (the YAML scalar `routers.yaml`), never the file it names; the loop is said
    to be only known at run time. Before, the file was read as if opened."""
    root = tmp_path / "project"
    main = MODULE_LEVEL.replace('yaml.safe_load(Path("routers.yaml").read_text())', loaded).replace(
        "import yaml\n", 'import json\n\nimport yaml\n\nPATH = "routers.yaml"\n'
    )
    data = {
        "routers.yaml": SHAPES["yaml-module-level"][2],
        # The same routers, as JSON.
        "routers.json": '{"routers": ' + SHAPES["json-factory"][2] + "}",
    }
    said = _generated(root, main, {name: data[name]})
    assert "the routers this loop includes are only known at run time" in said, said
    assert "/v1/items" not in said, said


def _routers_yaml(prefix: str) -> str:
    return f"routers:\n  - module: app.api.items\n    prefix: {prefix}\n"


@pytest.mark.parametrize(
    ("files", "served", "said"),
    [
        (
            {"backend/routers.yaml": _routers_yaml("/v1"), "routers.yaml": _routers_yaml("/v2")},
            "/v1",
            "backend/app/main.py:8: `Path('routers.yaml').read_text()` read from "
            "backend/routers.yaml, where the app starts (the backend folder); started from the "
            "project root, it reads routers.yaml",
        ),
        ({"routers.yaml": _routers_yaml("/v2")}, "/v2", None),
        ({"backend/config/routers.yaml": _routers_yaml("/v3")}, None, None),
    ],
    ids=["both-folders", "root-only", "config-folder"],
)
def test_a_relative_data_file_is_read_from_where_the_app_starts(
    tmp_path: Path, files: dict[str, str], served: str | None, said: str | None
) -> None:
    """`open("routers.yaml")` opens the file of the working directory: the backend folder the
    app starts in (where the quickstart starts it), else the project root. When both hold one,
    the backend folder's is read and a line names both; a `config/` folder is no working
    directory (dynaconf looks there for its settings files, `open` does not). Before, the
    second file went unsaid and `backend/config/routers.yaml` was read as if opened."""
    root = tmp_path / "project"
    write_files(
        root,
        {
            "requirements.txt": "fastapi\npyyaml\n",
            "backend/app/__init__.py": "",
            "backend/app/main.py": MODULE_LEVEL,
            "backend/app/api/__init__.py": "",
            "backend/app/api/items.py": ITEMS,
            **files,
        },
    )
    assert run("init", "--root", str(root)).exit_code == 0
    plan = (root / "pyproject.toml").read_text()
    assert 'backend = "backend"' in plan, plan
    (root / "pyproject.toml").write_text(plan.replace('# "api/items.py"', '"api/items.py"'))
    generated = run("generate", "--root", str(root))
    assert generated.exit_code == 0, generated.stdout + generated.stderr
    out = " ".join(generated.stdout.split())
    route = "/{item_id}" if served is None else f"{served}/{{item_id}}"
    assert routes_by_handler(root / "backend/app/api/items.py") == {"read_item": route}
    if said is not None:
        assert said in out, out
    assert ("started from the project root" in out) == (said is not None), out
    assert ("only known at run time" in out) == (served is None), out
